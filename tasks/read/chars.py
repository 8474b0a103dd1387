"""Characters with boxes: what the reader is built on, whatever PDF engine produced them.

A :class:`Char` is one printed glyph: its text, its box (points from the page's top-left corner),
its baseline, font size and font name. :mod:`tasks.read.extract` turns pdfplumber's character
dicts into these; everything after that (lines, furniture, paragraphs) sees only this list, so
the engine could be swapped.

Two repairs happen here:

* :func:`dedupe` drops overprinted duplicates. Some producers fake bold by printing every glyph
  twice a fraction of a point apart; read naively that gives "LLeetttteerr" and "44,,550000".
  (pdfplumber's own ``dedupe_chars`` does the same job on its char dicts, but it restores the
  order with ``list.index``, quadratic in the glyphs of a page; ours runs on each line already
  sorted left to right, where copies are neighbours.)
* :func:`orient` reads a page whose text runs sideways (a landscape table printed on a portrait
  page) in its own direction: the boxes are turned so that the text runs left to right again.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from typing import Literal

Direction = Literal["upright", "up", "down", "upside-down"]
DEDUPE_TOLERANCE = 1.0  # points: copies of a glyph closer than this are one glyph


@dataclass(slots=True)
class Char:
    """One glyph. ``top``/``bottom``/``baseline`` are distances from the top of the page."""

    text: str
    x0: float
    x1: float
    top: float
    bottom: float
    baseline: float  # where the glyph sits: its origin's distance from the top of the page
    size: float
    font: str
    direction: Direction = "upright"
    origin_x: float = 0.0  # the origin's distance from the left edge (for sideways text)


def direction_of(matrix: tuple[float, ...] | None) -> Direction:
    """Which way a glyph's text matrix makes the text run."""
    if not matrix:
        return "upright"
    a, b = matrix[0], matrix[1]
    if abs(a) >= abs(b):
        return "upright" if a >= 0 else "upside-down"
    return "up" if b > 0 else "down"


def dedupe(line: list[Char], tolerance: float = DEDUPE_TOLERANCE) -> list[Char]:
    """The glyphs of one line (sorted left to right) without overprinted copies.

    A copy has the same text, font and size as a glyph kept just before it, within
    ``tolerance`` points in both directions. Sorted by position, copies are neighbours (a glyph
    is wider than the offset that fakes bold), so a look at the last few kept glyphs suffices.
    """
    kept: list[Char] = []
    for char in line:
        duplicate = False
        for other in kept[-3:]:
            if (
                other.text == char.text
                and abs(other.x0 - char.x0) <= tolerance
                and abs(other.baseline - char.baseline) <= tolerance
                and other.font == char.font
                and abs(other.size - char.size) < 0.1
            ):
                duplicate = True
                break
        if not duplicate:
            kept.append(char)
    return kept


def main_direction(chars: list[Char]) -> Direction:
    """The direction most of a page's letters run in."""
    counts = Counter(c.direction for c in chars if not c.text.isspace())
    return counts.most_common(1)[0][0] if counts else "upright"


def orient(chars: list[Char], width: float, height: float, direction: Direction) -> list[Char]:
    """The characters running in ``direction``, their boxes turned so the text runs upright.

    For text running up the page the line advances bottom to top and later lines lie further
    right; for text running down, the reverse. Characters in other directions are left out.
    """
    if direction == "upright":
        return [c for c in chars if c.direction == "upright"]
    turned: list[Char] = []
    for c in chars:
        if c.direction != direction:
            continue
        if direction == "up":  # the glyphs' tops point left: the baseline is x = origin
            box = (height - c.bottom, height - c.top, c.x0, c.x1, c.origin_x)
        elif direction == "down":
            box = (c.top, c.bottom, width - c.x1, width - c.x0, width - c.origin_x)
        else:  # upside-down
            box = (
                width - c.x1,
                width - c.x0,
                height - c.bottom,
                height - c.top,
                height - c.baseline,
            )
        x0, x1, top, bottom, baseline = box
        turned.append(Char(c.text, x0, x1, top, bottom, baseline, c.size, c.font, "upright"))
    return turned
