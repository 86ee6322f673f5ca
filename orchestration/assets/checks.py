"""The gate: each export's suite checks what extract loaded, the close suite checks the marts.

Every check is blocking and scoped to the month being closed: a failure stops the assets
downstream of it in the same run, so dbt never reads a failed export and publish never runs
after a failed close suite. A check that raises is reported as failed, never as passed.
"""

import warnings

from dagster import (
    AssetCheckExecutionContext,
    AssetCheckResult,
    AssetChecksDefinition,
    AssetKey,
    MetadataValue,
    PreviewWarning,
    asset_check,
)

from orchestration import faults
from orchestration.checks.suites import load_suite, run_suite, save
from orchestration.contracts import load_contracts
from orchestration.partitions import monthly_partitions
from orchestration.resources import WarehouseResource
from orchestration.warehouse import connect

# The close suite hangs on the last mart, which is built after every other model.
CLOSE_SUITE_ASSET = AssetKey(["marts", "mart_leader_board"])


def evaluate(context: AssetCheckExecutionContext, warehouse: WarehouseResource,
             suite: str) -> AssetCheckResult:
    month = context.partition_key
    faults.pause_here(f"checks:{suite}")
    try:
        con = connect(warehouse.files().build, read_only=True)
        try:
            result = run_suite(con, suite, month)
        finally:
            con.close()
        path = save(result)
    except Exception as error:
        # A check that cannot run has not shown the month to be good.
        context.log.exception(f"suite {suite} raised")
        first_line = (str(error).strip().splitlines() or [""])[0]
        return AssetCheckResult(
            passed=False,
            description=f"{suite}: the suite could not run ({type(error).__name__}: "
            f"{first_line})",
            metadata={"raised": True},
        )
    for failure in result.failures:
        context.log.error(failure)
    return AssetCheckResult(
        passed=result.passed,
        description="; ".join(result.failures) or f"{suite}: {result.summary}",
        metadata={
            "suite": suite,
            "result": result.summary,
            "failures": MetadataValue.md("\n".join(f"- {f}" for f in result.failures) or "none"),
            "stored_at": str(path),
        },
    )


def build_check(suite: str, asset: AssetKey) -> AssetChecksDefinition:
    # Partitioned checks are a Dagster preview (1.13): the month scope is worth it, the warning
    # at every start is not.
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", PreviewWarning)
        return _build_check(suite, asset)


def _build_check(suite: str, asset: AssetKey) -> AssetChecksDefinition:
    @asset_check(
        asset=asset,
        name=f"expectations_{suite}",
        description=load_suite(suite).description,
        blocking=True,
        partitions_def=monthly_partitions,
    )
    def _check(context: AssetCheckExecutionContext,
               warehouse: WarehouseResource) -> AssetCheckResult:
        return evaluate(context, warehouse, suite)

    return _check


def expectation_checks() -> list[AssetChecksDefinition]:
    checks = [build_check(export, AssetKey(["raw", export])) for export in load_contracts()]
    return [*checks, build_check("close", CLOSE_SUITE_ASSET)]
