"""Dossiers and their ratings at national volume, drawn column by column.

Three million dossiers a month are too many to give each its own Python object, as the
province's records have. Here every field is a numpy array drawn with the same rules as
`records.create_dossier`, a month's export is the same `Dossier.state` computed on whole
columns, and DuckDB formats and writes the CSV, quirks included (semicolons, seconds, a BOM,
NFD rows, impossible dates, unknown units, exact duplicates). Same seed, same bytes.
"""

from __future__ import annotations

import datetime as dt
import shutil
import tempfile
import unicodedata
from dataclasses import dataclass
from pathlib import Path

import duckdb
import numpy as np
import pandas as pd

from orchestration.simulate.records import PROCEDURES
from orchestration.simulate.world import Month, Staff

CHANNELS = ["Trực tiếp", "Trực tuyến", "Bưu chính"]
OUTCOMES = ["Đã trả kết quả", "Từ chối", "Rút hồ sơ"]
CAUSES = ["Chủ quan", "Khách quan"]
RATINGS = ["Rất hài lòng", "Hài lòng", "Bình thường", "Không hài lòng"]
BAD_DATES = ["31/02/2026", "2026-13-45", "00/00/0000"]
UNKNOWN_UNIT = "H10.X00"  # no unit is numbered 00 at any scale


def _share(weights: list[float]) -> np.ndarray:
    array = np.asarray(weights, dtype=float)
    return array / array.sum()


@dataclass
class DossierColumns:
    """Every dossier of the simulated span, one array per field."""

    number: np.ndarray
    day: np.ndarray  # datetime64[D]
    procedure: np.ndarray  # index into PROCEDURES
    unit: np.ndarray  # index into unit_codes
    official: np.ndarray  # official code, or None
    channel: np.ndarray
    received: np.ndarray  # datetime64[s]
    due: np.ndarray
    finished: np.ndarray  # NaT when never finished
    outcome: np.ndarray
    supplements: np.ndarray
    cause: np.ndarray  # index into CAUSES, -1 for none given
    apology: np.ndarray
    unit_codes: np.ndarray


def draw_dossiers(staff: Staff, first: dt.date, last: dt.date, per_month: int,
                  seed: int) -> DossierColumns:
    """Dossiers received each day from `first` to `last`, about per_month a month."""
    rng = np.random.default_rng(seed)
    units = staff.units
    unit_codes = np.array([u.code for u in units], dtype=object)
    health = np.array([u.health for u in units])
    index = {u.code: i for i, u in enumerate(units)}
    post_unit = np.array([index[p.unit] for p in staff.postings])
    post_start = np.array([p.start for p in staff.postings], dtype="datetime64[D]")
    post_end = np.array([p.end or dt.date(9999, 12, 31) for p in staff.postings],
                        dtype="datetime64[D]")
    post_code = np.array([p.official for p in staff.postings], dtype=object)
    allowed = np.array([p[3] for p in PROCEDURES])
    land = np.array([p[2] == "Đất đai" for p in PROCEDURES])
    procedure_share = _share([12, 4, 3, 20, 8, 25, 6, 8, 3, 1])
    days = np.arange(np.datetime64(first), np.datetime64(last) + 1)
    mean = per_month / 30.4
    counts = np.maximum(0, rng.normal(mean, mean ** 0.5, len(days)).astype(int))
    parts: dict[str, list[np.ndarray]] = {k: [] for k in ("day", "unit", "official")}
    for day, n in zip(days, counts, strict=True):
        on = day.astype(dt.date)
        communes = np.array([index[u.code] for u in staff.active_units(on, "Xã, phường")])
        departments = np.array([index[u.code]
                                for u in staff.active_units(on, "Sở, ban, ngành")])
        to_commune = rng.random(n) < 0.75
        unit = np.where(to_commune, communes[rng.integers(0, len(communes), n)],
                        departments[rng.integers(0, len(departments), n)])
        # An official posted to that unit on that day, at random; none when nobody is.
        posted = np.nonzero((post_start <= day) & (post_end >= day))[0]
        posted = posted[np.argsort(post_unit[posted], kind="stable")]
        per_unit = np.bincount(post_unit[posted], minlength=len(units))
        offsets = np.concatenate([[0], np.cumsum(per_unit)[:-1]])
        have = per_unit[unit] > 0
        pick = offsets[unit] + np.floor(rng.random(n) * np.maximum(per_unit[unit], 1))
        # Before the first posting of all (a span reaching back past the units' founding)
        # nobody is posted anywhere, and no index may be taken into an empty list.
        official = (np.where(have, post_code[posted[np.minimum(pick.astype(int),
                                                               len(posted) - 1)]], None)
                    if len(posted) else np.full(n, None, dtype=object))
        parts["day"].append(np.full(n, day))
        parts["unit"].append(unit)
        parts["official"].append(official)
    day = np.concatenate(parts["day"])
    unit = np.concatenate(parts["unit"])
    n = len(day)
    procedure = rng.choice(len(PROCEDURES), n, p=procedure_share)
    strain = health[unit] * np.where(land[procedure], 1.6, 1.0)
    received = (day.astype("datetime64[s]")
                + ((7 + rng.integers(0, 10, n)) * 3600 + rng.integers(0, 60, n) * 60
                   + rng.integers(0, 60, n)).astype("timedelta64[s]"))
    span = (allowed[procedure] * 86400).astype("timedelta64[s]")
    due = received + span
    roll = rng.random(n) / strain
    very_late = (rng.uniform(1, 40, n) * 86400).astype("timedelta64[s]")
    bit_late = (rng.uniform(2, 240, n) * 3600).astype("timedelta64[s]")
    on_time = (span.astype(float) * rng.uniform(0.1, 1.0, n)).astype("timedelta64[s]")
    finished = np.where(roll < 0.02, due + very_late,
                        np.where(roll < 0.07, due + bit_late, received + on_time))
    finished[rng.random(n) < 0.005 * strain] = np.datetime64("NaT")
    cause = rng.choice(3, n, p=_share([55, 35, 10]))
    return DossierColumns(
        number=np.arange(1, n + 1), day=day, procedure=procedure, unit=unit,
        official=np.concatenate(parts["official"]),
        channel=rng.choice(3, n, p=_share([50, 45, 5])),
        received=received, due=due, finished=finished,
        outcome=rng.choice(3, n, p=_share([95, 3, 2])),
        supplements=rng.choice(4, n, p=_share([85, 11, 3, 1])),
        cause=np.where(cause == 2, -1, cause), apology=rng.random(n) < 0.7,
        unit_codes=unit_codes,
    )


def _lookup(name: str, values: list[str]) -> pd.DataFrame:
    """A small table of the values and their decomposed (NFD) spelling, by position."""
    return pd.DataFrame({"i": range(len(values)), name: values,
                         f"{name}_nfd": [unicodedata.normalize("NFD", v) for v in values]})


def _write(con: duckdb.DuckDBPyConnection, query: str, headers: list[str], path: Path,
           delimiter: str) -> None:
    """COPY the query's rows, then put a BOM and the header line in front of them."""
    with tempfile.TemporaryDirectory() as scratch:
        body = Path(scratch) / "body.csv"
        con.execute(f"copy ({query}) to '{body}' (format csv, header false, "
                    f"delimiter '{delimiter}', quote '\"', null '')")
        with path.open("wb") as out, body.open("rb") as rows:
            out.write(("\ufeff" + delimiter.join(headers) + "\n").encode("utf-8"))
            shutil.copyfileobj(rows, out, 1 << 22)


def write_dossiers(columns: DossierColumns, month: Month, headers: list[str], path: Path,
                   seed: int) -> int:
    """The month's dossier export as `Dossier.state` would write it; returns its row count."""
    rng = np.random.default_rng([seed, month.start.year, month.start.month, 1])
    cut_off = np.datetime64(month.cut_off, "s")
    start = np.datetime64(month.start, "s")
    c = columns
    has_finished = ~np.isnat(c.finished)
    keep = (c.received <= cut_off) & ~(has_finished & (c.finished < start))
    done = has_finished & (c.finished <= cut_off)
    late_edit = (~done & has_finished & (c.finished <= cut_off + np.timedelta64(2, "D"))
                 & (rng.random(len(keep)) < 0.1))
    shown = done | late_edit
    waiting = (c.supplements > 0) & ((cut_off - c.received) < np.timedelta64(4, "D"))
    status = np.where(shown, c.outcome, np.where(waiting, 3, 4))  # 3, 4: the open states
    finished = np.where(shown, c.finished, np.datetime64("NaT"))
    late = (np.where(shown, c.finished, cut_off) > c.due) | (c.supplements > 1)
    rows = pd.DataFrame({
        "number": c.number, "unit": c.unit_codes[c.unit], "day": c.day,
        "procedure": c.procedure, "official": c.official, "channel": c.channel,
        "received": c.received, "due": c.due, "finished": finished, "status": status,
        "supplements": c.supplements, "cause": np.where(late, c.cause, -1),
        "apology": late & c.apology,
    })[keep]
    n = len(rows)
    rows["nfd"] = rng.random(n) < 0.03
    # Spoiled rows: an impossible date in one of the date columns, or a unit nobody knows.
    spoiled = rng.random(n) < 0.0005
    rows["bad_date"] = np.where(spoiled & (rng.random(n) < 0.5), rng.integers(1, 4, n) * 10
                                + rng.integers(0, 3, n), 0)
    rows["bad_unit"] = spoiled & (rows["bad_date"] == 0).to_numpy()
    # Exact duplicates: a few rows written twice, the copy placed elsewhere in the file.
    rows["sort_key"] = rng.random(n)
    copies = rows[rng.random(n) < 0.0005].copy()
    copies["sort_key"] = rng.random(len(copies))
    rows = pd.concat([rows, copies], ignore_index=True)
    con = duckdb.connect()
    con.register("dossier_rows", rows)
    for name, values in (("procedure_name", [p[1] for p in PROCEDURES]),
                         ("domain", [p[2] for p in PROCEDURES]), ("channel", CHANNELS),
                         ("status", [*OUTCOMES, "Chờ bổ sung", "Đang xử lý"]),
                         ("cause", CAUSES), ("yes_no", ["Có", "Không"])):
        con.register(f"lookup_{name}", _lookup(name, values))
    con.register("lookup_code", pd.DataFrame({"i": range(len(PROCEDURES)),
                                              "code": [p[0] for p in PROCEDURES]}))
    stamp = "'%d/%m/%Y %H:%M:%S'"

    def text(name: str) -> str:
        return f"case when r.nfd then l_{name}.{name}_nfd else l_{name}.{name} end"

    def when(column: str, slot: int) -> str:
        bad = "['31/02/2026', '2026-13-45', '00/00/0000'][r.bad_date % 10 + 1]"
        return (f"case when r.bad_date // 10 = {slot} then {bad} "
                f"else strftime(r.{column}, {stamp}) end")

    query = f"""
        select
            r.unit || '-' || strftime(r.day, '%y%m%d') || '-' || printf('%05d', r.number),
            l_code.code, {text('procedure_name')}, {text('domain')},
            case when r.bad_unit then '{UNKNOWN_UNIT}' else r.unit end, r.official,
            {text('channel')}, {when('received', 1)}, {when('due', 2)}, {when('finished', 3)},
            {text('status')}, r.supplements, {text('cause')},
            case when r.nfd then l_yes_no.yes_no_nfd else l_yes_no.yes_no end
        from dossier_rows as r
        join lookup_code as l_code on l_code.i = r.procedure
        join lookup_procedure_name as l_procedure_name on l_procedure_name.i = r.procedure
        join lookup_domain as l_domain on l_domain.i = r.procedure
        join lookup_channel as l_channel on l_channel.i = r.channel
        join lookup_status as l_status on l_status.i = r.status
        left join lookup_cause as l_cause on l_cause.i = r.cause
        join lookup_yes_no as l_yes_no on l_yes_no.i = case when r.apology then 0 else 1 end
        order by r.sort_key
    """
    _write(con, query, headers, path, ";")
    con.close()
    return len(rows)


def write_ratings(columns: DossierColumns, month: Month, headers: list[str], path: Path,
                  seed: int, contact_name: str) -> int:
    """Ratings given during the month for about three in ten dossiers finished in it."""
    rng = np.random.default_rng([seed, month.start.year, month.start.month, 2])
    c = columns
    finished_day = c.finished.astype("datetime64[D]")
    chosen = ((finished_day >= np.datetime64(month.start))
              & (finished_day <= np.datetime64(month.end)) & (rng.random(len(c.finished)) < 0.3))
    finished = c.finished[chosen]
    n = len(finished)
    rated = finished + (rng.uniform(0.5, 30, n) * 3600).astype("timedelta64[s]")
    kept = rated <= np.datetime64(month.cut_off, "s")
    comment_kind = np.where(rng.random(n) < 0.1, rng.integers(0, 3, n), -1)
    phone = rng.integers(10**7, 10**8, n)
    comments = np.select(
        [comment_kind == 0, comment_kind == 1, comment_kind == 2],
        ["Cán bộ hướng dẫn tận tình",
         np.char.add(np.char.add(f"Liên hệ chị {contact_name} số 09", phone.astype(str)),
                     " để bổ sung").astype(object),
         "Thời gian chờ hơi lâu,\nđề nghị cải thiện"], None).astype(object)
    rows = pd.DataFrame({
        "unit": c.unit_codes[c.unit[chosen]], "day": c.day[chosen], "number": c.number[chosen],
        "rated": rated, "rating": rng.choice(4, n, p=_share([60, 28, 8, 4])),
        "comment": comments,
    })[kept]
    con = duckdb.connect()
    con.register("rating_rows", rows)
    con.register("lookup_rating", _lookup("rating", RATINGS))
    query = """
        select
            r.unit || '-' || strftime(r.day, '%y%m%d') || '-' || printf('%05d', r.number),
            strftime(r.rated, '%d/%m/%Y %H:%M'), l.rating, r.comment
        from rating_rows as r join lookup_rating as l on l.i = r.rating
        order by r.rated, r.number
    """
    _write(con, query, headers, path, ",")
    con.close()
    return len(rows)


__all__ = ["UNKNOWN_UNIT", "DossierColumns", "draw_dossiers", "write_dossiers", "write_ratings"]
