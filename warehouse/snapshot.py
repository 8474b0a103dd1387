"""The analysts' read-only snapshot, published atomically whenever it lags the warehouse.

DuckDB lets no other process open a file while one process writes it, so analysts never
open ``warehouse.duckdb``. To publish, the writer takes the write lock, checkpoints, copies the
file to a temporary name beside the snapshot, stamps it with the load it reflects
(``snapshot_info``), and renames it over ``snapshot.duckdb``. A reader that already has the old
snapshot open keeps its file (POSIX rename semantics); the next query sees the new one.

The write lock is held for the whole publish, so no other publish runs meanwhile: temporary
files a killed publish left (``.snapshot.duckdb.<uuid>.tmp``) are removed at the start of the
next one. :func:`lag` compares the snapshot's load id with the warehouse's last load, so a run
republishes a snapshot an earlier publish failed to update (a full disk, a kill) even when it
changed nothing itself. A publish that fails raises :class:`WarehouseError` naming the cause
(``No space left on device``) and leaves the previous snapshot in place.
"""

from __future__ import annotations

import os
import shutil
import threading
import uuid
from dataclasses import dataclass
from pathlib import Path

import duckdb

from reportwatch.errors import WarehouseError
from reportwatch.pausepoints import pause_point
from warehouse.connection import Connection, connect, map_duckdb_error

# Publishes of one process (serve runs several series) take turns: DuckDB's file lock only
# keeps other processes out.
_PUBLISHING = threading.Lock()


@dataclass(frozen=True)
class Lag:
    """The load the snapshot reflects and the warehouse's last load (None: none yet)."""

    snapshot_load: str | None
    warehouse_load: str | None
    published: bool = True

    @property
    def behind(self) -> bool:
        return not self.published or self.snapshot_load != self.warehouse_load


def publish(warehouse_path: Path, snapshot_path: Path) -> str | None:
    """Copy the warehouse to ``snapshot_path`` atomically; returns the load id it reflects."""
    if not warehouse_path.exists():
        raise WarehouseError(f"no warehouse at {warehouse_path}", hint="run an ingestion first")
    from warehouse import connect_writer

    with _PUBLISHING:
        try:
            snapshot_path.parent.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise _os_error(exc, snapshot_path) from exc
        holder = connect_writer(warehouse_path)
        try:
            remove_stale_temporaries(snapshot_path)
            return _publish_locked(holder, warehouse_path, snapshot_path)
        finally:
            holder.close()


def _publish_locked(holder: Connection, warehouse_path: Path, snapshot_path: Path) -> str | None:
    tmp = snapshot_path.with_name(f".{snapshot_path.name}.{uuid.uuid4().hex}.tmp")
    try:
        try:
            holder.execute("CHECKPOINT")  # fold the write-ahead log into the file first
            shutil.copyfile(warehouse_path, tmp)
        except duckdb.Error as exc:
            raise map_duckdb_error(exc, warehouse_path) from exc
        except OSError as exc:
            raise _os_error(exc, snapshot_path) from exc
        pause_point("publish:inside")  # a test hook: the copy exists, not yet in place
        load_id = _stamp(tmp)
        try:
            os.replace(tmp, snapshot_path)
        except OSError as exc:
            raise _os_error(exc, snapshot_path) from exc
        return load_id
    finally:
        for leftover in (tmp, tmp.with_name(tmp.name + ".wal")):
            leftover.unlink(missing_ok=True)


def _stamp(tmp: Path) -> str | None:
    """Record in the copy which load it reflects; returns that load id."""
    con = connect(tmp)
    try:
        row = last_load(con)
        con.execute(
            """CREATE OR REPLACE TABLE snapshot_info AS
               SELECT ?::VARCHAR AS load_id, ?::TIMESTAMP AS loaded_at,
                      now()::TIMESTAMP AS published_at""",
            [row[0] if row else None, row[1] if row else None],
        )
        con.execute("CHECKPOINT")
    except duckdb.Error as exc:
        raise map_duckdb_error(exc, tmp) from exc
    finally:
        con.close()
    tmp.with_name(tmp.name + ".wal").unlink(missing_ok=True)
    return str(row[0]) if row else None


def last_load(con: Connection) -> tuple[str, object] | None:
    """The warehouse's last load: (load id, loaded_at)."""
    row = con.execute(
        "SELECT load_id, loaded_at FROM loads ORDER BY loaded_at DESC, load_id DESC LIMIT 1"
    ).fetchone()
    return (str(row[0]), row[1]) if row else None


def lag(con: Connection, snapshot_path: Path) -> Lag:
    """How the snapshot compares with the warehouse ``con`` is open on."""
    info = snapshot_info(snapshot_path)
    last = last_load(con)
    snap = info.get("load_id") if info else None
    return Lag(str(snap) if snap is not None else None, last[0] if last else None, info is not None)


def remove_stale_temporaries(snapshot_path: Path) -> list[Path]:
    """Delete what killed publishes left beside the snapshot; returns what was removed.

    Call only while holding the warehouse's write lock (no publish is running then).
    """
    removed = []
    for leftover in snapshot_path.parent.glob(f".{snapshot_path.name}.*.tmp*"):
        try:
            leftover.unlink()
        except OSError:
            continue
        removed.append(leftover)
    return removed


def snapshot_info(snapshot_path: Path) -> dict[str, object] | None:
    if not snapshot_path.exists():
        return None
    try:
        con = connect(snapshot_path, read_only=True)
    except WarehouseError:
        return None
    try:
        cur = con.execute("SELECT * FROM snapshot_info")
        row = cur.fetchone()
        names = [d[0] for d in cur.description]
        return dict(zip(names, row, strict=True)) if row else None
    except duckdb.Error:
        return None
    finally:
        con.close()


def _os_error(exc: OSError, snapshot_path: Path) -> WarehouseError:
    return WarehouseError(
        f"could not publish the snapshot {snapshot_path}: {exc.strerror or exc}",
        hint=f"free space or fix permissions in {snapshot_path.parent}; "
        "the next run publishes it again, analysts keep the previous one meanwhile",
    )
