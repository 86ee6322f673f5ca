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
