"""Citizens' personal data never reaches the published warehouse or the close's files.

The hand-written landing zone carries canary citizens: petitioners named "... Canary" with ID
numbers, addresses, and a rating comment holding a name and a phone number.
"""

from __future__ import annotations

import re
from pathlib import Path

import duckdb
import pytest

from orchestration.paths import PROJECT_DIR
from tests.conftest import FIXTURES

# Shares the session's closed warehouse: kept on one test worker.
pytestmark = pytest.mark.xdist_group("kpi")

CANARIES = ["canary", "001234567890", "004098765432", "006011122233", "008044455566",
            "010077788899", "0912345678", "Tổ 1, Phường Thục Phán"]
# Citizen ID numbers (12 digits), old ID cards (9), phone numbers (10), anywhere in text.
NUMBERS = re.compile(r"(?<!\d)(\d{12}|\d{10}|\d{9})(?!\d)")


def _text_columns(con: duckdb.DuckDBPyConnection) -> list[tuple[str, str, str]]:
    return con.execute(
        "select table_schema, table_name, column_name from information_schema.columns "
        "where data_type in ('VARCHAR', 'JSON') and table_schema not in "
        "('information_schema', 'pg_catalog')").fetchall()


# The published file, and the history beside it that keeps the loaded exports for the close.
FILES = ["kpi.duckdb", "history.duckdb"]


@pytest.mark.parametrize("name", FILES)
def test_no_canary_in_any_table_of_the_warehouse(kpi_warehouse: Path, name: str) -> None:
    assert "Canary" in (FIXTURES / "landing_kpi" / "2026-03" / "don_thu.csv").read_text(
        encoding="utf-8"), "the canary must be in the input for this test to mean anything"
    found = []
    con = duckdb.connect(str(kpi_warehouse.with_name(name)), read_only=True)
    try:
        for schema, table, column in _text_columns(con):
            for canary in CANARIES:
                hits = con.execute(f'select count(*) from "{schema}"."{table}" '
                                   f'where lower(cast("{column}" as varchar)) like $p',
                                   {"p": f"%{canary.lower()}%"}).fetchone()[0]
                if hits:
                    found.append((schema, table, column, canary, hits))
    finally:
        con.close()
    assert found == []


@pytest.mark.parametrize("name", FILES)
def test_no_id_or_phone_number_outside_code_columns(kpi_warehouse: Path, name: str) -> None:
    found = []
    con = duckdb.connect(str(kpi_warehouse.with_name(name)), read_only=True)
    try:
        for schema, table, column in _text_columns(con):
            # Keys, hashes and checksums are hexadecimal codes, not numbers of people.
            if column.endswith(("_key", "_hash", "_sha256")) or column in ("files", "checks"):
                continue
            values = con.execute(
                f'select distinct cast("{column}" as varchar) from "{schema}"."{table}" '
                f'where regexp_matches(cast("{column}" as varchar), $p)',
                {"p": r"\d{9}"}).fetchall()
            found += [(schema, table, column, v[0]) for v in values if NUMBERS.search(v[0] or "")]
    finally:
        con.close()
    assert found == []


def test_no_canary_in_the_close_files_beside_the_warehouse(kpi_warehouse: Path) -> None:
    """Close logs, Great Expectations results and dbt's own logs and artifacts."""
    suite_results = kpi_warehouse.parent / "checks" / "2026-03"
    assert (suite_results / "don_thu.json").exists(), "the petitions suite must have run"
    # dbt's artifacts of each close are under the warehouse folder (build/dbt/).
    assert (kpi_warehouse.parent / "build" / "dbt" / "run_results.json").exists()
    folders = [kpi_warehouse.parent, PROJECT_DIR / "dbt_project" / "logs"]
    leaks, scanned = [], 0
    for folder in folders:
        for path in folder.rglob("*"):
            if not path.is_file() or path.suffix in (".duckdb", ".wal"):
                continue
            scanned += 1
            text = path.read_bytes().decode("utf-8", errors="replace").lower()
            leaks += [(path.name, c) for c in CANARIES if c.lower() in text]
    assert scanned > 15
    assert leaks == []


def test_no_id_or_phone_number_in_the_great_expectations_results(kpi_warehouse: Path) -> None:
    results = sorted((kpi_warehouse.parent / "checks").rglob("*.json"))
    assert len(results) == 30  # fifteen suites, two months
    found = [(p.name, m) for p in results
             for m in NUMBERS.findall(p.read_text(encoding="utf-8"))]
    assert found == []
