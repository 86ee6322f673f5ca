"""Bad input gets a clear message naming file, line and reason, and nothing is lost."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import duckdb
import pytest

from orchestration.contracts import load_contracts
from orchestration.extract.load import ensure_raw_schema, load_export

HEADER = ("Mã nhiệm vụ,Trích yếu,Văn bản giao,Mã cuộc họp,Đơn vị chủ trì,Cán bộ phụ trách,"
          "Ngày giao,Hạn hoàn thành,Hạn sau gia hạn,Ngày hoàn thành,Trạng thái,Tiến độ (%),"
          "Cập nhật lần cuối")


def _load(month_dir: Path, exports: list[str]) -> tuple[duckdb.DuckDBPyConnection, dict]:
    contracts = load_contracts()
    con = duckdb.connect()
    ensure_raw_schema(con, contracts)
    results = {e: load_export(con, contracts[e], month_dir, "2026-01", "salt") for e in exports}
    return con, results


def test_bad_date_unknown_unit_and_duplicate_row_are_quarantined_with_their_line(
    land: Callable[[str, str], Path],
) -> None:
    month_dir = land("landing_tasks", "2026-01")
    (month_dir / "nhiem_vu.csv").write_text("\n".join([
        HEADER,
        "A1,Việc tốt,1/TB,,H10.01,CB001,05/01/2026,20/01/2026,,,Đang thực hiện,10,05/01/2026 08:00",
        "A2,Ngày sai,1/TB,,H10.01,CB001,31/02/2026,20/01/2026,,,Đang thực hiện,10,",
        "A3,Đơn vị lạ,1/TB,,H10.77,CB001,05/01/2026,20/01/2026,,,Đang thực hiện,10,",
        "A1,Việc tốt,1/TB,,H10.01,CB001,05/01/2026,20/01/2026,,,Đang thực hiện,10,05/01/2026 08:00",
        "A4,Trùng khóa,1/TB,,H10.01,CB001,05/01/2026,,,,Đang thực hiện,10,",
        "A4,Trùng khóa khác,1/TB,,H10.02,CB002,05/01/2026,,,,Đang thực hiện,10,",
        "A5,Thiếu cột,1/TB",
    ]) + "\n", encoding="utf-8")
    con, results = _load(month_dir, ["don_vi", "can_bo", "nhiem_vu"])
    result = results["nhiem_vu"]
    assert (result.rows_read, result.rows_loaded, result.rows_quarantined) == (7, 1, 6)
    assert result.rows_read == result.rows_loaded + result.rows_quarantined
    assert result.duplicates == 1
    assert con.execute("select task_id, _line from raw.nhiem_vu").fetchall() == [("A1", 2)]
    quarantine = con.execute(
        "select file, line, field, reason from raw.quarantine order by line").fetchall()
    assert quarantine == [
        ("nhiem_vu.csv", 3, "assigned_date",
         "assigned_date (Ngày giao): '31/02/2026' is not a date dd/mm/yyyy"),
        ("nhiem_vu.csv", 4, "unit_code",
         "unit_code (Đơn vị chủ trì): unit 'H10.77' is not in the staff register"),
        ("nhiem_vu.csv", 5, None, "exact duplicate of line 2"),
        ("nhiem_vu.csv", 6, "task_id",
         "task_id A4 appears on lines 6, 7 with different content"),
        ("nhiem_vu.csv", 7, "task_id",
         "task_id A4 appears on lines 6, 7 with different content"),
        ("nhiem_vu.csv", 8, None,
         "unreadable row: Expected Number of Columns: 13 Found: 3"),
    ]


def test_missing_header_stops_the_source_and_names_it(land: Callable[[str, str], Path]) -> None:
    month_dir = land("landing_tasks", "2026-01")
    path = month_dir / "van_ban_den.csv"
    path.write_text(path.read_text(encoding="utf-8").replace("Hạn trả lời,", ""),
                    encoding="utf-8")
    con, results = _load(month_dir, ["don_vi", "can_bo", "van_ban_den"])
    result = results["van_ban_den"]
    assert result.status == "stopped"
    assert result.message == "van_ban_den.csv: missing header(s) 'Hạn trả lời'"
    assert con.execute("select count(*) from raw.van_ban_den").fetchone() == (0,)


def test_missing_file_stops_the_source(land: Callable[[str, str], Path]) -> None:
    month_dir = land("landing_tasks", "2026-01")
    (month_dir / "don_thu.csv").unlink()
    _, results = _load(month_dir, ["don_vi", "can_bo", "don_thu"])
    assert results["don_thu"].message == "don_thu.csv: file is missing from 2026-01/"


def test_nfd_headers_bom_crlf_and_multiline_text_are_read(
    land: Callable[[str, str], Path],
) -> None:
    import unicodedata

    month_dir = land("landing_tasks", "2026-01")
    text = "\r\n".join([
        unicodedata.normalize("NFD", HEADER),
        'B1,"Dòng một\r\ndòng hai",1/TB,,H10.01,CB001,05/01/2026,,,,'
        + unicodedata.normalize("NFD", "Đang thực hiện") + ",10,05/01/2026 08:00:30",
        "B2,Việc,1/TB,,X01,,05/01/2026,,,,Chưa thực hiện,0,",
    ]) + "\r\n"
    (month_dir / "nhiem_vu.csv").write_bytes(b"\xef\xbb\xbf" + text.encode("utf-8"))
    con, results = _load(month_dir, ["don_vi", "can_bo", "nhiem_vu"])
    assert results["nhiem_vu"].rows_loaded == 2
    rows = con.execute(
        "select task_id, title, status, updated_at::varchar, _line from raw.nhiem_vu "
        "order by task_id").fetchall()
    assert rows == [
        ("B1", "Dòng một\r\ndòng hai", "in_progress", "2026-01-05 08:00:30", 2),
        ("B2", "Việc", "not_started", None, 3),
    ]


def test_loading_a_month_twice_replaces_it(land: Callable[[str, str], Path]) -> None:
    month_dir = land("landing_tasks", "2026-01")
    contracts = load_contracts()
    con = duckdb.connect()
    ensure_raw_schema(con, contracts)
    for _ in range(2):
        for export in ("don_vi", "can_bo", "nhiem_vu"):
            load_export(con, contracts[export], month_dir, "2026-01", "salt")
    assert con.execute("select count(*) from raw.nhiem_vu").fetchone() == (13,)
    assert con.execute("select count(*) from raw.load_report").fetchone() == (3,)


def test_excel_report_skips_titles_groups_and_total_and_parses_money(
    land: Callable[[str, str], Path],
) -> None:
    month_dir = land("landing_tasks", "2026-01")
    con, results = _load(month_dir, ["don_vi", "can_bo", "giai_ngan_dtc", "tien_do_gpmb"])
    assert results["giai_ngan_dtc"].rows_read == 1
    assert results["giai_ngan_dtc"].layout_rows_skipped == 2  # group row I. and the total row
    assert con.execute(
        "select project_code, investor_unit_code, annual_plan::double, disbursed_ytd::double, "
        "_line from raw.giai_ngan_dtc").fetchall() == [("DA001", "H10.02", 1200.0, 100.0, 7)]
    # 12.500,5 typed as text in the sheet is twelve thousand five hundred and a half.
    assert con.execute("select area_required_m2 from raw.tien_do_gpmb").fetchone() == (12500.5,)


@pytest.mark.parametrize(("text", "expected"), [
    ("1.234.567,5", 1234567.5), ("1234,5", 1234.5), ("1.250", 1250.0), ("12", 12.0),
])
def test_vietnamese_numbers(text: str, expected: float) -> None:
    from orchestration.extract.load import NUMBER_PATTERN

    con = duckdb.connect()
    value = con.execute(
        "select case when regexp_full_match($t, $p) "
        "then replace(replace($t, '.', ''), ',', '.')::double end",
        {"t": text, "p": NUMBER_PATTERN[1:-1]},
    ).fetchone()[0]
    assert value == expected
