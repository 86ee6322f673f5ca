"""The simulated province: units, officials and the life of every record, decided once.

Each record is given its whole timeline when it is created (assigned, extended, finished,
cancelled, ...). A month's export is then the state of the records open during that month as
seen at its cut-off, so a task open in March is the same task in April with its later state.
"""

from __future__ import annotations

import csv
import datetime as dt
import itertools
import random
from dataclasses import dataclass, field
from functools import cached_property

from orchestration.paths import REFERENCE_DIR

DAY = dt.timedelta(days=1)

SURNAMES = ["Nông", "Hoàng", "Lục", "Đàm", "Nguyễn", "Bế", "Lương", "Triệu", "Lâm", "Mã", "Hà",
            "Trần", "Lê", "Phạm", "Vi", "La"]
MIDDLE = ["Văn", "Thị", "Đức", "Minh", "Thu", "Ngọc", "Quang", "Hải", "Thanh", "Kim"]
GIVEN = ["An", "Bình", "Cường", "Dung", "Giang", "Hạnh", "Khánh", "Linh", "Mai", "Nam", "Oanh",
         "Phúc", "Quyên", "Sơn", "Tâm", "Uyên", "Vinh", "Xuân", "Yến", "Thắng", "Hùng", "Lan"]
# Names for the communes the reference list lacks (it holds 41 of the 56).
INVENTED_COMMUNES = ["Xã Bản Giốc", "Xã Pác Bó", "Xã Lũng Pán", "Xã Cao Thăng", "Xã Đình Phong",
                     "Xã Vân Trình", "Xã Quang Hán", "Xã Lê Lợi", "Xã Mỹ Hưng", "Xã Hồng Việt",
                     "Xã Bình Dương", "Xã Hạnh Phúc", "Xã Thượng Thôn", "Xã Nà Giàng",
                     "Xã Ngọc Côn", "Xã Vũ Minh", "Xã Đức Hạnh", "Xã Phong Châu"]


@dataclass(frozen=True)
class Month:
    key: str  # YYYY-MM

    @cached_property
    def start(self) -> dt.date:
        return dt.date.fromisoformat(f"{self.key}-01")

    @cached_property
    def end(self) -> dt.date:
        """The cut-off date: the month's last day."""
        nxt = (self.start.replace(day=28) + 4 * DAY).replace(day=1)
        return nxt - DAY

    @cached_property
    def cut_off(self) -> dt.datetime:
        return dt.datetime.combine(self.end, dt.time(23, 59, 59))


@dataclass
class Unit:
    code: str
    name: str
    level: str  # Vietnamese spelling, as exported
    parent: str | None
    valid_from: dt.date
    valid_to: dt.date | None = None
    successor: str | None = None
    health: float = 1.0  # above 1: this unit is late more often

    def active_on(self, day: dt.date) -> bool:
        return self.valid_to is None or day < self.valid_to


@dataclass
class Posting:
    official: str
    name: str
    unit: str
    position: str
    start: dt.date
    end: dt.date | None = None


@dataclass
class Staff:
    units: list[Unit]
    postings: list[Posting]
    by_unit: dict[str, list[Posting]] = field(default_factory=dict)
    _by_code: dict[str, Unit] = field(default_factory=dict)
    _active: dict[tuple[dt.date, str | None], list[Unit]] = field(default_factory=dict)
    _task_weights: dict[dt.date, list[int]] = field(default_factory=dict)

    def __post_init__(self) -> None:
        for posting in self.postings:
            self.by_unit.setdefault(posting.unit, []).append(posting)
        self._by_code = {u.code: u for u in self.units}

    def unit(self, code: str) -> Unit:
        return self._by_code[code]

    def active_units(self, day: dt.date, level: str | None = None) -> list[Unit]:
        key = (day, level)
        if key not in self._active:
            self._active[key] = [u for u in self.units
                                 if u.active_on(day) and (level is None or u.level == level)]
        return self._active[key]

    def unit_for_task(self, rng: random.Random, day: dt.date) -> Unit:
        """An active unit, departments and the province three times as likely as a commune."""
        active = self.active_units(day)
        if day not in self._task_weights:
            # Cumulative weights, summed once a day: thousands of units at national scale.
            self._task_weights[day] = list(itertools.accumulate(
                3 if u.level != "Xã, phường" else 1 for u in active))
        return rng.choices(active, cum_weights=self._task_weights[day])[0]

    def official_at(self, rng: random.Random, unit: str, day: dt.date) -> str | None:
        """An official posted to the unit on that day, chosen at random."""
        candidates = [p for p in self.by_unit.get(unit, [])
                      if p.start <= day and (p.end is None or day <= p.end)]
        return rng.choice(candidates).official if candidates else None


def _reference_units() -> list[tuple[str, str]]:
    with (REFERENCE_DIR / "province_units.csv").open(encoding="utf-8") as handle:
        return [(row["unit_name"], row["unit_level"]) for row in csv.DictReader(handle)]


def build_staff(rng: random.Random, officials: int, communes: int, departments: int,
                first_month: Month, months: list[Month]) -> Staff:
    """Units from the real reference list (communes invented where it runs short), officials
    spread over them, a few moved between units, and one commune merged into another."""
    reference = _reference_units()
    founded = dt.date(2025, 7, 1)  # the 2025 reorganisation of local government
    province_name = next(n for n, level in reference if level == "Tỉnh")
    units = [Unit("H10", province_name, "Tỉnh", None, founded)]
    dept_names = [n for n, level in reference if level == "Sở, ban, ngành"]
    commune_names = [n for n, level in reference if level == "Xã, phường"]
    pool = iter(INVENTED_COMMUNES)
    while len(commune_names) < communes:
        commune_names.append(next(pool, f"Xã Mô Phỏng {len(commune_names) + 1}"))
    while len(dept_names) < departments:
        dept_names.append(f"Ban mô phỏng {len(dept_names) + 1}")
    for i, name in enumerate(dept_names[:departments], start=1):
        units.append(Unit(f"H10.S{i:02d}", name, "Sở, ban, ngành", "H10", founded))
    for i, name in enumerate(commune_names[:communes], start=1):
        units.append(Unit(f"H10.X{i:02d}", name, "Xã, phường", "H10", founded))
    for unit in units[1:]:
        # Most units are healthy; a few are late far more often than the rest.
        unit.health = rng.choice([0.6, 0.8, 1.0, 1.0, 1.0, 1.2, 1.5, 2.5])

    # A commune is merged into its neighbour in the middle of the simulated months.
    merged, successor = units[-1], units[-2]
    merge_month = months[len(months) // 2] if len(months) > 1 else None
    if merge_month is not None:
        merged.valid_to = merge_month.start
        merged.successor = successor.code

    positions = {
        "Tỉnh": ["Chủ tịch UBND", "Phó Chủ tịch UBND", "Chánh Văn phòng", "Chuyên viên"],
        "Sở, ban, ngành": ["Giám đốc", "Phó Giám đốc", "Trưởng phòng", "Chuyên viên"],
        "Xã, phường": ["Chủ tịch UBND", "Phó Chủ tịch UBND", "Công chức", "Công chức"],
    }
    cum_weights = list(itertools.accumulate(
        3 if u.level == "Sở, ban, ngành" else 2 if u.level == "Tỉnh" else 1.6 for u in units))
    postings: list[Posting] = []
    horizon_start = first_month.start - dt.timedelta(days=180)
    for number in range(1, officials + 1):
        code = f"{number:06d}"  # leading zeros: codes are text, never numbers
        name = f"{rng.choice(SURNAMES)} {rng.choice(MIDDLE)} {rng.choice(GIVEN)}"
        unit = rng.choices(units, cum_weights=cum_weights)[0]
        start = founded if rng.random() < 0.9 else horizon_start + rng.randrange(150) * DAY
        position = positions[unit.level][min(3, int(rng.random() * 6))]
        postings.append(Posting(code, name, unit.code, position, max(start, founded)))
    # Transfers: some officials move to another unit during the simulated months.
    span = (months[-1].end - first_month.start).days
    for posting in list(postings):
        moving_off_merged = merge_month is not None and posting.unit == merged.code
        if not moving_off_merged and rng.random() > 0.04:
            continue
        if moving_off_merged:
            day, target = merged.valid_to, successor
        else:
            day = first_month.start + rng.randrange(max(1, span)) * DAY
            target = rng.choice([u for u in units[1:]
                                 if u.code != posting.unit and u.active_on(day)])
        if day <= posting.start:
            continue
        posting.end = day - DAY
        postings.append(Posting(posting.official, posting.name, target.code, posting.position, day))
    postings.sort(key=lambda p: (p.official, p.start))
    return Staff(units, postings)


def working_time(rng: random.Random, day: dt.date) -> dt.datetime:
    """A moment during office hours of that day."""
    return dt.datetime.combine(day, dt.time(7 + rng.randrange(10), rng.randrange(60),
                                            rng.randrange(60)))


def person_name(rng: random.Random) -> str:
    return f"{rng.choice(SURNAMES)} {rng.choice(MIDDLE)} {rng.choice(GIVEN)}"
