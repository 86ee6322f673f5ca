"""The source contracts of SOURCES.md, read from `sources/contracts/*.yml`.

The contracts are data: headers, field names, types, enumerations and keys. Extract reads every
export through them and never guesses a type.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

import yaml

from orchestration.paths import CONTRACTS_DIR

COLUMN_TYPES = {"text", "date", "timestamp", "int", "number", "money", "enum"}
PERSONAL_KINDS = {"drop", "hash", "presence"}
REFERENCES = {"unit", "official"}


def normalise(text: str) -> str:
    """Compare text as the contracts say: NFC, trimmed, case-folded."""
    return unicodedata.normalize("NFC", text).strip().casefold()


@dataclass(frozen=True)
class Column:
    header: str
    field: str
    type: str
    required: bool = False
    ref: str | None = None
    personal: str | None = None
    values: dict[str, str] = field(default_factory=dict)
    min: float | None = None
    max: float | None = None
    # A number written as text of this many digits (an ID number): leading zeros that a
    # spreadsheet dropped are put back, anything else is quarantined.
    digits: int | None = None
    # The date of something that happened (not a deadline or a plan): dated after the cut-off
    # it is a late edit, counted by the load report.
    event: bool = False
    # Written by a person (a title, a description): may quote a citizen's phone or ID number,
    # which extract blanks out before anything is stored.
    free_text: bool = False

    @property
    def stored_name(self) -> str | None:
        """The raw column this field lands in; None when personal data is dropped."""
        if self.personal == "drop":
            return None
        if self.personal == "hash":
            return f"{self.field}_hash"
        if self.personal == "presence":
            return f"has_{self.field}"
        return self.field


@dataclass(frozen=True)
class Contract:
    export: str
    file: str
    system: str
    description: str
    format: str
    key: tuple[str, ...]
    columns: tuple[Column, ...]
    delimiter: str = ","
    sheet: str | None = None
    skip_rows_without: str | None = None
    total_label: str | None = None

    @property
    def source_name(self) -> str:
        """How a message names the source: the file, and the sheet for a workbook."""
        return f"{self.file} [{self.sheet}]" if self.sheet else self.file

    def column(self, name: str) -> Column:
        return next(c for c in self.columns if c.field == name)

    @property
    def holds_personal_data(self) -> bool:
        """An export about citizens: any of its cells may name one, whatever its column."""
        return any(c.personal for c in self.columns)


def _parse(path: Path) -> Contract:
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    columns = []
    for raw in data["columns"]:
        column = Column(
            header=unicodedata.normalize("NFC", raw["header"]),
            field=raw["field"],
            type=raw["type"],
            required=bool(raw.get("required", False)),
            ref=raw.get("ref"),
            personal=raw.get("personal"),
            values={unicodedata.normalize("NFC", k): str(v) for k, v in
                    (raw.get("values") or {}).items()},
            min=raw.get("min"),
            max=raw.get("max"),
            digits=raw.get("digits"),
            event=bool(raw.get("event", False)),
            free_text=bool(raw.get("free_text", False)),
        )
        if column.type not in COLUMN_TYPES:
            raise ValueError(f"{path.name}: column {column.field} has unknown type {column.type}")
        if column.personal and column.personal not in PERSONAL_KINDS:
            raise ValueError(f"{path.name}: column {column.field}: personal={column.personal}")
        if column.ref and column.ref not in REFERENCES:
            raise ValueError(f"{path.name}: column {column.field}: ref={column.ref}")
        if column.type == "enum" and not column.values:
            raise ValueError(f"{path.name}: enum column {column.field} lists no values")
        columns.append(column)
    contract = Contract(
        export=data["export"],
        file=data["file"],
        system=data["system"],
        description=data["description"],
        format=data["format"],
        key=tuple(data["key"]),
        columns=tuple(columns),
        delimiter=data.get("delimiter", ","),
        sheet=data.get("sheet"),
        skip_rows_without=data.get("skip_rows_without"),
        total_label=data.get("total_label"),
    )
    fields = {c.field for c in columns}
    missing = [k for k in contract.key if k not in fields]
    if missing:
        raise ValueError(f"{path.name}: key fields {missing} are not columns")
    return contract


# The staff register comes first: every other export is checked against its units and officials.
REGISTER_EXPORTS = ("don_vi", "can_bo")


@cache
def load_contracts() -> dict[str, Contract]:
    """Every export's contract, the staff register first."""
    contracts = {c.export: c for c in map(_parse, sorted(CONTRACTS_DIR.glob("*.yml")))}
    ordered = [e for e in REGISTER_EXPORTS if e in contracts]
    ordered += sorted(e for e in contracts if e not in REGISTER_EXPORTS)
    return {e: contracts[e] for e in ordered}


RAW_COLUMNS = [
    ("_month", "First day of the month the export was closed for."),
    ("_file", "Export file the row came from."),
    ("_line", "Line of the row in the file: header = 1, one per record (Excel: the sheet row)."),
    ("_file_sha256", "SHA-256 of the export file."),
    ("_loaded_at", "When extract loaded the row."),
]
SOURCES_YAML = (
    CONTRACTS_DIR.parent.parent / "dbt_project" / "models" / "staging" / "_raw__sources.yml"
)


def render_dbt_sources() -> str:
    """The dbt sources of the raw schema, every column described from its contract.

    `python -m orchestration.contracts` rewrites dbt_project/models/staging/_raw__sources.yml;
    a test keeps the two in step.
    """
    tables = []
    for contract in load_contracts().values():
        source = contract.file + (f", sheet {contract.sheet}" if contract.sheet else "")
        columns = [{"name": name, "description": text} for name, text in RAW_COLUMNS]
        for column in contract.columns:
            if column.stored_name is None:
                continue
            kind = {"hash": "salted SHA-256 of ", "presence": "whether there is a "}.get(
                column.personal or "", "")
            columns.append({
                "name": column.stored_name,
                "description": f"{kind}'{column.header}' ({column.type}"
                + (", " + ", ".join(f"{k} = {v}" for k, v in column.values.items())
                   if column.values else "") + ")",
            })
        columns.append({"name": "_extra_columns",
                        "description": "Cells of headers the contract does not know, as JSON."})
        tables.append({"name": contract.export,
                       "description": f"{contract.description} From {source}.",
                       "columns": columns})
    tables.append({
        "name": "quarantine",
        "description": "Rows of any export that could not be loaded, with file, line, field and "
                       "reason.",
        "config": {"freshness": None},
        "columns": [{"name": n, "description": d} for n, d in [
            ("_month", "First day of the closed month."), ("export", "Export of the row."),
            ("file", "File (and sheet) of the row."), ("line", "Line of the row in the file."),
            ("field", "First field at fault; null for duplicates and unreadable rows."),
            ("reason", "Every problem of the row, in words.")]],
    })
    tables.append({
        "name": "load_report",
        "description": "Per export and month: rows read, loaded and quarantined, and the file's "
                       "checksum.",
        "config": {"freshness": None},
        "columns": [{"name": n, "description": d} for n, d in [
            ("_month", "First day of the closed month."), ("export", "Export."),
            ("file", "File name."), ("file_sha256", "SHA-256 of the file."),
            ("rows_read", "Records read."), ("rows_loaded", "Records loaded into raw."),
            ("rows_quarantined", "Records quarantined (read - loaded)."),
            ("duplicates", "Exact duplicate records among the quarantined."),
            ("layout_rows_skipped", "Title, group and total rows of Excel reports."),
            ("extra_columns", "Headers the contract does not know."),
            ("status", "loaded or stopped."),
            ("message", "Why a stopped source stopped; for a loaded one, how it was read."),
            ("rows_after_cut_off", "Loaded records dated after the cut-off (late edits).")]],
    })
    document = {"version": 2, "sources": [{
        "name": "raw", "schema": "raw",
        "description": "Monthly exports as loaded by extract, typed by their contracts under "
                       "sources/contracts/.",
        "config": {"loaded_at_field": "_loaded_at", "freshness": {
            "warn_after": {"count": 35, "period": "day"},
            "error_after": {"count": 70, "period": "day"}}},
        "tables": tables,
    }]}
    header = "# Written by `python -m orchestration.contracts` from sources/contracts/.\n"
    return header + yaml.safe_dump(document, sort_keys=False, allow_unicode=True, width=100)


if __name__ == "__main__":
    SOURCES_YAML.write_text(render_dbt_sources(), encoding="utf-8")
