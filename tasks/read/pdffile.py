"""The file before pdfminer sees it: empty, HTML, truncated, or a PDF with bytes after its end.

A PDF starts with ``%PDF-`` and ends with ``%%EOF``. A download cut short has no ``%%EOF`` after
its last object; a whole PDF may carry bytes after it (NUL padding a transfer added, a few bytes
of something else) that every reader ignores. So the end is looked for from the back of the file:
the last ``%%EOF`` with no PDF object after it is the end, and what follows it is ignored with a
warning. A file whose last ``%%EOF`` is followed by objects (a linearized file cut after its
first page, an incremental update cut short) lacks its end: truncated.
"""

from __future__ import annotations

import hashlib
import re
from pathlib import Path

from reportwatch.errors import ExtractError, NotAPdfError

SNIFF_BYTES = 1024  # %PDF- must start within this many bytes
BLOCK = 1 << 16  # the end marker is looked for backwards in blocks of this size
END = b"%%EOF"
# What only a PDF's own body holds: after the end marker, any of these means the file goes on.
STRUCTURE = re.compile(rb"\d+\s+\d+\s+obj\b|\bendobj\b|\bendstream\b|\bxref\b|\btrailer\b")
_PADDING = b" \t\r\n\x00\x0c"


def inspect(source: Path | bytes) -> tuple[str, int, bytes]:
    """``(label, size, head)`` of a path or of the file's bytes; ExtractError if unreadable."""
    if isinstance(source, bytes | bytearray | memoryview):
        data = bytes(source)
        return "the document", len(data), data[:SNIFF_BYTES]
    path = Path(source)
    try:
        with path.open("rb") as handle:
            return str(path), path.stat().st_size, handle.read(SNIFF_BYTES)
    except OSError as exc:
        raise ExtractError(
            f"cannot read {path}: {exc.strerror or exc}", hint="check the path"
        ) from exc


def sniff(source: Path | bytes, label: str, size: int, head: bytes) -> list[str]:
    """Raise NotAPdfError for a file that is no whole PDF; the warnings of one that is.

    Empty, HTML (or anything not starting with ``%PDF-``) and truncated files are refused;
    bytes after the end marker are a warning naming how many.
    """
    if size == 0:
        raise NotAPdfError(f"{label} is empty (0 bytes), not a PDF", hint="download it again")
    if b"%PDF-" not in head:
        raise NotAPdfError(
            f"{label} {looks_like(head)}, not a PDF",
            hint="a download: the server probably answered with an error or login page (check "
            "the URL); a file put in the drop folder: replace it with the PDF itself",
        )
    end = _end_marker(source, size)
    if end is None or end < 0:
        why = "it does not" if end is None else "objects follow its last one"
        raise NotAPdfError(
            f"{label} looks truncated: a PDF ends with %%EOF and {why} ({size:,} bytes)",
            hint="download it again",
        )
    after = _read(source, end, size).lstrip(b"\r\n")
    if not after.strip(_PADDING):  # nothing, or padding (NUL bytes, blank lines)
        return []
    return [
        f"{len(after):,} bytes after the end of the PDF (%%EOF) were ignored: they are no part "
        "of the document"
    ]


def _read(source: Path | bytes, start: int, stop: int) -> bytes:
    if not isinstance(source, Path):
        return bytes(source[start:stop])
    with source.open("rb") as handle:
        handle.seek(start)
        return handle.read(stop - start)


def _end_marker(source: Path | bytes, size: int) -> int | None:
    """The offset just past the last ``%%EOF``: -1 when PDF objects follow it, None when the
    file has none."""
    stop = size
    while stop > 0:
        start = max(0, stop - BLOCK)
        block = _read(source, start, stop + len(END) - 1 if stop < size else stop)
        found = block.rfind(END)
        if found >= 0:
            end = start + found + len(END)
            return -1 if _structure_after(source, end, size) else end
        stop = start
    return None


def _structure_after(source: Path | bytes, start: int, size: int) -> bool:
    """Whether PDF objects follow ``start``: the file goes on past that end marker."""
    overlap = 32  # a keyword cut between two blocks is still found
    position = start
    while position < size:
        block = _read(source, max(start, position - overlap), min(size, position + BLOCK))
        if STRUCTURE.search(block):
            return True
        position += BLOCK
    return False


def looks_like(head: bytes) -> str:
    """What a file that is not a PDF looks like, from its first bytes."""
    start = head.lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    if start.startswith((b"<!doctype html", b"<html")) or b"<html" in start[:512]:
        return "looks like an HTML page"
    if start.startswith(b"<?xml") or start.startswith(b"<"):
        return "looks like an XML document"
    if start.startswith((b"{", b"[")):
        return "looks like JSON"
    if start.startswith(b"pk\x03\x04"):
        return "looks like a ZIP archive (a Word or Excel file?)"
    if start.startswith((b"\x89png", b"\xff\xd8\xff", b"gif8")):
        return "looks like an image"
    if start and all(32 <= b < 127 or b in b"\t\r\n" for b in start[:64]):
        return "looks like plain text"
    return f"starts with bytes {head[:8]!r}"


def sha256_of(source: Path | bytes) -> str:
    """The file's SHA-256, hex."""
    digest = hashlib.sha256()
    if isinstance(source, bytes | bytearray | memoryview):
        digest.update(source)
        return digest.hexdigest()
    with Path(source).open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()
