"""What follows the published file: each month's check results and leaders' report.

A publish moves the close's results into `warehouse/checks/` and writes the reports of the
months it changed; a rollback puts back the results and writes the reports again from the
restored file. Each writes down what it is doing first, so that whoever takes the warehouse
next finishes it if it was cut short."""

from __future__ import annotations

import json
import logging
from pathlib import Path
from typing import Any

from orchestration import close_log
from orchestration.checks.suites import promote_results, restore_results
from orchestration.warehouse import WarehouseFiles, check_previous, exclusive, restore_previous

log = logging.getLogger(__name__)


def _months_of(entry: dict[str, Any]) -> list[str]:
    """The month a close-log entry closed and the later months it derived again."""
    return [entry["month"], *entry["checks"].get("derived_again", [])]


def months_of_last_publish(published: Path) -> list[str]:
    logged = close_log.entries(published) if published.exists() else []
    return _months_of(logged[-1]) if logged else []


def _write_reports(published: Path, months: list[str]) -> None:
    from orchestration.report.build import reports_dir, write_report

    closed = {entry["month"] for entry in close_log.entries(published)}
    for month in months:
        if month in closed:
            try:
                write_report(published, month)
            except Exception:  # a report is not worth failing a recovery for; say it
                log.exception("the report of %s could not be written", month)
        else:
            # The month is no longer closed: a report of it would show figures nobody has.
            for path in reports_dir().glob(f"{month}.*"):
                path.unlink()


def expect_publish(target: WarehouseFiles, build: Path) -> None:
    """Before the renames: write down the close being published (its close-log entry in the
    build) and its months, so that whoever takes the warehouse next can tell whether it was
    published and, if so, bring its check results and reports."""
    last = close_log.entries(build)[-1]
    target.publish_marker.write_text(json.dumps({
        "month": last["month"], "closed_at": str(last["closed_at"]), "months": _months_of(last),
    }), encoding="utf-8")


def follow_publish(target: WarehouseFiles) -> None:
    """The check results and reports of a publish, unless its close never got that far; then
    the marker goes. Run after the report step of a close, and again by whoever takes the
    warehouse next if that close was cut short."""
    marker = json.loads(target.publish_marker.read_text(encoding="utf-8"))
    logged = close_log.entries(target.published) if target.published.exists() else []
    if logged and (logged[-1]["month"], str(logged[-1]["closed_at"])) == (
            marker["month"], marker["closed_at"]):
        for month in marker["months"]:
            promote_results(month)
        _write_reports(target.published, marker["months"])
    target.publish_marker.unlink()


def rollback(target: WarehouseFiles) -> list[str]:
    """Undo the last publish: its files, then its months' check results and reports. The
    months are written down first, so that a rollback cut short is finished by whoever takes
    the warehouse next. Returns the months it touched."""
    with exclusive(target):
        check_previous(target)
        months = months_of_last_publish(target.published)
        target.rollback_marker.write_text(json.dumps(months), encoding="utf-8")
        restore_previous(target)
        follow_rollback(target)
    return months


def follow_rollback(target: WarehouseFiles) -> None:
    """The check results and reports of the months a rollback undid."""
    if target.history_previous.exists():
        # Cut short before its first rename: nothing was undone.
        target.rollback_marker.unlink()
        return
    months = json.loads(target.rollback_marker.read_text(encoding="utf-8"))
    closed = {entry["month"] for entry in close_log.entries(target.published)}
    for month in months:
        restore_results(month, still_closed=month in closed)
    _write_reports(target.published, months)
    target.rollback_marker.unlink()
