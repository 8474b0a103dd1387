"""The text patterns read: printed text with every Unicode look-alike mapped to plain forms.

Facts are read by regular expressions written with ASCII in mind: ``4,500``, ``non-NATO``, a
space between words. PDFs print look-alikes: a no-break or thin space between digit groups
("4 500"), a soft hyphen (U+00AD) left in a word, U+2010-U+2015 and the minus sign for
hyphens and dashes, typographic quotes, the "fi" and "ffl" ligatures, full-width digits,
zero-width spaces, months in capitals ("17 DECEMBER 1999") and superscript footnote markers
glued to words ("2025.1", "Kosovo²"). :func:`pattern_text` maps all of them, whole kinds at a
time, and keeps for every character of the result the offset it came from, so the evidence of
a fact is the sentence *as printed* (:meth:`TextView.printed`).

Digit groups are joined across the recognised thousands separators, whole kinds at a time: every
Unicode space but the plain one (no-break, thin, narrow no-break, figure, punctuation, hair, en, em,
medium mathematical, ideographic: "4 500") and every apostrophe-like mark (', ’, ‘, ʼ, ′:
"2’708", the Swiss and some typesetters' grouping). They join only what is shaped as groups (one to
three digits, then groups of three); elsewhere a space stays a space and an apostrophe an
apostrophe. Any other mark between digit groups (a plain space "2 708", "2, 708", "2.708",
"2·708", "2_708") is kept: whether it splits one figure or separates two is for the reader of the
figure to decide (:mod:`tasks.read.figures` refuses such a figure with a warning rather than
guess).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass

# Spaces printed between digit groups (SI style "4 500"): they join the group. Every Unicode
# space separator (category Zs) but the plain space; listed so tests can name each one.
GROUP_SPACES = frozenset(
    "\u00a0\u1680\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007\u2008\u2009\u200a"
    "\u202f\u205f\u3000"
)
# Apostrophe-like marks some typography prints between digit groups ("2’708"): they join too.
GROUP_APOSTROPHES = frozenset("'\u2018\u2019\u201b\u02b9\u02bc\u2032\uff07")
DROPPED = frozenset("\u00ad\u200b\u200c\u200d\u2060\ufeff")  # soft hyphen, zero-width spaces
SUPERSCRIPTS = frozenset("\u00b9\u00b2\u00b3\u2070\u2071\u2074\u2075\u2076\u2077\u2078\u2079")
MAPPED: dict[str, str] = {
    **dict.fromkeys("\u2010\u2011\u2012\u2013\u2043\u2212\u02d7\ufe58\ufe63\uff0d", "-"),
    **dict.fromkeys("\u2014\u2015\u2e3a\u2e3b\ufe31\ufe32", "\u2014"),
    **dict.fromkeys("\u2018\u2019\u201a\u201b\u2032\uff07\u02bc\u02b9", "'"),
    **dict.fromkeys("\u201c\u201d\u201e\u201f\u2033\uff02", '"'),
    "\ufb00": "ff",
    "\ufb01": "fi",
    "\ufb02": "fl",
    "\ufb03": "ffi",
    "\ufb04": "ffl",
    "\ufb05": "st",
    "\ufb06": "st",
    "\u2026": "...",
    "\u2044": "/",
    "\u2215": "/",
}
_GROUP = "\x00"  # stands in for a digit-group space until groups are joined
_APOSTROPHE = "\x01"  # stands in for an apostrophe between digits until groups are joined
_JOINED_GROUPS = re.compile(
    rf"(?<![\d,.])\d{{1,3}}(?:[{_GROUP}{_APOSTROPHE}]\d{{3}})+(?!\d|[{_GROUP}{_APOSTROPHE}]\d)"
)
_ASCII_SPACES = re.compile(r"[ \t\r\n\f\v]+")  # collapsed; other spaces are printed text
_CAPS_MONTH = re.compile(
    r"\b(JANUARY|FEBRUARY|MARCH|APRIL|MAY|JUNE|JULY|AUGUST|SEPTEMBER|OCTOBER|NOVEMBER|DECEMBER)\b"
)


@dataclass(frozen=True)
class TextView:
    """Pattern text and, for each of its characters, where it was printed."""

    text: str
    source: str  # the printed text
    origin: tuple[int, ...]  # origin[i]: offset in source of text[i]; one more for the end

    def printed(self, start: int, end: int) -> str:
        """The printed text of ``text[start:end]``, whitespace collapsed."""
        if start >= end:
            return ""
        printed = self.source[self.origin[start] : self.origin[end - 1] + 1]
        return _ASCII_SPACES.sub(" ", printed).strip(" ")


def _is_space(char: str) -> bool:
    return char.isspace() or unicodedata.category(char) == "Zs"


def pattern_text(printed: str, marks: Sequence[tuple[int, int]] = ()) -> TextView:
    """The text facts are read from (see the module docstring), mapped back to ``printed``.

    ``marks`` are spans of superscript footnote markers (from extraction): they are left out.
    """
    skip: set[int] = set()
    for start, end in marks:
        skip.update(range(start, end))
    chars: list[str] = []
    origin: list[int] = []
    for index, char in enumerate(printed):
        if index in skip or char in SUPERSCRIPTS:
            continue
        if char in DROPPED:
            if char == "\u00ad":  # "approxi\u00ad mately": a soft hyphen joins across a space
                while chars and chars[-1] == " ":
                    chars.pop()
                    origin.pop()
                skip.update(_spaces_after(printed, index))
            continue
        between_digits = bool(chars) and chars[-1].isdigit()
        if char in GROUP_SPACES and between_digits:
            out = _GROUP
        elif char in GROUP_APOSTROPHES and between_digits and _digit_next(printed, index, skip):
            out = _APOSTROPHE
        elif _is_space(char):
            out = " "
        else:
            out = MAPPED.get(char, char)
            if "\uff01" <= char <= "\uff5e" and char not in MAPPED:  # full-width ASCII
                out = unicodedata.normalize("NFKC", char)
        for piece in out:
            if piece == " " and (not chars or chars[-1] == " "):
                continue
            chars.append(piece)
            origin.append(index)
    text = "".join(chars)
    if _GROUP in text or _APOSTROPHE in text:
        text, kept = _join_groups(text)
        origin = [origin[i] for i in kept]
    text = text.replace(_GROUP, " ").replace(_APOSTROPHE, "'")
    text = _CAPS_MONTH.sub(lambda m: m.group(1).capitalize(), text)
    while text.endswith(" "):
        text, origin = text[:-1], origin[:-1]
    origin.append(len(printed))
    return TextView(text, printed, tuple(origin))


def _spaces_after(text: str, index: int) -> range:
    end = index + 1
    while end < len(text) and _is_space(text[end]):
        end += 1
    return range(index + 1, end)


def _digit_next(text: str, index: int, skip: set[int]) -> bool:
    """Whether the next character printed after ``text[index]`` (markers skipped) is a digit."""
    after = index + 1
    while after < len(text) and after in skip:
        after += 1
    return after < len(text) and text[after].isdigit()


def _join_groups(text: str) -> tuple[str, list[int]]:
    """Drop the separators inside digit groups ("4\\x00500" → "4500"); indices kept."""
    drop: set[int] = set()
    for match in _JOINED_GROUPS.finditer(text):
        drop.update(
            i for i in range(match.start(), match.end()) if text[i] in (_GROUP, _APOSTROPHE)
        )
    kept = [i for i in range(len(text)) if i not in drop]
    return "".join(text[i] for i in kept), kept


def plain(printed: str) -> str:
    """:func:`pattern_text` without the offsets."""
    return pattern_text(printed).text
