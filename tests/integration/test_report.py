"""The leaders' report: written by the close, rendered by headless Chromium, and every key
number it shows equal to the marts' (and, for the province, to the hand derivation of
tests/fixtures/landing_kpi/README.md)."""

from __future__ import annotations

import re
import subprocess
import tempfile
from html.parser import HTMLParser
from pathlib import Path

import pytest
from playwright.sync_api import sync_playwright

from orchestration.report.build import CHROMIUM_FLAGS, chromium, write_report
from tests.conftest import query

# Shares the session's closed warehouse: kept on one test worker.
pytestmark = pytest.mark.xdist_group("kpi")


class Figures(HTMLParser):
    """Text of every element carrying a data-* attribute, keyed by its attributes."""

    def __init__(self) -> None:
        super().__init__()
        self.found: list[tuple[dict[str, str], str]] = []
        self._open: list[tuple[str, dict[str, str], list[str]]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        data = {k: v or "" for k, v in attrs if k.startswith("data-")}
        self._open.append((tag, data, []))

    def handle_endtag(self, tag: str) -> None:
        while self._open:
            open_tag, data, text = self._open.pop()
            if data:
                self.found.append((data, " ".join("".join(text).split())))
            if self._open:
                self._open[-1][2].extend(text)
            if open_tag == tag:
                return

    def handle_data(self, data: str) -> None:
        if self._open:
            self._open[-1][2].append(data)

    def one(self, **attrs: str) -> tuple[dict[str, str], str]:
        hits = [(d, t) for d, t in self.found
                if all(d.get(f"data-{k}") == v for k, v in attrs.items())]
        assert len(hits) == 1, (attrs, hits)
        return hits[0]


def _chromium(*args: str) -> subprocess.CompletedProcess[str]:
    with tempfile.TemporaryDirectory() as profile:
        return subprocess.run([chromium() or "chromium", *CHROMIUM_FLAGS,
                               f"--user-data-dir={profile}", *args],
                              capture_output=True, text=True, timeout=120, check=True)


def _shown(value: float) -> str:
    """How the report prints a score: one decimal, comma as the decimal mark."""
    return f"{value:.1f}".replace(".", ",")


@pytest.fixture(scope="module")
def rendered(kpi_warehouse: Path) -> Figures:
    html = kpi_warehouse.parent / "reports" / "2026-03.html"
    dom = _chromium("--dump-dom", html.as_uri()).stdout
    figures = Figures()
    figures.feed(dom)
    return figures


def test_the_close_writes_the_report_of_each_month(kpi_warehouse: Path) -> None:
    for month in ("2026-02", "2026-03"):
        html = kpi_warehouse.parent / "reports" / f"{month}.html"
        pdf = html.with_suffix(".pdf")
        assert html.exists() and pdf.read_bytes().startswith(b"%PDF")
        # Self-contained: nothing is fetched from anywhere (SVG namespaces are only names).
        text = html.read_text(encoding="utf-8")
        assert re.findall(r'(?:src|href)="(?!#)[^"]*"|url\((?!#)|<script|<link', text) == []


def test_province_figures_equal_the_hand_derivation_and_the_marts(
    rendered: Figures, kpi_warehouse: Path,
) -> None:
    # README: the province's overall score in March is 56.677622, pillars 43.5 / 75.8 / 60.9.
    assert rendered.one(figure="province-overall")[1] == "56,7"
    assert [rendered.one(figure=f"province-pillar-{n}")[1] for n in (1, 2, 3)] == [
        "43,5", "75,8", "60,9"]
    overall, p1 = query(kpi_warehouse,
                        "select overall_score, pillar_1_score from marts.mart_pillar_scores "
                        "where entity_type = 'province' and month_date = '2026-03-01'")[0]
    assert rendered.one(figure="province-overall")[1] == _shown(overall)
    assert rendered.one(figure="province-pillar-1")[1] == _shown(p1)


def test_red_warning_counts_equal_the_summary(rendered: Figures, kpi_warehouse: Path) -> None:
    summary = dict(((code, (red, watch)) for code, red, watch in query(
        kpi_warehouse,
        "select warning_code, red_records, watch_records from marts.mart_red_warning_summary "
        "where entity_type = 'province' and month_date = '2026-03-01'")))
    shown = {}
    for code in (f"R{n}" for n in range(1, 9)):
        data, _ = rendered.one(warning=code)
        shown[code] = (int(data["data-red"]), int(data["data-watch"]))
    assert shown == {code: summary.get(code, (0, 0)) for code in shown}
    assert sum(red for red, _ in shown.values()) == 11  # README: province 11 red


def test_leader_board_and_unit_pages_equal_the_marts(
    rendered: Figures, kpi_warehouse: Path,
) -> None:
    board = query(kpi_warehouse,
                  "select unit_code, overall_rank, overall_score from marts.mart_leader_board "
                  "where month_date = '2026-03-01'")
    for unit, rank, score in board:
        data, text = rendered.one(unit=unit)
        assert data["data-rank"] == (str(rank) if rank is not None else "None")
        if score is not None:
            assert _shown(score) in text
    # README ranks: S03 1, S01 2, X01 3, S02 4.
    ranks = {d["data-unit"]: d["data-rank"] for d, _ in rendered.found if "data-unit" in d}
    assert [ranks[u] for u in ("S03", "S01", "X01", "S02")] == ["1", "2", "3", "4"]
    for unit, indicator, score in query(
            kpi_warehouse,
            "select entity_code, indicator_code, score from marts.mart_indicator_values "
            "where month_date = '2026-03-01' and entity_type = 'unit' and score is not null"):
        data, text = rendered.one(indicator=f"{unit}/{indicator}")
        assert text.endswith(_shown(score)), (unit, indicator, text)


def test_screenshots_of_the_first_page_and_a_unit_page(
    kpi_warehouse: Path, tmp_path: Path,
) -> None:
    html = kpi_warehouse.parent / "reports" / "2026-03.html"
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=chromium(), args=[f for f in CHROMIUM_FLAGS if f != "--headless"])
        page = browser.new_page(viewport={"width": 1280, "height": 1400})
        page.goto(html.as_uri())
        page.screenshot(path=str(tmp_path / "first-page.png"))
        first_page = page.locator("header").inner_text()
        page.goto(f"{html.as_uri()}#unit-S01")
        unit = page.locator("#unit-S01")
        unit.screenshot(path=str(tmp_path / "unit-S01.png"))
        unit_page = unit.inner_text()
        browser.close()
    # What the screenshots show: the province's score on the first page (README: 56.677622);
    # S01's score (README: 53.377924) and its indicators on its page.
    assert "56,7" in first_page and "Báo cáo kết quả thực hiện nhiệm vụ tháng 2026-03" in first_page
    assert "Điểm 53,4" in unit_page and "P1.1" in unit_page
    for name in ("first-page", "unit-S01"):
        png = (tmp_path / f"{name}.png").read_bytes()
        assert png.startswith(b"\x89PNG") and len(png) > 20_000, name


def test_english_report(kpi_warehouse: Path, tmp_path: Path) -> None:
    written = write_report(kpi_warehouse, "2026-03", "en", tmp_path)
    text = written.html.read_text(encoding="utf-8")
    assert "Work results of 2026-03" in text and "The eight red warnings" in text
    assert 'data-figure="province-overall">56,7<' in text
