"""Where CLI commands read from: the analysts' snapshot, or the live warehouse for ops."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from reportwatch.errors import ReportwatchError, WarehouseLockedError
from reportwatch.settings import Settings


def snapshot_or_warehouse(settings: Settings) -> Path:
    """The snapshot analysts read, or the warehouse before any snapshot exists."""
    if settings.snapshot_path.exists():
        return settings.snapshot_path
    if settings.warehouse_path.exists():
        return settings.warehouse_path
    raise ReportwatchError(
        f"no warehouse in {settings.data_dir}",
        hint="run `reportwatch demo` or `reportwatch run --series kfor` first",
    )


@contextmanager
def live_or_snapshot(settings: Settings) -> Iterator[tuple[Any, str]]:
    """Ops read the live warehouse when no run holds it (freshest), else the snapshot.

    The read takes a moment; a writer that starts meanwhile waits for it (connect_writer).
    """
    from warehouse import connect, open_reader

    con = None
    if settings.warehouse_path.exists():
        try:
            con = connect(settings.warehouse_path, read_only=True)
        except WarehouseLockedError:
            con = None
    if con is not None:
        try:
            yield con, "warehouse"
        finally:
            con.close()
        return
    with open_reader(snapshot_or_warehouse(settings)) as snapshot:
        yield snapshot, "snapshot"
