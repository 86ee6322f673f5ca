"""The gate: a failing expectation, a failing dbt test and a check that raises each block the
close, say why in one line, and leave the published warehouse as it was.

January of tests/fixtures/landing_tasks is closed once for the session; each test copies that
published warehouse, breaks February in one way and closes it for real (Dagster, dbt, Great
Expectations).
"""

from __future__ import annotations

import hashlib
import shutil
from pathlib import Path

import pytest

from orchestration.close import run_close
from orchestration.simulate.excel import ReportSheet, write_report_workbook
from tests.conftest import FIXTURES, query
from tests.fixtures.make_workbooks import BOTTLENECK_HEADERS, CLEARANCE_HEADERS

# Shares the session's closed warehouse: kept on one test worker.
pytestmark = pytest.mark.xdist_group("january")

FEBRUARY = "2026-02"


@pytest.fixture
def published(january_published: Path) -> Path:
    return january_published


def _sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _blocked(published: Path) -> list[str]:
    before = _sha(published)
    outcome = run_close(FEBRUARY)
    assert not outcome.published
    assert _sha(published) == before
    assert query(published, "select distinct strftime(month_date, '%Y-%m') "
                            "from marts.mart_task_progress") == [("2026-01",)]
    return outcome.reasons


def test_a_failing_export_expectation_blocks_before_dbt(published: Path, workspace: Path) -> None:
    tasks = workspace / "landing" / FEBRUARY / "nhiem_vu.csv"
    rows = tasks.read_text(encoding="utf-8").splitlines()
    # Line 2 (T03): due 28/02/2026 becomes a due date before its assignment on 10/01/2026.
    assert rows[1].startswith("T03,") and "10/01/2026,28/02/2026" in rows[1]
    rows[1] = rows[1].replace("10/01/2026,28/02/2026", "10/01/2026,09/01/2026")
    tasks.write_text("\n".join(rows) + "\n", encoding="utf-8")
    assert _blocked(published) == [
        "expectations nhiem_vu: rows "
        "expect_column_pair_values_a_to_be_greater_than_b(due_date, assigned_date) failed at "
        "nhiem_vu.csv line 2"
    ]
    # A blocked close keeps its results beside its build file, never over the published ones.
    stored = workspace / "warehouse" / "build" / "checks" / FEBRUARY / "nhiem_vu.json"
    assert '"passed": false' in stored.read_text(encoding="utf-8")
    # dbt never ran on the month: the blocking check stopped the run before it.
    assert not (workspace / "warehouse" / "build" / "checks" / FEBRUARY / "close.json").exists()
    assert not (workspace / "warehouse" / "checks" / FEBRUARY).exists()


def test_last_months_file_sent_again_is_blocked_by_the_close_suite(
    published: Path, workspace: Path,
) -> None:
    shutil.copyfile(FIXTURES / "landing_tasks" / "2026-01" / "nhiem_vu.csv",
                    workspace / "landing" / FEBRUARY / "nhiem_vu.csv")
    assert _blocked(published) == [
        "expectations close: volume "
        "expect_column_values_to_be_in_set(same_file_as_last_month) failed at nhiem_vu.csv"
    ]


def test_a_failing_dbt_test_blocks(published: Path, workspace: Path) -> None:
    # More land handed over than the project needs: extract and the suites let it through,
    # fct_clearance_progress's test does not.
    write_report_workbook(workspace / "landing" / FEBRUARY / "vuong_mac_du_an.xlsx", [
        ReportSheet(name="Vướng mắc", titles=["DANH MỤC VƯỚNG MẮC DỰ ÁN"],
                    headers=BOTTLENECK_HEADERS),
        ReportSheet(name="Tiến độ GPMB", titles=["TIẾN ĐỘ GPMB"], headers=CLEARANCE_HEADERS,
                    rows=[["DA001", 10000, 12000, 40, 35]]),
    ])
    # Both tests that judge the month's clearance fail: the fact's own, and numerator (land
    # handed over) <= denominator (land required) on the indicator records.
    assert _blocked(published) == [
        "dbt test expression_is_true_fct_clearance_progress_area_handed_over_m2_area_required_m2"
        ": fail",
        "dbt test expression_is_true_int_indicator_records_numerator_denominator_or_indicator_"
        "code_P1_5_: fail",
    ]


def test_a_check_that_raises_counts_as_failed(
    published: Path, workspace: Path, monkeypatch: pytest.MonkeyPatch,
) -> None:
    suites = workspace / "expectations"
    shutil.copytree(Path(__file__).parents[2] / "expectations", suites)
    # One expectation names a column that does not exist: Great Expectations raises inside it.
    text = (suites / "nhiem_vu.yml").read_text(encoding="utf-8")
    (suites / "nhiem_vu.yml").write_text(
        text.replace("column: task_id", "column: no_such_column", 1), encoding="utf-8")
    # One batch's query fails in DuckDB: the suite itself raises before validating anything.
    text = (suites / "giai_ngan_dtc.yml").read_text(encoding="utf-8")
    (suites / "giai_ngan_dtc.yml").write_text(
        text.replace("from raw.load_report", "from raw.no_such_table", 1), encoding="utf-8")
    monkeypatch.setenv("KPI_EXPECTATIONS_DIR", str(suites))
    reasons = _blocked(published)
    assert reasons[0] == (
        "expectations giai_ngan_dtc: the suite could not run "
        "(CatalogException: Catalog Error: Table with name no_such_table does not exist!)"
    )
    assert reasons[1] == (
        "expectations nhiem_vu: rows "
        "expect_column_values_to_not_be_null(no_such_column) raised an error"
    )
    assert len(reasons) == 2
