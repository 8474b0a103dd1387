"""Every committed sample of the second series gives back every fact it was rendered from.

The archive (``reportwatch/demo/samples/minurso/``) is rendered from
``minurso_facts.yaml`` in the real layout: annual reports, the period only named by the
previous report, the strength sentence among distractors (a recommendation to raise the
authorized strength, an "As at" sentence about unpaid contributions), and the annex table of
contributions, or in one year the annex printed as a picture.
"""

from __future__ import annotations

import hashlib
import itertools
import json

import pytest

from reportwatch.demo import sample_archives, sample_facts
from reportwatch.demo.samples.annual import AnnualReport, load_annual_facts
from reportwatch.demo.samples.render import render_pdf
from reportwatch.series import load_series
from tasks.read.task import read_document

CONFIG = load_series("minurso")
FOLDER = sample_archives()["minurso"]
FACTS = load_annual_facts(sample_facts()["minurso"])


@pytest.mark.parametrize("sample", FACTS, ids=lambda r: r.symbol)
def test_the_sample_gives_every_fact(sample: AnnualReport) -> None:
    outcome = read_document(FOLDER / sample.file_name, series="minurso", profile=CONFIG.profile,
                            confirm_terms=CONFIG.confirm_terms, expected_symbol=sample.symbol)  # fmt: skip
    report = outcome.report
    assert report is not None and outcome.reason is None and outcome.rejected is None
    assert (report.symbol, report.title, report.frequency) == (
        sample.symbol,
        sample.title,
        "annual",
    )
    assert (report.previous_report_symbol, report.previous_report_date) == (
        sample.previous_symbol,
        sample.previous_date,
    )
    assert (report.period_start, report.period_end) == (
        sample.previous_date,
        sample.distribution_date,
    )
    assert report.as_of_date == sample.as_of_date
    metrics = {name: m.value for name, m in report.metrics.items()}
    assert metrics.get("military_strength") == sample.military_strength
    assert metrics.get("authorized_military_strength") == sample.authorized_strength
    assert metrics.get("female_military") == sample.female_military
    if sample.annex_as_image:
        assert report.tables == [] and "contributing_countries" not in metrics
        assert report.warnings == [
            "the contributions table has no text layer: page 3 prints only an image where it "
            "should be, so its rows were not read (it needs OCR)"
        ]
        return
    assert report.warnings == []
    (table,) = report.tables
    assert table.as_of_date == sample.contributions_as_of
    body = {r.label: r.values for r in table.rows if not r.is_total}
    assert body == {
        r.country: {"military_observers": r.observers, "troops": r.troops,
                    "civilian_police": r.police, "total": r.total}
        for r in sample.contributions
    }  # fmt: skip
    (total,) = [r for r in table.rows if r.is_total]
    assert tuple(total.values.values()) == sample.totals
    assert metrics["contributing_countries"] == len(sample.contributions)
    assert len(table.notes) == 3


def test_the_recommended_increase_is_never_read_as_the_authorized_strength() -> None:
    recommending = [s for s in FACTS if s.recommend_increase]
    assert recommending, "the archive prints a recommendation to raise the authorized strength"
    for sample in recommending:
        outcome = read_document(FOLDER / sample.file_name, series="minurso",
                                profile=CONFIG.profile)  # fmt: skip
        assert outcome.report is not None
        evidence = outcome.report.evidence["authorized_military_strength"].text
        assert "stood at" in evidence and "recommend" not in evidence


def test_the_archive_has_a_raise_a_country_joining_and_a_picture() -> None:
    authorized = [s.authorized_strength for s in FACTS]
    assert any(b > a for a, b in itertools.pairwise(authorized))
    printed = [s for s in FACTS if not s.annex_as_image]
    members = [{r.country for r in s.contributions} for s in printed]
    assert any(b - a for a, b in itertools.pairwise(members))
    assert sum(s.annex_as_image for s in FACTS) == 1
    for before, after in itertools.pairwise(FACTS):  # each names the one before
        assert (after.previous_symbol, after.previous_date) == (
            before.symbol,
            before.distribution_date,
        )


def test_committed_samples_match_the_facts() -> None:
    """samples/minurso/ is generated: if this fails, run `make samples` and commit the result."""
    catalog = json.loads((FOLDER / "catalog.json").read_text(encoding="utf-8"))
    assert [entry["symbol"] for entry in catalog] == [r.symbol for r in FACTS]
    for entry, sample in zip(catalog, FACTS, strict=True):
        data = (FOLDER / entry["file"]).read_bytes()
        assert hashlib.sha256(data).hexdigest() == entry["sha256"]
        assert hashlib.sha256(render_pdf(sample)).hexdigest() == entry["sha256"], sample.symbol
        assert entry["title"] == sample.title
