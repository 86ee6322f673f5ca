"""Shared fixtures: every test closes into its own landing zone and warehouse folder."""

from __future__ import annotations

import shutil
from collections.abc import Callable
from pathlib import Path

import duckdb
import pytest

FIXTURES = Path(__file__).parent / "fixtures"


@pytest.fixture
def workspace(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A private landing zone and warehouse, so tests never touch the project's own."""
    (tmp_path / "landing").mkdir()
    (tmp_path / "warehouse").mkdir()
    monkeypatch.setenv("KPI_LANDING_DIR", str(tmp_path / "landing"))
    monkeypatch.setenv("KPI_WAREHOUSE_DIR", str(tmp_path / "warehouse"))
    monkeypatch.setenv("KPI_PII_SALT", "test-salt")
    return tmp_path


@pytest.fixture
def land(workspace: Path) -> Callable[[str, str], Path]:
    """Copy a month of a committed landing zone into the workspace; returns its folder."""

    def _land(zone: str, month: str) -> Path:
        target = workspace / "landing" / month
        shutil.copytree(FIXTURES / zone / month, target)
        return target

    return _land


def query(path: Path, sql: str, params: dict | None = None) -> list[tuple]:
    """Rows of a query on a DuckDB file opened read-only, as an analyst would."""
    con = duckdb.connect(str(path), read_only=True)
    try:
        return con.execute(sql, params).fetchall()
    finally:
        con.close()


def close_zone(root: Path, zone: str, months: list[str]) -> Path:
    """Close the months of a committed landing zone, for real, into `root`; return the
    published warehouse."""
    from orchestration.close import run_close

    shutil.copytree(FIXTURES / zone, root / "landing")
    patch = pytest.MonkeyPatch()
    patch.setenv("KPI_LANDING_DIR", str(root / "landing"))
    patch.setenv("KPI_WAREHOUSE_DIR", str(root / "warehouse"))
    patch.setenv("KPI_PII_SALT", "test-salt")
    try:
        for month in months:
            outcome = run_close(month)
            assert outcome.published, outcome.reason
    finally:
        patch.undo()
    return root / "warehouse" / "kpi.duckdb"


@pytest.fixture(scope="session")
def kpi_warehouse(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """February and March of tests/fixtures/landing_kpi closed for real, once per session."""
    return close_zone(tmp_path_factory.mktemp("kpi"), "landing_kpi", ["2026-02", "2026-03"])


@pytest.fixture(scope="session")
def january_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """January of tests/fixtures/landing_tasks closed for real once; tests start from copies."""
    return close_zone(tmp_path_factory.mktemp("january"), "landing_tasks", ["2026-01"]).parent


@pytest.fixture
def january_published(january_template: Path, workspace: Path) -> Path:
    """January published in this test's workspace, with January and February landed."""
    shutil.copytree(january_template, workspace / "warehouse", dirs_exist_ok=True)
    for month in ("2026-01", "2026-02"):
        shutil.copytree(FIXTURES / "landing_tasks" / month, workspace / "landing" / month)
    return workspace / "warehouse" / "kpi.duckdb"
