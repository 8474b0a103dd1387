"""The DuckDB warehouse: the only package that imports duckdb.

``open_writer(path)`` opens the file and applies pending migrations; keep the connection for
one short unit of work. Analysts read the snapshot (:mod:`warehouse.snapshot`).
"""

from __future__ import annotations

import functools
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import duckdb

from reportwatch.errors import WarehouseLockedError
from warehouse.connection import Connection, connect, map_duckdb_error
from warehouse.migrate import discover, migrate


def connect_writer(path: Path | str, *, lock_wait: float = 30.0) -> Connection:
    """Connect for writing, waiting up to ``lock_wait`` seconds while another process writes.

    Writers hold the file only for short transactions, so a short wait almost always wins;
    past it the lock error (transient) goes up and Prefect retries the task.
    """
    deadline = time.monotonic() + lock_wait
    delay = 0.05
    while True:
        try:
            return connect(path)
        except WarehouseLockedError:
            if time.monotonic() + delay > deadline:
                raise
            time.sleep(delay)
            delay = min(delay * 2, 1.0)


# A run opens the warehouse many times. The full check (read and hash every migration file,
# compare checksums) runs on the first open of a path in this process; later opens only ask
# the database whether it has every migration, which also catches a file that was replaced.
_VERIFIED: set[str] = set()


@functools.cache
def _bundled_migrations() -> tuple[int, int]:
    found = discover()
    return len(found), max(m.version for m in found)


def _migrate_once(con: Connection, path: Path | str) -> None:
    key = str(path)
    if key in _VERIFIED and key != ":memory:":
        count, latest = _bundled_migrations()
        try:
            row = con.execute("SELECT count(*), max(version) FROM schema_migrations").fetchone()
        except duckdb.Error:  # no table: a new file at the same path
            row = None
        if row is not None and (row[0], row[1]) == (count, latest):
            return
    migrate(con)
    _VERIFIED.add(key)


@contextmanager
def open_writer(path: Path | str, *, lock_wait: float = 30.0) -> Iterator[Connection]:
    """A migrated read-write connection, closed when the block ends."""
    con = connect_writer(path, lock_wait=lock_wait)
    try:
        _migrate_once(con, path)
        yield con
    except duckdb.Error as exc:  # nothing above warehouse/ sees a raw DuckDB error
        raise map_duckdb_error(exc, path) from exc
    finally:
        con.close()


@contextmanager
def open_reader(path: Path | str) -> Iterator[Connection]:
    """A read-only connection (the snapshot, or the warehouse when no writer holds it)."""
    con = connect(path, read_only=True)
    try:
        yield con
    except duckdb.Error as exc:
        raise map_duckdb_error(exc, path) from exc
    finally:
        con.close()


__all__ = ["Connection", "connect", "connect_writer", "migrate", "open_reader", "open_writer"]
