"""Dates and date ranges as United Nations documents write them (day month year).

The reports write a period in many ways: "from 1 January to 31 March 2020", "from 1 January
2020 to 31 March 2020", "from 1 to 31 July 2008" (month once), "(24 January-22 February)"
(year only in the cover letter), "1-31 March 2001". :data:`RANGE_PATTERN` reads them all;
:func:`range_from_match` turns a match into dates, taking a missing year from a fallback.

Month names are matched case-sensitively even inside case-insensitive patterns, so "may"
the verb never becomes a month, and a date always needs a day number before its month, so
"resolution 1244 (1999)" and job-number stamps such as "110321" are never dates.
"""

from __future__ import annotations

import calendar
import datetime as dt
import re
from dataclasses import dataclass

MONTHS: dict[str, int] = {
    "January": 1,
    "February": 2,
    "March": 3,
    "April": 4,
    "May": 5,
    "June": 6,
    "July": 7,
    "August": 8,
    "September": 9,
    "October": 10,
    "November": 11,
    "December": 12,
}
_ABBREVIATIONS: dict[str, int] = {
    "Jan": 1,
    "Feb": 2,
    "Mar": 3,
    "Apr": 4,
    "Jun": 6,
    "Jul": 7,
    "Aug": 8,
    "Sept": 9,
    "Sep": 9,
    "Oct": 10,
    "Nov": 11,
    "Dec": 12,
}
_MONTH_NAMES = "|".join([*MONTHS, *_ABBREVIATIONS])
MONTH_PATTERN = rf"(?-i:(?:{_MONTH_NAMES})\b\.?)"

_DAY = r"(?:[12]\d|3[01]|0?[1-9])(?:st|nd|rd|th)?"
YEAR_PATTERN = _YEAR = r"(?:19|20)\d\d"

# "31.12.2023", "31/12/2023" (day first, as United Nations documents write them) and
# "end-December 2023", "end of December 2023" (the month's last day): as-at dates in other hands.
_NUMERIC_DATE = r"\b(?:[12]\d|3[01]|0?[1-9])[./](?:1[0-2]|0?[1-9])[./](?:19|20)\d\d\b"
_END_OF_MONTH = rf"\bend(?:-|\s+of\s+|\s+)(?-i:{MONTH_PATTERN})(?:,?\s+{_YEAR}\b)?"
# "6 June", "31 March 2020", "3/4 February" (a night spanning two days: the first is kept).
DATE_PATTERN = (
    rf"(?:\b{_DAY}(?:/\d{{1,2}})?\s+{MONTH_PATTERN}(?:,?\s+{_YEAR}\b)?"
    rf"|{_NUMERIC_DATE}|{_END_OF_MONTH})"
)
_NUMERIC_PARTS_RE = re.compile(r"(?P<day>\d{1,2})[./](?P<month>\d{1,2})[./](?P<year>(?:19|20)\d\d)")
_END_PARTS_RE = re.compile(
    rf"\bend(?:-|\s+of\s+|\s+)(?P<month>{MONTH_PATTERN})(?:,?\s+(?P<year>{_YEAR}))?",
    re.IGNORECASE,
)
_DATE_PARTS_RE = re.compile(
    rf"(?P<day>\d{{1,2}})(?:st|nd|rd|th)?(?:/\d{{1,2}})?\s+(?P<month>{MONTH_PATTERN})"
    rf"(?:,?\s+(?P<year>{_YEAR}))?"
)


def _range_pattern(separators: str) -> str:
    """Named groups: d1 [m1] [y1] (separator) d2 m2 [y2]."""
    return (
        rf"\b(?P<d1>{_DAY})(?:\s+(?P<m1>{MONTH_PATTERN}))?(?:,?\s+(?P<y1>{_YEAR}))?"
        rf"\s*(?:{separators})\s*"
        rf"(?P<d2>{_DAY})\s+(?P<m2>{MONTH_PATTERN})(?:,?\s+(?P<y2>{_YEAR})\b)?"
    )


# "from 1 January to 31 March 2020", "1-31 March 2001", "between 1 April and 30 June 2012".
RANGE_PATTERN = _range_pattern(r"-|–|—|\bto\b|\bthrough\b|\buntil\b|\btill\b|\band\b")

LAST_DAY = 0

# Longest plausible reporting period; anything longer is a misreading.
MAX_PERIOD_DAYS = 400


@dataclass(frozen=True)
class PartialDate:
    """A date as written: the year may be missing ("On 12 June, ...")."""

    day: int  # LAST_DAY: the month's last day, whatever the year
    month: int
    year: int | None

    def resolve(self, year: int | None) -> dt.date | None:
        """The date, with ``year`` standing in for a missing one; ``None`` if impossible."""
        chosen = self.year if self.year is not None else year
        if chosen is None:
            return None
        day = calendar.monthrange(chosen, self.month)[1] if self.day == LAST_DAY else self.day
        try:
            return dt.date(chosen, self.month, day)
        except ValueError:
            return None


@dataclass(frozen=True)
class PartialRange:
    start: PartialDate
    end: PartialDate

    @property
    def has_year(self) -> bool:
        return self.end.year is not None or self.start.year is not None

    def same_days(self, other: PartialRange) -> bool:
        return (self.start.day, self.start.month, self.end.day, self.end.month) == (
            other.start.day,
            other.start.month,
            other.end.day,
            other.end.month,
        )


def month_number(name: str) -> int:
    word = name.rstrip(".")
    return MONTHS.get(word) or _ABBREVIATIONS[word]


def _digits(text: str) -> int:
    return int(re.match(r"\d+", text).group())  # type: ignore[union-attr]


def partial_date(text: str) -> PartialDate | None:
    """Read "31 March 2020", "6 June" (no year), "31.12.2023", "31/12/2023" or "end-December
    2023" (its last day) into a :class:`PartialDate`."""
    match = _DATE_PARTS_RE.search(text)
    if match is None:
        numeric = _NUMERIC_PARTS_RE.search(text)
        if numeric is not None:
            day, month, numeric_year = (int(numeric.group(g)) for g in ("day", "month", "year"))
            return PartialDate(day, month, numeric_year) if 1 <= month <= 12 else None
        end = _END_PARTS_RE.search(text)
        if end is None:
            return None
        return PartialDate(
            LAST_DAY, month_number(end.group("month")), int(end.group("year") or 0) or None
        )
    year = match.group("year")
    return PartialDate(
        day=int(match.group("day")),
        month=month_number(match.group("month")),
        year=int(year) if year else None,
    )


def _group(match: re.Match[str], name: str) -> str | None:
    return match.group(name) if name in match.re.groupindex else None


def range_from_match(match: re.Match[str]) -> PartialRange:
    """Turn a :data:`RANGE_PATTERN` match into a range; the start borrows what it omits.

    A pattern without days (``m2`` and ``y2`` only: "for the month of March 2001") gives the
    whole month.
    """
    end_month = month_number(match.group("m2"))
    end_year = int(match.group("y2")) if _group(match, "y2") else None
    m1 = _group(match, "m1")
    start_month = month_number(m1) if m1 else end_month
    y1 = _group(match, "y1")
    d1, d2 = _group(match, "d1"), _group(match, "d2")
    end_day = _digits(d2) if d2 else LAST_DAY
    if y1:
        start_year: int | None = int(y1)
    elif end_year is not None and start_month > end_month:
        # "from 15 December to 14 January 2001": the start is in the year before.
        start_year = end_year - 1
    else:
        start_year = end_year
    return PartialRange(
        start=PartialDate(_digits(d1) if d1 else 1, start_month, start_year),
        end=PartialDate(end_day, end_month, end_year),
    )


def resolve_range(
    partial: PartialRange, fallback_year: int | None
) -> tuple[dt.date, dt.date] | None:
    """Dates for a range; ``fallback_year`` is the year of its end when the text omits it."""
    end_year = partial.end.year if partial.end.year is not None else fallback_year
    if end_year is None:
        return None
    start_year = partial.start.year
    if start_year is None:
        start_year = end_year - 1 if partial.start.month > partial.end.month else end_year
    start = partial.start.resolve(start_year)
    end = partial.end.resolve(end_year)
    if start is None or end is None or start > end:
        return None
    if (end - start).days > MAX_PERIOD_DAYS:
        return None
    return start, end


def year_before(reference: dt.date, month: int) -> int:
    """The year of the last ``month`` ending on or before ``reference`` (a letter's date).

    A report is transmitted after its period, so a period ending in December that is sent
    in March belongs to the previous year.
    """
    return reference.year if month <= reference.month else reference.year - 1


def year_within(
    date: PartialDate, period_start: dt.date | None, period_end: dt.date | None
) -> int | None:
    """The year that puts a day and month inside the period (or nearest its end)."""
    if date.year is not None:
        return date.year
    if period_start is None or period_end is None:
        return None
    for year in range(period_start.year, period_end.year + 1):
        candidate = date.resolve(year)
        if candidate is not None and period_start <= candidate <= period_end:
            return year
    return period_end.year if date.month <= period_end.month else period_start.year
