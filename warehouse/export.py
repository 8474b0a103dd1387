"""Export every table and view to Parquet or CSV files plus a ``manifest.json``.

The export reads one database (normally the analysts' snapshot), so every file reflects the
same load. ``manifest.json`` is written last, after every file is complete: a folder with a
manifest is a finished export. For each file it records the relation's name, kind (table or
view), row count, columns with their DuckDB types, file name and SHA-256, and for the whole
export the snapshot's load id and the time of the export.

With ``series``, relations that belong to a series are filtered to it (by their ``series``
column, their ``document_id`` or their alert); the rest (``schema_migrations``, ``mutes``
without a series…) are exported whole, and the manifest says which filter each file had.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import re
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any, Literal

import duckdb

from reportwatch.errors import ReportwatchError
from warehouse.connection import Connection, map_duckdb_error
from warehouse.queries import snapshot_stamp

ExportFormat = Literal["parquet", "csv"]
FORMATS: tuple[ExportFormat, ...] = ("parquet", "csv")
MANIFEST_NAME = "manifest.json"
_SERIES_ID = re.compile(r"^[a-z0-9][a-z0-9_-]*$")


@dataclass(frozen=True)
class ExportedColumn:
    name: str
    type: str


@dataclass(frozen=True)
class ExportedRelation:
    name: str
    kind: Literal["table", "view"]
    rows: int
    columns: list[ExportedColumn]
    file: str
    sha256: str
    filter: str | None


@dataclass
class Manifest:
    format: ExportFormat
    series: str | None
    load_id: str | None
    loaded_at: str | None
    published_at: str | None
    exported_at: str
    relations: list[ExportedRelation] = field(default_factory=list)

    def to_json(self) -> str:
        return json.dumps(asdict(self), indent=2, ensure_ascii=False) + "\n"


def _quote(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def _relations(con: Connection) -> list[tuple[str, Literal["table", "view"]]]:
    rows = con.execute(
        """SELECT table_name, table_type FROM information_schema.tables
           WHERE table_schema = 'main' ORDER BY table_name"""
    ).fetchall()
    return [(str(name), "view" if kind == "VIEW" else "table") for name, kind in rows]


def _columns(con: Connection, name: str) -> list[ExportedColumn]:
    rows = con.execute(
        """SELECT column_name, data_type FROM information_schema.columns
           WHERE table_schema = 'main' AND table_name = ? ORDER BY ordinal_position""",
        [name],
    ).fetchall()
    return [ExportedColumn(str(c), str(t)) for c, t in rows]


def _series_filter(name: str, columns: list[ExportedColumn], series: str) -> str | None:
    """The WHERE clause restricting ``name`` to one series, or None when it has no series."""
    names = {c.name for c in columns}
    literal = _quote(series)
    if "series" in names:
        return f"series = {literal}"
    if "document_id" in names:  # document ids are `series:symbol:vN`
        return f"document_id LIKE {_quote(series + ':%')}"
    if "alert_key" in names:
        return f"alert_key IN (SELECT alert_key FROM alerts WHERE series = {literal})"
    return None


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _iso(value: Any) -> str | None:
    if isinstance(value, dt.datetime):  # the warehouse keeps UTC without a zone; say so here
        return value.replace(tzinfo=dt.UTC).isoformat()
    return value.isoformat() if isinstance(value, dt.date) else None


def export_all(
    con: Connection, out_dir: Path, *, fmt: ExportFormat = "parquet", series: str | None = None
) -> Manifest:
    """Write every table and view of ``con`` to ``out_dir`` and the manifest; returns it."""
    if fmt not in FORMATS:
        raise ReportwatchError(f"unknown export format {fmt!r}", hint="use parquet or csv")
    if series is not None and not _SERIES_ID.match(series):
        raise ReportwatchError(f"{series!r} is not a series id", hint="e.g. --series kfor")
    if out_dir.exists() and not out_dir.is_dir():
        raise ReportwatchError(f"{out_dir} is a file", hint="give a folder for --out")
    out_dir.mkdir(parents=True, exist_ok=True)
    # an earlier export's manifest would vouch for files this one is about to overwrite
    (out_dir / MANIFEST_NAME).unlink(missing_ok=True)
    stamp = snapshot_stamp(con) or {}
    manifest = Manifest(
        format=fmt,
        series=series,
        load_id=stamp.get("load_id"),
        loaded_at=_iso(stamp.get("loaded_at")),
        published_at=_iso(stamp.get("published_at")),
        exported_at=dt.datetime.now(dt.UTC).replace(microsecond=0).isoformat(),
    )
    options = "FORMAT parquet" if fmt == "parquet" else "FORMAT csv, HEADER true"
    try:
        for name, kind in _relations(con):
            columns = _columns(con, name)
            where = _series_filter(name, columns, series) if series else None
            path = out_dir / f"{name}.{fmt}"
            # ORDER BY ALL: the same snapshot always gives the same bytes (and sha256)
            select = (
                f'SELECT * FROM "{name}"' + (f" WHERE {where}" if where else "") + " ORDER BY ALL"
            )
            row = con.execute(f"COPY ({select}) TO {_quote(str(path))} ({options})").fetchone()
            manifest.relations.append(
                ExportedRelation(
                    name=name,
                    kind=kind,
                    rows=int(row[0]) if row else 0,
                    columns=columns,
                    file=path.name,
                    sha256=_sha256(path),
                    filter=where,
                )
            )
    except duckdb.Error as exc:
        raise map_duckdb_error(exc, out_dir) from exc
    # the manifest last, atomically: its presence means every file above is complete
    tmp = out_dir / f".{MANIFEST_NAME}.tmp"
    tmp.write_text(manifest.to_json(), encoding="utf-8")
    tmp.replace(out_dir / MANIFEST_NAME)
    return manifest
