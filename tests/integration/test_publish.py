"""Write, audit, publish: a close that fails or is killed leaves the published file as it was."""

from __future__ import annotations

import hashlib
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from orchestration.close import run_close
from tests.conftest import query

# Shares the session's closed warehouse: kept on one test worker.
pytestmark = pytest.mark.xdist_group("january")


def _sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _kpi(*args: str) -> list[str]:
    return [sys.executable, "-m", "orchestration.cli", *args]


def test_blocked_close_exits_non_zero_with_one_line_and_leaves_the_file_untouched(
    january_published: Path, workspace: Path,
) -> None:
    path = workspace / "landing" / "2026-02" / "van_ban_den.csv"
    path.write_text(path.read_text(encoding="utf-8").replace("Hạn trả lời,", "Hạn trả lời mới,"),
                    encoding="utf-8")
    before = _sha(january_published)
    done = subprocess.run(_kpi("close", "2026-02"), capture_output=True, text=True,
                          env=os.environ.copy(), timeout=600, check=False)
    assert done.returncode == 1
    assert done.stderr.strip().splitlines() == [
        "error: close of 2026-02 blocked: van_ban_den.csv: missing header(s) 'Hạn trả lời' "
        "(found instead: 'Hạn trả lời mới')"
    ]
    assert "Traceback" not in done.stdout + done.stderr
    assert _sha(january_published) == before
    assert query(january_published,
                 "select distinct month_date::varchar from marts.mart_task_progress"
                 ) == [("2026-01-01",)]


def _kill_close_at(point: str, workspace: Path, command: tuple[str, ...] = ("close", "2026-02")
                   ) -> None:
    """Start `kpi close 2026-02` (or another `kpi` command) in its own process group, wait until
    it reaches `point`, and kill it and everything it started (dbt included) with SIGKILL."""
    marker = workspace / "paused"
    marker.unlink(missing_ok=True)
    log = workspace / "warehouse" / "build" / "close-2026-02.log"
    log.unlink(missing_ok=True)
    env = {**os.environ, "KPI_PAUSE_AT": point, "KPI_PAUSE_MARKER": str(marker)}
    process = subprocess.Popen(_kpi(*command), env=env, stdout=subprocess.DEVNULL,
                               stderr=subprocess.DEVNULL, start_new_session=True)

    def reached() -> bool:
        if point == "dbt":  # dbt runs in a subprocess: its log says when it is building
            return log.exists() and " START " in log.read_text(encoding="utf-8",
                                                               errors="replace")
        return marker.exists()

    try:
        deadline = time.monotonic() + 300
        while not reached():
            if process.poll() is not None:
                pytest.fail(f"the close ended before reaching {point}")
            if time.monotonic() > deadline:
                pytest.fail(f"the close never reached {point}")
            time.sleep(0.1)
        os.killpg(process.pid, signal.SIGKILL)
        process.wait(timeout=60)
    finally:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGKILL)


def _months(path: Path) -> list[tuple[str]]:
    return query(path, "select distinct strftime(month_date, '%Y-%m') "
                       "from marts.fct_task_snapshot order by 1")


def test_a_close_killed_at_any_step_leaves_the_old_or_the_new_warehouse(
    january_published: Path, workspace: Path,
) -> None:
    from orchestration.warehouse import exclusive, files

    history = workspace / "warehouse" / "history.duckdb"
    before, history_before = _sha(january_published), _sha(history)
    wal = january_published.with_name("kpi.duckdb.wal")
    # Killed before the publish: both files are the old ones, byte for byte.
    for point in ("extract", "dbt", "checks:close"):
        _kill_close_at(point, workspace)
        assert (_sha(january_published), _sha(history)) == (before, history_before), point
        assert not wal.exists(), point
        assert _months(january_published) == [("2026-01",)], point
    # Killed between the history's rename and the published file's: readers still see the old
    # month, and whoever takes the warehouse next (a close, a rollback) finishes the publish.
    _kill_close_at("publish", workspace)
    assert _sha(january_published) == before
    assert _months(history) == [("2026-01",), ("2026-02",)]
    checks, reports = workspace / "warehouse" / "checks", workspace / "warehouse" / "reports"
    assert not (checks / "2026-02").exists() and not (reports / "2026-02.html").exists()
    with exclusive(files()):
        assert _months(january_published) == [("2026-01",), ("2026-02",)]
        # The finished publish brings its check results and its report with it.
        assert len(list((checks / "2026-02").glob("*.json"))) == 15
        assert (reports / "2026-02.html").exists()
    assert _sha(workspace / "warehouse" / "kpi.previous.duckdb") == before
    # A rollback killed between its two renames: the history is back, the published file not
    # yet; whoever takes the warehouse next finishes the rollback.
    _kill_close_at("rollback", workspace, ("rollback",))
    assert _sha(history) == history_before
    assert _months(january_published) == [("2026-01",), ("2026-02",)]
    with exclusive(files()):
        assert (_sha(january_published), _sha(history)) == (before, history_before)
        # February is no longer closed: its check results and report go with it.
        assert not (checks / "2026-02").exists() and not (reports / "2026-02.html").exists()
    # The rollback undid the publish once: nothing is left to roll back to.
    for name in ("kpi.previous.duckdb", "history.previous.duckdb"):
        assert not (workspace / "warehouse" / name).exists()
    done = subprocess.run(_kpi("rollback"), capture_output=True, text=True,
                          env=os.environ.copy(), check=False)
    assert done.returncode == 1
    assert done.stderr.strip().endswith("history.previous.duckdb does not exist: nothing to "
                                        "roll back to"), done.stderr
    # Killed just after the last rename: the new one, complete, with its close logged.
    _kill_close_at("published", workspace)
    assert not wal.exists()
    assert _months(january_published) == [("2026-01",), ("2026-02",)]
    assert query(january_published,
                 "select strftime(month_date, '%Y-%m') from marts.close_log order by 1"
                 ) == [("2026-01",), ("2026-02",)]
    assert _sha(workspace / "warehouse" / "kpi.previous.duckdb") == before
    assert _sha(workspace / "warehouse" / "history.previous.duckdb") == history_before
    # Killed before its check results moved and its report was written: the next to take the
    # warehouse brings them.
    assert not (checks / "2026-02").exists()
    with exclusive(files()):
        assert len(list((checks / "2026-02").glob("*.json"))) == 15
        assert (reports / "2026-02.html").exists()
    assert not (workspace / "warehouse" / "build" / "publish.json").exists()
    # A close killed while naming its previous files (the history's kept, the published file's
    # not yet) leaves a pair from two publishes: rollback refuses it and changes nothing.
    history_previous = workspace / "warehouse" / "history.previous.duckdb"
    history_previous.unlink()
    os.link(history, history_previous)
    after = (_sha(january_published), _sha(history))
    done = subprocess.run(_kpi("rollback"), capture_output=True, text=True,
                          env=os.environ.copy(), check=False)
    assert done.returncode == 1
    assert "are not from one publish" in done.stderr, done.stderr
    assert (_sha(january_published), _sha(history)) == after


def test_a_month_missing_files_is_refused_before_anything_is_built(
    january_published: Path, workspace: Path,
) -> None:
    from orchestration.close import CloseError

    for name in ("don_thu.csv", "vuong_mac_du_an.xlsx"):
        (workspace / "landing" / "2026-02" / name).unlink()
    before = _sha(january_published)
    with pytest.raises(CloseError) as refused:
        run_close("2026-02")
    assert str(refused.value) == (
        "2026-02/ lacks don_thu.csv, vuong_mac_du_an.xlsx: the close needs every export"
    )
    assert _sha(january_published) == before


def test_a_second_close_or_a_rollback_during_a_close_is_refused(
    january_published: Path, workspace: Path,
) -> None:
    """Another process holds the warehouse (as a running close does): `kpi close` and
    `kpi rollback` exit 1 with one line, and the published file is untouched."""
    from orchestration.warehouse import WarehouseBusy, ensure_not_busy, exclusive, files

    holder = subprocess.Popen(
        [sys.executable, "-c",
         "import sys\nfrom orchestration.warehouse import exclusive, files\n"
         "with exclusive(files()):\n    print('held', flush=True)\n    sys.stdin.read()"],
        stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True, env=os.environ.copy())
    try:
        assert holder.stdout is not None and holder.stdout.readline() == "held\n"
        before = _sha(january_published)
        # Something to roll back to, so that only the lock can refuse the rollback.
        for name in ("kpi.previous.duckdb", "history.previous.duckdb"):
            (workspace / "warehouse" / name).write_bytes(b"an older publish")
        for args in (["close", "2026-02"], ["rollback"]):
            done = subprocess.run(_kpi(*args), capture_output=True, text=True,
                                  env=os.environ.copy())
            said = " ".join((done.stdout + done.stderr).split())
            assert done.returncode == 1
            assert said.endswith(
                f"{workspace / 'warehouse'} is being closed by process {holder.pid}: wait for "
                "that close to end"), said
        # A Dagster run's first step asks the same question.
        with pytest.raises(WarehouseBusy):
            ensure_not_busy(files())
        assert _sha(january_published) == before
    finally:
        holder.communicate("")
    # Once the holder has gone, the warehouse is free again.
    with exclusive(files()):
        pass
