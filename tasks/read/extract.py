"""Extract: a PDF → :class:`DocumentText` (body text by page and paragraph, masthead metadata).

pdfplumber is the reference extractor. Each page is read once (one ``extract_words`` call with
font size and name) and closed straight away, so memory stays flat on long documents. Then:

1. page furniture goes: lines in the top or bottom band of a page that look like furniture
   (the running symbol, ``2/5``, ``21-03164 (E) 110321``, ``*2103164*``, ``Please recycle``)
   or that recur in the bands of several pages; and, on page 1, the masthead block down to the
   ``Original:`` line, after its metadata is read (symbol, distribution date, language, job);
2. footnote markers and footnote text (small print) are kept out of the paragraphs;
3. :mod:`tasks.read.paragraphs` builds numbered and unnumbered paragraphs with section and part.

This module is the boundary with pdfplumber/pdfminer: every error they raise is mapped to
:class:`~reportwatch.errors.ExtractError` subclasses here (``raise ... from exc``); nothing
above it sees a ``pdfminer`` exception.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import logging
import re
import warnings
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pdfplumber
from pdfminer.pdfdocument import PDFEncryptionError, PDFPasswordIncorrect

from reportwatch.errors import (
    EncryptedPdfError,
    ExtractError,
    NeedsOcrError,
    NotAPdfError,
    PdfTooLargeError,
)
from reportwatch.models import DocumentText, PageText
from tasks.read.paragraphs import LETTER_TITLE, Heading, build_paragraphs
from tasks.read.pdf_lines import Line, Segment, words_to_lines

log = logging.getLogger(__name__)

# pdfminer reports what it repairs (a damaged cross-reference table, say) through its own
# ``pdfminer.*`` loggers; what little the two libraries still send through ``warnings``
# (pdfplumber's undecodable annotation text, pdfminer's deprecation notices) says nothing about a
# report, so it is silenced once, here. Not per call with ``warnings.catch_warnings``: that swaps
# the process-wide filter list, and reads overlap in a thread pool, so concurrent calls would
# restore one another's copies and leave the process with the wrong filters.
warnings.filterwarnings("ignore", module=r"pdf(miner|plumber)(\.|$)")

EXTRACTOR_VERSION = "rw-1"
EXTRACTOR = f"pdfplumber-{pdfplumber.__version__}/{EXTRACTOR_VERSION}"
TOP_BAND, BOTTOM_BAND = 0.08, 0.90  # shares of the page height where furniture is printed
SNIFF_BYTES = 1024  # %PDF- must start, and %%EOF must appear, within this many bytes
WORD_OPTIONS: dict[str, Any] = {"extra_attrs": ["size", "fontname"]}

MONTHS = "January|February|March|April|May|June|July|August|September|October|November|December"
DATE = re.compile(rf"\b(\d{{1,2}})\s+({MONTHS})\s+(\d{{4}})\b")
SYMBOL = re.compile(r"\bS/\d{4}/\d{1,4}(?:/(?:Add|Corr|Rev)\.\d+)*")
DISTR = re.compile(r"^Distr\.?:?\s*(General|Limited|Restricted)\b(.*)$", re.IGNORECASE)
ORIGINAL = re.compile(r"\bOriginal:\s*([A-Z][a-z]+)")
LANGUAGE = re.compile(r"^(Arabic|Chinese|English|French|Russian|Spanish)$")
JOB_NUMBER = re.compile(r"\b(\d{2}-\d{5})\s*\(([A-Z])\)")
FURNITURE = re.compile(
    r"^(?:"
    + SYMBOL.pattern
    + r"|\d{1,4}\s*/\s*\d{1,4}"  # page marker 2/5
    + r"|\d{2}-\d{5}(?:\s*\([A-Z]\))?(?:\s+\d{6})?"  # job number line
    + r"|\*\d{6,9}\*"  # barcode text
    + r"|Please recycle"
    + r")$",
    re.IGNORECASE,
)


@dataclass
class _Masthead:
    symbol: str | None = None
    distribution_date: dt.date | None = None
    original_language: str | None = None
    job_number: str | None = None
    end: int = -1  # index of the last masthead line on page 1


def extract_pdf(
    source: Path | bytes,
    *,
    max_pages: int = 500,
    max_bytes: int = 50_000_000,
    sha256: str | None = None,
) -> DocumentText:
    """Read ``source`` (a path or the file's bytes) into a :class:`DocumentText`.

    Raises :class:`NotAPdfError` (empty, HTML, truncated, damaged), :class:`EncryptedPdfError`,
    :class:`NeedsOcrError` (no text layer) or :class:`PdfTooLargeError` (over ``max_pages`` or
    ``max_bytes``), never a pdfminer error.
    """
    if isinstance(source, str):
        source = Path(source)
    label, size, head, tail = _inspect(source)
    if size > max_bytes:
        raise PdfTooLargeError(
            f"{label} is {size:,} bytes, over the cap of {max_bytes:,} bytes",
            hint="raise REPORTWATCH_MAX_BYTES if the file is genuine",
        )
    _sniff(label, size, head, tail)
    if sha256 is None:
        sha256 = _sha256(source)
    page_count, lines = _read_pages(source, label, max_pages)
    masthead = _read_masthead(lines)
    body = _remove_furniture(lines, masthead)
    if not body:  # nothing at all, or only a running header over scanned pages
        where = "its only page" if page_count == 1 else f"any of its {page_count} pages"
        raise NeedsOcrError(
            f"{label} has no text layer on {where} (a scan?): it needs OCR",
            hint="run OCR on it, for example with ocrmypdf, and put the result in the drop folder",
        )
    layout = build_paragraphs(body)
    pages = [PageText(number=n, lines=[]) for n in range(1, page_count + 1)]
    for line in body:
        pages[line.page - 1].lines.append(line.text)
    return DocumentText(
        symbol=masthead.symbol or _running_symbol(lines),
        distribution_date=masthead.distribution_date,
        original_language=masthead.original_language,
        job_number=masthead.job_number or _short_job_number(lines),
        title=_title(layout.headings),
        page_count=page_count,
        pages=pages,
        paragraphs=layout.paragraphs,
        extractor=EXTRACTOR,
        sha256=sha256,
    )


# the file, before pdfminer sees it ----------------------------------------------------------
def _inspect(source: Path | bytes) -> tuple[str, int, bytes, bytes]:
    if isinstance(source, bytes | bytearray | memoryview):
        data = bytes(source)
        return "the document", len(data), data[:SNIFF_BYTES], data[-SNIFF_BYTES:]
    path = Path(source)
    label = str(path)
    try:
        with path.open("rb") as handle:
            size = path.stat().st_size
            head = handle.read(SNIFF_BYTES)
            handle.seek(max(0, size - SNIFF_BYTES))
            tail = handle.read(SNIFF_BYTES)
    except OSError as exc:
        raise ExtractError(
            f"cannot read {label}: {exc.strerror or exc}", hint="check the path"
        ) from exc
    return label, size, head, tail


def _sniff(label: str, size: int, head: bytes, tail: bytes) -> None:
    if size == 0:
        raise NotAPdfError(f"{label} is empty (0 bytes), not a PDF", hint="download it again")
    if b"%PDF-" not in head:
        raise NotAPdfError(
            f"{label} {_looks_like(head)}, not a PDF",
            hint="the server probably answered with an error or login page; check the URL",
        )
    if b"%%EOF" not in tail:
        raise NotAPdfError(
            f"{label} looks truncated: a PDF ends with %%EOF and this one does not "
            f"({size:,} bytes)",
            hint="download it again",
        )


def _looks_like(head: bytes) -> str:
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


def _sha256(source: Path | bytes) -> str:
    digest = hashlib.sha256()
    if isinstance(source, bytes | bytearray | memoryview):
        digest.update(source)
        return digest.hexdigest()
    with Path(source).open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


# pdfplumber: the boundary ---------------------------------------------------------------------
def _read_pages(source: Path | bytes, label: str, max_pages: int) -> tuple[int, list[Line]]:
    # We own the stream (not pdfplumber), so it is closed even when pdfplumber's close() fails.
    with (
        Path(source).open("rb") if isinstance(source, Path) else io.BytesIO(bytes(source))
    ) as stream:
        try:
            pdf = pdfplumber.open(stream)
        except Exception as exc:  # the library call: anything it raises means a bad file
            raise _mapped(exc, label) from exc
        try:
            return _read_opened(pdf, label, max_pages)
        finally:
            try:
                pdf.close()
            except Exception as exc:  # a damaged page tree fails again here; already reported
                log.debug("closing %s failed: %r", label, exc)


def _read_opened(pdf: Any, label: str, max_pages: int) -> tuple[int, list[Line]]:
    try:
        pages = pdf.pages
    except Exception as exc:
        raise _mapped(exc, label) from exc
    if len(pages) > max_pages:
        raise PdfTooLargeError(
            f"{label} has {len(pages):,} pages, over the cap of {max_pages:,} pages",
            hint="raise REPORTWATCH_MAX_PAGES if the file is genuine",
        )
    lines: list[Line] = []
    for page in pages:
        try:
            words = page.extract_words(**WORD_OPTIONS)
            height = float(page.height)
        except Exception as exc:
            raise _mapped(exc, label, page.page_number) from exc
        finally:
            page.close()  # drop pdfplumber's per-page caches: memory stays flat
        for line in words_to_lines(words, page.page_number):
            line.in_band = line.bottom < TOP_BAND * height or line.top > BOTTOM_BAND * height
            lines.append(line)
    return len(pages), lines


def _mapped(exc: BaseException, label: str, page: int | None = None) -> ExtractError:
    """The ExtractError for an exception pdfplumber or pdfminer raised."""
    cause = exc.args[0] if exc.args and isinstance(exc.args[0], BaseException) else exc
    where = f"{label} (page {page})" if page else label
    if isinstance(cause, PDFPasswordIncorrect | PDFEncryptionError):
        return EncryptedPdfError(
            f"{where} is encrypted and needs a password ({type(cause).__name__})",
            hint="ask the publisher for an unprotected copy; reportwatch does not guess passwords",
        )
    detail = f"{type(cause).__name__}: {cause}".strip().rstrip(":")
    return NotAPdfError(
        f"{where} is damaged and cannot be read as a PDF ({detail[:200]})",
        hint="download it again; if it persists, open it in a viewer to check",
    )


# masthead and furniture ---------------------------------------------------------------------
def _read_masthead(lines: list[Line]) -> _Masthead:
    page_one = [line for line in lines if line.page == 1]
    masthead = _Masthead()
    distr = next((i for i, line in enumerate(page_one[:15]) if DISTR.match(line.text)), None)
    if distr is not None:
        end = distr
        rest = DISTR.match(page_one[distr].text)
        dated = DATE.search(rest.group(2)) if rest else None
        for index in range(distr + 1, min(distr + 6, len(page_one))):
            text = page_one[index].text
            if not (DATE.fullmatch(text) or LANGUAGE.match(text) or ORIGINAL.match(text)):
                break
            dated = dated or DATE.fullmatch(text)
            end = index
        masthead.end = end
        if dated:
            masthead.distribution_date = _date(dated)
    top_lines = page_one[: masthead.end + 1] if distr is not None else page_one[:6]
    for line in top_lines + [line for line in page_one if line.in_band]:
        symbol = SYMBOL.search(line.text)
        if symbol and masthead.symbol is None:
            masthead.symbol = symbol.group(0)
        original = ORIGINAL.search(line.text)
        if original and masthead.original_language is None and distr is not None:
            masthead.original_language = original.group(1)
        job = JOB_NUMBER.search(line.text)
        if job and masthead.job_number is None:
            masthead.job_number = f"{job.group(1)} ({job.group(2)})"
    return masthead


def _date(match: re.Match[str]) -> dt.date | None:
    try:
        return dt.datetime.strptime(" ".join(match.groups()), "%d %B %Y").date()
    except ValueError:
        return None


def _furniture_key(text: str) -> str:
    return " ".join(re.sub(r"\d", "#", text.lower()).split())


def _remove_furniture(lines: list[Line], masthead: _Masthead) -> list[Line]:
    """Body lines: masthead, recurring band lines and furniture-shaped band lines removed."""
    pages_by_key: dict[str, set[int]] = defaultdict(set)
    for line in lines:
        if line.in_band:
            for segment in line.segments:
                pages_by_key[_furniture_key(segment.text)].add(line.page)

    def is_furniture(segment: Segment) -> bool:
        if FURNITURE.match(segment.text):
            return True
        return len(pages_by_key[_furniture_key(segment.text)]) >= 2

    body: list[Line] = []
    page_one_index = -1
    for line in lines:
        if line.page == 1:
            page_one_index += 1
            if page_one_index <= masthead.end:
                continue
        if line.in_band:
            kept = [s for s in line.segments if not is_furniture(s)]
            if not kept:
                continue
            if len(kept) < len(line.segments):
                line.text = " ".join(s.text for s in kept)
                line.x0, line.x1 = kept[0].x0, kept[-1].x1
                line.text_x0 = line.x0
        body.append(line)
    return body


def _running_symbol(lines: list[Line]) -> str | None:
    for line in lines:
        if line.in_band and (match := SYMBOL.fullmatch(line.text)):
            return match.group(0)
    return None


def _short_job_number(lines: list[Line]) -> str | None:
    for line in lines:
        if line.in_band:
            for segment in line.segments:
                if re.fullmatch(r"\d{2}-\d{5}", segment.text):
                    return segment.text
    return None


def _title(headings: list[Heading]) -> str | None:
    """The letter title under the masthead, else the first heading of page 1."""
    first_page = [h.text for h in headings if h.page == 1]
    return next(
        (t for t in first_page if LETTER_TITLE.match(t)), first_page[0] if first_page else None
    )
