"""What a synthetic KFOR report says: facts → an ordered list of text blocks.

(:mod:`reportwatch.demo.samples.annual` composes the annual reports with an annex table.)

The renderer only lays blocks out; every sentence is decided here. The formulaic sentences
(the period, the troop count, the incident statement) follow the patterns real reports use,
because those are what the normalizer has to read; the routine paragraphs are our own words.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Literal

from reportwatch.demo.samples.facts import SampleReport, format_date

BlockKind = Literal[
    "title",  # the bold letter title under the masthead
    "part",  # "Annex" / "Enclosure": starts a new page
    "original",  # "[Original: English]" right-aligned under a part marker
    "heading",  # a bold section heading
    "report_title",  # the bold report title at the top of the report
    "paragraph",  # an unnumbered paragraph with a first-line indent
    "numbered",  # a numbered paragraph with a hanging indent
    "signature",  # "(Signed) António Guterres"
    "table",  # a table without ruling lines: `cells` (header first), lettered `notes` under it
    "image",  # a page printed as a picture (no text layer); `text` says what it shows
]


@dataclass(frozen=True)
class Block:
    kind: BlockKind
    text: str
    number: int | None = None
    cells: tuple[tuple[str, ...], ...] = ()  # a table's rows, header first; "x^a": mark "a"
    notes: tuple[str, ...] = ()  # a table's notes: "a^Authorized strength is 231."


UNITS = ("one", "two", "three", "four", "five", "six", "seven", "eight", "nine")
TEENS = ("ten", "eleven", "twelve", "thirteen", "fourteen", "fifteen", "sixteen", "seventeen")
NUMBER_WORDS = [
    "zero",
    *UNITS,
    *TEENS,
    "eighteen",
    "nineteen",
    "twenty",
    *(f"twenty-{unit}" for unit in UNITS),
    "thirty",
]

ROUTINE_PARAGRAPHS = (
    "Overall, the security situation in Kosovo stayed calm but fragile during the reporting "
    "period, as political and inter-ethnic questions remained unresolved and the dialogue "
    "between Belgrade and Pristina facilitated by the European Union made little progress.",
    "KFOR carried out its routine framework operations throughout its area of operations and "
    "kept a flexible and proactive force posture, which demonstrated its readiness to act as a "
    "third security responder and its role as an impartial stabilizing presence.",
    "KFOR maintained close cooperation with the other security providers in the Balkans joint "
    "operations area, including regular exchanges of information with the Kosovo police and "
    "the European Union Rule of Law Mission in Kosovo (EULEX).",
    "Liaison and monitoring teams held regular meetings with community representatives and "
    "municipal officials across Kosovo, which helped commanders to understand local concerns "
    "and to reduce tensions before they escalated.",
    "Multinational battle groups conducted patrols, observation posts and joint training with "
    "partner units, and the headquarters rehearsed its contingency plans with the Kosovo "
    "police and EULEX to confirm the agreed security responder sequence.",
    "KFOR continued to support the Kosovo Security Force within the limits of its mandate, "
    "through advice on civil protection, explosive ordnance disposal and search and rescue.",
)

# The 2000s: UNMIK ran the civil administration; EULEX and the Belgrade-Pristina dialogue came later.
MONTHLY_ROUTINE_PARAGRAPHS = (
    "KFOR continued to conduct patrols, vehicle checkpoints and weapons searches throughout its "
    "area of responsibility, often jointly with the police of the United Nations Interim "
    "Administration Mission in Kosovo (UNMIK).",
    "The multinational brigades maintained their presence at patrimonial sites and along the "
    "administrative boundary line, and escorted minority communities where needed.",
    "KFOR worked closely with UNMIK and the Kosovo Police Service, which took over further "
    "static security tasks from KFOR during the reporting period.",
    "KFOR engineers supported civil projects, including the repair of roads and bridges, and "
    "the clearance of unexploded ordnance near villages in the south.",
)
MONTHLY_SUMMARY = (
    "KFOR continued to carry out its mandate under Security Council resolution 1244 (1999) in "
    "close cooperation with UNMIK, to maintain a safe and secure environment in Kosovo."
)

SUMMARY = (
    "During the reporting period, KFOR continued to fulfil its mandate under Security Council "
    "resolution 1244 (1999) to maintain a safe and secure environment and freedom of movement "
    "for all communities in Kosovo, in close coordination with the Kosovo police and EULEX."
)

NO_MAJOR_INCIDENTS = (
    "There were no major security incidents during the reporting period and no requests for "
    "KFOR to intervene as a third security responder."
)
MAJOR_INCIDENTS = (
    "There were major security incidents during the reporting period, and KFOR intervened as "
    "a third security responder to restore a safe and secure environment."
)


def compose(report: SampleReport) -> list[Block]:
    """All blocks of the document, in reading order."""
    blocks: list[Block] = []
    with_nato_letter = "annex" in report.layers and "enclosure" in report.layers
    if "letter" in report.layers:
        blocks.append(Block("title", report.letter_title))
        blocks.extend(_cover_letter(report, with_nato_letter))
    if with_nato_letter:
        blocks.append(Block("part", "Annex"))
        blocks.append(Block("original", "[Original: English]"))
        blocks.extend(_nato_letter(report))
        blocks.append(Block("part", "Enclosure"))
    elif "annex" in report.layers:
        blocks.append(Block("part", "Annex"))
    blocks.extend(_report(report))
    return blocks


def _cover_letter(report: SampleReport, with_nato_letter: bool) -> list[Block]:
    period = period_phrase(report.period_start, report.period_end, "from_to")
    kind = "monthly " if report.era == "monthly" else ""
    if with_nato_letter and report.nato_letter_date is not None:
        first = (
            "In accordance with Security Council resolution 1244 (1999), I have the honour to "
            f"forward the attached letter, dated {format_date(report.nato_letter_date)}, from the "
            "Secretary General of the North Atlantic Treaty Organization, "
            f"{report.nato_sg_name}, transmitting the {kind}report on the international security "
            f"presence in Kosovo, covering the period {period} (see annex)."
        )
    else:
        first = (
            "In accordance with Security Council resolution 1244 (1999), I have the honour to "
            f"transmit herewith the {kind}report on the operations of the Kosovo Force covering "
            f"the period {period} (see annex)."
        )
    second = (
        "I would be grateful if the present letter and its annex could be brought to the "
        "attention of the members of the Security Council."
    )
    return [
        Block("paragraph", first),
        Block("paragraph", second),
        Block("signature", f"(Signed) {report.sg_name}"),
    ]


def _nato_letter(report: SampleReport) -> list[Block]:
    blocks: list[Block] = []
    if report.nato_letter_date is not None:
        blocks.append(
            Block(
                "title",
                f"Letter dated {format_date(report.nato_letter_date)} from the Secretary General "
                "of the North Atlantic Treaty Organization addressed to the Secretary-General",
            )
        )
    kind = "monthly" if report.era == "monthly" else "quarterly"
    period = period_phrase(report.period_start, report.period_end, "from_to_full")
    blocks.append(
        Block(
            "paragraph",
            "In accordance with paragraph 20 of Security Council resolution 1244 (1999), I attach "
            f"the {kind} report on Kosovo Force operations covering the period {period} (see "
            "enclosure). I would appreciate your making the report available to the members of "
            "the Council.",
        )
    )
    blocks.append(Block("signature", f"(Signed) {report.nato_sg_name}"))
    return blocks


def _report(report: SampleReport) -> list[Block]:
    numbered: list[str] = [period_sentence(report)]
    troops = troop_sentence(report)
    if troops:
        numbered.append(troops + (f" {report.troops_addendum}" if report.troops_addendum else ""))
    if report.major_incidents is not None:
        numbered.append(MAJOR_INCIDENTS if report.major_incidents else NO_MAJOR_INCIDENTS)
    situation: list[str] = [incident_sentence(i.date, i.place, i.summary) for i in report.incidents]
    situation.extend(report.distractors)
    monthly = report.era == "monthly"
    routine = MONTHLY_ROUTINE_PARAGRAPHS if monthly else ROUTINE_PARAGRAPHS
    count = 3 + report.filler_paragraphs
    situation.extend(routine[i % len(routine)] for i in range(count))

    blocks = [Block("report_title", report.title)]
    first_heading = "Introduction" if report.era == "quarterly" else "General"
    second_heading = (
        "Security situation update and operations"
        if report.era == "quarterly"
        else "Security situation and incidents"
    )
    number = 0
    for heading, texts in (
        (first_heading, numbered),
        (second_heading, situation),
        ("Summary", [MONTHLY_SUMMARY if monthly else SUMMARY]),
    ):
        blocks.append(Block("heading", heading))
        for text in texts:
            number += 1
            blocks.append(Block("numbered", text, number))
    return blocks


def period_phrase(start: dt.date, end: dt.date, wording: str) -> str:
    """The period as real reports print it (see ``PeriodWording`` in facts)."""
    same_year = start.year == end.year
    same_month = same_year and start.month == end.month
    if wording == "from_to_full":
        return f"from {format_date(start)} to {format_date(end)}"
    if wording in {"days_of_month", "from_to"} and same_month:
        return f"from {start.day} to {format_date(end)}"
    if wording == "dash":
        if same_month:
            return f"{start.day}-{format_date(end)}"
        return f"{start.day} {start:%B}-{format_date(end)}"
    if wording == "covering_no_year":
        if same_month:
            return f"{start.day} to {end.day} {end:%B}"
        return f"{start.day} {start:%B} to {end.day} {end:%B}"
    if wording == "parenthesized":
        return f"({start.day} {start:%B}-{end.day} {end:%B})"
    if same_year:
        return f"from {start.day} {start:%B} to {format_date(end)}"
    return f"from {format_date(start)} to {format_date(end)}"


def period_sentence(report: SampleReport) -> str:
    phrase = period_phrase(report.period_start, report.period_end, report.period_wording)
    if report.period_wording == "parenthesized":
        return (
            f"Over the reporting period {phrase}, KFOR continued to carry out its mandate under "
            "Security Council resolution 1244 (1999)."
        )
    if report.period_wording == "covering_no_year":
        return (
            f"The present report, covering the period {phrase}, is submitted in accordance with "
            "Security Council resolution 1244 (1999)."
        )
    if report.period_wording == "dash":
        return f"The present report covers Kosovo Force (KFOR) activities for the period {phrase}."
    return (
        "The present report is submitted in accordance with Security Council resolution "
        f"1244 (1999) and covers Kosovo Force (KFOR) activities during the period {phrase}."
    )


def troop_sentence(report: SampleReport) -> str | None:
    if report.troops_total is None:
        return None
    verb = _troop_verb(report.troops_qualifier)
    count = _figure(report.troops_total, report.digit_group)
    as_of = format_date(report.troops_as_of)
    nations = _nations_clause(report)
    if report.era == "monthly":
        sentence = f"The total number of KFOR troops in theatre on {as_of} {verb} {count}"
        if report.non_nato_troops is not None:
            non_nato = _figure(report.non_nato_troops, report.digit_group)
            sentence += f", which included {non_nato} troops from non-NATO countries"
        return sentence + (f", {nations}" if nations else "") + "."
    sentence = f"As at {as_of}, the total number of KFOR troops in theatre {verb} {count}"
    return sentence + (f", {nations}" if nations else "") + "."


def _figure(value: int, separator: str) -> str:
    """15413 → '15,413', or grouped with another separator ('15 413')."""
    return f"{value:,}".replace(",", separator)


def _troop_verb(qualifier: str | None) -> str:
    if qualifier is None:
        return "was"
    if qualifier.split()[0] in {"remained", "stood", "was", "reached"}:
        return qualifier
    return f"was {qualifier}"


def _nations_clause(report: SampleReport) -> str:
    if report.nato_nations is None or report.non_nato_nations is None:
        return ""
    nato = _count(report.nato_nations, report.nations_in_words)
    other = _count(report.non_nato_nations, report.nations_in_words)
    if report.era == "monthly":
        return f"from {nato} NATO and {other} non-NATO countries"
    return (
        f"from {nato} North Atlantic Treaty Organization (NATO) and {other} non-NATO "
        "troop-contributing nations"
    )


def _count(value: int, in_words: bool) -> str:
    if in_words and 0 <= value < len(NUMBER_WORDS):
        return NUMBER_WORDS[value]
    return str(value)


def incident_sentence(date: dt.date, place: str, summary: str) -> str:
    return f"On {format_date(date)} in {place}, {summary}"
