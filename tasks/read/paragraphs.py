"""Body lines → paragraphs with their number, section, part, page and position.

The rules follow the geometry of real ODS pages (see ``../shared/realpdf/``), measured against
the page's own line pitch and type size rather than fixed distances:

* a numbered paragraph opens with ``12.`` at the text margin followed by a tab stop; its
  continuation lines return to the same margin (older layouts hang them under the text: both
  are read);
* paragraphs are told apart by a vertical gap wider than the line pitch (18 pt against a 12 pt
  pitch at 10 pt type), by their number, or by a first-line indent;
* a heading is a bold or larger line that is not numbered and not a table's row (consecutive
  heading lines make one heading): it becomes the section of the paragraphs under it. ``Letter dated ...`` blocks are
  document titles, not sections; ``Annex`` and ``Enclosure`` (alone, or "Annex to the letter
  dated ...") switch the part and restart the numbering; ``[Original: English]`` is dropped;
* a paragraph continues across a page break unless the new page starts a new one;
* a word hyphenated at a line end is rejoined as the document spells it elsewhere: a soft
  hyphen (U+00AD) always goes, a hard one stays when the two halves are words of their own
  (``non-NATO``, ``weapons-bearers``, ``Secretary-General``).

Superscript footnote markers stay in the text as printed ("2025.1"); their spans are kept in
:attr:`~reportwatch.models.Paragraph.marks` so facts can skip them.
"""

from __future__ import annotations

import itertools
import re
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field

from reportwatch.models import Paragraph
from tasks.read.furniture import Footnote
from tasks.read.pdf_lines import Line
from tasks.read.tables import row_shaped

PART_MARKER = re.compile(r"^(Annex|Enclosure|ANNEX|ENCLOSURE)\b(?:\s+[IVXLC\d]+\.?$|\s+to\b|$)")
ORIGINAL_MARKER = re.compile(r"^\[Original:\s*[A-Za-z]+\]$", re.IGNORECASE)
SIGNED = re.compile(r"^\(Signed\)")
LETTER_TITLE = re.compile(
    r"^(Letter|Identical letters|Note verbale|Note)\b.*\bdated\b", re.IGNORECASE
)
SECTION_NUMBER = re.compile(r"^(?:[IVXLC]+|[A-Z]|\d{1,2})\.\s")
GAP_RATIO = 1.3  # a baseline further than this many line pitches below the last starts anew
INDENT_RATIO = 0.8  # a shift of more than this many font sizes is an indent
HEADING_SIZE_RATIO = 1.12  # a line this much larger than the body text is a heading
MAX_HEADING_LINES = 5
# Prefixes that form real compounds in UN English: "non-" + "governmental" stays hyphenated.
COMPOUND_PREFIXES = frozenset(
    {"non", "third", "troop", "self", "cross", "well", "anti", "post", "long", "short", "ex"}
    | {"co", "re", "pre", "multi", "inter", "intra", "sub", "semi", "mid", "full", "high"}
)
LINE_END_HYPHENS = ("-", "\u00ad", "\u2010", "\u2011")
HYPHEN_HEAD = re.compile(r"([A-Za-z0-9]+)[-\u00ad\u2010\u2011]$")
WORD_HEAD = re.compile(r"^([A-Za-z]+)")
PUNCTUATION = ".,;:()[]\"'“”‘’!?"


@dataclass
class Heading:
    page: int
    top: float
    text: str
    size: float = 0.0
    bold: bool = False
    italic: bool = False
    part: str = "body"  # the part it belongs to (an "Annex" heading opens the annex)


@dataclass
class Metrics:
    """The geometry of a document's running text, measured on its own pages."""

    body_size: float
    pitch: float  # the most common distance between baselines of running text
    margin: float  # the most common left edge of running text
    right: float  # the most common right edge of running text


@dataclass
class _Draft:
    number: int | None
    section: str | None
    part: str
    page: int
    top: float
    lines: list[Line] = field(default_factory=list)
    kind: str = "paragraph"


@dataclass
class Layout:
    paragraphs: list[Paragraph]
    headings: list[Heading]  # every heading block, titles included, in reading order
    title: str | None = None


def measure(lines: list[Line]) -> Metrics:
    """Body size, line pitch and margins of the running text in ``lines``."""
    sizes: Counter[float] = Counter()
    for line in lines:
        sizes[line.size] += len(line.text)
    body_size = sizes.most_common(1)[0][0] if sizes else 10.0
    body = [x for x in lines if abs(x.size - body_size) < 0.6 and not x.bold]
    steps: Counter[float] = Counter()
    for prev, line in itertools.pairwise(body):
        step = line.baseline - prev.baseline
        if prev.page == line.page and 0.9 * body_size <= step <= 2.5 * body_size:
            steps[round(step * 2) / 2] += 1
    pitch = steps.most_common(1)[0][0] if steps else 1.2 * body_size
    lefts = Counter(round(x.x0) for x in body)
    rights = Counter(round(x.x1) for x in body)
    margin = float(lefts.most_common(1)[0][0]) if lefts else 72.0
    right = float(rights.most_common(1)[0][0]) if rights else 540.0
    return Metrics(body_size, pitch, margin, right)


def build_paragraphs(
    pages: list[list[Line]], footnotes: list[Footnote], metrics: Metrics
) -> Layout:
    """Paragraphs, headings and title of the body lines of every page (furniture removed)."""
    body = [line for page in pages for line in page]
    builder = _Builder(metrics, vocabulary(body))
    for line in body:
        builder.feed(line)
    builder.close_heading()
    builder.close_paragraph()
    paragraphs = builder.paragraphs
    for note in footnotes:
        joined = join_lines(note.lines, builder.words)
        if not joined.text:
            continue
        at = next((i for i, p in enumerate(paragraphs) if p.page > note.page), len(paragraphs))
        section = paragraphs[at - 1].section if at else None
        part = paragraphs[at - 1].part if at else "body"
        # A page of headings and a table only (an annex): the note belongs under its heading.
        last = paragraphs[at - 1] if at else None
        heading = next(
            (h for h in reversed(builder.headings) if (h.page, h.top) < (note.page, note.top)),
            None,
        )
        if heading is not None and (
            last is None or (heading.page, heading.top) > (last.page, last.top or 0.0)
        ):
            part = heading.part
            section = None if PART_MARKER.match(heading.text) else heading.text
        paragraphs.insert(
            at,
            Paragraph(
                number=None,
                section=section,
                part=part,
                page=note.page,
                top=round(note.top, 2),
                text=joined.text,
                kind="footnote",
                marks=joined.marks,
                breaks=joined.breaks,
            ),
        )
    return Layout(paragraphs, builder.headings, builder.title())


class _Builder:
    def __init__(self, metrics: Metrics, words: set[str]) -> None:
        self.m = metrics
        self.words = words
        self.paragraphs: list[Paragraph] = []
        self.headings: list[Heading] = []
        self.title_blocks: list[Heading] = []
        self.title_done = False
        self.part = "body"
        self.section: str | None = None
        self.expected = 1
        self.current: _Draft | None = None
        self.prev: Line | None = None
        self.heading_lines: list[Line] = []

    def feed(self, line: Line) -> None:
        prev, self.prev = self.prev, line
        new_page = prev is None or prev.page != line.page
        gap = not new_page and prev is not None and self._gap(prev, line)
        if ORIGINAL_MARKER.match(line.text):
            self.close_heading()
            self.close_paragraph()
            return
        if self._heading_line(line):
            self.close_paragraph()
            if self.heading_lines and not self._continues_heading(line):
                self.close_heading()
            self.heading_lines.append(line)
            return
        self.close_heading()
        if self._numbered(line, new_page or gap):
            self.close_paragraph()
            assert line.number is not None
            self.expected = line.number + 1
            self._open(line, line.number)
            return
        if SIGNED.match(line.text):
            self.close_paragraph()
            self._open(line, None)
            self.close_paragraph()  # a signature stands alone
            return
        if self.current is not None and prev is not None and self._continues(line, prev, gap):
            self.current.lines.append(line)
            return
        self.close_paragraph()
        self._open(line, None)

    # decisions -------------------------------------------------------------------------------
    def _gap(self, prev: Line, line: Line) -> bool:
        step = line.baseline - prev.baseline
        return step > GAP_RATIO * max(self.m.pitch, 1.1 * line.size)

    def _heading_line(self, line: Line) -> bool:
        if line.number is not None and self._numbered(line, True):
            return False
        if SIGNED.match(line.text):
            return False
        if line.size < HEADING_SIZE_RATIO * self.m.body_size and not line.bold:
            return False
        # A bold row of a table ("Total  203  27  5  235"), when the table was not read into
        # cells: text, never a heading that would leave it out of every paragraph.
        return not row_shaped(line)

    def _numbered(self, line: Line, opens_block: bool) -> bool:
        if line.number is None:
            return False
        tab = line.number_gap >= 0.6 * line.size
        if line.number == self.expected:
            return tab or opens_block
        # Out of sequence: accept only a real tab stop after the number, not "20. The" wrapped.
        return tab and opens_block and 0 < line.number <= self.expected + 10

    def _continues(self, line: Line, prev: Line, gap: bool) -> bool:
        assert self.current is not None
        first = self.current.lines[0]
        if abs(line.size - first.size) > 0.15 * first.size:
            return False
        if prev.page != line.page:
            if line.x0 > self._continuation_x0() + INDENT_RATIO * line.size:
                return False  # a first-line indent or an indented block opens the new page
            ended = prev.text.rstrip().endswith((".", ":", ";", "!", "?"))
            return self.current.number is not None or not ended
        if gap:
            return False
        indent = line.x0 - prev.x0
        short = prev.x1 < self.m.right - 2 * prev.size
        # A first-line indent after a short last line opens a new paragraph.
        return not (indent > INDENT_RATIO * line.size and short and len(self.current.lines) > 1)

    def _continuation_x0(self) -> float:
        assert self.current is not None
        lines = self.current.lines
        if len(lines) > 1:
            return min(x.x0 for x in lines[1:])
        return lines[0].text_x0 if self.current.number is not None else self.m.margin

    def _continues_heading(self, line: Line) -> bool:
        last = self.heading_lines[-1]
        if last.page != line.page or len(self.heading_lines) >= MAX_HEADING_LINES:
            return False
        if abs(last.size - line.size) > 0.5 or last.bold != line.bold:
            return False
        return line.baseline - last.baseline <= 1.45 * line.size

    # drafts ----------------------------------------------------------------------------------
    def _open(self, line: Line, number: int | None) -> None:
        self.current = _Draft(number, self.section, self.part, line.page, round(line.top, 2))
        self.current.lines.append(line)
        self.title_done = True

    def close_paragraph(self) -> None:
        draft, self.current = self.current, None
        if draft is None:
            return
        joined = join_lines(draft.lines, self.words, numbered=draft.number is not None)
        if joined.text:
            self.paragraphs.append(
                Paragraph(
                    number=draft.number,
                    section=draft.section,
                    part=draft.part,
                    page=draft.page,
                    top=draft.top,
                    text=joined.text,
                    marks=joined.marks,
                    breaks=joined.breaks,
                )
            )

    def close_heading(self) -> None:
        if not self.heading_lines:
            return
        lines, self.heading_lines = self.heading_lines, []
        first = lines[0]
        text = join_lines(lines, self.words).text
        heading = Heading(first.page, first.top, text, first.size, first.bold, first.italic)
        self.headings.append(heading)
        self._title_candidate(heading)
        if PART_MARKER.match(text):
            self.part = text.split()[0].lower()
            self.section, self.expected = None, 1
        elif LETTER_TITLE.match(text):
            # A letter's title is not a section; before any paragraph it opens the letter.
            if self.part == "body" and not self.paragraphs:
                self.part = "letter"
            self.section = None
        else:
            self.section = text
        heading.part = self.part

    def _title_candidate(self, heading: Heading) -> None:
        if self.title_done:
            return
        is_title = (
            heading.page == 1
            and (heading.bold or heading.text.isupper())
            and not heading.italic
            and not SECTION_NUMBER.match(heading.text)
            and not PART_MARKER.match(heading.text)
        )
        if is_title:
            self.title_blocks.append(heading)
        else:
            self.title_done = True

    def title(self) -> str | None:
        """The title blocks printed under the masthead, before any section or paragraph."""
        return " ".join(h.text for h in self.title_blocks) or None


def vocabulary(lines: Iterable[Line]) -> set[str]:
    """Lower-cased words of the document, hyphenated compounds kept whole.

    Words cut by a hyphen at a line end, and the line starts that complete them, are left out:
    they are what the vocabulary has to decide.
    """
    words: set[str] = set()
    after_hyphen = False
    for line in lines:
        tokens = line.text.split()
        if after_hyphen and tokens:
            tokens = tokens[1:]
        after_hyphen = line.text.endswith(LINE_END_HYPHENS)
        if after_hyphen and tokens:
            tokens = tokens[:-1]
        for token in tokens:
            word = token.strip(PUNCTUATION).replace("\u00ad", "").lower()
            if word:
                words.add(word)
    return words


@dataclass
class Joined:
    text: str
    marks: list[tuple[int, int]]  # superscript spans
    breaks: list[int]  # where each printed line after the first starts


def join_lines(lines: list[Line], words: set[str], *, numbered: bool = False) -> Joined:
    """A paragraph's text from its lines, with its superscript spans and line breaks.

    Lines are joined with one space; a word hyphenated at a line end is rejoined (see
    :func:`keep_hyphen`); the paragraph number ("12.") of a numbered paragraph is left out.
    """
    text = ""
    marks: list[tuple[int, int]] = []
    breaks: list[int] = []
    for index, line in enumerate(lines):
        piece, offset = line.text, 0
        if index == 0 and numbered and line.number is not None:
            head = f"{line.number}."
            offset = len(piece) - len(piece[len(head) :].lstrip())
            piece = piece[offset:]
        if not piece:
            continue
        if text:
            head_match = HYPHEN_HEAD.search(text[-64:]) if text.endswith(LINE_END_HYPHENS) else None
            if head_match:
                soft = text.endswith("\u00ad")
                keep = not soft and keep_hyphen(head_match.group(1), piece, words)
                text = text[:-1] + ("-" if keep else "")
            else:
                text += " "
            breaks.append(len(text))
        base = len(text) - offset
        marks.extend((start + base, end + base) for start, end in line.marks if start >= offset)
        text += piece
    return Joined(text, marks, breaks)


def keep_hyphen(head: str, following: str, words: set[str]) -> bool:
    """Whether ``head-`` at a line end and the next line's first word form a real compound.

    The document decides first (the word as it is spelt elsewhere in it); failing that, a
    hyphen stays when either half is a word of its own elsewhere, the second is capitalised, or
    the first is a prefix that forms compounds; otherwise the word was broken by hyphenation.
    (ODS documents are set without hyphenation: a hard hyphen at a line end is nearly always
    a compound's, so the doubt goes to keeping it.)
    """
    tail_match = WORD_HEAD.match(following)
    if not tail_match:
        return True  # "2019-" + "2020", or a dash before a bracket
    tail = tail_match.group(1)
    joined, compound = (head + tail).lower(), f"{head}-{tail}".lower()
    if joined in words and compound not in words:
        return False
    if compound in words:
        return True
    if tail[0].isupper() or head.lower() in COMPOUND_PREFIXES or not head.isalpha():
        return True
    return head.lower() in words or tail.lower() in words
