"""Write, audit, publish: the close builds separate DuckDB files and replaces the published
ones by atomic renames, only after every check passed.

Two files are kept. `history.duckdb` is the close's own store: the loaded exports (`raw`), the
catalogue seeds, the marts and the close log; every close starts from a copy of it. `kpi.duckdb`
is what analysts and BI tools open: the documented `marts` schema alone (facts, dimensions,
marts and the close log), derived from the checked build. Readers open `kpi.duckdb` read-only
and never see a build file, so they never meet a lock or half a month. A failed or killed close
leaves both files as they were, or finishes its publish on the next start.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import secrets
import shutil
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import duckdb

from orchestration import faults
from orchestration.paths import warehouse_dir


@dataclass(frozen=True)
class WarehouseFiles:
    root: Path

    @property
    def published(self) -> Path:
        return self.root / "kpi.duckdb"

    @property
    def previous(self) -> Path:
        return self.root / "kpi.previous.duckdb"

    @property
    def history(self) -> Path:
        return self.root / "history.duckdb"

    @property
    def history_previous(self) -> Path:
        return self.root / "history.previous.duckdb"

    @property
    def build(self) -> Path:
        """The build of the history: extract, dbt and the checks write and read it."""
        return self.root / "build" / "history.duckdb"

    @property
    def build_published(self) -> Path:
        """The build of the published file, derived from `build` once every check passed."""
        return self.root / "build" / "kpi.duckdb"

    @property
    def publish_marker(self) -> Path:
        """The close being published and its months, until their results and reports follow."""
        return self.root / "build" / "publish.json"

    @property
    def rollback_marker(self) -> Path:
        """The months a rollback in progress undoes, until their results and reports follow."""
        return self.root / "build" / "rollback.json"

    @property
    def lock(self) -> Path:
        return self.root / "build" / "close.lock"


class WarehouseBusy(Exception):  # noqa: N818 - a domain outcome, not a programming error
    """Another process is closing or rolling back the same warehouse."""


# Lock files this process holds: a step of a close run in this process must not probe the lock
# its own close took.
_held: set[Path] = set()


@contextlib.contextmanager
def exclusive(target: WarehouseFiles) -> Iterator[None]:
    """One close or rollback of a warehouse at a time. Two closes would share the build file:
    one could publish what the other half built. The operating system drops the lock with the
    process that held it, so a killed close never leaves the warehouse locked."""
    target.lock.parent.mkdir(parents=True, exist_ok=True)
    with target.lock.open("a+", encoding="utf-8") as handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            handle.seek(0)
            holder = handle.read().strip() or "another process"
            raise WarehouseBusy(
                f"{target.root} is being closed by {holder}: wait for that close to end"
            ) from None
        handle.seek(0)
        handle.truncate()
        handle.write(f"process {os.getpid()}")
        handle.flush()
        _held.add(target.lock)
        try:
            finish_publish(target)
            if target.publish_marker.exists() or target.rollback_marker.exists():
                # Late import: what follows reads the close log and writes reports.
                from orchestration.follow import follow_publish, follow_rollback

                if target.publish_marker.exists():
                    follow_publish(target)
                if target.rollback_marker.exists():
                    follow_rollback(target)
            yield
        finally:
            _held.discard(target.lock)
            fcntl.flock(handle, fcntl.LOCK_UN)


def ensure_not_busy(target: WarehouseFiles) -> None:
    """For a close started outside `exclusive` (a Dagster run): refuse to start while another
    process holds the warehouse."""
    if target.lock in _held:
        return
    with exclusive(target):
        pass


def files() -> WarehouseFiles:
    return WarehouseFiles(warehouse_dir())


# DuckDB 1.5 is what the command-line package and the Node bindings of BI tools bundle today.
STORAGE_VERSION = "v1.5.0"
# The one schema readers get; the history's other schemas stay with the close.
PUBLISHED_SCHEMA = "marts"
BUILD_ONLY_SCHEMAS = ("staging", "intermediate")


def memory_limit() -> str:
    """DuckDB's memory limit for the close (KPI_DUCKDB_MEMORY, e.g. `4GB`): past it, DuckDB
    spills to a temporary folder beside the build file rather than take the machine."""
    return os.environ.get("KPI_DUCKDB_MEMORY", "4GB")


def connect(path: Path, read_only: bool = False) -> duckdb.DuckDBPyConnection:
    """A connection of the close to one of its files, held to the close's memory limit.

    The limit is SET, not passed as connect config: connections of one process to one file
    share a database, and DuckDB refuses a second connect whose config differs."""
    con = duckdb.connect(str(path), read_only=read_only)
    con.execute("set memory_limit = $limit", {"limit": memory_limit()})
    return con


def _wal(path: Path) -> Path:
    return path.with_name(path.name + ".wal")


def prepare_build(target: WarehouseFiles, month: str) -> Path:
    """Start the build from a copy of the history (or empty for the first close).

    The month's load report is cleared in the copy, so that what the close reports is what this
    close read, never what an earlier close of the same month had read.
    """
    target.build.parent.mkdir(parents=True, exist_ok=True)
    for leftover in (target.build, target.build_published):
        for path in (leftover, _wal(leftover)):
            path.unlink(missing_ok=True)
    if not target.history.exists():
        duckdb.connect(str(target.build)).close()
        return target.build
    shutil.copyfile(target.history, target.build)
    con = connect(target.build)
    try:
        has_report = con.execute(
            "select count(*) from information_schema.tables "
            "where table_schema = 'raw' and table_name = 'load_report'"
        ).fetchone()[0]
        if has_report:
            con.execute("delete from raw.load_report where _month = $m", {"m": f"{month}-01"})
        con.execute("checkpoint")
    finally:
        con.close()
    return target.build


def derive_published(history: Path, published: Path) -> None:
    """Write the file readers get: every table of the history's `marts` schema with its dbt
    comments, nothing else. It is written anew by each close, in a storage version that the
    DuckDB inside BI tools, often older than ours, can open."""
    for path in (published, _wal(published)):
        path.unlink(missing_ok=True)
    con = duckdb.connect(str(published),
                         config={"storage_compatibility_version": STORAGE_VERSION})
    try:
        con.execute("set memory_limit = $limit", {"limit": memory_limit()})
        con.execute(f"attach {sql_literal(str(history))} as history (read_only)")
        tables = con.execute(
            "select table_name, comment from duckdb_tables() "
            "where database_name = 'history' and schema_name = $s order by table_name",
            {"s": PUBLISHED_SCHEMA},
        ).fetchall()
        columns = con.execute(
            "select table_name, column_name, comment from duckdb_columns() "
            "where database_name = 'history' and schema_name = $s and comment is not null",
            {"s": PUBLISHED_SCHEMA},
        ).fetchall()
        con.execute(f"create schema {PUBLISHED_SCHEMA}")
        for table, comment in tables:
            name = f'{PUBLISHED_SCHEMA}."{table}"'
            con.execute(f"create table {name} as from history.{name}")
            if comment:
                con.execute(f"comment on table {name} is {sql_literal(comment)}")
        for table, column, comment in columns:
            con.execute(f'comment on column {PUBLISHED_SCHEMA}."{table}"."{column}" '
                        f"is {sql_literal(comment)}")
        con.execute("detach history")
        con.execute("checkpoint")
    finally:
        con.close()


def sql_literal(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def publish(target: WarehouseFiles) -> Path:
    """Checkpoint the build, derive the published file from it, then put both in place.

    The history is renamed first, the published file second. A close killed between the two
    renames has its publish finished when the warehouse is next taken (`finish_publish`), so
    the two never stay apart."""
    con = connect(target.build)
    try:
        # Staging and intermediate views serve the build only. The next close's dbt build
        # creates them again.
        for schema in BUILD_ONLY_SCHEMAS:
            con.execute(f"drop schema if exists {schema} cascade")
        con.execute("checkpoint")
    finally:
        con.close()
    derive_published(target.build, target.build_published)
    for built in (target.build, target.build_published):
        if _wal(built).exists():
            raise RuntimeError(f"{built}: a write-ahead log is left after checkpoint")
    _put_in_place(target.build, target.history, target.history_previous)
    faults.pause_here("publish")
    _put_in_place(target.build_published, target.published, target.previous)
    faults.pause_here("published")
    return target.published


def _put_in_place(built: Path, name: Path, previous: Path) -> None:
    if name.exists():
        # Keep the version being replaced for rollback, as a second name of the same file, so
        # that the name never goes missing and nothing is copied: a published file is only ever
        # replaced by rename, never written in place.
        _second_name(name, previous)
    os.replace(built, name)
    _fsync_dir(name.parent)


def finish_publish(target: WarehouseFiles) -> None:
    """Finish a publish cut short between its two renames (the new history is in place and the
    published file built from it waits in the build folder), or a rollback cut short between
    its two (the history is back and the previous published file still waits)."""
    if target.build_published.exists() and not target.build.exists():
        _put_in_place(target.build_published, target.published, target.previous)
    elif target.previous.exists() and not target.history_previous.exists():
        os.replace(target.previous, target.published)
        _fsync_dir(target.root)


def check_previous(target: WarehouseFiles) -> None:
    """Refuse a rollback with nothing to go back to, or with previous files of two publishes."""
    for previous in (target.history_previous, target.previous):
        if not previous.exists():
            raise FileNotFoundError(f"{previous} does not exist: nothing to roll back to")
    if os.path.samefile(target.history_previous, target.history) or (
            _close_log_size(target.history_previous) != _close_log_size(target.previous)):
        # A close killed while it named its previous files leaves a pair from two publishes.
        raise FileNotFoundError(
            f"{target.previous.name} and {target.history_previous.name} are not from one "
            "publish (a close was cut short while keeping them): nothing to roll back to")


def restore_previous(target: WarehouseFiles) -> None:
    """Put the previous history and published file back by rename, history first: a rollback
    undoes the last publish once, and the versions it removes are not kept. Checked first by
    `check_previous`."""
    os.replace(target.history_previous, target.history)
    faults.pause_here("rollback")
    os.replace(target.previous, target.published)
    _fsync_dir(target.root)


def _close_log_size(path: Path) -> int:
    con = duckdb.connect(str(path), read_only=True)
    try:
        return con.execute("select count(*) from marts.close_log").fetchone()[0]
    except duckdb.CatalogException:
        return 0
    finally:
        con.close()


def _second_name(existing: Path, name: Path) -> None:
    """Make `name` the same file as `existing` in one rename: a hard link where the file system
    has them, else a copy."""
    if name.exists() and os.path.samefile(existing, name):
        return  # already so; a rename onto another name of the same file would do nothing
    staging = name.with_suffix(".staging")
    staging.unlink(missing_ok=True)
    try:
        os.link(existing, staging)
    except OSError:
        shutil.copyfile(existing, staging)
    os.replace(staging, name)


def _fsync_dir(directory: Path) -> None:
    fd = os.open(directory, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def pii_salt() -> str:
    """The secret salt of hashed personal data: from KPI_PII_SALT, else a file kept beside the
    warehouse, created once, so that repeat petitions link across months."""
    if os.environ.get("KPI_PII_SALT"):
        return os.environ["KPI_PII_SALT"]
    path = warehouse_dir() / ".pii_salt"
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(secrets.token_hex(32), encoding="utf-8")
        path.chmod(0o600)
    return path.read_text(encoding="utf-8").strip()
