"""A second series by configuration, on real reports: every ``series_facts`` value of the manifest.

The real ODS PDFs and ``manifest.json`` live outside the repository (``../shared/realpdf/``, or
``REPORTWATCH_REALPDF_DIR``); each test skips with the reason when they are absent. The series
file is the bundled one (``series/<series>.yaml``): what a run would read, nothing set up here.
"""

from __future__ import annotations

import datetime as dt
import json
from functools import cache
from pathlib import Path
from typing import Any

import pytest

from reportwatch.models import Report, ReportTable
from reportwatch.series import load_series
from tasks.read.extract import extract_pdf
from tasks.read.task import read_document
from tests.conftest import REALPDF_DIR


def _with_series_facts() -> list[str]:
    manifest = REALPDF_DIR / "manifest.json"
    if not manifest.is_file():
        return ["(no real PDFs)"]
    documents = json.loads(manifest.read_text(encoding="utf-8"))["documents"]
    return sorted(name for name, doc in documents.items() if "series_facts" in doc)


@cache
def _read(folder: Path, name: str) -> tuple[Report, dict[str, Any]]:
    manifest = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
    want = manifest["documents"][name]["series_facts"]
    config = load_series(want["series"])
    outcome = read_document(folder / name, series=config.id, profile=config.profile,
                            confirm_terms=config.confirm_terms)  # fmt: skip
    assert outcome.rejected is None, outcome.rejected
    assert outcome.report is not None, outcome.reason
    return outcome.report, want


def _value(report: Report, name: str) -> object:
    if name in report.metrics:
        return report.metrics[name].value
    return getattr(report, name, None)


@pytest.mark.parametrize("name", _with_series_facts())
def test_every_series_fact_of_the_manifest(realpdf_dir: Path, name: str) -> None:
    report, want = _read(realpdf_dir, name)
    assert report.quarantine_reason is None
    for key, expected in want.items():
        if key in ("series", "annex_table"):
            continue
        got = _value(report, key)
        if key.endswith("_date") and expected is not None:
            expected = dt.date.fromisoformat(expected)
        assert got == expected, f"{name}: {key}"
    # The period runs from the previous report's date to this report's own.
    assert report.period_start == report.previous_report_date
    assert report.period_end == report.distribution_date
    assert report.frequency == "annual"
    # Each figure quotes the sentence it came from.
    for key in ("military_strength", "authorized_military_strength"):
        evidence = report.evidence[key]
        assert str(want[key]) in evidence.text and evidence.page and evidence.paragraph


@pytest.mark.parametrize("name", _with_series_facts())
def test_no_figure_comes_from_a_recommendation(realpdf_dir: Path, name: str) -> None:
    report, _ = _read(realpdf_dir, name)
    for key in ("authorized_military_strength", "military_strength", "female_military"):
        if key in report.evidence:
            text = report.evidence[key].text
            assert "stood at" in text and "recommend" not in text and "increase" not in text


def _table(report: Report, name: str) -> ReportTable:
    tables = [t for t in report.tables if t.table == "contributions"]
    assert len(tables) == 1, f"{name}: {len(tables)} contributions tables"
    return tables[0]


@pytest.mark.parametrize("name", _with_series_facts())
def test_the_annex_table_is_read_and_adds_up_or_said_to_be_unreadable(
    realpdf_dir: Path, name: str
) -> None:
    report, want = _read(realpdf_dir, name)
    annex = want.get("annex_table")
    if annex is None:
        # Printed as a picture: no rows, and a warning that says so (never invented rows).
        assert report.tables == []
        assert any("no text layer" in w and "contributions" in w for w in report.warnings)
        assert "contributing_countries" not in report.metrics
        return
    table = _table(report, name)
    assert table.title == annex["title"]
    assert table.as_of_date == dt.date.fromisoformat(annex["as_of_date"])
    body = [r for r in table.rows if not r.is_total]
    totals = [r for r in table.rows if r.is_total]
    assert len(body) == annex["countries"] and len(totals) == 1
    assert totals[0].values == annex["totals"]
    for column, printed in annex["totals"].items():
        assert sum(r.values[column] or 0 for r in body) == printed, column
    for row in table.rows:  # every row adds up along its length too
        parts = [v for k, v in row.values.items() if k != "total"]
        assert sum(v or 0 for v in parts) == row.values["total"], row.label
    by_label = {r.label: r for r in body}
    for country, values in annex["rows_sample"].items():
        assert list(by_label[country].values.values()) == values, country
    assert [r.row_index for r in table.rows] == list(range(len(table.rows)))
    assert all(r.page == table.page for r in table.rows)
    # The notes under the table travel with it; no check failed.
    assert table.notes and all(n[:2] in {"a ", "b ", "c "} for n in table.notes)
    assert not [w for w in report.warnings if "table" in w]
    assert report.metrics["contributing_countries"].value == annex["countries"]


@pytest.mark.parametrize("name", _with_series_facts())
def test_the_bold_total_row_is_kept_as_a_row_and_as_printed(realpdf_dir: Path, name: str) -> None:
    report, want = _read(realpdf_dir, name)
    annex = want.get("annex_table")
    if annex is None:
        return  # printed as a picture: checked above
    table = _table(report, name)
    (total,) = [r for r in table.rows if r.is_total]
    assert (total.label, total.values, total.row_index) == (
        "Total", annex["totals"], len(table.rows) - 1,
    )  # fmt: skip
    row = next(t for t in report.to_contract()["tables"] if t["table"] == "contributions")["rows"]
    assert row[-1] == {"label": "Total", "total": True, "values": annex["totals"]}
    # As printed, once: a line of its page (its footnote letter kept), in no paragraph.
    figures = " ".join(str(v) for v in annex["totals"].values())
    doc = extract_pdf(realpdf_dir / name)
    printed = [x for x in doc.pages[table.page - 1].lines if x.startswith(f"Total {figures}")]
    assert len(printed) == 1
    assert not any(figures in p.text for p in doc.paragraphs)
