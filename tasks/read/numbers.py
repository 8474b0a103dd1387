"""Figures as the reports write them: ``15,413``, ``3600``, ``nineteen``, ``twenty-one``.

Two regex fragments are exported for the extraction profile: :data:`COUNT_PATTERN` (digits
only, used for troop figures, where a number word would be a misreading) and
:data:`NUMBER_PATTERN` (digits or words, used for counts of nations and casualties).
Both refuse a number that is the day of a date ("31 March"), which is the commonest way a
figure-shaped token turns out not to be a figure.
"""

from __future__ import annotations

import re

UNITS: dict[str, int] = {
    "zero": 0,
    "one": 1,
    "two": 2,
    "three": 3,
    "four": 4,
    "five": 5,
    "six": 6,
    "seven": 7,
    "eight": 8,
    "nine": 9,
}
TEENS: dict[str, int] = {
    "ten": 10,
    "eleven": 11,
    "twelve": 12,
    "thirteen": 13,
    "fourteen": 14,
    "fifteen": 15,
    "sixteen": 16,
    "seventeen": 17,
    "eighteen": 18,
    "nineteen": 19,
}
TENS: dict[str, int] = {
    "twenty": 20,
    "thirty": 30,
    "forty": 40,
    "fifty": 50,
    "sixty": 60,
    "seventy": 70,
    "eighty": 80,
    "ninety": 90,
}
SCALES: dict[str, int] = {"hundred": 100, "thousand": 1000}

_MONTHS = "January|February|March|April|May|June|July|August|September|October|November|December"
# A digit run that is followed by a month name is a day, not a figure.
_NOT_A_DAY = rf"(?!\s+(?-i:{_MONTHS})\b)"

_UNIT = "one|two|three|four|five|six|seven|eight|nine"
_TEEN = "|".join(TEENS)
_TEN = "|".join(TENS)
# Longer alternatives first so "seventeen" is not read as "seven" and "sixty" not as "six".
# "twentyfour" too: a compound split at a line end can lose its hyphen in extraction.
_BELOW_100 = rf"(?:(?:{_TEN})(?:[-\s]?(?:{_UNIT}))?|{_TEEN}|{_UNIT})"
_BELOW_1000 = rf"(?:(?:{_UNIT}|a)\s+hundred(?:\s+(?:and\s+)?{_BELOW_100})?|{_BELOW_100})"
WORDS_PATTERN = rf"(?:{_BELOW_1000}\s+thousand(?:,?\s+(?:and\s+)?{_BELOW_1000})?|{_BELOW_1000})"

DIGITS_PATTERN = r"(?<![\d,.])(?:\d{1,3}(?:,\d{3})+|\d+)(?![\d]|[.,]\d)"
COUNT_PATTERN = rf"(?:{DIGITS_PATTERN}{_NOT_A_DAY})"
NUMBER_PATTERN = rf"(?:{COUNT_PATTERN}|\b{WORDS_PATTERN}\b)"

_DIGITS_RE = re.compile(r"\d{1,3}(?:,\d{3})+|\d+")
_TOKEN_SPLIT_RE = re.compile(r"[\s,\-]+")


def _unglue(token: str) -> list[str]:
    """ "twentyfour" → ["twenty", "four"]; any other token unchanged."""
    for tens in TENS:
        if token.startswith(tens) and token[len(tens) :] in UNITS.keys() - {"zero"}:
            return [tens, token[len(tens) :]]
    return [token]


def words_to_int(text: str) -> int:
    """Read a cardinal number written in digits or English words.

    ``"nineteen"`` → 19, ``"twenty-one"`` → 21, ``"one hundred and five"`` → 105,
    ``"two thousand, three hundred"`` → 2300, ``"15,413"`` → 15413.
    Raises ``ValueError`` when ``text`` is not a number, so a misread never becomes a figure.
    """
    cleaned = text.strip().lower()
    if _DIGITS_RE.fullmatch(cleaned):
        return int(cleaned.replace(",", ""))
    tokens = [part for t in _TOKEN_SPLIT_RE.split(cleaned) if t for part in _unglue(t)]
    if not tokens:
        raise ValueError(f"not a number: {text!r}")
    total = 0  # completed thousands
    current = 0  # the group below a thousand being read
    seen_any = False
    previous = ""
    for token in tokens:
        if token == "and":
            # "and" only joins a hundred (or thousand) to what follows it.
            if previous not in SCALES:
                raise ValueError(f"misplaced 'and' in {text!r}")
        elif token in ("a", "an") and not seen_any:
            current = 1
        elif token in UNITS:
            if current % 10 or previous in TEENS or (token == "zero" and len(tokens) > 1):
                raise ValueError(f"two units in a row in {text!r}")
            current += UNITS[token]
            seen_any = True
        elif token in TEENS:
            if current % 100:
                raise ValueError(f"misplaced {token!r} in {text!r}")
            current += TEENS[token]
            seen_any = True
        elif token in TENS:
            if current % 100:
                raise ValueError(f"misplaced {token!r} in {text!r}")
            current += TENS[token]
            seen_any = True
        elif token == "hundred":
            if current == 0 or current >= 10 or previous == "hundred":
                raise ValueError(f"misplaced 'hundred' in {text!r}")
            current *= 100
        elif token == "thousand":
            if current == 0 or total:
                raise ValueError(f"misplaced 'thousand' in {text!r}")
            total = current * 1000
            current = 0
        else:
            raise ValueError(f"not a number word: {token!r} in {text!r}")
        previous = token
    if previous == "and" or not (seen_any or previous in SCALES):
        raise ValueError(f"not a number: {text!r}")
    return total + current


def parse_number(text: str) -> int | None:
    """:func:`words_to_int`, or ``None`` for text that is not a number."""
    try:
        return words_to_int(text)
    except ValueError:
        return None
