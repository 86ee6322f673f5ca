"""The dbt project keeps the conventions of STYLE.md: every model and column documented, every
model tested with a primary key, checked by dbt-score and dbt-coverage on a real catalogue."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from orchestration.paths import DBT_PROJECT_DIR, PROJECT_DIR

# Shares the session's closed warehouse: kept on one test worker.
pytestmark = pytest.mark.xdist_group("kpi")

BIN = Path(sys.executable).parent


@pytest.fixture(scope="module")
def artifacts(kpi_warehouse: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """`dbt docs generate` on a copy of a closed warehouse's history: manifest and catalogue."""
    work = tmp_path_factory.mktemp("docs")
    database = work / "kpi.duckdb"
    shutil.copyfile(kpi_warehouse.with_name("history.duckdb"), database)
    target = work / "target"
    done = subprocess.run(
        [str(BIN / "dbt"), "docs", "generate", "--vars", '{"close_month": "2026-03"}',
         "--project-dir", str(DBT_PROJECT_DIR), "--profiles-dir", str(DBT_PROJECT_DIR),
         "--target-path", str(target), "--quiet"],
        env={**os.environ, "KPI_BUILD_DB": str(database)},
        capture_output=True, text=True, check=False, timeout=600,
    )
    assert done.returncode == 0, done.stdout[-2000:] + done.stderr[-2000:]
    return target


def test_docs_generate_describes_every_model_source_and_column(artifacts: Path) -> None:
    done = subprocess.run([str(BIN / "dbt-coverage"), "compute", "doc", "--run-artifacts-dir",
                           str(artifacts), "--cov-report", str(artifacts / "coverage.json")],
                          capture_output=True, text=True, check=True, cwd=DBT_PROJECT_DIR)
    total = re.search(r"^Total\s+(\d+)/(\d+)", done.stdout, re.MULTILINE)
    assert total, done.stdout
    assert total.group(1) == total.group(2), done.stdout
    catalog = json.loads((artifacts / "catalog.json").read_text(encoding="utf-8"))
    assert any(key.endswith("mart_leader_board") for key in catalog["nodes"])


def test_every_model_has_tests_and_a_primary_key_test(artifacts: Path) -> None:
    manifest = json.loads((artifacts / "manifest.json").read_text(encoding="utf-8"))
    models = {k for k, n in manifest["nodes"].items() if n["resource_type"] == "model"}
    tested: dict[str, set[str]] = {m: set() for m in models}
    for node in manifest["nodes"].values():
        if node["resource_type"] != "test":
            continue
        name = (node.get("test_metadata") or {}).get("name", "singular")
        for parent in node["depends_on"]["nodes"]:
            if parent in tested:
                tested[parent].add(name)
    untested = sorted(m for m, names in tested.items() if not names)
    assert not untested
    without_key = sorted(m for m, names in tested.items()
                         if not names & {"unique", "unique_combination"})
    assert not without_key


def test_dbt_score_finds_no_unexplained_violation(artifacts: Path) -> None:
    # Exceptions and their reasons are in pyproject.toml, [tool.dbt-score].
    done = subprocess.run([str(BIN / "dbt-score"), "lint", "--manifest",
                           str(artifacts / "manifest.json")], capture_output=True, text=True,
                          check=False, cwd=PROJECT_DIR)
    assert done.returncode == 0, done.stdout[-3000:]
    assert "Project score: 10.0" in re.sub(r"\x1b\[[0-9;]*m", "", done.stdout)
