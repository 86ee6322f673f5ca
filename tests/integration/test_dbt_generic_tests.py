"""The project's own generic tests fail on what they exist to catch, in the month being closed
only. Run with dbt on a copy of a closed warehouse's history, one null put in by hand."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import duckdb
import pytest

from orchestration.paths import DBT_PROJECT_DIR

# Shares the session's closed warehouse: kept on one test worker.
pytestmark = pytest.mark.xdist_group("kpi")


def _not_null_test(copy: Path, target: Path) -> tuple[str, int]:
    """Status and failing rows of fct_task_snapshot's not_null_columns test, closing March."""
    done = subprocess.run(
        [str(Path(sys.executable).parent / "dbt"), "test", "--select",
         "fct_task_snapshot,test_name:not_null_columns", "--project-dir", str(DBT_PROJECT_DIR),
         "--profiles-dir", str(DBT_PROJECT_DIR), "--target-path", str(target), "--quiet"],
        env={**os.environ, "KPI_BUILD_DB": str(copy), "KPI_CLOSE_MONTH": "2026-03"},
        capture_output=True, text=True, check=False, timeout=600,
    )
    results = json.loads((target / "run_results.json").read_text(encoding="utf-8"))["results"]
    assert len(results) == 1, done.stdout[-2000:]
    return results[0]["status"], results[0]["failures"]


@pytest.mark.parametrize(("month", "expected"), [
    ("2026-03-01", ("fail", 1)),  # the closed month: one row with a null unit key
    ("2026-02-01", ("pass", 0)),  # a month judged when it was closed: not this close's gate
])
def test_a_null_in_a_listed_column_fails_the_closed_month_only(
    kpi_warehouse: Path, tmp_path: Path, month: str, expected: tuple[str, int],
) -> None:
    copy = tmp_path / "copy.duckdb"
    shutil.copyfile(kpi_warehouse.with_name("history.duckdb"), copy)
    con = duckdb.connect(str(copy))
    try:
        con.execute(
            "update marts.fct_task_snapshot set unit_key = null where task_snapshot_key = "
            "(select min(task_snapshot_key) from marts.fct_task_snapshot where month_date = $m)",
            {"m": month})
    finally:
        con.close()
    assert _not_null_test(copy, tmp_path / "target") == expected
