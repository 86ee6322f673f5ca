"""The Dagster code location loads with every asset, partition and the close job."""

from __future__ import annotations

from dagster import AssetKey

from orchestration.contracts import load_contracts
from orchestration.definitions import defs


def test_definitions_hold_one_extract_asset_per_export_and_the_dbt_models() -> None:
    keys = set(defs.resolve_all_asset_keys())
    for export in load_contracts():
        assert AssetKey(["raw", export]) in keys
    for model in ("fct_task_snapshot", "mart_task_progress", "mart_red_warnings", "dim_unit"):
        assert AssetKey(["marts", model]) in keys
    assert {AssetKey("warehouse_build"), AssetKey("published_warehouse")} <= keys


def test_close_job_is_partitioned_by_month() -> None:
    job = defs.resolve_job_def("monthly_close")
    keys = job.partitions_def.get_partition_keys()
    assert keys[0] == "2024-01"
    assert "2026-06" in keys
