"""Publish: the checked build replaces the published warehouse in one atomic step."""

import json
from pathlib import Path
from typing import Any

from dagster import AssetExecutionContext, MaterializeResult, MetadataValue, asset

from orchestration import close_log
from orchestration.assets.dbt import close_target_dir, kpi_dbt_assets, later_closed_months
from orchestration.checks.suites import promote_results, results_dir
from orchestration.follow import expect_publish
from orchestration.partitions import monthly_partitions
from orchestration.resources import WarehouseResource
from orchestration.warehouse import connect, publish


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
    target = warehouse.files()
    run_results = close_target_dir(warehouse) / "run_results.json"
    results = json.loads(run_results.read_text(encoding="utf-8"))
    statuses: dict[str, int] = {}
    for result in results.get("results", []):
        statuses[result["status"]] = statuses.get(result["status"], 0) + 1
    expectations = _expectations(context.partition_key)
    later = later_closed_months(target.build, context.partition_key)
    # The later months this close derived anew, with their suites run again on what they
    # became: a failure there is published, and said here, in the log and by `kpi close`.
    derived = {month: _expectations(month) for month in later}
    close_log.record(target.build, context.partition_key,
                     context.run.tags.get(close_log.REOPEN_TAG),
                     {"dbt_build": statuses, "expectations": expectations,
                      "derived_again": later, "derived_again_expectations": derived})
    summary = _summary(target.build, context.partition_key)
    # Cleared by the report step once results and reports are in place; a close cut short
    # before then has them brought by whoever takes the warehouse next.
    expect_publish(target, target.build)
    path = publish(target)
    for month in (context.partition_key, *later):
        promote_results(month)
    context.log.info(f"published {context.partition_key} to {path}")
    return MaterializeResult(metadata={
        "path": str(path), "bytes": path.stat().st_size, **summary,
        "dbt_build": ", ".join(f"{n} {k}" for k, n in sorted(statuses.items())),
        "expectations": MetadataValue.md(
            "\n".join(f"- {suite}: {result}" for suite, result in expectations.items())),
    })


def _expectations(month: str) -> dict[str, str]:
    """Each suite's summary for the month, from the results the close saved."""
    return {path.stem: json.loads(path.read_text(encoding="utf-8"))["summary"]
            for path in sorted(results_dir(month).glob("*.json"))}


def _summary(build: Path, month: str) -> dict[str, Any]:
    """What the close read and the red warnings it found: the UI tells how the close went."""
    con = connect(build, read_only=True)
    try:
        read, loaded, quarantined = con.execute(
            "select sum(rows_read), sum(rows_loaded), sum(rows_quarantined) "
            "from raw.load_report where _month = $m", {"m": f"{month}-01"}).fetchone()
        warnings = con.execute(
            "select warning_code, red_records, watch_records "
            "from marts.mart_red_warning_summary "
            "where entity_type = 'province' and month_date = $m order by red_records desc",
            {"m": f"{month}-01"}).fetchall()
    finally:
        con.close()
    table = "| warning | red | watch |\n|---|---|---|\n" + "\n".join(
        f"| {code} | {red} | {watch} |" for code, red, watch in warnings)
    return {"rows_read": int(read or 0), "rows_loaded": int(loaded or 0),
            "rows_quarantined": int(quarantined or 0), "red_warnings": MetadataValue.md(table)}
