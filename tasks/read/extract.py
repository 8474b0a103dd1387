"""Extract: a PDF → :class:`DocumentText` (body text by page and paragraph, masthead metadata).

pdfplumber is the engine. Each page is read once (its characters, and the rules drawn on it)
and closed straight away, so memory stays flat on long documents. The page count is read from
the document's page tree before any page is built, so a 60,000-page file is refused at once.
From the characters on:

1. :mod:`tasks.read.chars`: overprinted duplicates go, sideways pages are turned upright;
2. :mod:`tasks.read.pdf_lines`: characters → lines on their baselines, superscripts attached;
3. :mod:`tasks.read.masthead`: symbols, distribution date, language and job number of page 1;
4. :mod:`tasks.read.furniture`: running headers and footers, the job line, barcode text and
   the reissue note removed, footnotes kept apart;
5. :mod:`tasks.read.tables`: tables printed without ruling lines (an annex of contributions)
   read into cells with pdfplumber's table finder; their lines are no paragraph;
6. :mod:`tasks.read.paragraphs`: numbered and unnumbered paragraphs with section and part.

Each page also counts the images drawn on it: an annex printed as a picture has no text to
read, and normalize says so instead of reporting nothing.

Text that cannot be decoded (a font without a Unicode map gives "(cid:12)(cid:7)...", or
characters that are no letters at all) raises :class:`~reportwatch.errors.NeedsOcrError`
naming the fonts, never paragraphs of garbage.

This module is the boundary with pdfplumber/pdfminer: every error they raise is mapped to
:class:`~reportwatch.errors.ExtractError` subclasses here (``raise ... from exc``); nothing
above it sees a ``pdfminer`` exception.
"""

from __future__ import annotations

import io
import logging
import warnings
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pdfplumber
from pdfminer.layout import LTChar, LTContainer, LTImage, LTLine, LTRect
from pdfminer.pdftypes import resolve1
from pdfminer.psparser import PSLiteral
from pdfplumber.page import Page

from reportwatch.errors import (
    EncryptedPdfError,
    NeedsOcrError,
    NotAPdfError,
    PdfTooLargeError,
)
from reportwatch.models import DocumentText, PageText, TableRowText, TableText
from tasks.read.chars import Char, direction_of, main_direction, orient
from tasks.read.decoding import check_decodable, meaningless
from tasks.read.furniture import split_pages
from tasks.read.masthead import read_masthead, short_job_number
from tasks.read.paragraphs import Layout, build_paragraphs, measure
from tasks.read.pdf_lines import BOLD_FONT, Line, chars_to_lines
from tasks.read.pdf_pages import (
    content_damage,
    declared_pages,
    describe,
    mapped,
    pdf_pages,
    too_many,
    tree_pages,
)
from tasks.read.pdffile import inspect, sha256_of, sniff
from tasks.read.tables import FoundTable, find_tables

log = logging.getLogger(__name__)

# pdfminer reports what it repairs (a damaged cross-reference table, say) through its own
# ``pdfminer.*`` loggers; what little the two libraries still send through ``warnings``
# (pdfplumber's undecodable annotation text, pdfminer's deprecation notices) says nothing about a
# report, so it is silenced once, here. Not per call with ``warnings.catch_warnings``: that swaps
# the process-wide filter list, and reads overlap in a thread pool, so concurrent calls would
# restore one another's copies and leave the process with the wrong filters.
warnings.filterwarnings("ignore", module=r"pdf(miner|plumber)(\.|$)")

EXTRACTOR_VERSION = "rw-4"  # rw-4: sideways sizes, pages in tree order, undecodable fonts
EXTRACTOR = f"pdfplumber-{pdfplumber.__version__}/{EXTRACTOR_VERSION}"
SIDEWAYS_LEFT_OUT = 0.05  # glyphs in another direction than the page's, worth a warning


@dataclass
class _Page:
    number: int
    width: float
    height: float
    direction: str
    lines: list[Line]
    rules: list[tuple[float, float, float]]
    images: int = 0


@dataclass
class _Read:
    pages: list[_Page] = field(default_factory=list)
    glyphs: int = 0
    undecodable: Counter[str] = field(default_factory=Counter)  # font → glyphs
    fonts: dict[str, str] = field(default_factory=dict)  # font → name with its style
    unmapped: set[str] = field(default_factory=set)  # fonts without a Unicode map (/ToUnicode)
    warnings: list[str] = field(default_factory=list)


def extract_pdf(
    source: Path | bytes,
    *,
    max_pages: int = 500,
    max_bytes: int = 50_000_000,
    sha256: str | None = None,
) -> DocumentText:
    """Read ``source`` (a path or the file's bytes) into a :class:`DocumentText`.

    Raises :class:`NotAPdfError` (empty, HTML, truncated, damaged), :class:`EncryptedPdfError`,
    :class:`NeedsOcrError` (no text layer, or text that cannot be decoded) or
    :class:`PdfTooLargeError` (over ``max_pages`` or ``max_bytes``, checked before any page is
    read), never a pdfminer error.
    """
    if isinstance(source, str):
        source = Path(source)
    label, size, head = inspect(source)
    if size > max_bytes:
        raise PdfTooLargeError(
            f"{label} is {size:,} bytes, over the cap of {max_bytes:,} bytes",
            hint="raise REPORTWATCH_MAX_BYTES if the file is genuine",
        )
    found = sniff(source, label, size, head)
    if sha256 is None:
        sha256 = sha256_of(source)
    read = _read_pages(source, label, max_pages)
    read.warnings[:0] = found
    read.warnings += check_decodable(
        label,
        (line for page in read.pages for line in page.lines),
        glyphs=read.glyphs,
        undecodable=read.undecodable,
        unmapped=read.unmapped,
    )
    return _document(read, label, sha256)


def _document(read: _Read, label: str, sha256: str) -> DocumentText:
    page_count = len(read.pages)
    all_lines = [line for page in read.pages for line in page.lines]
    metrics = measure(all_lines)
    page_one = read.pages[0].lines if read.pages else []
    masthead = read_masthead(page_one, metrics.margin, metrics.body_size)
    if masthead.distribution_date is None:
        read.warnings.append(
            "page 1: no distribution date could be read in the masthead (a date under "
            '"Distr.: General"): the document\'s date is unknown'
        )
    lines_by_page = [
        [x for x in page.lines if page.number != 1 or x.baseline > masthead.end]
        for page in read.pages
    ]
    parts = split_pages(
        lines_by_page,
        metrics.body_size,
        [page.rules for page in read.pages],
        metrics.right - metrics.margin,
    )
    bodies = printed = [p.body for p in parts.pages]  # printed: every line, tables' rows too
    found: list[FoundTable] = []
    for page, body in zip(read.pages, bodies, strict=True):
        on_page = find_tables(body, page.number)
        found += on_page.tables
        read.warnings += on_page.warnings
    in_tables = {id(x) for table in found for x in table.lines}
    if in_tables:  # a table's lines are cells, not a paragraph
        bodies = [[x for x in body if id(x) not in in_tables] for body in bodies]
    if not any(bodies) and not found:  # nothing at all, or only a running header over scanned pages
        where = "its only page" if page_count == 1 else f"any of its {page_count} pages"
        raise NeedsOcrError(
            f"{label} has no text layer on {where} (a scan?): it needs OCR",
            hint="run OCR on it, for example with ocrmypdf, and put the result in the drop folder",
        )
    footnotes = [note for p in parts.pages for note in p.footnotes]
    layout = build_paragraphs(bodies, footnotes, metrics)
    notes_by_page = [[x for note in p.footnotes for x in note.lines] for p in parts.pages]
    pages = [
        PageText(
            number=page.number,
            lines=[x.text for x in body + notes],
            width=page.width,
            height=page.height,
            direction=page.direction,
            images=page.images,
        )
        for page, body, notes in zip(read.pages, printed, notes_by_page, strict=True)
    ]
    furniture = [x for p in parts.pages for x in p.furniture]
    reissue = parts.reissue_note
    if reissue is None and masthead.reissue_marks:
        reissue = f"reissued (the symbol is printed with {masthead.reissue_marks})"
    return DocumentText(
        symbol=masthead.symbol or _running_symbol(furniture),
        symbols=masthead.symbols or [s for s in [_running_symbol(furniture)] if s],
        reissue=reissue,
        distribution_date=masthead.distribution_date,
        original_language=masthead.original_language,
        job_number=masthead.job_number or short_job_number(furniture),
        title=layout.title,
        page_count=page_count,
        pages=pages,
        paragraphs=layout.paragraphs,
        tables=[_table_text(t, layout, bodies[t.page - 1]) for t in found],
        extractor=EXTRACTOR,
        sha256=sha256,
        warnings=read.warnings,
    )


def _table_text(table: FoundTable, layout: Layout, body: list[Line]) -> TableText:
    """A table found on a page, with its part, title, the lines above it and its notes."""
    where = (table.page, table.top)
    before = [(h.page, h.top, h.part) for h in layout.headings] + [
        (p.page, p.top or 0.0, p.part) for p in layout.paragraphs if p.kind == "paragraph"
    ]
    part = max((b for b in before if b[:2] < where), default=(0, 0.0, "body"))[2]
    heading = max(
        (h for h in layout.headings if h.page == table.page and h.top < table.top),
        key=lambda h: h.top,
        default=None,
    )
    marks = {m for row in table.rows for m in row.marks if m} | set("".join(table.column_marks))
    notes = [
        p.text
        for p in layout.paragraphs
        if p.kind == "footnote" and p.page == table.page and p.text[:1] in marks
        and p.text[1:2] == " "
    ]  # fmt: skip
    return TableText(
        page=table.page,
        top=round(table.top, 2),
        part=part,
        title=heading.text if heading else None,
        context=[x.text for x in body if x.bottom <= table.top],
        label_header=table.label_header,
        columns=table.columns,
        column_marks=table.column_marks,
        rows=[
            TableRowText(label=r.label, cells=r.cells, marks=r.marks, top=round(r.top, 2))
            for r in table.rows
        ],
        notes=notes,
    )


# pdfplumber: the boundary ---------------------------------------------------------------------
def _read_pages(source: Path | bytes, label: str, max_pages: int) -> _Read:
    # We own the stream (not pdfplumber), so it is closed whatever happens below.
    with (
        Path(source).open("rb") if isinstance(source, Path) else io.BytesIO(bytes(source))
    ) as stream:
        try:
            pdf = pdfplumber.open(stream)
        except Exception as exc:  # the library call: anything it raises means a bad file
            raise mapped(exc, label) from exc
        # Not pdf.close(): it walks ``pdf.pages``, building every page of the tree (a minute for
        # 60,000 pages), only to close pages we already closed one by one. The stream is ours
        # and closes with this block; dropping the document releases the rest.
        return _read_opened(pdf, label, max_pages)


def _read_opened(pdf: Any, label: str, max_pages: int) -> _Read:
    declared = declared_pages(pdf)
    if declared is not None and declared > max_pages:
        raise too_many(label, declared, max_pages, declared=True)
    read = _Read()
    leaves = tree_pages(pdf, label, max_pages)
    unreadable: list[str] = []
    for leaf, page in pdf_pages(pdf, leaves, label):
        chars: list[Char] = []
        rules: list[tuple[float, float, float]] = []
        images = 0
        width, height = (read.pages[-1].width, read.pages[-1].height) if read.pages else (0, 0)
        damage = leaf.damage
        if page is not None:
            damage = content_damage(page.page_obj)
            try:
                chars, rules, images = _page_objects(page, read)
                width, height = float(page.width), float(page.height)
            except Exception as exc:
                error = mapped(exc, label, leaf.number)
                if isinstance(error, EncryptedPdfError):
                    raise error from exc
                damage = f"it cannot be read ({describe(exc)})"
            finally:
                page.close()  # drop pdfplumber's per-page caches: memory stays flat
        if damage:
            unreadable.append(f"page {leaf.number}: {damage}")
        read.pages.append(_page(read, leaf.number, chars, rules, width, height))
        read.pages[-1].images = images
    if not read.pages or len(unreadable) == len(read.pages):
        raise NotAPdfError(
            f"{label} has no page that can be read" + (f" ({unreadable[0]})" if unreadable else ""),
            hint="download it again; if it persists, open it in a viewer",
        )
    read.warnings += [f"{where}: its text is missing or incomplete" for where in unreadable]
    if declared is not None and declared != len(leaves):
        read.warnings.append(
            f"the page tree declares {declared} pages but lists {len(leaves)}: pages may be missing"
        )
    return read


def _page_objects(
    page: Page, read: _Read
) -> tuple[list[Char], list[tuple[float, float, float]], int]:
    """The glyphs and horizontal rules of one pdfplumber page, as plain boxes, and its images.

    Read from pdfplumber's layout objects directly, with its coordinate conventions (top-left
    origin, MediaBox offset): ``page.chars`` would build a dict of some twenty resolved
    attributes (colours, marked content) per glyph, which is 60 % of the reading time and
    nothing the reader uses.
    """
    height = float(page.height)
    mb_x0, mb_top = float(page.mediabox[0]), float(page.mediabox[1])
    _learn_fonts(page, read.fonts, read.unmapped)
    chars: list[Char] = []
    rules: list[tuple[float, float, float]] = []
    images = 0
    stack = list(page.layout)
    while stack:
        obj = stack.pop()
        if isinstance(obj, LTChar):
            text = obj.get_text()
            if not text.isspace():
                read.glyphs += 1
                if meaningless(text):
                    read.undecodable[_font_name(obj.fontname, read.fonts)] += 1
                    continue
            matrix = obj.matrix
            direction = direction_of(matrix)
            # pdfminer's size is the box's height: for text running up or down the page, that
            # is the glyph's advance ("i" looks 3 pt tall); its type size is the box's width.
            size = obj.x1 - obj.x0 if direction in ("up", "down") else obj.size
            chars.append(
                Char(
                    text,
                    obj.x0 + mb_x0,
                    obj.x1 + mb_x0,
                    height - obj.y1 + mb_top,
                    height - obj.y0 + mb_top,
                    height - matrix[5] + mb_top,
                    size,
                    _font_name(obj.fontname, read.fonts),
                    direction,
                    matrix[4] + mb_x0,
                )
            )
        elif isinstance(obj, LTImage):
            images += 1
        elif isinstance(obj, LTContainer):
            stack.extend(obj)
        elif isinstance(obj, LTLine | LTRect) and obj.height <= 2.0 and obj.width > 20:
            rules.append((obj.x0 + mb_x0, obj.x1 + mb_x0, height - obj.y1 + mb_top))
    chars.reverse()  # content-stream order
    return chars, rules, images


def _font_name(name: object, fonts: dict[str, str]) -> str:
    text = name.decode("latin-1", "replace") if isinstance(name, bytes) else str(name)
    return fonts.get(text, text)


def _learn_fonts(page: Page, fonts: dict[str, str], unmapped: set[str]) -> None:
    """Name bold fonts whose name does not say so ("ABCDEF+F3"), from their descriptor, and
    note the fonts without a Unicode map (no /ToUnicode: their text is a guess).

    A descriptor with /FontWeight 600 or more, or the ForceBold flag, makes the font bold:
    the reader then knows its headings. Learned once per font of the document.
    """
    try:
        resources = resolve1(page.page_obj.resources.get("Font")) or {}
        specs = [resolve1(spec) for spec in resources.values()]
    except Exception:  # damaged resources: the glyphs will say what is wrong
        return
    for spec in specs:
        if not isinstance(spec, dict):
            continue
        name = _literal(spec.get("BaseFont"))
        if not name or name in fonts:
            continue
        fonts[name] = name
        if "ToUnicode" not in spec:
            unmapped.add(name)
        descriptor = resolve1(spec.get("FontDescriptor"))
        if descriptor is None and (descendants := resolve1(spec.get("DescendantFonts"))):
            descendant = resolve1(descendants[0]) if isinstance(descendants, list) else None
            descriptor = resolve1(descendant.get("FontDescriptor")) if descendant else None
        if not isinstance(descriptor, dict) or BOLD_FONT.search(name):
            continue
        weight = resolve1(descriptor.get("FontWeight")) or 0
        flags = resolve1(descriptor.get("Flags")) or 0
        if (isinstance(weight, int | float) and weight >= 600) or (
            isinstance(flags, int) and flags & (1 << 18)
        ):
            fonts[name] = f"{name},Bold"
            if name in unmapped:
                unmapped.add(fonts[name])


def _literal(value: object) -> str | None:
    value = resolve1(value)
    if isinstance(value, PSLiteral):
        value = value.name
    if isinstance(value, bytes):
        return value.decode("latin-1", "replace")
    return value if isinstance(value, str) else None


def _page(
    read: _Read,
    number: int,
    chars: list[Char],
    rules: list[tuple[float, float, float]],
    width: float,
    height: float,
) -> _Page:
    """One page's glyphs → lines, read in the page's own direction."""
    direction = main_direction(chars)
    upright = orient(chars, width, height, direction)
    visible = sum(1 for c in chars if not c.text.isspace())
    left_out = visible - sum(1 for c in upright if not c.text.isspace())
    if direction != "upright":
        read.warnings.append(
            f"page {number} is printed sideways (its text runs {direction}): read in its direction"
        )
        rules = []
    if visible and left_out > SIDEWAYS_LEFT_OUT * visible:
        read.warnings.append(
            f"page {number}: {left_out} characters printed in another direction were left out"
        )
    return _Page(number, width, height, direction, chars_to_lines(upright, number), rules)


def _running_symbol(lines: list[Line]) -> str | None:
    from tasks.read.masthead import SYMBOL

    for line in lines:
        for segment in line.segments:
            if match := SYMBOL.fullmatch(segment.text):
                return match.group(1)
    return None
