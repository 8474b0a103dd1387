"""Figures that are no count of anything, and digit groups split by a doubtful mark.

Used by :mod:`tasks.read.figures` before a candidate becomes a figure: one end of a range, an
amount of money, a difference between two levels ("700 troops more than", "grew by 700"), a pure
bound ("did not exceed 4,500", "under the 5,000 mark", "more than", "up to"); and a figure whose
digit groups a mark that is no thousands separator splits ("2 708", "2.708", "2·708").
"""

from __future__ import annotations

import re

from tasks.read.profile import CompiledMetric

# Digit groups split by a mark that is no recognised thousands separator: a plain space, a comma
# and a space, or any one punctuation mark or symbol (an underscore too), maybe with a space.
_SEPARATOR = r"(?:,\s|[^\w\s,]\s?|_\s?|\s)"
_DOUBTFUL_GROUPS = re.compile(rf"(?<![\d,.])\d{{1,3}}(?:{_SEPARATOR}\d{{3}})+(?!\d)")
_SEPARATOR_RE = re.compile(_SEPARATOR)
YEAR = re.compile(r"^(?:1[89]|20)\d\d$")  # a year, written without a group separator
_RANGE_BEFORE = re.compile(r"\bbetween\s+$", re.IGNORECASE)
_RANGE_AFTER = re.compile(r"^\s*(?:-|–|—|to\b)\s*\d")
_MONEY_BEFORE = re.compile(r"(?:[$€£¥]|\b(?:US\$|USD|EUR|GBP|CHF))\s*$")
_MONEY_AFTER = re.compile(
    r"^\s*(?:million|billion|bn\b|euros?\b|dollars?\b|francs?\b|pounds?\b|USD\b|EUR\b)",
    re.IGNORECASE,
)
# "grew by 700 to 4,482", "an increase of 700 troops": the 700 is a difference, not a level.
_DIFFERENCE_BEFORE = re.compile(
    r"\b(?:by|(?:increase|decrease|rise|fall|drop|reduction|growth|decline)\s+of)\s+"
    r"(?:(?:some|about|approximately|nearly|almost|around)\s+)?$",
    re.IGNORECASE,
)
_DIFFERENCE_AFTER = re.compile(
    r"^\s*(?:(?:troops|personnel|soldiers)\s+)?(?:more|fewer|less)\s+than\b", re.IGNORECASE
)
# A pure bound ("did not exceed 4,500", "under the 5,000 mark", "more than 4,500", "up to
# 5,000"): the figure is a limit, not the level; "over 4,500" and "just under 4,500" are read as
# approximate (the archive prints "over 3,700"), as the profile's qualifiers say.
_BOUND_BEFORE = re.compile(
    r"\b(?:(?:did|does|do)\s+not\s+exceed|(?:no|not)\s+(?:more|fewer|less)\s+than|below|"
    r"(?<!just\s)under(?:\s+the)?|more\s+than|fewer\s+than|less\s+than|up\s+to|"
    r"in\s+excess\s+of|exceed(?:ed|s|ing)?|at\s+(?:most|least))\s+$",
    re.IGNORECASE,
)


def doubtful_groups(text: str) -> tuple[str, list[tuple[int, int, str]]]:
    """``text`` with doubtful digit groups joined, and their spans in it (with the separator).

    Patterns run on this probe too: a figure they read at a joined span was split by a mark
    that may or may not separate two figures, wherever the patterns' own reading stopped
    ("708" after "2·", or nothing at all after "2.").
    """
    pieces: list[str] = []
    spans: list[tuple[int, int, str]] = []
    last = length = 0
    for match in _DOUBTFUL_GROUPS.finditer(text):
        pieces.append(text[last : match.start()])
        length += match.start() - last
        separator = _SEPARATOR_RE.search(match.group()[1:])
        joined = re.sub(r"\D", "", match.group())
        spans.append((length, length + len(joined), separator.group() if separator else " "))
        pieces.append(joined)
        length += len(joined)
        last = match.end()
    pieces.append(text[last:])
    return "".join(pieces), spans


def split_by(metric: CompiledMetric, text: str) -> str | None:
    """The separator that splits a figure the metric's patterns read in ``text``, if any."""
    probe, spans = doubtful_groups(text)
    if not spans:
        return None
    for pattern in metric.patterns:
        for match in pattern.finditer(probe):
            start, end = match.span("value")
            for low, high, separator in spans:
                if start < high and low < end:
                    return separator
    return None


def not_a_count(text: str, start: int, end: int) -> str | None:
    """Why the figure at ``text[start:end]`` is no count of anything, or None."""
    before, after = text[:start], text[end:]
    if _RANGE_BEFORE.search(before) or _RANGE_AFTER.match(after):
        return "it is one end of a range, not one figure"
    if _MONEY_BEFORE.search(before) or _MONEY_AFTER.match(after):
        return "it is an amount of money, not a count"
    if _DIFFERENCE_BEFORE.search(before) or _DIFFERENCE_AFTER.match(after):
        return "it is a difference between two levels, not a level"
    if _BOUND_BEFORE.search(before):
        return "it is a bound (a limit the level stays under or over), not the level"
    return None
