"""Load one export of one month into the raw schema, through its contract.

The whole file is typed and checked in a few DuckDB statements: every row either lands in
`raw.<export>` tagged with month, file, line and the file's checksum, or in `raw.quarantine`
with its line, field and reason. Rows read = rows loaded + rows quarantined, always.
"""

from __future__ import annotations

import datetime as dt
import tempfile
from dataclasses import asdict, dataclass
from pathlib import Path

import duckdb

from orchestration.contracts import Column, Contract, normalise
from orchestration.extract.readers import SourceStopped, file_sha256, scan_csv, scan_xlsx

SQL_TYPES = {
    "text": "varchar",
    "date": "date",
    "timestamp": "timestamp",
    "int": "bigint",
    "number": "double",
    "money": "decimal(18, 3)",
    "enum": "varchar",
}
# Types whose text is parsed into a value; what fails to parse is quarantined.
PARSED_TYPES = ("date", "timestamp", "int", "number", "money")
TIMESTAMP_FORMATS = ["%d/%m/%Y %H:%M:%S", "%d/%m/%Y %H:%M", "%d/%m/%Y"]
# Vietnamese number text: dots group thousands, a comma starts the decimals.
NUMBER_PATTERN = r"^-?([0-9]{1,3}(\.[0-9]{3})+|[0-9]+)(,[0-9]+)?$"
WHOLE_PATTERN = r"^-?([0-9]{1,3}(\.[0-9]{3})+|[0-9]+)$"
# Day and month of one or two digits, the year always of four: `10/07/26` is no date.
DATE_PATTERN = r"^[0-9]{1,2}/[0-9]{1,2}/[0-9]{4}$"
TIMESTAMP_PATTERN = r"^[0-9]{1,2}/[0-9]{1,2}/[0-9]{4}( [0-9]{1,2}:[0-9]{2}(:[0-9]{2})?)?$"
# Nine digits or more, alone or grouped by spaces, dots or dashes: a phone number (10), an old
# identity card (9) or a citizen ID (12), never a code, amount or date the exports write there.
NUMBER_RUN = r"[0-9]([ .-]?[0-9]){8,}"
# The years a date of these systems can fall in.
YEARS = (1900, 2100)


@dataclass
class LoadResult:
    """What one export gave this month; it becomes a row of `raw.load_report`."""

    month: str
    export: str
    file: str
    file_sha256: str | None
    rows_read: int
    rows_loaded: int
    rows_quarantined: int
    duplicates: int
    layout_rows_skipped: int
    extra_columns: str | None
    status: str
    message: str | None
    # Loaded rows holding a date after the cut-off: late edits the close treats as not yet
    # happened (SOURCES.md), counted so the operator sees how many there were.
    rows_after_cut_off: int = 0


def month_start(month: str) -> dt.date:
    return dt.date.fromisoformat(f"{month}-01")


def _quote(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def _raw_table_ddl(contract: Contract) -> str:
    columns = ["_month date not null", "_file varchar not null", "_line bigint not null",
               "_file_sha256 varchar not null", "_loaded_at timestamp not null"]
    for column in contract.columns:
        stored = column.stored_name
        if stored is None:
            continue
        sql_type = "boolean" if column.personal == "presence" else SQL_TYPES[column.type]
        if column.personal == "hash":
            sql_type = "varchar"
        columns.append(f"{stored} {sql_type}")
    columns.append("_extra_columns json")
    return f"create table if not exists raw.{contract.export} ({', '.join(columns)})"


def ensure_raw_schema(con: duckdb.DuckDBPyConnection, contracts: dict[str, Contract]) -> None:
    con.execute("create schema if not exists raw")
    for contract in contracts.values():
        con.execute(_raw_table_ddl(contract))
    con.execute(
        """
        create table if not exists raw.quarantine (
            _month date not null, export varchar not null, file varchar not null,
            line bigint, field varchar, reason varchar not null
        )
        """
    )
    con.execute(
        """
        create table if not exists raw.load_report (
            _month date not null, export varchar not null, file varchar not null,
            file_sha256 varchar, rows_read bigint, rows_loaded bigint,
            rows_quarantined bigint, duplicates bigint, layout_rows_skipped bigint,
            extra_columns varchar, status varchar not null, message varchar,
            rows_after_cut_off bigint
        )
        """
    )
    # Warehouses published before the count existed gain it on their next close.
    con.execute("alter table raw.load_report add column if not exists rows_after_cut_off bigint")


@dataclass(frozen=True)
class TypedField:
    """How one field of the contract becomes a stored value, in three SQL steps over a row whose
    cells are already normalised: `parse` types the text, `checks` are the (condition, reason)
    pairs that quarantine the row, `stored` is what raw keeps (the value, its hash, or whether
    there was one)."""

    parse: str
    checks: list[tuple[str, str]]
    stored: str


def _shown(column: Column, text: str, about_citizens: bool) -> str:
    """The cell as a quarantine reason quotes it. Reasons are shown to analysts, so a value that
    could be personal data is not: a personal column's, a run of nine digits or more, and any
    wording in an export about citizens (a name typed into the wrong column)."""
    if column.personal:
        return "'(not shown)'"
    hidden = NUMBER_RUN + ("|[[:alpha:]]" if about_citizens else "")
    return (f"case when regexp_matches({text}, '{hidden}') then '(not shown)' "
            f"else '''' || {text} || '''' end")


def _typed(column: Column, text: str, value: str, salt_param: str,
           about_citizens: bool = False) -> TypedField:
    """SQL for one field, given the names of its normalised text (`text`, null when empty) and
    of its parsed value (`value`): each is computed once per row, however many checks read it."""
    label = f"{column.field} ({column.header})"
    shown = _shown(column, text, about_citizens)
    checks: list[tuple[str, str]] = []
    if column.type == "text" and not column.personal and (column.required or column.ref):
        # A key or reference with a control character in it (a NUL, a line break) would load as
        # a code that matches nothing and split a record's history. Comments and free text may
        # hold line breaks.
        checks.append((f"regexp_matches({text}, '[\\x00-\\x1f\\x7f]')",
                       f"'{label}: contains a control character'"))
    if column.type == "text" and column.digits:
        parse = (f"case when regexp_full_match({text}, '[0-9]{{1,{column.digits}}}') "
                 f"then lpad({text}, {column.digits}, '0') end")
        checks.append((f"{text} is not null and {value} is null",
                       f"'{label}: ' || {shown} || ' is not a number of {column.digits} digits'"))
    elif column.type == "text" and column.free_text:
        parse = f"regexp_replace({text}, '{NUMBER_RUN}', '***', 'g')"
    elif column.type == "text":
        parse = text
    elif column.type == "date":
        parse = (f"case when regexp_matches({text}, '{DATE_PATTERN}') "
                 f"then try_strptime({text}, '%d/%m/%Y')::date end")
        checks.append((f"{text} is not null and {value} is null",
                       f"'{label}: ' || {shown} || ' is not a date dd/mm/yyyy'"))
    elif column.type == "timestamp":
        formats = "[" + ", ".join(_quote(f) for f in TIMESTAMP_FORMATS) + "]"
        parse = (f"case when regexp_matches({text}, '{TIMESTAMP_PATTERN}') "
                 f"then try_strptime({text}, {formats}) end")
        checks.append((f"{text} is not null and {value} is null",
                       f"'{label}: ' || {shown} || ' is not a time dd/mm/yyyy HH:MM[:SS]'"))
    elif column.type == "int":
        # Dots group thousands, as in every number of these exports; nothing else is a whole
        # number (DuckDB's own cast would round 12.5 and read 1e3, 0x1F or 1_000).
        parse = (f"case when regexp_matches({text}, '{WHOLE_PATTERN}') "
                 f"then try_cast(replace({text}, '.', '') as bigint) end")
        checks.append((f"{text} is not null and {value} is null",
                       f"'{label}: ' || {shown} || case when regexp_matches({text}, "
                       f"'{WHOLE_PATTERN}') then ' is too large' else ' is not a whole number' "
                       "end"))
    elif column.type in ("number", "money"):
        plain = f"replace(replace({text}, '.', ''), ',', '.')"
        parse = (f"case when regexp_full_match({text}, '{NUMBER_PATTERN}') "
                 f"then try_cast({plain} as {SQL_TYPES[column.type]}) end")
        checks.append((f"{text} is not null and {value} is null",
                       f"'{label}: ' || {shown} || ' is not a number like 1.234,5'"))
    else:  # enum: matched after normalisation, stored as the contract's code
        whens = " ".join(f"when {_quote(normalise(k))} then {_quote(v)}"
                         for k, v in column.values.items())
        parse = f"case lower({text}) {whens} end"
        allowed = ", ".join(column.values)
        checks.append((f"{text} is not null and {value} is null",
                       f"'{label}: ' || {shown} || ' is not one of: {allowed}'"))
    if column.type in ("date", "timestamp"):
        # A year typed with a slip (9999, 2206) would keep a task on track for ever.
        checks.append((f"{value} not between date '{YEARS[0]}-01-01' and date '{YEARS[1]}-12-31'",
                       f"'{label}: ' || {shown} || ' is outside the years {YEARS[0]}-{YEARS[1]}'"))
    if column.required:
        checks.append((f"{text} is null", f"'{label}: empty'"))
    if column.min is not None:
        checks.append((f"{value} < {column.min}", f"'{label}: below {column.min}'"))
    if column.max is not None:
        checks.append((f"{value} > {column.max}", f"'{label}: above {column.max}'"))
    if column.ref == "unit":
        checks.append((
            f"{text} is not null and {text} not in (select unit_code from register_units)",
            f"'{label}: unit ' || {shown} || ' is not in the staff register'",
        ))
    if column.ref == "official":
        checks.append((
            f"{text} is not null and {text} not in (select official_code from register_officials)",
            f"'{label}: official ' || {shown} || ' is not in the staff register'",
        ))
    stored = value
    if column.personal == "hash":
        stored = f"sha256({salt_param} || {value})"
    elif column.personal == "presence":
        stored = f"({text} is not null)"
    return TypedField(parse, checks, stored)


def _register_views(con: duckdb.DuckDBPyConnection, month: dt.date, export: str) -> None:
    """Units and officials of this month's staff register, which every other export must name.

    The register's own exports are not checked against themselves: their lists stay empty.
    """
    con.execute(
        "create or replace temp table register_units as select unit_code from raw.don_vi "
        "where _month = $month and $checked",
        {"month": month, "checked": export != "don_vi"},
    )
    con.execute(
        "create or replace temp table register_officials as select official_code "
        "from raw.can_bo where _month = $month and $checked",
        {"month": month, "checked": export not in ("don_vi", "can_bo")},
    )


def _drop_work_tables(con: duckdb.DuckDBPyConnection, name: str) -> None:
    """Temporary tables and views of one scan, dropped whichever kind each one is."""
    leftovers = con.execute(
        "select table_name, table_type from information_schema.tables "
        "where table_schema = 'main' and starts_with(table_name, $prefix)",
        {"prefix": f"{name}_"},
    ).fetchall()
    for table, kind in leftovers:
        con.execute(f"drop {'view' if kind == 'VIEW' else 'table'} if exists {table}")


def _stop(con: duckdb.DuckDBPyConnection, contract: Contract, month: str, message: str,
          sha: str | None) -> LoadResult:
    """Nothing of a stopped source is kept for the month: its earlier load is removed too."""
    start = month_start(month)
    con.execute(f"delete from raw.{contract.export} where _month = $m", {"m": start})
    con.execute("delete from raw.quarantine where _month = $m and export = $e",
                {"m": start, "e": contract.export})
    return LoadResult(month, contract.export, contract.file, sha, 0, 0, 0, 0, 0, None,
                      "stopped", message)


def load_export(con: duckdb.DuckDBPyConnection, contract: Contract, month_dir: Path,
                month: str, salt: str) -> LoadResult:
    """Read one export of one month into raw, replacing whatever that month held before."""
    start = month_start(month)
    path = month_dir / contract.file
    con.execute("begin transaction")
    try:
        result = _load(con, contract, path, month, start, salt)
        con.execute("delete from raw.load_report where _month = $m and export = $e",
                    {"m": start, "e": contract.export})
        row = asdict(result)
        row["month"] = start
        con.execute(
            "insert into raw.load_report values ($month, $export, $file, $file_sha256, "
            "$rows_read, $rows_loaded, $rows_quarantined, $duplicates, $layout_rows_skipped, "
            "$extra_columns, $status, $message, $rows_after_cut_off)",
            row,
        )
        con.execute("commit")
    except BaseException:
        con.execute("rollback")
        raise
    return result


def _load(con: duckdb.DuckDBPyConnection, contract: Contract, path: Path, month: str,
          start: dt.date, salt: str) -> LoadResult:
    if not path.exists():
        return _stop(con, contract, month, f"{contract.file}: file is missing from {month}/",
                     None)
    sha = file_sha256(path)
    name = f"x_{contract.export}"
    try:
        with tempfile.TemporaryDirectory() as work_dir:
            if contract.format == "csv":
                scan = scan_csv(con, path, contract, Path(work_dir), name)
            else:
                scan = scan_xlsx(con, path, contract, name)
    except SourceStopped as stopped:
        return _stop(con, contract, month, str(stopped), sha)
    except duckdb.Error as error:
        first_line = str(error).strip().splitlines()[0]
        return _stop(con, contract, month, f"{contract.source_name}: unreadable ({first_line})",
                     sha)

    positions: dict[str, int] = {}
    for index, header in enumerate(scan.headers):
        positions.setdefault(normalise(header), index)
    missing = [c.header for c in contract.columns if normalise(c.header) not in positions]
    known = {normalise(c.header) for c in contract.columns}
    extras = [(i, h) for i, h in enumerate(scan.headers) if normalise(h) not in known]
    if missing:
        # A renamed header shows as one missing and one unknown: naming both says which.
        unknown = [h for _, h in extras if h.strip()]
        found = f" (found instead: {', '.join(repr(h) for h in unknown)})" if unknown else ""
        # One header holding the others: the file was saved with another separator.
        other = next((d for d in (",", ";", "\t", "|") if d != contract.delimiter
                      and d in unknown[0]), None) if len(unknown) == 1 else None
        if other is not None:
            found = (f" (the header line is separated by {other!r}, not "
                     f"{contract.delimiter!r})")
        return _stop(con, contract, month,
                     f"{contract.source_name}: missing header(s) "
                     + ", ".join(f"'{h}'" for h in missing) + found, sha)

    _register_views(con, start, contract.export)
    rows = f"{name}_rows"
    con.execute(f"create or replace temp table {rows} as select * from {scan.relation}")
    # Each cell the contract reads is normalised once (NFC, trimmed, empty as null), and each
    # field parsed once; the checks and the stored values then read those columns. Dates and
    # numbers skip NFC: it cannot change text that parses as one. NFC is the dearest step of
    # all, and a column repeats few spellings (procedure names, statuses) over millions of
    # rows, so each distinct non-ASCII text is normalised once and looked up; ASCII text is
    # its own NFC form (bytes = characters).
    cells = {positions[normalise(c.header)]: c.type in PARSED_TYPES for c in contract.columns}
    spelled = [i for i, parsed in sorted(cells.items()) if not parsed]
    for i in spelled:
        con.execute(
            f"create or replace temp table {name}_nfc{i} as select _raw, nfc_normalize(_raw) "
            f"as _nfc from (select distinct c{i} as _raw from {rows} "
            f"where strlen(c{i}) <> length(c{i}))"
        )
    normalised = ", ".join(
        f"nullif(trim(c{i}), '') as _t{i}" if parsed else
        f"nullif(trim(case when strlen(c{i}) = length(c{i}) then c{i} else _nfc{i}._nfc end),"
        f" '') as _t{i}"
        for i, parsed in sorted(cells.items()))
    lookups = " ".join(f"left join {name}_nfc{i} as _nfc{i} on {rows}.c{i} = _nfc{i}._raw"
                       for i in spelled)
    parses: list[str] = []
    values: list[str] = []
    checks: list[tuple[str, str, str]] = []
    for number, column in enumerate(contract.columns):
        field = _typed(column, f"_t{positions[normalise(column.header)]}", f"_v{number}",
                       "$salt", contract.holds_personal_data)
        parses.append(f"{field.parse} as _v{number}")
        if column.stored_name is not None:
            values.append(f"{field.stored} as {column.stored_name}")
        checks += [(column.field, cond, reason) for cond, reason in field.checks]
    failed = " or ".join(f"coalesce({cond}, false)" for _, cond, _ in checks) or "false"
    problems = ", ".join(
        f"case when coalesce({cond}, false) then {{'field': '{field}', 'reason': {reason}}} end"
        for field, cond, reason in checks
    )
    # Columns the contract does not know are kept for the operator to see, but not their
    # values in an export about citizens: an unknown column there may be a phone number.
    extra_json = (
        "json_object(" + ", ".join(
            f"{_quote(h)}, {'null' if contract.holds_personal_data else f'c{i}'}"
            for i, h in extras) + ")"
        if extras else "null::json"
    )
    all_cells = ", ".join(f"c{i}" for i in range(len(scan.headers)))
    keys = [f"_t{positions[normalise(contract.column(k).header)]}" for k in contract.key]
    key_names = ", ".join(f"_k{i}" for i in range(len(keys)))
    # Exact duplicates and key conflicts are found by grouping narrow columns and joined back
    # by line: a window over every column would sort millions of whole rows to find a few.
    checked_sql = f"""
        create or replace temp table {name}_checked as
        with normalised as (
            select {rows}.*, {normalised} from {rows} {lookups}
        ),
        parsed as (
            select *, {", ".join(parses)} from normalised
        ),
        -- Equal rows have equal hashes: only rows whose hash repeats are compared whole.
        repeated_hashes as (
            select hash({all_cells}) as row_hash
            from {rows}
            group by row_hash
            having count(*) > 1
        ),
        repeated_rows as (
            select min(_line) as first_line, list(_line) as lines
            from {rows}
            where hash({all_cells}) in (select row_hash from repeated_hashes)
            group by {all_cells}
            having count(*) > 1
        ),
        repeated_lines as (
            select unnest(lines) as _line, first_line as _first_line from repeated_rows
        ),
        checked as (
            select
                parsed._line,
                {", ".join(values)},
                {extra_json} as _extra_columns,
                -- The reasons are spelled out only for rows that fail a check: few of them.
                case
                    when {failed}
                        then list_filter([{problems}], lambda p: p is not null)
                    else []
                end as _problems,
                {", ".join(f"{k} as _k{i}" for i, k in enumerate(keys))},
                coalesce(repeated_lines._first_line, parsed._line) as _first_line
            from parsed
            left join repeated_lines on parsed._line = repeated_lines._line
        ),
        candidates as (
            select *, (_line = _first_line and len(_problems) = 0) as _candidate from checked
        ),
        repeated_keys as (
            select {key_names}
            from candidates
            where _candidate
            group by {key_names}
            having count(*) > 1
        ),
        shared_keys as (
            select count(*) as key_rows, list(candidates._line) as key_lines
            from candidates
            inner join repeated_keys
                on {" and ".join(f"candidates._k{i} is not distinct from repeated_keys._k{i}"
                                 for i in range(len(keys)))}
            where candidates._candidate
            group by {", ".join(f"candidates._k{i}" for i in range(len(keys)))}
        ),
        shared_key_lines as (
            select unnest(key_lines) as _line, key_rows, key_lines from shared_keys
        )
        -- _key_rows and _key_lines are those of the loadable rows sharing the row's key.
        select
            candidates.*,
            coalesce(shared_key_lines.key_rows, 1) as _key_rows,
            coalesce(shared_key_lines.key_lines, [candidates._line]) as _key_lines
        from candidates
        left join shared_key_lines on candidates._line = shared_key_lines._line
        """
    # Only an export with hashed personal data takes the salt as a parameter.
    con.execute(checked_sql, {"salt": salt} if "$salt" in checked_sql else None)
    stored = [c.stored_name for c in contract.columns if c.stored_name is not None]
    con.execute(f"delete from raw.{contract.export} where _month = $m", {"m": start})
    con.execute(
        f"""
        insert into raw.{contract.export} by name
        select
            $m as _month, $file as _file, _line, $sha as _file_sha256,
            current_timestamp::timestamp as _loaded_at,
            {", ".join(stored)}, _extra_columns
        from {name}_checked
        where _candidate and _key_rows = 1
        order by _line
        """,
        {"m": start, "file": contract.file, "sha": sha},
    )
    con.execute("delete from raw.quarantine where _month = $m and export = $e",
                {"m": start, "e": contract.export})
    key_label = " + ".join(contract.key)
    quarantine = {"m": start, "e": contract.export, "file": contract.source_name}
    con.execute(
        f"""
        insert into raw.quarantine
        select $m, $e, $file, _line,
            case
                when _line <> _first_line then null
                when len(_problems) > 0 then _problems[1].field
                else {_quote(key_label)}
            end,
            case
                when _line <> _first_line then 'exact duplicate of line ' || _first_line
                when len(_problems) > 0
                    then array_to_string(list_transform(_problems, lambda p: p.reason), '; ')
                else {_quote(key_label)} || ' ' || concat_ws(' + ', {key_names})
                    || ' appears on lines '
                    || array_to_string(list_sort(_key_lines), ', ') || ' with different content'
            end
        from {name}_checked
        where not (_candidate and _key_rows = 1)
        order by _line
        """,
        quarantine,
    )
    if scan.rows_rejected:
        con.execute(
            f"""
            insert into raw.quarantine
            select $m, $e, $file, line, null, 'unreadable row: ' || reason
            from {name}_reject_lines order by line
            """,
            quarantine,
        )
    scanned, loaded, duplicates = con.execute(
        f"""
        select count(*), count(*) filter (where _candidate and _key_rows = 1),
            count(*) filter (where _line <> _first_line)
        from {name}_checked
        """
    ).fetchone()
    _drop_work_tables(con, name)
    read = scanned + scan.rows_rejected
    dated = [c.field for c in contract.columns if c.event]
    after_cut_off = con.execute(
        f"select count(*) from raw.{contract.export} where _month = $m and ("
        + " or ".join(f"cast({d} as date) > last_day($m)" for d in dated) + ")",
        {"m": start},
    ).fetchone()[0] if dated else 0
    return LoadResult(
        month=month, export=contract.export, file=contract.file, file_sha256=sha,
        rows_read=read, rows_loaded=loaded, rows_quarantined=read - loaded,
        duplicates=duplicates, layout_rows_skipped=scan.layout_rows_skipped,
        extra_columns=", ".join(h for _, h in extras) or None, status="loaded",
        message=scan.note,
        rows_after_cut_off=after_cut_off,
    )
