"""Citizens' personal data never reaches the published warehouse or the close's files.

The hand-written landing zone carries canary citizens: petitioners named "... Canary" with ID
numbers, addresses, and a rating comment holding a name and a phone number.
"""

from __future__ import annotations

import re
from pathlib import Path

from tests.conftest import FIXTURES, query

CANARIES = ["canary", "001234567890", "004098765432", "006011122233", "008044455566",
            "010077788899", "0912345678", "Tổ 1, Phường Thục Phán"]
# Citizen ID numbers (12 digits), old ID cards (9), phone numbers (10), anywhere in text.
NUMBERS = re.compile(r"(?<!\d)(\d{12}|\d{10}|\d{9})(?!\d)")


def _text_columns(warehouse: Path) -> list[tuple[str, str, str]]:
    return query(warehouse,
                 "select table_schema, table_name, column_name from information_schema.columns "
                 "where data_type in ('VARCHAR', 'JSON') and table_schema not in "
                 "('information_schema', 'pg_catalog')")


def test_no_canary_in_any_table_of_the_published_warehouse(kpi_warehouse: Path) -> None:
    assert "Canary" in (FIXTURES / "landing_kpi" / "2026-03" / "don_thu.csv").read_text(
        encoding="utf-8"), "the canary must be in the input for this test to mean anything"
    found = []
    for schema, table, column in _text_columns(kpi_warehouse):
        for canary in CANARIES:
            hits = query(kpi_warehouse,
                         f'select count(*) from "{schema}"."{table}" '
                         f'where lower(cast("{column}" as varchar)) like $p',
                         {"p": f"%{canary.lower()}%"})[0][0]
            if hits:
                found.append((schema, table, column, canary, hits))
    assert found == []


def test_no_id_or_phone_number_outside_code_columns(kpi_warehouse: Path) -> None:
    found = []
    for schema, table, column in _text_columns(kpi_warehouse):
        # Keys, hashes and checksums are hexadecimal codes, not numbers of people.
        if column.endswith(("_key", "_hash", "_sha256")) or column in ("files", "checks"):
            continue
        values = query(kpi_warehouse,
                       f'select distinct cast("{column}" as varchar) from "{schema}"."{table}" '
                       f'where regexp_matches(cast("{column}" as varchar), $p)',
                       {"p": r"\d{9}"})
        found += [(schema, table, column, v[0]) for v in values if NUMBERS.search(v[0] or "")]
    assert found == []


def test_no_canary_in_the_close_files_beside_the_warehouse(kpi_warehouse: Path) -> None:
    leaks = []
    for path in kpi_warehouse.parent.rglob("*"):
        if not path.is_file() or path.suffix in (".duckdb", ".wal"):
            continue
        text = path.read_bytes().decode("utf-8", errors="replace").lower()
        leaks += [(path.name, c) for c in CANARIES if c.lower() in text]
    assert leaks == []
