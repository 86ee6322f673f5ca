"""The contracts of SOURCES.md, as data."""

from __future__ import annotations

import unicodedata

from orchestration.contracts import load_contracts, normalise


def test_every_export_of_the_sources_has_a_contract() -> None:
    contracts = load_contracts()
    assert sorted(c.file for c in contracts.values()) == sorted([
        "don_vi.csv", "can_bo.csv", "nhiem_vu.csv", "tham_muu.csv", "van_ban_den.csv",
        "cuoc_hop.csv", "ket_luan.csv", "ho_so_tthc.csv", "danh_gia_hai_long.csv",
        "giai_ngan_dtc.xlsx", "vuong_mac_du_an.xlsx", "vuong_mac_du_an.xlsx", "don_thu.csv",
        "tiep_cong_dan.csv",
    ])
    # The staff register loads first: every other export is checked against it.
    assert list(contracts)[:2] == ["don_vi", "can_bo"]
    assert contracts["ho_so_tthc"].delimiter == ";"


def test_headers_match_after_nfc_trim_and_case_folding() -> None:
    assert normalise(unicodedata.normalize("NFD", " Ngày Giao ")) == normalise("ngày giao")


def test_personal_data_of_citizens_is_never_stored_as_such() -> None:
    petitions = load_contracts()["don_thu"]
    stored = {c.stored_name for c in petitions.columns}
    assert {"petitioner_name", "petitioner_address", "petitioner_id_number"}.isdisjoint(stored)
    assert "petitioner_id_number_hash" in stored
    ratings = load_contracts()["danh_gia_hai_long"]
    assert "comment" not in {c.stored_name for c in ratings.columns}


def test_dbt_sources_are_written_from_the_contracts() -> None:
    from orchestration.contracts import SOURCES_YAML, render_dbt_sources

    assert SOURCES_YAML.read_text(encoding="utf-8") == render_dbt_sources(), (
        "run `python -m orchestration.contracts` after changing a contract"
    )
