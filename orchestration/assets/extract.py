"""Extract: one asset per export, reading the month's file through its contract into raw."""

from collections.abc import Sequence

from dagster import (
    AssetExecutionContext,
    AssetKey,
    AssetsDefinition,
    Failure,
    MaterializeResult,
    asset,
)

from orchestration import faults
from orchestration.contracts import REGISTER_EXPORTS, Contract, load_contracts
from orchestration.extract.load import ensure_raw_schema, load_export
from orchestration.partitions import monthly_partitions
from orchestration.resources import WarehouseResource
from orchestration.warehouse import connect, pii_salt


def _upstream(contract: Contract) -> list[AssetKey]:
    """The build file, and the staff register that names every unit and official."""
    register = list(REGISTER_EXPORTS)
    if contract.export in register:
        register = register[: register.index(contract.export)]
    return [AssetKey("warehouse_build"), *(AssetKey(["raw", e]) for e in register)]

def build_extract_asset(contract: Contract) -> AssetsDefinition:
    @asset(
        key=AssetKey(["raw", contract.export]),
        deps=_upstream(contract),
        partitions_def=monthly_partitions,
        group_name=f"extract_{contract.system}",
        description=f"{contract.description} Read from `{contract.source_name}`.",
        kinds={"duckdb", contract.format},
    )
    def _extract(context: AssetExecutionContext, warehouse: WarehouseResource) -> MaterializeResult:
        month = context.partition_key
        target = warehouse.files()
        con = connect(target.build)
        try:
            ensure_raw_schema(con, load_contracts())
            result = load_export(con, contract, warehouse.landing() / month, month, pii_salt())
            faults.pause_here("extract")
        except Exception as error:
            # An export this code cannot read must still give the operator one line, not a
            # traceback; the traceback stays in the run's log.
            context.log.exception(f"{contract.source_name}: extract failed")
            first_line = (str(error).strip().splitlines() or [""])[0]
            raise Failure(
                description=f"{contract.source_name}: could not be read "
                f"({type(error).__name__}: {first_line})",
                allow_retries=False,
            ) from error
        finally:
            con.close()
        metadata = {
            "file": contract.source_name,
            "file_sha256": result.file_sha256 or "",
            "rows_read": result.rows_read,
            "rows_loaded": result.rows_loaded,
            "rows_quarantined": result.rows_quarantined,
            "duplicates": result.duplicates,
            "extra_columns": result.extra_columns or "",
        }
        if result.status == "stopped":
            context.log.error(result.message)
            raise Failure(description=result.message, metadata={"file": contract.source_name},
                          allow_retries=False)
        context.log.info(
            f"{contract.source_name} {month}: read {result.rows_read}, "
            f"loaded {result.rows_loaded}, quarantined {result.rows_quarantined} "
            f"({result.duplicates} exact duplicates)"
        )
        if result.extra_columns:
            context.log.warning(
                f"{contract.source_name}: extra columns kept: {result.extra_columns}"
            )
        return MaterializeResult(metadata=metadata)

    return _extract

def extract_assets() -> Sequence[AssetsDefinition]:
    return [build_extract_asset(c) for c in load_contracts().values()]
