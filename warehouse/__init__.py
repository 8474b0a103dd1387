"""The DuckDB warehouse: the only package that imports duckdb.

``open_writer(path)`` opens the file and applies pending migrations; keep the connection for
one short unit of work. Analysts read the snapshot (:mod:`warehouse.snapshot`).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from warehouse.connection import Connection, connect
from warehouse.migrate import migrate


@contextmanager
def open_writer(path: Path | str) -> Iterator[Connection]:
    """A migrated read-write connection, closed when the block ends."""
    con = connect(path)
    try:
        migrate(con)
        yield con
    finally:
        con.close()


@contextmanager
def open_reader(path: Path | str) -> Iterator[Connection]:
    """A read-only connection (the snapshot, or the warehouse when no writer holds it)."""
    con = connect(path, read_only=True)
    try:
        yield con
    finally:
        con.close()


__all__ = ["Connection", "connect", "migrate", "open_reader", "open_writer"]
