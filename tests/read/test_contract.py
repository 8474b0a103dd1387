"""`reportwatch extract --json`: exactly the keys docs/extraction.md promises, job number included."""

from __future__ import annotations

import json
import re
from pathlib import Path

from typer.testing import CliRunner

from flows.cli.main import app
from reportwatch.models import DocumentText, PageText, Paragraph
from reportwatch.series import load_series
from tasks.read.normalize import normalize

ROOT = Path(__file__).resolve().parents[2]
PDFS = ROOT / "tests" / "data" / "pdfs"


def documented_keys() -> list[str]:
    """The top-level keys the contract paragraph of docs/extraction.md lists, in order."""
    text = (ROOT / "docs" / "extraction.md").read_text(encoding="utf-8")
    paragraph = text.split("Prints one JSON object with exactly these keys", 1)[1].split("\n\n")[0]
    top_level = re.sub(r"\([^()]*\)", "", paragraph.split(":", 1)[1])  # explanations left out
    return re.findall(r"`(\w+)`", top_level)


def test_the_json_has_exactly_the_documented_keys_and_the_job_number() -> None:
    keys = documented_keys()
    assert "job_number" in keys and len(keys) == len(set(keys)) > 20
    for name, job in (
        ("quarterly-2020-q1-ods-layout.pdf", "20-08523"),
        ("quarterly-2021-q3-reissued-with-asterisk.pdf", "21-18577"),  # "21-18577* (E)"
    ):
        result = CliRunner().invoke(app, ["extract", str(PDFS / name), "--json"])
        assert result.exit_code == 0, result.output
        contract = json.loads(result.output)
        assert list(contract) == keys
        assert contract["job_number"] == job


def test_the_job_number_with_or_without_a_masthead_date_and_null_without_a_job_line() -> None:
    result = CliRunner().invoke(
        app, ["extract", str(PDFS / "masthead-without-a-date.pdf"), "--json"]
    )
    contract = json.loads(result.output)
    assert contract["job_number"] == "21-08410" and contract["distribution_date"] is None
    doc = DocumentText(page_count=1, pages=[PageText(number=1)], extractor="test", paragraphs=[
        Paragraph(number=1, part="enclosure", page=1, text="The report covers the period from "
                  "1 April to 30 June 2017."),
    ])  # fmt: skip
    report = normalize(doc, series="kfor", profile=load_series("kfor").profile)
    assert report.to_contract()["job_number"] is None
