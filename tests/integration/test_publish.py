"""Write, audit, publish: a close that fails or is killed leaves the published file as it was."""

from __future__ import annotations

import hashlib
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from orchestration.close import run_close
from tests.conftest import FIXTURES, query


def _sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _kpi(*args: str) -> list[str]:
    return [sys.executable, "-m", "orchestration.cli", *args]


@pytest.fixture
def january_published(workspace: Path) -> Path:
    for month in ("2026-01", "2026-02"):
        shutil.copytree(FIXTURES / "landing_tasks" / month, workspace / "landing" / month)
    assert run_close("2026-01").published
    return workspace / "warehouse" / "kpi.duckdb"


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
        "error: close of 2026-02 blocked: van_ban_den.csv: missing header(s) 'Hạn trả lời'"
    ]
    assert "Traceback" not in done.stdout + done.stderr
    assert _sha(january_published) == before
    assert query(january_published,
                 "select distinct month_date::varchar from marts.mart_task_progress"
                 ) == [("2026-01-01",)]


def test_killed_close_leaves_the_published_file_byte_identical(
    january_published: Path, workspace: Path,
) -> None:
    before = _sha(january_published)
    log = workspace / "warehouse" / "build" / "close-2026-02.log"
    process = subprocess.Popen(_kpi("close", "2026-02"), env=os.environ.copy(),
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                               start_new_session=True)
    try:
        # Wait until dbt is building the month, then kill the close and everything it started.
        deadline = time.monotonic() + 300
        while time.monotonic() < deadline:
            if log.exists() and " START " in log.read_text(encoding="utf-8", errors="replace"):
                break
            if process.poll() is not None:
                pytest.fail("the close ended before dbt started")
            time.sleep(0.2)
        else:
            pytest.fail("dbt never started")
        os.killpg(process.pid, signal.SIGKILL)
        process.wait(timeout=60)
    finally:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGKILL)
    assert _sha(january_published) == before
    assert not january_published.with_name("kpi.duckdb.wal").exists()
    assert query(january_published,
                 "select count(*) from marts.fct_task_snapshot") == [(13,)]
    # The next close starts from the published file again and completes.
    assert run_close("2026-02").published
    assert query(january_published,
                 "select count(distinct month_date) from marts.fct_task_snapshot") == [(2,)]


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
