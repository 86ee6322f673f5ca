"""Run the monthly close in process and tell what happened, in a few lines a person can read."""

from __future__ import annotations

import contextlib
import json
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import duckdb
from dagster import DagsterEventType, DagsterInstance

from orchestration import close_log, paths
from orchestration.contracts import load_contracts
from orchestration.warehouse import WarehouseBusy, exclusive, files

MONTH = re.compile(r"^\d{4}-(0[1-9]|1[0-2])$")


class CloseError(Exception):
    """A close that cannot start: the message is one line for the operator."""


@dataclass
class CloseOutcome:
    month: str
    published: bool
    reasons: list[str] = field(default_factory=list)
    load_report: list[dict[str, Any]] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    # When each step of the run started and ended (epoch seconds), by Dagster step key: the
    # benchmark groups them into stages and reads their memory from the same spans.
    steps: dict[str, tuple[float, float]] = field(default_factory=dict)

    @property
    def reason(self) -> str:
        return "; ".join(self.reasons)


def months_between(first: str, last: str) -> list[str]:
    for month in (first, last):
        if not MONTH.match(month):
            raise CloseError(f"'{month}' is not a month: write YYYY-MM, e.g. 2026-03")
    year, month = map(int, first.split("-"))
    out = []
    while f"{year:04d}-{month:02d}" <= last:
        out.append(f"{year:04d}-{month:02d}")
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    if not out:
        raise CloseError(f"--from {first} comes after --to {last}")
    return out


def _dbt_failures() -> list[str]:
    """Failing dbt tests and models of the last dbt invocation, from its run results."""
    from orchestration.assets.dbt import close_target_dir

    results = close_target_dir() / "run_results.json"
    if not results.exists():
        return []
    data = json.loads(results.read_text(encoding="utf-8"))
    failures = []
    for result in data.get("results", []):
        if result.get("status") in ("fail", "error"):
            kind, _, name = result["unique_id"].split(".")[:3]
            failures.append(f"dbt {kind} {name}: {result['status']}")
    return failures


def _dbt_error_line(text: str) -> str:
    """The line of a dbt failure that says what is wrong, not where Python was."""
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    for index, line in enumerate(lines):
        if line.startswith(("Compilation Error", "Parsing Error", "Runtime Error")):
            return " ".join(lines[index:index + 2])
    return lines[-1] if lines else "no message"


def _read(path: Path) -> str:
    return path.read_text(encoding="utf-8", errors="replace") if path.exists() else ""


def _load_report(path: Path, month: str) -> list[dict[str, Any]]:
    if not path.exists():
        return []
    con = duckdb.connect(str(path), read_only=True)
    try:
        exists = con.execute(
            "select count(*) from information_schema.tables "
            "where table_schema = 'raw' and table_name = 'load_report'"
        ).fetchone()[0]
        if not exists:
            return []
        cursor = con.execute(
            "select export, file, rows_read, rows_loaded, rows_quarantined, duplicates, "
            "extra_columns, status, message, rows_after_cut_off "
            "from raw.load_report where _month = $m order by export",
            {"m": f"{month}-01"},
        )
        names = [d[0] for d in cursor.description]
        return [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]
    finally:
        con.close()


def _step_spans(instance: DagsterInstance, run_id: str) -> dict[str, tuple[float, float]]:
    """Start and end of each step, from the run's event log (events carry no time themselves)."""
    started: dict[str, float] = {}
    spans: dict[str, tuple[float, float]] = {}
    for entry in instance.all_logs(run_id):
        event = entry.dagster_event
        if event is None or event.step_key is None:
            continue
        if event.event_type == DagsterEventType.STEP_START:
            started[event.step_key] = entry.timestamp
        elif event.event_type in (DagsterEventType.STEP_SUCCESS, DagsterEventType.STEP_FAILURE):
            spans[event.step_key] = (started.get(event.step_key, entry.timestamp),
                                     entry.timestamp)
    return spans


def _derived_again_notes(published: Path, month: str) -> list[str]:
    """A line for each later month that this close derived anew and whose suites now fail."""
    from orchestration.checks.suites import published_results_dir

    logged = [e for e in close_log.entries(published) if e["month"] == month]
    notes = []
    for later in logged[-1]["checks"].get("derived_again", []) if logged else []:
        failures = [
            failure
            for path in sorted(published_results_dir(later).glob("*.json"))
            for failure in json.loads(path.read_text(encoding="utf-8"))["failures"]
        ]
        if failures:
            notes.append(f"{later}, derived again from its loaded exports, now fails "
                         f"{'; '.join(failures)}: correct its exports and reopen it")
    return notes


def run_close(month: str, verbose: bool = False, reopen_reason: str | None = None
              ) -> CloseOutcome:
    """Close one month: the `monthly_close` job of the code location, run in this process."""
    try:
        from orchestration.definitions import defs  # loading it parses the dbt project
    except Exception as error:
        reason = _dbt_error_line(str(error))
        raise CloseError(f"the dbt project does not parse: {reason}") from error

    if not MONTH.match(month):
        raise CloseError(f"'{month}' is not a month: write YYYY-MM, e.g. 2026-03")
    landing = paths.landing_dir() / month
    if not landing.is_dir():
        raise CloseError(f"no landing folder for {month}: {landing} does not exist")
    job = defs.resolve_job_def("monthly_close")
    keys = job.partitions_def.get_partition_keys()
    if month < keys[0]:
        raise CloseError(f"{month} is before {keys[0]}, the first month this warehouse holds")
    if month not in keys:
        raise CloseError(f"{month} cannot be closed yet: the month has not ended")
    target = files()
    try:
        # Taking the warehouse finishes a publish that a killed close left half done, so the
        # question below is asked of what is really closed.
        with exclusive(target):
            pass
    except WarehouseBusy as busy:
        raise CloseError(str(busy)) from None
    closed_at = close_log.last_close(target.published, month)
    if closed_at is not None and not reopen_reason:
        raise CloseError(f"{month} was closed on {closed_at:%d/%m/%Y %H:%M}: reopen it with "
                         f"--reopen --reason \"...\"")
    # Every missing file at once, rather than one per attempt.
    missing = sorted({c.file for c in load_contracts().values()
                      if not (landing / c.file).exists()})
    if missing:
        raise CloseError(f"{month}/ lacks {', '.join(missing)}: the close needs every export")
    level = "INFO" if verbose else "CRITICAL"
    target.build.parent.mkdir(parents=True, exist_ok=True)
    log_path = target.build.parent / f"close-{month}.log"
    # dbt's own output goes to the close's log file unless the operator asked to see it.
    instance = DagsterInstance.ephemeral()
    with contextlib.ExitStack() as held:
        try:
            held.enter_context(exclusive(target))
        except WarehouseBusy as busy:
            raise CloseError(str(busy)) from None
        log = held.enter_context(log_path.open("w", encoding="utf-8"))
        if not verbose:
            held.enter_context(contextlib.redirect_stdout(log))
        result = job.execute_in_process(
            partition_key=month,
            instance=instance,
            raise_on_error=False,
            tags={close_log.REOPEN_TAG: reopen_reason} if reopen_reason else None,
            run_config={"loggers": {"console": {"config": {"log_level": level}}}},
        )
    # Published once the publish step succeeded: the report after it cannot un-close a month.
    published = any(
        event.event_type == DagsterEventType.ASSET_MATERIALIZATION
        and event.asset_key is not None
        and event.asset_key.to_user_string() == "published_warehouse"
        for event in result.all_events
    )
    outcome = CloseOutcome(month=month, published=published,
                           steps=_step_spans(instance, result.run_id))
    outcome.load_report = _load_report(target.history if published else target.build, month)
    if published:
        outcome.notes += _derived_again_notes(target.published, month)
    if result.success:
        return outcome
    if published:
        outcome.notes.append("the leaders' report could not be written: see the close's log")
        return outcome
    for row in outcome.load_report:
        if row["status"] == "stopped":
            outcome.reasons.append(row["message"])
    failed_check_steps = set()
    for event in result.all_events:
        if event.event_type == DagsterEventType.ASSET_CHECK_EVALUATION:
            evaluation = event.event_specific_data
            if not evaluation.passed:
                failed_check_steps.add(event.step_key)
                # Our suites describe their failures; dbt's tests arrive as bare checks.
                outcome.reasons.append(
                    f"expectations {evaluation.description}"
                    if evaluation.check_name.startswith("expectations_")
                    else f"dbt test {evaluation.check_name}: fail")
    for event in result.all_events:
        if event.event_type != DagsterEventType.STEP_FAILURE:
            continue
        data = event.step_failure_data
        if event.step_key in failed_check_steps:
            continue  # already said, by the check's own evaluation
        if event.step_key == "kpi_dbt_assets":
            outcome.reasons += _dbt_failures() or [
                f"dbt build failed: {_dbt_error_line(_read(log_path))}"
            ]
        elif data.user_failure_data is not None:
            message = data.user_failure_data.description or ""
            if message and message not in outcome.reasons:
                outcome.reasons.append(message)
        else:
            # The cause says what went wrong; the outer error only that a step failed.
            error = data.error.cause or data.error if data.error else None
            message = error.message.strip().splitlines()[0] if error else "failed"
            outcome.reasons.append(f"{event.step_key}: {message}")
    if not outcome.reasons:
        outcome.reasons.append("the close did not complete")
    # One workbook feeds two exports: say each problem once.
    outcome.reasons = list(dict.fromkeys(outcome.reasons))
    return outcome
