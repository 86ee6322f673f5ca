"""A whole close, Dagster + dbt + DuckDB for real, of two hand-written months.

Expected values are derived by hand in tests/fixtures/landing_tasks/README.md from the rules of
INDICATORS.md; nothing here was copied from the pipeline's output.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from orchestration.close import run_close
from tests.conftest import close_zone, query

# Its module fixture closes once: its tests stay on one test worker.
pytestmark = pytest.mark.xdist_group("tasks")

# task -> (class, days overdue) at each cut-off, from the README's derivation.
JANUARY = {
    "T01": ("done_on_time", 0), "T02": ("done_late", 0), "T03": ("on_track", 0),
    "T04": ("slow", 16), "T05": ("stuck", 62), "T06": ("on_track", 0),
    "T07": ("cancelled", 0), "T08": ("paused", 91), "T09": ("slow", 11),
    "T10": ("on_track", 0), "T11": ("on_track", 0), "T12": ("stuck", 31), "T13": ("slow", 30),
}
FEBRUARY = {
    "T03": ("done_on_time", 0), "T04": ("stuck", 44), "T05": ("done_late", 0),
    "T06": ("slow", 13), "T08": ("paused", 119), "T09": ("done_late", 0), "T10": ("slow", 28),
    "T11": ("done_on_time", 0), "T12": ("stuck", 59), "T13": ("stuck", 58),
    "T14": ("on_track", 0),
}
# entity -> (total, moving forward, done on time, done late, on track, slow, stuck, paused)
JANUARY_VIEW = {
    ("province", "province"): (12, 6, 1, 1, 4, 3, 2, 1),
    ("unit", "H10.01"): (4, 3, 1, 1, 1, 0, 1, 0),
    ("unit", "H10.02"): (4, 1, 0, 0, 1, 2, 0, 1),
    ("unit", "X01"): (4, 2, 0, 0, 2, 1, 1, 0),
    ("official", "CB001"): (3, 2, 1, 1, 0, 0, 1, 0),
    ("official", "CB002"): (3, 1, 0, 0, 1, 1, 0, 1),
    ("official", "CB003"): (3, 1, 0, 0, 1, 1, 1, 0),
    ("official", "CB004"): (2, 1, 0, 0, 1, 1, 0, 0),
}
FEBRUARY_VIEW = {
    ("province", "province"): (11, 5, 2, 2, 1, 2, 3, 1),
    ("unit", "H10.01"): (2, 0, 0, 0, 0, 1, 1, 0),
    ("unit", "H10.02"): (5, 2, 1, 0, 1, 0, 2, 1),
    ("unit", "X01"): (4, 3, 1, 2, 0, 1, 0, 0),
}
# (task, level, age in days, unit, official)
JANUARY_R1 = {
    ("T05", "red", 62, "X01", "CB003"), ("T12", "red", 31, "H10.01", "CB001"),
    ("T04", "watch", 16, "H10.02", "CB002"), ("T09", "watch", 11, "X01", "CB003"),
    ("T13", "watch", 30, "H10.02", "CB004"),
}
FEBRUARY_R1 = {
    ("T04", "red", 44, "H10.02", "CB002"), ("T12", "red", 59, "H10.01", "CB001"),
    ("T13", "red", 58, "H10.02", "CB004"), ("T06", "watch", 13, "X01", "CB003"),
    ("T10", "watch", 28, "H10.01", "CB004"),
}

VIEW_SQL = """
    select entity_type, entity_code, tasks_total, tasks_moving_forward, tasks_done_on_time,
        tasks_done_late, tasks_on_track, tasks_slow, tasks_stuck, tasks_paused
    from marts.mart_task_progress where month_date = $m
"""


@pytest.fixture(scope="module")
def closed_two_months(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Close January, then February, of the hand-written landing zone; return the warehouse."""
    return close_zone(tmp_path_factory.mktemp("close"), "landing_tasks", ["2026-01", "2026-02"])


@pytest.mark.parametrize(("month", "expected"), [("2026-01", JANUARY), ("2026-02", FEBRUARY)])
def test_each_task_gets_its_class_at_the_cut_off(
    closed_two_months: Path, month: str, expected: dict[str, tuple[str, int]]
) -> None:
    rows = query(closed_two_months,
                 "select task_id, task_class, days_overdue from marts.fct_task_snapshot "
                 "where month_date = $m", {"m": f"{month}-01"})
    assert {task: (cls, days) for task, cls, days in rows} == expected


def test_extension_replaces_the_deadline_and_late_edit_is_still_open(
    closed_two_months: Path,
) -> None:
    rows = query(closed_two_months,
                 "select task_id, effective_due_date, completed_date_at_cut_off, is_late_edit "
                 "from marts.fct_task_snapshot where month_date = '2026-01-01' "
                 "and task_id in ('T06', 'T09') order by task_id")
    # T06: due 10/12/2025, extended to 15/02/2026. T09: completion 03/02/2026 is after 31/01.
    assert rows == [
        ("T06", dt.date(2026, 2, 15), None, False),
        ("T09", dt.date(2026, 1, 20), None, True),
    ]


@pytest.mark.parametrize(("month", "expected"),
                         [("2026-01", JANUARY_VIEW), ("2026-02", FEBRUARY_VIEW)])
def test_task_view_counts_per_unit_official_and_province(
    closed_two_months: Path, month: str, expected: dict[tuple[str, str], tuple[int, ...]]
) -> None:
    rows = query(closed_two_months, VIEW_SQL, {"m": f"{month}-01"})
    view = {(kind, code): tuple(counts) for kind, code, *counts in rows}
    for entity, counts in expected.items():
        assert view[entity] == counts, entity
    # The province counts every task once: its totals equal the sum over units.
    units = [v for (kind, _), v in view.items() if kind == "unit"]
    assert tuple(map(sum, zip(*units, strict=True))) == view[("province", "province")]


@pytest.mark.parametrize(("month", "expected"), [("2026-01", JANUARY_R1), ("2026-02", FEBRUARY_R1)])
def test_r1_lists_the_overdue_tasks_with_their_source_rows(
    closed_two_months: Path, month: str, expected: set[tuple]
) -> None:
    rows = query(closed_two_months,
                 "select record_id, warning_level, age_days, unit_code, official_code, "
                 "source_file, source_line from marts.mart_red_warnings "
                 "where month_date = $m and warning_code = 'R1'", {"m": f"{month}-01"})
    assert {row[:5] for row in rows} == expected
    # Each record points back at its row of nhiem_vu.csv (T05's title spans two lines).
    for record_id, *_, source_file, source_line in rows:
        assert source_file == "nhiem_vu.csv"
        lines = _record_lines(closed_two_months.parent.parent / "landing" / month / source_file)
        assert lines[record_id] == source_line


def _record_lines(path: Path) -> dict[str, int]:
    """Line of each record as a spreadsheet numbers it: header = 1, one per record."""
    import csv

    with path.open(encoding="utf-8-sig", newline="") as handle:
        return {row[0]: number for number, row in enumerate(csv.reader(handle), start=1)}


def test_published_file_opens_read_only_and_months_are_kept(closed_two_months: Path) -> None:
    rows = query(closed_two_months,
                 "select strftime(month_date, '%Y-%m'), sum(tasks_total) "
                 "from marts.mart_task_progress where entity_type = 'province' "
                 "group by all order by 1")
    assert rows == [("2026-01", 12), ("2026-02", 11)]
    assert not (closed_two_months.parent / "kpi.duckdb.wal").exists()


def test_closing_a_month_again_gives_the_same_marts(
    closed_two_months: Path, monkeypatch: pytest.MonkeyPatch,
) -> None:
    before = query(closed_two_months, VIEW_SQL + " order by all", {"m": "2026-01-01"})
    root = closed_two_months.parent.parent
    monkeypatch.setenv("KPI_LANDING_DIR", str(root / "landing"))
    monkeypatch.setenv("KPI_WAREHOUSE_DIR", str(root / "warehouse"))
    monkeypatch.setenv("KPI_PII_SALT", "test-salt")
    assert run_close("2026-01", reopen_reason="test: closing twice").published
    assert query(closed_two_months, VIEW_SQL + " order by all", {"m": "2026-01-01"}) == before
    assert query(closed_two_months,
                 "select count(*) from marts.fct_task_snapshot where month_date = '2026-01-01'"
                 ) == [(13,)]
