"""Every indicator, red warning, score and grade of March 2026, against the hand derivation in
tests/fixtures/landing_kpi/README.md. The close runs for real: Dagster, dbt, DuckDB."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from orchestration.paths import DBT_PROJECT_DIR
from tests.conftest import query

# Shares the session's closed warehouse: kept on one test worker.
pytestmark = pytest.mark.xdist_group("kpi")

NA = None
# indicator -> entity -> (numerator, denominator, score), from the README's table.
MARCH_VALUES: dict[str, dict[str, tuple[float, float, float] | None]] = {
    "P1.1": {"S01": (0, 1, 0), "S02": (1, 3, 37.037037), "S03": (1, 1, 100),
             "X01": (0, 1, 0), "province": (2, 6, 37.037037)},
    "P1.2": {"S01": (0, 2, 100), "S02": (2, 2, 0), "S03": NA, "X01": (1, 1, 0),
             "province": (3, 5, 42.105263)},
    "P1.3": {"S01": (1, 2, 62.5), "S02": (0, 1, 0), "S03": NA, "X01": NA,
             "province": (1, 3, 41.666667)},
    "P1.4": {"S01": (0, 2, 0), "S02": (1, 1, 100), "S03": (1, 1, 100),
             "X01": (3, 4, 78.947368), "province": (5, 8, 65.789474)},
    "P1.5": {"S01": (100, 285, 35.087719), "S02": (0, 570, 0), "S03": NA,
             "X01": (210, 142.5, 100), "province": (310, 997.5, 31.077694)},
    "P2.1": {"S01": (1, 1, 100), "S02": (0, 1, 0), "S03": NA, "X01": (0, 1, 0),
             "province": (1, 3, 41.666667)},
    "P2.2": {"S01": (6000, 10000, 75), "S02": NA, "S03": NA, "X01": (5000.5, 5000.5, 100),
             "province": (11000.5, 15000.5, 91.667778)},
    "P2.3": {"S01": NA, "S02": NA, "S03": NA, "X01": (3, 4, 78.947368),
             "province": (3, 4, 78.947368)},
    "P2.4": {"S01": (1, 2, 55.555556), "S02": (0, 1, 0), "S03": (1, 1, 100),
             "X01": (1, 1, 100), "province": (3, 5, 66.666667)},
    "P2.5": {"S01": (0, 2, 0), "S02": (1, 1, 100), "S03": (1, 1, 100), "X01": (2, 4, 100),
             "province": (4, 8, 100)},
    "P3.1": {"S01": (1, 2, 52.631579), "S02": (0, 1, 0), "S03": (1, 1, 100),
             "X01": (0, 1, 0), "province": (2, 5, 42.105263)},
    "P3.2": {"S01": (1, 1, 100), "S02": (0, 1, 0), "S03": (1, 1, 100), "X01": (2, 2, 100),
             "province": (4, 5, 80)},
    "P3.3": {"S01": (1, 2, 55.555556), "S02": NA, "S03": NA, "X01": (1, 2, 55.555556),
             "province": (2, 4, 55.555556)},
    "P3.4": {"S01": (1, 1, 100), "S02": (0, 1, 0), "S03": (1, 1, 100), "X01": (1, 2, 50),
             "province": (3, 5, 60)},
    "P3.5": {"S01": (2, 2, 100), "S02": NA, "S03": NA, "X01": (0, 1, 0),
             "province": (2, 3, 66.666667)},
}
# entity -> (pillar 1, pillar 2, pillar 3, overall, grade before cap, grade, capped, reds)
MARCH_SCORES = {
    "S01": (39.517544, 57.638889, 81.637427, 53.377924, "completed", "completed", False, 1),
    "S02": (27.407407, 33.333333, 0, 23.703704, "not_completed", "not_completed", False, 4),
    "S03": (100, 100, 100, 100, "excellent", "good", True, 1),
    "X01": (44.736842, 75.789474, 41.111111, 53.327485, "completed", "completed", False, 5),
    "province": (43.535227, 75.789696, 60.865497, 56.677622, "completed", "completed", False,
                 11),
}
# (warning, level, record, unit, official, age in days)
MARCH_WARNINGS = {
    ("R1", "red", "A05", "S02", "CB02", 75), ("R1", "watch", "A06", "X01", "CB03", 11),
    ("R1", "watch", "A09", "S02", "CB02", 6),
    ("R2", "red", "D3", "S02", "CB02", 25), ("R2", "red", "D5", "S03", "CB07", 39),
    ("R3", "red", "DA02", "S02", None, 90),
    ("R4", "red", "B1", "X01", None, 16), ("R4", "watch", "B2", "X01", None, 0),
    ("R5", "red", "H2", "X01", "CB03", 11), ("R5", "watch", "H3", "X01", "CB04", 0),
    ("R6", "red", "H2", "X01", "CB03", 11), ("R6", "red", "H5", "S01", "CB01", 3),
    ("R7", "red", "P2", "X01", "CB03", 21), ("R7", "watch", "P3", "S02", "CB02", 0),
    ("R8", "red", "M2", "S02", "CB02", 21), ("R8", "red", "M3", "X01", "CB03", 11),
}
FEBRUARY_WARNINGS = {
    ("R1", "red", "A05", "S02", "CB02", 44), ("R2", "red", "D5", "S03", "CB07", 8),
    ("R3", "watch", "DA02", "S02", None, 59),
}
# unit -> (overall, rank, trend against February, red warnings, watch warnings)
MARCH_BOARD = {
    "S03": (100, 1, 100, 1, 0), "S01": (53.377924, 2, 27.062135, 1, 0),
    "X01": (53.327485, 3, -46.672515, 5, 3), "S02": (23.703704, 4, 23.703704, 4, 2),
}


@pytest.fixture(scope="module")
def warehouse(kpi_warehouse: Path) -> Path:
    return kpi_warehouse


@pytest.mark.parametrize("indicator", sorted(MARCH_VALUES))
def test_indicator_values_of_march(warehouse: Path, indicator: str) -> None:
    rows = query(warehouse,
                 "select entity_code, numerator, denominator, score, is_applicable "
                 "from marts.mart_indicator_values where month_date = '2026-03-01' "
                 "and indicator_code = $i and entity_type in ('unit', 'province')",
                 {"i": indicator})
    found = {code: row for code, *row in rows}
    for entity, expected in MARCH_VALUES[indicator].items():
        numerator, denominator, score, applicable = found[entity]
        if expected is None:
            assert (denominator, score, applicable) == (0, None, False), entity
            continue
        assert applicable, entity
        assert (numerator, denominator) == pytest.approx(expected[:2]), entity
        assert score == pytest.approx(expected[2], abs=1e-5), entity
    # The province sums the numerators and denominators of all rows: never an average.
    units = [row for code, row in found.items() if code != "province"]
    assert sum(r[0] for r in units) == pytest.approx(found["province"][0])
    assert sum(r[1] for r in units) == pytest.approx(found["province"][1])


def test_every_active_unit_has_every_indicator_and_the_dissolved_one_none(
    warehouse: Path,
) -> None:
    rows = query(warehouse,
                 "select entity_code, count(*) from marts.mart_indicator_values "
                 "where month_date = '2026-03-01' and entity_type = 'unit' group by all")
    assert dict(rows) == {"H10": 15, "S01": 15, "S02": 15, "S03": 15, "X01": 15}


@pytest.mark.parametrize("entity", sorted(MARCH_SCORES))
def test_pillar_scores_and_grades_of_march(warehouse: Path, entity: str) -> None:
    row = query(warehouse,
                "select pillar_1_score, pillar_2_score, pillar_3_score, overall_score, "
                "grade_before_cap, grade_code, is_capped_by_red_warning, red_warnings "
                "from marts.mart_pillar_scores where month_date = '2026-03-01' "
                "and entity_code = $e and entity_type != 'official'", {"e": entity})[0]
    expected = MARCH_SCORES[entity]
    assert row[:4] == pytest.approx(expected[:4], abs=1e-5)
    assert row[4:] == expected[4:]


def test_grade_names_and_the_explanation_of_a_score(warehouse: Path) -> None:
    rows = query(warehouse,
                 "select entity_code, grade_name_vi, indicators_used, indicators_not_applicable "
                 "from marts.mart_pillar_scores where month_date = '2026-03-01' "
                 "and entity_code in ('S03', 'H10') order by 1")
    assert rows == [
        ("H10", None, None,
         "P1.1, P1.2, P1.3, P1.4, P1.5, P2.1, P2.2, P2.3, P2.4, P2.5, P3.1, P3.2, P3.3, P3.4, "
         "P3.5"),
        ("S03", "Hoàn thành tốt nhiệm vụ", "P1.1, P1.4, P2.4, P2.5, P3.1, P3.2, P3.4",
         "P1.2, P1.3, P1.5, P2.1, P2.2, P2.3, P3.3, P3.5"),
    ]


def test_an_official_is_scored_on_the_records_naming_them(warehouse: Path) -> None:
    row = query(warehouse,
                "select pillar_1_score, pillar_2_score, pillar_3_score, overall_score, "
                "grade_code, red_warnings from marts.mart_pillar_scores "
                "where month_date = '2026-03-01' and entity_type = 'official' "
                "and entity_code = 'CB01'")[0]
    assert row[:4] == pytest.approx((33.333333, 27.777778, 100, 45), abs=1e-5)
    assert row[4:] == ("not_completed", 1)
    # Named on ten indicators' records; the other five are listed as not applicable.
    assert query(warehouse,
                 "select indicators_not_applicable from marts.mart_pillar_scores "
                 "where month_date = '2026-03-01' and entity_code = 'CB01'") == [
        ("P1.1, P1.5, P2.1, P2.2, P2.3",)]


@pytest.mark.parametrize(("month", "expected"),
                         [("2026-02", FEBRUARY_WARNINGS), ("2026-03", MARCH_WARNINGS)])
def test_red_warnings_and_their_records(warehouse: Path, month: str, expected: set) -> None:
    rows = query(warehouse,
                 "select warning_code, warning_level, record_id, unit_code, official_code, "
                 "age_days from marts.mart_red_warnings where month_date = $m",
                 {"m": f"{month}-01"})
    assert set(rows) == expected
    assert len(rows) == len(expected)


def test_warnings_point_at_their_source_rows(warehouse: Path) -> None:
    # D5's latest round is in February's export (line 5), D3's in March's (line 5); H5 is
    # line 6 of March's dossiers.
    rows = query(warehouse,
                 "select record_id, source_file, source_line from marts.mart_red_warnings "
                 "where month_date = '2026-03-01' and record_id in ('D3', 'D5', 'H5') "
                 "order by 1")
    assert rows == [("D3", "2026-03/tham_muu.csv", 5), ("D5", "2026-02/tham_muu.csv", 5),
                    ("H5", "ho_so_tthc.csv", 6)]


def test_red_warning_summary_counts_and_change_from_last_month(warehouse: Path) -> None:
    rows = query(warehouse,
                 "select warning_code, red_records, watch_records, red_change, watch_change "
                 "from marts.mart_red_warning_summary where month_date = '2026-03-01' "
                 "and entity_type = 'province' order by 1")
    # February had R1 1 red, R2 1 red and R3 1 watch.
    assert rows == [
        ("R1", 1, 2, 0, 2), ("R2", 2, 0, 1, 0), ("R3", 1, 0, 1, -1), ("R4", 1, 1, 1, 1),
        ("R5", 1, 1, 1, 1), ("R6", 2, 0, 2, 0), ("R7", 1, 1, 1, 1), ("R8", 2, 0, 2, 0),
    ]


def test_leader_board_ranks_units_with_their_trend(warehouse: Path) -> None:
    rows = query(warehouse,
                 "select unit_code, overall_score, overall_rank, trend_vs_previous_3, "
                 "red_warnings, watch_warnings from marts.mart_leader_board "
                 "where month_date = '2026-03-01' and overall_score is not null")
    board = {code: row for code, *row in rows}
    assert set(board) == set(MARCH_BOARD)
    for unit, expected in MARCH_BOARD.items():
        overall, rank, trend, reds, watches = board[unit]
        assert (overall, trend) == pytest.approx((expected[0], expected[2]), abs=1e-5)
        assert (rank, reds, watches) == (expected[1], expected[3], expected[4])


def test_disbursement_reconciles_year_to_date(warehouse: Path) -> None:
    rows = query(warehouse,
                 "select project_code, previous_ytd_mvnd, is_ytd_reconciled, "
                 "disbursed_in_quarter_mvnd from marts.fct_disbursement "
                 "where month_date = '2026-03-01' order by 1")
    assert [(p, float(prev), ok, float(q)) for p, prev, ok, q in rows] == [
        ("DA01", 100.0, True, 100.0), ("DA02", 0.0, True, 0.0),
        ("DA03", 150.0, True, 210.0), ("DA04", 0.0, True, 0.0),
    ]


def test_a_fact_takes_the_posting_valid_on_its_date(warehouse: Path) -> None:
    # CB05 moved from S01 to S02 on 15/03: at the March cut-off the posting is S02's, while
    # the task still counts for S01, the unit its row names.
    rows = query(warehouse,
                 "select facts.unit_code, postings.unit_code from marts.fct_task_snapshot as "
                 "facts join marts.dim_official as postings using (official_posting_key) "
                 "where facts.task_id = 'A03'")
    assert rows == [("S01", "S02")]


def test_a_merged_unit_rolls_up_to_its_successor(warehouse: Path) -> None:
    assert query(warehouse,
                 "select unit_code, is_dissolved, rollup_unit_code from marts.dim_unit "
                 "where unit_code in ('X01', 'X02') order by 1") == [
        ("X01", False, "X01"), ("X02", True, "X01"),
    ]


def test_changing_a_target_in_the_catalogue_changes_scores_only(
    warehouse: Path, tmp_path: Path,
) -> None:
    """P1.1's target from 0.90 to 0.45: S02's 1/3 scores 100 x min(1, 0.333333 / 0.45) =
    74.074074 instead of 37.037037; numerators, denominators and warnings stay as they were."""
    project = tmp_path / "dbt_project"
    shutil.copytree(DBT_PROJECT_DIR, project, ignore=shutil.ignore_patterns("target", "logs"))
    seed = project / "seeds" / "indicator_catalogue.csv"
    seed.write_text(seed.read_text(encoding="utf-8").replace(
        ",higher,0.90,1,nhiem_vu", ",higher,0.45,1,nhiem_vu"), encoding="utf-8")
    build = tmp_path / "copy.duckdb"
    shutil.copyfile(warehouse.with_name("history.duckdb"), build)
    done = subprocess.run(
        [str(Path(sys.executable).parent / "dbt"), "build", "--vars",
         '{"close_month": "2026-03"}', "--project-dir", str(project),
         "--profiles-dir", str(project), "--quiet"],
        env={**os.environ, "KPI_BUILD_DB": str(build)},
        capture_output=True, text=True, check=False, timeout=600,
    )
    assert done.returncode == 0, done.stdout[-2000:]
    sql = ("select entity_code, numerator, denominator, score from marts.mart_indicator_values "
           "where month_date = '2026-03-01' and indicator_code = 'P1.1' "
           "and entity_type = 'unit' order by 1")
    before, after = query(warehouse, sql), query(build, sql)
    assert [r[:3] for r in after] == [r[:3] for r in before]
    assert {r[0]: r[3] for r in after}["S02"] == pytest.approx(74.074074, abs=1e-5)
    warnings = "select count(*) from marts.mart_red_warnings"
    assert query(build, warnings) == query(warehouse, warnings)
