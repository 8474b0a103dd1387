"""Page furniture and footnotes: what is printed on a page but is not its running text.

Furniture is found by pattern *and* position: only lines in a run at the top or the bottom edge
of a page can be furniture, and only when every part of them is furniture-shaped (a symbol, a
page marker ``2/13``, a page number, the job number ``25-08272`` or job line
``12-27711*** (E) 170412``, barcode text, "Please recycle", the 1990s "Page 3", "English" and
"/...") or recurs at the same place on other pages of the same document (the bands are learned
per document, never fixed). The same strings inside a paragraph are text.

Footnotes are printed at the foot of a page, under a short rule (a drawn line, or a line of
underscores), in smaller type: they are kept apart, one :class:`Footnote` per marker, never
inside a paragraph. A reissue note ("* Reissued for technical reasons on 15 April 2014") sits
in the same place; it is recorded as the document's reissue and removed.
"""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass, field

from tasks.read.masthead import SYMBOL_PATTERN
from tasks.read.pdf_lines import Line

EDGE_LINES = 4  # how many lines at each edge of a page may be furniture
FOOTNOTE_RATIO = 0.92  # footnote type is smaller than this share of the body size
RULE_MAX_SHARE = 0.5  # a footnote rule is shorter than this share of the text width
RECUR_TOLERANCE = 6.0  # points: a recurring line is printed at the same height on other pages

_TOKEN = (
    rf"(?:{SYMBOL_PATTERN})\**"
    r"|\d{1,4}\s*/\s*\d{1,4}"  # page marker 2/13
    r"|\d{1,4}"  # page number
    r"|\d{2}-\d{5}\**"  # job number, with reissue asterisks
    r"|\([A-Z]\)"  # the language of the job line
    r"|\d{6}"  # the processing date of the job line
    r"|\*\d{6,9}\*"  # barcode text
    r"|Please|recycle"
    r"|Page"
    r"|English|French|Spanish|Russian|Arabic|Chinese|ENGLISH|FRENCH|SPANISH"
    r"|/\.\.\.|\.\.\./"  # continued on the next page (1990s)
)
FURNITURE = re.compile(rf"^(?:{_TOKEN})(?:\s+(?:{_TOKEN}))*$")
REISSUE_NOTE = re.compile(r"^\*+\s*(.*\b(?:[Rr]eissued?|REISSUED?)\b.*?)\.?$")
PAGE_OF = re.compile(r"^(\d{1,4})/\d{1,4}$")
RULE_TEXT = re.compile(r"^[_\u2014\u2013-]{5,}$")
MARKER_START = re.compile(r"^(\d{1,3}|\*{1,4}|[†‡§])(?=\s|[A-Z(])")


@dataclass
class Footnote:
    page: int
    top: float
    marker: str
    lines: list[Line] = field(default_factory=list)


@dataclass
class PageParts:
    """One page split into its running text, its footnotes and what was removed."""

    body: list[Line] = field(default_factory=list)
    footnotes: list[Footnote] = field(default_factory=list)
    furniture: list[Line] = field(default_factory=list)


@dataclass
class Furniture:
    pages: list[PageParts]
    reissue_note: str | None = None


def _key(text: str) -> str:
    return " ".join(re.sub(r"\d", "#", text.lower()).split())


def _recurring(pages: list[list[Line]]) -> set[tuple[str, int]]:
    """(masked text, rounded baseline) of edge lines printed on two pages or more."""
    seen: dict[tuple[str, int], set[int]] = defaultdict(set)
    for number, lines in enumerate(pages, start=1):
        for line in lines[:EDGE_LINES] + lines[-EDGE_LINES:]:
            for segment in line.segments:
                for slot in (-1, 0, 1):
                    place = round(line.baseline / RECUR_TOLERANCE) + slot
                    seen[(_key(segment.text), place)].add(number)
    return {key for key, where in seen.items() if len(where) >= 2}


def split_pages(
    pages: list[list[Line]],
    body_size: float,
    rules: list[list[tuple[float, float, float]]],
    text_width: float,
) -> Furniture:
    """Split every page's lines (masthead already removed) into body, footnotes and furniture.

    ``rules`` holds, per page, the horizontal rules drawn on it as (x0, x1, top).
    """
    recurring = _recurring(pages)
    result = Furniture(pages=[])

    def furniture_shaped(line: Line) -> bool:
        if line.barcode:
            return True
        for segment in line.segments:
            if FURNITURE.match(segment.text) and _numbers_fit(segment.text, line.page):
                continue
            place = round(line.baseline / RECUR_TOLERANCE)
            if (_key(segment.text), place) in recurring and len(segment.text) < 60:
                continue
            return False
        return True

    for index, lines in enumerate(pages):
        parts = PageParts()
        start, end = 0, len(lines)
        while start < end and start < EDGE_LINES and furniture_shaped(lines[start]):
            start += 1
        tail = 0
        while end > start and tail < EDGE_LINES:
            line = lines[end - 1]
            note = REISSUE_NOTE.match(line.text)
            if note and line.size < FOOTNOTE_RATIO * body_size:
                result.reissue_note = result.reissue_note or note.group(1).strip()
            elif not furniture_shaped(line):
                break
            end -= 1
            tail += 1
        parts.furniture = lines[:start] + lines[end:]
        body = lines[start:end]
        body, notes, note_text = _footnotes(body, body_size, rules[index], text_width)
        if note_text:
            result.reissue_note = result.reissue_note or note_text
        parts.body, parts.footnotes = body, notes
        result.pages.append(parts)
    return result


def _numbers_fit(text: str, page: int) -> bool:
    """A bare number or "n/N" in furniture is the page's own number, never any figure."""
    for token in text.split():
        if token.isdigit() and len(token) <= 4 and int(token) != page:
            return False
        if (marker := PAGE_OF.match(token)) and int(marker.group(1)) != page:
            return False
    return True


def _footnotes(
    lines: list[Line],
    body_size: float,
    rules: list[tuple[float, float, float]],
    text_width: float,
) -> tuple[list[Line], list[Footnote], str | None]:
    """Separate the footnotes at the foot of a page from its body lines."""
    if not lines:
        return lines, [], None
    small = [line.size < FOOTNOTE_RATIO * body_size for line in lines]
    cut = _under_typed_rule(lines, small, text_width)
    if cut is None:
        cut = _under_drawn_rule(lines, small, rules, text_width)
    if cut is None:
        # No rule: trailing small print that opens with a marker.
        index = len(lines)
        while index > 0 and small[index - 1]:
            index -= 1
        if 0 < index < len(lines) and _opens_note(lines[index]):
            cut = index
    if cut is None:
        return lines, [], None
    body = lines[:cut]
    notes: list[Footnote] = []
    reissue: str | None = None
    for line in lines[cut:]:
        if RULE_TEXT.match(line.text):
            continue
        if note := REISSUE_NOTE.match(line.text):
            reissue = reissue or note.group(1).strip()
            continue
        if _opens_note(line) or not notes:
            marker = MARKER_START.match(line.text)
            notes.append(Footnote(line.page, line.top, marker.group(1) if marker else ""))
        notes[-1].lines.append(line)
    return body, notes, reissue


def _under_typed_rule(lines: list[Line], small: list[bool], text_width: float) -> int | None:
    """Index of a short line of underscores with only small print under it."""
    for index, line in enumerate(lines):
        short = (line.x1 - line.x0) < RULE_MAX_SHARE * text_width
        if RULE_TEXT.match(line.text) and short and all(small[index + 1 :]):
            return index
    return None


def _under_drawn_rule(
    lines: list[Line],
    small: list[bool],
    rules: list[tuple[float, float, float]],
    text_width: float,
) -> int | None:
    """Index of the first line under a short drawn rule, when all under it is small print."""
    for x0, x1, top in rules:
        if (x1 - x0) >= RULE_MAX_SHARE * text_width:
            continue
        first = next((i for i, line in enumerate(lines) if line.top > top), None)
        if first is not None and all(small[first:]):
            return first
    return None


def _opens_note(line: Line) -> bool:
    if line.marks and line.marks[0][0] == 0:
        return True
    return bool(MARKER_START.match(line.text))
