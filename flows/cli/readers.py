"""Where CLI commands read and write: the snapshot, the live warehouse, and a folder without either.

Only ``run``, ``backfill`` and ``demo`` create a warehouse. Every other command refuses a data
folder that has none: a mistyped ``REPORTWATCH_DATA_DIR`` must not silently start an empty
warehouse (``add`` would queue into it; the next ``run`` would harvest and alert on everything
again). The error names the absolute folder and how to point at the right one or create it.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from reportwatch.errors import ReportwatchError, WarehouseLockedError
from reportwatch.settings import Settings


def no_warehouse(settings: Settings) -> ReportwatchError:
    return ReportwatchError(
        f"no warehouse in {settings.data_dir.absolute()}",
        hint="REPORTWATCH_DATA_DIR or --data-dir names the data folder; to create one run "
        "`reportwatch run --series kfor`, or `reportwatch demo` for the sample data",
    )


def require_warehouse(settings: Settings) -> Path:
    """The warehouse a command is about to write, refused when the folder has none."""
    if not settings.warehouse_path.exists():
        raise no_warehouse(settings)
    return settings.warehouse_path


def snapshot_or_warehouse(settings: Settings) -> Path:
    """The snapshot analysts read, or the warehouse before any snapshot exists."""
    if settings.snapshot_path.exists():
        return settings.snapshot_path
    if settings.warehouse_path.exists():
        return settings.warehouse_path
    raise no_warehouse(settings)


@dataclass(frozen=True)
class Source:
    """What a command read: ``warehouse`` (live) or ``snapshot``, and why not the warehouse."""

    kind: str
    reason: str | None = None


@contextmanager
def live_or_snapshot(settings: Settings) -> Iterator[tuple[Any, Source]]:
    """Ops read the live warehouse when no process holds it (freshest), else the snapshot.

    The read takes a moment; a writer that starts meanwhile waits for it (connect_writer).
    """
    from warehouse import connect, open_reader

    con = None
    reason = "there is no warehouse.duckdb beside it"
    if settings.warehouse_path.exists():
        try:
            con = connect(settings.warehouse_path, read_only=True)
        except WarehouseLockedError as exc:
            holder = exc.message.rsplit("another process", 1)[-1].strip()
            reason = f"another process {holder or ''} has the warehouse open".replace("  ", " ")
    if con is not None:
        try:
            yield con, Source("warehouse")
        finally:
            con.close()
        return
    with open_reader(snapshot_or_warehouse(settings)) as snapshot:
        yield snapshot, Source("snapshot", reason)
