"""A closed month changes only through an explicit reopen, which the close log records; a
rollback puts back the warehouse the last publish replaced."""

from __future__ import annotations

import hashlib
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from orchestration.cli import app
from orchestration.close import CloseError, run_close
from tests.conftest import FIXTURES, query

# Shares the session's closed warehouse: kept on one test worker.
pytestmark = pytest.mark.xdist_group("january")


@pytest.fixture
def closed_january(january_published: Path) -> Path:
    return january_published


def test_closing_a_closed_month_is_refused_without_a_reason(closed_january: Path) -> None:
    before = hashlib.sha256(closed_january.read_bytes()).hexdigest()
    with pytest.raises(CloseError, match=r"^2026-01 was closed on .*: reopen it with --reopen"):
        run_close("2026-01")
    assert hashlib.sha256(closed_january.read_bytes()).hexdigest() == before


def test_reopen_is_logged_with_its_reason_files_and_checks(closed_january: Path) -> None:
    previous = closed_january.read_bytes()
    check_dir = closed_january.parent / "checks" / "2026-01"
    report = closed_january.parent / "reports" / "2026-01.html"
    first_checks = check_dir.stat().st_ino
    # Through the `kpi` command itself, to the end of its process: it exits 0 with its summary
    # and writes nothing to stderr (no warning from a library at exit).
    done = subprocess.run(
        [sys.executable, "-m", "orchestration.cli", "close", "2026-01", "--reopen",
         "--reason", "corrected export of tasks"],
        capture_output=True, text=True, env={**os.environ, "COLUMNS": "200"}, timeout=600,
        check=False)
    assert (done.returncode, done.stderr) == (0, ""), done.stderr[-2000:]
    assert "Summary" in done.stdout and "2026-01" in done.stdout
    rows = query(closed_january,
                 "select strftime(month_date, '%Y-%m'), action, reason, catalogue_version, "
                 "files, checks from marts.close_log order by closed_at")
    assert [r[:4] for r in rows] == [
        ("2026-01", "close", None, "2026.1"),
        ("2026-01", "reopen", "corrected export of tasks", "2026.1"),
    ]
    files = {f["export"]: f for f in json.loads(rows[1][4])}
    assert len(files) == 14
    tasks = files["nhiem_vu"]
    expected_sha = hashlib.sha256(
        (FIXTURES / "landing_tasks" / "2026-01" / "nhiem_vu.csv").read_bytes()).hexdigest()
    assert (tasks["sha256"], tasks["rows_read"], tasks["rows_loaded"]) == (expected_sha, 13, 13)
    checks = json.loads(rows[1][5])
    dbt = checks["dbt_build"]
    assert dbt.get("fail", 0) == 0 and dbt.get("error", 0) == 0 and dbt["pass"] > 0
    # Each Great Expectations suite's result: fourteen exports and the close. The counts are
    # the number of expectations each suite file declares (nhiem_vu: 4 not-null, 1 unique,
    # 1 enum, 1 range, 3 date orders, 1 quarantine share).
    suites = checks["expectations"]
    assert len(suites) == 15
    assert suites["nhiem_vu"] == "11/11 passed"
    assert all(s.split("/")[0] == s.split("/")[1].split()[0] for s in suites.values())
    assert checks["derived_again"] == []

    runner = CliRunner()
    status = runner.invoke(app, ["status"], env={"COLUMNS": "250"})
    assert status.exit_code == 0, status.output
    assert "corrected export of tasks" in status.output and "reopen" in status.output
    assert "in 15 suites" in status.output

    # Rollback puts back, byte for byte, the file this reopen replaced, and the check results
    # of the first close; the report is written again from the restored file.
    assert check_dir.stat().st_ino != first_checks
    reopened_report = report.stat().st_mtime_ns
    done = runner.invoke(app, ["rollback"])
    assert done.exit_code == 0, done.output
    assert closed_january.read_bytes() == previous
    assert check_dir.stat().st_ino == first_checks
    assert report.stat().st_mtime_ns > reopened_report
    # Once: a second rollback finds nothing to go back to, and no file is left half-named.
    again = runner.invoke(app, ["rollback"])
    assert again.exit_code == 1
    assert "nothing to roll back to" in again.output
    assert not list(closed_january.parent.glob("*.staging"))


def test_reopen_needs_a_reason_on_the_command_line(closed_january: Path) -> None:
    done = CliRunner().invoke(app, ["close", "2026-01", "--reopen"])
    assert done.exit_code == 1
    assert "--reopen needs --reason" in done.output
