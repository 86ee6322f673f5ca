"""Report: the leaders' report of the month just published, HTML and PDF."""

from dagster import AssetExecutionContext, MaterializeResult, MetadataValue, asset

from orchestration.assets.dbt import later_closed_months
from orchestration.assets.publish import published_warehouse
from orchestration.partitions import monthly_partitions
from orchestration.report.build import write_report
from orchestration.resources import WarehouseResource


@asset(
    key="leaders_report",
    deps=[published_warehouse],
    partitions_def=monthly_partitions,
    group_name="close",
    kinds={"html", "pdf"},
)
def leaders_report(context: AssetExecutionContext, warehouse: WarehouseResource
                   ) -> MaterializeResult:
    """`warehouse/reports/YYYY-MM.html` and `.pdf`: what moves, what is slow, what is stuck,
    the eight red warnings, the leader board and every unit's indicators, in Vietnamese.

    Written from the published file, after publish: the month is closed even if this fails.
    """
    published = warehouse.files().published
    # Months this close derived again have new figures: their reports are written again too.
    for later in later_closed_months(published, context.partition_key):
        context.log.info(f"writing the report of {later} again")
        write_report(published, later)
    written = write_report(published, context.partition_key)
    # The publish is now whole: its results moved, its reports written.
    warehouse.files().publish_marker.unlink(missing_ok=True)
    if written.pdf is None:
        context.log.warning("chromium is not installed: the PDF was not printed")
    return MaterializeResult(metadata={
        "html": MetadataValue.path(str(written.html)),
        "pdf": MetadataValue.path(str(written.pdf)) if written.pdf else "not printed",
    })
