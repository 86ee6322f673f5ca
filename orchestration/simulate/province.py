"""Write a simulated province's landing zone: every export of every month, quirks included.

Same seed, same bytes. The exports look as the systems really write them: Vietnamese headers,
day-first dates, a semicolon file, Excel reports with title, group and total rows, money as
`1.234,5` text in some cells, NFD text in some rows, byte-order marks and CRLF on some files,
multi-line free text, a few exact duplicate rows and a small share of bad rows.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import random
import unicodedata
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from orchestration.contracts import load_contracts
from orchestration.simulate.bulk import (
    UNKNOWN_UNIT,
    DossierColumns,
    draw_dossiers,
    write_dossiers,
    write_ratings,
)
from orchestration.simulate.excel import ReportSheet, write_report_workbook
from orchestration.simulate.records import (
    AdvisoryDraft,
    Dossier,
    IncomingDocument,
    Petition,
    Row,
    Task,
    create_dossier,
)
from orchestration.simulate.world import DAY, Month, Staff, build_staff


@dataclass(frozen=True)
class Scale:
    communes: int
    departments: int
    officials: int
    tasks_per_month: int
    dossiers_per_month: int
    documents_per_month: int
    drafts_per_month: int
    petitions_per_month: int
    projects: int
    bottlenecks_per_month: int
    # Dossiers drawn as numpy columns (bulk.py) rather than one Python object each.
    bulk_dossiers: bool = False


SCALES = {
    "province": Scale(communes=56, departments=15, officials=2000, tasks_per_month=1300,
                      dossiers_per_month=40000, documents_per_month=2000, drafts_per_month=250,
                      petitions_per_month=600, projects=300, bottlenecks_per_month=30),
    # 34 provinces' worth as one register: the volume of the whole country after the 2025
    # reorganisation, in the same formats (one top unit, so the province's totals are the sum).
    "national": Scale(communes=3300, departments=700, officials=70000, tasks_per_month=52000,
                      dossiers_per_month=3_000_000, documents_per_month=75000,
                      drafts_per_month=10000, petitions_per_month=35000, projects=10000,
                      bottlenecks_per_month=1000, bulk_dossiers=True),
    # A few units and records: fast enough for tests of the simulator's formats.
    "tiny": Scale(communes=6, departments=3, officials=60, tasks_per_month=60,
                  dossiers_per_month=400, documents_per_month=40, drafts_per_month=15,
                  petitions_per_month=20, projects=12, bottlenecks_per_month=4),
}


def _headers(export: str) -> list[str]:
    return [c.header for c in load_contracts()[export].columns]


def _days(first: dt.date, last: dt.date) -> list[dt.date]:
    return [first + i * DAY for i in range((last - first).days + 1)]


def _daily(rng: random.Random, per_month: int) -> int:
    """How many records are created on one day, around per_month / 30."""
    mean = per_month / 30.4
    return max(0, int(rng.gauss(mean, mean ** 0.5)))


class Province:
    """Every record of the simulated months and the months before them."""

    def __init__(self, months: list[Month], scale: Scale, seed: int) -> None:
        self.months = months
        self.scale = scale
        self.rng = random.Random(seed)
        rng = self.rng
        self.staff: Staff = build_staff(rng, scale.officials, scale.communes, scale.departments,
                                        months[0], months)
        history = months[0].start - dt.timedelta(days=180)
        self.dossiers_from = months[0].start - dt.timedelta(days=60)
        last = months[-1].end
        self.tasks: list[Task] = []
        self.meetings: list[tuple] = []
        self.conclusions: list[tuple] = []
        self.drafts: list[AdvisoryDraft] = []
        self.documents: list[IncomingDocument] = []
        self.dossiers: list[Dossier] = []
        self.petitions: list[Petition] = []
        for day in _days(history, last):
            for _ in range(_daily(rng, scale.tasks_per_month)):
                self.tasks.append(Task.create(rng, self.staff, len(self.tasks) + 1, day))
            for _ in range(_daily(rng, scale.documents_per_month)):
                self.documents.append(
                    IncomingDocument.create(rng, self.staff, len(self.documents) + 1, day))
            for _ in range(_daily(rng, scale.drafts_per_month)):
                task = rng.choice(self.tasks[-200:]) if self.tasks and rng.random() < 0.7 else None
                self.drafts.append(
                    AdvisoryDraft.create(rng, self.staff, len(self.drafts) + 1, day, task))
            for _ in range(_daily(rng, scale.petitions_per_month)):
                self.petitions.append(Petition.create(rng, self.staff, len(self.petitions) + 1,
                                                      day))
            if day >= self.dossiers_from and not scale.bulk_dossiers:
                for _ in range(_daily(rng, scale.dossiers_per_month)):
                    self.dossiers.append(create_dossier(rng, self.staff, len(self.dossiers) + 1,
                                                        day))
        for month in months:
            self._meetings(month)
        self._projects(history, last)

    def _meetings(self, month: Month) -> None:
        """Meetings of the month, their conclusion items, and the tasks some items became."""
        rng = self.rng
        for unit in self.staff.active_units(month.start):
            count = {"Tỉnh": 6, "Sở, ban, ngành": 2}.get(unit.level, 1)
            for _ in range(count):
                day = month.start + rng.randrange((month.end - month.start).days + 1) * DAY
                meeting_id = f"CH{day:%y%m}-{len(self.meetings) + 1:04d}"
                chair = self.staff.official_at(rng, unit.code, day)
                items = 0 if rng.random() < 0.05 * unit.health else rng.randrange(1, 5)
                notice = f"{rng.randrange(1, 500)}/TB-{unit.code}" if items else None
                self.meetings.append((meeting_id, f"Họp giao ban {unit.name}", day, unit.code,
                                      chair, notice))
                for _ in range(items):
                    due = day + rng.randrange(10, 60) * DAY if rng.random() > 0.06 else None
                    assignee = self.staff.official_at(rng, unit.code, day)
                    task_id = None
                    if due and rng.random() < 0.6:
                        task = Task.create(rng, self.staff, len(self.tasks) + 1,
                                           min(day + rng.randrange(1, 4) * DAY, month.end),
                                           unit=unit.code, meeting_id=meeting_id, due=due)
                        self.tasks.append(task)
                        task_id = task.task_id
                    self.conclusions.append((
                        f"KL{day:%y%m}-{len(self.conclusions) + 1:05d}", meeting_id,
                        "Giao triển khai nội dung kết luận" if rng.random() > 0.03 else None,
                        task_id, unit.code, assignee, due,
                    ))

    def _projects(self, first: dt.date, last: dt.date) -> None:
        """Investment projects with their plan, monthly disbursement, bottlenecks and clearance."""
        rng = self.rng
        self.projects = []
        departments = self.staff.active_units(first, "Sở, ban, ngành")
        communes = [u for u in self.staff.units if u.level == "Xã, phường" and u.valid_to is None]
        for number in range(1, self.scale.projects + 1):
            investor = rng.choice(departments if rng.random() < 0.7 else communes)
            plan = round(rng.uniform(500, 50000), 1)
            pace = rng.uniform(0.6, 1.3)
            dead_quarter = rng.randrange(1, 5) if rng.random() < 0.08 else None
            never = rng.random() < 0.03
            monthly = {}
            for m in range(1, 13):
                quarter = (m - 1) // 3 + 1
                if never or quarter == dead_quarter:
                    monthly[m] = 0.0
                else:
                    monthly[m] = round(plan * 0.95 / 12 * pace * rng.uniform(0.3, 1.7), 1)
            area = round(rng.uniform(2000, 200000), 1) if rng.random() < 0.4 else None
            self.projects.append({
                "code": f"DA{number:04d}", "name": f"Dự án đầu tư công số {number}",
                "investor": investor.code,
                "source": rng.choice(["Vốn ngân sách trung ương", "Vốn ngân sách địa phương"]),
                "plan": plan, "monthly": monthly, "area": area,
                "clear_by": first + rng.randrange(60, 540) * DAY,
                "commune": rng.choice(communes).code,
            })
        self.bottlenecks = []
        for day in _days(first, last):
            for _ in range(_daily(rng, self.scale.bottlenecks_per_month)):
                project = rng.choice(self.projects)
                kind = rng.choices(["Giải phóng mặt bằng", "Thủ tục đầu tư", "Nguồn vốn", "Khác"],
                                   [45, 25, 15, 15])[0]
                unit = project["commune"] if kind == "Giải phóng mặt bằng" else project["investor"]
                due = day + rng.randrange(30, 91) * DAY
                late = rng.random() / self.staff.unit(unit).health
                resolved = (due + rng.randrange(1, 120) * DAY if late < 0.3
                            else day + rng.randrange(5, (due - day).days + 1) * DAY)
                self.bottlenecks.append((f"VM-{len(self.bottlenecks) + 1:05d}", project["code"],
                                         kind, "Vướng mắc trong quá trình thực hiện dự án",
                                         project["commune"], unit, day, due, resolved))

    # --- one month's exports -----------------------------------------------------------------

    def units_rows(self, month: Month) -> list[Row]:
        return [[u.code, u.name, u.level, u.parent, u.valid_from,
                 u.valid_to if u.valid_to and u.valid_to <= month.end else None,
                 u.successor if u.valid_to and u.valid_to <= month.end else None]
                for u in self.staff.units]

    def postings_rows(self, month: Month) -> list[Row]:
        return [[p.official, p.name, p.unit, p.position, p.start,
                 p.end if p.end and p.end <= month.end else None]
                for p in self.staff.postings if p.start <= month.end]

    def meetings_rows(self, month: Month) -> list[Row]:
        return [list(m) for m in self.meetings if month.start <= m[2] <= month.end]

    def conclusions_rows(self, month: Month) -> list[Row]:
        held = {m[0] for m in self.meetings if month.start <= m[2] <= month.end}
        return [list(c) for c in self.conclusions if c[1] in held]

    def ratings_rows(self, month: Month, rng: random.Random) -> list[Row]:
        rows: list[Row] = []
        for dossier in self.dossiers:
            if not dossier.finished or not (month.start <= dossier.finished.date() <= month.end):
                continue
            if rng.random() > 0.3:
                continue
            rated = dossier.finished + dt.timedelta(hours=rng.uniform(0.5, 30))
            if rated > month.cut_off:
                continue
            rating = rng.choices(["Rất hài lòng", "Hài lòng", "Bình thường", "Không hài lòng"],
                                 [60, 28, 8, 4])[0]
            comment = None
            if rng.random() < 0.1:
                comment = rng.choice([
                    "Cán bộ hướng dẫn tận tình",
                    f"Liên hệ chị {self.staff.postings[0].name.split()[-1]} "
                    f"số 09{rng.randrange(10**7, 10**8)} để bổ sung",
                    "Thời gian chờ hơi lâu,\nđề nghị cải thiện",
                ])
            rows.append([dossier.dossier_id, rated, rating, comment])
        return rows

    def sessions_rows(self, month: Month, rng: random.Random) -> list[Row]:
        rows: list[Row] = []
        for unit in self.staff.active_units(month.start):
            for n in range(2 if unit.level == "Xã, phường" else 1):
                day = month.start + (7 + 10 * n + rng.randrange(5)) * DAY
                held: dt.date | None = day
                if rng.random() < 0.05 * unit.health:
                    held = None
                elif rng.random() < 0.05:
                    held = min(month.end, day + rng.randrange(1, 4) * DAY)
                rows.append([f"TCD-{unit.code}-{day:%y%m%d}", unit.code,
                             self.staff.official_at(rng, unit.code, day), day, held,
                             rng.randrange(0, 25) if held else 0])
        return rows

    def disbursement_sheet(self, month: Month, rng: random.Random) -> ReportSheet:
        m = month.start.month
        rows: list[Sequence[object]] = []
        totals = [0.0, 0.0, 0.0]
        for group, source in (("I.", "Vốn ngân sách trung ương"),
                              ("II.", "Vốn ngân sách địa phương")):
            rows.append([group, None, source, None, None, None, None, None, None])
            for number, project in enumerate(
                    [p for p in self.projects if p["source"] == source], start=1):
                in_month = project["monthly"][m]
                ytd = round(sum(project["monthly"][k] for k in range(1, m + 1)), 1)
                rate = round(100 * ytd / project["plan"], 2)
                totals = [totals[0] + project["plan"], totals[1] + in_month, totals[2] + ytd]
                cells: list[object] = [project["plan"], in_month, ytd]
                # Some cells are typed in as text the Vietnamese way: 1.234,5
                cells = [_vn_number(v) if rng.random() < 0.1 else v for v in cells]
                rows.append([str(number), project["code"], project["name"], project["investor"],
                             source, *cells, rate])
        return ReportSheet(
            name="Giải ngân",
            titles=["ỦY BAN NHÂN DÂN TỈNH CAO BẰNG",
                    f"BÁO CÁO TÌNH HÌNH GIẢI NGÂN VỐN ĐẦU TƯ CÔNG THÁNG {m:02d}/{month.start.year}",
                    "Đơn vị tính: triệu đồng"],
            headers=_headers("giai_ngan_dtc"), rows=rows,
            total=["Tổng cộng", None, None, None, None, *(round(t, 1) for t in totals), None],
        )

    def bottleneck_sheets(self, month: Month, rng: random.Random) -> list[ReportSheet]:
        rows: list[Sequence[object]] = []
        for b in self.bottlenecks:
            if b[6] > month.end or b[8] < month.start:
                continue
            resolved = b[8] if b[8] <= month.end else None
            row = [*b[:8], resolved]
            # Dates arrive as real date cells, as text, or now and then as Excel serials.
            row[6] = _excel_date(row[6], rng)
            rows.append(row)
        progress = []
        for p in self.projects:
            if p["area"] is None:
                continue
            share = min(1.0, max(0.0, 1 - (p["clear_by"] - month.end).days / 540))
            affected = int(p["area"] // 900) + 1
            progress.append([p["code"], p["area"], round(p["area"] * share, 1), affected,
                             int(affected * share)])
        return [
            ReportSheet(name="Vướng mắc",
                        titles=["ỦY BAN NHÂN DÂN TỈNH CAO BẰNG",
                                f"DANH MỤC VƯỚNG MẮC DỰ ÁN ĐẾN {month.end:%d/%m/%Y}"],
                        headers=_headers("vuong_mac"), rows=rows),
            ReportSheet(name="Tiến độ GPMB",
                        titles=["ỦY BAN NHÂN DÂN TỈNH CAO BẰNG",
                                f"TIẾN ĐỘ GIẢI PHÓNG MẶT BẰNG ĐẾN {month.end:%d/%m/%Y}"],
                        headers=_headers("tien_do_gpmb"), rows=progress),
        ]


def _vn_number(value: float) -> str:
    whole, _, decimals = f"{value:,.1f}".partition(".")
    return whole.replace(",", ".") + ("," + decimals if decimals != "0" else "")


def _excel_date(day: dt.date, rng: random.Random) -> object:
    roll = rng.random()
    if roll < 0.1:
        return day.strftime("%d/%m/%Y")
    if roll < 0.13:
        return (day - dt.date(1899, 12, 30)).days
    return day


# --- CSV writing with the systems' quirks --------------------------------------------------

def _cell(value: object, seconds: bool) -> str:
    if value is None:
        return ""
    if isinstance(value, dt.datetime):
        return value.strftime("%d/%m/%Y %H:%M:%S" if seconds else "%d/%m/%Y %H:%M")
    if isinstance(value, dt.date):
        return value.strftime("%d/%m/%Y")
    return str(value)


def _spoil(rows: list[list[str]], rng: random.Random, headers: list[str], share: float) -> None:
    """Break a small share of rows the way real exports break: impossible dates, unknown units."""
    date_columns = [i for i, h in enumerate(headers) if h.startswith(("Ngày", "Hạn"))]
    unit_columns = [i for i, h in enumerate(headers) if h.startswith(("Đơn vị", "Cơ quan giải"))]
    # At least one bad row wherever bad rows are wanted, even in a small export.
    for _ in range(max(1, round(len(rows) * share))):
        row = rows[rng.randrange(len(rows))]
        if date_columns and rng.random() < 0.5:
            row[rng.choice(date_columns)] = rng.choice(["31/02/2026", "2026-13-45", "00/00/0000"])
        elif unit_columns:
            row[rng.choice(unit_columns)] = UNKNOWN_UNIT


def write_csv(path: Path, headers: list[str], rows: Sequence[Row], rng: random.Random,
              delimiter: str = ",", seconds: bool = False, spoil: float = 0.0,
              duplicates: float = 0.0) -> None:
    text_rows = [[_cell(v, seconds) for v in row] for row in rows]
    if spoil and text_rows:
        _spoil(text_rows, rng, headers, spoil)
    for _ in range(max(1, round(len(text_rows) * duplicates)) if duplicates and text_rows else 0):
        text_rows.insert(rng.randrange(len(text_rows)), list(text_rows[rng.randrange(
            len(text_rows))]))
    for row in text_rows:
        if rng.random() < 0.03:  # some rows come out of the system decomposed (NFD)
            row[:] = [unicodedata.normalize("NFD", v) for v in row]
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=delimiter,
                        lineterminator="\r\n" if rng.random() < 0.5 else "\n")
    writer.writerow(headers)
    writer.writerows(text_rows)
    bom = "\ufeff" if rng.random() < 0.4 else ""
    path.write_bytes((bom + buffer.getvalue()).encode("utf-8"))


def simulate_landing_zone(months: list[str], scale: str, seed: int, out: Path) -> int:
    """Write every export of every month under `out/YYYY-MM/`; returns how many files."""
    month_list = [Month(m) for m in months]
    province = Province(month_list, SCALES[scale], seed)
    dossiers: DossierColumns | None = None
    written = 0
    for month in month_list:
        folder = out / month.key
        folder.mkdir(parents=True, exist_ok=True)
        # One generator per month and file, so a month's bytes do not depend on other months.
        rng = random.Random(f"{seed}-{month.key}")
        exports: list[tuple[str, Callable[[Month, random.Random], Sequence[Row]],
                            dict[str, object]]] = [
            ("don_vi", lambda m, r: province.units_rows(m), {}),
            ("can_bo", lambda m, r: province.postings_rows(m), {}),
            ("nhiem_vu", lambda m, r: [x for t in province.tasks
                                       if (x := t.state(m, r)) is not None],
             {"spoil": 0.002, "duplicates": 0.001}),
            ("tham_muu", lambda m, r: [x for d in province.drafts for x in d.rows(m)], {}),
            ("van_ban_den", lambda m, r: [x for d in province.documents
                                          if (x := d.state(m)) is not None],
             {"spoil": 0.001}),
            ("cuoc_hop", lambda m, r: province.meetings_rows(m), {}),
            ("ket_luan", lambda m, r: province.conclusions_rows(m), {}),
            ("ho_so_tthc", lambda m, r: [x for d in province.dossiers
                                         if (x := d.state(m, r)) is not None],
             {"delimiter": ";", "seconds": True, "spoil": 0.0005, "duplicates": 0.0005}),
            ("danh_gia_hai_long", province.ratings_rows, {}),
            ("don_thu", lambda m, r: [x for p in province.petitions
                                      if (x := p.state(m)) is not None],
             {"spoil": 0.002, "duplicates": 0.002}),
            ("tiep_cong_dan", province.sessions_rows, {}),
        ]
        contracts = load_contracts()
        if province.scale.bulk_dossiers:
            exports = [e for e in exports if e[0] not in ("ho_so_tthc", "danh_gia_hai_long")]
            if dossiers is None:
                dossiers = draw_dossiers(province.staff, province.dossiers_from,
                                         month_list[-1].end, province.scale.dossiers_per_month,
                                         seed)
            write_dossiers(dossiers, month, _headers("ho_so_tthc"),
                           folder / contracts["ho_so_tthc"].file, seed)
            write_ratings(dossiers, month, _headers("danh_gia_hai_long"),
                          folder / contracts["danh_gia_hai_long"].file, seed,
                          province.staff.postings[0].name.split()[-1])
            written += 2
        for export, rows, options in exports:
            write_csv(folder / contracts[export].file, _headers(export), rows(month, rng), rng,
                      **options)  # type: ignore[arg-type]
            written += 1
        write_report_workbook(folder / contracts["giai_ngan_dtc"].file,
                              [province.disbursement_sheet(month, rng)])
        write_report_workbook(folder / contracts["vuong_mac"].file,
                              province.bottleneck_sheets(month, rng))
        written += 2
    return written


__all__ = ["SCALES", "simulate_landing_zone"]
