"""The operator's view: the Dagster webserver on loopback, opened in headless Chromium, shows
the close's assets, their checks, the schedule and the sensor."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Page, sync_playwright
from playwright.sync_api import TimeoutError as PlaywrightTimeout

from orchestration.paths import PROJECT_DIR
from orchestration.report.build import CHROMIUM_FLAGS, chromium

# Its module fixture starts one webserver: its tests stay on one test worker.
pytestmark = pytest.mark.xdist_group("ui")


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def webserver(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    home = tmp_path_factory.mktemp("dagster_home")
    port = _free_port()
    log = (home / "webserver.log").open("w")
    process = subprocess.Popen(
        [str(Path(sys.executable).parent / "dagster-webserver"), "-h", "127.0.0.1",
         "-p", str(port), "-m", "orchestration.definitions"],
        cwd=PROJECT_DIR, env={**os.environ, "DAGSTER_HOME": str(home)},
        stdout=log, stderr=subprocess.STDOUT,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 180
        while True:
            try:
                with urllib.request.urlopen(f"{url}/server_info", timeout=2):
                    break
            except OSError:
                if process.poll() is not None or time.monotonic() > deadline:
                    pytest.fail((home / "webserver.log").read_text()[-2000:])
                time.sleep(1)
        yield url
    finally:
        process.terminate()
        process.wait(timeout=30)
        log.close()


@pytest.fixture(scope="module")
def page(webserver: str) -> Iterator[Page]:
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=chromium(), args=[f for f in CHROMIUM_FLAGS if f != "--headless"])
        yield browser.new_page(viewport={"width": 1400, "height": 1000})
        browser.close()


def _shows(page: Page, url: str, *texts: str, shot: Path | None = None) -> None:
    page.goto(url)
    skip = page.get_by_role("button", name="Skip")
    try:  # the first visit greets with a newsletter dialog
        skip.wait_for(timeout=5_000)
        skip.click()
    except PlaywrightTimeout:
        pass
    for text in texts:
        page.get_by_text(text, exact=False).first.wait_for(timeout=60_000)
    if shot:
        page.screenshot(path=str(shot))


def test_the_ui_shows_the_close_assets(page: Page, webserver: str, tmp_path: Path) -> None:
    _shows(page, f"{webserver}/assets", "leaders_report", "dim_indicator",
           shot=tmp_path / "catalogue.png")
    for key in ("published_warehouse", "warehouse_build", "raw/nhiem_vu",
                "marts/mart_leader_board"):
        _shows(page, f"{webserver}/assets/{key}", key.split("/")[-1])
    assert (tmp_path / "catalogue.png").stat().st_size > 10_000


def test_the_ui_shows_an_exports_checks(page: Page, webserver: str) -> None:
    _shows(page, f"{webserver}/assets/raw/nhiem_vu?view=checks", "expectations_nhiem_vu")


def test_the_ui_shows_the_schedule_and_the_sensor(page: Page, webserver: str) -> None:
    _shows(page, f"{webserver}/automation", "monthly_close_on_the_3rd", "complete_landing_month")
