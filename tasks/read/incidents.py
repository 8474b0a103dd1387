"""Incidents a report lists: "On 6 June 2008 in Suvi Do (Multinational Task Force North), ...".

An incident starts at a sentence that opens with a day and month and has an incident term
from the profile ("killed", "explosion", "demonstrated", ...); the sentences after it in the same
paragraph that do not open with a date belong to it ("No one was injured."). The year
is taken from the text, else from the reporting period. Casualties are counted only when the
text states them, in digits or words ("two soldiers were injured"); "No one was injured"
gives 0 and silence gives ``None``.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Sequence
from dataclasses import dataclass

from reportwatch.models import Evidence, Incident
from tasks.read.numbers import NUMBER_PATTERN, parse_number
from tasks.read.textdates import DATE_PATTERN, MONTHS, partial_date, year_within

MAX_SUMMARY_CHARS = 500

_NOT_AFTER_MONTH = "".join(f"(?<!{month} )" for month in MONTHS)  # "June 2008 a man" is no count
_ONE = r"\ban?\b(?!\s+(?:number|few|group|crowd|total|couple|dozen|series|lot|range)\b)"
_VICTIM_COUNT = rf"{_NOT_AFTER_MONTH}(?<!no )(?:{NUMBER_PATTERN}|{_ONE})"
_PASSIVE_HURT = r"(?:was|were)\s+(?:\w+\s+)?(?:killed|injured|wounded|hurt)"
# A bare "wounded" follows its victims ("two Serbs dead and three wounded"), unless it is
# active and its object follows ("a gunman wounded two"), which the first form reads.
_BARE_HURT = rf"(?:died|dead|wounded|injured)\b(?!\s+(?:{NUMBER_PATTERN}|a|an|the)\b)"
_CASUALTY_RE = re.compile(
    "|".join(
        [
            # "injuring 32 people", "killed one man and injured three others"
            rf"\b(?:kill|injur|wound)(?:ed|ing)\s+(?:at\s+least\s+)?(?P<after_verb>{_VICTIM_COUNT})",
            # "the death of 5 civilians, the wounding of 2 KFOR soldiers"
            rf"\b(?:deaths?|killing|wounding|injur(?:y|ies))\s+of\s+(?P<after_noun>{_VICTIM_COUNT})",
            # "two soldiers were injured", "two children died", "two Serbs dead"
            rf"(?P<before>{_VICTIM_COUNT})\s+(?:(?!{NUMBER_PATTERN}\b)[\w'’\-]+\s+){{0,5}}?"
            rf"(?:{_PASSIVE_HURT}|{_BARE_HURT})",
        ]
    ),
    re.IGNORECASE,
)
_NO_CASUALTY_RE = re.compile(
    r"\b(?:no\s+one|nobody|no\s+(?:one\s+)?(?:person|people|persons)|none)\s+(?:was|were)\s+"
    r"(?:\w+\s+)?(?:killed|injured|wounded|hurt)\b|\bno\s+(?:casualties|injuries|fatalities)\b"
    r"|\bwithout\s+(?:casualties|injuries)\b",
    re.IGNORECASE,
)
# An incident sentence opens with its date: "On 6 June 2008 in ...", "During the evening of
# 13 December, ...", "On the night of 3/4 February, ..." (a paragraph number may precede it).
# A date further into a sentence ("arrested after the violence of 29 May") is not an incident.
_OPENING_DATE_RE = re.compile(
    r"^(?:\(?\d{1,3}[.)]\s+)?"
    r"(?:(?:On|During|In|Late\s+on|Early\s+on)\s+(?:the\s+)?"
    r"(?:(?:night|evening|morning|afternoon|early\s+hours)\s+of\s+)?)?"
    rf"(?P<date>{DATE_PATTERN})"
)
_PLACE_WORD = r"(?:[A-ZÀ-ÝŠŽČĆĐ][\w'’\-]*)"
_PLACE_NAME = rf"{_PLACE_WORD}(?:\s+{_PLACE_WORD})*"
_PLACE_RE = re.compile(
    rf"(?P<before>\S*)\s+(?:[Ii]n|near|at|outside|between)\s+"
    rf"(?:the\s+(?:village|town|city|municipality)\s+of\s+)?"
    # "northern Kosovo", "Zvečan, Leposavić and Zubin Potok", "Banjska (Zvečan municipality)"
    rf"(?P<place>(?:(?:northern|southern|eastern|western|central|north|south|east|west)\s+)?"
    rf"{_PLACE_NAME}(?:(?:,\s+{_PLACE_NAME})*,?\s+and\s+{_PLACE_NAME})?"
    r"(?:\s*\((?:[^()]|\([^()]*\))*\))?)"
)
_INSTITUTIONS = frozenset(
    {"Administration", "Mission", "Force", "Office", "Police", "Service", "Presence", "Council"}
    | {"Assembly", "Government", "Court", "Operations", "Operation", "Institutions", "Corps"}
)
_NOT_PLACES = frozenset({*MONTHS, "KFOR", "NATO", "UNMIK", "EULEX", "The", "This", "Security"})


@dataclass(frozen=True)
class IncidentSentence:
    """One sentence of the report, with where it came from."""

    text: str
    page: int | None
    paragraph: int | None
    paragraph_key: int  # index of its paragraph in the document, to group continuations
    printed: str | None = None  # the sentence as printed (evidence), when it differs


# Words that take back a "no major incidents" statement in its own sentence: "Apart from the
# incident in Zvečan ..., there were no major security incidents", "... no major incidents
# involving KFOR; however, on 29 November a police officer was killed", "... until 29 November".
EXCEPTION_TERMS = re.compile(
    r"\b(?:apart\s+from|aside\s+from|except|excepting|with\s+the\s+exception|other\s+than|"
    r"save\s+for|beyond|however|but|although|though|while|whereas|until|till|nevertheless|"
    r"cannot\s+be\s+said|not\s+true|in\s+the\s+first|only|involving)\b",
    re.IGNORECASE,
)


def count_casualties(text: str) -> int | None:
    """People killed or injured that ``text`` states; 0 for "no one was injured"; else None."""
    total = 0
    found = False
    for match in _CASUALTY_RE.finditer(text):
        raw = match.group("after_verb") or match.group("after_noun") or match.group("before")
        value = 1 if raw.lower() in ("a", "an") else parse_number(raw)
        if value is None:
            continue
        total += value
        found = True
    if found:
        return total
    return 0 if _NO_CASUALTY_RE.search(text) else None


def _location(text: str) -> str | None:
    """The first place named after "in", "near", "at" ... in ``text``.

    In "Interim Administration in Kosovo" the place is part of an institution's name, not
    where something happened.
    """
    for match in _PLACE_RE.finditer(" " + text):
        place = match.group("place").strip()
        if match.group("before").strip("(") in _INSTITUTIONS:
            continue
        if place.split()[0] not in _NOT_PLACES:
            return place
    return None


def extract_incidents(
    sentences: Sequence[IncidentSentence],
    *,
    terms: re.Pattern[str],
    period_start: dt.date | None,
    period_end: dt.date | None,
) -> list[Incident]:
    """Incidents in ``sentences`` (document order): a dated sentence plus its continuations."""
    groups: list[list[IncidentSentence]] = []
    for sentence in sentences:
        if _OPENING_DATE_RE.match(sentence.text):
            groups.append([sentence])
        elif groups and groups[-1][-1].paragraph_key == sentence.paragraph_key:
            groups[-1].append(sentence)
    incidents: list[Incident] = []
    for group in groups:
        text = " ".join(s.text for s in group)
        if not terms.search(text):
            continue
        printed = " ".join(s.printed or s.text for s in group)
        date_match = _OPENING_DATE_RE.match(group[0].text)
        assert date_match is not None  # a group always starts at a dated sentence
        written = partial_date(date_match.group("date"))
        date = None
        if written is not None:
            date = written.resolve(year_within(written, period_start, period_end))
        summary = (
            printed if len(printed) <= MAX_SUMMARY_CHARS else printed[: MAX_SUMMARY_CHARS - 1] + "…"
        )
        incidents.append(
            Incident(
                date=date,
                location=_location(group[0].text[date_match.end("date") :]),
                summary=summary,
                casualties=count_casualties(text),
                evidence=Evidence(page=group[0].page, paragraph=group[0].paragraph, text=printed),
            )
        )
    return incidents
