"""Round trip: generated report facts → rendered report text → normalize → the same facts.

The renderer below writes the letters and report the way the real series does in each era
(monthly with exact counts, quarterly with rounded counts and contributing nations), with
every period wording and qualifier, nations in digits or words, and distractors nearby.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from reportwatch.models import DocumentText, PageText, Paragraph, Report
from reportwatch.series import load_series
from tasks.read.normalize import normalize
from tasks.read.numbers import words_to_int

PROFILE: dict[str, Any] = load_series("kfor").profile
MONTHS = [
    "January", "February", "March", "April", "May", "June",
    "July", "August", "September", "October", "November", "December",
]  # fmt: skip
ONES = ["", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten",
        "eleven", "twelve", "thirteen", "fourteen", "fifteen", "sixteen", "seventeen",
        "eighteen", "nineteen"]  # fmt: skip
TENS = ["", "", "twenty", "thirty", "forty", "fifty", "sixty", "seventy", "eighty", "ninety"]
QUALIFIERS = ["approximately", "almost", "some", "about", "around", "over", "nearly"]
PLACES = [
    "Mitrovica",
    "Suvi Do (Multinational Task Force North)",
    "Zubin Potok",
    "northern Kosovo (Jarinje crossing point)",
    "Pristina (Multinational Brigade (Centre))",
]
DISTRACTORS = [
    "Items seized during the period included 41 weapons and 1,250 rounds of ammunition.",
    "Representatives from 37 countries met at a donors' conference and pledged €1.2 billion.",
    "KFOR acted in accordance with paragraph 20 of Security Council resolution 1244 (1999).",
    "Police arrested 35 people after the riot; 12 KFOR soldiers were injured by stones.",
]


def int_to_words(value: int) -> str:
    """Our own spelling of 1..999, independent of the parser under test."""
    hundreds, rest = divmod(value, 100)
    parts = [f"{ONES[hundreds]} hundred"] if hundreds else []
    if rest:
        below = (
            ONES[rest]
            if rest < 20
            else TENS[rest // 10] + (f"-{ONES[rest % 10]}" if rest % 10 else "")
        )
        parts.append(("and " if hundreds else "") + below)
    return " ".join(parts)


def day_month(date: dt.date) -> str:
    return f"{date.day} {MONTHS[date.month - 1]}"


def full(date: dt.date) -> str:
    return f"{day_month(date)} {date.year}"


@dataclass(frozen=True)
class Incident:
    date: dt.date
    year_written: bool
    place: str
    casualties: int
    casualties_in_words: bool


@dataclass(frozen=True)
class Facts:
    era: str  # monthly | quarterly
    start: dt.date
    end: dt.date
    as_of: dt.date
    troops: int
    qualifier: str | None
    troop_verb: str
    nato: int
    non_nato: int
    nations_in_words: bool
    non_nato_troops: int | None
    non_nato_phrasing: int
    period_wording: int
    no_incident_statement: bool
    distractors: tuple[str, ...]
    incident: Incident | None

    @property
    def letter_date(self) -> dt.date:
        return self.end + dt.timedelta(days=45)


def period_text(facts: Facts) -> str:
    """The period as the report writes it; wordings that need one month fall back to another."""
    start, end = facts.start, facts.end
    same_month = (start.year, start.month) == (end.year, end.month)
    wording = facts.period_wording
    if wording in (2, 3) and not same_month:
        wording = 0
    if wording == 0 and start.year != end.year:
        wording = 1
    if wording == 0:
        return f"covers the period from {day_month(start)} to {full(end)}"
    if wording == 1:
        return f"covers the period from {full(start)} to {full(end)}"
    if wording == 2:
        return f"covers the period from {start.day} to {full(end)}"
    if wording == 3:
        return f"covers the period {start.day}-{full(end)}"
    # No year at all: it is only in the cover letter.
    return f"covers the reporting period ({day_month(start)}-{day_month(end)})"


def render(facts: Facts) -> DocumentText:
    rows: list[tuple[str, str | None, int | None, int, str]] = []
    sg = "from the Secretary-General addressed to the President of the Security Council"
    rows.append(("letter", None, None, 1, f"Letter dated {full(facts.letter_date)} {sg}"))
    rows.append(("letter", None, None, 1,
                 "Pursuant to Security Council resolution 1244 (1999), I have the honour to "
                 "transmit the attached report on the international security presence in Kosovo, "
                 f"covering the period from {full(facts.start)} to {full(facts.end)} (see annex)."))  # fmt: skip
    rows.append(("letter", None, None, 1, "(Signed) António Guterres"))
    part = "annex" if facts.era == "monthly" else "enclosure"
    heading = (
        "Monthly report to the United Nations on the operations of the Kosovo Force"
        if facts.era == "monthly"
        else "Report to the United Nations on Kosovo Force operations"
    )
    number = 1
    rows.append((part, heading, number, 2, f"The present report {period_text(facts)}."))
    figure = f"{facts.qualifier} {facts.troops:,}" if facts.qualifier else f"{facts.troops:,}"
    troops = (
        f"As at {full(facts.as_of)}, the total number of KFOR troops in theatre "
        f"{facts.troop_verb} {figure}"
    )
    if facts.era == "quarterly":
        nato, non_nato = (
            (int_to_words(facts.nato), int_to_words(facts.non_nato))
            if facts.nations_in_words
            else (str(facts.nato), str(facts.non_nato))
        )
        troops += (f", from {nato} North Atlantic Treaty Organization (NATO) and {non_nato} "
                   "non-NATO troop-contributing nations.")  # fmt: skip
    elif facts.non_nato_troops is not None:
        share = f"{facts.non_nato_troops:,}"
        troops += [
            f", which included {share} troops from non-NATO countries.",
            f". This number includes {share} troops from non-NATO countries.",
            f". This includes {share} troops from countries that are not members of the North "
            "Atlantic Treaty Organization (NATO).",
        ][facts.non_nato_phrasing]
    else:
        troops += "."
    number += 1
    rows.append((part, heading, number, 2, troops))
    if facts.no_incident_statement:
        number += 1
        rows.append((part, heading, number, 2,
                     "There were no major security incidents during the reporting period."))  # fmt: skip
    if facts.incident is not None:
        incident = facts.incident
        when = full(incident.date) if incident.year_written else day_month(incident.date)
        count = (
            int_to_words(incident.casualties)
            if incident.casualties_in_words
            else str(incident.casualties)
        )
        number += 1
        rows.append((part, "Security situation", number, 3,
                     f"On {when} in {incident.place}, a patrol came under fire. {count.capitalize()} "
                     "soldiers were injured."))  # fmt: skip
    for distractor in facts.distractors:
        number += 1
        rows.append((part, "Security situation", number, 3, distractor))
    paragraphs = [
        Paragraph(part=p, section=s, number=n, page=pg, text=t) for p, s, n, pg, t in rows
    ]
    pages = [
        PageText(number=n, lines=[p.text for p in paragraphs if p.page == n]) for n in (1, 2, 3)
    ]
    return DocumentText(page_count=3, pages=pages, paragraphs=paragraphs, extractor="generated")


def _month_end(year: int, month: int) -> dt.date:
    following = dt.date(year + month // 12, month % 12 + 1, 1)
    return following - dt.timedelta(days=1)


@st.composite
def report_facts(draw: st.DrawFn) -> Facts:
    era = draw(st.sampled_from(["monthly", "quarterly"]))
    year = draw(st.integers(2000, 2009) if era == "monthly" else st.integers(2010, 2025))
    if era == "monthly":
        month = draw(st.integers(1, 12))
        if draw(st.booleans()):
            start, end = dt.date(year, month, 1), _month_end(year, month)
        else:  # the early reports ran from the 23rd to the 22nd
            start = dt.date(year, month, 23)
            end = start + dt.timedelta(days=30)
    else:
        quarter_start = draw(st.sampled_from([1, 4, 7, 10, 12]))  # 12: across the new year
        start = dt.date(year, quarter_start, 1)
        end = _month_end(start.year + (start.month + 1) // 12, (start.month + 1) % 12 + 1)
    as_of = start + dt.timedelta(days=draw(st.integers(0, (end - start).days)))
    troops = draw(st.integers(100, 60_000))
    incident = None
    if draw(st.booleans()):
        incident = Incident(
            date=start + dt.timedelta(days=draw(st.integers(0, (end - start).days))),
            year_written=draw(st.booleans()),
            place=draw(st.sampled_from(PLACES)),
            casualties=draw(st.integers(1, 120)),
            casualties_in_words=draw(st.booleans()),
        )
    non_nato_troops = None
    if era == "monthly" and draw(st.booleans()):
        non_nato_troops = draw(st.integers(1, troops - 1))
    return Facts(
        era=era,
        start=start,
        end=end,
        as_of=as_of,
        troops=troops,
        qualifier=draw(st.one_of(st.none(), st.sampled_from(QUALIFIERS))),
        troop_verb=draw(st.sampled_from(["was", "remained", "remained at"])),
        nato=draw(st.integers(1, 40)),
        non_nato=draw(st.integers(1, 20)),
        nations_in_words=draw(st.booleans()),
        non_nato_troops=non_nato_troops,
        non_nato_phrasing=draw(st.integers(0, 2)),
        period_wording=draw(st.integers(0, 4)),
        no_incident_statement=incident is None and draw(st.booleans()),
        distractors=tuple(draw(st.lists(st.sampled_from(DISTRACTORS), max_size=3, unique=True))),
        incident=incident,
    )


@settings(max_examples=250, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(report_facts())
def test_rendered_facts_round_trip(facts: Facts) -> None:
    report: Report = normalize(render(facts), series="kfor", profile=PROFILE)
    assert (report.period_start, report.period_end) == (facts.start, facts.end)
    assert report.as_of_date == facts.as_of
    assert report.troops_total == facts.troops
    assert report.troops_approximate is (facts.qualifier is not None)
    assert report.letter_date == facts.letter_date
    assert report.frequency == facts.era
    if facts.era == "quarterly":
        assert (report.nato_nations, report.non_nato_nations) == (facts.nato, facts.non_nato)
        assert report.non_nato_troops is None
    else:
        assert report.nato_nations is None and report.non_nato_nations is None
        assert report.non_nato_troops == facts.non_nato_troops
    # Undated casualty counts among the distractors are not incidents; the dated one is.
    if facts.incident is not None:
        incident = facts.incident
        assert [(i.date, i.location, i.casualties) for i in report.incidents] == [
            (incident.date, incident.place, incident.casualties)
        ]
        assert report.major_incidents is True
    else:
        assert report.incidents == []
        assert report.major_incidents is (False if facts.no_incident_statement else None)
    assert report.signatories == ["António Guterres"]
    assert report.quarantine_reason is None
    assert report.warnings == []
    assert report.evidence["troops_total"].paragraph == 2


@given(st.integers(1, 999))
def test_number_words_round_trip(value: int) -> None:
    assert words_to_int(int_to_words(value)) == value
