"""An annex table as ODS prints it (no ruling lines between rows), and an annex printed as a picture.

Geometry measured on a real annex page (S/2012/197, page 24): the header in 7 pt italic
("Country" at the text margin, each figure column's heading right-aligned over its figures,
footnote letters in 4.5 pt riding 1 pt high), a rule over and under the header, rows in 8.5 pt
on a 13.5 pt pitch with the figures right-aligned at x = 266.8, 340, 413.2 and 486.4, a rule
over the Total row (bold, its label indented), a rule broken into one short stroke per column
under it, and the lettered notes in 8.5 pt under that (their letters 5.5 pt, raised).

The picture is what S/2014/258 prints instead: one image filling the page, its text never in
the text layer. Ours is a grey PNG written with zlib (bands where the rows would be), so the
file needs no imaging library and is the same bytes on every machine.
"""

from __future__ import annotations

import io
import struct
import zlib
from typing import TYPE_CHECKING

from reportwatch.demo.samples import pages
from reportwatch.demo.samples.wording import Block

if TYPE_CHECKING:  # the generator needs fpdf2 (an extra), imported by render.py
    from fpdf import FPDF

COLUMN_RIGHTS = (266.8, 340.0, 413.2, 486.4)  # right edges of the figure columns
HEADER_SIZE, ROW_SIZE, MARK_SIZE, NOTE_MARK_SIZE = 7.0, 8.5, 4.5, 5.5
ROW_PITCH, NOTE_PITCH, HEADER_LEADING = 13.5, 10.5, 8.0
TOTAL_INDENT = 14.4
RULE_RIGHT = 488.4


def _split(cell: str) -> tuple[str, str]:
    """ "Troops^a" → ("Troops", "a")."""
    text, _, mark = cell.partition("^")
    return text, mark


def _right(pdf: FPDF, text: str, mark: str, right: float, baseline: float, size: float,
           style: str) -> None:  # fmt: skip
    """Text right-aligned at ``right``, its footnote letter after it, raised and smaller."""
    pdf.set_font("Times", "", MARK_SIZE)
    mark_width = pdf.get_string_width(mark) if mark else 0.0
    pdf.set_font("Times", style, size)
    x = right - mark_width - pdf.get_string_width(text)
    pdf.text(x, baseline, text)
    if mark:
        pdf.set_font("Times", "", MARK_SIZE)
        pdf.text(right - mark_width, baseline - 1.0, mark)


def draw_table(pdf: FPDF, block: Block, top: float) -> float:
    """Draw ``block`` (kind ``table``) with its header baseline at ``top``; returns the baseline
    under the notes. ``block.text``, when set, is the width (points) a label may take before
    it is cut over two lines."""
    left = pages.MARGIN - 0.6
    header, *rows = block.cells
    extra = max(cell.count("\n") for cell in header) * HEADER_LEADING
    pdf.set_line_width(0.5)
    pdf.line(left, top - 6.0 - extra, RULE_RIGHT, top - 6.0 - extra)
    label, _ = _split(header[0])
    pdf.set_font("Times", "I", HEADER_SIZE)
    pdf.text(left, top, label)
    for cell, right in zip(header[1:], COLUMN_RIGHTS, strict=True):
        *above, last = cell.split("\n")  # a heading over two lines sits on the header's line
        text, mark = _split(last)
        _right(pdf, text, mark, right, top, HEADER_SIZE, "I")
        for back, line in enumerate(reversed(above), start=1):
            _right(pdf, line, "", right, top - HEADER_LEADING * back, HEADER_SIZE, "I")
    pdf.set_line_width(1.0)
    pdf.line(left, top + 5.0, RULE_RIGHT, top + 5.0)
    baseline = top + 20.0
    for index, row in enumerate(rows):
        total = index == len(rows) - 1
        if total:
            baseline += 4.5
            pdf.set_line_width(0.5)
            pdf.line(left, baseline - 14.0, RULE_RIGHT, baseline - 14.0)
        style = "B" if total else ""
        pdf.set_font("Times", style, ROW_SIZE)
        head, rest = _cut(pdf, row[0], float(block.text) if block.text else None)
        if rest:  # a long label: its first words alone, the rest on the row's line
            pdf.text(left, baseline, head)
            baseline += ROW_PITCH - 3.0
        pdf.text(left + (TOTAL_INDENT if total else 0.0), baseline, rest or head)
        for cell, right in zip(row[1:], COLUMN_RIGHTS, strict=True):
            text, mark = _split(cell)
            _right(pdf, text, mark, right, baseline, ROW_SIZE, style)
        baseline += ROW_PITCH
    # under the Total row, one short stroke per column: a rule the reader takes for a note rule
    stroke = (RULE_RIGHT - left) / 5
    pdf.set_line_width(1.5)
    for column in range(5):
        x0 = left + column * stroke
        pdf.line(x0, baseline - 8.0, x0 + stroke - 0.8, baseline - 8.0)
    baseline += 8.0
    for note in block.notes:
        mark, _, text = note.partition("^")
        pdf.set_font("Times", "", NOTE_MARK_SIZE)
        pdf.text(pages.MARGIN + 7.4, baseline - 1.6, mark)
        pdf.set_font("Times", "", ROW_SIZE)
        pdf.text(pages.MARGIN + 13.8, baseline, text)
        baseline += NOTE_PITCH
    return baseline


def _cut(pdf: FPDF, label: str, width: float | None) -> tuple[str, str]:
    """``label`` cut before the first word that does not fit in ``width`` ("" when it fits)."""
    if width is None or pdf.get_string_width(label) <= width:
        return label, ""
    words = label.split(" ")
    for count in range(len(words) - 1, 0, -1):
        head = " ".join(words[:count])
        if pdf.get_string_width(head) <= width:
            return head, " ".join(words[count:])
    return label, ""


def draw_picture(pdf: FPDF, top: float) -> None:
    """A page-sized picture of a table: an image, no text."""
    width, height = pages.PAGE_WIDTH - 2 * 90.0, 600.0
    pdf.image(io.BytesIO(grey_table_png(200, 260)), x=90.0, y=top, w=width, h=height)


def grey_table_png(width: int, height: int) -> bytes:
    """A deterministic 8-bit greyscale PNG: white, with dark bands where rows of text would be."""
    rows = []
    for y in range(height):
        band = 20 <= y < height - 20 and (y % 9) in (3, 4, 5)
        line = bytes(90 if band and (12 <= x < width - 12) and (x // 6) % 7 else 250
                     for x in range(width))  # fmt: skip
        rows.append(b"\x00" + line)

    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    header = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(b"".join(rows), 9))
        + chunk(b"IEND", b"")
    )
