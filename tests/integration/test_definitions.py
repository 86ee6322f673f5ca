"""The Dagster code location loads with every asset, partition and the close job."""

from __future__ import annotations

import datetime as dt
import shutil
from pathlib import Path
from zoneinfo import ZoneInfo

from dagster import AssetKey, build_schedule_context, build_sensor_context, instance_for_test

from orchestration.contracts import load_contracts
from orchestration.definitions import defs
from tests.conftest import FIXTURES


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


def test_every_export_and_the_close_have_a_blocking_month_scoped_check() -> None:
    graph = defs.resolve_asset_graph()
    ours = {key for key in graph.asset_check_keys if key.name.startswith("expectations_")}
    assert {(k.asset_key.to_user_string(), k.name) for k in ours} == {
        *((f"raw/{e}", f"expectations_{e}") for e in load_contracts()),
        ("marts/mart_leader_board", "expectations_close"),
    }
    for key in ours:
        spec = graph.get_check_spec(key)
        assert spec.blocking and spec.partitions_def is not None


def test_the_schedule_closes_the_previous_month_on_the_3rd() -> None:
    schedule = defs.resolve_schedule_def("monthly_close_on_the_3rd")
    assert schedule.cron_schedule == "0 6 3 * *"
    assert schedule.execution_timezone == "Asia/Ho_Chi_Minh"
    context = build_schedule_context(
        scheduled_execution_time=dt.datetime(2026, 4, 3, 6, 0, tzinfo=ZoneInfo("Asia/Ho_Chi_Minh")))
    requests = list(schedule.evaluate_tick(context).run_requests or [])
    assert [r.partition_key for r in requests] == ["2026-03"]


def test_the_sensor_starts_a_close_when_a_month_is_complete(workspace: Path) -> None:
    sensor = defs.resolve_sensor_def("complete_landing_month")
    landing = workspace / "landing"
    shutil.copytree(FIXTURES / "landing_tasks" / "2026-01", landing / "2026-01")
    shutil.copytree(FIXTURES / "landing_tasks" / "2026-02", landing / "2026-02")
    (landing / "2026-02" / "don_thu.csv").unlink()  # February is not complete yet
    with instance_for_test() as instance:
        result = sensor.evaluate_tick(build_sensor_context(instance=instance, definitions=defs))
        assert [r.partition_key for r in result.run_requests] == ["2026-01"]
        first_key = result.run_requests[0].run_key
        # The same files give the same run key: Dagster never starts the same close twice.
        again = sensor.evaluate_tick(build_sensor_context(instance=instance, definitions=defs))
        assert again.run_requests[0].run_key == first_key
        shutil.copy(FIXTURES / "landing_tasks" / "2026-02" / "don_thu.csv", landing / "2026-02")
        both = sensor.evaluate_tick(build_sensor_context(instance=instance, definitions=defs))
        assert [r.partition_key for r in both.run_requests] == ["2026-01", "2026-02"]
