"""Render a :class:`SampleReport` as a PDF laid out the way ODS prints Security Council documents.

The running text follows the geometry of real ODS pages (``../shared/realpdf/``): 10 pt Times
on a 12 pt line pitch in a column from x = 123.4 to 488; a numbered paragraph prints "12." at
the text margin and its text at a tab stop, and every continuation line returns to the margin;
paragraphs are 18 pt apart (the pitch plus 6 pt); an unnumbered paragraph has a first-line
indent; footnote markers ride 3.5 pt high in 6.5 pt type and their notes sit at the foot of the
page in 8.5 pt under a short rule. The masthead and the page furniture are in
:mod:`reportwatch.demo.samples.pages`; the 1990s layout sets 12 pt text on a 14 pt pitch with a
blank line between paragraphs. The body is broken into lines by our own line breaker, so the
same facts always give the same bytes.

We use the PDF core fonts (Times, Helvetica, Courier) with the Windows-1252 encoding: nothing is
embedded, so files stay small and identical on every machine; the few characters outside that
encoding (``č`` in ``Zvečan``) are printed without their accent.
"""

from __future__ import annotations

import datetime as dt
import unicodedata
from dataclasses import dataclass
from typing import Any

try:
    from fpdf import FPDF
except ModuleNotFoundError as exc:  # an extra: `reportwatch demo` serves the committed PDFs
    raise ModuleNotFoundError(
        "the sample generator needs fpdf2: pip install 'reportwatch[samples]'"
    ) from exc

from reportwatch.demo.samples import annex, pages
from reportwatch.demo.samples.facts import PrintedDocument, SampleReport
from reportwatch.demo.samples.wording import Block, compose

OVERPRINT_OFFSET = 0.3  # points between the two copies of a fake-bold glyph
MIN_HYPHEN_PART = 3
HYPHENATE_MIN = 8  # shorter words are moved to the next line whole


@dataclass(frozen=True)
class Style:
    """Type and spacing of the running text."""

    size: float
    pitch: float
    gap: float  # added between paragraphs
    tab: float  # from the margin to the text of a numbered paragraph's first line
    indent: float  # first-line indent of an unnumbered paragraph
    note_size: float
    note_pitch: float
    first_baseline: float  # on later pages
    last_baseline: float


MODERN = Style(10.0, 12.0, 6.0, 23.8, 23.7, 8.5, 10.0, 85.0, 728.0)
NINETIES = Style(12.0, 14.0, 14.0, 36.0, 36.0, 10.0, 12.0, 110.0, 720.0)
MARKER_SIZE, MARKER_RISE = 6.5, 3.5


@dataclass
class Token:
    """A word as laid out: its text, an optional superscript marker, then trailing text."""

    text: str
    marker: str | None = None
    tail: str = ""
    note: str | None = None


class _OdsPdf(FPDF):
    """FPDF with ODS page furniture in the header and footer hooks."""

    def __init__(self, report: PrintedDocument, total_pages: int | None) -> None:
        super().__init__(unit="pt", format="letter")
        self.report = report
        self.total_pages = total_pages
        self.core_fonts_encoding = "windows-1252"
        self.set_auto_page_break(False)
        self.set_margins(pages.MARGIN, 36.0, pages.PAGE_WIDTH - pages.RIGHT)
        self.sideways_pages: set[int] = set()  # landscape pages: no upright furniture

    def text(self, x: float, y: float, text: str = "", *args: Any, **kwargs: Any) -> None:
        super().text(x, y, text, *args, **kwargs)
        if self.report.overprint and text.strip():
            super().text(x + OVERPRINT_OFFSET, y, text, *args, **kwargs)

    def header(self) -> None:
        if self.page_no() > 1 and self.page_no() not in self.sideways_pages:
            pages.running_header(self, self.report, self.page_no())

    def footer(self) -> None:
        total = self.total_pages or 0
        if self.page_no() == 1:
            pages.first_page_foot(self, self.report, last_page=total == 1)
        elif self.page_no() not in self.sideways_pages:
            pages.footer(self, self.report, self.page_no(), total)


class _Layout:
    """Places blocks on pages; tracks the baseline and the footnotes of the current page."""

    def __init__(self, report: PrintedDocument, total_pages: int | None) -> None:
        self.report = report
        self.style = NINETIES if report.layout == "1990s" else MODERN
        self.left, self.right = pages.text_column(report)
        self.pdf = _OdsPdf(report, total_pages)
        self.y = self.style.first_baseline
        self.pending_notes: list[tuple[str, str]] = []
        self.notes_by_word = {n.word: n.text for n in report.footnotes}
        self.note_count = 0
        self.paragraphs_on_page = 0

    # pages -----------------------------------------------------------------------------------
    def first_page(self) -> None:
        self.pdf.add_page()
        self.y = pages.masthead(self.pdf, self.report)

    def new_page(self) -> None:
        self._flush_footnotes()
        self.pdf.add_page()
        self.y = self.style.first_baseline
        self.paragraphs_on_page = 0

    def bottom(self) -> float:
        last = self.style.last_baseline
        if self.pdf.page_no() == 1:
            last = min(last, 700.0) - (24.0 if self.report.reissued_on else 0.0)
        notes = len(self.pending_notes)
        return last - (notes * self.style.note_pitch + 12.0 if notes else 0.0)

    def _flush_footnotes(self) -> None:
        notes = list(self.pending_notes)
        reissue = self.report.reissue_note if self.pdf.page_no() == 1 else None
        if not notes and not reissue:
            return
        pdf, style = self.pdf, self.style
        last = style.last_baseline if self.pdf.page_no() > 1 else 708.0
        baseline = last - (len(notes) + (1 if reissue else 0) - 1) * style.note_pitch
        if self.report.layout == "1990s":
            pdf.set_font("Times", "", style.note_size)
            pdf.text(self.left, baseline - style.note_pitch, "_" * 18)
        else:
            pdf.set_line_width(0.5)
            pdf.line(self.left - 15.0, baseline - 11.0, self.left + 57.0, baseline - 11.0)
        if reissue:
            pdf.set_font("Times", "", style.note_size)
            pdf.text(self.left - 7.7, baseline, reissue)
            baseline += style.note_pitch
        for marker, text in notes:
            pdf.set_font("Times", "", MARKER_SIZE if self.report.layout != "1990s" else 8.0)
            pdf.text(self.left - 6.4, baseline - 3.0, marker)
            pdf.set_font("Times", "", style.note_size)
            pdf.text(self.left, baseline, _printable(text))
            baseline += style.note_pitch
        self.pending_notes = []

    def finish(self) -> None:
        self._flush_footnotes()
        if self.report.sideways_lines:
            self._sideways_page(self.report.sideways_lines)

    def _sideways_page(self, lines: list[str]) -> None:
        """A landscape page printed on a portrait one: the text runs up the page."""
        pdf = self.pdf
        pdf.sideways_pages.add(pdf.page_no() + 1)
        pdf.add_page()
        pdf.set_font("Times", "", self.style.size)
        x = 90.0
        for line in lines:
            with pdf.rotation(angle=90, x=x, y=720.0):
                pdf.text(x, 720.0, _printable(line))
            x += self.style.pitch

    # blocks ----------------------------------------------------------------------------------
    def place(self, block: Block) -> None:
        old = self.report.layout == "1990s"
        text = block.text.upper() if old and block.kind in {"title", "heading"} else block.text
        if block.kind == "part":
            self.new_page()
            self._lines([Token(text)], self.left, self.left, "B", 12.0, 14.0, gap_after=10.0)
        elif block.kind == "original":
            self.pdf.set_font("Times", "", self.style.size)
            pages.right_text(self.pdf, text, self.y, self.right)
            self.y += self.style.pitch + 10.0
        elif block.kind in {"title", "report_title"}:
            self._lines(_tokens(text), self.left, self.left, "B", 12.0, 13.5, gap_after=14.0)
        elif block.kind == "heading":
            self.y += 6.0 if self.paragraphs_on_page else 0.0  # air above, none at a page top
            self._keep_with_next(3)
            size = self.style.size
            self._lines(_tokens(text), self.left, self.left, "B", size, self.style.pitch)
        elif block.kind == "signature":
            self.y += self.style.pitch
            x = self.left + 208.6
            self._lines(_tokens(text), x, x, "", self.style.size, self.style.pitch)
        elif block.kind == "table":
            self._keep_with_next(len(block.cells) + 2 * len(block.notes))
            lines = max(cell.count("\n") for cell in block.cells[0])
            self.y = annex.draw_table(self.pdf, block, self.y + 6.0 + 8.0 * lines)
        elif block.kind == "image":
            annex.draw_picture(self.pdf, self.y)
        elif block.kind == "paragraph":
            first = self.left + self.style.indent
            self._lines(self._marked(text), first, self.left, "", self.style.size, self.style.pitch)
        else:
            self._numbered(block)
        self.paragraphs_on_page += 1

    def _numbered(self, block: Block) -> None:
        self._keep_with_next(2)
        self.pdf.set_font("Times", "", self.style.size)
        self.pdf.text(self.left, self.y, f"{block.number}.")
        first = self.left + self.style.tab
        self._lines(
            self._marked(block.text), first, self.left, "", self.style.size, self.style.pitch
        )

    def _keep_with_next(self, lines: int) -> None:
        if self.y + (lines - 1) * self.style.pitch > self.bottom():
            self.new_page()

    def _marked(self, text: str) -> list[Token]:
        """Tokens, with a footnote marker glued to the first use of each footnoted word."""
        tokens = _tokens(text)
        for token in tokens:
            word = token.text.rstrip(".,;:)")
            if word in self.notes_by_word:
                self.note_count += 1
                note = self.notes_by_word.pop(word)
                token.tail = token.text[len(word) :]
                token.text, token.marker, token.note = word, str(self.note_count), note
        return tokens

    def _lines(
        self,
        tokens: list[Token],
        first_left: float,
        left: float,
        style: str,
        size: float,
        leading: float,
        *,
        gap_after: float | None = None,
    ) -> None:
        pdf = self.pdf
        pdf.set_font("Times", style, size)
        lines = _wrap(pdf, tokens, self.right - first_left, self.right - left, self.report)
        for index, line in enumerate(lines):
            notes = [(t.marker, t.note) for t in line if t.marker and t.note]
            # A line with a marker must leave room for its note at the foot of the same page.
            room = len(notes) * self.style.note_pitch + (
                12.0 if notes and not self.pending_notes else 0
            )
            if self.y > self.bottom() - room:
                self.new_page()
                pdf.set_font("Times", style, size)
            x = first_left if index == 0 else left
            self._draw_line(line, x, style, size)
            self.pending_notes.extend(notes)  # type: ignore[arg-type]
            self.y += leading
        self.y += self.style.gap if gap_after is None else gap_after

    def _draw_line(self, line: list[Token], x: float, style: str, size: float) -> None:
        pdf = self.pdf
        run = ""
        for index, token in enumerate(line):
            run += (" " if index else "") + token.text
            if token.marker is None:
                run += token.tail
                continue
            x = self._run(run, x, style, size)
            pdf.set_font("Times", style, MARKER_SIZE)
            pdf.text(x, self.y - MARKER_RISE, token.marker)
            x += pdf.get_string_width(token.marker)
            run = token.tail
        self._run(run, x, style, size)

    def _run(self, text: str, x: float, style: str, size: float) -> float:
        pdf = self.pdf
        pdf.set_font("Times", style, size)
        if text:
            printable = _printable(text)
            pdf.text(x, self.y, printable)
            x += pdf.get_string_width(printable)
        return x


def render_pdf(report: PrintedDocument) -> bytes:
    """The PDF bytes of ``report``; the same facts always give the same bytes."""
    return bytes(layout_pdf(report).output())


def layout_pdf(report: PrintedDocument) -> FPDF:
    """The laid-out document, before output (fixtures add encryption to it)."""
    # Two passes: the first only counts the pages that the "n/N" markers print.
    total_pages = _lay_out(report, None).pages_count
    return _lay_out(report, total_pages)


def _lay_out(report: PrintedDocument, total_pages: int | None) -> FPDF:
    layout = _Layout(report, total_pages)
    pdf = layout.pdf
    pdf.set_title(report.catalog_title)
    pdf.set_author("United Nations")
    pdf.set_subject(report.symbol)
    pdf.set_producer("reportwatch samples")
    # A fixed creation date (the distribution date) keeps the bytes, and the file id, stable.
    created = dt.datetime.combine(report.distribution_date, dt.time(9, 0), tzinfo=dt.UTC)
    pdf.set_creation_date(created)
    layout.first_page()
    for block in _compose(report):
        layout.place(block)
    layout.finish()
    return pdf


def _compose(report: PrintedDocument) -> list[Block]:
    from reportwatch.demo.samples.annual import AnnualReport, compose_annual

    if isinstance(report, AnnualReport):
        return compose_annual(report)
    assert isinstance(report, SampleReport)
    return compose(report)


def _tokens(text: str) -> list[Token]:
    # Only ASCII spaces break lines: a no-break space ("4\u00a0500") holds its words together.
    return [Token(word) for word in text.split(" ") if word]


def _wrap(
    pdf: FPDF, tokens: list[Token], first_width: float, width: float, report: PrintedDocument
) -> list[list[Token]]:
    """Greedy line breaking; breaks after a real hyphen, or hyphenates when asked."""
    space = pdf.get_string_width(" ")
    lines: list[list[Token]] = []
    line: list[Token] = []
    used = 0.0
    queue = list(tokens)
    hyphen = "\xad" if report.soft_hyphens else "-"
    while queue:
        token = queue.pop(0)
        available = (first_width if not lines else width) - used - (space if line else 0.0)
        needed = _width(pdf, token)
        if token.text.rstrip(".,;:)") in report.break_words and line:
            # A word that must end a line hyphenated: "approxi-" here, "mately" on the next.
            cut = len(token.text) // 2 + 1
            head = Token(token.text[:cut] + hyphen)
            if _width(pdf, head) <= available:
                line.append(head)
                queue.insert(0, Token(token.text[cut:], token.marker, token.tail, token.note))
                lines.append(line)
                line, used = [], 0.0
                continue
        split = None if needed <= available else _split(pdf, token, available, report, hyphen)
        if needed <= available or (split is None and not line):
            # It fits, or it cannot be split and would not fit on any line: place it whole.
            line.append(token)
            used += needed + (space if len(line) > 1 else 0.0)
            continue
        if split is not None:
            line.append(split[0])
            queue.insert(0, split[1])
        else:
            queue.insert(0, token)
        lines.append(line)
        line, used = [], 0.0
    if line:
        lines.append(line)
    return lines


def _width(pdf: FPDF, token: Token) -> float:
    width = pdf.get_string_width(_printable(token.text + token.tail))
    if token.marker:
        size = pdf.font_size_pt
        pdf.set_font_size(MARKER_SIZE)
        width += pdf.get_string_width(token.marker)
        pdf.set_font_size(size)
    return width


def _split(
    pdf: FPDF, token: Token, available: float, report: PrintedDocument, hyphen: str
) -> tuple[Token, Token] | None:
    """Split ``token`` so its head fits in ``available``, or None when it cannot be split."""
    text = token.text
    # A real compound (non-NATO, troop-contributing) may always break after its hyphen.
    for index in range(len(text) - 2, 0, -1):
        if text[index] == "-" and text[index - 1].isalpha() and text[index + 1].isalnum():
            head = text[: index + 1]
            if pdf.get_string_width(_printable(head)) <= available:
                rest = Token(text[index + 1 :], token.marker, token.tail, token.note)
                return Token(head), rest
    # Typographic hyphenation: only long lower-case words, at least 3 letters on each side.
    word = text.rstrip(".,;:)")
    if not report.hyphenate_words or not (word.isalpha() and word.islower()):
        return None
    if len(word) < HYPHENATE_MIN:
        return None
    for index in range(len(word) - MIN_HYPHEN_PART, MIN_HYPHEN_PART - 1, -1):
        head = text[:index] + hyphen
        if pdf.get_string_width(_printable(head)) <= available:
            return Token(head), Token(text[index:], token.marker, token.tail, token.note)
    return None


def _printable(text: str) -> str:
    """Text the core fonts can print: characters outside Windows-1252 lose their accents."""
    try:
        text.encode("windows-1252")
        return text
    except UnicodeEncodeError:
        pass
    out = []
    for char in text:
        try:
            char.encode("windows-1252")
            out.append(char)
        except UnicodeEncodeError:
            base = unicodedata.normalize("NFKD", char)[0]
            out.append(base if base.isascii() else "?")
    return "".join(out)
