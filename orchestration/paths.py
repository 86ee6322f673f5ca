"""Where the project keeps its files; every path can be moved with an environment variable."""

from __future__ import annotations

import os
from pathlib import Path

PROJECT_DIR = Path(__file__).resolve().parent.parent


def _dir(env: str, default: Path) -> Path:
    return Path(os.environ[env]).resolve() if os.environ.get(env) else default


CONTRACTS_DIR = PROJECT_DIR / "sources" / "contracts"
REFERENCE_DIR = PROJECT_DIR / "sources" / "reference"
DBT_PROJECT_DIR = PROJECT_DIR / "dbt_project"


def landing_dir() -> Path:
    """The landing zone: one folder per month, `YYYY-MM/`, holding that month's exports."""
    return _dir("KPI_LANDING_DIR", PROJECT_DIR / "sources" / "landing")


def warehouse_dir() -> Path:
    """The published warehouse, its build file and its previous version live here."""
    return _dir("KPI_WAREHOUSE_DIR", PROJECT_DIR / "warehouse")


def expectations_dir() -> Path:
    """The Great Expectations suites of the close, `<suite>.yml`, and their `_settings.yml`."""
    return _dir("KPI_EXPECTATIONS_DIR", PROJECT_DIR / "expectations")
