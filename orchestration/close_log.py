"""The close log: what each close of a month read, checked and published, kept in the
published warehouse itself (`marts.close_log`), so the file an auditor opens explains itself."""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import json
import subprocess
from importlib.metadata import version
from pathlib import Path
from typing import Any

import duckdb

from orchestration.paths import DBT_PROJECT_DIR, PROJECT_DIR
from orchestration.warehouse import connect, sql_literal

REOPEN_TAG = "kpi/reopen_reason"
DDL = """
create table if not exists marts.close_log (
    month_date date not null,
    action varchar not null,
    closed_at timestamp not null,
    reason varchar,
    code_version varchar not null,
    catalogue_version varchar not null,
    catalogue_sha256 varchar not null,
    files json not null,
    checks json not null
)
"""
# The close log is published with the marts; like them it explains itself to a BI tool.
COMMENTS = {
    None: "One row per close or reopen of a month: what it read, checked and published. "
          "Grain: one row per close.",
    "month_date": "First day of the closed month.",
    "action": "close for a month's first close, reopen for a later one.",
    "closed_at": "When the close published, local time.",
    "reason": "Why a closed month was reopened (kpi close --reopen --reason).",
    "code_version": "Version of the close's code, with its git commit.",
    "catalogue_version": "Declared version of the indicator catalogue.",
    "catalogue_sha256": "Checksum of every catalogue seed.",
    "files": "Each export read: file, sha256, rows read, loaded and quarantined, status.",
    "checks": "Results of the dbt build and of the Great Expectations suites.",
}


def code_version() -> str:
    """The package version and, in a git checkout, the commit (marked when files differ)."""
    package = version("kpi-warehouse")
    try:
        commit = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=PROJECT_DIR,
                                capture_output=True, text=True, check=True).stdout.strip()
        dirty = subprocess.run(["git", "status", "--porcelain", "--untracked-files=no"],
                               cwd=PROJECT_DIR, capture_output=True, text=True,
                               check=True).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return package
    return f"{package}+{commit}{'.dirty' if dirty else ''}"


def catalogue_fingerprint() -> tuple[str, str]:
    """The catalogue's declared version and a checksum of every seed it is made of."""
    seeds = sorted((DBT_PROJECT_DIR / "seeds").glob("*.csv"))
    digest = hashlib.sha256()
    for seed in seeds:
        digest.update(seed.name.encode())
        digest.update(seed.read_bytes())
    with (DBT_PROJECT_DIR / "seeds" / "catalogue_settings.csv").open(encoding="utf-8") as f:
        settings = {row["setting"]: row["value"] for row in csv.DictReader(f)}
    return settings["catalogue_version"], digest.hexdigest()


def _has_log(con: duckdb.DuckDBPyConnection) -> bool:
    return bool(con.execute(
        "select count(*) from information_schema.tables "
        "where table_schema = 'marts' and table_name = 'close_log'"
    ).fetchone()[0])


def last_close(path: Path, month: str) -> dt.datetime | None:
    """When the month was last closed in the warehouse at `path`, or None if never."""
    if not path.exists():
        return None
    con = duckdb.connect(str(path), read_only=True)
    try:
        if not _has_log(con):
            return None
        return con.execute(
            "select max(closed_at) from marts.close_log where month_date = $m",
            {"m": f"{month}-01"},
        ).fetchone()[0]
    finally:
        con.close()


def record(build: Path, month: str, reason: str | None, checks: dict[str, Any]) -> None:
    """Write the close of `month` into the build file's log, just before it is published."""
    catalogue, catalogue_sha = catalogue_fingerprint()
    con = connect(build)
    try:
        con.execute("create schema if not exists marts")
        con.execute(DDL)
        for column, comment in COMMENTS.items():
            what = "table" if column is None else "column"
            name = "marts.close_log" + ("" if column is None else f".{column}")
            con.execute(f"comment on {what} {name} is {sql_literal(comment)}")
        reopened = con.execute(
            "select count(*) from marts.close_log where month_date = $m", {"m": f"{month}-01"}
        ).fetchone()[0]
        files = con.execute(
            """
            select coalesce(to_json(list(json_object(
                'export', export, 'file', file, 'sha256', file_sha256, 'rows_read', rows_read,
                'rows_loaded', rows_loaded, 'rows_quarantined', rows_quarantined,
                'duplicates', duplicates, 'status', status) order by export)), '[]')
            from raw.load_report where _month = $m
            """,
            {"m": f"{month}-01"},
        ).fetchone()[0]
        con.execute(
            "insert into marts.close_log values ($m, $action, $at, $reason, $code, $catalogue, "
            "$catalogue_sha, $files, $checks)",
            {
                "m": f"{month}-01", "action": "reopen" if reopened else "close",
                "at": dt.datetime.now().replace(microsecond=0), "reason": reason,
                "code": code_version(), "catalogue": catalogue, "catalogue_sha": catalogue_sha,
                "files": files, "checks": json.dumps(checks, sort_keys=True),
            },
        )
    finally:
        con.close()


def entries(path: Path) -> list[dict[str, Any]]:
    """Every close recorded in the warehouse at `path`, oldest first."""
    con = duckdb.connect(str(path), read_only=True)
    try:
        if not _has_log(con):
            return []
        cursor = con.execute(
            "select strftime(month_date, '%Y-%m') as month, action, closed_at, reason, "
            "code_version, catalogue_version, files, checks "
            "from marts.close_log order by closed_at, month_date"
        )
        names = [d[0] for d in cursor.description]
        rows = [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]
    finally:
        con.close()
    for row in rows:
        row["files"] = json.loads(row["files"])
        row["checks"] = json.loads(row["checks"])
    return rows
