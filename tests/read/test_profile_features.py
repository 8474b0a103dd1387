"""Generic profile features a second series needed, on hand-made text: the period from the
previous report, metrics by any name, part_of, the as-at metric, and the checks that refuse a
profile naming what does not exist."""

from __future__ import annotations

import copy
import datetime as dt
from pathlib import Path
from typing import Any

import pytest

from reportwatch.errors import SeriesError
from reportwatch.models import DocumentText, PageText, Paragraph
from reportwatch.series import load_series, parse_series
from tasks.read.normalize import normalize

PROFILE = load_series("minurso").profile
INTRO = ("It covers developments since my report dated 8 April 2013 (S/2013/220) and describes "
         "the situation on the ground.")  # fmt: skip
STRENGTH = ("As of 6 March 2014, the military component of MINURSO stood at 225 personnel, "
            "13 of whom are female, against the authorized strength of 231.")  # fmt: skip


def doc(*texts: str, date: dt.date | None = dt.date(2014, 4, 10)) -> DocumentText:
    paragraphs = [
        Paragraph(number=i, section="I. Introduction", part="body", page=1, text=t)
        for i, t in enumerate(texts, start=1)
    ]
    return DocumentText(page_count=1, pages=[PageText(number=1)], paragraphs=paragraphs,
                        extractor="test", distribution_date=date)  # fmt: skip


def run(*texts: str, profile: dict[str, Any] | None = None, **kw: Any):  # type: ignore[no-untyped-def]
    return normalize(doc(*texts, **kw), series="minurso", profile=profile or PROFILE)


def test_the_period_runs_from_the_previous_report_to_this_one() -> None:
    report = run(INTRO, STRENGTH)
    assert (report.period_start, report.period_end) == (dt.date(2013, 4, 8), dt.date(2014, 4, 10))
    assert (report.previous_report_date, report.previous_report_symbol) == (
        dt.date(2013, 4, 8), "S/2013/220",
    )  # fmt: skip
    assert report.evidence["previous_report_symbol"].text == INTRO
    assert report.evidence["period_end"].text == "10 April 2014"  # the masthead date
    assert report.frequency == "annual" and report.quarantine_reason is None


def test_a_previous_report_dated_after_this_one_is_not_read() -> None:
    report = run(INTRO, STRENGTH, date=dt.date(2013, 1, 1))
    assert report.previous_report_symbol is None and report.period_start is None
    assert report.quarantine_reason == (
        "no reporting period found: none is stated and no previous report is named"
    )
    assert report.warnings[0].startswith("the previous report's date 2013-04-08 in ")


def test_without_a_masthead_date_the_link_is_read_but_no_period() -> None:
    report = run(INTRO, STRENGTH, date=None)
    assert report.previous_report_symbol == "S/2013/220" and report.period_end is None
    assert "the period runs to this report's date, and its masthead prints none" in report.warnings


def test_metrics_by_any_name_with_units_and_the_as_at_date_of_the_main_one() -> None:
    report = run(INTRO, "As at 1 March 2014, unpaid contributions amounted to $42.4 million.",
                 STRENGTH)  # fmt: skip
    assert {k: (m.value, m.unit) for k, m in report.metrics.items()} == {
        "military_strength": (225, "personnel"),
        "authorized_military_strength": (231, "personnel"),
        "female_military": (13, "personnel"),
    }
    assert report.as_of_date == dt.date(2014, 3, 6)  # the strength's, not the unpaid sum's
    assert report.to_contract()["metrics"]["female_military"] == {
        "value": 13, "unit": "personnel", "approximate": False,
    }  # fmt: skip


def test_a_part_not_below_its_whole_is_dropped_with_a_warning() -> None:
    report = run(INTRO, STRENGTH.replace("13 of whom", "225 of whom"))
    assert "female_military" not in report.metrics
    assert ("female military personnel (225) not below the military strength (225); "
            "female military personnel dropped (read in "
            f'"{STRENGTH.replace("13 of whom", "225 of whom")}", body, page 1 paragraph 2)'
            ) in report.warnings  # fmt: skip


def test_a_recommendation_or_a_plan_is_never_a_strength() -> None:
    report = run(
        INTRO,
        "I recommend that the Council extend the mandate, with an increase of 15 military "
        "observers to the authorized strength.",
        "The authorized strength of the Mission should be raised to 246.",
    )
    assert report.metrics == {}
    assert report.quarantine_reason == "no military strength figure found in the report"


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (lambda p: p["metrics"]["female_military"].update(part_of="nothing"), "part_of"),
        (lambda p: p.update(required=["period", "troop_count"]), "troop_count"),
        (lambda p: p.update(as_of_metric="nothing"), "as_of_metric"),
        (lambda p: p["metrics"]["contributing_countries"]["table"].update(column="nope"), "nope"),
        (lambda p: p["tables"][0].update(total_column="grand"), "total_column"),
        (lambda p: p.update(previous_report_patterns=["since (?P<date>{date})"]), "symbol"),
        (lambda p: p["metrics"].update(Bad={"patterns": ["(?P<value>{count})"]}), "Bad"),
    ],
)
def test_a_profile_naming_what_does_not_exist_fails_naming_it(change: Any, message: str) -> None:
    broken = copy.deepcopy(PROFILE)
    change(broken)
    with pytest.raises(SeriesError, match=message):
        run(INTRO, STRENGTH, profile=broken)


def test_a_series_view_must_carry_the_series_name(tmp_path: Path) -> None:
    folder = tmp_path / "series"
    (folder / "profiles").mkdir(parents=True)
    source = load_series("minurso").path
    assert source is not None
    text = source.read_text(encoding="utf-8").replace("profile: minurso", "profile: other")
    (folder / "other.yaml").write_text(text.replace("id: minurso", "id: other"), encoding="utf-8")
    profile = (source.parent / "profiles" / "minurso.yaml").read_text(encoding="utf-8")
    (folder / "profiles" / "other.yaml").write_text(profile, encoding="utf-8")
    with pytest.raises(SeriesError, match="view 'minurso_contributions'"):
        parse_series(folder / "other.yaml")
