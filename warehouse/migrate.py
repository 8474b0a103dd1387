"""Ordered SQL migrations (``warehouse/migrations/NNNN_slug.sql``).

Each migration runs in one transaction together with its row in ``schema_migrations``
(version, name, checksum, applied_at), so a crash never leaves one half-applied. A migration
that was edited after it ran is refused (its checksum differs): write a new one instead.
:func:`pending` lists what would run without changing anything.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from pathlib import Path

import duckdb

from reportwatch.errors import MigrationError
from warehouse.connection import Connection

MIGRATIONS_DIR = Path(__file__).resolve().parent / "migrations"
_NAME = re.compile(r"^(\d{4})_([a-z0-9_]+)\.sql$")


@dataclass(frozen=True)
class Migration:
    version: int
    name: str
    sql: str

    @property
    def checksum(self) -> str:
        return hashlib.sha256(self.sql.encode("utf-8")).hexdigest()


def discover(directory: Path = MIGRATIONS_DIR) -> list[Migration]:
    found = []
    for path in sorted(directory.glob("*.sql")):
        match = _NAME.match(path.name)
        if not match:
            raise MigrationError(f"migration file {path.name} is not named NNNN_slug.sql")
        found.append(Migration(int(match.group(1)), match.group(2), path.read_text("utf-8")))
    versions = [m.version for m in found]
    if len(set(versions)) != len(versions):
        raise MigrationError(f"two migrations share a number in {directory}")
    return found


def _ensure_table(con: Connection) -> None:
    con.execute(
        """CREATE TABLE IF NOT EXISTS schema_migrations (
               version INTEGER PRIMARY KEY, name VARCHAR NOT NULL,
               checksum VARCHAR NOT NULL, applied_at TIMESTAMP NOT NULL)"""
    )


def applied(con: Connection) -> dict[int, tuple[str, str]]:
    """Applied migrations: version → (name, checksum). Read-only."""
    exists = con.execute(
        "SELECT count(*) FROM information_schema.tables WHERE table_name = 'schema_migrations'"
    ).fetchone()
    if not exists or not exists[0]:
        return {}
    rows = con.execute("SELECT version, name, checksum FROM schema_migrations").fetchall()
    return {int(v): (str(n), str(c)) for v, n, c in rows}


def pending(con: Connection, directory: Path = MIGRATIONS_DIR) -> list[Migration]:
    """Migrations not yet applied; raises if an applied one was edited. Changes nothing."""
    done = applied(con)
    todo = []
    for migration in discover(directory):
        if migration.version in done:
            if done[migration.version][1] != migration.checksum:
                raise MigrationError(
                    f"migration {migration.version:04d}_{migration.name} changed after it was applied",
                    hint="never edit an applied migration; add a new NNNN_slug.sql file",
                )
            continue
        todo.append(migration)
    return todo


def migrate(con: Connection, directory: Path = MIGRATIONS_DIR) -> list[Migration]:
    """Apply every pending migration, each in its own transaction with its record."""
    _ensure_table(con)
    ran = []
    for migration in pending(con, directory):
        try:
            con.execute("BEGIN TRANSACTION")
            con.execute(migration.sql)
            con.execute(
                "INSERT INTO schema_migrations VALUES (?, ?, ?, now()::TIMESTAMP)",
                [migration.version, migration.name, migration.checksum],
            )
            con.execute("COMMIT")
        except duckdb.Error as exc:
            con.execute("ROLLBACK")
            raise MigrationError(
                f"migration {migration.version:04d}_{migration.name} failed: {exc}",
                hint="the warehouse is unchanged; fix the migration and run again",
            ) from exc
        ran.append(migration)
    return ran
