"""Render a :class:`SampleReport` as a PDF laid out the way ODS prints Security Council letters.

Page 1 carries the masthead (``United Nations``, the symbol, ``Security Council``, a rule, the
``Distr.: General`` column) and, at its foot, the job number line, a barcode with its text and
``Please recycle``. Later pages carry the running symbol at the top (left on even pages, right on
odd ones), the ``n/N`` marker and the short job number at the foot. The body is laid out by our
own line breaker so the same facts always give the same bytes.

We use the PDF core fonts (Times, Helvetica, Courier) with the Windows-1252 encoding: nothing is
embedded, so files stay small and identical on every machine; the few characters outside that
encoding (``č`` in ``Zvečan``) are printed without their accent.
"""

from __future__ import annotations

import datetime as dt
import unicodedata
from dataclasses import dataclass

try:
    from fpdf import FPDF
except ModuleNotFoundError as exc:  # an extra: `reportwatch demo` serves the committed PDFs
    raise ModuleNotFoundError(
        "the sample generator needs fpdf2: pip install 'reportwatch[samples]'"
    ) from exc

from reportwatch.demo.samples.facts import SampleReport, format_date
from reportwatch.demo.samples.wording import Block, compose

PAGE_WIDTH, PAGE_HEIGHT = 612.0, 792.0  # US Letter: ODS prints English documents on it
LEFT, RIGHT = 100.0, 540.0
HANG = 28.0  # hanging indent of numbered paragraphs, and first-line indent of letters
BODY_SIZE, LEADING, PARAGRAPH_GAP = 10.0, 12.0, 6.0
FIRST_BASELINE = 80.0
LAST_BASELINE = 700.0  # the foot of every page stays free for furniture
MARKER_SIZE, MARKER_RISE = 6.5, 3.5
FOOTNOTE_SIZE, FOOTNOTE_LEADING = 8.0, 9.5
MIN_HYPHEN_PART = 3
HYPHENATE_MIN = 8  # shorter words are moved to the next line whole


@dataclass
class Token:
    """A word as laid out: its text, an optional superscript marker, then trailing text."""

    text: str
    marker: str | None = None
    tail: str = ""
    note: str | None = None


class _OdsPdf(FPDF):
    """FPDF with ODS page furniture in the header and footer hooks."""

    def __init__(self, report: SampleReport, total_pages: int | None) -> None:
        super().__init__(unit="pt", format="letter")
        self.report = report
        self.total_pages = total_pages
        self.core_fonts_encoding = "windows-1252"
        self.set_auto_page_break(False)
        self.set_margins(LEFT, 36.0, PAGE_WIDTH - RIGHT)

    def header(self) -> None:
        if self.page_no() == 1:
            return
        self.set_font("Times", "B", 9)
        self.put_text(self.report.symbol, 45.0, right_aligned=self.page_no() % 2 == 1)

    def footer(self) -> None:
        report = self.report
        if self.page_no() == 1:
            self.set_font("Times", "", 8)
            self.text(72.0, 730.0, report.job_line)
            self._barcode(72.0, 736.0)
            self.set_font("Courier", "", 8)
            self.text(80.0, 760.0, report.barcode_text)
            self.set_font("Helvetica", "", 6.5)
            self.put_text("Please recycle", 760.0, right_aligned=True)
            return
        self.set_font("Times", "", 8)
        odd = self.page_no() % 2 == 1
        self.put_text(f"{self.page_no()}/{self.total_pages or 0}", 752.0, right_aligned=odd)
        self.put_text(report.job_number, 752.0, right_aligned=not odd)

    def put_text(self, text: str, baseline: float, *, right_aligned: bool) -> None:
        x = RIGHT - self.get_string_width(text) if right_aligned else 72.0
        self.text(x, baseline, text)

    def _barcode(self, x: float, top: float) -> None:
        # Bars only: the digits decide the widths so each document's barcode differs.
        for digit in self.report.job_number.replace("-", ""):
            width = 0.6 + 0.5 * (int(digit) % 3)
            self.rect(x, top, width, 14.0, style="F")
            x += width + 0.8 + 0.3 * (int(digit) % 2)


class _Layout:
    """Places blocks on pages; tracks the baseline and the footnotes of the current page."""

    def __init__(self, report: SampleReport, total_pages: int | None) -> None:
        self.report = report
        self.pdf = _OdsPdf(report, total_pages)
        self.y = FIRST_BASELINE
        self.pending_notes: list[tuple[str, str]] = []
        self.notes_by_word = {n.word: n.text for n in report.footnotes}
        self.note_count = 0

    # pages -----------------------------------------------------------------------------------
    def first_page(self) -> None:
        pdf, report = self.pdf, self.report
        pdf.add_page()
        pdf.set_font("Helvetica", "", 9)
        pdf.text(72.0, 52.0, "United Nations")
        pdf.set_font("Helvetica", "B", 17)
        pdf.put_text(report.symbol, 54.0, right_aligned=True)
        pdf.set_font("Helvetica", "B", 20)
        pdf.text(72.0, 90.0, "Security Council")
        pdf.set_line_width(1.5)
        pdf.line(72.0, 100.0, RIGHT, 100.0)
        pdf.set_font("Times", "", 10)
        column = ["Distr.: General", format_date(report.distribution_date), ""]
        if report.original_language != "English":
            column.append("English")
        column.append(f"Original: {report.original_language}")
        baseline = 120.0
        for line in column:
            if line:
                pdf.text(400.0, baseline, line)
            baseline += LEADING
        self.y = baseline + 2 * LEADING

    def new_page(self) -> None:
        self._flush_footnotes()
        self.pdf.add_page()
        self.y = FIRST_BASELINE

    def bottom(self) -> float:
        notes = len(self.pending_notes)
        return LAST_BASELINE - (notes * FOOTNOTE_LEADING + 8.0 if notes else 0.0)

    def _flush_footnotes(self) -> None:
        if not self.pending_notes:
            return
        pdf = self.pdf
        baseline = LAST_BASELINE - (len(self.pending_notes) - 1) * FOOTNOTE_LEADING
        pdf.set_line_width(0.5)
        pdf.line(LEFT, baseline - 10.0, LEFT + 72.0, baseline - 10.0)
        for marker, text in self.pending_notes:
            pdf.set_font("Times", "", FOOTNOTE_SIZE)
            pdf.text(LEFT, baseline, _printable(f"{marker}  {text}"))
            baseline += FOOTNOTE_LEADING
        self.pending_notes = []

    def finish(self) -> None:
        self._flush_footnotes()

    # blocks ----------------------------------------------------------------------------------
    def place(self, block: Block) -> None:
        if block.kind == "part":
            self.new_page()
            self._lines([Token(block.text)], LEFT, LEFT, "B", 12.0, 14.0, gap_after=10.0)
        elif block.kind == "original":
            self.pdf.set_font("Times", "", BODY_SIZE)
            self.pdf.put_text(block.text, self.y, right_aligned=True)
            self.y += LEADING + 10.0
        elif block.kind in {"title", "report_title"}:
            right = RIGHT - 60.0 if block.kind == "title" else RIGHT
            self._lines(
                _tokens(block.text), LEFT, LEFT, "B", 11.0, 13.0, gap_after=12.0, right=right
            )
        elif block.kind == "heading":
            self.y += 6.0 if self.y > FIRST_BASELINE else 0.0  # air above, none at a page top
            self._keep_with_next(3)
            self._lines(_tokens(block.text), LEFT, LEFT, "B", BODY_SIZE, LEADING, gap_after=6.0)
        elif block.kind == "signature":
            self.y += LEADING
            self._lines(_tokens(block.text), 330.0, 330.0, "", BODY_SIZE, LEADING, gap_after=6.0)
        elif block.kind == "paragraph":
            self._lines(self._marked(block.text), LEFT + HANG, LEFT, "", BODY_SIZE, LEADING)
        else:
            self._numbered(block)

    def _numbered(self, block: Block) -> None:
        self._keep_with_next(2)
        self.pdf.set_font("Times", "", BODY_SIZE)
        self.pdf.text(LEFT, self.y, f"{block.number}.")
        text_left = LEFT + HANG
        self._lines(self._marked(block.text), text_left, text_left, "", BODY_SIZE, LEADING)

    def _keep_with_next(self, lines: int) -> None:
        if self.y + (lines - 1) * LEADING > self.bottom():
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
        gap_after: float = PARAGRAPH_GAP,
        right: float = RIGHT,
    ) -> None:
        pdf = self.pdf
        pdf.set_font("Times", style, size)
        lines = _wrap(pdf, tokens, right - first_left, right - left, self.report.hyphenate_words)
        for index, line in enumerate(lines):
            notes = [(t.marker, t.note) for t in line if t.marker and t.note]
            # A line with a marker must leave room for its note at the foot of the same page.
            room = len(notes) * FOOTNOTE_LEADING + (8.0 if notes and not self.pending_notes else 0)
            if self.y > self.bottom() - room:
                self.new_page()
                pdf.set_font("Times", style, size)
            x = first_left if index == 0 else left
            self._draw_line(line, x, style, size)
            self.pending_notes.extend(notes)  # type: ignore[arg-type]
            self.y += leading
        self.y += gap_after

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


def render_pdf(report: SampleReport) -> bytes:
    """The PDF bytes of ``report``; the same facts always give the same bytes."""
    return bytes(layout_pdf(report).output())


def layout_pdf(report: SampleReport) -> FPDF:
    """The laid-out document, before output (fixtures add encryption to it)."""
    # Two passes: the first only counts the pages that the "n/N" markers print.
    total_pages = _lay_out(report, None).pages_count
    return _lay_out(report, total_pages)


def _lay_out(report: SampleReport, total_pages: int | None) -> FPDF:
    layout = _Layout(report, total_pages)
    pdf = layout.pdf
    pdf.set_title(report.letter_title if "letter" in report.layers else report.title)
    pdf.set_author("United Nations")
    pdf.set_subject(report.symbol)
    pdf.set_producer("reportwatch samples")
    # A fixed creation date (the distribution date) keeps the bytes, and the file id, stable.
    created = dt.datetime.combine(report.distribution_date, dt.time(9, 0), tzinfo=dt.UTC)
    pdf.set_creation_date(created)
    layout.first_page()
    for block in compose(report):
        layout.place(block)
    layout.finish()
    return pdf


def _tokens(text: str) -> list[Token]:
    return [Token(word) for word in text.split()]


def _wrap(
    pdf: FPDF, tokens: list[Token], first_width: float, width: float, hyphenate: bool
) -> list[list[Token]]:
    """Greedy line breaking; breaks after a real hyphen, or hyphenates when asked."""
    space = pdf.get_string_width(" ")
    lines: list[list[Token]] = []
    line: list[Token] = []
    used = 0.0
    queue = list(tokens)
    while queue:
        token = queue.pop(0)
        available = (first_width if not lines else width) - used - (space if line else 0.0)
        needed = _width(pdf, token)
        split = None if needed <= available else _split(pdf, token, available, hyphenate)
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
    pdf: FPDF, token: Token, available: float, hyphenate: bool
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
    if not hyphenate or not (word.isalpha() and word.islower()) or len(word) < HYPHENATE_MIN:
        return None
    for index in range(len(word) - MIN_HYPHEN_PART, MIN_HYPHEN_PART - 1, -1):
        head = text[:index] + "-"
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
