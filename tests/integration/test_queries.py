"""The analysts' questions of docs/queries.md run on a closed warehouse, as analysts and BI
tools open it: read-only, from the DuckDB 1.5 command line too."""

from __future__ import annotations

import datetime as dt
import re
import shutil
import subprocess
import sys
from pathlib import Path

import duckdb
import pytest

from orchestration.paths import PROJECT_DIR

# Shares the session's closed warehouse: kept on one test worker.
pytestmark = pytest.mark.xdist_group("kpi")

MARCH = dt.date(2026, 3, 1)


def _queries() -> list[tuple[str, str]]:
    text = (PROJECT_DIR / "docs" / "queries.md").read_text(encoding="utf-8")
    return re.findall(r"^## (.+?)\n\n```sql\n(.+?)```", text, flags=re.S | re.M)


def test_there_are_ten_questions() -> None:
    assert len(_queries()) == 10


@pytest.fixture(scope="module")
def answers(kpi_warehouse: Path) -> dict[str, list[tuple]]:
    con = duckdb.connect(str(kpi_warehouse), read_only=True)
    try:
        return {title: con.execute(sql, {"month": MARCH}).fetchall()
                for title, sql in _queries()}
    finally:
        con.close()


def _answer(answers: dict[str, list[tuple]], number: int) -> list[tuple]:
    return next(rows for title, rows in answers.items() if title.startswith(f"{number}."))


def test_every_question_has_an_answer_on_the_fixture(answers: dict[str, list[tuple]]) -> None:
    empty = [title for title, rows in answers.items() if not rows]
    assert empty == []


def test_answers_worked_out_by_hand(answers: dict[str, list[tuple]]) -> None:
    # tests/fixtures/landing_kpi/README.md: ranks S03 1, S01 2, X01 3, S02 4.
    board = _answer(answers, 4)
    assert [(rank, unit) for rank, unit, *_ in board if rank is not None] == [
        (1, "S03"), (2, "S01"), (3, "X01"), (4, "S02")]
    # Fifteen indicators explain S01's score.
    assert len(_answer(answers, 5)) == 15
    # Eleven red records in the province in March.
    assert sum(row[1] for row in _answer(answers, 6)) == 11
    # S02 fell the most: 23.7 against 0 the months before is a rise; only X01 fell (-46.7).
    assert [(unit, round(trend, 6)) for unit, *_, trend in _answer(answers, 9)] == [
        ("X01", -46.672515)]


def test_the_duckdb_1_5_command_line_opens_the_published_file(kpi_warehouse: Path) -> None:
    cli = shutil.which("duckdb", path=str(Path(sys.executable).parent))
    assert cli, "duckdb-cli is a dev dependency"
    version = subprocess.run([cli, "--version"], capture_output=True, text=True,
                             check=True).stdout
    assert version.startswith("v1.5.")
    done = subprocess.run(
        [cli, "-readonly", "-csv", str(kpi_warehouse), "-c",
         "select count(*) from marts.mart_leader_board where month_date = '2026-03-01'"],
        capture_output=True, text=True, timeout=60, check=False)
    assert done.returncode == 0, done.stderr
    con = duckdb.connect(str(kpi_warehouse), read_only=True)
    try:
        expected = con.execute("select count(*) from marts.mart_leader_board "
                               "where month_date = '2026-03-01'").fetchone()[0]
    finally:
        con.close()
    assert done.stdout.split() == ["count_star()", str(expected)]


def test_marts_carry_their_dbt_descriptions_as_comments(kpi_warehouse: Path) -> None:
    con = duckdb.connect(str(kpi_warehouse), read_only=True)
    try:
        missing = con.execute(
            "select table_name, column_name from duckdb_columns() "
            "where schema_name = 'marts' and (comment is null or comment = '')").fetchall()
        tables = con.execute(
            "select comment from duckdb_tables() "
            "where schema_name = 'marts' and table_name = 'mart_leader_board'").fetchone()
        schemas = {r[0] for r in con.execute(
            "select distinct schema_name from duckdb_tables() union "
            "select distinct schema_name from duckdb_views() where not internal").fetchall()}
    finally:
        con.close()
    assert missing == []
    assert tables[0].startswith("The table a leader reads first")
    # Readers get the marts alone: raw exports, seeds and the build's views stay with the close.
    assert schemas == {"marts"}
