"""The sample archive's catalogue as the loopback mirror serves it, and the OAI-PMH and MARC21
encodings it needs: ``catalog.json`` read into :class:`CatalogEntry` (errors name the file, the
record and the field), UTC stamps and ``from``/``until`` bounds as OAI-PMH 2.0 writes them,
opaque resumption tokens, and MARC21 slim control and data fields."""

from __future__ import annotations

import base64
import binascii
import datetime as dt
import json
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from xml.sax.saxutils import escape

from reportwatch.errors import ConfigError

OAI_NS = "http://www.openarchives.org/OAI/2.0/"
MARC_NS = "http://www.loc.gov/MARC21/slim"
# "20-08523" or "20-08523 (E)" as printed in the footer; the catalogue writes "N2008523 E".
JOB_NUMBER = re.compile(r"^(\d{2})-(\d{5})(?:\s*\(([A-Z])\))?$")


@dataclass(frozen=True)
class CatalogEntry:
    symbol: str
    title: str
    date: dt.date | None
    record_id: str
    job_number: str | None
    catalogued_at: dt.datetime
    file: str
    sha256: str | None = None
    subjects: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    deleted: bool = False
    folder: Path = Path(".")

    @property
    def path(self) -> Path:
        return self.folder / self.file

    @property
    def undl_file_name(self) -> str:
        return f"{self.symbol.replace('/', '_')}-EN.pdf"


def load_catalog(archive_dir: Path) -> list[CatalogEntry]:
    """Read ``catalog.json``; errors name the file, the record and the field."""
    path = Path(archive_dir) / "catalog.json"
    try:
        raw = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError as exc:
        raise ConfigError(f"no {path}", hint="build the sample archive first") from exc
    except ValueError as exc:
        raise ConfigError(f"{path} is not valid JSON: {exc}", hint="rebuild it") from exc
    if not isinstance(raw, list):
        raise ConfigError(f"{path} must hold a list of records", hint="rebuild it")
    entries = []
    for index, item in enumerate(raw):
        where = f"{path}: record {index}"
        try:
            file_name = str(item["file"])
            if Path(file_name).name != file_name or not (path.parent / file_name).is_file():
                raise ConfigError(f"{where}: file {file_name!r} is not a PDF beside the catalog")
            stamp = dt.datetime.fromisoformat(str(item["catalogued_at"]).replace("Z", "+00:00"))
            entries.append(
                CatalogEntry(
                    symbol=str(item["symbol"]),
                    title=str(item["title"]),
                    date=dt.date.fromisoformat(item["date"]) if item.get("date") else None,
                    record_id=str(item["record_id"]),
                    job_number=item.get("job_number"),
                    catalogued_at=stamp if stamp.tzinfo else stamp.replace(tzinfo=dt.UTC),
                    file=file_name,
                    sha256=item.get("sha256"),
                    subjects=[str(s) for s in item.get("subjects") or []],
                    notes=[str(n) for n in item.get("notes") or []],
                    deleted=bool(item.get("deleted", False)),
                    folder=path.parent,
                )
            )
        except KeyError as exc:
            raise ConfigError(f"{where}: missing {exc.args[0]!r}", hint="rebuild it") from exc
        except (TypeError, ValueError) as exc:
            raise ConfigError(f"{where}: {exc}", hint="rebuild it") from exc
    return entries


def unique_by(
    entries: list[CatalogEntry], key: Callable[[CatalogEntry], str], what: str
) -> dict[str, CatalogEntry]:
    """Entries by ``key``; two archives may not hold the same symbol, file or record."""
    found: dict[str, CatalogEntry] = {}
    for entry in entries:
        other = found.setdefault(key(entry), entry)
        if other is not entry:
            raise ConfigError(
                f"{what} {key(entry)!r} is in {other.folder} and in {entry.folder}",
                hint="serve archives whose records do not overlap",
            )
    return found


def oai_stamp(moment: dt.datetime) -> str:
    return moment.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def oai_bound(value: str, *, upper: bool) -> dt.datetime | None:
    """A from/until argument as a UTC instant (None when absent); ValueError when unreadable."""
    if not value:
        return None
    if len(value) == 10:
        day = dt.date.fromisoformat(value)
        return dt.datetime.combine(day, dt.time.max if upper else dt.time.min, tzinfo=dt.UTC)
    return dt.datetime.strptime(value, "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=dt.UTC)


def encode_token(prefix: str, start: str, end: str, offset: int) -> str:
    payload = json.dumps([prefix, start, end, offset], separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(payload).decode("ascii").rstrip("=")


def decode_token(token: str) -> tuple[str, str, str, int] | None:
    try:
        padded = token + "=" * (-len(token) % 4)
        prefix, start, end, offset = json.loads(base64.urlsafe_b64decode(padded))
    except (binascii.Error, ValueError, TypeError):
        return None
    if not isinstance(offset, int) or offset < 0:
        return None
    return str(prefix), str(start), str(end), offset


def marc_control(tag: str, value: str) -> str:
    return f'<controlfield tag="{tag}">{escape(value)}</controlfield>'


def marc_data(
    tag: str, subfields: list[tuple[str, str]], *, ind1: str = " ", ind2: str = " "
) -> str:
    inner = "".join(
        f'<subfield code="{code}">{escape(value)}</subfield>' for code, value in subfields
    )
    return f'<datafield tag="{tag}" ind1="{ind1}" ind2="{ind2}">{inner}</datafield>'
