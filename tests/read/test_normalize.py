"""normalize: DocumentText → Report, across every era and wording of the KFOR reports.

Documents are built from text with :func:`make_doc` (no PDFs): each row is
(part, section, paragraph number, page, text), as extraction would give them.
"""

from __future__ import annotations

import copy
import datetime as dt
from collections.abc import Sequence
from typing import Any

import pytest

from reportwatch.errors import SeriesError
from reportwatch.models import DocumentText, PageText, Paragraph, Report
from reportwatch.series import load_series
from tasks.read.normalize import NORMALIZER_VERSION, NormalizeProfile, normalize
from tasks.read.numbers import words_to_int
from tasks.read.sentences import split_sentences

Row = tuple[str, str | None, int | None, int, str]
PROFILE: dict[str, Any] = load_series("kfor").profile
SG_TITLE = "from the Secretary-General addressed to the President of the Security Council"


def make_doc(rows: Sequence[Row], **metadata: Any) -> DocumentText:
    """A DocumentText whose paragraphs (and page lines) are ``rows``."""
    paragraphs = [
        Paragraph(part=part, section=section, number=number, page=page, text=text)
        for part, section, number, page, text in rows
    ]
    page_count = max((p.page for p in paragraphs), default=1)
    pages = [
        PageText(number=n, lines=[p.text for p in paragraphs if p.page == n])
        for n in range(1, page_count + 1)
    ]
    return DocumentText(
        page_count=page_count, pages=pages, paragraphs=paragraphs, extractor="test", **metadata
    )


def run(rows: Sequence[Row], **metadata: Any) -> Report:
    return normalize(make_doc(rows, **metadata), series="kfor", profile=PROFILE)


def quarterly(
    troops: str,
    *,
    period: str = "covers the period from 1 April to 30 June 2017",
    incidents: str | None = "There were no major security incidents during the reporting period.",
    extra: Sequence[Row] = (),
) -> list[Row]:
    """A quarterly-era report whose paragraph 2 is ``troops``."""
    rows: list[Row] = [
        ("letter", None, None, 1, f"Letter dated 11 August 2017 {SG_TITLE}"),
        ("enclosure", "Introduction", 1, 2, f"The present report {period}."),
        ("enclosure", "Introduction", 2, 2, troops),
    ]
    if incidents:
        rows.append(("enclosure", "Introduction", 3, 2, incidents))
    return rows + list(extra)


# --- the seed: S/2020 (January-March 2020), a real quarterly report -------------------------

SEED_ROWS: list[Row] = [
    ("letter", None, None, 1, f"Letter dated 25 June 2020 {SG_TITLE}"),
    (
        "letter",
        None,
        None,
        1,
        "Pursuant to Security Council resolution 1244 (1999), I have the honour to transmit the "
        "attached letter, dated 13 May 2020, from the Secretary General of the North Atlantic "
        "Treaty Organization, Jens Stoltenberg, transmitting the report on the international "
        "security presence in Kosovo, covering the period from 1 January to 31 March 2020 "
        "(see annex).",
    ),
    (
        "letter",
        None,
        None,
        1,
        "I should be grateful if you would bring the present letter and its annex to the "
        "attention of the members of the Security Council.",
    ),
    ("letter", None, None, 1, "(Signed) António Guterres"),
    ("annex", None, None, 2, "[Original: English]"),
    (
        "annex",
        None,
        None,
        2,
        "In accordance with paragraph 20 of Security Council resolution 1244 (1999), please find "
        "attached the quarterly report on Kosovo Force operations covering the period from "
        "1 January 2020 to 31 March 2020 (see enclosure). I would appreciate your making the "
        "report available to the members of the Council.",
    ),
    ("annex", None, None, 2, "(Signed) Jens Stoltenberg"),
    (
        "enclosure",
        "Introduction",
        1,
        3,
        "The present report is submitted in accordance with Security Council resolution "
        "1244 (1999) and covers Kosovo Force (KFOR) activities during the period from 1 January "
        "to 31 March 2020.",
    ),
    (
        "enclosure",
        "Introduction",
        2,
        3,
        "As at 31 March 2020, the total number of KFOR troops in theatre remained approximately "
        "3,600, from nineteen North Atlantic Treaty Organization (NATO) and eight non-NATO "
        "troop-contributing nations.",
    ),
    (
        "enclosure",
        "Introduction",
        3,
        3,
        "There were no major security incidents during the reporting period and no requests "
        "for KFOR to intervene as a third security responder.",
    ),
    (
        "enclosure",
        "Security situation update and operations",
        4,
        3,
        "During the reporting period, there was no significant change to the overall security "
        "situation in Kosovo, which remained generally calm but fragile.",
    ),
    (
        "enclosure",
        "Security situation update and operations",
        7,
        4,
        "Following the elections held on 6 October 2019, no significant security incidents "
        "were reported during the formation of the new institutions in Kosovo.",
    ),
    (
        "enclosure",
        "Summary",
        9,
        4,
        "During the reporting period, KFOR continued to fulfil its mandate under Security "
        "Council resolution 1244 (1999) to maintain both a safe and secure environment and "
        "freedom of movement as part of a comprehensive international effort.",
    ),
]
SEED_META: dict[str, Any] = {
    "symbol": "S/2020/600",
    "distribution_date": dt.date(2020, 6, 26),
    "original_language": "French",
    "job_number": "20-08512 (E) 290620",
}


FACT_FIELDS = {
    "period_start",
    "period_end",
    "as_of_date",
    "troops_total",
    "troops_approximate",
    "nato_nations",
    "non_nato_nations",
    "non_nato_troops",
    "major_incidents",
    "letter_date",
}


def test_seed_report_gives_every_fact() -> None:
    report = run(SEED_ROWS, **SEED_META)
    assert (report.period_start, report.period_end) == (dt.date(2020, 1, 1), dt.date(2020, 3, 31))
    assert report.as_of_date == dt.date(2020, 3, 31)
    assert (report.troops_total, report.troops_approximate) == (3600, True)
    assert (report.nato_nations, report.non_nato_nations) == (19, 8)
    assert report.non_nato_troops is None
    assert report.major_incidents is False
    assert report.incidents == []
    assert report.letter_date == dt.date(2020, 6, 25)
    assert report.signatories == ["António Guterres", "Jens Stoltenberg"]
    assert report.frequency == "quarterly"
    assert (report.symbol, report.original_language) == ("S/2020/600", "French")
    assert report.distribution_date == dt.date(2020, 6, 26)
    assert report.warnings == []
    assert report.quarantine_reason is None
    assert len(report.paragraphs) == len(SEED_ROWS)
    assert NORMALIZER_VERSION == "rw-6"


def test_seed_evidence_points_at_page_paragraph_and_sentence() -> None:
    report = run(SEED_ROWS, **SEED_META)
    troops = report.evidence["troops_total"]
    assert (troops.page, troops.paragraph) == (3, 2)
    assert troops.text.startswith("As at 31 March 2020, the total number of KFOR troops")
    assert troops.text.endswith("troop-contributing nations.")
    for name in ("troops_approximate", "nato_nations", "non_nato_nations", "as_of_date"):
        assert report.evidence[name] == troops
    period = report.evidence["period_start"]
    assert period == report.evidence["period_end"]
    assert (period.page, period.paragraph) == (3, 1)
    assert "from 1 January to 31 March 2020" in period.text
    incidents = report.evidence["major_incidents"]
    assert (incidents.page, incidents.paragraph) == (3, 3)
    assert incidents.text.startswith("There were no major security incidents")
    assert report.evidence["letter_date"].page == 1
    assert "25 June 2020" in report.evidence["letter_date"].text
    filled = {k for k, v in report.model_dump().items() if v is not None and k in FACT_FIELDS}
    assert filled <= set(report.evidence)


# --- monthly era -----------------------------------------------------------------------------

MONTHLY_2008: list[Row] = [
    ("letter", None, None, 1, f"Letter dated 10 September 2008 {SG_TITLE}"),
    (
        "letter",
        None,
        None,
        1,
        "Pursuant to Security Council resolution 1244 (1999), I have the honour to transmit the "
        "attached report covering the period from 1 to 30 June 2008 (see annex).",
    ),
    ("letter", None, None, 1, "(Signed) Ban Ki-moon"),
    ("annex", "Monthly report to the United Nations on the operations of the Kosovo Force", 1, 2,
     "This report covers the period from 1 to 30 June 2008."),
    ("annex", None, 2, 2,
     "As at 30 June 2008, the total number of troops in theatre was 15,413. This number "
     "includes 2,216 troops from non-NATO countries."),
    ("annex", "Security situation", 4, 2,
     "On 6 June 2008 in Suvi Do (Multinational Task Force North), 10 Kosovo Serbs fired "
     "3 warning shots at 2 Kosovo Albanians working in a disputed area. No one was injured."),
    ("annex", "Security situation", 7, 3,
     "On 8 June 2008 in Miljcevi (Multinational Task Force West), two Kosovo Albanians were "
     "seriously injured when a civilian bus was shot at by an unknown suspect."),
    ("annex", "Security situation", 8, 3,
     "On 12 June, the municipal hub representative met local leaders in Zubin Potok."),
]  # fmt: skip


def test_monthly_exact_count_with_this_number_includes() -> None:
    report = run(MONTHLY_2008)
    assert (report.troops_total, report.troops_approximate) == (15413, False)
    assert report.non_nato_troops == 2216
    assert report.evidence["non_nato_troops"].text == (
        "This number includes 2,216 troops from non-NATO countries."
    )
    assert report.evidence["troops_total"].text == (
        "As at 30 June 2008, the total number of troops in theatre was 15,413."
    )
    assert (report.period_start, report.period_end) == (dt.date(2008, 6, 1), dt.date(2008, 6, 30))
    assert report.as_of_date == dt.date(2008, 6, 30)
    assert report.frequency == "monthly"
    assert report.letter_date == dt.date(2008, 9, 10)
    assert report.signatories == ["Ban Ki-moon"]
    assert report.nato_nations is None and report.non_nato_nations is None


def test_monthly_incidents_listed_one_per_paragraph() -> None:
    report = run(MONTHLY_2008)
    assert [(i.date, i.location, i.casualties) for i in report.incidents] == [
        (dt.date(2008, 6, 6), "Suvi Do (Multinational Task Force North)", 0),
        (dt.date(2008, 6, 8), "Miljcevi (Multinational Task Force West)", 2),
    ]
    second = report.incidents[1]
    assert second.evidence is not None
    assert (second.evidence.page, second.evidence.paragraph) == (3, 7)
    assert second.summary.startswith("On 8 June 2008 in Miljcevi")
    # Listed violence with casualties and no statement to the contrary.
    assert report.major_incidents is True
    assert report.evidence["major_incidents"].paragraph == 4


@pytest.mark.parametrize(
    ("sentence", "expected"),
    [
        (
            "As at 31 May 2006, the total number of troops in theatre was 16,130, which included "
            "2,708 troops from non-NATO countries.",
            (16130, 2708),
        ),
        (
            "As at 31 July 2008, the total number of troops in theatre was 14,409. This includes "
            "2,173 troops from countries that are not members of the North Atlantic Treaty "
            "Organization (NATO).",
            (14409, 2173),
        ),
        (
            "As at 30 June 2008, the total number of troops in theatre was 15,413. This number "
            "includes 2,216 troops from non-NATO countries.",
            (15413, 2216),
        ),
    ],
    ids=["which-included", "not-members-of-nato", "this-number-includes"],
)
def test_non_nato_troops_in_each_phrasing(sentence: str, expected: tuple[int, int]) -> None:
    rows: list[Row] = [
        ("annex", None, 1, 1, "This report covers the period from 1 to 31 July 2008."),
        ("annex", None, 2, 1, sentence),
    ]
    report = run(rows)
    assert (report.troops_total, report.non_nato_troops) == expected
    assert report.troops_approximate is False
    assert report.non_nato_nations is None


def test_donors_conference_countries_and_euros_are_not_facts() -> None:
    rows: list[Row] = [
        ("annex", None, 1, 1, "This report covers the period from 1 to 31 July 2008."),
        ("annex", None, 2, 1, "As at 31 July 2008, the total number of troops in theatre was "
         "14,409. This includes 2,173 troops from countries that are not members of the North "
         "Atlantic Treaty Organization (NATO)."),
        ("annex", None, 3, 1, "There was no change to the status of NATO and non-NATO nation "
         "contributions during the reporting period."),
        ("annex", "Political situation", 4, 1, "Representatives from 37 countries and 16 "
         "international organizations met in Brussels on 11 July 2008 for an international "
         "donors' conference, which obtained pledges totalling €1.2 billion."),
    ]  # fmt: skip
    report = run(rows)
    assert (report.troops_total, report.non_nato_troops) == (14409, 2173)
    assert report.nato_nations is None and report.non_nato_nations is None
    assert report.incidents == []
    assert report.major_incidents is None


# --- early 2000s: no enclosure, narrative incidents, year only in the cover letter ---------

EARLY_2000: list[Row] = [
    ("letter", None, None, 1, f"Letter dated 20 March 2000 {SG_TITLE}"),
    ("letter", None, None, 1,
     "Pursuant to Security Council resolution 1244 (1999) of 10 June 1999, I have the honour "
     "to convey the attached report covering the period from 24 January to 22 February 2000."),
    ("letter", None, None, 1, "(Signed) Kofi A. Annan"),
    ("annex", "Monthly report to the United Nations on the operations of the Kosovo Force", 1, 2,
     "During the reporting period (24 January-22 February) approximately 45,000 Kosovo Force "
     "(KFOR) troops were deployed in theatre, with no major deployment changes."),
    ("annex", None, 2, 2,
     "Two outbreaks of violence resulted in the death of 5 civilians, the wounding of "
     "2 KFOR soldiers and the arrest of 35 Kosovar Albanians and 3 Serbs."),
    ("annex", None, 3, 2,
     "The situation in Mitrovica remained tense. On 3 February, a rocket attack against a bus "
     "near Banja left two Serbs dead and three wounded. On 19 February, two hand grenades were "
     "thrown in Crkvena Vodica (MNB (Centre)), injuring nine children."),
]  # fmt: skip


def test_period_without_year_takes_it_from_the_cover_letter() -> None:
    report = run(EARLY_2000)
    assert (report.period_start, report.period_end) == (dt.date(2000, 1, 24), dt.date(2000, 2, 22))
    assert report.evidence["period_start"].text.startswith(
        "During the reporting period (24 January"
    )
    assert report.frequency == "monthly"
    assert (report.troops_total, report.troops_approximate) == (45000, True)
    assert report.as_of_date is None  # no as-at date is stated: none is invented
    assert report.warnings == []


def test_narrative_incidents_take_the_year_from_the_period() -> None:
    report = run(EARLY_2000)
    assert [(i.date, i.location, i.casualties) for i in report.incidents] == [
        (dt.date(2000, 2, 3), "Banja", 5),
        (dt.date(2000, 2, 19), "Crkvena Vodica (MNB (Centre))", 9),
    ]
    # The arrest count and the undated summary paragraph are not incidents.
    assert all("arrest" not in i.summary for i in report.incidents)
    assert report.major_incidents is True


def test_period_without_year_anywhere_takes_it_from_the_letter_date() -> None:
    rows: list[Row] = [
        ("letter", None, None, 1, f"Letter dated 15 January 2003 {SG_TITLE}"),
        ("annex", None, 1, 2, "Over the reporting period (1 to 31 December) there were almost "
         "28,000 Kosovo Force (KFOR) troops in theatre."),
    ]  # fmt: skip
    report = run(rows)
    # December is before the January letter: the previous year.
    assert (report.period_start, report.period_end) == (dt.date(2002, 12, 1), dt.date(2002, 12, 31))


def test_almost_with_ammunition_tallies_nearby() -> None:
    rows: list[Row] = [
        ("annex", None, 1, 1, "Over the reporting period (1 to 31 December 2002) there were "
         "almost 28,000 Kosovo Force (KFOR) troops in theatre."),
        ("annex", "Security", 5, 1, "Items confiscated during the month included 67 assorted "
         "weapons, 108 grenades and mines, and 2,350 rounds of ammunition."),
        ("annex", "Security", 6, 1, "During the month 1,250 rounds of ammunition and 9,500 "
         "troops' rations were delivered."),
    ]  # fmt: skip
    report = run(rows)
    assert (report.troops_total, report.troops_approximate) == (28000, True)
    assert report.warnings == []


@pytest.mark.parametrize(
    "period",
    [
        "covering the period 1 to 31 March 2001",
        "covering the period 1-31 March 2001",
        "for the period from 1 to 31 March 2001",
        "for the reporting period (1 to 31 March 2001)",
        "covering the period from 1 March 2001 to 31 March 2001",
        "covering the period from 1 March to 31 March 2001",
    ],
)
def test_each_period_wording(period: str) -> None:
    rows: list[Row] = [
        ("annex", None, None, 1, f"I attach a report on KFOR operations {period}, as a "
         "contribution to your report."),
        ("enclosure", None, 1, 2, "There were approximately 43,000 KFOR troops in theatre."),
    ]  # fmt: skip
    report = run(rows)
    assert (report.period_start, report.period_end) == (dt.date(2001, 3, 1), dt.date(2001, 3, 31))
    assert report.frequency == "monthly"


def test_period_across_new_year() -> None:
    rows = quarterly(
        "As at 28 February 2010, the total number of KFOR troops in theatre was approximately "
        "10,200.",
        period="covers the period from 1 December 2009 to 28 February 2010",
        incidents=None,
        extra=[
            ("enclosure", "Security", 4, 2, "On 20 December, a grenade exploded in Mitrovica."),
            ("enclosure", "Security", 5, 2, "On 12 January, two soldiers were injured by a "
             "roadside bomb near Gnjilane."),
        ],
    )  # fmt: skip
    report = run(rows)
    assert (report.period_start, report.period_end) == (dt.date(2009, 12, 1), dt.date(2010, 2, 28))
    assert report.frequency == "quarterly"
    assert [(i.date, i.location, i.casualties) for i in report.incidents] == [
        (dt.date(2009, 12, 20), "Mitrovica", None),
        (dt.date(2010, 1, 12), "Gnjilane", 2),
    ]


def test_period_not_on_calendar_months_is_other_or_monthly_by_span() -> None:
    six_months = run(quarterly("The total number of troops in theatre was 5,100.",
                               period="covers the period from 1 January to 30 June 2011"))  # fmt: skip
    assert six_months.frequency == "other"
    mid_month = run(quarterly("The total number of troops in theatre was 5,100.",
                              period="covers the period from 23 July to 22 August 2000"))  # fmt: skip
    assert mid_month.frequency == "monthly"
    assert mid_month.period_start == dt.date(2000, 7, 23)


def test_whole_month_and_between_wordings() -> None:
    month = run([
        ("annex", None, None, 1, "I attach a report on KFOR operations covering the month of "
         "February 2004."),
        ("enclosure", None, 1, 2, "There were approximately 18,500 KFOR troops in theatre."),
    ])  # fmt: skip
    assert (month.period_start, month.period_end) == (dt.date(2004, 2, 1), dt.date(2004, 2, 29))
    for wording in ("the period between 1 April and 30 June 2012", "the period from 1 April "
                    "through 30 June 2012", "the period (1 April – 30 June 2012)"):  # fmt: skip
        report = run(
            quarterly("KFOR had approximately 5,600 troops in theatre.", period=f"covers {wording}")
        )
        assert (report.period_start, report.period_end) == (
            dt.date(2012, 4, 1),
            dt.date(2012, 6, 30),
        )


@pytest.mark.parametrize(
    ("sentence", "expected"),
    [
        ("KFOR had approximately 5,600 troops in theatre from 22 NATO and 9 non-NATO nations.",
         (5600, True)),
        ("KFOR troop strength stood at 16,500 at the end of the month.", (16500, False)),
        ("The total strength of KFOR was some 17,000.", (17000, True)),
        ("KFOR numbers some 49,000 troops from 30 nations.", (49000, True)),
        ("As at 31 May, the total number of troops in theatre was 16,130 (including 2,708 from "
         "non-NATO countries).", (16130, False)),
    ],
)  # fmt: skip
def test_other_troop_wordings(sentence: str, expected: tuple[int, bool]) -> None:
    report = run(quarterly(sentence))
    assert (report.troops_total, report.troops_approximate) == expected


def test_as_of_date_written_after_in_theatre() -> None:
    report = run(quarterly("The total number of KFOR troops in theatre on 27 May 2017 was 17,512, "
                           "which included 2,681 troops from non-NATO countries."))  # fmt: skip
    assert report.as_of_date == dt.date(2017, 5, 27)
    assert (report.troops_total, report.non_nato_troops) == (17512, 2681)


def test_non_nato_share_without_the_word_troops() -> None:
    report = run(quarterly("As at 31 May, the total number of troops in theatre was 16,130 "
                           "(including 2,708 from non-NATO countries)."))  # fmt: skip
    assert (report.troops_total, report.non_nato_troops) == (16130, 2708)
    assert report.as_of_date == dt.date(2017, 5, 31)  # year from the period


def test_nations_as_allies_and_partners() -> None:
    report = run(quarterly("As at 30 June 2017, KFOR had approximately 4,500 troops in theatre, "
                           "from 20 NATO Allies and 8 partners."))  # fmt: skip
    assert (report.nato_nations, report.non_nato_nations) == (20, 8)


@pytest.mark.parametrize(
    ("signature", "name"),
    [
        ("(Signed) BAN Ki-moon", "BAN Ki-moon"),
        ("(Signed) Lord Robertson of Port Ellen", "Lord Robertson of Port Ellen"),
        ("(Signed) Rose E. Gottemoeller", "Rose E. Gottemoeller"),
        ("(Signed) Jens Stoltenberg Enclosure Report to the United Nations", "Jens Stoltenberg"),
        ("(Signed) António **Guterres** 21-03164 (E) 110321", "António Guterres"),
    ],
)
def test_signatories(signature: str, name: str) -> None:
    report = run(quarterly("The total number of KFOR troops in theatre was 4,000.",
                           extra=[("annex", None, None, 1, signature)]))  # fmt: skip
    assert report.signatories == [name]


# --- quarterly era: qualifiers, nations in digits and words ----------------------------------


@pytest.mark.parametrize(
    ("phrase", "qualified"),
    [
        ("remained approximately 4,600", True),
        ("remained at approximately 4,600", True),
        ("was almost 4,600", True),
        ("was some 4,600", True),
        ("was about 4,600", True),
        ("was around 4,600", True),
        ("was over 4,600", True),
        ("was 4,600", False),
        ("remained at 4,600", False),
    ],
)
def test_troop_qualifiers(phrase: str, qualified: bool) -> None:
    report = run(
        quarterly(f"As at 30 June 2017, the total number of KFOR troops in theatre {phrase}.")
    )
    assert (report.troops_total, report.troops_approximate) == (4600, qualified)


@pytest.mark.parametrize(
    ("nations", "expected"),
    [
        ("21 North Atlantic Treaty Organization (NATO) and 8 non-NATO", (21, 8)),
        ("twenty-one North Atlantic Treaty Organization (NATO) and eight non-NATO", (21, 8)),
        ("nineteen NATO and 8 non-NATO", (19, 8)),
        ("twenty NATO and seven non-NATO", (20, 7)),
    ],
)
def test_contributing_nations_in_digits_or_words(nations: str, expected: tuple[int, int]) -> None:
    report = run(quarterly(
        "As at 15 June 2017, the total number of KFOR troops in theatre remained at approximately "
        f"4,200, with {nations} troop-contributing nations involved in the mission."
    ))  # fmt: skip
    assert (report.nato_nations, report.non_nato_nations) == expected
    assert report.troops_total == 4200


def test_as_at_date_before_the_end_of_the_period() -> None:
    report = run(quarterly("As at 15 June 2017, the total number of KFOR troops in theatre "
                           "remained at approximately 4,200."))  # fmt: skip
    assert report.as_of_date == dt.date(2017, 6, 15)
    assert report.period_end == dt.date(2017, 6, 30)
    assert report.warnings == []


def test_as_at_date_outside_the_period_is_kept_with_a_warning() -> None:
    report = run(quarterly("As at 15 August 2017, the total number of KFOR troops in theatre "
                           "remained approximately 4,200."))  # fmt: skip
    assert report.as_of_date == dt.date(2017, 8, 15)
    assert any("outside the period" in w for w in report.warnings)


def test_troops_without_nations_leave_nations_null() -> None:
    report = run(quarterly("As at 31 March 2016, the total number of Kosovo Force (KFOR) troops "
                           "in theatre remains approximately 4,600."))  # fmt: skip
    assert (report.troops_total, report.troops_approximate) == (4600, True)
    assert report.nato_nations is None and report.non_nato_nations is None


# --- incidents statements --------------------------------------------------------------------


@pytest.mark.parametrize(
    "statement",
    [
        "There were no major security incidents during the reporting period.",
        "During the reporting period, there were no major security incidents and no requests for "
        "KFOR to intervene as a third security responder.",
        "The security situation remained stable, with no major security incidents.",
    ],
)
def test_no_major_incidents_statement_is_false(statement: str) -> None:
    report = run(
        quarterly("The total number of KFOR troops in theatre was 4,000.", incidents=statement)
    )
    assert report.major_incidents is False
    assert report.evidence["major_incidents"].text == statement


def test_silence_about_incidents_is_none() -> None:
    report = run(quarterly("The total number of KFOR troops in theatre was 4,000.", incidents=None))
    assert report.major_incidents is None
    assert "major_incidents" not in report.evidence


@pytest.mark.parametrize(
    "statement",
    [
        "There were two major security incidents in northern Kosovo during the period.",
        "There were major security incidents during the reporting period, and KFOR intervened.",
    ],
)
def test_statement_of_major_incidents_is_true(statement: str) -> None:
    report = run(
        quarterly("The total number of KFOR troops in theatre was 4,000.", incidents=statement)
    )
    assert report.major_incidents is True
    assert report.evidence["major_incidents"].text == statement


def test_dates_inside_a_sentence_do_not_make_incidents() -> None:
    report = run(quarterly(
        "The total number of KFOR troops in theatre was 4,000.",
        incidents=None,
        extra=[
            ("enclosure", "Security", 5, 3, "The Kosovo police recorded 24 attacks on its patrols "
             "in the north between 10 and 29 December 2022, in which 1 officer was injured."),
            ("enclosure", "Security", 6, 3, "The police arrested 14 persons in connection with the "
             "violence of 29 May 2023, and more than 50 protesters were reported injured."),
        ],
    ))  # fmt: skip
    assert report.incidents == []
    assert report.major_incidents is None


@pytest.mark.parametrize(
    ("sentence", "place"),
    [
        ("On 20 September 2021 in northern Kosovo (Jarinje and Brnjak crossing points), Kosovo "
         "Serbs blocked the roads in protest.", "northern Kosovo (Jarinje and Brnjak crossing points)"),
        ("On 26 May 2023 in Zvecan, Leposavic and Zubin Potok, crowds gathered in protest.",
         "Zvecan, Leposavic and Zubin Potok"),
        ("On 29 July, police of the United Nations Interim Administration in Kosovo were "
         "attacked on the road between Decane and Pec.", "Decane and Pec"),
        ("On 24 September 2023 in Banjska (Zvecan municipality), armed men attacked a police "
         "patrol, killing one officer.", "Banjska (Zvecan municipality)"),
    ],
)  # fmt: skip
def test_incident_locations(sentence: str, place: str) -> None:
    report = run(quarterly("The total number of KFOR troops in theatre was 4,000.", incidents=None,
                           extra=[("enclosure", "Security", 5, 3, sentence)]))  # fmt: skip
    assert [i.location for i in report.incidents] == [place]


def test_no_major_statement_wins_over_listed_violence_with_a_warning() -> None:
    report = run(quarterly(
        "The total number of KFOR troops in theatre was 4,000.",
        extra=[("enclosure", "Security", 5, 3, "On 3 May, two soldiers were injured in a traffic "
                "accident near Prizren.")],
    ))  # fmt: skip
    assert report.major_incidents is False
    assert report.incidents[0].casualties == 2
    assert any("violent incident" in w for w in report.warnings)


@pytest.mark.parametrize(
    ("sentence", "casualties"),
    [
        ("On 4 May, two soldiers were injured by stones thrown at a patrol.", 2),
        ("On 4 May, an explosion killed one man and injured three others.", 4),
        ("On 4 May, a gunman wounded two police officers in Peja.", 2),
        ("On 4 May, a Kosovo Serb was killed in a shooting.", 1),
        ("On 4 May, three Romas were killed near Pristina by a mortar bomb.", 3),
        ("On 4 May, two children died and three were wounded by a grenade.", 5),
        ("On 4 May, a car bomb exploded in Pristina injuring 32 people.", 32),
        ("On 4 May, shots were fired at a patrol near Zvecan. No one was injured.", 0),
        (
            "On 4 May, one hundred and five demonstrators blocked a road; twenty-one were injured.",
            21,
        ),
    ],
)
def test_casualties_in_digits_or_words(sentence: str, casualties: int | None) -> None:
    report = run(quarterly("The total number of KFOR troops in theatre was 4,000.", incidents=None,
                           extra=[("enclosure", "Security", 5, 3, sentence)]))  # fmt: skip
    assert len(report.incidents) == 1
    assert report.incidents[0].casualties == casualties
    assert report.incidents[0].date == dt.date(2017, 5, 4)


def test_dated_events_without_violence_are_not_incidents() -> None:
    report = run(quarterly(
        "The total number of KFOR troops in theatre was 4,000.",
        extra=[
            ("enclosure", "Politics", 5, 3, "On 21 July, the Government announced the arrest in "
             "Belgrade of a suspected war criminal."),
            ("enclosure", "Politics", 6, 3, "On 10 June, KFOR lifted the curfew in Mitrovica."),
        ],
    ))  # fmt: skip
    assert report.incidents == []


# --- distractors -----------------------------------------------------------------------------


def test_resolution_1244_and_paragraph_20_are_not_dates_or_figures() -> None:
    rows: list[Row] = [
        ("annex", None, None, 1, "In accordance with paragraph 20 of Security Council resolution "
         "1244 (1999), I attach the report on the operations of the Kosovo Force (see enclosure)."),
        ("enclosure", None, 1, 2, "The present report is submitted in accordance with Security "
         "Council resolution 1244 (1999) and covers the period from 1 October to 31 December "
         "2020."),
        ("enclosure", None, 2, 2, "As at 31 December 2020, the total number of KFOR troops in "
         "theatre remained approximately 3,500, from 19 NATO and 8 non-NATO troop-contributing "
         "nations."),
    ]  # fmt: skip
    report = run(rows)
    assert (report.period_start, report.period_end) == (dt.date(2020, 10, 1), dt.date(2020, 12, 31))
    assert (report.nato_nations, report.non_nato_nations, report.troops_total) == (19, 8, 3500)
    assert report.letter_date is None  # there is no Secretary-General's letter in this text


def test_job_number_date_is_not_the_letter_date() -> None:
    rows: list[Row] = [
        ("letter", None, None, 1, "21-03164 (E) 110321"),
        ("letter", None, None, 1, "Pursuant to Security Council resolution 1244 (1999), I have the "
         "honour to transmit the report covering the period from 1 October to 31 December 2020."),
    ]  # fmt: skip
    no_letter = run(rows, job_number="21-03164 (E) 110321", symbol="S/2021/228")
    assert no_letter.letter_date is None
    titled = run(
        rows,
        job_number="21-03164 (E) 110321",
        title=f"Letter dated 5 March 2021 {SG_TITLE}",
    )
    assert titled.letter_date == dt.date(2021, 3, 5)
    assert titled.title == f"Letter dated 5 March 2021 {SG_TITLE}"


def test_nato_letter_date_is_not_the_secretary_general_letter_date() -> None:
    rows: list[Row] = [
        ("letter", None, None, 1, f"Letter dated 2 October 2008 {SG_TITLE}"),
        ("annex", None, None, 2, "Letter dated 20 August 2008 from the Secretary-General of the "
         "North Atlantic Treaty Organization addressed to the Secretary-General"),
    ]  # fmt: skip
    assert run(list(reversed(rows))).letter_date == dt.date(2008, 10, 2)


def test_troop_decrease_is_not_read_as_the_total() -> None:
    rows = quarterly(
        "The total number of KFOR troops in theatre decreased by 1,250 during the period."
    )
    report = run(rows)
    assert report.troops_total is None
    # The sentence that mentions KFOR with a figure no pattern read is named.
    assert report.quarantine_reason == (
        'no troop figure found in the enclosure or letters (not read: "The total number of KFOR '
        'troops in theatre decreased by 1,250 during the period." (enclosure, page 2 paragraph 2))'
    )


def test_casualty_and_arrest_counts_are_not_troops() -> None:
    report = run(quarterly(
        "During the riots, 20 KFOR troops were injured and 35 people were arrested.",
        incidents=None,
    ))  # fmt: skip
    assert report.troops_total is None


# --- preferences and warnings ----------------------------------------------------------------


def test_enclosure_wins_and_disagreeing_letter_period_is_warned() -> None:
    rows = [
        ("letter", None, None, 1, "I have the honour to transmit the report covering the period "
         "from 1 January to 31 March 2019 (see annex)."),
        *quarterly("As at 30 June 2017, the total number of KFOR troops in theatre was 4,000."),
    ]  # fmt: skip
    report = run(rows)
    assert (report.period_start, report.period_end) == (dt.date(2017, 4, 1), dt.date(2017, 6, 30))
    assert any("2019-01-01" in w and "letter" in w for w in report.warnings)


def test_two_different_troop_figures_are_warned() -> None:
    report = run(quarterly(
        "As at 30 June 2017, the total number of KFOR troops in theatre was approximately 4,000.",
        extra=[("enclosure", "Summary", 9, 3, "The total number of KFOR troops in theatre was "
                "approximately 4,400.")],
    ))  # fmt: skip
    assert report.troops_total == 4000
    assert any("4,000" in w and "4,400" in w for w in report.warnings)


def test_two_patterns_reading_one_sentence_differently_give_no_figure() -> None:
    # ("after the rotation" would be refused by the default "rotations" refusal: no ambiguity.)
    sentence = (
        "As at 30 June 2017, the total number of KFOR troops in theatre was 4,000, "
        "and KFOR had 3,900 troops from 28 nations."
    )
    report = run(quarterly(sentence))
    assert report.troops_total is None and "troops_total" not in report.evidence
    warning = next(w for w in report.warnings if w.startswith("troops_total"))
    assert "reads as 3,900 and 4,000; ambiguous" in warning
    assert "and KFOR had 3,900 troops from 28 nations." in warning  # the sentence, named
    assert report.quarantine_reason == "no troop figure found in the enclosure or letters"


def test_a_split_figure_is_refused_even_when_a_part_of_it_is_out_of_range() -> None:
    # "4 500" read by a pattern as 4 (below the minimum) must not pass silently either.
    report = run(quarterly("As at 30 June 2017, the total number of KFOR troops in theatre "
                           "remained approximately 4 500."))  # fmt: skip
    assert report.troops_total is None
    assert any("digits of a figure are split" in w and "4 500" in w for w in report.warnings)


def test_footnotes_are_never_read_for_facts() -> None:
    rows = quarterly("KFOR continued to conduct routine operations.", incidents=None)
    doc = make_doc(rows)
    doc.paragraphs.append(Paragraph(kind="footnote", page=2, text="1 The total number of KFOR "
                                    "troops in theatre was 4,000 in 2016."))  # fmt: skip
    report = normalize(doc, series="kfor", profile=PROFILE)
    assert report.troops_total is None
    assert report.paragraphs[-1].kind == "footnote"


def test_missing_troops_quarantines_without_raising() -> None:
    report = run(quarterly("KFOR continued to conduct routine operations.", incidents=None))
    assert report.troops_total is None
    assert report.period_start == dt.date(2017, 4, 1)
    assert report.quarantine_reason == "no troop figure found in the enclosure or letters"


def test_missing_everything_names_each_missing_fact() -> None:
    report = run([("body", None, None, 1, "This page was left blank.")])
    assert report.quarantine_reason == (
        "no reporting period found in the enclosure or letters; "
        "no troop figure found in the enclosure or letters"
    )
    assert report.evidence == {}


# --- helpers: numbers, sentences, profile ----------------------------------------------------


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("nineteen", 19),
        ("eight", 8),
        ("twenty-one", 21),
        ("twentyfour", 24),
        ("Twenty one", 21),
        ("one hundred and five", 105),
        ("a hundred", 100),
        ("two thousand, three hundred and forty", 2340),
        ("15,413", 15413),
        ("3600", 3600),
    ],
)
def test_words_to_int(text: str, value: int) -> None:
    assert words_to_int(text) == value


@pytest.mark.parametrize(
    "text", ["", "several", "twenty twenty", "one two", "and five", "hundred", "twenty zero"]
)
def test_words_to_int_refuses_non_numbers(text: str) -> None:
    with pytest.raises(ValueError):
        words_to_int(text)


def test_sentences_do_not_split_on_symbols_abbreviations_or_decimals() -> None:
    text = (
        "2. See S/2020/123, e.g. the annex, and No. 5 of the list. Pledges reached €1.2 billion "
        "from the U.S. and others. Kofi A. Annan signed it. No one was injured."
    )
    assert [s.text for s in split_sentences(text)] == [
        "2. See S/2020/123, e.g. the annex, and No. 5 of the list.",
        "Pledges reached €1.2 billion from the U.S. and others.",
        "Kofi A. Annan signed it.",
        "No one was injured.",
    ]


def test_profile_file_validates() -> None:
    profile = NormalizeProfile.model_validate(PROFILE)
    assert profile.required == ["period", "troops_total"]
    assert profile.fact_parts[0] == "enclosure"
    assert set(profile.metrics) == {
        "troops_total",
        "non_nato_troops",
        "nato_nations",
        "non_nato_nations",
    }


def test_bad_profile_pattern_is_a_series_error_naming_it() -> None:
    broken = copy.deepcopy(PROFILE)
    broken["metrics"]["troops_total"]["patterns"] = ["total of (?P<count>{count})"]
    with pytest.raises(SeriesError, match="value"):
        normalize(make_doc(SEED_ROWS), series="kfor", profile=broken)
    broken["metrics"]["troops_total"]["patterns"] = ["total of (unclosed"]
    with pytest.raises(SeriesError, match="does not compile"):
        normalize(make_doc(SEED_ROWS), series="kfor", profile=broken)


def test_empty_profile_is_a_series_error() -> None:
    with pytest.raises(SeriesError, match="empty extraction profile"):
        normalize(make_doc(SEED_ROWS), series="kfor", profile={})


def test_profile_required_facts_come_from_the_profile() -> None:
    strict = copy.deepcopy(PROFILE)
    strict["required"] = ["period", "troops_total", "non_nato_troops"]
    report = normalize(make_doc(SEED_ROWS), series="kfor", profile=strict)
    assert report.quarantine_reason == "no non-NATO troops figure found in the report"
