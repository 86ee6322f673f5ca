"""Records of the province's operating systems, each with its whole life decided at creation.

`state(month)` gives the row an export holds for the month, as seen at its cut-off, or None
when the record was not open during the month.
"""

from __future__ import annotations

import datetime as dt
import itertools
import random
from dataclasses import dataclass

from orchestration.simulate.world import DAY, Month, Staff, person_name, working_time

Row = list[object]

TASK_SUBJECTS = ["Rà soát thủ tục hành chính", "Báo cáo kết quả thực hiện", "Xây dựng kế hoạch",
                 "Tham mưu văn bản chỉ đạo", "Kiểm tra tiến độ dự án", "Tổng hợp kiến nghị cử tri",
                 "Triển khai chuyển đổi số", "Quyết toán vốn đầu tư", "Giải quyết tồn đọng",
                 "Sắp xếp tổ chức bộ máy", "Phòng chống thiên tai", "Chương trình nông thôn mới"]
ISSUERS = ["Bộ Tài chính", "Bộ Nội vụ", "Văn phòng Chính phủ", "Tỉnh ủy Cao Bằng",
           "UBND tỉnh Lạng Sơn", "Bộ Xây dựng", "Thanh tra Chính phủ"]


def _text(rng: random.Random, subjects: list[str], number: int) -> str:
    title = f"{rng.choice(subjects)} số {number}"
    if rng.random() < 0.03:
        title += "\ntheo chỉ đạo của UBND tỉnh"  # free text does hold newlines
    return title


def _late(rng: random.Random, health: float) -> float:
    """How a record ends against its deadline: < 0 early, 0-30 late, > 30 very late."""
    roll = rng.random() / health
    if roll < 0.03:
        return rng.uniform(31, 150)
    if roll < 0.16:
        return rng.uniform(1, 30)
    return -rng.uniform(0, 20)


@dataclass
class Task:
    task_id: str
    title: str
    document: str
    meeting_id: str | None
    unit: str
    official: str | None
    assigned: dt.date
    due: dt.date | None
    extended: dt.date | None
    extension_granted: dt.date | None
    completed: dt.date | None
    cancelled: dt.date | None
    paused: tuple[dt.date, dt.date] | None

    @classmethod
    def create(cls, rng: random.Random, staff: Staff, number: int, day: dt.date,
               unit: str | None = None, meeting_id: str | None = None,
               due: dt.date | None = None) -> Task:
        if unit is None:
            unit = staff.unit_for_task(rng, day).code
        health = staff.unit(unit).health
        if due is None and rng.random() > 0.08:
            due = day + rng.randrange(10, 91) * DAY
        extended = granted = None
        if due is not None and rng.random() < 0.10:
            extended = due + rng.randrange(15, 61) * DAY
            granted = due - rng.randrange(0, 6) * DAY
        deadline = extended or due
        completed = cancelled = None
        paused = None
        roll = rng.random()
        if roll < 0.03:
            cancelled = day + rng.randrange(5, 60) * DAY
        else:
            if roll < 0.06:
                start = day + rng.randrange(3, 30) * DAY
                paused = (start, start + rng.randrange(30, 120) * DAY)
            if deadline is None:
                completed = day + rng.randrange(5, 120) * DAY
            else:
                completed = deadline + round(_late(rng, health)) * DAY
                completed = max(completed, day + DAY)
            if paused is not None:
                completed = max(completed, paused[1] + rng.randrange(1, 20) * DAY)
            if rng.random() < 0.02 * health:
                completed = None  # never finished within the simulated months
        return cls(
            task_id=f"NV{day:%y%m}-{number:05d}", title=_text(rng, TASK_SUBJECTS, number),
            document=f"{rng.randrange(1, 400)}/TB-UBND", meeting_id=meeting_id, unit=unit,
            official=staff.official_at(rng, unit, day), assigned=day, due=due,
            extended=extended, extension_granted=granted, completed=completed,
            cancelled=cancelled, paused=paused,
        )

    def state(self, month: Month, rng: random.Random) -> Row | None:
        end = month.end
        if self.assigned > end:
            return None
        finished = self.completed if self.completed and self.completed <= end else None
        late_edit = (self.completed is not None and end < self.completed <= end + 3 * DAY
                     and rng.random() < 0.15)
        if finished and finished < month.start:
            return None
        if self.cancelled and self.cancelled < month.start:
            return None
        if self.cancelled and self.cancelled <= end:
            status, last = "Hủy", self.cancelled
        elif self.paused and self.paused[0] <= end < self.paused[1] and not finished:
            status, last = "Tạm dừng", self.paused[0]
        elif finished or late_edit:
            status, last = "Hoàn thành", self.completed
        else:
            status, last = "Đang thực hiện", min(end, self.assigned + 20 * DAY)
        granted = self.extension_granted is not None and self.extension_granted <= end
        deadline = self.extended if granted else None
        if status == "Hoàn thành":
            progress = 100
        else:
            planned = ((self.extended or self.due or self.assigned + 60 * DAY) - self.assigned).days
            progress = min(95, int(100 * (end - self.assigned).days / max(1, planned)))
        if progress == 0 and status == "Đang thực hiện":
            status = "Chưa thực hiện"
        completed = self.completed if status == "Hoàn thành" else None
        return [self.task_id, self.title, self.document, self.meeting_id, self.unit,
                self.official, self.assigned, self.due, deadline, completed, status, progress,
                working_time(rng, last)]


@dataclass
class AdvisoryDraft:
    advisory_id: str
    task_id: str | None
    unit: str
    official: str | None
    rounds: list[tuple[dt.date, dt.date, str, str | None]]  # submitted, decided, outcome, reason

    @classmethod
    def create(cls, rng: random.Random, staff: Staff, number: int, day: dt.date,
               task: Task | None) -> AdvisoryDraft:
        unit = task.unit if task else rng.choice(staff.active_units(day, "Sở, ban, ngành")).code
        health = staff.unit(unit).health
        rounds = []
        submitted = day
        for round_no in range(1, 6):
            decided = submitted + rng.randrange(2, 16) * DAY
            returned = rng.random() < min(0.9, 0.22 * health * (1 + 0.3 * round_no))
            if returned and round_no < 5:
                reason = rng.choice(["Chưa đủ căn cứ pháp lý", "Cần lấy thêm ý kiến sở ngành",
                                     "Số liệu chưa thống nhất"])
                rounds.append((submitted, decided, "Trả lại", reason))
                submitted = decided + rng.randrange(3, 20) * DAY
            else:
                rounds.append((submitted, decided, "Phê duyệt", None))
                break
        return cls(f"TM-{day:%y%m}-{number:04d}", task.task_id if task else None, unit,
                   staff.official_at(rng, unit, day), rounds)

    def rows(self, month: Month) -> list[Row]:
        out: list[Row] = []
        for round_no, (submitted, decided, outcome, reason) in enumerate(self.rounds, start=1):
            in_month = (month.start <= submitted <= month.end
                        or month.start <= decided <= month.end)
            if not in_month or submitted > month.end:
                continue
            if decided > month.end:
                decided, outcome, reason = None, "Chờ xử lý", None
            out.append([self.advisory_id, self.task_id, self.unit, self.official, round_no,
                        submitted, decided, outcome, reason])
        return out


@dataclass
class IncomingDocument:
    incoming_id: str
    reference: str
    issuer: str
    received: dt.date
    unit: str
    official: str | None
    due: dt.date
    answered: dt.date | None
    urgency: str

    @classmethod
    def create(cls, rng: random.Random, staff: Staff, number: int, day: dt.date
               ) -> IncomingDocument:
        unit = rng.choice(staff.active_units(day)).code
        urgency = rng.choices(["Thường", "Khẩn", "Thượng khẩn", "Hỏa tốc"], [80, 14, 4, 2])[0]
        due = day + {"Thường": 15, "Khẩn": 7, "Thượng khẩn": 3, "Hỏa tốc": 1}[urgency] * DAY
        answered = due + round(_late(rng, staff.unit(unit).health) / 3) * DAY
        return cls(f"{number:06d}", f"{rng.randrange(1, 999)}/{rng.choice(['BTC', 'BNV', 'VPCP'])}"
                   f"-{rng.choice(['KH', 'TH', 'VP'])}", rng.choice(ISSUERS), day, unit,
                   staff.official_at(rng, unit, day), due, max(answered, day), urgency)

    def state(self, month: Month) -> Row | None:
        if self.received > month.end or (self.answered and self.answered < month.start):
            return None
        answered = self.answered if self.answered and self.answered <= month.end else None
        return [self.incoming_id, self.reference, self.issuer, self.received, self.unit,
                self.official, self.due, answered, self.urgency]


@dataclass
class Dossier:
    dossier_id: str
    procedure: tuple[str, str, str, int]  # code, name, domain, days allowed
    unit: str
    official: str | None
    channel: str
    received: dt.datetime
    due: dt.datetime
    finished: dt.datetime | None
    outcome: str
    supplements: int
    delay_cause: str | None
    apology: bool

    def state(self, month: Month, rng: random.Random) -> Row | None:
        cut_off = month.cut_off
        if self.received > cut_off:
            return None
        if self.finished and self.finished.date() < month.start:
            return None
        done = self.finished is not None and self.finished <= cut_off
        late_edit = (not done and self.finished is not None
                     and self.finished <= cut_off + 2 * DAY and rng.random() < 0.1)
        if done or late_edit:
            status, finished = self.outcome, self.finished
        else:
            in_supplement = self.supplements and (cut_off - self.received).days < 4
            status, finished = ("Chờ bổ sung" if in_supplement else "Đang xử lý"), None
        late = (finished or cut_off) > self.due or self.supplements > 1
        cause = self.delay_cause if late else None
        apology = "Có" if late and self.apology else "Không"
        code, name, domain, _ = self.procedure
        return [self.dossier_id, code, name, domain, self.unit, self.official, self.channel,
                self.received, self.due, finished, status, self.supplements, cause, apology]


PROCEDURES = [
    ("1.004227", "Đăng ký biến động quyền sử dụng đất", "Đất đai", 10),
    ("1.001990", "Cấp giấy chứng nhận quyền sử dụng đất lần đầu", "Đất đai", 30),
    ("1.004199", "Chuyển mục đích sử dụng đất", "Đất đai", 15),
    ("2.000889", "Đăng ký khai sinh", "Hộ tịch", 1),
    ("1.001193", "Đăng ký kết hôn", "Hộ tịch", 3),
    ("1.000894", "Chứng thực bản sao từ bản chính", "Chứng thực", 1),
    ("2.001955", "Cấp giấy phép xây dựng nhà ở riêng lẻ", "Xây dựng", 15),
    ("1.001612", "Đăng ký thành lập hộ kinh doanh", "Đăng ký kinh doanh", 3),
    ("1.003596", "Hỗ trợ người có công với cách mạng", "Người có công", 12),
    ("1.005461", "Cấp phép khai thác nước dưới đất", "Tài nguyên nước", 20),
]


PROCEDURE_WEIGHTS = list(itertools.accumulate([12, 4, 3, 20, 8, 25, 6, 8, 3, 1]))


def create_dossier(rng: random.Random, staff: Staff, number: int, day: dt.date) -> Dossier:
    procedure = rng.choices(PROCEDURES, cum_weights=PROCEDURE_WEIGHTS)[0]
    communes = staff.active_units(day, "Xã, phường")
    unit = (rng.choice(communes) if rng.random() < 0.75
            else rng.choice(staff.active_units(day, "Sở, ban, ngành"))).code
    health = staff.unit(unit).health * (1.6 if procedure[2] == "Đất đai" else 1.0)
    received = working_time(rng, day)
    due = received + dt.timedelta(days=procedure[3])
    supplements = rng.choices([0, 1, 2, 3], [85, 11, 3, 1])[0]
    outcome = rng.choices(["Đã trả kết quả", "Từ chối", "Rút hồ sơ"], [95, 3, 2])[0]
    roll = rng.random() / health
    if roll < 0.02:
        finished = due + dt.timedelta(days=rng.uniform(1, 40))
    elif roll < 0.07:
        finished = due + dt.timedelta(hours=rng.uniform(2, 240))
    else:
        finished = received + (due - received) * rng.uniform(0.1, 1.0)
    if rng.random() < 0.005 * health:
        finished = None
    return Dossier(
        dossier_id=f"{unit}-{day:%y%m%d}-{number:05d}", procedure=procedure, unit=unit,
        official=staff.official_at(rng, unit, day),
        channel=rng.choices(["Trực tiếp", "Trực tuyến", "Bưu chính"], [50, 45, 5])[0],
        received=received, due=due, finished=finished, outcome=outcome, supplements=supplements,
        delay_cause=rng.choices(["Chủ quan", "Khách quan", None], [55, 35, 10])[0],
        apology=rng.random() < 0.7,
    )


@dataclass
class Petition:
    petition_id: str
    received: dt.date
    kind: str
    topic: str
    name: str
    id_number: str
    address: str
    unit: str
    official: str | None
    due: dt.date
    resolved: dt.date | None
    outcome: str

    @classmethod
    def create(cls, rng: random.Random, staff: Staff, number: int, day: dt.date) -> Petition:
        kind = rng.choices(["Khiếu nại", "Tố cáo", "Kiến nghị, phản ánh"], [35, 10, 55])[0]
        topic = rng.choices(["Đất đai", "Chế độ chính sách", "Nhũng nhiễu, gây phiền hà", "Khác"],
                            [45, 20, 6, 29])[0]
        unit = rng.choice(staff.active_units(day)).code
        due = day + {"Khiếu nại": 30, "Tố cáo": 60, "Kiến nghị, phản ánh": 15}[kind] * DAY
        resolved = due + round(_late(rng, staff.unit(unit).health)) * DAY
        if rng.random() < 0.03:
            resolved = None
        outcome = rng.choices(["Đã giải quyết", "Chuyển đơn", "Lưu đơn"], [75, 15, 10])[0]
        # Citizen ID numbers start with the province code, often with a leading zero.
        id_number = f"0{rng.randrange(10, 96):02d}{rng.randrange(10**8, 10**9):09d}"
        return cls(f"DT{day:%y%m}-{number:05d}", day, kind, topic, person_name(rng), id_number,
                   f"Tổ {rng.randrange(1, 20)}, {staff.unit(unit).name}, Cao Bằng", unit,
                   staff.official_at(rng, unit, day), due, max(resolved, day) if resolved else None,
                   outcome)

    def state(self, month: Month) -> Row | None:
        if self.received > month.end or (self.resolved and self.resolved < month.start):
            return None
        done = self.resolved is not None and self.resolved <= month.end
        return [self.petition_id, self.received, self.kind, self.topic, self.name, self.id_number,
                self.address, self.unit, self.official, self.due,
                self.resolved if done else None, self.outcome if done else "Đang giải quyết"]
