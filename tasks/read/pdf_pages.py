"""The document's pages as its page tree lists them, each readable or named as damaged.

pdfminer walks the page tree and silently skips a leaf that does not resolve to a page (an
object damaged in the file): a 13-page document then reads as 12 pages, and the pages after the
damaged one take the wrong numbers. Here the tree is walked once, before any page is built: every
leaf keeps its position (page 13 stays page 13), and a damaged one is a :class:`TreePage` with
the reason it cannot be read, for a warning. A content stream that cannot be decompressed (which
pdfminer reads as an empty or shortened page, without a word) is named the same way.

With :mod:`tasks.read.extract` this is the boundary with pdfplumber/pdfminer: what they raise
is mapped to :class:`~reportwatch.errors.ExtractError` by :func:`mapped`.
"""

from __future__ import annotations

import zlib
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from pdfminer.pdfdocument import PDFEncryptionError, PDFPasswordIncorrect
from pdfminer.pdfpage import LITERAL_PAGE, LITERAL_PAGES, PDFPage
from pdfminer.pdftypes import LITERALS_FLATE_DECODE, PDFStream, resolve1
from pdfplumber.page import Page

from reportwatch.errors import EncryptedPdfError, ExtractError, NotAPdfError, PdfTooLargeError


@dataclass(frozen=True)
class TreePage:
    """A leaf of the page tree: its page number, and its page object or why it has none."""

    number: int
    page: PDFPage | None
    damage: str | None = None


def mapped(exc: BaseException, label: str, page: int | None = None) -> ExtractError:
    """The ExtractError for an exception pdfplumber or pdfminer raised."""
    cause = exc.args[0] if exc.args and isinstance(exc.args[0], BaseException) else exc
    where = f"{label} (page {page})" if page else label
    if isinstance(cause, PDFPasswordIncorrect | PDFEncryptionError):
        return EncryptedPdfError(
            f"{where} is encrypted and needs a password ({type(cause).__name__})",
            hint="ask the publisher for an unprotected copy; reportwatch does not guess passwords",
        )
    return NotAPdfError(
        f"{where} is damaged and cannot be read as a PDF ({describe(cause)})",
        hint="download it again; if it persists, open it in a viewer to check",
    )


def describe(exc: BaseException) -> str:
    """An exception in a few words: its type and the start of its message."""
    return f"{type(exc).__name__}: {exc}".strip().rstrip(":")[:200]


def declared_pages(pdf: Any) -> int | None:
    """The page count the document's page tree declares (``/Root /Pages /Count``), if any.

    Read from the trailer's catalogue without building a single page, so the page cap costs
    nothing on a file that declares 60,000 pages.
    """
    try:
        tree = resolve1(pdf.doc.catalog.get("Pages"))
        count = resolve1(tree.get("Count")) if isinstance(tree, dict) else None
    except Exception:  # a damaged tree: the pages themselves will say what is wrong
        return None
    return count if isinstance(count, int) and count >= 0 else None


def too_many(label: str, pages: int, max_pages: int, declared: bool) -> PdfTooLargeError:
    how = " (as its page tree declares)" if declared else ""
    return PdfTooLargeError(
        f"{label} has {pages:,} pages{how}, over the cap of {max_pages:,} pages",
        hint="raise REPORTWATCH_MAX_PAGES if the file is genuine",
    )


def tree_pages(pdf: Any, label: str, max_pages: int) -> list[TreePage]:
    """Every leaf of the page tree in order (damaged ones named), at most ``max_pages``.

    Inheritable attributes (resources, boxes, rotation) pass down as pdfminer passes them. A
    tree that lists no page at all falls back to pdfminer's own search of the file's objects.
    Raises PdfTooLargeError past ``max_pages``, ExtractError when the tree cannot be read.
    """
    leaves: list[TreePage] = []
    visited: set[int] = set()

    def visit(ref: Any, inherited: dict[str, Any]) -> None:
        if len(leaves) > max_pages:
            raise too_many(label, len(leaves), max_pages, declared=False)
        objid = getattr(ref, "objid", None)
        try:
            node = resolve1(ref)
        except Exception as exc:
            leaves.append(TreePage(len(leaves) + 1, None, f"its page object {describe(exc)}"))
            return
        if not isinstance(node, dict):
            leaves.append(TreePage(len(leaves) + 1, None, "its page object is damaged"))
            return
        if objid is not None:
            if objid in visited:  # a loop in the tree
                return
            visited.add(objid)
        attrs = dict(node)
        for key, value in inherited.items():
            if key in PDFPage.INHERITABLE_ATTRS and key not in attrs:
                attrs[key] = value
        kind = attrs.get("Type", attrs.get("type"))
        if kind is LITERAL_PAGES:
            kids = resolve1(attrs.get("Kids"))
            for kid in kids if isinstance(kids, list) else []:
                visit(kid, attrs)
        elif kind is LITERAL_PAGE:
            leaves.append(TreePage(len(leaves) + 1, PDFPage(pdf.doc, objid, attrs, None)))
        else:
            leaves.append(TreePage(len(leaves) + 1, None, "its page object is damaged"))

    try:
        catalog = pdf.doc.catalog
        if "Pages" in catalog:
            visit(catalog["Pages"], catalog)
        if not any(leaf.page for leaf in leaves):
            leaves = [
                TreePage(index + 1, page)
                for index, page in enumerate(PDFPage.create_pages(pdf.doc))
                if index <= max_pages
            ]
    except ExtractError:
        raise
    except Exception as exc:
        raise mapped(exc, label) from exc
    if len(leaves) > max_pages:
        raise too_many(label, len(leaves), max_pages, declared=False)
    return leaves


def pdf_pages(
    pdf: Any, leaves: list[TreePage], label: str
) -> Iterator[tuple[TreePage, Page | None]]:
    """Each leaf with its pdfplumber page, built one at a time; a leaf whose page cannot be
    built (no page box, say) comes back damaged, with None. Raises EncryptedPdfError."""
    doctop = 0.0
    for leaf in leaves:
        if leaf.page is None:
            yield leaf, None
            continue
        try:
            page = Page(pdf, leaf.page, page_number=leaf.number, initial_doctop=doctop)
            doctop += float(page.height)
        except Exception as exc:
            error = mapped(exc, label, leaf.number)
            if isinstance(error, EncryptedPdfError):
                raise error from exc
            yield TreePage(leaf.number, None, f"it cannot be read ({describe(exc)})"), None
            continue
        yield leaf, page


def content_damage(page: PDFPage) -> str | None:
    """Why the page's content cannot be read whole (pdfminer would read what it could without a
    word), or None: a content object that is no stream, a compressed stream that is corrupt or
    cut short."""
    for item in page.contents:
        stream = resolve1(item)
        if stream is None:
            continue
        if not isinstance(stream, PDFStream):
            return "its content is not a stream (a damaged object)"
        raw = stream.rawdata
        if raw is None or stream.decipher is not None:  # decoded already, or encrypted
            continue
        filters = stream.get_filters()
        if not filters or filters[0][0] not in LITERALS_FLATE_DECODE:
            continue
        inflate = zlib.decompressobj()
        try:
            inflate.decompress(raw)
        except zlib.error as exc:
            return f"its content stream {stream.objid} is corrupt ({exc})"
        if not inflate.eof:
            return f"its content stream {stream.objid} is cut short"
    return None
