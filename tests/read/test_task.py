"""Reading a stored file: the masthead must match the symbol asked for; a broken profile
fails fast instead of quarantining every document."""

from __future__ import annotations

from pathlib import Path

import pytest

from reportwatch.demo import SAMPLES_DIR
from reportwatch.errors import SeriesError
from reportwatch.series import load_series
from tasks.read.task import ReadJob, check_profile, read_document, read_documents

KFOR = load_series("kfor")
PDF = SAMPLES_DIR / "S_2021_228.pdf"
PDFS = Path(__file__).resolve().parents[1] / "data" / "pdfs"


def test_a_file_whose_masthead_names_another_symbol_is_quarantined() -> None:
    wrong = read_document(PDF, series="kfor", profile=KFOR.profile, expected_symbol="S/2021/229")
    assert wrong.reason is not None and "S/2021/228 by its masthead, not S/2021/229" in wrong.reason
    right = read_document(PDF, series="kfor", profile=KFOR.profile, expected_symbol="S/2021/228")
    assert right.reason is None and right.report is not None and right.report.troops_total


def test_a_joint_document_matches_either_of_its_symbols() -> None:
    joint = PDFS / "joint-general-assembly-security-council.pdf"
    for symbol in ("S/2021/795", "A/75/1004"):
        out = read_document(joint, series="kfor", profile=KFOR.profile, expected_symbol=symbol)
        assert out.reason is None and out.report is not None, symbol
    other = read_document(joint, series="kfor", profile=KFOR.profile, expected_symbol="S/2021/7")
    assert other.reason is not None
    assert "A/75/1004 and S/2021/795 by its masthead, not S/2021/7" in other.reason


def test_a_letter_that_never_mentions_the_series_is_rejected() -> None:
    out = read_document(PDF, series="kfor", profile=KFOR.profile, confirm_terms=["Sahel"])
    assert out.rejected is not None and "Sahel" in out.rejected


def test_a_broken_profile_fails_before_any_document() -> None:
    broken = {**KFOR.profile, "period_patterns": ["(unclosed"]}
    with pytest.raises(SeriesError):
        check_profile(broken)
    check_profile(KFOR.profile)


def test_reading_in_worker_processes_gives_the_same_answers_in_order() -> None:
    files = sorted(SAMPLES_DIR.glob("*.pdf"))[:4]
    jobs = [ReadJob(path=str(f), sha256="x", series="kfor", profile=KFOR.profile) for f in files]
    here = read_documents(jobs, workers=1)
    pooled = read_documents(jobs * 3, workers=2)  # a batch large enough for processes
    assert [o.report.symbol for o in pooled[:4] if o.report] == [
        o.report.symbol for o in here if o.report
    ]
    assert [o.report.troops_total for o in pooled if o.report] == [
        o.report.troops_total for o in here if o.report
    ] * 3
