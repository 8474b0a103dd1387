"""DuckDB connections: the only place reportwatch opens the warehouse.

DuckDB lets one process hold a file for writing and then no other process may open it at all.
So the loader holds a write connection only for one short transaction (:func:`writer`), and
analysts read a snapshot published after each load (:mod:`warehouse.snapshot`).
DuckDB errors are mapped here to :mod:`reportwatch.errors` (a lock is *transient*).
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import duckdb

from reportwatch.errors import WarehouseError, WarehouseLockedError

Connection = duckdb.DuckDBPyConnection


def now() -> dt.datetime:
    """Naive UTC: the form every timestamp in the warehouse takes."""
    return dt.datetime.now(dt.UTC).replace(tzinfo=None)


_LOCK_HOLDER = re.compile(r"Conflicting lock is held in (?P<program>.+?) \(PID (?P<pid>\d+)\)")
DATA_DIR_HINT = "check REPORTWATCH_DATA_DIR (or --data-dir): the folder must exist and be writable"


def map_duckdb_error(exc: duckdb.Error, path: Path | str) -> WarehouseError:
    text = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
    if isinstance(exc, duckdb.IOException) and "lock" in str(exc).lower():
        holder = _LOCK_HOLDER.search(str(exc))
        by = f" (PID {holder['pid']}, {holder['program']})" if holder else ""
        return WarehouseLockedError(
            f"warehouse {path} is locked by another process{by}",
            hint="another reportwatch process is writing to it; wait for it to finish "
            "(`reportwatch status` names the run holding each series) and try again",
        )
    if isinstance(exc, duckdb.IOException) and any(
        reason in text for reason in ("Permission denied", "Read-only file system")
    ):
        return WarehouseError(f"cannot open {path}: {text}", hint=DATA_DIR_HINT)
    return WarehouseError(f"warehouse {path}: {text}", hint="see docs/runbook.md")


def connect(path: Path | str, *, read_only: bool = False) -> Connection:
    """Open the warehouse (``:memory:`` allowed); map DuckDB errors to ours."""
    if str(path) != ":memory:":
        p = Path(path)
        if read_only and not p.exists():
            raise WarehouseError(
                f"no warehouse at {p}",
                hint="run `reportwatch run --series kfor` or `reportwatch demo`",
            )
        if not read_only:
            try:
                p.parent.mkdir(parents=True, exist_ok=True)
            except OSError as exc:
                raise WarehouseError(
                    f"cannot create the data folder {p.parent.absolute()}: {exc.strerror or exc}",
                    hint=DATA_DIR_HINT,
                ) from exc
    try:
        return duckdb.connect(str(path), read_only=read_only)
    except duckdb.Error as exc:
        raise map_duckdb_error(exc, path) from exc


@contextmanager
def opened(path: Path | str, *, read_only: bool = False) -> Iterator[Connection]:
    con = connect(path, read_only=read_only)
    try:
        yield con
    finally:
        con.close()


@contextmanager
def transaction(con: Connection) -> Iterator[Connection]:
    """One transaction: committed when the block ends, rolled back if it raises."""
    try:
        con.execute("BEGIN TRANSACTION")
    except duckdb.Error as exc:
        raise map_duckdb_error(exc, "(connection)") from exc
    try:
        yield con
    except duckdb.Error as exc:
        con.execute("ROLLBACK")
        raise map_duckdb_error(exc, "(transaction)") from exc
    except BaseException:
        con.execute("ROLLBACK")
        raise
    try:
        con.execute("COMMIT")
    except duckdb.Error as exc:
        raise map_duckdb_error(exc, "(connection)") from exc


def run_sql(
    con: Connection, sql: str, params: list[object] | None = None
) -> duckdb.DuckDBPyConnection:
    """Execute one statement, mapping DuckDB errors (used for analysts' SQL)."""
    try:
        return con.execute(sql, params or [])
    except duckdb.Error as exc:
        first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        raise WarehouseError(
            first, hint='check the SQL; reportwatch sql "SHOW TABLES" lists the tables'
        ) from exc
