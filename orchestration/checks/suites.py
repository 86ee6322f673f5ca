"""Great Expectations suites as data: `expectations/<suite>.yml`, run against one month.

A suite is a set of batches, each a query on the build file for the month being closed and
the expectations its rows must meet. Export suites get two batches without writing SQL: `rows`
(what extract loaded) and `load` (the export's line in the load report). Results are kept in
Great Expectations' BOOLEAN_ONLY form, so no value of a row, personal or not, is ever copied
into them; the few lines named when an expectation fails come from our own query.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import re
import shutil
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

import duckdb
import yaml

from orchestration.paths import expectations_dir, warehouse_dir

PARAMETER = re.compile(r"\$([a-z_]+)")
# How many failing rows a message names: enough to find the problem, short enough to read.
NAMED_ROWS = 5


@dataclass(frozen=True)
class Expectation:
    type: str
    kwargs: dict[str, Any]
    failing_where: str | None = None

    @property
    def columns(self) -> list[str]:
        columns = [self.kwargs[k] for k in ("column", "column_A", "column_B") if k in self.kwargs]
        return columns + list(self.kwargs.get("column_list", []))

    @property
    def target(self) -> str:
        return ", ".join(self.columns)


@dataclass(frozen=True)
class Batch:
    name: str
    sql: str
    label: str
    expectations: tuple[Expectation, ...]

    def needed_columns(self) -> list[str] | None:
        """The columns the batch's expectations read, or None when one reads the whole table."""
        needed: list[str] = []
        for expectation in self.expectations:
            if not expectation.columns:
                return None
            needed += expectation.columns
        return list(dict.fromkeys(needed))


@dataclass(frozen=True)
class Suite:
    name: str
    description: str
    batches: tuple[Batch, ...]


@dataclass
class SuiteResult:
    suite: str
    month: str
    results: list[dict[str, Any]] = field(default_factory=list)
    failures: list[str] = field(default_factory=list)

    @property
    def passed(self) -> bool:
        return not self.failures

    @property
    def summary(self) -> str:
        ok = sum(1 for r in self.results if r["success"])
        return f"{ok}/{len(self.results)} passed"


def _default_batch(suite: str, name: str) -> tuple[str, str]:
    """The SQL and row label of the batches every export suite has."""
    if name == "rows":
        return (f"select * exclude (_loaded_at) from raw.{suite} where _month = $month",
                "_file || ' line ' || _line")
    if name == "load":
        return (
            "select export, file, rows_read, rows_loaded, rows_quarantined, "
            "case when rows_read >= $min_rows_judged "
            "then rows_quarantined / rows_read end as quarantine_share "
            f"from raw.load_report where _month = $month and export = '{suite}'",
            "file",
        )
    raise ValueError(f"{suite}: batch '{name}' needs its own sql")


def parameters() -> dict[str, Any]:
    settings = expectations_dir() / "_settings.yml"
    return yaml.safe_load(settings.read_text(encoding="utf-8"))["parameters"]


def _resolve(value: Any) -> Any:
    """`$name` in an expectation's arguments is a threshold from `_settings.yml`."""
    if isinstance(value, str) and value.startswith("$"):
        return parameters()[value[1:]]
    return value


def load_suite(name: str) -> Suite:
    path = expectations_dir() / f"{name}.yml"
    doc = yaml.safe_load(path.read_text(encoding="utf-8"))
    batches = []
    for batch_name, spec in doc["batches"].items():
        sql, label = (spec["sql"], spec.get("label", "'row'")) if "sql" in spec else \
            _default_batch(name, batch_name)
        expectations = []
        for item in spec["expectations"]:
            item = dict(item)
            kind = item.pop("expectation")
            failing_where = item.pop("failing_where", None)
            expectations.append(Expectation(
                kind, {k: _resolve(v) for k, v in item.items()}, failing_where))
        batches.append(Batch(batch_name, sql, label, tuple(expectations)))
    return Suite(doc["suite"], doc["description"], tuple(batches))


def suite_names() -> list[str]:
    return sorted(p.stem for p in expectations_dir().glob("*.yml") if not p.stem.startswith("_"))


def _month_params(month: str) -> dict[str, Any]:
    start = dt.date.fromisoformat(f"{month}-01")
    last = (start - dt.timedelta(days=1)).replace(day=1)
    return {"month": start, "last_month": last, **parameters()}


def _used(sql: str, params: dict[str, Any]) -> dict[str, Any]:
    # DuckDB refuses named parameters a query does not use, so pass only those it names.
    return {name: params[name] for name in PARAMETER.findall(sql)}


def _query(con: duckdb.DuckDBPyConnection, sql: str, params: dict[str, Any]) -> Any:
    return con.execute(sql, _used(sql, params))


@cache
def _validator() -> Any:
    """One ephemeral Great Expectations context per process: it stores nothing on disk, and
    building one costs more than validating a province's month."""
    os.environ.setdefault("GX_ANALYTICS_ENABLED", "false")
    import great_expectations as gx
    from great_expectations.data_context.types.base import ProgressBarsConfig
    from great_expectations.execution_engine import pandas_execution_engine

    # Great Expectations fingerprints every frame under this size by hashing all of its values,
    # twice per batch: 18 of the 24 seconds of a national month's dossier suite. The
    # fingerprint is a marker of the batch that nothing here reads, so it is never taken.
    pandas_execution_engine.HASH_THRESHOLD = 0

    context = gx.get_context(mode="ephemeral")
    context.variables.progress_bars = ProgressBarsConfig(globally=False)
    source = context.data_sources.add_pandas("close")
    return source.add_dataframe_asset("batch").add_batch_definition_whole_dataframe("month")


def _gx_suite(suite: Suite, batch: Batch) -> Any:
    import great_expectations as gx
    import great_expectations.expectations as gxe

    expectations = []
    for expectation in batch.expectations:
        class_name = "".join(part.capitalize() for part in expectation.type.split("_"))
        expectations.append(getattr(gxe, class_name)(**expectation.kwargs))
    return gx.ExpectationSuite(name=f"{suite.name}.{batch.name}", expectations=expectations)


def _frame(con: duckdb.DuckDBPyConnection, sql: str, params: dict[str, Any]) -> Any:
    """The batch as a pandas frame, by way of Arrow: five times faster than DuckDB's own
    conversion on a national month's text columns, with the same column types."""
    return con.sql(sql, params=_used(sql, params)).to_arrow_table().to_pandas()


def _failing_rows(con: duckdb.DuckDBPyConnection, batch: Batch, where: str,
                  params: dict[str, Any]) -> list[str]:
    sql = (f"select {batch.label} from ({batch.sql}) where {where} "
           f"order by 1 limit {NAMED_ROWS}")
    return [str(row[0]) for row in _query(con, sql, params).fetchall()]


def _raised(info: dict[str, Any]) -> bool:
    # One flag for the expectation, or one per metric when a metric's computation raised.
    if "raised_exception" in info:
        return bool(info["raised_exception"])
    return any(isinstance(v, dict) and v.get("raised_exception") for v in info.values())


def _frame_sql(con: duckdb.DuckDBPyConnection, batch: Batch, params: dict[str, Any]) -> str:
    """The batch's query narrowed to the columns its expectations read: a national month of
    dossiers is millions of rows, and pandas holds every column it is given. A column the
    query lacks is left for Great Expectations to report, as the expectation's own error."""
    needed = batch.needed_columns()
    if needed is None:
        return batch.sql
    present = {d[0] for d in _query(con, f"select * from ({batch.sql}) limit 0",
                                    params).description}
    kept = [c for c in needed if c in present] or sorted(present)[:1]
    columns = ", ".join(f'"{c}"' for c in kept)
    return f"select {columns} from ({batch.sql})"


def run_suite(con: duckdb.DuckDBPyConnection, name: str, month: str) -> SuiteResult:
    """Validate every batch of the suite for `month`; an expectation that raises has failed."""
    suite = load_suite(name)
    params = _month_params(month)
    outcome = SuiteResult(suite=name, month=month)
    for batch in suite.batches:
        frame = _frame(con, _frame_sql(con, batch, params), params)
        validation = _validator().get_batch(batch_parameters={"dataframe": frame}).validate(
            _gx_suite(suite, batch), result_format="BOOLEAN_ONLY")
        for expectation, result in zip(batch.expectations, validation.results, strict=True):
            raised = _raised(result.exception_info or {})
            success = bool(result.success) and not raised
            outcome.results.append({
                "batch": batch.name, "expectation": expectation.type,
                "arguments": expectation.kwargs, "success": success, "raised": raised,
            })
            if success:
                continue
            problem = f"{name}: {batch.name} {expectation.type}({expectation.target})"
            if raised:
                problem += " raised an error"
            elif expectation.failing_where:
                rows = _failing_rows(con, batch, expectation.failing_where, params)
                problem += f" failed at {', '.join(rows)}" if rows else " failed"
            else:
                problem += " failed"
            outcome.failures.append(problem)
    return outcome


def results_dir(month: str) -> Path:
    """Where a close in progress keeps its results: beside its build file, so that a blocked
    or killed close never replaces those of the month as published."""
    return warehouse_dir() / "build" / "checks" / month


def published_results_dir(month: str) -> Path:
    return warehouse_dir() / "checks" / month


def promote_results(month: str) -> Path:
    """After publish: the close's results become the published month's, in two renames. The
    results they replace are kept as `YYYY-MM.previous`, for `kpi rollback`."""
    pending, published = results_dir(month), published_results_dir(month)
    if not pending.exists():
        return published
    previous = published.with_name(f"{month}.previous")
    shutil.rmtree(previous, ignore_errors=True)
    published.parent.mkdir(parents=True, exist_ok=True)
    if published.exists():
        published.rename(previous)
    pending.rename(published)
    return published


def restore_results(month: str, still_closed: bool) -> None:
    """After a rollback: the month's results go back to those its last publish replaced, or
    away if the month is no longer closed. Safe to run again on a rollback cut short."""
    published = published_results_dir(month)
    previous = published.with_name(f"{month}.previous")
    if previous.exists():
        shutil.rmtree(published, ignore_errors=True)
        previous.rename(published)
    elif not still_closed:
        shutil.rmtree(published, ignore_errors=True)


def save(result: SuiteResult) -> Path:
    """Keep the result beside the warehouse, for the close log and for the operator."""
    folder = results_dir(result.month)
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{result.suite}.json"
    path.write_text(json.dumps({
        "suite": result.suite, "month": result.month, "passed": result.passed,
        "summary": result.summary, "failures": result.failures, "results": result.results,
    }, ensure_ascii=False, indent=1, default=str), encoding="utf-8")
    return path
