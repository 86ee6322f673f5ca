"""The suites under expectations/ stay in step with the contracts they guard."""

from __future__ import annotations

import duckdb
import pytest

from orchestration.checks.suites import _gx_suite, load_suite, parameters, run_suite, suite_names
from orchestration.contracts import load_contracts
from orchestration.extract.load import ensure_raw_schema


def test_every_export_has_a_suite_and_the_close_has_one() -> None:
    assert set(suite_names()) == {*load_contracts(), "close"}


@pytest.mark.parametrize("name", suite_names())
def test_every_expectation_exists_in_great_expectations(name: str) -> None:
    suite = load_suite(name)
    for batch in suite.batches:
        built = _gx_suite(suite, batch)
        assert [e.expectation_type for e in built.expectations] == [
            e.type for e in batch.expectations]


@pytest.mark.parametrize("export", list(load_contracts()))
def test_export_suite_covers_required_columns_keys_and_enums(export: str) -> None:
    contract = load_contracts()[export]
    rows = next(b for b in load_suite(export).batches if b.name == "rows")
    declared = {(e.type, e.target) for e in rows.expectations}
    for column in contract.columns:
        if column.required and column.stored_name:
            assert ("expect_column_values_to_not_be_null", column.stored_name) in declared
    if len(contract.key) == 1:
        assert ("expect_column_values_to_be_unique", contract.key[0]) in declared
    else:
        assert ("expect_compound_columns_to_be_unique", ", ".join(contract.key)) in declared
    for column in contract.columns:
        if column.type == "enum":
            expectation = next(e for e in rows.expectations
                               if e.type == "expect_column_values_to_be_in_set"
                               and e.target == column.field)
            assert sorted(expectation.kwargs["value_set"]) == sorted(set(column.values.values()))


def test_thresholds_come_from_the_settings() -> None:
    load = next(b for b in load_suite("nhiem_vu").batches if b.name == "load")
    assert load.expectations[0].kwargs["max_value"] == parameters()["max_quarantine_share"] == 0.05
    volume = next(b for b in load_suite("close").batches if b.name == "volume")
    band = volume.expectations[0].kwargs
    assert (band["min_value"], band["max_value"]) == (0.5, 2.0)


def _disbursement_month(con: duckdb.DuckDBPyConnection, month: str, in_month: float,
                        ytd: float) -> None:
    con.execute(
        "insert into raw.giai_ngan_dtc (_month, _file, _line, _file_sha256, _loaded_at, "
        "project_code, investor_unit_code, annual_plan, disbursed_in_month, disbursed_ytd) "
        "values ($m, 'giai_ngan_dtc.xlsx', 7, 'x', now(), 'DA01', 'S01', 1000, $i, $y)",
        {"m": f"{month}-01", "i": in_month, "y": ytd})
    con.execute(
        "insert into raw.load_report (_month, export, file, rows_read, rows_loaded, "
        "rows_quarantined, status) values ($m, 'giai_ngan_dtc', 'giai_ngan_dtc.xlsx', 1, 1, 0, "
        "'loaded')", {"m": f"{month}-01"})


def test_year_to_date_starts_again_in_january() -> None:
    """December's 900 is last year's: January's year to date is January's 40 alone, and a
    February that forgets January's 40 is caught."""
    con = duckdb.connect()
    ensure_raw_schema(con, load_contracts())
    _disbursement_month(con, "2025-12", 100, 900)
    _disbursement_month(con, "2026-01", 40, 40)
    _disbursement_month(con, "2026-02", 60, 60)
    january = run_suite(con, "giai_ngan_dtc", "2026-01")
    february = run_suite(con, "giai_ngan_dtc", "2026-02")
    assert january.passed, january.failures
    assert [f.split(" failed at ")[0] for f in february.failures] == [
        "giai_ngan_dtc: ytd expect_column_values_to_be_between(ytd_gap)"]
    assert february.failures[0].endswith("giai_ngan_dtc.xlsx line 7")
