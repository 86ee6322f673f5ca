"""Benchmark of the monthly close: run it on a simulated landing zone and print what it costs.

    .venv/bin/python bench/close.py --scale province        # or: make bench

Prints, for one month: wall time and peak memory of the whole close and of each stage
(extract, checks, dbt, publish, report), extract's rows per second, and two references on the
same files: DuckDB alone reading the task export and computing the task view with a hand
query (the floor), and the same with pandas (what an analyst would write). Then it closes the
rest of a twelve-month history and compares month 12's close with month 1's. Every close runs
in its own process, as `kpi close` does; peak memory is the largest resident set among the
close's processes (the close and the dbt it starts), read from the kernel when they end.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import shutil
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

# One close in a fresh process: prints its outcome and step times as JSON on the last line.
CLOSE_ONE = """
import json, sys
from orchestration.close import run_close
outcome = run_close(sys.argv[1], reopen_reason=sys.argv[2] or None)
print(json.dumps({"published": outcome.published, "reasons": outcome.reasons,
                  "steps": outcome.steps,
                  "rows_read": sum(r["rows_read"] or 0 for r in outcome.load_report)}))
"""

STAGES = ("build", "extract", "checks", "dbt", "publish", "report")

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
                  columns = $columns, strict_mode = false, null_padding = true)
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


def _close(month: str, env: dict[str, str], reopen: str = "") -> dict[str, Any]:
    before = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    started = time.perf_counter()
    done = subprocess.run([sys.executable, "-c", CLOSE_ONE, month, reopen], env=env,
                          capture_output=True, text=True, check=False, cwd=ROOT)
    wall = time.perf_counter() - started
    peak_kib = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    if done.returncode != 0:
        raise SystemExit(f"close of {month} crashed:\n{done.stderr[-2000:]}")
    result = json.loads(done.stdout.strip().splitlines()[-1])
    if not result["published"]:
        raise SystemExit(f"close of {month} blocked: {result['reasons']}")
    stages = dict.fromkeys(STAGES, 0.0)
    for step, seconds in result["steps"].items():
        stages[_stage(step)] += seconds
    # ru_maxrss of children is the largest so far: it grows only if this close set a new peak.
    return {"wall": wall, "stages": stages, "rows_read": result["rows_read"],
            "peak_mib": peak_kib / 1024, "new_peak": peak_kib > before}


def _stage(step: str) -> str:
    if "expectations" in step:
        return "checks"
    if step.startswith("raw__"):
        return "extract"
    return {"kpi_dbt_assets": "dbt", "published_warehouse": "publish",
            "leaders_report": "report", "warehouse_build": "build"}.get(step, "build")


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
    for path, delimiter in _csv_exports(folder):
        rows += con.execute(
            "select count(*) from read_csv($p, header = true, all_varchar = true, "
            "delim = $d, strict_mode = false, null_padding = true)",
            {"p": str(path), "d": delimiter}).fetchone()[0]
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


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--scale", default="province")
    parser.add_argument("--months", type=int, default=12, help="history length (1 to skip)")
    parser.add_argument("--work", type=Path, default=ROOT / "bench" / "work")
    args = parser.parse_args()

    from orchestration.simulate.province import simulate_landing_zone

    shutil.rmtree(args.work, ignore_errors=True)
    months = [f"2026-{m:02d}" for m in range(1, args.months + 1)]
    started = time.perf_counter()
    simulate_landing_zone(months, scale=args.scale, seed=7, out=args.work / "landing")
    simulated = time.perf_counter() - started
    env = {**os.environ, "KPI_LANDING_DIR": str(args.work / "landing"),
           "KPI_WAREHOUSE_DIR": str(args.work / "warehouse"), "KPI_PII_SALT": "bench"}

    first = _close(months[0], env)
    folder = args.work / "landing" / months[0]
    floor_seconds, floor_rows = _floor(folder, months[0])
    pandas_seconds, pandas_rows = _pandas(folder, months[0])
    last = None
    for month in months[1:]:
        last = _close(month, env)

    lines = [
        f"# Close benchmark, scale `{args.scale}`",
        "",
        f"Machine: {_machine()}. Simulated {len(months)} months in {simulated:.1f} s.",
        "",
        f"## Month 1 ({months[0]})",
        "",
        "| stage | wall time (s) |",
        "|---|---|",
        *(f"| {stage} | {first['stages'][stage]:.1f} |" for stage in STAGES),
        f"| **whole close** (process start to exit) | **{first['wall']:.1f}** |",
        "",
        f"- Peak memory of the close's processes: {first['peak_mib']:.0f} MiB.",
        f"- Extract: {first['rows_read']:,} rows in {first['stages']['extract']:.1f} s = "
        f"{first['rows_read'] / max(first['stages']['extract'], 1e-9):,.0f} rows/s.",
        f"- Floor (DuckDB alone: every CSV export read, {floor_rows:,} rows, and the task view "
        f"by hand): {floor_seconds:.2f} s; pandas, the same: {pandas_seconds:.2f} s "
        f"({pandas_rows:,} rows).",
        f"- Close / floor: {first['wall'] / floor_seconds:.0f}x; close / pandas: "
        f"{first['wall'] / pandas_seconds:.0f}x.",
    ]
    if last:
        lines += [
            "",
            f"## Month {len(months)} ({months[-1]}) against month 1",
            "",
            f"- Month {len(months)}: {last['wall']:.1f} s "
            f"(extract {last['stages']['extract']:.1f}, checks {last['stages']['checks']:.1f},"
            f" dbt {last['stages']['dbt']:.1f}, publish {last['stages']['publish']:.1f}, "
            f"report {last['stages']['report']:.1f}).",
            f"- Ratio month {len(months)} / month 1: {last['wall'] / first['wall']:.2f}.",
        ]
    print("\n".join(lines))


if __name__ == "__main__":
    main()
