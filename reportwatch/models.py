"""Data contracts that cross a stage boundary.

discover → :class:`Candidate`; fetch → :class:`FetchedFile`; extract → :class:`DocumentText`;
normalize → :class:`Report`; detect → :class:`Alert`. They are pydantic models so a Prefect
task can hand them to the next one (and to a worker process) without surprises.
"""

from __future__ import annotations

import datetime as dt
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

Severity = Literal["info", "warning", "critical"]
SEVERITY_RANK: dict[str, int] = {"info": 0, "warning": 1, "critical": 2}


class Candidate(BaseModel):
    """A document a source says exists, before anything is downloaded."""

    series: str
    symbol: str
    source: str = Field(description="Name of the source adapter that found it, e.g. 'undl-oai'.")
    title: str | None = None
    date: dt.date | None = Field(None, description="Publication date (MARC 269).")
    file_url: str | None = Field(None, description="Direct file URL when the source gives one.")
    record_id: str | None = None
    job_number: str | None = None
    notes: list[str] = Field(default_factory=list)
    subjects: list[str] = Field(default_factory=list)
    catalogued_at: dt.datetime | None = Field(
        None, description="Catalogue change date (OAI datestamp)."
    )
    local_path: str | None = Field(None, description="For the drop folder: the file on disk.")
    needs_confirmation: bool = Field(
        False,
        description="Metadata looks right but does not name the topic: confirm from the text.",
    )


FetchStatus = Literal["fetched", "unchanged", "not_modified"]


class FetchedFile(BaseModel):
    """A downloaded file, stored in the raw archive by its sha256."""

    series: str
    symbol: str
    source: str
    url: str = Field(description="Final URL after redirects.")
    sha256: str
    path: str = Field(description="Path of the file in the raw archive.")
    size: int
    status: FetchStatus = "fetched"
    content_type: str | None = None
    etag: str | None = None
    last_modified: str | None = None
    fetched_at: dt.datetime
    title: str | None = None


class PageText(BaseModel):
    number: int = Field(description="1-based page number.")
    lines: list[str] = Field(
        default_factory=list, description="Printed lines (footnotes last), furniture removed."
    )
    width: float | None = Field(None, description="Page width in points.")
    height: float | None = Field(None, description="Page height in points.")
    direction: str = Field(
        "upright", description="Which way its text runs: upright, up, down or upside-down."
    )
    images: int = Field(0, description="Images drawn on the page (a scanned table is one).")


class Paragraph(BaseModel):
    """A paragraph of the body text with where it came from."""

    number: int | None = Field(None, description="The printed paragraph number, if numbered.")
    section: str | None = Field(None, description="The heading it sits under.")
    part: str = Field("body", description="letter, annex, enclosure or body.")
    page: int = Field(description="1-based page where the paragraph starts.")
    top: float | None = Field(None, description="Distance from the top of the page in points.")
    text: str = Field(description="The text as printed, lines joined (line-end hyphens resolved).")
    kind: Literal["paragraph", "footnote"] = Field(
        "paragraph", description="A paragraph of the running text, or a footnote (page foot)."
    )
    marks: list[tuple[int, int]] = Field(
        default_factory=list,
        description="(start, end) offsets in text of superscript footnote markers ('2025.1').",
    )
    breaks: list[int] = Field(
        default_factory=list,
        description="Offsets in text where a printed line ends and the next begins.",
    )


class TableRowText(BaseModel):
    """One body row of a printed table: its label and the text of each value cell."""

    label: str = Field(description="The first cell as printed ('Republic of Korea', 'Total').")
    cells: list[str | None] = Field(
        description="The value cells left to right, footnote letters left out; None when empty."
    )
    marks: list[str] = Field(
        default_factory=list,
        description="Footnote letters printed on the cells ('c' of '235c'), '' where none.",
    )
    top: float = Field(description="Distance of the row from the top of its page in points.")


class TableText(BaseModel):
    """A table printed without ruling lines, found by pdfplumber's table finder (text strategies).

    Columns are named by their header as printed, footnote letters left out
    ("Military observersa" is ``Military observers`` with mark ``a``).
    """

    page: int = Field(description="1-based page the table is printed on.")
    top: float = Field(description="Distance of its header from the top of the page in points.")
    part: str = Field("body", description="letter, annex, enclosure or body.")
    title: str | None = Field(
        None, description="The heading printed above it ('Contributions as at 31 March 2012')."
    )
    context: list[str] = Field(
        default_factory=list, description="Lines printed above it on its page, top to bottom."
    )
    label_header: str | None = Field(None, description="Header of the label column ('Country').")
    columns: list[str] = Field(description="Headers of the value columns, left to right.")
    column_marks: list[str] = Field(
        default_factory=list, description="Footnote letters on each value column's header."
    )
    rows: list[TableRowText] = Field(default_factory=list)
    notes: list[str] = Field(
        default_factory=list, description="The lettered notes printed under it, as printed."
    )


class DocumentText(BaseModel):
    """What extraction gives: body text by page and paragraph, plus masthead metadata."""

    symbol: str | None = Field(
        None, description="The Security Council symbol (of a joint document, the S/ one)."
    )
    symbols: list[str] = Field(
        default_factory=list, description="Every symbol of the masthead, as printed in order."
    )
    reissue: str | None = Field(
        None, description="The reissue note ('Reissued for technical reasons on ...'), if any."
    )
    distribution_date: dt.date | None = None
    original_language: str | None = None
    job_number: str | None = Field(None, description="ODS job number, e.g. '25-08272'.")
    title: str | None = None
    page_count: int
    pages: list[PageText]
    paragraphs: list[Paragraph]
    tables: list[TableText] = Field(
        default_factory=list,
        description="Tables without ruling lines (their lines are no paragraph).",
    )
    extractor: str = Field(
        description="Extractor name and version, e.g. 'pdfplumber-0.11.10/rw-3'."
    )
    sha256: str | None = None
    warnings: list[str] = Field(
        default_factory=list, description="What the reader could not read as printed."
    )


class Evidence(BaseModel):
    page: int | None = None
    paragraph: int | None = None
    text: str


class Incident(BaseModel):
    date: dt.date | None = None
    location: str | None = None
    summary: str
    casualties: int | None = None
    evidence: Evidence | None = None


Frequency = Literal["monthly", "quarterly", "annual", "other"]


class MetricValue(BaseModel):
    """A figure of a metric the series profile names (beyond the fields of :class:`Report`)."""

    value: int
    unit: str = Field(description="What it counts: 'personnel', 'troops', 'countries'.")
    approximate: bool = False
    as_of_date: dt.date | None = Field(
        None, description="Its own as-at date when it has one (a table's), else the report's."
    )


class TableRowFact(BaseModel):
    """One row of a table read for the series: its label and a value per profile column."""

    row_index: int = Field(description="0-based position among the table's body rows.")
    label: str
    values: dict[str, int | None] = Field(
        description="Column key of the profile → value (None: printed but not a clean figure)."
    )
    is_total: bool = False
    page: int


class ReportTable(BaseModel):
    """A table of the document matched to a ``tables`` entry of the series profile."""

    table: str = Field(description="The profile's table id, e.g. 'contributions'.")
    title: str = Field(description="Its title as printed.")
    as_of_date: dt.date | None = Field(None, description="The date its title gives, if any.")
    page: int
    columns: list[str] = Field(description="The profile's column keys, in the profile's order.")
    unit: str = "count"
    view: str | None = Field(None, description="The per-series view the profile names.")
    rows: list[TableRowFact] = Field(default_factory=list)
    notes: list[str] = Field(default_factory=list)


class Report(BaseModel):
    """A normalized report: typed facts, each with evidence, and warnings."""

    model_config = ConfigDict(extra="forbid")

    symbol: str | None = None
    symbols: list[str] = Field(
        default_factory=list, description="Every masthead symbol (a joint A/ and S/ document)."
    )
    reissue: str | None = Field(None, description="The reissue note, if the file is a reissue.")
    job_number: str | None = Field(None, description="ODS job number, e.g. '25-08272'.")
    series: str
    series_match: bool | None = Field(
        None, description="Whether the text mentions the series' confirm terms (None: unchecked)."
    )
    title: str | None = None
    distribution_date: dt.date | None = None
    letter_date: dt.date | None = None
    original_language: str | None = None
    period_start: dt.date | None = None
    period_end: dt.date | None = None
    frequency: Frequency | None = None
    as_of_date: dt.date | None = None
    previous_report_date: dt.date | None = Field(
        None, description="Date of the report this one continues from ('since my report of ...')."
    )
    previous_report_symbol: str | None = Field(None, description="Symbol of that report.")
    troops_total: int | None = None
    troops_approximate: bool | None = None
    nato_nations: int | None = None
    non_nato_nations: int | None = None
    non_nato_troops: int | None = None
    major_incidents: bool | None = None
    incidents: list[Incident] = Field(default_factory=list)
    metrics: dict[str, MetricValue] = Field(
        default_factory=dict, description="Profile metrics other than the fields above."
    )
    tables: list[ReportTable] = Field(default_factory=list)
    signatories: list[str] = Field(default_factory=list)
    paragraphs: list[Paragraph] = Field(default_factory=list)
    evidence: dict[str, Evidence] = Field(default_factory=dict)
    warnings: list[str] = Field(default_factory=list)
    quarantine_reason: str | None = Field(
        None,
        description="Set when required facts are missing; the document is loaded as quarantined.",
    )

    def to_contract(self) -> dict[str, Any]:
        """The JSON contract of ``reportwatch extract --json`` (exact top-level keys)."""
        return {
            "symbol": self.symbol,
            "symbols": list(self.symbols),
            "reissue": self.reissue,
            "job_number": self.job_number,
            "series": self.series,
            "series_match": self.series_match,
            "quarantine_reason": self.quarantine_reason,
            "title": self.title,
            "distribution_date": _iso(self.distribution_date),
            "letter_date": _iso(self.letter_date),
            "original_language": self.original_language,
            "period_start": _iso(self.period_start),
            "period_end": _iso(self.period_end),
            "frequency": self.frequency,
            "as_of_date": _iso(self.as_of_date),
            "previous_report_date": _iso(self.previous_report_date),
            "previous_report_symbol": self.previous_report_symbol,
            "troops_total": self.troops_total,
            "troops_approximate": self.troops_approximate,
            "nato_nations": self.nato_nations,
            "non_nato_nations": self.non_nato_nations,
            "non_nato_troops": self.non_nato_troops,
            "major_incidents": self.major_incidents,
            "incidents": [
                {"date": _iso(i.date), "location": i.location, "summary": i.summary}
                for i in self.incidents
            ],
            "metrics": {
                name: {"value": m.value, "unit": m.unit, "approximate": m.approximate}
                for name, m in self.metrics.items()
            },
            "tables": [
                {
                    "table": t.table,
                    "title": t.title,
                    "as_of_date": _iso(t.as_of_date),
                    "page": t.page,
                    "columns": list(t.columns),
                    "rows": [
                        {"label": r.label, "total": r.is_total, "values": dict(r.values)}
                        for r in t.rows
                    ],
                    "notes": list(t.notes),
                }
                for t in self.tables
            ],
            "signatories": list(self.signatories),
            "paragraphs": [
                {
                    "number": p.number,
                    "section": p.section,
                    "page": p.page,
                    "kind": p.kind,
                    "text": p.text,
                }
                for p in self.paragraphs
            ],
            "evidence": {
                name: {"page": e.page, "paragraph": e.paragraph, "text": e.text}
                for name, e in self.evidence.items()
            },
            "warnings": list(self.warnings),
        }


# Facts stored as rows in ``observations``: report field → unit.
OBSERVED_METRICS: dict[str, str] = {
    "troops_total": "troops",
    "non_nato_troops": "troops",
    "nato_nations": "nations",
    "non_nato_nations": "nations",
    "major_incidents": "flag",
}


# Report fields that say whether a metric's figure was qualified ("approximately 3,600").
APPROXIMATE_FIELDS: dict[str, str] = {"troops_total": "troops_approximate"}


class Alert(BaseModel):
    """One alert: what changed, by how much, since which report, where in the PDF."""

    key: str = Field(description="Stable key: the same alert is raised once, ever.")
    rule_id: str
    rule_kind: str
    series: str
    severity: Severity
    headline: str = Field(description="One line that says what happened.")
    symbol: str | None = None
    document_id: str | None = None
    metric: str | None = None
    value: float | None = None
    previous_value: float | None = None
    delta: float | None = None
    pct_change: float | None = None
    approximate: bool | None = None
    period_start: dt.date | None = None
    period_end: dt.date | None = None
    previous_symbol: str | None = None
    previous_period_end: dt.date | None = None
    source_url: str | None = None
    evidence_page: int | None = None
    evidence_paragraph: int | None = None
    evidence_text: str | None = None
    details: dict[str, Any] = Field(default_factory=dict)
    raised_at: dt.datetime | None = None


def _iso(value: dt.date | None) -> str | None:
    return value.isoformat() if value else None
