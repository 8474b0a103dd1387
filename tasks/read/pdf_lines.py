"""Characters of one page → printed lines, with the geometry later steps need.

Lines are built on the *baseline*, not on the top of the glyphs: ODS prints the big "S" (or "A"
and "S" of a joint document) on the same baseline as the rest of the symbol, twice as tall, so
"S" and "/2013/220" come back as one line "S/2013/220". Superscripts (footnote markers such as
the "1" in "2025.1") ride higher and in smaller type: they join the line they overlap and are
kept in its text as printed, their spans recorded in :attr:`Line.marks` so that facts can skip
them. A wide gap splits a line into :class:`Segment`\\ s (``2/13`` and ``25-08272`` printed on one
baseline at opposite sides are two segments).
"""

from __future__ import annotations

import re
from bisect import bisect_left, bisect_right
from collections import Counter
from dataclasses import dataclass, field

from tasks.read.chars import Char, dedupe

SPACE_RATIO = 0.15  # a gap wider than this share of the font size is a space between words
COLUMN_RATIO = 2.5  # a gap wider than this many font sizes separates two segments
BASELINE_RATIO = 0.25  # glyphs whose baselines differ by less than this share of size: one line
SCRIPT_RATIO = 0.8  # a cluster this much smaller than the line it overlaps is a super/subscript
MARKER_CHARS = 4  # a footnote marker is at most this many characters ("12", "a", "***")
MARKER_REACH = 0.6  # ... printed within this many of its line's type sizes of one of its glyphs
RISE_RATIO = 0.15  # a marker sits at least this share of its own size above the baseline
NUMBER_WORD = re.compile(r"^(\d{1,3})\.$")
BOLD_FONT = re.compile(r"bold|black|heavy|semibold|demi", re.IGNORECASE)
ITALIC_FONT = re.compile(r"italic|oblique", re.IGNORECASE)
BARCODE_FONT = re.compile(r"barcode|code39|code128|3of9|3 of 9", re.IGNORECASE)


@dataclass(slots=True)
class Segment:
    x0: float
    x1: float
    text: str
    size: float = 0.0
    font: str = ""


@dataclass(slots=True)
class Line:
    """One printed line of a page (distances in points from the page's top-left corner)."""

    page: int
    top: float
    bottom: float
    baseline: float
    x0: float
    x1: float
    text: str
    size: float  # the size most of its letters are printed in (superscripts not counted)
    bold: bool
    italic: bool = False
    font: str = ""
    segments: list[Segment] = field(default_factory=list)
    marks: list[tuple[int, int]] = field(default_factory=list)  # superscript spans in text
    chars: list[Char] = field(default_factory=list)
    number: int | None = None  # the printed "12." a line starts with, if any
    number_gap: float = 0.0  # space between that number and the text after it
    text_x0: float = 0.0  # where the text starts (after the number of a numbered paragraph)

    @property
    def barcode(self) -> bool:
        return bool(BARCODE_FONT.search(self.font))


def chars_to_lines(chars: list[Char], page: int) -> list[Line]:
    """Group one page's characters (upright, duplicates removed) into lines, top-down."""
    # Plain spaces only separate words; a no-break or thin space is printed text ("4 500")
    # and stays in the line for normalization to read.
    visible = [c for c in chars if not _plain_space(c.text)]
    if not visible or all(c.text.isspace() for c in visible):
        return []
    clusters = _baseline_clusters(visible)
    clusters = _attach_scripts(clusters)
    spaces = sorted((c for c in chars if _plain_space(c.text)), key=lambda c: c.baseline)
    baselines = [s.baseline for s in spaces]
    lines = [_line(c, page, _spaces_for(c, spaces, baselines)) for c in clusters]
    return [line for line in lines if line.text]


def _plain_space(text: str) -> bool:
    return text.isspace() and text.isascii()


def _baseline_clusters(chars: list[Char]) -> list[list[Char]]:
    ordered = sorted(chars, key=lambda c: c.baseline)
    clusters: list[list[Char]] = [[ordered[0]]]
    for char in ordered[1:]:
        last = clusters[-1][-1]
        if char.baseline - last.baseline <= BASELINE_RATIO * min(char.size, last.size):
            clusters[-1].append(char)
        else:
            clusters.append([char])
    return clusters


def _size(cluster: list[Char]) -> float:
    return Counter(round(c.size, 1) for c in cluster).most_common(1)[0][0]


def _attach_scripts(clusters: list[list[Char]]) -> list[list[Char]]:
    """Merge superscript/subscript clusters into the line whose box they overlap.

    Only a cluster shaped as markers joins a line: every run of its glyphs short (a footnote
    number or letter, "1", "12", "a", "***") and printed against a glyph of that line. Text in
    smaller type that merely overlaps a larger line (the masthead's date column beside a 28 pt
    "Security Council") stays a line of its own, whatever the sizes.
    """
    sizes = [_size(c) for c in clusters]
    tops = [min(c.top for c in cluster) for cluster in clusters]
    bottoms = [max(c.bottom for c in cluster) for cluster in clusters]
    merged_into: dict[int, int] = {}
    for index in range(len(clusters)):
        size, top, bottom = sizes[index], tops[index], bottoms[index]
        for other in (index - 1, index + 1):
            if not 0 <= other < len(clusters) or other in merged_into:
                continue
            if size >= SCRIPT_RATIO * sizes[other]:
                continue
            overlap = min(bottom, bottoms[other]) - max(top, tops[other])
            if overlap > 0.3 * (bottom - top) and _marker_shaped(
                clusters[index], clusters[other], sizes[other]
            ):
                merged_into[index] = other
                break
    if not merged_into:
        return clusters
    homes = {i: list(c) for i, c in enumerate(clusters) if i not in merged_into}
    for index, home in merged_into.items():
        homes[home].extend(clusters[index])
    return [homes[i] for i in sorted(homes)]


def _marker_shaped(small: list[Char], host: list[Char], host_size: float) -> bool:
    """Whether every run of ``small`` is a marker printed against a glyph of ``host``."""
    reach = MARKER_REACH * host_size
    runs: list[list[Char]] = []
    for char in sorted(small, key=lambda c: c.x0):
        if runs and char.x0 - runs[-1][-1].x1 <= char.size:
            runs[-1].append(char)
        else:
            runs.append([char])
    for run in runs:
        if sum(len(c.text) for c in run) > MARKER_CHARS:
            return False
        x0, x1 = run[0].x0, run[-1].x1
        if not any(g.x0 - reach <= x1 and x0 <= g.x1 + reach for g in host):
            return False
    return True


def _spaces_for(cluster: list[Char], spaces: list[Char], baselines: list[float]) -> list[Char]:
    """The space characters printed on this line's baseline (``spaces`` sorted by baseline)."""
    if not spaces:
        return []
    size = _size(cluster)
    low = min(c.baseline for c in cluster) - BASELINE_RATIO * size
    high = max(c.baseline for c in cluster) + BASELINE_RATIO * size
    return spaces[bisect_left(baselines, low) : bisect_right(baselines, high)]


def _line(cluster: list[Char], page: int, spaces: list[Char]) -> Line:
    size = _size(cluster)
    script_limit = SCRIPT_RATIO * size
    cluster.sort(key=lambda c: c.x0)
    cluster = dedupe(cluster)
    body = [c for c in cluster if c.size >= script_limit] or cluster
    baseline = Counter(round(c.baseline, 1) for c in body).most_common(1)[0][0]
    space_x = sorted((s.x0 + s.x1) / 2 for s in spaces)
    parts: list[str] = []
    marks: list[tuple[int, int]] = []
    segments: list[Segment] = []
    seg_start, seg_x0, seg_chars = 0, cluster[0].x0, [cluster[0]]
    prev: Char | None = None
    length = 0
    space_index = 0
    for char in cluster:
        if prev is not None:
            gap = char.x0 - prev.x1
            # A superscript is measured against the text it rides on: "2025.1" stays glued.
            scripted = prev.size < script_limit or char.size < script_limit
            ref = max(max(prev.size, char.size) if scripted else min(prev.size, char.size), 1.0)
            while space_index < len(space_x) and space_x[space_index] < prev.x1:
                space_index += 1
            spaced = space_index < len(space_x) and space_x[space_index] < char.x0
            if gap > COLUMN_RATIO * ref:
                segments.append(_segment("".join(parts)[seg_start:], seg_x0, prev.x1, seg_chars))
                parts.append(" ")
                length += 1
                seg_start, seg_x0, seg_chars = length, char.x0, []
            elif gap > SPACE_RATIO * ref or spaced:
                parts.append(" ")
                length += 1
        if char.size < script_limit and _is_mark(char, baseline):
            if marks and marks[-1][1] == length:
                marks[-1] = (marks[-1][0], length + len(char.text))
            else:
                marks.append((length, length + len(char.text)))
        parts.append(char.text)
        length += len(char.text)
        seg_chars.append(char)
        prev = char
    text = "".join(parts)
    segments.append(_segment(text[seg_start:], seg_x0, cluster[-1].x1, seg_chars))
    fonts = Counter(c.font for c in body)
    font = fonts.most_common(1)[0][0]
    line = Line(
        page=page,
        top=min(c.top for c in body),
        bottom=max(c.bottom for c in body),
        baseline=baseline,
        x0=cluster[0].x0,
        x1=cluster[-1].x1,
        text=text,
        size=size,
        bold=sum(n for f, n in fonts.items() if BOLD_FONT.search(f)) * 2 > len(body),
        italic=sum(n for f, n in fonts.items() if ITALIC_FONT.search(f)) * 2 > len(body),
        font=font,
        segments=segments,
        marks=marks,
        chars=cluster,
    )
    line.text_x0 = line.x0
    _read_number(line)
    return line


def _is_mark(char: Char, baseline: float) -> bool:
    """A superscript footnote marker: a letter, digit or reference sign raised off the line."""
    raised = baseline - char.baseline > RISE_RATIO * char.size
    return raised and (char.text.isalnum() or char.text in "*†‡§")


def _segment(text: str, x0: float, x1: float, chars: list[Char]) -> Segment:
    font = Counter(c.font for c in chars).most_common(1)[0][0] if chars else ""
    size = max((c.size for c in chars), default=0.0)
    return Segment(x0, x1, text.strip(), size, font)


def _read_number(line: Line) -> None:
    """A line opening with "12." followed by more text: a paragraph number, maybe."""
    head, _, rest = line.text.partition(" ")
    match = NUMBER_WORD.match(head)
    if not match or not rest.strip():
        return
    if any(start < len(head) for start, _ in line.marks):
        return
    visible = [c for c in line.chars if not c.text.isspace()]
    if len(visible) <= len(head):
        return
    line.number = int(match.group(1))
    line.number_gap = visible[len(head)].x0 - visible[len(head) - 1].x1
    line.text_x0 = visible[len(head)].x0
