"""The leaders' report of one closed month: one self-contained HTML file, and a PDF of it.

Every figure is read from the published warehouse's marts and close log, nothing is computed
here but layout: the report shows what analysts can query. Charts are matplotlib SVG written
into the page, so the file opens with no network.
"""

from __future__ import annotations

import datetime as dt
import io
import json
import os
import shutil
import subprocess
import tempfile
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

import duckdb
import yaml
from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape

from orchestration import close_log
from orchestration.paths import warehouse_dir

HERE = Path(__file__).parent
LANGUAGES = ("vi", "en")
WARNINGS = [f"R{n}" for n in range(1, 9)]
# How many records are listed under each warning; the rest are counted.
RECORDS_SHOWN = 8
# A printed report stays a size a leader can read: past this many units (a province has about
# seventy) its board keeps the best and the worst half and the units with most stuck tasks;
# the HTML beside it keeps every unit and every unit's page.
PRINTED_UNITS = 150
GRADE_COLOURS = {"excellent": "#1b7f3b", "good": "#4c9a2a", "completed": "#c98a00",
                 "not_completed": "#b3261e", None: "#8a8a8a"}
CHROMIUM_FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic",
                  "--no-first-run", "--disable-background-networking",
                  "--disable-component-update", "--disable-sync"]


@dataclass(frozen=True)
class ReportFiles:
    html: Path
    pdf: Path | None


def reports_dir() -> Path:
    return warehouse_dir() / "reports"


@cache
def labels(lang: str) -> dict[str, Any]:
    return yaml.safe_load((HERE / "labels.yml").read_text(encoding="utf-8"))[lang]


def _rows(con: duckdb.DuckDBPyConnection, sql: str, params: dict[str, Any]) -> list[dict]:
    # DuckDB refuses parameters a query does not name: pass each query its own.
    cursor = con.execute(sql, {k: v for k, v in params.items() if f"${k}" in sql})
    names = [d[0] for d in cursor.description]
    return [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]


def _month_start(month: str) -> dt.date:
    return dt.date.fromisoformat(f"{month}-01")


def _previous(month: dt.date) -> dt.date:
    return (month - dt.timedelta(days=1)).replace(day=1)


def _cut_off(month: dt.date) -> dt.date:
    following = (month.replace(day=28) + dt.timedelta(days=4)).replace(day=1)
    return following - dt.timedelta(days=1)


def gather(path: Path, month: str, lang: str) -> dict[str, Any]:
    """Everything the report shows for `month`, read from the warehouse at `path`."""
    start = _month_start(month)
    params = {"m": start, "p": _previous(start), "lang": lang}
    con = duckdb.connect(str(path), read_only=True)
    try:
        province = _rows(con, """
            select month_date, overall_score, pillar_1_score, pillar_2_score, pillar_3_score,
                grade_code, case when $lang = 'vi' then grade_name_vi else grade_name_en end
                    as grade_name
            from marts.mart_pillar_scores
            where entity_type = 'province' and month_date in ($m, $p)
            order by month_date desc
            """, params)
        grades = _rows(con, """
            select grades.grade_code,
                case when $lang = 'vi' then grades.grade_name_vi else grades.grade_name_en end
                    as grade_name,
                count(*) filter (where board.month_date = $m) as units,
                count(*) filter (where board.month_date = $p) as previous_units
            from marts.dim_grade as grades
            left join marts.mart_leader_board as board
                on board.grade_code = grades.grade_code and board.month_date in ($m, $p)
            group by all
            order by any_value(rank_order)
            """, params)
        warnings = _rows(con, """
            select warning_code, red_records, watch_records, red_change, watch_change
            from marts.mart_red_warning_summary
            where entity_type = 'province' and month_date = $m
            order by warning_code
            """, params)
        records = _rows(con, """
            with postings as (
                select official_code, any_value(official_name) as official_name
                from marts.dim_official group by official_code
            )
            select warning_code, warning_level, record_title, record_id, unit_name,
                warnings.official_code, postings.official_name, age_days,
                row_number() over (
                    partition by warning_code
                    order by warning_level = 'watch', age_days desc nulls last, record_id
                ) as position,
                count(*) over (partition by warning_code) as records
            from marts.mart_red_warnings as warnings
            left join postings on warnings.official_code = postings.official_code
            where month_date = $m
            qualify position <= $shown
            order by warning_code, position
            """, {**params, "shown": RECORDS_SHOWN})
        board = _rows(con, """
            select overall_rank, unit_code, unit_name, overall_score, pillar_1_score,
                pillar_2_score, pillar_3_score, grade_code, is_capped_by_red_warning,
                case when $lang = 'vi' then grade_name_vi else
                    (select grade_name_en from marts.dim_grade as g
                     where g.grade_code = board.grade_code) end as grade_name,
                red_warnings, watch_warnings
            from marts.mart_leader_board as board
            where month_date = $m
            order by overall_rank, unit_code
            """, params)
        history = _rows(con, """
            select unit_code, month_date, overall_score
            from marts.mart_leader_board
            where month_date > $m - interval 6 month and month_date <= $m
            order by unit_code, month_date
            """, params)
        tasks = _rows(con, """
            select entity_type, entity_code, entity_name, tasks_total, tasks_moving_forward,
                tasks_slow, tasks_stuck, tasks_paused
            from marts.mart_task_progress
            where month_date = $m and entity_type in ('province', 'unit') and tasks_total > 0
            order by entity_type = 'unit', tasks_stuck desc, tasks_slow desc, entity_name
            """, params)
        indicators = _rows(con, """
            select values.entity_code, values.indicator_code,
                case when $lang = 'vi' then indicator_name_vi else indicator_name_en end
                    as indicator_name,
                numerator, denominator, indicator_value, values.target_value, score,
                is_applicable
            from marts.mart_indicator_values as values
            inner join marts.dim_indicator using (indicator_code)
            where month_date = $m and entity_type in ('unit', 'province')
            order by values.entity_code, values.indicator_code
            """, params)
    finally:
        con.close()
    logged = close_log.entries(path)
    closes = [e for e in logged if e["month"] == month]
    if closes:
        # A close of an earlier month that derived this one again ran its suites again: the
        # data basis shows those, the latest, with the month's own close otherwise.
        own = closes[-1]
        rerun = [e for e in logged if e["closed_at"] > own["closed_at"]
                 and month in e["checks"].get("derived_again_expectations", {})]
        if rerun:
            checks = {**own["checks"],
                      "expectations": rerun[-1]["checks"]["derived_again_expectations"][month]}
            closes[-1] = {**own, "checks": checks}
    history_by_unit: dict[str, list[tuple[dt.date, float | None]]] = {}
    for row in history:
        history_by_unit.setdefault(row["unit_code"], []).append(
            (row["month_date"], row["overall_score"]))
    indicators_by_unit: dict[str, list[dict]] = {}
    for row in indicators:
        indicators_by_unit.setdefault(row["entity_code"], []).append(row)
    records_by_warning: dict[str, list[dict]] = {code: [] for code in WARNINGS}
    for row in records:
        records_by_warning[row["warning_code"]].append(row)
    return {
        "month": month, "cut_off": _cut_off(start), "lang": lang,
        "province": province[0] if province else None,
        "province_previous": province[1] if len(province) > 1 else None,
        "grades": grades,
        "warnings": {w["warning_code"]: w for w in warnings},
        "records": records_by_warning,
        "board": board, "history": history_by_unit,
        "tasks": tasks, "indicators": indicators_by_unit,
        "close": closes[-1] if closes else None,
    }


def sparklines(history: dict[str, list[tuple[dt.date, float | None]]],
               codes: list[str]) -> dict[str, str]:
    """A small line of the last months' overall score for each unit, as inline SVG.

    One figure is drawn once and its line moved from unit to unit: building a figure per unit
    costs more than the drawing, and a national board has thousands of units."""
    import matplotlib

    matplotlib.use("Agg")
    from matplotlib import pyplot as plt

    figure, axes = plt.subplots(figsize=(1.2, 0.3), dpi=72)
    (line,) = axes.plot([], [], color="#1f4e79", linewidth=1.2)
    (point,) = axes.plot([], [], "o", color="#1f4e79", markersize=2)
    axes.set_ylim(0, 100)
    axes.axis("off")
    # Scores are drawn at a tenth of a point, finer than the line's pixels: units whose last
    # months round alike share one drawing, which at national scale spares thousands.
    drawings: dict[tuple[float, ...], str] = {}
    drawn = {}
    for code in codes:
        values = tuple(round(v, 1) for _, v in history.get(code, []) if v is not None)
        if values not in drawings:
            line.set_data(range(len(values)), values)
            point.set_data([len(values) - 1] if values else [], values[-1:])
            axes.set_xlim(-0.3, max(len(values) - 1, 1) + 0.3)
            drawings[values] = _svg(figure, close=False)
        drawn[code] = drawings[values]
    plt.close(figure)
    return drawn


def task_chart(rows: list[dict], lab: dict[str, Any]) -> str:
    """Moving forward / slow / stuck per unit, as horizontal stacked bars."""
    import matplotlib

    matplotlib.use("Agg")
    from matplotlib import pyplot as plt

    units = [r for r in rows if r["entity_type"] == "unit"][:25]
    figure, axes = plt.subplots(figsize=(8, 0.28 * len(units) + 0.8), dpi=72)
    names = [r["entity_name"] for r in units][::-1]
    left = [0] * len(units)
    for key, label, colour in (("tasks_moving_forward", lab["moving"], "#4c9a2a"),
                               ("tasks_slow", lab["slow"], "#e0a100"),
                               ("tasks_stuck", lab["stuck"], "#b3261e"),
                               ("tasks_paused", lab["paused"], "#9e9e9e")):
        widths = [r[key] for r in units][::-1]
        axes.barh(names, widths, left=left, color=colour, label=label)
        left = [a + b for a, b in zip(left, widths, strict=True)]
    axes.tick_params(labelsize=7)
    axes.legend(fontsize=7, ncols=4, loc="lower right", frameon=False)
    axes.spines[["top", "right"]].set_visible(False)
    figure.tight_layout()
    return _svg(figure)


def _svg(figure: Any, close: bool = True) -> str:
    from matplotlib import pyplot as plt

    buffer = io.StringIO()
    # No metadata date: the same month renders to the same bytes.
    figure.savefig(buffer, format="svg", metadata={"Date": None})
    if close:
        plt.close(figure)
    text = buffer.getvalue()
    return text[text.index("<svg"):]


NO_VALUE = "\u2013"  # an en dash, as printed tables mark an empty cell


def _number(value: Any, digits: int = 1) -> str:
    if value is None:
        return NO_VALUE
    if isinstance(value, int) or (isinstance(value, float) and value.is_integer() and digits == 0):
        return f"{int(value):,}".replace(",", ".")
    text = f"{value:,.{digits}f}"
    return text.replace(",", " ").replace(".", ",").replace(" ", ".")


def _change(value: Any) -> str:
    if value is None or value == 0:
        return "→"
    return "↑" if value > 0 else "↓"


def _for_print(data: dict[str, Any]) -> dict[str, Any]:
    """The data of a printable report: past PRINTED_UNITS units, the best and the worst half
    of the board, the units with the most stuck tasks, and the pages of the units shown."""
    board = data["board"]
    if len(board) <= PRINTED_UNITS:
        return data
    half = PRINTED_UNITS // 2
    units = [t for t in data["tasks"] if t["entity_type"] == "unit"]
    return {**data, "board": board[:half] + board[-half:], "board_gap": half,
            "board_omitted": len(board) - 2 * half,
            "tasks": [t for t in data["tasks"] if t["entity_type"] != "unit"]
            + units[:PRINTED_UNITS], "tasks_omitted": max(0, len(units) - PRINTED_UNITS)}


def render_html(data: dict[str, Any], lang: str, lines: dict[str, str],
                generated_from: Path) -> str:
    """The report's page from what `gather` read and the units' sparklines."""
    lab = labels(lang)
    environment = Environment(loader=FileSystemLoader(HERE / "templates"),
                              autoescape=select_autoescape(["html", "j2"]),
                              undefined=StrictUndefined, trim_blocks=True, lstrip_blocks=True)
    environment.filters["number"] = _number
    environment.filters["change"] = _change
    environment.filters["date"] = lambda d: d.strftime("%d/%m/%Y") if d else NO_VALUE
    template = environment.get_template("report.html.j2")
    checks = (data["close"] or {}).get("checks", {})
    suites = checks.get("expectations", {})
    passed = [tuple(map(int, s.split()[0].split("/"))) for s in suites.values()]
    return template.render(
        **{"board_gap": None, "board_omitted": 0, "tasks_omitted": 0, **data},
        lab=lab, warning_codes=WARNINGS, grade_colours=GRADE_COLOURS,
        sparklines=lines,
        task_chart=task_chart(data["tasks"], lab),
        checks_line=lab["checks_passed"].format(
            passed=sum(p for p, _ in passed), total=sum(t for _, t in passed),
            suites=len(suites),
            dbt=", ".join(f"{n} {k}" for k, n in sorted(checks.get("dbt_build", {}).items()))),
        generated_from=json.dumps(str(generated_from)),
    )


def chromium() -> str | None:
    return shutil.which("chromium") or shutil.which("chromium-browser")


def print_pdf(html: Path, pdf: Path) -> Path:
    """Print the HTML to PDF with headless Chromium, as a browser would print it."""
    browser = chromium()
    if browser is None:
        raise FileNotFoundError("chromium is not installed: apt-get install chromium")
    with tempfile.TemporaryDirectory() as profile:
        subprocess.run(
            [browser, *CHROMIUM_FLAGS, f"--user-data-dir={profile}", "--no-pdf-header-footer",
             f"--print-to-pdf={pdf}", html.resolve().as_uri()],
            check=True, capture_output=True, timeout=120,
        )
    return pdf


def write_report(path: Path, month: str, lang: str = "vi",
                 out_dir: Path | None = None) -> ReportFiles:
    """Write `YYYY-MM.html` (and `YYYY-MM.en.html` for English) and its PDF beside it."""
    folder = out_dir or reports_dir()
    folder.mkdir(parents=True, exist_ok=True)
    stem = month if lang == "vi" else f"{month}.{lang}"
    html = folder / f"{stem}.html"
    data = gather(path, month, lang)
    lines = sparklines(data["history"], [u["unit_code"] for u in data["board"]])
    page = render_html(data, lang, lines, path)
    pdf = folder / f"{stem}.pdf"
    # Both are written aside and renamed into place together, once the PDF is printed: a close
    # killed while Chromium prints leaves the last report whole, not a new HTML by an old PDF.
    with tempfile.TemporaryDirectory(dir=folder, prefix=".writing-") as scratch:
        pending = Path(scratch) / html.name
        pending.write_text(page, encoding="utf-8")
        if chromium():
            # The PDF shortens a national-size board; a province's prints as it is.
            printed = _for_print(data)
            source = pending
            if printed is not data:
                source = Path(scratch) / f"print-{html.name}"
                source.write_text(render_html(printed, lang, lines, path), encoding="utf-8")
            os.replace(print_pdf(source, Path(scratch) / pdf.name), pdf)
        else:
            pdf.unlink(missing_ok=True)  # an older PDF would not match the new page
        os.replace(pending, html)
    return ReportFiles(html=html, pdf=pdf if pdf.exists() else None)
