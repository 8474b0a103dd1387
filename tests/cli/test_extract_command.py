"""`reportwatch extract`: says whether a file is the series' and whether a run would keep it."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest
from fpdf import FPDF
from typer.testing import CliRunner

from flows.cli.main import app

runner = CliRunner()
PDFS = Path(__file__).resolve().parents[1] / "data" / "pdfs"


def mission_report(path: Path) -> Path:
    """A two-paragraph report of another mission, whose sentences look like KFOR's."""
    pdf = FPDF(unit="pt", format="letter")
    pdf.set_creation_date(dt.datetime(2020, 5, 1, tzinfo=dt.UTC))
    pdf.add_page()
    pdf.set_font("Times", "", 14)
    pdf.text(123.4, 57.0, "United Nations")
    pdf.set_font("Times", "", 20)
    pdf.text(490.0, 57.0, "S")
    pdf.set_font("Times", "", 10)
    pdf.text(501.3, 57.0, "/2020/123")
    pdf.text(397.0, 87.0, "Distr.: General")
    pdf.text(397.0, 98.7, "1 May 2020")
    pdf.text(397.0, 122.7, "Original: English")
    pdf.set_font("Times", "B", 14)
    pdf.text(123.4, 224.0, "United Nations Integrated Office in Haiti")
    pdf.set_font("Times", "", 10)
    lines = [
        (280.0, "1. The present report covers the period from 1 January to 31 March 2020."),
        (298.0, "2. As at 31 March 2020, the total number of troops in theatre was 2,370,"),
        (310.0, "within the authorized ceiling set by the Council."),
    ]
    for top, text in lines:
        pdf.text(123.4, top, text)
    pdf.text(65.4, 748.0, "20-05511 (E) 040520")
    path.write_bytes(bytes(pdf.output()))
    return path


def test_a_kfor_report_matches_its_series_and_would_load() -> None:
    result = runner.invoke(
        app, ["extract", str(PDFS / "quarterly-2020-q1-ods-layout.pdf"), "--json"]
    )
    assert result.exit_code == 0, result.output
    contract = json.loads(result.output)
    assert contract["series_match"] is True and contract["quarantine_reason"] is None
    assert (contract["symbol"], contract["symbols"], contract["reissue"]) == (
        "S/2020/604",
        ["S/2020/604"],
        None,
    )
    assert contract["troops_total"] == 3600
    assert {p["kind"] for p in contract["paragraphs"]} == {"paragraph", "footnote"}


def test_another_missions_report_is_flagged_in_the_json_and_the_human_output(
    tmp_path: Path,
) -> None:
    path = mission_report(tmp_path / "haiti.pdf")
    result = runner.invoke(app, ["extract", str(path), "--json"])
    assert result.exit_code == 0, result.output
    contract = json.loads(result.output)
    assert contract["series_match"] is False
    # The figures read from its sentences are printed only under a warning that says so.
    assert contract["troops_total"] == 2370
    assert contract["warnings"][0].startswith("not a kfor document (the text never mentions")
    human = runner.invoke(app, ["extract", str(path)])
    assert human.output.splitlines()[0].startswith(
        "not a kfor document: the text never mentions 'Kosovo Force'"
    )
    assert "series_match: False" in human.output


def test_a_report_that_would_be_quarantined_says_why_first() -> None:
    result = runner.invoke(app, ["extract", str(PDFS / "digit-groups-plain-space.pdf")])
    assert result.exit_code == 0, result.output
    first = result.output.splitlines()[0]
    assert first == "would be quarantined: no troop figure found in the enclosure or letters"
    assert "digits of a figure are split" in result.output


def test_real_documents_of_other_series_never_pass_as_kfor(realpdf_dir: Path) -> None:
    for path in sorted(realpdf_dir.glob("*.pdf")):
        result = runner.invoke(app, ["extract", str(path), "--json"])
        assert result.exit_code == 0, (path.name, result.output)
        contract = json.loads(result.output)
        assert contract["series_match"] is False, path.name
        assert contract["warnings"][0].startswith("not a kfor document"), path.name


@pytest.mark.parametrize("name", ["font-without-unicode-map.pdf", "scanned-no-text.pdf"])
def test_a_file_that_needs_ocr_is_one_line_and_exit_1(name: str) -> None:
    result = runner.invoke(app, ["extract", str(PDFS / name)])
    assert result.exit_code == 1
    assert result.output.count("\n") == 1 and "OCR" in result.output
