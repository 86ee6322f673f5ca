"""The build file: every close starts by copying the warehouse's history aside."""

import shutil

from dagster import AssetExecutionContext, Failure, MaterializeResult, asset

from orchestration import close_log
from orchestration.checks.suites import results_dir
from orchestration.partitions import monthly_partitions
from orchestration.resources import WarehouseResource
from orchestration.warehouse import WarehouseBusy, ensure_not_busy, prepare_build


@asset(
    key="warehouse_build",
    partitions_def=monthly_partitions,
    group_name="close",
    kinds={"duckdb"},
)
def warehouse_build(
    context: AssetExecutionContext, warehouse: WarehouseResource
) -> MaterializeResult:
    """A private copy of the warehouse's history that this month's close writes into.

    Readers keep using the published file; nothing they can open changes until publish.
    """
    target = warehouse.files()
    month = context.partition_key
    try:
        # Also finishes a publish that a killed close left half done.
        ensure_not_busy(target)
    except WarehouseBusy as busy:
        raise Failure(description=str(busy), allow_retries=False) from None
    closed_at = close_log.last_close(target.published, month)
    if closed_at is not None and not context.run.tags.get(close_log.REOPEN_TAG):
        # A closed month changes only through an explicit reopen, which the log records.
        raise Failure(
            description=f"{month} was closed on {closed_at:%d/%m/%Y %H:%M}: reopen it with "
            f"--reopen --reason \"...\"",
            allow_retries=False,
        )
    path = prepare_build(target, month)
    # Check results of an earlier attempt must never be logged as this close's.
    shutil.rmtree(results_dir(month), ignore_errors=True)
    context.log.info(f"close of {context.partition_key} builds in {path}")
    return MaterializeResult(
        metadata={"build_file": str(path), "started_from_history": target.history.exists()}
    )
