"""Ordinary report wording that used to load a wrong figure (tasks/read/clauses.py, figures.py).

Each case is one sentence changed in otherwise plain text: an identifier that is no figure, a
part stated inside the sentence, two figures that disagree, a sentence about something else
(a part, an earlier year, casualties, rotations, a temporary figure, one country's contingent).
Each must give the right figure, or null with a warning that quotes the sentence.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from reportwatch.series import load_series
from tasks.read.task import read_document
from tests.data.make_pdfs import troops_in
from tests.read.test_current_figure import AS_AT, report_of

KFOR = load_series("kfor")


# --- identifiers are never figures -----------------------------------------------------------


@pytest.mark.parametrize(
    "sentence",
    [
        "The total number of KFOR troops deployed under Security Council resolution 1244 (1999) "
        "was approximately 4,500.",
        "The total number of KFOR troops referred to in paragraph 12 of annex II was "
        "approximately 4,500.",
        "The total number of KFOR troops listed in document S/2023/123 was approximately 4,500.",
        "KFOR troop strength under article 5 stood at approximately 4,500.",
    ],
)
def test_an_identifier_is_read_past_never_read(sentence: str) -> None:
    report = report_of(sentence)
    assert (report.troops_total, report.troops_approximate) == (4500, True)
    assert report.evidence["troops_total"].text == sentence


def test_a_rendered_report_naming_resolution_1244_loads_its_troop_figure(tmp_path: Path) -> None:
    path = tmp_path / "resolution.pdf"
    path.write_bytes(
        troops_in(
            "As at 31 December 2023, the total number of KFOR troops deployed under Security "
            "Council resolution 1244 (1999) was approximately 4,500."
        )
    )
    outcome = read_document(path, series="kfor", profile=KFOR.profile,
                            confirm_terms=KFOR.confirm_terms)  # fmt: skip
    assert outcome.report is not None and outcome.reason is None
    assert (outcome.report.troops_total, outcome.report.troops_approximate) == (4500, True)


# --- a part stated inside the sentence is not the total --------------------------------------


@pytest.mark.parametrize(
    ("sentence", "total", "non_nato"),
    [
        ("As at 31 December 2023, the total number of KFOR troops, including 378 from non-NATO "
         "countries, was 4,482.", 4482, 378),
        ("The total number of KFOR troops in theatre, including 378 from non-NATO countries, was "
         "4,482.", 4482, 378),
        ("The total number of KFOR troops, including 700 troops of the Operational Reserve Force, "
         "was 4,482.", 4482, None),
        ("As at 31 December 2023, the total number of KFOR troops, drawn from 27 nations, was "
         "4,482.", 4482, None),
        ("The total number of KFOR troops in its 12 camps was 4,482.", 4482, None),
        ("The total number of KFOR troops including 378 from non-NATO countries was 4,482.", 4482,
         378),
        ("The total number of KFOR troops, including national support elements was 4,482.", 4482,
         None),
        ("The total number of KFOR troops deployed under UNSCR 1244 was 4,482.", 4482, None),
        ("The total number of KFOR troops was 4,482, of whom 12 per cent were from non-NATO "
         "countries.", 4482, None),
        ("The total number of KFOR troops in theatre was 4,482, of which 378 were from non-NATO "
         "countries.", 4482, 378),
        ("The total number of KFOR troops in theatre was 4,482, 378 of whom were from non-NATO "
         "countries.", 4482, 378),
    ],
)  # fmt: skip
def test_the_figure_the_main_verb_states_is_the_total_a_part_clause_is_a_part(
    sentence: str, total: int, non_nato: int | None
) -> None:
    report = report_of(sentence)
    assert (report.troops_total, report.non_nato_troops) == (total, non_nato)
    assert not any("not below" in w for w in report.warnings)


def test_a_whole_stated_only_by_a_part_clause_is_null_with_a_warning_naming_it() -> None:
    sentence = "The total number of KFOR troops, including 378 from non-NATO countries, rose."
    report = report_of(sentence)
    assert report.troops_total is None
    assert (
        f'troops_total: "{sentence}" (enclosure, page 2 paragraph 2) gives 378, but it is a part '
        "named inside the sentence (a part clause), not the whole; none was read from it"
    ) in report.warnings


def test_nations_named_in_a_part_clause_are_still_read() -> None:
    report = report_of(
        "As at 31 December 2023, the total number of KFOR troops in theatre was 4,482, from "
        "twenty-seven nations, including twenty-one NATO and six non-NATO countries."
    )
    assert (report.troops_total, report.nato_nations, report.non_nato_nations) == (4482, 21, 6)


# --- two figures that disagree ---------------------------------------------------------------


def test_two_undated_figures_that_disagree_leave_it_null_naming_both() -> None:
    first = "The total number of KFOR troops in theatre was 4,482."
    second = "The total number of KFOR troops in theatre was 4,280."
    report = report_of(first, second)
    assert report.troops_total is None and "troops_total" not in report.evidence
    assert report.warnings == [
        f'troops_total: two different figures, 4,482 in "{first}" (enclosure, page 2 paragraph '
        f'2) and 4,280 in "{second}" (enclosure, page 2 paragraph 3), and neither is dated as the '
        "current one; none was read"
    ]
    assert report.quarantine_reason == "no troop figure found in the enclosure or letters"


def test_the_figure_dated_at_the_end_of_the_period_still_wins_a_disagreement() -> None:
    report = report_of("The total number of KFOR troops on 15 January 2024 was 4,700.", AS_AT)
    assert report.troops_total == 4500
    assert report.warnings[0].endswith("kept 4,500")


# --- sentences about something else (more in test_current_figure.NOT_THE_STRENGTH) -----------


@pytest.mark.parametrize(
    ("sentence", "as_of"),
    [
        ("In 2019, the total number of KFOR troops was 3,500; it now stands at 4,482.", None),
        ("Troop strength in 1999 was 50,000; as at 31 December 2023 the total number of KFOR "
         "troops in theatre was 4,482.", dt.date(2023, 12, 31)),
    ],
)  # fmt: skip
def test_each_semicolon_clause_is_read_on_its_own(sentence: str, as_of: dt.date | None) -> None:
    report = report_of(sentence)
    assert (report.troops_total, report.as_of_date, report.warnings) == (4482, as_of, [])


def test_nations_of_an_earlier_year_are_not_read() -> None:
    past = "In 1999, KFOR troops came from 19 NATO and 20 non-NATO nations."
    report = report_of(AS_AT.split(", from")[0] + ".", past)
    assert (report.troops_total, report.nato_nations, report.non_nato_nations) == (4500, None, None)
    assert any(w.startswith(f'nato_nations: "{past}"') and "earlier year (1999)" in w
               for w in report.warnings)  # fmt: skip


def test_one_countrys_contingent_is_not_the_non_nato_total() -> None:
    contingent = (
        "Switzerland, which is not a member of NATO, contributed 195 non-NATO troops to KFOR."
    )
    report = report_of(AS_AT, contingent)
    assert report.troops_total == 4500 and report.non_nato_troops is None
    assert any(w.startswith(f'non_nato_troops: "{contingent}"') and "contingent" in w
               for w in report.warnings)  # fmt: skip


# --- missing facts now found -----------------------------------------------------------------


@pytest.mark.parametrize(
    ("sentence", "total"),
    [
        ("A total of 4,482 troops from 27 nations served with KFOR as at 31 December 2023.", 4482),
        ("The total number of KFOR troops in theatre rose from 3,762 to 4,482.", 4482),
        ("The total number of KFOR troops from 28 nations was 4,482.", 4482),
    ],
)
def test_other_wordings_of_the_strength(sentence: str, total: int) -> None:
    assert report_of(sentence).troops_total == total


def test_a_qualifier_printed_after_the_figure_makes_it_approximate() -> None:
    report = report_of("The total number of KFOR troops in theatre was 4,482 (approximately).")
    assert (report.troops_total, report.troops_approximate) == (4482, True)
