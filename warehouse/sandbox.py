"""Analysts' SQL (``reportwatch sql``): the warehouse, and nothing else of the machine.

A read-only DuckDB connection stops writes to the database, not to the machine: ``COPY ... TO
'file'`` writes anywhere the user may, ``read_csv('/etc/passwd')`` reads any file, ``ATTACH``
opens other databases and ``INSTALL httpfs`` reaches for the network. On a shared server an
analyst must get the data and nothing more, so :func:`open_sandbox` opens the file

* read-only,
* with ``enable_external_access = false`` (DuckDB refuses every file and network access:
  COPY TO/FROM, ``read_*``/``glob`` table functions, ATTACH, INSTALL and LOAD, EXPORT DATABASE),
* with extension auto-install and auto-load off,
* with no temporary directory (``temp_directory = ''``): DuckDB lets a statement write into
  its spill folder even with external access off, and that folder sits beside the file
  (``snapshot.duckdb.tmp/``); an analyst's query is held in memory instead,
* and with ``lock_configuration = true``, so no ``SET``/``RESET``/``PRAGMA`` can undo the above.

Queries, views and the ``search_paragraphs`` macro work as before (they need no file access).
There is no opt-in for local files: DuckDB's ``allowed_directories`` would let a statement write
there as well as read. Analysts who want to join their own files open the snapshot with DuckDB
themselves (docs/analysts.md), with their own rights, or take the data out with
``reportwatch export``.

:func:`run_statement` maps DuckDB's errors to one line that says what was refused and why.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import duckdb

from reportwatch.errors import ReportwatchError, WarehouseError
from warehouse.connection import Connection, connect, map_duckdb_error

Rows = tuple[list[str], list[tuple[Any, ...]]]

# Applied after opening, in this order: the lock must come last.
LOCKDOWN = (
    "SET temp_directory = ''",
    "SET autoinstall_known_extensions = false",
    "SET autoload_known_extensions = false",
    "SET enable_external_access = false",
    "SET lock_configuration = true",
)
TABLES_HINT = (
    'reportwatch sql "SHOW TABLES" lists the tables and views; '
    "docs/data-dictionary.md describes every column"
)


@contextmanager
def open_sandbox(path: Path | str) -> Iterator[Connection]:
    """A read-only connection to ``path`` that can reach no file, network or setting."""
    con = connect(path, read_only=True)
    try:
        for statement in LOCKDOWN:
            con.execute(statement)
    except duckdb.Error as exc:
        con.close()
        raise map_duckdb_error(exc, path) from exc
    try:
        yield con
    finally:
        con.close()


def run_statement(con: Connection, statement: str) -> Rows:
    """Run one analyst's statement: ``(column names, rows)``; ``([], [])`` when it returns none.

    Raises :class:`ReportwatchError` for an empty statement and :class:`WarehouseError` (one
    line, with what to do) for anything DuckDB refuses.
    """
    require_statement(statement)
    try:
        if len(con.extract_statements(statement)) > 1:
            raise ReportwatchError(
                "more than one SQL statement given",
                hint="reportwatch sql runs one statement at a time; run each on its own",
            )
        cursor = con.execute(statement)
        if cursor.description is None:
            return [], []
        return [d[0] for d in cursor.description], cursor.fetchall()
    except duckdb.Error as exc:
        raise refusal(exc) from exc


def require_statement(statement: str) -> None:
    """Refuse an empty statement (or only semicolons): there is nothing to run."""
    if not statement.strip().strip(";").strip():
        raise ReportwatchError(
            "no SQL statement given", hint='e.g. reportwatch sql "SELECT * FROM troop_levels"'
        )


def refusal(exc: duckdb.Error) -> WarehouseError:
    """DuckDB's error as one line: what was refused or wrong, and what to do instead."""
    text = str(exc).strip()
    first = text.splitlines()[0] if text else type(exc).__name__
    if isinstance(exc, duckdb.PermissionException):
        return WarehouseError(
            f"refused: {_after_colon(first)}",
            hint="reportwatch sql reads the warehouse and nothing else: no files, network, "
            "ATTACH or extensions; take data out with reportwatch export",
        )
    if "configuration has been locked" in first:
        return WarehouseError(
            f"refused: {_after_colon(first)}",
            hint="reportwatch sql keeps DuckDB's settings fixed",
        )
    if "read-only mode" in first:
        kind = first.split('statement of type "', 1)[-1].split('"', 1)[0]
        what = f"{kind} statements are" if kind and kind != first else "this statement is"
        return WarehouseError(
            f"the warehouse is read-only here: {what} refused",
            hint="reportwatch sql only reads; the data changes through runs",
        )
    if isinstance(exc, duckdb.IOException):
        return WarehouseError(
            first,
            hint="the database file cannot be read whole: the next `reportwatch run` republishes "
            "the analysts' snapshot; if it is the warehouse, see docs/runbook.md",
        )
    if isinstance(exc, duckdb.ParserException):
        return WarehouseError(first, hint="check the SQL; it is DuckDB's dialect")
    if isinstance(exc, (duckdb.CatalogException, duckdb.BinderException)):
        return WarehouseError(first, hint=TABLES_HINT)
    return WarehouseError(first, hint="check the SQL")


def _after_colon(line: str) -> str:
    """``Permission Error: Cannot access file "x" - ...`` → ``cannot access file "x" - ...``."""
    rest = line.split(": ", 1)[1] if ": " in line else line
    return rest[:1].lower() + rest[1:]
