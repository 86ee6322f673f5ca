"""Transform: the dbt project builds the star schema and the marts of the closed month."""

import os
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from dagster import AssetExecutionContext, BackfillPolicy
from dagster_dbt import DbtCliResource, DbtProject, dbt_assets

from orchestration.partitions import monthly_partitions
from orchestration.paths import DBT_PROJECT_DIR
from orchestration.resources import WarehouseResource
from orchestration.warehouse import connect
from orchestration.warehouse import files as warehouse_files

dbt_project = DbtProject(project_dir=DBT_PROJECT_DIR, profiles_dir=DBT_PROJECT_DIR)


def close_target_dir(warehouse: WarehouseResource | None = None) -> Path:
    """Where a close writes dbt's artifacts and reads what failed: beside its build file, so
    that two warehouses closing at once never share them."""
    files = warehouse.files() if warehouse else warehouse_files()
    return files.build.parent / "dbt"

# The dbt installed beside this interpreter, so the close works without an activated venv.
DBT_EXECUTABLE = str(Path(sys.executable).parent / "dbt")

# dbt's own log file keeps warnings and errors only: at debug level it wrote some 17 MB of JSON
# per province close and cost about 2 s. Every event still reaches Dagster and the close's log.
QUIET_FILE_LOG = ("--log-level-file", "warn")


def dbt_resource() -> DbtCliResource:
    return DbtCliResource(project_dir=dbt_project, dbt_executable=DBT_EXECUTABLE)

def ensure_manifest() -> None:
    """Parse the dbt project when its manifest is missing or older than any of its files."""
    manifest = dbt_project.manifest_path
    sources = [
        p for folder in ("models", "macros", "seeds", "tests")
        for p in (DBT_PROJECT_DIR / folder).rglob("*") if p.is_file()
    ] + [DBT_PROJECT_DIR / "dbt_project.yml"]
    newest = max(p.stat().st_mtime for p in sources)
    if manifest.exists() and manifest.stat().st_mtime >= newest:
        return
    dbt_resource().cli(["parse", "--quiet"], target_path=dbt_project.target_path).wait()

ensure_manifest()

@dbt_assets(
    manifest=dbt_project.manifest_path,
    partitions_def=monthly_partitions,
    # One month per run: incremental models replace exactly the month being closed.
    backfill_policy=BackfillPolicy.multi_run(1),
)
def kpi_dbt_assets(
    context: AssetExecutionContext, dbt: DbtCliResource, warehouse: WarehouseResource
) -> Iterator[Any]:
    """Staging, star schema and marts of the closed month, with every dbt test as a gate.

    Runs `dbt build` on the build file with KPI_CLOSE_MONTH set to the partition; a failing test
    fails this step, and publish never runs.
    """
    os.environ["KPI_BUILD_DB"] = str(warehouse.files().build)
    # The month goes by the environment, not --vars: a changed variable makes dbt parse the
    # whole project again, where the same variables let it reuse the last close's parse.
    os.environ["KPI_CLOSE_MONTH"] = context.partition_key
    # A stale result of an earlier close must never be read as this close's failures.
    target = close_target_dir(warehouse)
    (target / "run_results.json").unlink(missing_ok=True)
    yield from dbt.cli(["build", *QUIET_FILE_LOG], context=context, target_path=target).stream()
    # Months closed after this one compared themselves with what this close replaced: derive
    # them again, oldest first, so closing months in any order gives the same marts.
    try:
        for later in later_closed_months(warehouse.files().build, context.partition_key):
            context.log.info(f"deriving {later} again from its loaded exports")
            os.environ["KPI_CLOSE_MONTH"] = later
            # Its dbt tests gate as this month's do: a failure fails the step.
            dbt.cli(["build", *QUIET_FILE_LOG], manifest=dbt_project.manifest_path,
                    target_path=target / "later").wait()
            for failure in check_derived_month(warehouse.files().build, later):
                context.log.warning(f"{later}, derived again: {failure}")
    finally:
        os.environ["KPI_CLOSE_MONTH"] = context.partition_key


def check_derived_month(build: Path, month: str) -> list[str]:
    """Run every suite again on a later month this close derived anew, and keep the results
    with this close's. They are recorded, not blocking: a correction that spans months (May's
    year-to-date carried into June) can only be made one month after the other, and blocking
    the first would leave the second with no way in; the later month's own reopen is its gate.
    """
    from orchestration.checks.suites import run_suite, save, suite_names

    con = connect(build, read_only=True)
    try:
        results = [run_suite(con, suite, month) for suite in suite_names()]
    finally:
        con.close()
    for result in results:
        save(result)
    return [failure for result in results for failure in result.failures]


def later_closed_months(build: Path, month: str) -> list[str]:
    """Months after `month` that the warehouse has closed, oldest first."""
    con = connect(build, read_only=True)
    try:
        has_log = con.execute(
            "select count(*) from information_schema.tables "
            "where table_schema = 'marts' and table_name = 'close_log'"
        ).fetchone()[0]
        if not has_log:
            return []
        rows = con.execute(
            "select distinct strftime(month_date, '%Y-%m') from marts.close_log "
            "where month_date > $m order by 1",
            {"m": f"{month}-01"},
        ).fetchall()
    finally:
        con.close()
    return [row[0] for row in rows]
