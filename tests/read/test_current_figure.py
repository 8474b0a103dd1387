"""A figure is read only from a sentence that states it as it stands (tasks/read/figures.py).

Each sentence below mentions the troop strength with a figure that is not the strength: a year,
a plan, a change, another force, money, an earlier period, a range. Alone, each leaves the
figure null with a warning that quotes it; beside a sentence that states the strength, it is
not used, and the sentence dated at the end of the period wins wherever it is printed.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from reportwatch.models import Report
from reportwatch.series import load_series
from tasks.read.task import read_document
from tests.read.test_normalize import Row, run

PDFS = Path(__file__).resolve().parents[1] / "data" / "pdfs"
KFOR = load_series("kfor")
PERIOD = "covers the period from 1 October to 31 December 2023"
AS_AT = (
    "As at 31 December 2023, the total number of KFOR troops in theatre was approximately "
    "4,500, from twenty North Atlantic Treaty Organization (NATO) and six non-NATO "
    "troop-contributing nations."
)


def report_of(*troop_sentences: str) -> Report:
    rows: list[Row] = [
        ("enclosure", "Introduction", 1, 2, f"The present report {PERIOD}."),
        *[("enclosure", "Introduction", n, 2, s) for n, s in enumerate(troop_sentences, 2)],
    ]
    return run(rows)


NOT_THE_STRENGTH = [
    ("KFOR troop strength remained stable throughout 2023.", "2023", "a year"),
    ("KFOR troop strength has remained stable since 2019.", "2019", "a year"),
    ("The total number of KFOR troops would be reduced to 2,500 in the course of 2025.",
     "2,500", "a plan or a forecast"),
    ("KFOR troop strength was reinforced with 700 troops of the Operational Reserve Force.",
     "700", "another force"),
    ("The total number of EULEX personnel was approximately 420, and KFOR troops continued "
     "their patrols.", "420", "another force"),
    ("KFOR troop strength cost NATO members 300 million euros.", "300", "money"),
    ("The total number of KFOR troops in theatre is expected to reach 5,000 next year.",
     "5,000", "a plan or a forecast"),
    ("In the previous reporting period, the total number of KFOR troops in theatre was "
     "approximately 3,800.", "3,800", "an earlier period"),
    ("The total number of KFOR troops in theatre was between 4,300 and 4,600.", "4,300",
     "a range"),
    ("If the situation deteriorates, KFOR troop strength could reach 6,000.", "6,000",
     "a condition"),
    # The default refusals every profile gets (tasks/read/refusals.py) and an earlier year.
    ("Of the total number of KFOR troops, 650 were deployed in the north of Kosovo.", "650",
     "a part of the whole"),
    ("The total number of KFOR personnel killed in the line of duty since 1999 is 146.", "146",
     "casualties"),
    ("The total number of troops rotated through KFOR in the period was 1,200.", "1,200",
     "rotated"),
    ("The total number of KFOR troops in theatre was temporarily 5,100 during the exercise.",
     "5,100", "temporary or peak"),
    ("In 2019, the total number of KFOR troops was 3,500.", "3,500", "an earlier year (2019)"),
]  # fmt: skip


@pytest.mark.parametrize(("sentence", "printed", "why"), NOT_THE_STRENGTH)
def test_a_figure_that_is_not_the_strength_is_null_with_a_warning_naming_it(
    sentence: str, printed: str, why: str
) -> None:
    report = report_of(sentence)
    assert report.troops_total is None and report.troops_approximate is None
    assert "troops_total" not in report.evidence
    named = f'troops_total: "{sentence}" (enclosure, page 2 paragraph 2) gives {printed}, but '
    warning = next(w for w in report.warnings if w.startswith(named))
    assert why in warning and warning.endswith("none was read from it")
    assert report.quarantine_reason == "no troop figure found in the enclosure or letters"


@pytest.mark.parametrize(("sentence", "printed", "why"), NOT_THE_STRENGTH)
def test_beside_the_as_at_sentence_it_is_skipped_whatever_the_order(
    sentence: str, printed: str, why: str
) -> None:
    for order in ((sentence, AS_AT), (AS_AT, sentence)):
        report = report_of(*order)
        assert (report.troops_total, report.troops_approximate) == (4500, True)
        assert report.evidence["troops_total"].text == AS_AT
        assert report.as_of_date == dt.date(2023, 12, 31)
        assert (report.nato_nations, report.non_nato_nations) == (20, 6)
        assert report.warnings == [] and report.quarantine_reason is None


def test_a_year_in_the_sentence_is_read_past() -> None:
    report = report_of("KFOR troop strength in 2023 was approximately 4,500.")
    assert (report.troops_total, report.troops_approximate) == (4500, True)


def test_the_later_figure_of_a_comparison_does_not_refuse_the_strength() -> None:
    report = report_of(
        "As at 31 December 2023, the total number of KFOR troops in theatre was 4,500, "
        "compared with 3,800 in the previous reporting period."
    )
    assert (report.troops_total, report.as_of_date) == (4500, dt.date(2023, 12, 31))


def test_the_figure_dated_at_the_end_of_the_period_wins_over_earlier_ones() -> None:
    undated = "The total number of KFOR troops in theatre was approximately 4,400."
    mid_period = AS_AT.replace("31 December 2023", "30 November 2023").replace("4,500", "4,300")
    report = report_of(undated, mid_period, AS_AT)
    assert report.troops_total == 4500 and report.as_of_date == dt.date(2023, 12, 31)
    # The others still disagree with it: said, with where each was printed.
    assert report.warnings == [
        "two different troops_total figures: 4,500 (enclosure, page 2 paragraph 4) and "
        "4,300 (enclosure, page 2 paragraph 3); kept 4,500"
    ]
    # Without the end-of-period sentence, the one dated inside the period beats the undated.
    assert report_of(undated, mid_period).troops_total == 4300


def test_a_generated_report_whose_only_troop_sentence_is_a_year_is_quarantined() -> None:
    outcome = read_document(PDFS / "troops-stable-throughout-a-year.pdf", series="kfor",
                            profile=KFOR.profile, confirm_terms=KFOR.confirm_terms)  # fmt: skip
    report = outcome.report
    assert report is not None and outcome.rejected is None
    assert report.troops_total is None
    assert outcome.reason == "no troop figure found in the enclosure or letters"
    assert any(
        w.startswith('troops_total: "KFOR troop strength remained stable throughout 2023."')
        and "a year, not a count" in w
        for w in report.warnings
    )


def test_a_generated_report_with_a_year_first_and_the_as_at_sentence_later() -> None:
    outcome = read_document(PDFS / "troops-a-year-then-the-as-at-sentence.pdf", series="kfor",
                            profile=KFOR.profile, confirm_terms=KFOR.confirm_terms)  # fmt: skip
    report = outcome.report
    assert report is not None and outcome.reason is None
    assert (report.troops_total, report.troops_approximate) == (4500, True)
    assert report.as_of_date == dt.date(2023, 12, 31)
    assert report.evidence["troops_total"].text.startswith("As at 31 December 2023, the total")
    assert report.warnings == []
