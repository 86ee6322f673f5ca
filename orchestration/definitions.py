"""The Dagster code location of the monthly close: `dagster dev` and `kpi close` load this."""

from dagster import AssetSelection, Definitions, define_asset_job

from orchestration.assets.build import warehouse_build
from orchestration.assets.checks import expectation_checks
from orchestration.assets.dbt import dbt_resource, kpi_dbt_assets
from orchestration.assets.extract import extract_assets
from orchestration.assets.publish import published_warehouse
from orchestration.assets.report import leaders_report
from orchestration.automation import landing_sensor, monthly_close_schedule
from orchestration.partitions import monthly_partitions
from orchestration.resources import WarehouseResource

monthly_close = define_asset_job(
    "monthly_close",
    selection=AssetSelection.all(),
    partitions_def=monthly_partitions,
    description="Close one month: build aside, extract, transform and test, then publish.",
)

defs = Definitions(
    assets=[
        warehouse_build, *extract_assets(), kpi_dbt_assets, published_warehouse, leaders_report,
    ],
    asset_checks=expectation_checks(),
    jobs=[monthly_close],
    schedules=[monthly_close_schedule(monthly_close)],
    sensors=[landing_sensor(monthly_close)],
    resources={
        "warehouse": WarehouseResource(),
        "dbt": dbt_resource(),
    },
)
