"""The masthead of page 1: symbols, distribution date, original language, job number, reissue.

ODS mastheads of every era, as printed (each ``/`` is a new printed line):

* 2000s-2020s: big "S" + "United Nations /2025/378" (one baseline: one line "S/2025/378") /
  "Security Council" / "Distr.: General" / date / ["English"] / "Original: French";
* joint documents: big "A" and "S" + "United Nations /80/434- /2025/632" / "General Assembly" /
  "Security Council" and the date on one line / "Original: English" / the agenda block at the
  left margin ("Eightieth session", "Agenda item 26", ...);
* 1990s: "UNITED NATIONS" / "S" / "Security Council" / "Distr." / "GENERAL" / symbol / date /
  "ORIGINAL: ENGLISH".

A reissued document prints its symbol with asterisks ("S/2012/197***"); the asterisks are not
part of the symbol. Its note ("*** Third reissue for technical reasons (17 April 2012)") is
read by :mod:`tasks.read.furniture`. The job number is printed at the foot of page 1
("12-27711*** (E) 170412"); its trailing six digits are the processing date, not a date of the
document.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field

from tasks.read.pdf_lines import Line

MONTHS = "January|February|March|April|May|June|July|August|September|October|November|December"
DATE = re.compile(rf"\b(\d{{1,2}})\s+({MONTHS})\s+(\d{{4}})\b", re.IGNORECASE)
SYMBOL_PATTERN = (
    r"(?<![A-Za-z0-9/.])(?:A|S|E|ST|DP|UNEP|TD)(?:/[A-Z][A-Za-z]*(?:\.\d+)?)*/\d{1,4}/\d{1,4}"
    r"(?:/(?:Add|Corr|Rev|Amend)\.\d+)*"
)
SYMBOL = re.compile(rf"({SYMBOL_PATTERN})(\**)")
DISTR = re.compile(r"^Distr\.?:?\s*(General|Limited|Restricted)?\b", re.IGNORECASE)
DISTRIBUTION_KIND = re.compile(r"^(GENERAL|LIMITED|RESTRICTED)$", re.IGNORECASE)
ORIGINAL = re.compile(r"\bOriginal\s*:\s*([A-Za-z]+)", re.IGNORECASE)
JOB_NUMBER = re.compile(r"(?<![\d-])(\d{2}-\d{5})(\**)\s*\(([A-Z])\)")
SHORT_JOB = re.compile(r"^(\d{2}-\d{5})\**$")
MASTHEAD_LINES = 24  # the masthead is never longer than this many printed lines


@dataclass
class Masthead:
    symbols: list[str] = field(default_factory=list)
    reissue_marks: str = ""  # the asterisks printed after the symbol
    distribution_date: dt.date | None = None
    original_language: str | None = None
    job_number: str | None = None
    end: float = -1.0  # baseline of the last masthead line on page 1 (-1: none found)

    @property
    def symbol(self) -> str | None:
        """The Security Council symbol of a joint document (else the only one)."""
        return next((s for s in self.symbols if s.startswith("S/")), None) or (
            self.symbols[0] if self.symbols else None
        )


def read_masthead(page_one: list[Line], margin: float, body_size: float) -> Masthead:
    """Read the masthead block at the top of page 1 (``page_one`` in reading order).

    ``margin`` and ``body_size`` are the document's text margin and type size: lines in body
    type well left of the margin just under the masthead are the agenda block of a joint
    document ("Eightieth session", "Agenda item 26"), part of the masthead.
    """
    head = page_one[:MASTHEAD_LINES]
    masthead = Masthead()
    texts = [_segments(line) for line in head]
    original = next((i for i, t in enumerate(texts) if any(ORIGINAL.search(s) for s in t)), None)
    distr = next((i for i, t in enumerate(texts) if any(DISTR.match(s) for s in t)), None)
    last = original if original is not None else distr
    if last is None:
        return masthead
    for index in range(last + 1):
        for text in texts[index]:
            for symbol, stars in SYMBOL.findall(text):
                if symbol not in masthead.symbols:
                    masthead.symbols.append(symbol)
                masthead.reissue_marks = masthead.reissue_marks or stars
            dated = DATE.search(text) if distr is None or index >= distr else None
            if masthead.distribution_date is None and dated and not JOB_NUMBER.search(text):
                masthead.distribution_date = _date(dated)
            if masthead.original_language is None and (found := ORIGINAL.search(text)):
                masthead.original_language = found.group(1).capitalize()
    end = head[last].baseline
    # The agenda block of a joint document sits at the left edge, before the title.
    for line in head[last + 1 :]:
        if line.x0 < margin - 3 * body_size and line.size <= 1.05 * body_size:
            end = line.baseline
            continue
        break
    masthead.end = end
    masthead.job_number = job_number(page_one)
    return masthead


def _segments(line: Line) -> list[str]:
    texts = [segment.text for segment in line.segments]
    return texts if len(texts) > 1 else [line.text]


def job_number(lines: list[Line]) -> str | None:
    """The job number of the page-1 job line, "25-05237 (E) 300425" → "25-05237"."""
    for line in reversed(lines):
        if match := JOB_NUMBER.search(line.text):
            return match.group(1)
    return None


def short_job_number(lines: list[Line]) -> str | None:
    """The job number of a running footer ("2/13 25-08272"), when page 1 has no job line."""
    for line in lines:
        for segment in line.segments:
            if match := SHORT_JOB.match(segment.text):
                return match.group(1)
    return None


def _date(match: re.Match[str]) -> dt.date | None:
    day, month, year = match.groups()
    try:
        return dt.datetime.strptime(f"{day} {month.capitalize()} {year}", "%d %B %Y").date()
    except ValueError:
        return None
