"""Every committed sample report gives back every fact it was rendered from, in the real layout."""

from __future__ import annotations

import pytest

from reportwatch.demo import BUNDLED_FACTS, SAMPLES_DIR
from reportwatch.demo.samples.facts import SampleReport, load_facts
from reportwatch.series import load_series
from tasks.read.extract import extract_pdf
from tasks.read.normalize import normalize

PROFILE = load_series("kfor").profile
FACTS = load_facts(BUNDLED_FACTS)


@pytest.mark.parametrize("sample", FACTS, ids=lambda r: r.symbol)
def test_the_sample_gives_every_fact(sample: SampleReport) -> None:
    doc = extract_pdf(SAMPLES_DIR / sample.file_name)
    report = normalize(doc, series="kfor", profile=PROFILE)
    assert (doc.symbol, doc.symbols, doc.job_number) == (
        sample.symbol,
        [sample.symbol],
        sample.job_number,
    )
    assert (report.distribution_date, report.original_language) == (
        sample.distribution_date,
        sample.original_language,
    )
    assert doc.reissue == (
        sample.reissue_note.removeprefix("* ").removesuffix(".") if sample.reissue_note else None
    )
    assert report.letter_date == sample.letter_date
    assert (report.period_start, report.period_end) == (sample.period_start, sample.period_end)
    assert report.as_of_date == sample.troops_as_of
    assert report.troops_total == sample.troops_total
    assert report.troops_approximate is (sample.troops_qualifier not in (None, "was"))
    assert (report.nato_nations, report.non_nato_nations) == (
        sample.nato_nations,
        sample.non_nato_nations,
    )
    assert report.non_nato_troops == sample.non_nato_troops
    if sample.major_incidents is not None:
        assert report.major_incidents is sample.major_incidents
    assert [i.date for i in report.incidents] == [i.date for i in sample.incidents]
    assert report.signatories == [sample.sg_name, sample.nato_sg_name]
    assert report.warnings == [] and report.quarantine_reason is None
    notes = [p.text for p in doc.paragraphs if p.kind == "footnote"]
    assert len(notes) == len(sample.footnotes)
