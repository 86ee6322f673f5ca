"""Turn one export file into a relation of text cells `c0..cN` plus the source line `_line`.

CSV is scanned by DuckDB itself (parallel, typed as text, rejects kept with their line); Excel
has no reader inside DuckDB here, so the small workbooks are read with python-calamine and handed
over as an Arrow table. Either way every cell arrives as text in one canonical form
(dates `dd/mm/yyyy`, decimals with a comma) so that one set of SQL parsers types them.
"""

from __future__ import annotations

import codecs
import csv
import datetime as dt
import hashlib
import io
import re
from dataclasses import dataclass
from pathlib import Path

import duckdb
import pyarrow as pa
from python_calamine import CalamineWorkbook

from orchestration.contracts import Contract, normalise


class SourceStopped(Exception):  # noqa: N818 - a domain outcome, not a programming error
    """The export cannot be read at all this month; the message names the file and the problem."""


@dataclass
class Scan:
    """A file turned into text cells: `relation` names a DuckDB view or table."""

    relation: str
    headers: list[str]
    rows_rejected: int
    layout_rows_skipped: int = 0
    note: str | None = None


def file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for chunk in iter(lambda: handle.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def _transcode(path: Path, target: Path, encoding: str, contract: Contract) -> Path:
    try:
        with path.open("r", encoding=encoding, newline="") as src, target.open(
            "w", encoding="utf-8", newline=""
        ) as dst:
            for chunk in iter(lambda: src.read(1 << 20), ""):
                dst.write(chunk)
    except UnicodeDecodeError as error:
        raise SourceStopped(
            f"{contract.file}: neither UTF-8 nor {encoding} text (byte {error.start + 1})"
        ) from None
    return target


def _readable_copy(path: Path, contract: Contract, work_dir: Path) -> tuple[Path, str | None]:
    """DuckDB reads UTF-8 only. A UTF-16 export (byte-order mark) is transcoded; so is one in
    Windows-1258, the legacy Vietnamese code page, when its first line decoded that way holds
    the contract's headers (a strong sign, unlike guessing from bytes). Returns the file to read
    and a note saying what was done."""
    with path.open("rb") as handle:
        first = handle.readline(1 << 20)
    if first[:2] in (codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE):
        target = work_dir / f"{path.stem}.utf8{path.suffix}"
        return _transcode(path, target, "utf-16", contract), "read as UTF-16"
    try:
        first.decode("utf-8-sig")
        return path, None
    except UnicodeDecodeError:
        pass
    try:
        header = first.decode("cp1258")
    except UnicodeDecodeError:
        return path, None
    expected = {normalise(c.header) for c in contract.columns}
    found = next(csv.reader(io.StringIO(header), delimiter=contract.delimiter), [])
    if not expected & {normalise(h) for h in found}:
        return path, None
    target = work_dir / f"{path.stem}.utf8{path.suffix}"
    return _transcode(path, target, "cp1258", contract), "read as Windows-1258"


def _csv_headers(path: Path, contract: Contract) -> list[str]:
    """The header row, read on its own: headers hold no newlines, so the first line is enough."""
    with path.open("rb") as handle:
        first = handle.readline(1 << 20)
        rest = handle.read(1)
    if not first.strip() and not rest:
        raise SourceStopped(f"{contract.file}: the file is empty")
    if not first.strip():
        with path.open("rb") as handle:
            if not handle.read(1 << 20).strip():
                raise SourceStopped(f"{contract.file}: the file is empty (blank space only)")
    try:
        text = first.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise SourceStopped(
            f"{contract.file}: line 1 is not UTF-8 text (byte {error.start + 1})"
        ) from None
    headers = next(csv.reader(io.StringIO(text), delimiter=contract.delimiter), [])
    expected = {normalise(c.header) for c in contract.columns}
    if not expected & {normalise(h) for h in headers}:
        _refuse_title_rows(path, contract, expected)
    return headers


def _refuse_title_rows(path: Path, contract: Contract, expected: set[str]) -> None:
    """A CSV export starts with its header; one that starts with a title is a wrong export, and
    saying where its header is tells the operator what happened."""
    with path.open(encoding="utf-8-sig", errors="replace", newline="") as handle:
        for line_no, row in enumerate(csv.reader(handle, delimiter=contract.delimiter), 1):
            if line_no > 10:
                return
            if line_no > 1 and expected & {normalise(cell) for cell in row}:
                raise SourceStopped(
                    f"{contract.file}: line 1 is not the header row; the header is on line "
                    f"{line_no} (title rows above it?)"
                )


def _refuse_cut_short(con: duckdb.DuckDBPyConnection, path: Path, contract: Contract,
                      name: str, rejected: int) -> None:
    """An export cut off in the middle of its last record (a copy interrupted, a disk full) has
    lost an unknown number of rows after it: quarantining the one broken row would hide that."""
    with path.open("rb") as handle:
        handle.seek(max(path.stat().st_size - 1, 0))
        ends_a_line = handle.read(1) in (b"\n", b"\r", b"")
    if ends_a_line or not rejected:
        return
    records = con.execute(f"select count(*) from {name}_cells").fetchone()[0] + rejected
    last_line = records + 1
    cut = con.execute(f"select count(*) from {name}_reject_lines where line = $line",
                      {"line": last_line}).fetchone()[0]
    if cut:
        raise SourceStopped(
            f"{contract.file}: line {last_line}, the last, stops in the middle of a record: "
            "the file was cut short, so rows after it are missing"
        )


def scan_csv(con: duckdb.DuckDBPyConnection, path: Path, contract: Contract, work_dir: Path,
             name: str) -> Scan:
    readable, note = _readable_copy(path, contract, work_dir)
    headers = _csv_headers(readable, contract)
    columns = {f"c{i}": "VARCHAR" for i in range(len(headers))}
    rejects = f"{name}_rejects"
    con.execute(f"drop table if exists {rejects}")
    con.execute(f"drop table if exists {name}_rejects_scan")
    # Everything is read as text and typed later by the contract: nothing is sniffed.
    con.execute(
        f"""
        create or replace temp table {name}_cells as
        select * from read_csv(
            $path, header = false, skip = 1, auto_detect = false, columns = $columns,
            delim = $delim, quote = '"', escape = '"', strict_mode = true,
            store_rejects = true, rejects_table = '{rejects}',
            rejects_scan = '{name}_rejects_scan'
        ) with ordinality as cells(
            {", ".join(columns)}, _ordinal
        )
        """,
        {"path": str(readable), "columns": columns, "delim": contract.delimiter},
    )
    # DuckDB numbers records, not physical lines, with the header as line 1: the row number a
    # spreadsheet shows for the same file. Good records fill the numbers rejects did not take.
    con.execute(
        f"""
        create or replace temp table {name}_reject_lines as
        select line, arg_min(error_message, column_idx) as reason
        from {rejects} group by line
        """
    )
    # Errors that are about the file, not a row: an unterminated quote swallows every record
    # after it, and bytes that are not UTF-8 mean the whole file was written in another
    # encoding. Quarantining rows would hide the loss, so the source stops, naming the line.
    fatal = con.execute(
        f"""
        select line, error_type, error_message from {rejects}
        where error_type in ('INVALID UNICODE', 'INVALID ENCODING')
            or error_message ilike '%unterminated quote%'
        order by line limit 1
        """
    ).fetchone()
    if fatal is not None:
        line, kind, _ = fatal
        problem = ("is not UTF-8 text" if kind.startswith("INVALID")
                   else "opens a quote that never closes, so the rest of the file cannot be read")
        raise SourceStopped(f"{contract.file}: line {line} {problem}")
    rejected = con.execute(f"select count(*) from {name}_reject_lines").fetchone()[0]
    _refuse_cut_short(con, readable, contract, name, rejected)
    con.execute(
        f"""
        create or replace temp view {name}_scan as
        with good_count as (select count(*) as n from {name}_cells),
        slots as (
            select range + 2 as line
            from range((select n from good_count) + {rejected})
            where range + 2 not in (select line from {name}_reject_lines)
        ),
        numbered as (
            select line, row_number() over (order by line) as _ordinal from slots
        )
        select cells.* exclude (_ordinal), numbered.line as _line
        from {name}_cells as cells
        inner join numbered using (_ordinal)
        """
    )
    blank = _blank_lines(readable)
    if blank:
        count, first = blank
        said = (f"{count} blank line{'s' if count > 1 else ''} skipped, the first after line "
                f"{first}: lines after it are numbered as records, without the blank ones")
        note = f"{note}; {said}" if note else said
    return Scan(relation=f"{name}_scan", headers=headers, rows_rejected=rejected, note=note)


BLANK_RUN = re.compile(rb"\n\n+")


def _blank_lines(path: Path) -> tuple[int, int] | None:
    """How many empty lines the file holds, and the line before the first: DuckDB skips them,
    so record numbers run behind the file's own lines after it (a spreadsheet shows them)."""
    count, first, lines, tail = 0, 0, 0, b""
    with path.open("rb") as handle:
        for chunk in iter(lambda: handle.read(1 << 22), b""):
            # The chunk's first byte may end a blank line that began in the last one.
            text = tail + chunk
            if b"\r" in text:
                text = text.replace(b"\r\n", b"\n")
            tail = text[-1:]
            if b"\n\n" not in text:
                # Lines are counted only until the first blank one is found.
                lines += 0 if count else text.count(b"\n", 0, len(text) - 1)
                continue
            runs = list(BLANK_RUN.finditer(text))
            if not count:
                first = lines + text[: runs[0].start()].count(b"\n") + 1
            count += sum(run.end() - run.start() - 1 for run in runs)
        # Empty lines at the very end are no gap between records.
        handle.seek(max(path.stat().st_size - 64, 0))
        ending = handle.read().replace(b"\r\n", b"\n")
        count -= max(len(ending) - len(ending.rstrip(b"\n")) - 1, 0)
    return (count, first) if count > 0 else None


def _excel_text(value: object, column_type: str | None) -> str | None:
    """One cell as the text the contract's parsers expect."""
    if value is None or value == "":
        return None
    if isinstance(value, dt.datetime):
        if column_type == "timestamp":
            return value.strftime("%d/%m/%Y %H:%M:%S")
        return value.strftime("%d/%m/%Y")
    if isinstance(value, dt.date):
        return value.strftime("%d/%m/%Y")
    if isinstance(value, bool):
        return str(value)
    if isinstance(value, int | float):
        if column_type in ("date", "timestamp"):
            # An Excel serial number: days since 1899-12-30 (Excel's leap-year quirk included).
            moment = dt.datetime(1899, 12, 30) + dt.timedelta(days=float(value))
            return _excel_text(moment if column_type == "timestamp" else moment.date(),
                               column_type)
        if float(value).is_integer():
            return str(int(value))
        # Decimal comma, no thousands mark: the same text form the money parser reads.
        return repr(float(value)).replace(".", ",")
    return str(value)


def scan_xlsx(con: duckdb.DuckDBPyConnection, path: Path, contract: Contract,
              name: str) -> Scan:
    if path.stat().st_size == 0:
        raise SourceStopped(f"{contract.file}: the file is empty")
    try:
        workbook = CalamineWorkbook.from_path(str(path))
    except Exception as error:  # calamine raises its own types for corrupt files
        raise SourceStopped(f"{contract.file}: not a readable Excel workbook ({error})") from None
    if contract.sheet not in workbook.sheet_names:
        raise SourceStopped(
            f"{contract.file}: sheet '{contract.sheet}' is missing "
            f"(found: {', '.join(workbook.sheet_names)})"
        )
    rows = workbook.get_sheet_by_name(contract.sheet).to_python(skip_empty_area=False)
    wanted = {normalise(c.header) for c in contract.columns}
    header_index = next(
        (i for i, row in enumerate(rows)
         if len(wanted & {normalise(str(v)) for v in row if v not in (None, "")}) * 2
         >= len(wanted)),
        None,
    )
    if header_index is None:
        raise SourceStopped(
            f"{contract.file} [{contract.sheet}]: no header row with the contract's headers"
        )
    headers = [str(v) if v is not None else "" for v in rows[header_index]]
    by_header = {normalise(c.header): c for c in contract.columns}
    types = [by_header[normalise(h)].type if normalise(h) in by_header else None
             for h in headers]
    key_position = None
    if contract.skip_rows_without:
        key_header = normalise(contract.column(contract.skip_rows_without).header)
        key_position = next(
            (i for i, h in enumerate(headers) if normalise(h) == key_header), None
        )
    total = normalise(contract.total_label) if contract.total_label else None
    figures = [i for i, kind in enumerate(types) if kind in ("money", "number", "int")]
    cells: list[list[str | None]] = [[] for _ in headers]
    lines: list[int] = []
    skipped = 0
    for offset, row in enumerate(rows[header_index + 1:], start=header_index + 2):
        texts = [_excel_text(row[i] if i < len(row) else None, types[i])
                 for i in range(len(headers))]
        if all(t is None for t in texts):
            continue
        # Group rows (I., II., ...) carry no project code; the total row sums the report.
        is_total = total is not None and any(
            t is not None and normalise(t).startswith(total) for t in texts[:3]
        )
        # A row without the key is a group heading only when it also holds no figure: a project
        # row whose code was lost still carries money, and goes on to be quarantined for it.
        is_heading = (key_position is not None and texts[key_position] is None
                      and all(texts[i] is None for i in figures))
        if is_total or is_heading:
            skipped += 1
            continue
        for i, text in enumerate(texts):
            cells[i].append(text)
        lines.append(offset)
    table = pa.table(
        {**{f"c{i}": pa.array(col, pa.string()) for i, col in enumerate(cells)},
         "_line": pa.array(lines, pa.int64())}
    )
    con.register(f"{name}_arrow", table)
    con.execute(f"create or replace temp table {name}_scan as select * from {name}_arrow")
    con.unregister(f"{name}_arrow")
    return Scan(relation=f"{name}_scan", headers=headers, rows_rejected=0,
                layout_rows_skipped=skipped)
