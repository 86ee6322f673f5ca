"""`kpi`: simulate a landing zone, close months, and read what a close published."""

from __future__ import annotations

import atexit
import json
import os
import shutil
import subprocess
import sys
import warnings
from pathlib import Path
from typing import Annotated

import duckdb
import typer
from rich.console import Console
from rich.progress import BarColumn, Progress, SpinnerColumn, TextColumn, TimeElapsedColumn
from rich.table import Table

from orchestration import close_log
from orchestration.close import CloseError, CloseOutcome, months_between, run_close
from orchestration.paths import DBT_PROJECT_DIR
from orchestration.warehouse import WarehouseBusy, files

app = typer.Typer(add_completion=False, no_args_is_help=True,
                  help="The monthly close of the province's work indicators.")
console = Console()
errors = Console(stderr=True, soft_wrap=True)


def _fail(message: str) -> None:
    errors.print(f"[bold red]error:[/] {message}", highlight=False)
    raise typer.Exit(1)


@app.command()
def simulate(
    months: Annotated[str, typer.Option(help="Months to write, FIRST..LAST, e.g. 2026-01..2026-06")]
    = "2026-01..2026-06",
    scale: Annotated[str, typer.Option(help="province, national or tiny")] = "province",
    seed: Annotated[int, typer.Option(help="Same seed, same bytes.")] = 7,
    out: Annotated[Path, typer.Option(help="Landing zone to write into.")] = Path(
        "sources/landing"),
) -> None:
    """Write a simulated province's monthly exports in the exact formats of the contracts."""
    from orchestration.simulate.province import SCALES, simulate_landing_zone

    first, _, last = months.partition("..")
    try:
        month_list = months_between(first, last or first)
    except CloseError as error:
        _fail(str(error))
    if scale not in SCALES:
        _fail(f"unknown scale '{scale}': choose one of {', '.join(SCALES)}")
    with console.status(f"simulating {len(month_list)} months at {scale} scale"):
        written = simulate_landing_zone(month_list, scale=scale, seed=seed, out=out)
    console.print(f"wrote {written} files for {month_list[0]}..{month_list[-1]} into {out}")


def _print_load_report(outcome: CloseOutcome) -> None:
    table = Table(title=f"Extract {outcome.month}", title_justify="left")
    for name in ("export", "rows read", "loaded", "quarantined", "duplicates",
                 "after cut-off", "status"):
        table.add_column(name, justify="left" if name in ("export", "status") else "right")
    for row in outcome.load_report:
        table.add_row(row["export"], f"{row['rows_read']:,}", f"{row['rows_loaded']:,}",
                      f"{row['rows_quarantined']:,}", f"{row['duplicates']:,}",
                      f"{row['rows_after_cut_off'] or 0:,}", row["status"])
    console.print(table)
    for row in outcome.load_report:
        if row["extra_columns"]:
            console.print(f"[yellow]note:[/] {row['file']}: extra columns kept in raw: "
                          f"{row['extra_columns']}")
        if row["status"] == "loaded" and row["message"]:
            console.print(f"[yellow]note:[/] {row['file']}: {row['message']}")
        if row["status"] == "loaded" and row["rows_read"] == 0:
            console.print(f"[yellow]note:[/] {row['file']} ({row['export']}) has no data rows")


# The terminal shows the units with the most stuck tasks; the marts and the report hold all.
TASK_VIEW_UNITS = 30


def _print_task_view(month: str, per_unit: bool) -> None:
    con = duckdb.connect(str(files().published), read_only=True)
    try:
        rows = con.execute(
            """
            select entity_type, entity_name, tasks_total, tasks_moving_forward, tasks_slow,
                tasks_stuck, tasks_paused
            from marts.mart_task_progress
            where month_date = $m and entity_type in ('province', 'unit')
            order by entity_type = 'unit', tasks_stuck desc, tasks_slow desc, entity_name
            """,
            {"m": f"{month}-01"},
        ).fetchall()
        red, watch = con.execute(
            "select count(*) filter (where warning_level = 'red'), "
            "count(*) filter (where warning_level = 'watch') "
            "from marts.mart_red_warnings where month_date = $m and warning_code = 'R1'",
            {"m": f"{month}-01"},
        ).fetchone()
    finally:
        con.close()
    table = Table(title=f"Task view at the cut-off of {month}", title_justify="left")
    for name in ("unit", "tasks", "moving forward", "slow", "stuck", "paused"):
        table.add_column(name, justify="left" if name == "unit" else "right")
    shown = rows[:TASK_VIEW_UNITS + 1] if per_unit else rows[:1]
    for kind, name, *counts in shown:
        style = "bold" if kind == "province" else None
        table.add_row(name, *(f"{c:,}" for c in counts), style=style)
    console.print(table)
    if len(rows) > len(shown) and per_unit:
        console.print(f"... and {len(rows) - len(shown):,} more units, fewer stuck: "
                      "query marts.mart_task_progress or open the report")
    console.print(f"R1 tasks more than 30 days overdue: [bold red]{red}[/] red, {watch} watch")


@app.command()
def close(
    month: Annotated[str | None, typer.Argument(help="Month to close, YYYY-MM")] = None,
    first: Annotated[str | None, typer.Option("--from", help="First month of a range")] = None,
    last: Annotated[str | None, typer.Option("--to", help="Last month of a range")] = None,
    reopen: Annotated[bool, typer.Option("--reopen", help="Close an already closed month again")]
    = False,
    reason: Annotated[str | None, typer.Option("--reason", help="Why it is reopened (logged)")]
    = None,
    verbose: Annotated[bool, typer.Option("--verbose", help="Show the run's logs")] = False,
    outcome_json: Annotated[Path | None, typer.Option(
        "--outcome-json", hidden=True, help="Write each month's outcome here (the benchmark)")]
    = None,
) -> None:
    """Close a month (or a range): extract, transform, test, then publish the warehouse."""
    if not verbose:
        warnings.filterwarnings("ignore")
    try:
        if reopen and not (reason or "").strip():
            raise CloseError("--reopen needs --reason \"why the month is closed again\"")
        if month and (first or last):
            raise CloseError("give either a MONTH or --from/--to, not both")
        if month:
            month_list = months_between(month, month)
        elif first and last:
            month_list = months_between(first, last)
        else:
            raise CloseError("give a MONTH (e.g. 2026-03) or --from 2026-01 --to 2026-06")
        closed: list[CloseOutcome] = []
        progress = Progress(SpinnerColumn(), TextColumn("{task.description}"), BarColumn(),
                            TextColumn("{task.completed}/{task.total} months"),
                            TimeElapsedColumn(), console=console, transient=True,
                            disable=verbose)
        with progress:
            overall = progress.add_task("closing", total=len(month_list))
            for current in month_list:
                progress.update(overall, description=f"closing {current}: extract, checks, "
                                                     "dbt, publish, report")
                outcome = run_close(current, verbose=verbose,
                                    reopen_reason=reason.strip() if reopen and reason else None)
                progress.console.print(f"closing {current} ...")
                _print_load_report(outcome)
                if not outcome.published:
                    _fail(f"close of {current} blocked: {outcome.reason}")
                progress.console.print(
                    f"[green]{current} closed and published[/] to {files().published}")
                for note in outcome.notes:
                    progress.console.print(f"[yellow]note:[/] {note}")
                _print_task_view(current, per_unit=current == month_list[-1])
                closed.append(outcome)
                progress.advance(overall)
        _print_summary(closed)
        if outcome_json:
            outcome_json.write_text(json.dumps([
                {"month": o.month, "published": o.published, "steps": o.steps,
                 "rows_read": sum(r["rows_read"] or 0 for r in o.load_report)} for o in closed
            ]), encoding="utf-8")
    except CloseError as error:
        _fail(str(error))


def _shown_path(path: Path) -> str:
    """The path relative to the working folder when it lies under it, else in full."""
    try:
        return str(path.resolve().relative_to(Path.cwd().resolve()))
    except ValueError:
        return str(path)


def _print_summary(closed: list[CloseOutcome]) -> None:
    """One line per closed month: what was read, what was held back, what fired."""
    con = duckdb.connect(str(files().published), read_only=True)
    try:
        table = Table(title="Summary", title_justify="left")
        for name in ("month", "rows read", "quarantined", "red warnings", "watch", "report"):
            # A long path folds rather than being cut to an ellipsis nobody can open.
            table.add_column(name, justify="left" if name in ("month", "report") else "right",
                             overflow="fold")
        for outcome in closed:
            red, watch = con.execute(
                "select coalesce(sum(red_records), 0), coalesce(sum(watch_records), 0) "
                "from marts.mart_red_warning_summary "
                "where entity_type = 'province' and month_date = $m",
                {"m": f"{outcome.month}-01"}).fetchone()
            report = files().root / "reports" / f"{outcome.month}.html"
            table.add_row(
                outcome.month, f"{sum(r['rows_read'] for r in outcome.load_report):,}",
                f"{sum(r['rows_quarantined'] for r in outcome.load_report):,}",
                f"{red:,}", f"{watch:,}", _shown_path(report) if report.exists() else "not written")
    finally:
        con.close()
    console.print(table)


@app.command()
def status() -> None:
    """List the closes recorded in the published warehouse: files, rows, checks, versions."""
    published = files().published
    if not published.exists():
        _fail(f"nothing is published yet: {published} does not exist")
    table = Table(title=f"Close log of {published}", title_justify="left")
    for name in ("month", "action", "closed at", "files", "rows read", "loaded", "quarantined"):
        table.add_column(name, justify="left" if name in ("month", "action", "closed at")
                         else "right")
    # Checks, reasons and versions are long: they go under the table, one line per close,
    # never clipped by a narrow terminal.
    details: list[str] = []
    for entry in close_log.entries(published):
        sums = [sum(f[key] or 0 for f in entry["files"])
                for key in ("rows_read", "rows_loaded", "rows_quarantined")]
        closed_at = f"{entry['closed_at']:%Y-%m-%d %H:%M}"
        table.add_row(entry["month"], entry["action"], closed_at, str(len(entry["files"])),
                      *(f"{n:,}" for n in sums))
        dbt = entry["checks"].get("dbt_build", {})
        suites = entry["checks"].get("expectations", {})
        passed = [tuple(map(int, s.split()[0].split("/"))) for s in suites.values()]
        checks = ", ".join(f"{n} {k}" for k, n in sorted(dbt.items())) or "none recorded"
        if suites:
            checks += (f"; expectations {sum(p for p, _ in passed)}/"
                       f"{sum(t for _, t in passed)} in {len(suites)} suites")
        reason = f" because {entry['reason']!r}" if entry["reason"] else ""
        details.append(f"{entry['month']} {entry['action']} at {closed_at}{reason}: dbt "
                       f"{checks}; code {entry['code_version']}, "
                       f"catalogue {entry['catalogue_version']}")
    console.print(table)
    for line in details:
        console.print(line, soft_wrap=True, highlight=False)


@app.command()
def report(
    month: Annotated[str, typer.Argument(help="Closed month, YYYY-MM")],
    lang: Annotated[str, typer.Option("--lang", help="vi (default) or en")] = "vi",
) -> None:
    """Write the leaders' report of a closed month: warehouse/reports/YYYY-MM.html and .pdf."""
    from orchestration.report.build import LANGUAGES, write_report

    if lang not in LANGUAGES:
        _fail(f"--lang {lang}: choose one of {', '.join(LANGUAGES)}")
    try:
        months_between(month, month)
    except CloseError as error:
        _fail(str(error))
    published = files().published
    if not published.exists():
        _fail(f"nothing is published yet: {published} does not exist")
    if close_log.last_close(published, month) is None:
        _fail(f"{month} is not closed in {published}: close it first")
    with console.status(f"writing the report of {month} ..."):
        written = write_report(published, month, lang)
    console.print(f"wrote {written.html}")
    if written.pdf:
        console.print(f"wrote {written.pdf}")
    else:
        console.print("[yellow]note:[/] chromium is not installed: no PDF was printed")


@app.command()
def docs() -> None:
    """Write the dbt docs of the warehouse: dbt_project/target/docs/static_index.html."""
    history = files().history
    if not history.exists():
        _fail(f"nothing is published yet: {history} does not exist")
    # dbt opens its database for writing: it reads a copy of the history, which holds the raw
    # sources as well as the marts, so the docs' catalogue covers both.
    copy = files().build.with_name("docs.duckdb")
    copy.parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(history, copy)
    target = DBT_PROJECT_DIR / "target" / "docs"
    with console.status("generating the dbt docs ..."):
        done = subprocess.run(
            [str(Path(sys.executable).parent / "dbt"), "docs", "generate", "--static",
             "--target-path", str(target), "--quiet"],
            cwd=DBT_PROJECT_DIR, env={**os.environ, "KPI_BUILD_DB": str(copy)},
            capture_output=True, text=True, check=False,
        )
    copy.unlink(missing_ok=True)
    if done.returncode != 0:
        _fail(f"dbt docs generate failed: {(done.stdout + done.stderr).strip()[-300:]}")
    console.print(f"wrote {target / 'static_index.html'}")


@app.command()
def rollback() -> None:
    """Put back the warehouse that the last publish replaced."""
    from orchestration.follow import rollback as rollback_warehouse

    path = files().published
    try:
        with console.status("rolling back the files, check results and reports ..."):
            rollback_warehouse(files())
    except (FileNotFoundError, WarehouseBusy) as error:
        _fail(str(error))
    last = close_log.entries(path)
    where = f"; its last close: {last[-1]['month']} at {last[-1]['closed_at']}" if last else ""
    console.print(f"rolled back {path} to the previous publish{where}")


def main() -> None:
    """The `kpi` command. It ends without Python's own teardown of the libraries a close loads
    (Dagster, dbt, Great Expectations), which takes over a second and does nothing a finished
    command needs: its files are closed and its output is flushed here."""
    try:
        app()
        code = 0
    except SystemExit as done:
        code = done.code if isinstance(done.code, int) else (0 if done.code is None else 1)
    # The exit handlers still run (1-2 ms): among them multiprocessing's, which release the
    # locks dbt and tqdm create; without them its resource tracker warns of a leaked semaphore.
    atexit._run_exitfuncs()
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(code)


if __name__ == "__main__":
    main()
