"""Publish: the checked build replaces the published warehouse in one atomic step."""

from dagster import AssetExecutionContext, MaterializeResult, asset

from orchestration.assets.dbt import kpi_dbt_assets
from orchestration.partitions import monthly_partitions
from orchestration.resources import WarehouseResource
from orchestration.warehouse import publish


@asset(
    key="published_warehouse",
    deps=[kpi_dbt_assets],
    partitions_def=monthly_partitions,
    group_name="close",
    kinds={"duckdb"},
)
def published_warehouse(
    context: AssetExecutionContext, warehouse: WarehouseResource
) -> MaterializeResult:
    """`warehouse/kpi.duckdb`, the file analysts and BI tools open read-only.

    Reached only when extract and every dbt model and test of the month succeeded.
    """
    path = publish(warehouse.files())
    context.log.info(f"published {context.partition_key} to {path}")
    return MaterializeResult(metadata={"path": str(path), "bytes": path.stat().st_size})
