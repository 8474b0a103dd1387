"""Refusals about the kind of sentence are a default every profile gets (DEFAULT_REFUSALS in
tasks/read/refusals.py): MINURSO's profile names none, and still never reads the previous
report's strength. A profile drops one by id, replaces one by a refusal of the same id, and keeps
its own; and MINURSO's other wordings of the strength and its female personnel."""

from __future__ import annotations

import copy
import datetime as dt
from typing import Any

import pytest

from reportwatch.errors import SeriesError
from tests.read.test_profile_features import INTRO, PROFILE, STRENGTH, run

PREVIOUS = ("In my previous report, I noted that the military component of MINURSO stood at 230 "
            "personnel against the authorized strength of 231.")  # fmt: skip
COMPRISED = ("As at 15 March 2014, the military component of MINURSO comprised 220 military "
             "personnel.")  # fmt: skip


def values(report: Any) -> dict[str, int]:
    return {name: metric.value for name, metric in report.metrics.items()}


def test_minurso_never_reads_the_previous_reports_strength() -> None:
    assert "refusals" not in PROFILE  # the default refusals, not the profile's, refuse it
    report = run(INTRO, PREVIOUS, COMPRISED)
    assert values(report) == {"military_strength": 220}
    assert report.as_of_date == dt.date(2014, 3, 15)
    assert report.evidence["military_strength"].text == COMPRISED
    # The authorized strength is printed only in the previous report's sentence: null, named.
    assert any(w.startswith(f'authorized_military_strength: "{PREVIOUS}"')
               and "an earlier period" in w for w in report.warnings)  # fmt: skip


def test_the_previous_reports_strength_alone_is_null_with_a_warning() -> None:
    report = run(INTRO, PREVIOUS)
    assert values(report) == {}
    assert report.quarantine_reason == "no military strength figure found in the report"
    assert any(w.startswith(f'military_strength: "{PREVIOUS}"') for w in report.warnings)


def test_a_profile_may_drop_a_default_refusal_by_id() -> None:
    profile = copy.deepcopy(PROFILE)
    profile["skip_default_refusals"] = ["earlier_period"]
    assert values(run(INTRO, PREVIOUS, profile=profile))["military_strength"] == 230


def test_a_profile_refusal_with_a_defaults_id_replaces_it() -> None:
    profile = copy.deepcopy(PROFILE)
    profile["refusals"] = [{"id": "earlier_period", "pattern": r"\bbygone\b", "reason": "old"}]
    assert values(run(INTRO, PREVIOUS, profile=profile))["military_strength"] == 230
    report = run(INTRO, PREVIOUS.replace("previous", "bygone"), profile=profile)
    assert values(report) == {} and any("but old;" in w for w in report.warnings)


def test_an_unknown_default_refusal_fails_naming_it() -> None:
    profile = copy.deepcopy(PROFILE)
    profile["skip_default_refusals"] = ["plans"]
    with pytest.raises(SeriesError, match="no default refusal 'plans'"):
        run(INTRO, STRENGTH, profile=profile)


@pytest.mark.parametrize(
    ("sentence", "female"),
    [
        ("As of 6 March 2014, the military component of MINURSO stood at 218 personnel, "
         "including 17 women, against the authorized strength of 245.", 17),
        ("As of 6 March 2014, the military component of MINURSO stood at 218 personnel "
         "(including 17 women), against an authorized strength of 245.", 17),
        ("As of 6 March 2014, the military component of MINURSO stood at 218 personnel, of whom "
         "13 are women, against the authorized strength of 245.", 13),
    ],
)  # fmt: skip
def test_female_personnel_in_each_wording(sentence: str, female: int) -> None:
    assert values(run(INTRO, sentence)) == {
        "military_strength": 218, "authorized_military_strength": 245, "female_military": female,
    }  # fmt: skip


@pytest.mark.parametrize(
    "intro",
    [
        "It covers developments since the issuance of my previous report, dated 8 April 2013 "
        "(S/2013/220), and describes the situation on the ground.",
        "It covers developments since my report S/2013/220 of 8 April 2013.",
    ],
)
def test_the_previous_report_named_in_other_orders(intro: str) -> None:
    report = run(intro, STRENGTH)
    assert (report.previous_report_date, report.previous_report_symbol) == (
        dt.date(2013, 4, 8), "S/2013/220",
    )  # fmt: skip
