"""Twenty-odd kinds of broken export, each with exactly what it gets.

Every case starts from January of tests/fixtures/landing_tasks, breaks one export the way real
exports break, loads the staff register and that export with the real extract into DuckDB, and
runs the export's Great Expectations suite. Each kind is either read correctly (the value is
asserted), quarantined line by line, stopped with one message, or loaded and then refused by
its suite; in every case rows read = rows loaded + rows quarantined. The README's table "What
bad input gets" lists the same kinds, and a test keeps the two in step. Whether a blocked
source leaves the published warehouse unchanged is proven by whole closes in test_gate.py and
test_publish.py.
"""

from __future__ import annotations

import codecs
import datetime as dt
import hashlib
import shutil
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import duckdb
import pytest

from orchestration.checks.suites import run_suite
from orchestration.contracts import load_contracts
from orchestration.extract.load import ensure_raw_schema, load_export
from orchestration.paths import PROJECT_DIR
from orchestration.simulate.excel import ReportSheet, write_report_workbook
from tests.conftest import FIXTURES
from tests.fixtures.make_workbooks import (
    BOTTLENECK_HEADERS,
    CLEARANCE_HEADERS,
    DISBURSEMENT_HEADERS,
)

MONTH = "2026-01"
SALT = "salt"
TASKS = "nhiem_vu.csv"


def _headers(export: str) -> str:
    return ",".join(c.header for c in load_contracts()[export].columns)


def _edit(folder: Path, name: str, old: str, new: str) -> None:
    path = folder / name
    text = path.read_text(encoding="utf-8")
    assert old in text, f"{old!r} not in {name}"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def _write(folder: Path, name: str, export: str, rows: list[str]) -> None:
    (folder / name).write_text("\n".join([_headers(export), *rows]) + "\n", encoding="utf-8")


def _disbursement(folder: Path, rows: list[list[object]], titles: int = 3) -> None:
    write_report_workbook(folder / "giai_ngan_dtc.xlsx", [ReportSheet(
        name="Giải ngân",
        titles=["ỦY BAN NHÂN DÂN TỈNH CAO BẰNG", "BÁO CÁO GIẢI NGÂN VỐN ĐẦU TƯ CÔNG THÁNG 01/2026",
                "Đơn vị tính: triệu đồng", "(Số liệu đến ngày 31/01/2026)"][:titles],
        headers=DISBURSEMENT_HEADERS, rows=rows,
    )])


def _bottlenecks(folder: Path, reported: object) -> None:
    write_report_workbook(folder / "vuong_mac_du_an.xlsx", [
        ReportSheet(name="Vướng mắc", titles=["DANH MỤC VƯỚNG MẮC DỰ ÁN"],
                    headers=BOTTLENECK_HEADERS,
                    rows=[["VM1", "DA001", "Giải phóng mặt bằng", "Chưa thống nhất giá",
                           "X01", "X01", reported, "20/02/2026", None]]),
        ReportSheet(name="Tiến độ GPMB", titles=["TIẾN ĐỘ GPMB"], headers=CLEARANCE_HEADERS),
    ])


def _petitions(folder: Path, id_number: str) -> None:
    _write(folder, "don_thu.csv", "don_thu", [
        f"P1,05/01/2026,Khiếu nại,Đất đai,Nguyễn Văn Canary,{id_number},Tổ 1,X01,CB003,"
        "04/02/2026,,Đang giải quyết",
    ])


# Windows-1258 has letters with a circumflex, breve or horn, but writes tone marks as separate
# combining characters after them.
LETTER_MARKS = {"\u0302", "\u0306", "\u031b"}


def _as_cp1258(text: str) -> bytes:
    out = []
    for char in unicodedata.normalize("NFC", text):
        base, *marks = unicodedata.normalize("NFD", char)
        letter = unicodedata.normalize(
            "NFC", base + "".join(m for m in marks if m in LETTER_MARKS))
        out.append(letter + "".join(m for m in marks if m not in LETTER_MARKS))
    return "".join(out).encode("cp1258")


def _cp1258(folder: Path) -> None:
    (folder / TASKS).write_bytes(_as_cp1258((folder / TASKS).read_text(encoding="utf-8")))


def _mixed_encodings(folder: Path) -> None:
    header, body = (folder / TASKS).read_text(encoding="utf-8").split("\n", 1)
    (folder / TASKS).write_bytes(header.encode("utf-8") + b"\n" + _as_cp1258(body))


def _utf16(folder: Path) -> None:
    text = (folder / TASKS).read_text(encoding="utf-8")
    (folder / TASKS).write_bytes(codecs.BOM_UTF16_LE + text.encode("utf-16-le"))


def _bom(folder: Path) -> None:
    (folder / TASKS).write_bytes(codecs.BOM_UTF8 + (folder / TASKS).read_bytes())


def _nfd(folder: Path) -> None:
    text = (folder / TASKS).read_text(encoding="utf-8")
    (folder / TASKS).write_text(unicodedata.normalize("NFD", text), encoding="utf-8")


def _title_row(folder: Path) -> None:
    text = (folder / TASKS).read_text(encoding="utf-8")
    (folder / TASKS).write_text("DANH SÁCH NHIỆM VỤ THÁNG 01/2026\n" + text, encoding="utf-8")


def _drop_header(folder: Path) -> None:
    _edit(folder, TASKS, "Hạn hoàn thành,", "")
    # The rows keep their cells: only the header lost its name.
    _edit(folder, TASKS, "Ngày giao,", "Ngày giao,Hạn hoàn thành,")
    _edit(folder, TASKS, "Mã nhiệm vụ,", "Mã NV,")


def _cut_short(folder: Path) -> None:
    """The copy stopped in the middle of the last record: no newline after it."""
    data = (folder / TASKS).read_bytes()
    (folder / TASKS).write_bytes(data[:-40])


def _petitions_with_phone(folder: Path) -> None:
    _petitions(folder, "001234567890")
    path = folder / "don_thu.csv"
    header, row = path.read_text(encoding="utf-8").splitlines()
    path.write_text(f"{header},Số điện thoại\n{row.rstrip(',')},0912345678\n",
                    encoding="utf-8")


def _last_month_file(folder: Path) -> None:
    shutil.copyfile(FIXTURES / "landing_tasks" / "2026-02" / TASKS, folder / TASKS)


@dataclass(frozen=True)
class Case:
    kind: str
    export: str
    mutate: Callable[[Path], None]
    # One of: a query and its rows (read correctly), quarantined (line, reason) pairs, the
    # message of a stopped source, or the failures of the export's suite.
    query: tuple[str, list[tuple]] | None = None
    quarantined: list[tuple[int, str]] = field(default_factory=list)
    stopped: str | None = None
    suite_failures: list[str] = field(default_factory=list)


def _hash(text: str) -> str:
    return hashlib.sha256((SALT + text).encode()).hexdigest()


CASES = [
    Case("UTF-16 file", "nhiem_vu", _utf16,
         query=("select count(*), max(title) filter (where task_id = 'T01') "
                "from raw.nhiem_vu", [(13, "Rà soát biên chế quý I")])),
    Case("Windows-1258 file", "nhiem_vu", _cp1258,
         query=("select title, status, (select message from raw.load_report "
                "where export = 'nhiem_vu') from raw.nhiem_vu where task_id = 'T01'",
                [("Rà soát biên chế quý I", "completed", "read as Windows-1258")])),
    Case("UTF-8 header over a body in another encoding", "nhiem_vu", _mixed_encodings,
         stopped="nhiem_vu.csv: line 2 is not UTF-8 text"),
    Case("byte-order mark", "nhiem_vu", _bom,
         query=("select count(*) from raw.nhiem_vu where task_id like 'T%'", [(13,)])),
    Case("NFD text", "nhiem_vu", _nfd,
         query=("select title, status from raw.nhiem_vu where task_id = 'T01'",
                [("Rà soát biên chế quý I", "completed")])),
    Case("impossible date (31/02)", "nhiem_vu",
         lambda f: _edit(f, TASKS, "T03,Lập dự toán bổ sung,15/TB-UBND,,H10.02,CB002,10/01/2026,"
                         "28/02/2026", "T03,Lập dự toán bổ sung,15/TB-UBND,,H10.02,CB002,"
                         "10/01/2026,31/02/2026"),
         quarantined=[(4, "due_date (Hạn hoàn thành): '31/02/2026' is not a date dd/mm/yyyy")]),
    Case("date in another order (ISO, month first)", "nhiem_vu",
         lambda f: (_edit(f, TASKS, "10/01/2026,28/02/2026", "2026-01-10,28/02/2026"),
                    _edit(f, TASKS, "05/01/2026,31/01/2026", "01/31/2026,31/01/2026")),
         quarantined=[
             (4, "assigned_date (Ngày giao): '2026-01-10' is not a date dd/mm/yyyy"),
             (11, "assigned_date (Ngày giao): '01/31/2026' is not a date dd/mm/yyyy"),
         ]),
    Case("day and month without leading zeros", "nhiem_vu",
         lambda f: _edit(f, TASKS, "10/01/2026,28/02/2026", "10/1/2026,28/2/2026"),
         query=("select assigned_date, due_date from raw.nhiem_vu where task_id = 'T03'",
                [(dt.date(2026, 1, 10), dt.date(2026, 2, 28))])),
    Case("Excel serial date", "vuong_mac", lambda f: _bottlenecks(f, 46027),
         query=("select reported_date from raw.vuong_mac", [(dt.date(2026, 1, 5),)])),
    Case("Excel date cell", "vuong_mac", lambda f: _bottlenecks(f, dt.datetime(2026, 1, 5)),
         query=("select reported_date from raw.vuong_mac", [(dt.date(2026, 1, 5),)])),
    Case("money written 1.234.567,5", "giai_ngan_dtc",
         lambda f: _disbursement(f, [["1", "DA001", "Đường", "H10.02", "NSĐP", "1.234.567,5",
                                      "100,5", "100,5", None]]),
         query=("select annual_plan::double, disbursed_in_month::double from raw.giai_ngan_dtc",
                [(1234567.5, 100.5)])),
    Case("misplaced thousand separators", "giai_ngan_dtc",
         lambda f: _disbursement(f, [["1", "DA001", "Đường", "H10.02", "NSĐP", "12.34,5", 100,
                                      100, None],
                                     ["2", "DA002", "Cầu", "H10.02", "NSĐP", "1,234.5", 0, 0,
                                      None]]),
         quarantined=[
             (6, "annual_plan (Kế hoạch vốn năm): '12.34,5' is not a number like 1.234,5"),
             (7, "annual_plan (Kế hoạch vốn năm): '1,234.5' is not a number like 1.234,5"),
         ]),
    Case("negative money", "giai_ngan_dtc",
         lambda f: _disbursement(f, [["1", "DA001", "Đường", "H10.02", "NSĐP", 1200, -5, 100,
                                      None]]),
         quarantined=[(6, "disbursed_in_month (Giải ngân trong tháng): below 0")]),
    Case("project row in a workbook without its code", "giai_ngan_dtc",
         lambda f: _disbursement(f, [["I.", None, "Vốn ngân sách địa phương", None, None, None,
                                      None, None, None],
                                     ["1", None, "Đường", "H10.02", "NSĐP", 1200, 100, 100,
                                      None]]),
         quarantined=[(7, "project_code (Mã dự án): empty")]),
    Case("extra title row in a workbook", "giai_ngan_dtc",
         lambda f: _disbursement(f, [["1", "DA001", "Đường", "H10.02", "NSĐP", 1200, 100, 100,
                                      None]], titles=4),
         query=("select project_code, _line from raw.giai_ngan_dtc", [("DA001", 7)])),
    Case("disbursement year to date that does not reconcile", "giai_ngan_dtc",
         lambda f: _disbursement(f, [["1", "DA001", "Đường", "H10.02", "NSĐP", 1200, 100, 130,
                                      None]]),
         query=("select disbursed_ytd::double from raw.giai_ngan_dtc", [(130.0,)]),
         suite_failures=["giai_ngan_dtc: ytd expect_column_values_to_be_between(ytd_gap) "
                         "failed at giai_ngan_dtc.xlsx line 6"]),
    Case("ID number that lost its leading zeros", "don_thu",
         lambda f: _petitions(f, "1234567890"),
         query=("select petitioner_id_number_hash from raw.don_thu",
                [(_hash("001234567890"),)])),
    Case("ID number with letters", "don_thu", lambda f: _petitions(f, "0012345678AB"),
         quarantined=[(2, "petitioner_id_number (Số định danh): (not shown) is not a "
                          "number of 12 digits")]),
    Case("extra title row in a CSV", "nhiem_vu", _title_row,
         stopped="nhiem_vu.csv: line 1 is not the header row; the header is on line 2 "
                 "(title rows above it?)"),
    Case("missing header", "nhiem_vu",
         lambda f: _edit(f, TASKS, "Hạn sau gia hạn,", ""),
         stopped="nhiem_vu.csv: missing header(s) 'Hạn sau gia hạn'"),
    Case("renamed header", "nhiem_vu", _drop_header,
         stopped="nhiem_vu.csv: missing header(s) 'Mã nhiệm vụ' (found instead: 'Mã NV')"),
    Case("file cut short in the middle of a record", "nhiem_vu", _cut_short,
         stopped="nhiem_vu.csv: line 14, the last, stops in the middle of a record: the file "
                 "was cut short, so rows after it are missing"),
    Case("blank lines inside the file", "nhiem_vu",
         lambda f: _edit(f, TASKS, "\nT03,", "\n\n\nT03,"),
         query=("select (select message from raw.load_report where export = 'nhiem_vu'), "
                "count(*) from raw.nhiem_vu",
                [("2 blank lines skipped, the first after line 3: lines after it are numbered "
                  "as records, without the blank ones", 13)])),
    Case("year typed with a slip (9999)", "nhiem_vu",
         lambda f: _edit(f, TASKS, "10/01/2026,28/02/2026", "10/01/2026,28/02/9999"),
         quarantined=[(4, "due_date (Hạn hoàn thành): '28/02/9999' is outside the years "
                          "1900-2100")]),
    Case("two-digit year", "nhiem_vu",
         lambda f: _edit(f, TASKS, "10/01/2026,28/02/2026", "10/01/26,28/02/2026"),
         quarantined=[(4, "assigned_date (Ngày giao): '10/01/26' is not a date dd/mm/yyyy")]),
    Case("whole number written as a decimal or in scientific form", "nhiem_vu",
         lambda f: (_edit(f, TASKS, "Đang thực hiện,40,", "Đang thực hiện,12.5,"),
                    _edit(f, TASKS, "Đang thực hiện,60,", "Đang thực hiện,6e1,")),
         quarantined=[(4, "progress_pct (Tiến độ (%)): '12.5' is not a whole number"),
                      (5, "progress_pct (Tiến độ (%)): '6e1' is not a whole number")]),
    Case("whole number too large for its type", "nhiem_vu",
         lambda f: _edit(f, TASKS, "Đang thực hiện,40,", "Đang thực hiện,99999999999999999999,"),
         quarantined=[(4, "progress_pct (Tiến độ (%)): (not shown) is too large")]),
    Case("control character (NUL) inside a code", "nhiem_vu",
         lambda f: _edit(f, TASKS, "\nT03,", "\nT\x0003,"),
         quarantined=[(4, "task_id (Mã nhiệm vụ): contains a control character")]),
    Case("phone number written in a task title", "nhiem_vu",
         lambda f: _edit(f, TASKS, "Rà soát biên chế quý I",
                         "Rà soát biên chế quý I (ông Bình 0912 345 678)"),
         query=("select title from raw.nhiem_vu where task_id = 'T01'",
                [("Rà soát biên chế quý I (ông Bình ***)",)])),
    Case("citizen's name typed into a category of a petition", "don_thu",
         lambda f: (_petitions(f, "001234567890"),
                    _edit(f, "don_thu.csv", "Khiếu nại,", "Nguyễn Thị Hoa,")),
         quarantined=[(2, "kind (Loại đơn): (not shown) is not one of: Khiếu nại, Tố cáo, "
                          "Kiến nghị, phản ánh")]),
    Case("unknown column in the petitions export", "don_thu", _petitions_with_phone,
         query=("select _extra_columns::varchar from raw.don_thu",
                [('{"Số điện thoại":null}',)])),
    Case("unterminated quote", "nhiem_vu",
         lambda f: _edit(f, TASKS, "Quyết toán", '"Quyết toán'),
         stopped="nhiem_vu.csv: line 5 opens a quote that never closes, so the rest of the "
                 "file cannot be read"),
    Case("empty file", "nhiem_vu", lambda f: (f / TASKS).write_bytes(b""),
         stopped="nhiem_vu.csv: the file is empty"),
    Case("file of blank space only", "nhiem_vu",
         lambda f: (f / TASKS).write_bytes(b"  \t\r\n\n   \n"),
         stopped="nhiem_vu.csv: the file is empty (blank space only)"),
    Case("file saved with another separator", "nhiem_vu",
         lambda f: (f / TASKS).write_text(
             (f / TASKS).read_text(encoding="utf-8").replace(",", ";"), encoding="utf-8"),
         stopped="nhiem_vu.csv: missing header(s) " + ", ".join(
             f"'{c.header}'" for c in load_contracts()["nhiem_vu"].columns)
         + " (the header line is separated by ';', not ',')"),
    Case("header only", "nhiem_vu",
         lambda f: (f / TASKS).write_text(_headers("nhiem_vu") + "\n", encoding="utf-8"),
         query=("select count(*) from raw.nhiem_vu", [(0,)])),
    Case("row with too few fields", "nhiem_vu",
         lambda f: _edit(f, TASKS, "T07,Đề án đã bãi bỏ,170/TB-UBND,,H10.01,CB001,01/11/2025,"
                         "01/12/2025,,,Hủy,0,02/01/2026 08:00", "T07,Đề án đã bãi bỏ"),
         quarantined=[(8, "unreadable row: Expected Number of Columns: 13 Found: 2")]),
    Case("duplicate key with different content", "nhiem_vu",
         lambda f: _edit(f, TASKS, "T04,Quyết toán", "T03,Quyết toán"),
         quarantined=[(4, "task_id T03 appears on lines 4, 5 with different content"),
                      (5, "task_id T03 appears on lines 4, 5 with different content")]),
    Case("exact duplicate row", "nhiem_vu",
         lambda f: _edit(f, TASKS, "T08,", "T01,Rà soát biên chế quý I,12/TB-UBND,,H10.01,"
                         "CB001,05/01/2026,20/01/2026,,18/01/2026,Hoàn thành,100,18/01/2026 "
                         "16:30\nT08,"),
         quarantined=[(9, "exact duplicate of line 2")]),
    Case("rows dated after the cut-off", "nhiem_vu", lambda f: None,
         query=("select rows_after_cut_off from raw.load_report where export = 'nhiem_vu'",
                [(1,)])),
    Case("file missing from the month", "nhiem_vu", lambda f: (f / TASKS).unlink(),
         stopped="nhiem_vu.csv: file is missing from 2026-01/"),
    Case("unknown enum value", "nhiem_vu",
         lambda f: _edit(f, TASKS, "Tạm dừng", "Tạm hoãn"),
         quarantined=[(9, "status (Trạng thái): 'Tạm hoãn' is not one of: Chưa thực hiện, "
                           "Đang thực hiện, Hoàn thành, Tạm dừng, Hủy")]),
    Case("official not in the register", "nhiem_vu",
         lambda f: _edit(f, TASKS, "H10.02,CB002,10/01/2026", "H10.02,CB999,10/01/2026"),
         quarantined=[(4, "official_code (Cán bộ phụ trách): official 'CB999' is not in the "
                          "staff register")]),
    Case("unit not in the register", "nhiem_vu",
         lambda f: _edit(f, TASKS, "X01,,06/01/2026", "X99,,06/01/2026"),
         quarantined=[(12, "unit_code (Đơn vị chủ trì): unit 'X99' is not in the staff "
                           "register")]),
    Case("due date before assignment", "nhiem_vu",
         lambda f: _edit(f, TASKS, "10/01/2026,28/02/2026", "10/01/2026,28/12/2025"),
         query=("select due_date from raw.nhiem_vu where task_id = 'T03'",
                [(dt.date(2025, 12, 28),)]),
         suite_failures=["nhiem_vu: rows expect_column_pair_values_a_to_be_greater_than_b("
                         "due_date, assigned_date) failed at nhiem_vu.csv line 4"]),
    Case("last month's file sent again", "nhiem_vu", _last_month_file,
         query=("select count(*) from raw.nhiem_vu", [(11,)])),
]


@pytest.mark.parametrize("case", CASES, ids=[c.kind for c in CASES])
def test_each_kind_of_broken_export_gets_exactly_its_outcome(
    case: Case, land: Callable[[str, str], Path],
) -> None:
    folder = land("landing_tasks", MONTH)
    case.mutate(folder)
    contracts = load_contracts()
    con = duckdb.connect()
    ensure_raw_schema(con, contracts)
    for export in ("don_vi", "can_bo", case.export):
        result = load_export(con, contracts[export], folder, MONTH, SALT)
    # Nothing is lost, whatever happened.
    assert result.rows_read == result.rows_loaded + result.rows_quarantined
    if case.stopped:
        assert (result.status, result.message) == ("stopped", case.stopped)
        assert result.rows_loaded == 0
        return
    assert result.status == "loaded"
    quarantined = con.execute(
        "select line, reason from raw.quarantine where export = $e order by line, reason",
        {"e": case.export}).fetchall()
    assert quarantined == case.quarantined
    if case.query:
        sql, rows = case.query
        assert con.execute(sql).fetchall() == rows
    assert run_suite(con, case.export, MONTH).failures == case.suite_failures


def test_the_readme_lists_every_kind() -> None:
    readme = (PROJECT_DIR / "README.md").read_text(encoding="utf-8")
    table = readme.split("## What bad input gets", 1)[1].split("\n## ", 1)[0]
    listed = {line.split("|")[1].strip() for line in table.splitlines()
              if line.startswith("| ") and not line.startswith("| kind")}
    assert {c.kind for c in CASES} <= listed
