"""Tables printed without ruling lines (an annex of contributions by country), read into cells.

ODS prints such a table as lines of text: a header ("Country  Military observersa  Troopsa
...  Total", footnote letters as superscripts), one row per country with its figures far apart,
a Total row, and lettered notes under it in smaller type. The reader finds it and reads it in
three steps:

1. **where**: a run of at least :data:`MIN_ROWS` lines each ending in two figures or more and
   printed in separate columns (two segments or more: prose never is), plus the header lines
   just above it. Only body lines are looked at (page furniture and footnotes are gone);
2. **the grid**: pdfplumber's table finder with text strategies (vertical edges where figures
   line up at their left, right or centre; horizontal edges at every row of words) is run on
   the words of those rows. It is given our own words (built from characters with boxes, so
   a sideways page works as an upright one); footnote letters are left out of the words so a
   "235c" lines up with the other totals;
3. **the cells**: every word is placed in the one cell that holds its centre. The columns
   that hold figures are the value columns; the cells left of them make the row's label (a
   label cut over two lines is joined). Header phrases are named after the value column they
   overlap (a right-aligned figure sits under the end of its header). Footnote letters are
   kept apart: on a header (``column_marks``) and on a cell (``TableRowText.marks``).

Anything that does not fit one cell, or a grid whose columns cannot be told apart, gives no
table and a warning: a table read wrong would load wrong figures, worse than none.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any, cast

from pdfplumber.table import TableFinder

from tasks.read.chars import Char
from tasks.read.pdf_lines import SCRIPT_RATIO, SPACE_RATIO, Line

MIN_ROWS = 3  # a run of fewer figure rows is no table
MIN_FIGURES = 2  # a row ends in at least this many figures
HEADER_LINES = 3  # header lines looked for above the first row
ROW_GAP_RATIO = 2.6  # rows further apart than this many type sizes end the run
PHRASE_GAP_RATIO = 1.0  # header words further apart than this many sizes are two headers
FIGURE = re.compile(
    r"^(?:\(?[-+]?\d{1,3}(?:[,\u00a0\u202f\u2009]\d{3})+(?:\.\d+)?\)?|\(?[-+]?\d+(?:\.\d+)?\)?%?"
    r"|[-\u2013\u2014])$"
)
# The table finder's own defaults, written out: text strategies both ways, and a vertical
# edge only where three words or more line up.
FINDER_SETTINGS: dict[str, Any] = {
    "vertical_strategy": "text",
    "horizontal_strategy": "text",
    "min_words_vertical": 3,
    "min_words_horizontal": 1,
    "snap_tolerance": 3,
    "join_tolerance": 3,
    "intersection_tolerance": 3,
}


@dataclass
class Word:
    """A run of characters between spaces, footnote letters left out."""

    text: str
    x0: float
    x1: float
    top: float
    bottom: float
    marks: str = ""

    @property
    def figure(self) -> bool:
        return FIGURE.match(self.text) is not None

    def as_dict(self) -> dict[str, Any]:
        return {
            "text": self.text, "x0": self.x0, "x1": self.x1, "top": self.top,
            "bottom": self.bottom, "doctop": self.top, "upright": True,
            "width": self.x1 - self.x0, "height": self.bottom - self.top,
        }  # fmt: skip


@dataclass
class FoundRow:
    label: str
    cells: list[str | None]
    marks: list[str]
    top: float


@dataclass
class FoundTable:
    """A table read on one page, with the lines it was printed on (they are no paragraph)."""

    page: int
    top: float
    bottom: float
    label_header: str | None
    columns: list[str]
    column_marks: list[str]
    rows: list[FoundRow]
    lines: list[Line] = field(default_factory=list)


@dataclass
class PageTables:
    tables: list[FoundTable] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)


def words_of(line: Line) -> list[Word]:
    """The words of ``line`` with their boxes; superscript letters go to the word's marks."""
    limit = SCRIPT_RATIO * line.size
    words: list[Word] = []
    prev: Char | None = None
    for char in sorted(line.chars, key=lambda c: c.x0):
        if char.text.isspace() and char.text.isascii():
            prev = None
            continue
        if char.size < limit and char.text.isalnum():
            if words:  # the mark stays in the box: "235c" lines up with the totals it ends
                words[-1].marks += char.text
                words[-1].x1 = max(words[-1].x1, char.x1)
            continue
        gap = char.x0 - prev.x1 if prev is not None else None
        if words and gap is not None and gap <= SPACE_RATIO * line.size:
            word = words[-1]
            word.text += char.text
            word.x1, word.top = max(word.x1, char.x1), min(word.top, char.top)
            word.bottom = max(word.bottom, char.bottom)
        else:
            words.append(Word(char.text, char.x0, char.x1, char.top, char.bottom))
        prev = char
    return words


def row_shaped(line: Line) -> bool:
    """A line printed in columns that ends in :data:`MIN_FIGURES` figures or more."""
    if len(line.segments) < 2:
        return False
    words = words_of(line)
    trailing = 0
    for word in reversed(words):
        if not word.figure:
            break
        trailing += 1
    return trailing >= MIN_FIGURES


def find_tables(lines: list[Line], page: int) -> PageTables:
    """The tables printed among ``lines`` (one page's body lines, top to bottom)."""
    found = PageTables()
    shaped = [row_shaped(line) for line in lines]
    index = 0
    while index < len(lines):
        if not shaped[index]:
            index += 1
            continue
        end = index + 1
        last = index
        while end < len(lines):
            step = lines[end].top - lines[last].bottom
            if step > ROW_GAP_RATIO * lines[last].size:
                break
            if shaped[end]:
                last = end
            elif end - last > 2:  # at most two label lines between figure rows
                break
            end += 1
        rows = [x for x in lines[index : last + 1]]
        if sum(1 for s in shaped[index : last + 1] if s) >= MIN_ROWS:
            header = _header_lines(lines, index)
            table, problem = _read(rows, header, page)
            if table is not None:
                found.tables.append(table)
            elif problem:
                found.warnings.append(f"page {page}: a table could not be read ({problem})")
        index = last + 1
    return found


def _header_lines(lines: list[Line], first_row: int) -> list[Line]:
    """The header lines right above the first row: printed in columns, or over a value column
    only (the first line of a two-line heading); a line at the label's margin is a title."""
    header: list[Line] = []
    below = lines[first_row]
    label_end = words_of(below)[0].x1 if words_of(below) else below.x0
    for line in reversed(lines[max(0, first_row - HEADER_LINES) : first_row]):
        if below.top - line.bottom > ROW_GAP_RATIO * line.size or row_shaped(line):
            break
        if len(line.segments) < 2 and line.x0 <= label_end:
            break
        header.insert(0, line)
        below = line
    return header


class _WordsPage:
    """What pdfplumber's ``TableFinder`` asks of a page with text strategies: words, bbox."""

    def __init__(self, words: list[Word]) -> None:
        self._words = [w.as_dict() for w in words]
        self.bbox = (
            min(w.x0 for w in words) - 1.0,
            min(w.top for w in words) - 1.0,
            max(w.x1 for w in words) + 1.0,
            max(w.bottom for w in words) + 1.0,
        )
        self.edges: list[dict[str, Any]] = []

    def extract_words(self, **_settings: Any) -> list[dict[str, Any]]:
        return list(self._words)


def _grid(words: list[Word]) -> list[list[tuple[float, float, float, float] | None]] | None:
    """The cells of the largest table pdfplumber's finder sees in ``words``, row by row."""
    finder = TableFinder(cast(Any, _WordsPage(words)), FINDER_SETTINGS)
    if not finder.tables:
        return None
    table = max(finder.tables, key=lambda t: len(t.cells))
    return [list(row.cells) for row in table.rows]


def _read(rows: list[Line], header: list[Line], page: int) -> tuple[FoundTable | None, str]:
    line_words = [(line, _label_joined(words_of(line))) for line in rows]
    words = [w for _, ws in line_words for w in ws]
    try:
        grid = _grid(words)
    except Exception as exc:  # the library call: whatever it raises, this table is unread
        return None, f"the table finder failed: {type(exc).__name__}: {exc}"
    if not grid:
        return None, "the table finder saw no grid"
    columns = len(grid[0])
    placed: list[tuple[int, int, Word]] = []  # (grid row, column, word)
    for word in words:
        centre_x, centre_y = (word.x0 + word.x1) / 2, (word.top + word.bottom) / 2
        homes = [
            (r, c)
            for r, row in enumerate(grid)
            for c, cell in enumerate(row)
            if cell is not None
            and cell[0] - 0.5 <= centre_x <= cell[2] + 0.5
            and cell[1] - 0.5 <= centre_y <= cell[3] + 0.5
        ]
        if len(homes) != 1:
            return None, f"{word.text!r} falls in {len(homes)} cells"
        placed.append((*homes[0], word))
    value_columns = sorted({c for _, c, w in placed if w.figure})
    label_columns = sorted({c for _, c, w in placed if not w.figure})
    if not value_columns:
        return None, "no column of figures"
    if label_columns and max(label_columns) > min(value_columns):
        return None, "words found right of the first column of figures"
    first_value = min(value_columns)
    value_columns = list(range(first_value, columns))
    found_rows: list[FoundRow] = []
    pending_label = ""
    for r in range(len(grid)):
        mine = [(c, w) for rr, c, w in placed if rr == r]
        if not mine:
            continue
        label = " ".join(w.text for c, w in sorted(mine, key=lambda p: p[1].x0) if c < first_value)
        values: list[str | None] = []
        marks: list[str] = []
        for c in value_columns:
            cell = [w for cc, w in mine if cc == c]
            if len(cell) > 1:
                return None, f"{' and '.join(w.text for w in cell)} fall in one cell"
            values.append(" ".join(w.text for w in cell) if cell else None)
            marks.append("".join(w.marks for w in cell))
        top = min(w.top for _, w in mine)
        if all(v is None for v in values):  # a label printed over two lines
            if found_rows and (label[:1].islower() or label[:1] in "()"):
                found_rows[-1].label += " " + label
            else:
                pending_label = f"{pending_label} {label}".strip()
            continue
        if pending_label:
            label, pending_label = f"{pending_label} {label}".strip(), ""
        found_rows.append(FoundRow(label, values, marks, top))
    spans = [_span([w for _, c, w in placed if c == col]) for col in range(columns)]
    label_header, names, name_marks = _headers(
        header,
        [s for s in spans[:first_value] if s],
        [s or (0.0, 0.0) for s in spans[first_value:]],
    )
    if len(found_rows) < MIN_ROWS:
        return None, f"only {len(found_rows)} rows"
    return (
        FoundTable(
            page=page,
            top=min([x.top for x in header] + [rows[0].top]),
            bottom=rows[-1].bottom,
            label_header=label_header,
            columns=names,
            column_marks=name_marks,
            rows=found_rows,
            lines=[*header, *rows],
        ),
        "",
    )


def _span(words: list[Word]) -> tuple[float, float] | None:
    """Where a column's words are printed, left to right (None: an empty column)."""
    if not words:
        return None
    return min(w.x0 for w in words), max(w.x1 for w in words)


def _label_joined(words: list[Word]) -> list[Word]:
    """Words before the first figure joined when close ("Republic of Korea" is one label)."""
    out: list[Word] = []
    for word in words:
        prev = out[-1] if out else None
        if (
            prev is not None
            and not prev.figure
            and not word.figure
            and word.x0 - prev.x1 <= 2.0 * (word.bottom - word.top)
        ):
            prev.text += " " + word.text
            prev.x1, prev.marks = word.x1, prev.marks + word.marks
            prev.bottom = max(prev.bottom, word.bottom)
        else:
            out.append(Word(word.text, word.x0, word.x1, word.top, word.bottom, word.marks))
    return out


def _phrases(line: Line) -> list[Word]:
    """Header words grouped into one phrase per column heading."""
    phrases: list[Word] = []
    for word in words_of(line):
        prev = phrases[-1] if phrases else None
        if prev is not None and word.x0 - prev.x1 <= PHRASE_GAP_RATIO * line.size:
            prev.text += " " + word.text
            prev.x1, prev.marks = word.x1, prev.marks + word.marks
        else:
            phrases.append(Word(word.text, word.x0, word.x1, word.top, word.bottom, word.marks))
    return phrases


def _headers(
    header: list[Line],
    label_spans: list[tuple[float, float]],
    value_spans: list[tuple[float, float]],
) -> tuple[str | None, list[str], list[str]]:
    """Name each value column after the header phrase over it (several lines joined)."""
    names: list[list[str]] = [[] for _ in value_spans]
    marks = ["" for _ in value_spans]
    label: list[str] = []
    label_end = max((s[1] for s in label_spans), default=float("-inf"))
    first_value = min((s[0] for s in value_spans), default=float("inf"))
    for line in header:
        for phrase in _phrases(line):
            overlaps = [
                min(phrase.x1, x1 + 2.0) - max(phrase.x0, x0 - 2.0) for x0, x1 in value_spans
            ]
            best = max(range(len(value_spans)), key=lambda i: overlaps[i]) if value_spans else -1
            if best >= 0 and overlaps[best] > 0:
                names[best].append(phrase.text)
                marks[best] += phrase.marks
            elif phrase.x1 < first_value and phrase.x0 <= label_end + 2.0:
                label.append(phrase.text)
            elif value_spans:  # between columns: the nearest by its right edge
                nearest = min(
                    range(len(value_spans)), key=lambda i: abs(value_spans[i][1] - phrase.x1)
                )
                names[nearest].append(phrase.text)
                marks[nearest] += phrase.marks
    return (" ".join(label) or None), [" ".join(n) for n in names], marks
