"""The analysts' read-only snapshot, published atomically after each successful load.

DuckDB lets no other process open a file while one process writes it, so analysts never
open ``warehouse.duckdb``. After a load the writer takes the write lock, checkpoints, copies the
file to a temporary name beside the snapshot, stamps it with the load it reflects (``snapshot_info``),
and renames it over ``snapshot.duckdb``. A reader that already has the old snapshot open keeps
its file (POSIX rename semantics); the next query sees the new one.
"""

from __future__ import annotations

import os
import shutil
import uuid
from pathlib import Path

import duckdb

from reportwatch.errors import WarehouseError
from warehouse.connection import connect, map_duckdb_error


def publish(warehouse_path: Path, snapshot_path: Path) -> str | None:
    """Copy the (closed) warehouse to ``snapshot_path`` atomically; returns the load id it reflects."""
    if not warehouse_path.exists():
        raise WarehouseError(f"no warehouse at {warehouse_path}", hint="run an ingestion first")
    snapshot_path.parent.mkdir(parents=True, exist_ok=True)
    tmp = snapshot_path.with_name(f".{snapshot_path.name}.{uuid.uuid4().hex}.tmp")
    try:
        # Hold the write lock while copying: no other process can change the file mid-copy,
        # and CHECKPOINT folds the write-ahead log into it first.
        from warehouse import connect_writer

        holder = connect_writer(warehouse_path)
        try:
            holder.execute("CHECKPOINT")
            shutil.copyfile(warehouse_path, tmp)
        except duckdb.Error as exc:
            raise map_duckdb_error(exc, warehouse_path) from exc
        finally:
            holder.close()
        con = connect(tmp)
        try:
            row = con.execute(
                "SELECT load_id, loaded_at FROM loads ORDER BY loaded_at DESC, load_id DESC LIMIT 1"
            ).fetchone()
            load_id = str(row[0]) if row else None
            con.execute(
                """CREATE OR REPLACE TABLE snapshot_info AS
                   SELECT ?::VARCHAR AS load_id, ?::TIMESTAMP AS loaded_at,
                          now()::TIMESTAMP AS published_at""",
                [load_id, row[1] if row else None],
            )
            con.execute("CHECKPOINT")
        except duckdb.Error as exc:
            raise map_duckdb_error(exc, tmp) from exc
        finally:
            con.close()
        tmp_wal = tmp.with_name(tmp.name + ".wal")
        if tmp_wal.exists():
            tmp_wal.unlink()
        os.replace(tmp, snapshot_path)
        return load_id
    finally:
        for leftover in (tmp, tmp.with_name(tmp.name + ".wal")):
            if leftover.exists():
                leftover.unlink()


def snapshot_info(snapshot_path: Path) -> dict[str, object] | None:
    if not snapshot_path.exists():
        return None
    con = connect(snapshot_path, read_only=True)
    try:
        cur = con.execute("SELECT * FROM snapshot_info")
        row = cur.fetchone()
        names = [d[0] for d in cur.description]
        return dict(zip(names, row, strict=True)) if row else None
    except duckdb.Error:
        return None
    finally:
        con.close()
