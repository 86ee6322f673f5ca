"""Months closed in any order give the same marts, and readers (analysts, BI tools) never see
an error or half a month while a close publishes.

March of tests/fixtures/landing_kpi is closed before February; the session's warehouse closed
them in calendar order. While February closes (and March is derived again after it), a reader
in another process keeps one read-only connection open, opens a fresh one for every query, and
reads through SQLAlchemy with duckdb-engine as BI tools do.
"""

from __future__ import annotations

import json
import subprocess
import sys
import time
from pathlib import Path

import duckdb
import pytest

from orchestration.close import run_close
from tests.conftest import close_zone

# Shares the session's closed warehouse: kept on one test worker.
pytestmark = pytest.mark.xdist_group("kpi")

# An analyst's loop, in one of two ways: one connection held for the whole close ("held"), or
# a fresh one per query ("fresh"). Each round notes which months the marts hold, and whether
# every mart and the close log agree on them. (Within one process DuckDB shares one open
# database per file, so the two ways run in separate processes.)
READER = """
import json, sys, time
from pathlib import Path
import duckdb

path, stop, mode = sys.argv[1], Path(sys.argv[2]), sys.argv[3]
MONTHS = "select distinct strftime(month_date, '%Y-%m') from marts.{} order by 1"
TABLES = ["mart_indicator_values", "mart_pillar_scores", "mart_task_progress",
          "mart_leader_board", "mart_red_warning_summary"]
held = duckdb.connect(path, read_only=True) if mode == "held" else None
rounds, errors, states = 0, [], set()
while not stop.exists():
    con = held or duckdb.connect(path, read_only=True)
    try:
        seen = {t: tuple(r[0] for r in con.execute(MONTHS.format(t)).fetchall())
                for t in TABLES}
        logged = tuple(r[0] for r in con.execute(
            "select distinct strftime(month_date, '%Y-%m') from marts.close_log "
            "order by 1").fetchall())
        if len(set(seen.values())) != 1 or seen[TABLES[0]] != logged:
            errors.append(f"half a month: {seen} logged {logged}")
        states.add(logged)
    except Exception as error:
        errors.append(f"{type(error).__name__}: {error}")
    finally:
        if held is None:
            con.close()
    rounds += 1
    time.sleep(0.05)
print(json.dumps({"rounds": rounds, "errors": errors, "states": sorted(states)}))
"""


# The way BI tools connect: SQLAlchemy and duckdb-engine, read-only, a connection per query.
BI_READER = """
import json, sys, time
from pathlib import Path
import sqlalchemy
from sqlalchemy.pool import NullPool

path, stop = sys.argv[1], Path(sys.argv[2])
engine = sqlalchemy.create_engine(f"duckdb:///{path}", connect_args={"read_only": True},
                                  poolclass=NullPool)
rounds, errors, states = 0, [], set()
while not stop.exists():
    try:
        with engine.connect() as bi:
            rows = bi.execute(sqlalchemy.text(
                "select strftime(month_date, '%Y-%m'), count(*) from marts.mart_leader_board "
                "group by 1 order by 1")).fetchall()
        states.add(tuple(month for month, _ in rows))
    except Exception as error:
        errors.append(f"{type(error).__name__}: {error}")
    rounds += 1
    time.sleep(0.05)
print(json.dumps({"rounds": rounds, "errors": errors, "states": sorted(states)}))
"""


def _tables(path: Path) -> list[str]:
    con = duckdb.connect(str(path), read_only=True)
    try:
        return [r[0] for r in con.execute(
            "select table_name from information_schema.tables "
            "where table_schema = 'marts' order by 1").fetchall()]
    finally:
        con.close()


def test_months_closed_out_of_order_give_the_same_marts_and_readers_see_no_error(
    kpi_warehouse: Path, tmp_path: Path,
) -> None:
    march_first = close_zone(tmp_path / "out_of_order", "landing_kpi", ["2026-03"])
    march_report = march_first.parent / "reports" / "2026-03.html"
    march_report_written = march_report.stat().st_mtime_ns
    stop = tmp_path / "stop-reader"
    readers = {
        name: subprocess.Popen([sys.executable, "-c", script, str(march_first), str(stop), name],
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        for name, script in (("held", READER), ("fresh", READER), ("bi", BI_READER))
    }
    try:
        time.sleep(1)
        with pytest.MonkeyPatch.context() as patch:
            patch.setenv("KPI_LANDING_DIR", str(tmp_path / "out_of_order" / "landing"))
            patch.setenv("KPI_WAREHOUSE_DIR", str(march_first.parent))
            patch.setenv("KPI_PII_SALT", "test-salt")
            outcome = run_close("2026-02")
        assert outcome.published, outcome.reason
        assert outcome.notes == []
        time.sleep(1)
    finally:
        stop.touch()
        outputs = {name: reader.communicate(timeout=120) for name, reader in readers.items()}
    for name, (out, err) in outputs.items():
        report = json.loads(out)
        assert report["errors"] == [], (name, err)
        assert report["rounds"] > 20, name
        states = set(map(tuple, report["states"]))
        if name == "held":
            # A connection opened before the publish keeps reading the file it opened.
            assert states == {("2026-03",)}
        else:
            # Before the publish March alone, after it both months: nothing in between.
            assert states == {("2026-03",), ("2026-02", "2026-03")}, name

    # March, derived again after February, had its 15 suites run again (all pass) and its
    # report written again.
    checks = json.loads(duckdb.connect(str(march_first), read_only=True).execute(
        "select checks from marts.close_log where month_date = '2026-02-01'").fetchone()[0])
    assert checks["derived_again"] == ["2026-03"]
    again = checks["derived_again_expectations"]["2026-03"]
    assert len(again) == 15
    assert all(s.split("/")[0] == s.split("/")[1].split()[0] for s in again.values()), again
    assert march_report.stat().st_mtime_ns > march_report_written

    # The marts are the same, table by table and row by row, as closing in calendar order; only
    # the close log tells the two histories apart.
    tables = _tables(kpi_warehouse)
    assert tables == _tables(march_first)
    tables.remove("close_log")
    con = duckdb.connect()
    con.execute(f"attach '{kpi_warehouse}' as in_order (read_only)")
    con.execute(f"attach '{march_first}' as out_of_order (read_only)")
    for table in tables:
        differ = con.execute(
            f"select count(*) from ((select * from in_order.marts.{table} "
            f"except all select * from out_of_order.marts.{table}) union all "
            f"(select * from out_of_order.marts.{table} "
            f"except all select * from in_order.marts.{table}))"
        ).fetchone()[0]
        assert differ == 0, table


def test_a_later_month_failing_its_suites_once_derived_again_is_published_and_said(
    tmp_path: Path,
) -> None:
    """February's meetings export is sent again as March's file, after March was closed: March,
    derived again, now fails its close suite (the same file as last month). The close of
    February publishes, says so, and keeps March's new results as its published ones."""
    march_first = close_zone(tmp_path, "landing_kpi", ["2026-03"])
    landing = tmp_path / "landing"
    (landing / "2026-02" / "cuoc_hop.csv").write_bytes(
        (landing / "2026-03" / "cuoc_hop.csv").read_bytes())
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("KPI_LANDING_DIR", str(landing))
        patch.setenv("KPI_WAREHOUSE_DIR", str(march_first.parent))
        patch.setenv("KPI_PII_SALT", "test-salt")
        outcome = run_close("2026-02")
    assert outcome.published, outcome.reason
    assert outcome.notes == [
        "2026-03, derived again from its loaded exports, now fails close: volume "
        "expect_column_values_to_be_in_set(same_file_as_last_month) failed at cuoc_hop.csv: "
        "correct its exports and reopen it"]
    stored = json.loads((march_first.parent / "checks" / "2026-03" / "close.json").read_text(
        encoding="utf-8"))
    assert stored["passed"] is False
    # March's report, written again, shows the suites as they ran last: one expectation short.
    again = json.loads(duckdb.connect(str(march_first), read_only=True).execute(
        "select checks from marts.close_log where month_date = '2026-02-01'").fetchone()[0]
    )["derived_again_expectations"]["2026-03"]
    counts = [tuple(map(int, s.split()[0].split("/"))) for s in again.values()]
    passed, total = sum(p for p, _ in counts), sum(t for _, t in counts)
    assert passed == total - 1
    page = (march_first.parent / "reports" / "2026-03.html").read_text(encoding="utf-8")
    assert f"{passed}/{total} kỳ vọng đạt trong 15 bộ" in page
