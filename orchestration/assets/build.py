"""The build file: every close starts by copying the published warehouse aside."""

from dagster import AssetExecutionContext, MaterializeResult, asset

from orchestration.partitions import monthly_partitions
from orchestration.resources import WarehouseResource
from orchestration.warehouse import prepare_build


@asset(
    key="warehouse_build",
    partitions_def=monthly_partitions,
    group_name="close",
    kinds={"duckdb"},
)
def warehouse_build(
    context: AssetExecutionContext, warehouse: WarehouseResource
) -> MaterializeResult:
    """A private copy of the published warehouse that this month's close writes into.

    Readers keep using the published file; nothing they can open changes until publish.
    """
    target = warehouse.files()
    path = prepare_build(target, context.partition_key)
    context.log.info(f"close of {context.partition_key} builds in {path}")
    return MaterializeResult(
        metadata={"build_file": str(path), "started_from_published": target.published.exists()}
    )
