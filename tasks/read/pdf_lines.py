"""Words of one PDF page → printed lines, with the geometry later steps need.

pdfplumber gives words with their position, font size and font name (one ``extract_words``
call per page). Here they become :class:`Line` objects: the text of a line with superscript
footnote markers removed (a word much smaller than the page's body text sitting on a normal
line), whether the line is bold, whether all of it is small print, and its column segments
(``2/5`` and ``21-03164`` printed on one baseline at opposite sides are two segments).
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

SMALL_RATIO = 0.85  # below this share of the body size a word is small print (notes, markers)
SPACE_RATIO = 0.12  # a gap wider than this share of the font size is a space between words
COLUMN_RATIO = 2.5  # a gap wider than this many font sizes separates two column segments
NUMBER_WORD = re.compile(r"^(\d{1,3})\.$")
BOLD_FONT = re.compile(r"bold|black|heavy|semibold|demi", re.IGNORECASE)


@dataclass(slots=True)
class Segment:
    x0: float
    x1: float
    text: str


@dataclass(slots=True)
class Line:
    """One printed line of a page."""

    page: int
    top: float
    bottom: float
    x0: float
    x1: float
    text: str
    size: float
    bold: bool
    small: bool = False
    segments: list[Segment] = field(default_factory=list)
    number: int | None = None  # the printed "12." a line starts with, if any
    number_gap: float = 0.0  # space between that number and the text after it
    text_x0: float = 0.0  # where the text starts (after the number of a numbered paragraph)
    in_band: bool = False  # in the top or bottom band of the page, where furniture is printed


def words_to_lines(words: list[dict[str, Any]], page: int) -> list[Line]:
    """Group ``extract_words(extra_attrs=["size", "fontname"])`` output into lines, top-down."""
    if not words:
        return []
    body_size = dominant_size(words)
    tolerance = max(2.0, 0.3 * body_size)
    ordered = sorted(words, key=lambda w: (w["top"], w["x0"]))
    lines: list[Line] = []
    cluster: list[dict[str, Any]] = [ordered[0]]
    for word in ordered[1:]:
        # Chained clustering on the top edge, as pdfplumber itself groups lines.
        if word["top"] - cluster[-1]["top"] <= tolerance:
            cluster.append(word)
        else:
            lines.append(_line(cluster, page, body_size))
            cluster = [word]
    lines.append(_line(cluster, page, body_size))
    return lines


def dominant_size(words: list[dict[str, Any]]) -> float:
    """The font size most characters of the page are printed in."""
    weights: Counter[float] = Counter()
    for word in words:
        weights[round(float(word["size"]), 1)] += len(word["text"])
    return weights.most_common(1)[0][0]


def _line(cluster: list[dict[str, Any]], page: int, body_size: float) -> Line:
    cluster.sort(key=lambda w: w["x0"])
    small_limit = SMALL_RATIO * body_size
    all_small = all(w["size"] < small_limit for w in cluster)
    kept: list[dict[str, Any]] = []
    parts: list[str] = []
    segments: list[Segment] = []
    segment_words: list[str] = []
    segment_x0 = cluster[0]["x0"]
    prev_x1: float | None = None
    for word in cluster:
        if not all_small and word["size"] < small_limit:
            # A superscript footnote marker glued to the word before it ("Kosovo2"): drop it,
            # and measure the next gap from its right edge so "Kosovo2," becomes "Kosovo,".
            prev_x1 = word["x1"] if prev_x1 is None else max(prev_x1, word["x1"])
            continue
        size = float(word["size"])
        if prev_x1 is not None:
            gap = word["x0"] - prev_x1
            if gap > COLUMN_RATIO * size and segment_words:
                segments.append(Segment(segment_x0, kept[-1]["x1"], " ".join(segment_words)))
                segment_words, segment_x0 = [], word["x0"]
                parts.append(" ")
            elif gap > SPACE_RATIO * size:
                parts.append(" ")
            elif segment_words:
                # Glued to the previous word (a font change inside a word): extend it.
                segment_words[-1] += word["text"]
                parts.append(word["text"])
                kept.append(word)
                prev_x1 = word["x1"]
                continue
        parts.append(word["text"])
        segment_words.append(word["text"])
        kept.append(word)
        prev_x1 = word["x1"]
    if not kept:  # only markers; cannot happen as all-small lines keep their words
        kept = cluster
    if segment_words:
        segments.append(Segment(segment_x0, kept[-1]["x1"], " ".join(segment_words)))
    line = Line(
        page=page,
        top=min(float(w["top"]) for w in kept),
        bottom=max(float(w["bottom"]) for w in kept),
        x0=float(kept[0]["x0"]),
        x1=float(kept[-1]["x1"]),
        text="".join(parts).strip(),
        size=max(float(w["size"]) for w in kept),
        bold=all(BOLD_FONT.search(str(w.get("fontname", ""))) for w in kept),
        small=all_small,
        segments=segments,
    )
    line.text_x0 = line.x0
    match = NUMBER_WORD.match(kept[0]["text"])
    if match and len(kept) > 1:
        line.number = int(match.group(1))
        line.number_gap = float(kept[1]["x0"] - kept[0]["x1"])
        line.text_x0 = float(kept[1]["x0"])
    return line
