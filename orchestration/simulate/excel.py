"""Excel reports as the treasury and the site clearance register print them: title rows, one
header row, group rows, project rows and a total row."""

from __future__ import annotations

import datetime as dt
import re
import zipfile
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from openpyxl import Workbook
from openpyxl.styles import Font

Cell = str | int | float | dt.date | dt.datetime | None

# Fixed document properties so the same content gives the same bytes.
_EPOCH = dt.datetime(2026, 1, 1)


@dataclass
class ReportSheet:
    name: str
    titles: Sequence[str]
    headers: Sequence[str]
    rows: Sequence[Sequence[Cell]] = field(default_factory=list)
    total: Sequence[Cell] | None = None


def write_report_workbook(path: Path, sheets: Sequence[ReportSheet]) -> None:
    workbook = Workbook()
    workbook.remove(workbook.active)
    workbook.properties.created = _EPOCH
    workbook.properties.modified = _EPOCH
    workbook.properties.creator = "simulator"
    bold = Font(bold=True)
    for sheet in sheets:
        ws = workbook.create_sheet(sheet.name)
        for title in sheet.titles:
            ws.append([title])
            ws.cell(ws.max_row, 1).font = bold
        ws.append([])
        ws.append(list(sheet.headers))
        for row in sheet.rows:
            ws.append(list(row))
        if sheet.total is not None:
            ws.append(list(sheet.total))
            for cell in ws[ws.max_row]:
                cell.font = bold
        for row in ws.iter_rows():
            for cell in row:
                if isinstance(cell.value, dt.date):
                    cell.number_format = "DD/MM/YYYY"
    path.parent.mkdir(parents=True, exist_ok=True)
    workbook.save(path)
    _pin_zip_times(path)


def _pin_zip_times(path: Path) -> None:
    """openpyxl stamps the zip members and the document's modified time with the current time;
    rewrite both with a fixed one so that the same content gives the same bytes."""
    with zipfile.ZipFile(path) as source:
        members = [(info, source.read(info.filename)) for info in source.infolist()]
    members = [
        (info, re.sub(rb"(<dcterms:modified[^>]*>)[^<]*", rb"\g<1>2026-01-01T00:00:00Z", data)
         if info.filename == "docProps/core.xml" else data)
        for info, data in members
    ]
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as target:
        for info, data in members:
            info.date_time = (2026, 1, 1, 0, 0, 0)
            target.writestr(info, data)
