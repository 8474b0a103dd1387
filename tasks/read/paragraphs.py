"""Body lines → paragraphs with their number, section, part, page and position.

The rules follow how ODS prints Security Council documents:

* a numbered paragraph starts with ``12.`` followed by a tab stop (hanging indent), or with
  the next number in sequence;
* an unnumbered paragraph starts after a vertical gap wider than the line spacing, or with a
  first-line indent, or after a heading;
* a heading is a bold line (consecutive bold lines make one heading); ``Letter dated ...``
  blocks are document titles, not sections;
* ``Annex`` and ``Enclosure`` alone on a line switch the part; ``[Original: English]`` under
  them is dropped;
* a paragraph continues across a page break unless the new page starts a new one;
* a word hyphenated at the end of a line is rejoined (``secu-`` + ``rity``) unless the hyphen
  is real (``non-NATO``, ``troop-contributing``), judged by the words of the document itself.
"""

from __future__ import annotations

import itertools
import re
from collections import Counter
from dataclasses import dataclass, field

from reportwatch.models import Paragraph
from tasks.read.pdf_lines import Line

PART_MARKER = re.compile(r"^(Annex|Enclosure)(?:\s+[IVXLC\d]+)?\.?$")
ORIGINAL_MARKER = re.compile(r"^\[Original:\s*[A-Za-z]+\]$")
SIGNED = re.compile(r"^\(Signed\)")
LETTER_TITLE = re.compile(r"^(Letter|Identical letters|Note verbale|Note)\b.*\bdated\b")
GAP_RATIO = 1.35  # a line further than this many line spacings below the last starts anew
INDENT_RATIO = 0.8  # a shift of more than this many font sizes is an indent
# Prefixes that form real compounds in UN English: "non-" + "governmental" stays hyphenated.
COMPOUND_PREFIXES = frozenset(
    {"non", "third", "troop", "self", "cross", "well", "anti", "post", "long", "short", "ex"}
)
HYPHEN_HEAD = re.compile(r"([A-Za-z0-9]+)-$")
WORD_HEAD = re.compile(r"^([A-Za-z]+)")
PUNCTUATION = ".,;:()[]\"'“”‘’!?"


@dataclass
class Heading:
    page: int
    top: float
    text: str


@dataclass
class _Draft:
    number: int | None
    section: str | None
    part: str
    page: int
    top: float
    lines: list[str] = field(default_factory=list)


@dataclass
class Layout:
    paragraphs: list[Paragraph]
    headings: list[Heading]  # every bold block, titles included, in reading order


def build_paragraphs(lines: list[Line]) -> Layout:
    """Paragraphs and headings of the body ``lines`` (furniture already removed)."""
    body = [line for line in lines if not line.small]
    builder = _Builder(typical_leading(body), vocabulary(body))
    for line in body:
        builder.feed(line)
    builder.close_heading()
    builder.close_paragraph()
    return Layout(builder.paragraphs, builder.headings)


class _Builder:
    def __init__(self, leading: float, words: set[str]) -> None:
        self.leading = leading
        self.words = words
        self.paragraphs: list[Paragraph] = []
        self.headings: list[Heading] = []
        self.part = "body"
        self.section: str | None = None
        self.expected = 1
        self.current: _Draft | None = None
        self.current_first: Line | None = None
        self.prev: Line | None = None
        self.heading_lines: list[Line] = []

    def feed(self, line: Line) -> None:
        prev, self.prev = self.prev, line
        new_page = prev is None or prev.page != line.page
        if PART_MARKER.match(line.text) and (line.bold or new_page):
            self.close_heading()
            self.close_paragraph()
            self.part = line.text.split()[0].lower()
            self.section, self.expected = None, 1
            return
        if ORIGINAL_MARKER.match(line.text):
            self.close_paragraph()
            return
        if line.bold and not self._numbered(line) and not SIGNED.match(line.text):
            self.close_paragraph()
            if self.heading_lines and not self._continues_heading(line):
                self.close_heading()
            self.heading_lines.append(line)
            return
        self.close_heading()
        if self._numbered(line):
            self.close_paragraph()
            assert line.number is not None
            self.expected = line.number + 1
            text = line.text[len(f"{line.number}.") :].strip()
            self._open(line, line.number, text)
            return
        if SIGNED.match(line.text):
            self.close_paragraph()
            self._open(line, None, line.text)
            self.close_paragraph()  # a signature stands alone
            return
        if self.current is not None and prev is not None and self._continues(line, prev, new_page):
            self.current.lines.append(line.text)
            return
        self.close_paragraph()
        self._open(line, None, line.text)

    # decisions -------------------------------------------------------------------------------
    def _numbered(self, line: Line) -> bool:
        if line.number is None:
            return False
        if line.number == self.expected:
            return True
        # Out of sequence: accept only a real tab stop after the number, not "2019. The" wrapped.
        return line.number_gap >= 0.5 * line.size and 0 < line.number <= self.expected + 10

    def _continues(self, line: Line, prev: Line, new_page: bool) -> bool:
        assert self.current is not None and self.current_first is not None
        indent = line.x0 - prev.text_x0
        if indent > INDENT_RATIO * line.size:
            return False  # first-line indent, or something placed apart (a signature)
        if new_page:
            ended = self.current.lines[-1].rstrip().endswith((".", ":", ";", "!", "?"))
            return self.current.number is not None or not ended
        if line.top - prev.top > GAP_RATIO * self.leading:
            return False
        first_of_unnumbered = prev is self.current_first and self.current.number is None
        return indent >= -INDENT_RATIO * line.size or first_of_unnumbered

    def _continues_heading(self, line: Line) -> bool:
        last = self.heading_lines[-1]
        return last.page == line.page and line.top - last.bottom <= 0.6 * line.size

    # drafts ----------------------------------------------------------------------------------
    def _open(self, line: Line, number: int | None, text: str) -> None:
        self.current = _Draft(number, self.section, self.part, line.page, round(line.top, 2))
        self.current.lines.append(text)
        self.current_first = line

    def close_paragraph(self) -> None:
        draft, self.current, self.current_first = self.current, None, None
        if draft is None:
            return
        text = join_lines(draft.lines, self.words)
        if text:
            self.paragraphs.append(
                Paragraph(
                    number=draft.number,
                    section=draft.section,
                    part=draft.part,
                    page=draft.page,
                    top=draft.top,
                    text=text,
                )
            )

    def close_heading(self) -> None:
        if not self.heading_lines:
            return
        first = self.heading_lines[0]
        text = join_lines([line.text for line in self.heading_lines], self.words)
        self.heading_lines = []
        self.headings.append(Heading(first.page, first.top, text))
        if LETTER_TITLE.match(text):
            # A letter's title is not a section; before any paragraph it opens the letter.
            if self.part == "body" and not self.paragraphs:
                self.part = "letter"
            self.section = None
        else:
            self.section = text


def typical_leading(lines: list[Line]) -> float:
    """The most common distance between consecutive lines of running text."""
    steps: Counter[float] = Counter()
    for prev, line in itertools.pairwise(lines):
        if prev.page == line.page and not line.bold:
            step = line.top - prev.top
            if 0.8 * line.size <= step <= 2.5 * line.size:
                steps[round(step * 2) / 2] += 1
    if not steps:
        return 1.2 * (lines[0].size if lines else 10.0)
    return steps.most_common(1)[0][0]


def vocabulary(lines: list[Line]) -> set[str]:
    """Lower-cased words of the document, hyphenated compounds kept whole."""
    words: set[str] = set()
    for line in lines:
        for token in line.text.split():
            word = token.strip(PUNCTUATION).lower()
            if word and not word.endswith("-"):
                words.add(word)
    return words


def join_lines(lines: list[str], words: set[str]) -> str:
    """Join a paragraph's lines with spaces, rejoining words hyphenated at a line end."""
    pieces: list[str] = []
    for raw in lines:
        line = raw.strip()
        # Only the tail of the previous piece matters: keep the search bounded.
        head = HYPHEN_HEAD.search(pieces[-1][-64:]) if pieces and pieces[-1].endswith("-") else None
        if head:
            hyphen = "-" if keep_hyphen(head.group(1), line, words) else ""
            pieces[-1] = pieces[-1][:-1] + hyphen + line
        else:
            pieces.append(line)
    return " ".join(" ".join(pieces).replace("\u00ad", "").split())


def keep_hyphen(head: str, following: str, words: set[str]) -> bool:
    """Whether ``head-`` at a line end and the next line's first word form a real compound."""
    tail_match = WORD_HEAD.match(following)
    if not tail_match:
        return True  # "2019-" + "2020", or a dash before a bracket
    tail = tail_match.group(1)
    joined, compound = (head + tail).lower(), f"{head}-{tail}".lower()
    if joined in words and compound not in words:
        return False
    if compound in words and joined not in words:
        return True
    return tail[0].isupper() or head.lower() in COMPOUND_PREFIXES
