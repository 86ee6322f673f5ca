"""When the close runs by itself: on the 3rd of each month, and when a month's dumps are all in.

Both start the same `monthly_close` job as `kpi close`. A closed month is never closed again
by automation: the build asset refuses it without an explicit reopen.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from typing import TYPE_CHECKING

from dagster import (
    DefaultScheduleStatus,
    DefaultSensorStatus,
    RunRequest,
    ScheduleDefinition,
    SensorDefinition,
    SensorEvaluationContext,
    SkipReason,
    build_schedule_from_partitioned_job,
    sensor,
)

from orchestration import close_log, paths
from orchestration.contracts import load_contracts
from orchestration.partitions import monthly_partitions
from orchestration.warehouse import files

if TYPE_CHECKING:  # the job type is not exported by dagster's public API
    from dagster._core.definitions.unresolved_asset_job_definition import (
        UnresolvedAssetJobDefinition,
    )


def monthly_close_schedule(job: UnresolvedAssetJobDefinition) -> ScheduleDefinition:
    """The 3rd at 06:00 local time closes the month before: the systems' dumps land on the
    1st and 2nd."""
    return build_schedule_from_partitioned_job(
        job,
        name="monthly_close_on_the_3rd",
        description="Closes the previous month on the 3rd at 06:00 (Asia/Ho_Chi_Minh).",
        day_of_month=3,
        hour_of_day=6,
        default_status=DefaultScheduleStatus.RUNNING,
    )


def complete_months() -> dict[str, str]:
    """Months of the landing zone holding every export, with a fingerprint of their files."""
    needed = sorted({c.file for c in load_contracts().values()})
    keys = set(monthly_partitions.get_partition_keys())
    complete = {}
    for folder in sorted(paths.landing_dir().glob("*-*")):
        if folder.name not in keys or not all((folder / f).is_file() for f in needed):
            continue
        digest = hashlib.sha256()
        for name in needed:
            stat = (folder / name).stat()
            digest.update(f"{name}:{stat.st_size}:{stat.st_mtime_ns};".encode())
        complete[folder.name] = digest.hexdigest()[:16]
    return complete


def landing_sensor(job: UnresolvedAssetJobDefinition) -> SensorDefinition:
    @sensor(
        name="complete_landing_month",
        job=job,
        minimum_interval_seconds=300,
        description="Starts the close of a month when its landing folder holds every export "
        "and the month is not closed yet.",
        default_status=DefaultSensorStatus.STOPPED,
    )
    def _sensor(context: SensorEvaluationContext) -> Iterator[RunRequest | SkipReason]:
        published = files().published
        requested = False
        for month, fingerprint in complete_months().items():
            if close_log.last_close(published, month) is not None:
                continue
            requested = True
            # The same files never start two closes; changed files start a new one.
            yield RunRequest(partition_key=month, run_key=f"{month}:{fingerprint}")
        if not requested:
            yield SkipReason("no complete month waiting to be closed")

    return _sensor
