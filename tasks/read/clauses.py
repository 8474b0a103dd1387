"""Where in a sentence a figure stands: identifiers to mask, part clauses, ';'-clauses, and the
earlier year a clause is about (rules of ``docs/extraction.md``, "What normalization reads").

Every function keeps offsets: a masked text has the length of the text it masks, so a span read
in one is the same span in the other, and evidence still quotes the sentence as printed.

* **Identifiers are never figures**: a resolution number ("resolution 1244 (1999)"), a document
  symbol ("S/2023/123", "A/RES/77/1"), a paragraph, article, annex, section, chapter, rule,
  footnote, page or table reference ("paragraph 12", "annex II", "articles 3 and 4") are masked
  as years are (:func:`mask_identifiers`), so a pattern reads past them.
* **A part is not the whole**: a clause that names a part of what the sentence counts (", including
  378 from non-NATO countries,", "(including 17 women)", ", of whom 13 are women", ", drawn from
  27 nations,", ", which included ...") is found by :func:`part_clauses`. A metric that is no
  ``part_of`` another reads past such a clause; a part metric reads inside it.
* **Each ';'-clause stands on its own** (:func:`clause_start`): "In 2019, the total ... was 3,500;
  it now stands at 4,482" refuses 3,500 for its clause and reads 4,482 in the next.
* **An earlier year** (:func:`earlier_year`): a clause set in a year before the period's ("In 2019,
  ...", "At its height in 1999, ...") does not state the figure of the period.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from itertools import pairwise

_YEAR_TOKEN = re.compile(r"(?<![\d,.])(?:1[89]|20)\d\d(?![\d]|[.,]\d)")
# A document symbol: upper-case letters, then '/'-separated parts, one with a digit.
_SYMBOL = re.compile(r"\b[A-Z]{1,6}(?:/[A-Za-z0-9.()-]+)*/[A-Za-z.]*\d[A-Za-z0-9./-]*")
# A reference to a numbered thing of a document or a body of law; the numbers after it.
_REFERENCE = re.compile(
    r"\b(?:(?:Security\s+Council\s+|General\s+Assembly\s+)?resolutions?|UNSCR|SCR|decisions?|"
    r"paragraphs?|"
    r"subparagraphs?|paras?\.|articles?|arts?\.|annex(?:es)?|appendix|appendices|sections?|"
    r"chapters?|rules?|footnotes?|pages?|pp?\.|tables?|Nos?\.|items?|clauses?|protocols?)"
    r"(?P<numbers>(?:\s*(?:,|and|to|-|–|—)?\s*(?:\d+(?:\s*\(\w{1,4}\))*|[IVXLC]+\b)(?![,.]\d))+)",
    re.IGNORECASE,
)
_DIGIT = re.compile(r"\d")
# A clock time: "at 2400 hours", "0800 hrs", "14:30 hours", "8.30 a.m.": never a count.
_CLOCK = re.compile(
    r"\b(?:(?:[01]\d|2[0-4])[0-5]\d\s*(?:hours|hrs)\b|\d{1,2}[:.][0-5]\d\s*(?:hours|hrs|h\b|[ap]\.m\.))",
    re.IGNORECASE,
)
# The words that open a part clause, and those after which the clause began with its number
# ("13 of whom are women", "378 of which").
_PART_MARKER = re.compile(
    r"\b(?:including|inclusive\s+of|among\s+(?:whom|which|them)|of\s+(?:whom|which)|"
    r"drawn\s+from|(?:which|who|that)\s+includ(?:es|ed|e))\b",
    re.IGNORECASE,
)
_NON_FINITE = re.compile(r"including|inclusive|drawn", re.IGNORECASE)
_MAIN_VERB = re.compile(
    r"\b(?:was|were|is|are|stood|stands|remained|remains|numbered|numbers|totall?ed|comprised|"
    r"reached|amounted)\b",
    re.IGNORECASE,
)
_NUMBER_FIRST = re.compile(r"\b(?:of|among)\s+(?:whom|which)\b", re.IGNORECASE)
_SHORT_LEAD = re.compile(r"^\s*(?:\S+\s+){0,3}\S+\s*$")
# A comma that is no digit group separator, a semicolon, a bracket: the edges of a clause.
_SEGMENT_EDGE = re.compile(r",(?!\d{3})|;|\(|\)")
_SEMICOLON = re.compile(r";")
# A clause that takes up the subject of the one before: "...; it now stands at 4,482".
_ANAPHOR = re.compile(
    r"\s*(?:it|this\s+(?:figure|number|total)|that\s+(?:figure|number|total)|"
    r"the\s+(?:figure|number|total)|the\s+strength)\b",
    re.IGNORECASE,
)
_MONTH = (
    r"(?-i:January|February|March|April|May|June|July|August|September|October|November|December)"
)
# "In 2019,", "during 2019", "At its height in 1999", "at the end of 2019", "in early 2019"; never
# "since 1999" (a figure that has held since then is current), "(1999)" after a resolution, nor
# an as-at date (a dated figure is ranked by its date: tasks/read/figures.py).
_EARLIER_YEAR = re.compile(
    rf"\b(?:in|during|throughout|at\s+(?:the\s+)?(?:end|start|beginning|height|peak)\s+of|"
    rf"at\s+its\s+(?:height|peak)\s+in)\s+(?:(?:early|mid|late)[-\s]+)?"
    rf"(?:\d{{1,2}}\s+)?(?:{_MONTH}\s+)?(?P<year>(?:1[89]|20)\d\d)\b(?!\s*\))",
    re.IGNORECASE,
)


def blank(text: str, start: int, end: int, char: str = "X") -> str:
    """``text`` with ``text[start:end]`` replaced by ``char``s (the same length)."""
    return text[:start] + char * (end - start) + text[end:]


def mask_identifiers(text: str) -> str:
    """``text`` with years, clock times, document symbols and references' numbers masked by
    letters of the same length: "resolution 1244 (1999) was 4,482" reads 4,482, never 1,244, and
    "at 2400 hours on 31 December" reads no 2,400."""
    masked = _YEAR_TOKEN.sub(lambda m: "Y" * len(m.group()), text)
    masked = _CLOCK.sub(lambda m: _DIGIT.sub("T", m.group()), masked)
    for match in _SYMBOL.finditer(text):
        masked = blank(masked, match.start(), match.end(), "Z")
    for match in _REFERENCE.finditer(text):
        start, end = match.span("numbers")
        masked = masked[:start] + _DIGIT.sub("N", masked[start:end]) + masked[end:]
    return masked


def drop_identifiers(text: str) -> str:
    """``text`` with document symbols and references ("paragraph 12 of annex II", "UNSCR 1244")
    replaced by spaces, words and numbers alike: they say where, never what is counted."""
    for pattern in (_SYMBOL, _REFERENCE):
        text = pattern.sub(lambda m: " " * len(m.group()), text)
    return text


@dataclass(frozen=True)
class Span:
    start: int
    end: int

    def holds(self, start: int, end: int) -> bool:
        return self.start <= start and end <= self.end


def part_clauses(text: str) -> list[Span]:
    """The part clauses of ``text`` (see the module docstring): from the word that opens one (or
    from its number, "13 of whom") to the next clause edge (a comma, ';' or bracket)."""
    spans: list[Span] = []
    edges = [0, *(m.start() for m in _SEGMENT_EDGE.finditer(text)), len(text)]
    for low, high in pairwise(edges):
        segment_start = low + 1 if low else 0
        marker = _PART_MARKER.search(text, segment_start, high)
        if marker is None:
            continue
        start, end = marker.start(), high
        lead = text[segment_start : marker.start()]
        if _NUMBER_FIRST.match(marker.group()) and _SHORT_LEAD.match(lead):
            start = segment_start
        if _NON_FINITE.match(marker.group()):  # "including N ... was M": the verb is the main one
            verb = _MAIN_VERB.search(text, marker.end(), high)
            end = verb.start() if verb else high
        spans.append(Span(start, end))
    return spans


def mask_parts(text: str, parts: list[Span]) -> str:
    """``text`` with every part clause blanked: the whole's patterns read past them."""
    for span in parts:
        text = blank(text, span.start, span.end)
    return text


def clause_start(text: str, position: int) -> int:
    """Where the ';'-clause holding ``position`` starts."""
    starts = [m.end() for m in _SEMICOLON.finditer(text, 0, position)]
    return starts[-1] if starts else 0


def carry_on(text: str, end: int) -> int | None:
    """The position of the ';' after ``end`` when the clause after it takes up the same subject
    ("...was 3,500; it now stands at 4,482"), else None."""
    semicolon = text.find(";", end)
    if semicolon < 0 or _SEMICOLON.search(text, end, semicolon):
        return None
    return semicolon if _ANAPHOR.match(text, semicolon + 1) else None


def earlier_year(scope: str, first_year: int | None) -> str | None:
    """The year before ``first_year`` (the period's first) that ``scope`` is set in, or None."""
    if first_year is None:
        return None
    for match in _EARLIER_YEAR.finditer(scope):
        if int(match.group("year")) < first_year:
            return match.group("year")
    return None
