"""A whole-force metric is read only from a sentence whose subject is the whole force.

The profile's ``subject`` (tasks/read/subject.py, docs/series.md "Subject") is an allow-list: a
location, a sex, a time slice, a ceiling, another force by any name, or an enumeration makes
the sentence not the metric. Each case is one generated sentence in otherwise plain text: alone
it gives null with a warning naming it; beside the whole-force sentence it never wins, even
when it is the one dated at the end of the period.
"""

from __future__ import annotations

import copy
import datetime as dt
from typing import Any

import pytest

from tasks.read.normalize import normalize
from tests.read.test_current_figure import AS_AT, report_of
from tests.read.test_normalize import PROFILE as KFOR_PROFILE
from tests.read.test_normalize import Row, make_doc
from tests.read.test_normalize import run as run_kfor
from tests.read.test_profile_features import INTRO, PROFILE
from tests.read.test_profile_features import run as run_minurso

DATED = "As at 31 December 2023, "


def warned(report: Any, metric: str, sentence: str, *words: str) -> bool:
    """Whether a warning about ``metric`` quotes ``sentence`` first and says all ``words``."""
    return any(
        w.startswith(f'{metric}: "{sentence}"') and all(x in w for x in words)
        for w in report.warnings
    )


PARTS = [
    ("the total number of personnel at KFOR Headquarters in Pristina was 800.", "800"),
    ("the total number of troops deployed along the administrative boundary line was 650.", "650"),
    ("the total number of troops in Multinational Battle Group East was 1,050.", "1,050"),
    ("the total number of female KFOR troops was 420.", "420"),
    ("the total number of additional troops deployed to KFOR since September was 700.", "700"),
    ("the authorized troop strength of KFOR was 5,000.", "5,000"),
    ("KFOR troop strength needed to be 5,000.", "5,000"),
    ("the average monthly troop strength was 4,300.", "4,300"),
    ("KSF troop strength stood at 3,000.", "3,000"),
    ("the Kosovo Security Force troop strength stood at 3,000.", "3,000"),
    ("the total number of Serbian Armed Forces troops near the boundary line was 8,000.", "8,000"),
    ("the total number of EU rule-of-law mission personnel was 420.", "420"),
    ("KFOR had 1,200 personnel recruited locally.", "1,200"),
    ("KFOR had 1,100 troops in the north of Kosovo.", "1,100"),
    ("a total of 120 troops served with KFOR's helicopter detachment.", "120"),
]


# No pattern finds a figure in these and they do not name KFOR: null, with no warning yet.
UNMATCHED = [
    ("the total number of troops from non-NATO countries was 378.", "378"),
    ("the total number of Kosovo police officers was 9,000.", "9,000"),
    ("troop levels at Camp Bondsteel were 650.", "650"),
]


@pytest.mark.parametrize(("part", "printed"), PARTS)
def test_a_part_or_another_force_alone_is_null_with_a_warning_naming_it(
    part: str, printed: str
) -> None:
    sentence = DATED + part
    report = report_of(sentence)
    assert report.troops_total is None and "troops_total" not in report.evidence
    named = f'troops_total: "{sentence}" (enclosure, page 2 paragraph 2) gives {printed}, but '
    assert any(w.startswith(named) for w in report.warnings), report.warnings
    assert report.quarantine_reason == "no troop figure found in the enclosure or letters"


@pytest.mark.parametrize(("part", "printed"), PARTS + UNMATCHED)
def test_a_part_dated_at_the_period_end_never_beats_the_whole_force(
    part: str, printed: str
) -> None:
    undated_whole = "KFOR comprised approximately 4,500 troops from 27 countries."
    for order in ((DATED + part, undated_whole), (undated_whole, DATED + part)):
        report = report_of(*order)
        assert (report.troops_total, report.troops_approximate) == (4500, True)
        assert report.evidence["troops_total"].text == undated_whole


@pytest.mark.parametrize(
    ("sentence", "value", "approximate"),
    [
        ("the total number of KFOR troops in theatre was 4,482.", 4482, False),
        ("the total number of KFOR troops deployed in Kosovo was 4,482.", 4482, False),
        ("KFOR comprised approximately 4,500 troops from 21 NATO Allies and 7 partners.", 4500, True),
        ("KFOR numbered some 4,500 troops.", 4500, True),
        ("KFOR troop strength stood at 4,482.", 4482, False),
        ("the Kosovo Force (KFOR) troop strength stood at 4,482.", 4482, False),
        ("KFOR had some 4,500 troops in theatre at the end of the reporting period.", 4500, True),
        ("KFOR troop strength grew by 700 to 4,482.", 4482, False),
        ("the total number of KFOR troops has been 4,482 since 1 November 2023.", 4482, False),
    ],
)  # fmt: skip
def test_the_whole_force_in_its_wordings_is_read(
    sentence: str, value: int, approximate: bool
) -> None:
    report = report_of(DATED + sentence)
    assert (report.troops_total, report.troops_approximate) == (value, approximate)


def test_the_allow_list_is_the_series_own() -> None:
    # A series that counts the troops at Headquarters as its whole says so in its profile.
    profile: dict[str, Any] = copy.deepcopy(KFOR_PROFILE)
    subject = profile["metrics"]["troops_total"]["subject"]
    subject["words"] = [*subject["words"], "Headquarters", "Pristina"]
    sentence = DATED + PARTS[0][0]
    rows: list[Row] = [
        ("enclosure", "Introduction", 1, 2, "The present report covers the period from "
         "1 October to 31 December 2023."),
        ("enclosure", "Introduction", 2, 2, sentence),
    ]  # fmt: skip
    assert run_kfor(rows).troops_total is None
    assert normalize(make_doc(rows), series="kfor", profile=profile).troops_total == 800


# --- numbers that are no level ---------------------------------------------------------------


@pytest.mark.parametrize(
    "sentence",
    [
        "The total number of KFOR troops in theatre at 2400 hours on 31 December 2023 was 4,482.",
        "The total number of KFOR troops in theatre at 0800 hours on 31 December 2023 was 4,482.",
    ],
)
def test_a_clock_time_is_no_count(sentence: str) -> None:
    assert report_of(sentence).troops_total == 4482


@pytest.mark.parametrize(
    ("sentence", "printed"),
    [
        (DATED + "KFOR had 700 troops more than in September.", "700"),
        ("KFOR had 300 troops fewer than a year earlier.", "300"),
    ],
)
def test_a_difference_is_no_level(sentence: str, printed: str) -> None:
    report = report_of(sentence)
    assert report.troops_total is None
    assert any(
        w.startswith(f'troops_total: "{sentence}"') and f"gives {printed}, but it is a difference"
        in w for w in report.warnings
    ), report.warnings  # fmt: skip
    assert report_of(sentence, AS_AT).troops_total == 4500


# --- bounds ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "sentence",
    [
        DATED + "the total number of KFOR troops in theatre did not exceed 4,500.",
        DATED + "the total number of KFOR troops in theatre was no more than 4,500.",
        DATED + "the total number of KFOR troops in theatre remained below 4,500.",
        DATED + "the total number of KFOR troops in theatre remained under the 5,000 mark.",
        DATED + "KFOR comprised fewer than 4,500 troops from 27 countries.",
        DATED + "KFOR comprised more than 4,500 troops from 27 countries.",
        DATED + "KFOR had up to 5,000 troops.",
    ],
)
def test_a_pure_bound_is_null_with_a_warning(sentence: str) -> None:
    report = report_of(sentence)
    assert report.troops_total is None and report.troops_approximate is None
    assert warned(report, "troops_total", sentence, "it is a bound"), report.warnings


@pytest.mark.parametrize(
    "sentence",
    [
        DATED + "the total number of KFOR troops in theatre was 4,500 or so.",
        DATED + "the total number of KFOR troops in theatre was 4,500+.",
        DATED + "the total number of KFOR troops in theatre was over 4,500.",
    ],
)
def test_a_loose_figure_is_approximate_never_exact(sentence: str) -> None:
    report = report_of(sentence)
    assert (report.troops_total, report.troops_approximate) == (4500, True)


# --- MINURSO: the military component's own figures -------------------------------------------

STRENGTH = ("As at 15 March 2014, the military component of MINURSO stood at 225 personnel, "
            "against the authorized strength of 231.")  # fmt: skip


def values(report: Any) -> dict[str, int]:
    return {name: metric.value for name, metric in report.metrics.items()}


@pytest.mark.parametrize(
    "other",
    [
        "As at 15 March 2014, the police component stood at 12 personnel, 3 of whom are female.",
        "As at 15 March 2014, the civilian component of MINURSO comprised 258 personnel, 64 of "
        "whom are women.",
    ],
)
def test_women_of_another_component_are_not_the_military_womens(other: str) -> None:
    report = run_minurso(INTRO, STRENGTH, other)
    assert values(report) == {"military_strength": 225, "authorized_military_strength": 231}


def test_an_enumeration_of_women_is_null_with_a_warning_never_its_first_item() -> None:
    sentence = ("As at 15 March 2014, the military component of MINURSO stood at 225 personnel, "
                "including 2 women staff officers and 11 women military observers, against the "
                "authorized strength of 231.")  # fmt: skip
    report = run_minurso(INTRO, sentence)
    assert values(report) == {"military_strength": 225, "authorized_military_strength": 231}
    assert any(w.startswith("female_military: ") and "gives 2, but" in w for w in report.warnings)


def test_the_first_item_of_an_enumeration_is_not_the_strength() -> None:
    sentence = ("As at 15 March 2014, the military component of MINURSO comprised 27 military "
                "personnel of the medical unit and 198 military observers.")  # fmt: skip
    report = run_minurso(INTRO, sentence)
    assert "military_strength" not in values(report)
    assert warned(report, "military_strength", sentence, "gives 27, but")
    assert PROFILE["metrics"]["military_strength"]["subject"]  # the series' own allow-list


# --- as-at dates in other hands --------------------------------------------------------------


@pytest.mark.parametrize(
    "sentence",
    [
        "As at end-December 2023, the total number of KFOR troops in theatre was 4,482.",
        "As of 31.12.2023, the total number of KFOR troops in theatre was 4,482.",
        "The total number of KFOR troops in theatre as of 31.12.2023 was 4,482.",
        "The total number of KFOR troops in theatre as at 31/12/2023 was 4,482.",
        "The total number of KFOR troops in theatre as at 31 Dec. 2023 was 4,482.",
    ],
)
def test_an_as_at_date_in_other_hands_dates_the_figure(sentence: str) -> None:
    report = report_of(sentence)
    assert (report.troops_total, report.as_of_date) == (4482, dt.date(2023, 12, 31))
    assert report.evidence["troops_total"].text == sentence  # one sentence, never split


def test_a_dated_part_loses_to_the_whole_dated_end_december() -> None:
    part = DATED + "the total number of troops deployed along the boundary line was 650."
    whole = "As at end-December 2023, KFOR comprised approximately 4,500 troops from 27 countries."
    report = report_of(part, whole)
    assert (report.troops_total, report.as_of_date) == (4500, dt.date(2023, 12, 31))


# --- a null metric names the sentences that mention it ---------------------------------------


def test_a_sentence_about_kfor_that_no_pattern_reads_is_named_in_the_quarantine_reason() -> None:
    sentence = "As at 31 December 2023, KFOR's strength was put at 4,482 by its commander."
    report = report_of(sentence)
    assert report.troops_total is None
    assert report.quarantine_reason == (
        f'no troop figure found in the enclosure or letters (not read: "{sentence}" '
        "(enclosure, page 2 paragraph 2))"
    )
    assert warned(report, "troops_total", sentence, "no pattern reads")


def test_a_military_component_sentence_no_pattern_reads_is_named() -> None:
    sentence = (
        "As at 15 March 2014, the military component of MINURSO numbered in all 225 personnel."
    )
    report = run_minurso(INTRO, sentence)
    assert "military_strength" not in values(report)
    assert report.quarantine_reason is not None
    assert f'(not read: "{sentence}"' in report.quarantine_reason


@pytest.mark.parametrize(
    "earlier",
    [
        "As at 30 September 2023, KFOR troop strength stood at 3,762.",
        "At the end of September 2023, KFOR troop strength stood at 3,762.",
    ],
)
def test_a_figure_dated_before_the_period_never_blocks_the_current_one(earlier: str) -> None:
    undated = "KFOR comprised approximately 4,500 troops from 27 countries."
    report = report_of(earlier, undated)
    assert (report.troops_total, report.troops_approximate) == (4500, True)
    assert report.evidence["troops_total"].text == undated
