"""The simulator writes the exact formats of the contracts, the same bytes for the same seed,
and its landing zone closes."""

from __future__ import annotations

import unicodedata
from pathlib import Path

import pytest
from python_calamine import CalamineWorkbook

from orchestration.close import run_close
from orchestration.contracts import load_contracts
from orchestration.simulate.province import simulate_landing_zone
from tests.conftest import query

# Its module fixture closes once: its tests stay on one test worker.
pytestmark = pytest.mark.xdist_group("simulator")


MONTHS = ["2026-01", "2026-02"]


@pytest.fixture(scope="module")
def tiny_zone(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("sim") / "landing"
    simulate_landing_zone(MONTHS, scale="tiny", seed=11, out=out)
    return out


def test_same_seed_same_bytes(tiny_zone: Path, tmp_path: Path) -> None:
    again = tmp_path / "again"
    simulate_landing_zone(MONTHS, scale="tiny", seed=11, out=again)
    files = sorted(p.relative_to(tiny_zone) for p in tiny_zone.rglob("*") if p.is_file())
    assert len(files) == 13 * len(MONTHS)
    for name in files:
        assert (tiny_zone / name).read_bytes() == (again / name).read_bytes(), name


def test_every_export_has_its_contract_headers(tiny_zone: Path) -> None:
    for contract in load_contracts().values():
        path = tiny_zone / "2026-01" / contract.file
        if contract.format == "csv":
            first = path.read_bytes().decode("utf-8-sig").splitlines()[0]
            headers = unicodedata.normalize("NFC", first).split(contract.delimiter)
            assert headers == [c.header for c in contract.columns], contract.file
        else:
            rows = CalamineWorkbook.from_path(str(path)).get_sheet_by_name(
                contract.sheet).to_python()
            assert rows[0][0] == "ỦY BAN NHÂN DÂN TỈNH CAO BẰNG"  # a title row, not the header
            assert [c.header for c in contract.columns] in [list(r) for r in rows]


def test_quirks_of_real_exports_are_present(tiny_zone: Path) -> None:
    raw = b"".join(p.read_bytes() for p in tiny_zone.rglob("*.csv"))
    assert raw.count(b"\xef\xbb\xbf") >= 1, "some files carry a byte-order mark"
    text = raw.decode("utf-8", errors="replace")
    assert text != unicodedata.normalize("NFC", text), "some rows are NFD"
    assert b"\r\n" in raw and b"\n" in raw.replace(b"\r\n", b"")
    dossiers = (tiny_zone / "2026-01" / "ho_so_tthc.csv").read_text(encoding="utf-8-sig")
    assert dossiers.splitlines()[0].count(";") == 13
    disbursement = CalamineWorkbook.from_path(
        str(tiny_zone / "2026-01" / "giai_ngan_dtc.xlsx")).get_sheet_by_name("Giải ngân")
    cells = [c for row in disbursement.to_python() for c in row]
    assert "Tổng cộng" in cells and "I." in cells and "II." in cells
    assert any(isinstance(c, str) and "," in c and c.replace(".", "").replace(",", "").isdigit()
               for c in cells), "money typed as 1.234,5 text"


def test_a_task_keeps_its_identity_across_months(tiny_zone: Path) -> None:
    def tasks(month: str) -> dict[str, str]:
        lines = (tiny_zone / month / "nhiem_vu.csv").read_text(encoding="utf-8-sig")
        import csv
        import io

        return {r[0]: unicodedata.normalize("NFC", r[6]) for r in
                csv.reader(io.StringIO(lines)) if r and r[0].startswith("NV")}

    january, february = tasks("2026-01"), tasks("2026-02")
    carried = set(january) & set(february)
    assert len(carried) > 10
    # The assignment date of a task never changes from one month's export to the next.
    assert all(january[t] == february[t] for t in carried)


def test_the_simulated_months_close(tiny_zone: Path, workspace: Path,
                                    monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("KPI_LANDING_DIR", str(tiny_zone))
    for month in MONTHS:
        outcome = run_close(month)
        assert outcome.published, outcome.reason
        for row in outcome.load_report:
            assert row["rows_read"] == row["rows_loaded"] + row["rows_quarantined"], row
    history = workspace / "warehouse" / "history.duckdb"
    quarantined = query(history, "select count(*) from raw.quarantine")[0][0]
    assert quarantined > 0, "the simulator writes a small share of bad rows"
    assert query(history, "select count(*) from raw.quarantine") == query(
        history, "select sum(rows_quarantined) from raw.load_report")
