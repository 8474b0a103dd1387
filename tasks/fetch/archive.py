"""The raw archive: every downloaded file, kept by the SHA-256 of its bytes.

``<root>/<sha256>.pdf`` holds the bytes and ``<root>/<sha256>.json`` what we knew when we fetched
them (URL, final URL, a few response headers, time, symbol, series, source). Reprocessing reads
from here and never needs the network.

Nothing a server sends ever becomes part of a file name: symbols contain slashes and URLs contain
anything, so the hash is the only name. Files appear atomically (written to a temporary file in
the same folder, fsynced, then linked into place), so a reader never sees half a PDF and two
writers of the same bytes agree on who created it.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import re
import socket
import tempfile
import time
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

from reportwatch.errors import ReportwatchError
from tasks.fetch.client import FetchResponse
from warehouse.owners import pid_running

ARCHIVED_HEADERS = ("content-type", "etag", "last-modified", "content-length")
# A write takes milliseconds: a temporary file this old was left by a writer that died.
STALE_TEMPORARY = dt.timedelta(hours=1)
_SHA256 = re.compile(r"[0-9a-f]{64}")


def archive_meta(
    response: FetchResponse,
    *,
    symbol: str | None,
    series: str | None,
    source: str | None,
    fetched_at: dt.datetime | None = None,
) -> dict[str, Any]:
    """The metadata record :meth:`RawArchive.put` expects, taken from a fetch."""
    return {
        "url": response.url,
        "final_url": response.final_url,
        "headers": dict(response.headers),
        "fetched_at": (fetched_at or dt.datetime.now(dt.UTC)).isoformat(),
        "symbol": symbol,
        "series": series,
        "source": source,
    }


class RawArchive:
    """A folder of files named by their SHA-256."""

    def __init__(self, root: Path) -> None:
        self.root = Path(root)

    def put(self, content: bytes, meta: Mapping[str, Any]) -> tuple[str, Path, bool]:
        """Store ``content``; return its sha256, its path and whether this call created it.

        Storing bytes already present changes nothing (the first metadata stays).
        """
        self.root.mkdir(parents=True, exist_ok=True)
        sha256 = hashlib.sha256(content).hexdigest()
        target = self.path(sha256)
        meta_path = self._meta_path(sha256)
        record = _clean_meta(meta, sha256=sha256, size=len(content))
        # Metadata first: whoever sees the PDF can rely on its metadata being there.
        if not meta_path.exists():
            self._write_atomically(meta_path, _dump(record))
        created = self._write_atomically(target, content)
        return sha256, target, created

    def has(self, sha256: str) -> bool:
        return self.path(sha256).is_file()

    def path(self, sha256: str) -> Path:
        return self.root / f"{_checked(sha256)}.pdf"

    def meta(self, sha256: str) -> dict[str, Any]:
        meta_path = self._meta_path(sha256)
        try:
            loaded = json.loads(meta_path.read_text(encoding="utf-8"))
        except FileNotFoundError as exc:
            raise ReportwatchError(
                f"no archived file {sha256} in {self.root}",
                hint="fetch it again, or point REPORTWATCH_DATA_DIR at the archive that has it",
            ) from exc
        except (OSError, ValueError) as exc:
            raise ReportwatchError(f"unreadable metadata {meta_path}: {exc}") from exc
        return dict(loaded)

    def iter(self) -> Iterator[str]:
        """The sha256 of every archived file, in sorted order."""
        if not self.root.is_dir():
            return
        for entry in sorted(self.root.glob("*.pdf")):
            if _SHA256.fullmatch(entry.stem):
                yield entry.stem

    __iter__ = iter

    def __contains__(self, sha256: object) -> bool:
        return isinstance(sha256, str) and bool(_SHA256.fullmatch(sha256)) and self.has(sha256)

    def _meta_path(self, sha256: str) -> Path:
        return self.root / f"{_checked(sha256)}.json"

    def remove_stale_temporaries(self) -> list[Path]:
        """Delete temporary files writers that died left (``.incoming-<pid>-*.tmp``).

        A file is stale when its writer's pid no longer runs on this host, or (another host,
        an older name) when it is older than ``STALE_TEMPORARY``. Returns what was removed.
        """
        removed: list[Path] = []
        if not self.root.is_dir():
            return removed
        cutoff = time.time() - STALE_TEMPORARY.total_seconds()
        for temp in self.root.glob(".incoming-*.tmp"):
            pid = temp.name.split("-")[1]
            try:
                dead = pid.isdigit() and not pid_running(int(pid)) and _this_host(temp)
                if dead or temp.stat().st_mtime < cutoff:
                    temp.unlink()
                    removed.append(temp)
            except OSError:
                continue
        return removed

    def _write_atomically(self, target: Path, data: bytes) -> bool:
        """Write ``data`` to ``target`` unless it exists (then the existing file wins: False)."""
        handle, temp_name = tempfile.mkstemp(
            dir=self.root, prefix=f".incoming-{os.getpid()}-{socket.gethostname()}-", suffix=".tmp"
        )
        temp = Path(temp_name)
        try:
            with os.fdopen(handle, "wb") as stream:
                stream.write(data)
                stream.flush()
                os.fsync(stream.fileno())
            try:
                os.link(temp, target)  # fails if the target exists: exactly one creator
            except FileExistsError:
                return False
            except OSError:
                # Some filesystems cannot hard-link; same bytes under the same name either way.
                if target.exists():
                    return False
                os.replace(temp, target)
            return True
        finally:
            temp.unlink(missing_ok=True)


def _this_host(temp: Path) -> bool:
    """Whether a temporary file was written on this host (its name says which)."""
    return f"-{socket.gethostname()}-" in temp.name


def _checked(sha256: str) -> str:
    if not _SHA256.fullmatch(sha256):
        raise ReportwatchError(f"{sha256!r} is not a lower-case hex SHA-256")
    return sha256


def _clean_meta(meta: Mapping[str, Any], *, sha256: str, size: int) -> dict[str, Any]:
    record = dict(meta)
    headers = record.get("headers") or {}
    record["headers"] = {
        name: str(value)
        for name, value in ((str(k).lower(), v) for k, v in dict(headers).items())
        if name in ARCHIVED_HEADERS and value is not None
    }
    record.setdefault("fetched_at", dt.datetime.now(dt.UTC).isoformat())
    record["sha256"] = sha256
    record["size"] = size
    return record


def _dump(record: Mapping[str, Any]) -> bytes:
    return json.dumps(record, indent=2, sort_keys=True, default=str).encode("utf-8") + b"\n"
