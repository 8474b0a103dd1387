"""A "no major incidents" statement that takes itself back in the same sentence is never read
as major_incidents = false (tasks/read/normalize.py, EXCEPTION_TERMS in tasks/read/incidents.py):
the fact is null with a warning naming the sentence, or true when a violent incident is listed.
"""

from __future__ import annotations

import pytest

from tests.read.test_current_figure import AS_AT, report_of

TAKEN_BACK = [
    "Apart from the incident in Zvečan on 29 November 2023, in which two KFOR soldiers were "
    "injured, there were no major security incidents.",
    "There were no major incidents involving KFOR; however, on 29 November 2023, a police "
    "officer was killed in an attack near Banjska.",
    "The situation remained calm, with no major incidents, until 29 November 2023.",
    "It cannot be said that there were no major incidents in the north.",
]


@pytest.mark.parametrize("sentence", TAKEN_BACK)
def test_a_statement_with_an_exception_is_null_with_a_warning_naming_it(sentence: str) -> None:
    report = report_of(AS_AT, sentence)
    assert report.troops_total == 4500  # the rest of the report reads as before
    assert report.major_incidents is None and "major_incidents" not in report.evidence
    assert any(
        w.startswith("major_incidents: ") and "makes an exception" in w
        and "(enclosure, page 2 paragraph 3)" in w for w in report.warnings
    ), report.warnings  # fmt: skip


def test_a_violent_incident_listed_beside_it_makes_it_true() -> None:
    incident = "On 29 November 2023, two KFOR soldiers were injured by a hand grenade in Zvečan."
    report = report_of(AS_AT, TAKEN_BACK[2], incident)
    assert report.major_incidents is True
    assert report.evidence["major_incidents"].text.startswith("On 29 November 2023")


def test_a_plain_statement_is_still_false() -> None:
    report = report_of(AS_AT, "There were no major security incidents during the reporting period.")
    assert report.major_incidents is False
    assert report.warnings == []
