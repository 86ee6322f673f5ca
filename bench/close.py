"""Benchmark of the monthly close: simulate a landing zone, close it, print what it cost.

    .venv/bin/python bench/close.py                      # or: make bench
    .venv/bin/python bench/close.py --scales province --months 12 --write

For one month at each scale (province, national): wall time and peak memory of the whole close
and of each stage (build, extract, checks, dbt, publish, report), extract's rows per second,
and two references on the same files: DuckDB alone reading every CSV export and computing the
task view with a hand-written query (the floor), and the same with pandas (what an analyst
would write), with the close-to-floor ratio. At province scale it then closes the rest of a
twelve-month history and compares month 12's close with month 1's.

Every close is `kpi close MONTH` in its own process, as an operator runs it. Memory is the
resident set of that process and every process it starts (dbt, Chromium), sampled every 50 ms;
a stage's peak is the largest sample taken while its steps ran, by the start and end times of
the run's own log.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Any

import psutil

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


# Twelve months that have all ended, every one after the 2025 reorganisation the simulated
# units date from, so that each can be closed with its history.
FIRST_MONTH = "2025-12"
STAGES = ("build", "extract", "checks", "dbt", "publish", "report")
SAMPLE_SECONDS = 0.05


# The task view by hand on the raw export: the floor no pipeline can beat on these files.
FLOOR_SQL = """
with tasks as (
    select
        column04 as unit_code,
        column10 as status,
        try_strptime(nullif(column07, ''), '%d/%m/%Y')::date as due_date,
        try_strptime(nullif(column08, ''), '%d/%m/%Y')::date as extended_due_date,
        try_strptime(nullif(column09, ''), '%d/%m/%Y')::date as completed_date
    from read_csv($path, header = true, all_varchar = true, auto_detect = false,
                  columns = $columns, quote = '"', escape = '"')
),
classified as (
    select unit_code,
        case
            when status in ('Hủy', 'Tạm dừng') then 'apart'
            when completed_date <= $cut_off then 'done'
            when coalesce(extended_due_date, due_date) is null
                or coalesce(extended_due_date, due_date) >= $cut_off then 'on_track'
            when $cut_off - coalesce(extended_due_date, due_date) <= 30 then 'slow'
            else 'stuck'
        end as task_class
    from tasks
)
select unit_code, count(*) filter (where task_class in ('done', 'on_track')) as moving,
    count(*) filter (where task_class = 'slow') as slow,
    count(*) filter (where task_class = 'stuck') as stuck
from classified group by unit_code
"""


class MemorySampler(threading.Thread):
    """Resident memory of a process and all its descendants, with the time of each sample."""

    def __init__(self, pid: int) -> None:
        super().__init__(daemon=True)
        self.process = psutil.Process(pid)
        self.samples: list[tuple[float, int]] = []
        self.done = threading.Event()

    def run(self) -> None:
        while not self.done.is_set():
            total = 0
            try:
                for proc in [self.process, *self.process.children(recursive=True)]:
                    try:
                        total += proc.memory_info().rss
                    except psutil.Error:
                        continue
            except psutil.Error:
                break
            self.samples.append((time.time(), total))
            self.done.wait(SAMPLE_SECONDS)

    def peak(self, start: float = 0.0, end: float = float("inf")) -> int:
        return max((rss for at, rss in self.samples if start <= at <= end), default=0)


def _stage(step: str) -> str:
    if "expectations" in step:
        return "checks"
    if step.startswith("raw__"):
        return "extract"
    return {"kpi_dbt_assets": "dbt", "published_warehouse": "publish",
            "leaders_report": "report", "warehouse_build": "build"}.get(step, "build")


def _close(month: str, env: dict[str, str], reopen: str = "") -> dict[str, Any]:
    """`kpi close MONTH` as an operator runs it, in a fresh process, with its memory sampled."""
    outcome = Path(env["KPI_WAREHOUSE_DIR"]) / "bench-outcome.json"
    outcome.unlink(missing_ok=True)
    command = [sys.executable, "-m", "orchestration.cli", "close", month,
               "--outcome-json", str(outcome)]
    if reopen:
        command += ["--reopen", "--reason", reopen]
    started = time.perf_counter()
    child = subprocess.Popen(command, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                             text=True, cwd=ROOT)
    sampler = MemorySampler(child.pid)
    sampler.start()
    _, err = child.communicate()
    wall = time.perf_counter() - started
    sampler.done.set()
    sampler.join()
    if child.returncode != 0 or not outcome.exists():
        raise SystemExit(f"close of {month} failed:\n{err[-3000:]}")
    result = json.loads(outcome.read_text(encoding="utf-8"))[0]
    seconds = dict.fromkeys(STAGES, 0.0)
    peaks = dict.fromkeys(STAGES, 0)
    for step, (start, end) in result["steps"].items():
        stage = _stage(step)
        seconds[stage] += end - start
        peaks[stage] = max(peaks[stage], sampler.peak(start, end))
    return {"wall": wall, "seconds": seconds, "peaks": peaks, "peak": sampler.peak(),
            "rows_read": result["rows_read"]}


def _csv_exports(folder: Path) -> list[tuple[Path, str]]:
    from orchestration.contracts import load_contracts

    return sorted({(folder / c.file, c.delimiter) for c in load_contracts().values()
                   if c.format == "csv"})


def _cut_off(month: str) -> Any:
    import datetime as dt

    first = dt.date.fromisoformat(f"{month}-01")
    return (first.replace(day=28) + dt.timedelta(days=4)).replace(day=1) - dt.timedelta(days=1)


def _floor(folder: Path, month: str) -> tuple[float, int]:
    """DuckDB alone: read every CSV export of the month, then the task view by hand."""
    import duckdb

    started = time.perf_counter()
    con = duckdb.connect()
    rows = 0
    # Each file is read into a table of text, as pandas reads it below: a count alone would let
    # DuckDB skip building the values, which no consumer of the files can.
    for number, (path, delimiter) in enumerate(_csv_exports(folder)):
        con.execute(
            f"create table export_{number} as select * from read_csv($p, header = true, "
            "all_varchar = true, delim = $d, quote = '\"', escape = '\"')",
            {"p": str(path), "d": delimiter})
        rows += con.execute(f"select count(*) from export_{number}").fetchone()[0]
    columns = {f"column{i:02d}": "VARCHAR" for i in range(13)}
    con.execute(FLOOR_SQL, {"path": str(folder / "nhiem_vu.csv"), "columns": columns,
                            "cut_off": _cut_off(month)}).fetchall()
    con.close()
    return time.perf_counter() - started, rows


def _pandas(folder: Path, month: str) -> tuple[float, int]:
    """The same with pandas, as an analyst would write it."""
    import pandas as pd

    started = time.perf_counter()
    rows = 0
    for path, delimiter in _csv_exports(folder):
        rows += len(pd.read_csv(path, sep=delimiter, dtype=str, keep_default_na=False,
                                encoding="utf-8-sig", on_bad_lines="skip"))
    cut_off = pd.Timestamp(_cut_off(month))
    frame = pd.read_csv(folder / "nhiem_vu.csv", dtype=str, keep_default_na=False,
                        encoding="utf-8-sig", on_bad_lines="skip")
    frame.columns = [f"c{i}" for i in range(len(frame.columns))]
    due = pd.to_datetime(frame["c8"].where(frame["c8"] != "", frame["c7"]), format="%d/%m/%Y",
                         errors="coerce")
    completed = pd.to_datetime(frame["c9"], format="%d/%m/%Y", errors="coerce")
    late = (cut_off - due).dt.days
    klass = pd.Series("on_track", index=frame.index)
    klass[late.between(1, 30)] = "slow"
    klass[late > 30] = "stuck"
    klass[completed <= cut_off] = "done"
    klass[frame["c10"].isin(["Hủy", "Tạm dừng"])] = "apart"
    pd.crosstab(frame["c4"], klass)
    return time.perf_counter() - started, rows


def _machine() -> str:
    memory = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30
    return (f"{platform.system()} {platform.machine()}, {os.cpu_count()} cores, "
            f"{memory:.0f} GiB, Python {platform.python_version()}")


def _mib(size: int) -> str:
    return f"{size / 2**20:,.0f} MiB"


def _bench_scale(scale: str, months: list[str],
                 work: Path) -> tuple[list[str], dict[str, float]]:
    from orchestration.simulate.province import simulate_landing_zone

    folder = work / scale
    shutil.rmtree(folder, ignore_errors=True)
    started = time.perf_counter()
    simulate_landing_zone(months, scale=scale, seed=7, out=folder / "landing")
    simulated = time.perf_counter() - started
    env = {**os.environ, "KPI_LANDING_DIR": str(folder / "landing"),
           "KPI_WAREHOUSE_DIR": str(folder / "warehouse"), "KPI_PII_SALT": "bench"}
    first = _close(months[0], env)
    landing = folder / "landing" / months[0]
    size = sum(f.stat().st_size for f in landing.iterdir())
    floor_seconds, floor_rows = _floor(landing, months[0])
    pandas_seconds, pandas_rows = _pandas(landing, months[0])
    last = None
    for month in months[1:]:
        last = _close(month, env)
    lines = [
        f"## Scale `{scale}`: month 1 ({months[0]})",
        "",
        f"Simulated {len(months)} month(s) in {simulated:.0f} s; month 1 is "
        f"{first['rows_read']:,} rows in {size / 2**20:,.0f} MiB of files.",
        "",
        "| stage | wall time (s) | peak memory |",
        "|---|---:|---:|",
        *(f"| {stage} | {first['seconds'][stage]:.1f} | {_mib(first['peaks'][stage])} |"
          for stage in STAGES),
        f"| **whole close** (`kpi close`, process start to exit) | **{first['wall']:.1f}** | "
        f"**{_mib(first['peak'])}** |",
        "",
        f"- Extract: {first['rows_read']:,} rows in {first['seconds']['extract']:.1f} s = "
        f"{first['rows_read'] / max(first['seconds']['extract'], 1e-9):,.0f} rows/s.",
        f"- Floor, DuckDB alone (every CSV export read, {floor_rows:,} rows, and the task view "
        f"by hand): {floor_seconds:.1f} s.",
        f"- pandas, the same ({pandas_rows:,} rows): {pandas_seconds:.1f} s.",
        f"- Close / floor: **{first['wall'] / floor_seconds:.1f}x**; close / pandas: "
        f"**{first['wall'] / pandas_seconds:.2f}x**.",
    ]
    if last:
        lines += [
            "",
            f"## Scale `{scale}`: month {len(months)} ({months[-1]}) against month 1",
            "",
            f"- Month {len(months)}: {last['wall']:.1f} s (" + ", ".join(
                f"{stage} {last['seconds'][stage]:.1f}" for stage in STAGES) + "), peak "
            f"{_mib(last['peak'])}.",
            f"- Ratio month {len(months)} / month 1: **{last['wall'] / first['wall']:.2f}**.",
        ]
    figures = {"wall": first["wall"], "peak": first["peak"],
               "floor": first["wall"] / floor_seconds, "pandas": first["wall"] / pandas_seconds}
    if last:
        figures["month_ratio"] = last["wall"] / first["wall"]
    return [*lines, ""], figures


# The targets of the close (issue 6): (scale, figure, limit, how the figure is shown).
TARGETS = [
    ("province", "wall", 30.0, "whole close under 30 s"),
    ("national", "wall", 300.0, "whole close under 5 minutes"),
    ("national", "peak", 6 * 2**30, "peak memory under 6 GiB"),
    ("national", "floor", 3.0, "close at most 3x the DuckDB-only floor"),
    ("national", "pandas", 1.0, "close faster than the pandas reference"),
    ("province", "month_ratio", 1.25, "month 12 within 1.25x of month 1"),
]


def _targets(figures: dict[str, dict[str, float]]) -> list[str]:
    lines = ["## Targets", "", "| scale | target | measured | met |", "|---|---|---:|---|"]
    for scale, figure, limit, label in TARGETS:
        if figure not in figures.get(scale, {}):
            continue
        value = figures[scale][figure]
        shown = (_mib(int(value)) if figure == "peak" else
                 f"{value:.1f} s" if figure == "wall" else f"{value:.2f}x")
        lines.append(f"| {scale} | {label} | {shown} | {'yes' if value <= limit else 'no'} |")
    return [*lines, ""]


def main() -> None:
    from orchestration.close import months_between

    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--scales", default="province,national",
                        help="comma-separated: province, national, tiny")
    parser.add_argument("--months", type=int, default=12,
                        help="history closed at province scale (1 to skip the month-12 test)")
    parser.add_argument("--work", type=Path, default=ROOT / "bench" / "work")
    parser.add_argument("--write", action="store_true", help="also write bench/RESULTS.md")
    args = parser.parse_args()

    if not 1 <= args.months <= 12:
        raise SystemExit("--months: from 1 to 12 (one simulated year)")
    lines = ["# Close benchmark", "", f"Machine: {_machine()}.", ""]
    print("\n".join(lines), flush=True)
    figures: dict[str, dict[str, float]] = {}
    for scale in args.scales.split(","):
        count = args.months if scale == "province" else 1
        months = months_between(FIRST_MONTH, "2099-12")[:count]
        section, figures[scale] = _bench_scale(scale, months, args.work)
        print("\n".join(section), flush=True)
        lines += section
    targets = _targets(figures)
    print("\n".join(targets), flush=True)
    lines += targets
    if args.write:
        (ROOT / "bench" / "RESULTS.md").write_text("\n".join(lines), encoding="utf-8")


if __name__ == "__main__":
    main()
