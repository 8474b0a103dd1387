"""Small builders for reports and fetched files used across warehouse, detect and CLI tests."""

from __future__ import annotations

import datetime as dt
import hashlib

from reportwatch.models import (
    DocumentText,
    Evidence,
    FetchedFile,
    Incident,
    MetricValue,
    PageText,
    Paragraph,
    Report,
    ReportTable,
    TableRowFact,
)


def fetched(symbol: str, content: bytes = b"%PDF-1.4 x", series: str = "kfor") -> FetchedFile:
    return FetchedFile(
        series=series,
        symbol=symbol,
        source="ods",
        url=f"http://127.0.0.1/api/symbol/access?s={symbol}",
        sha256=hashlib.sha256(content).hexdigest(),
        path="/nonexistent.pdf",
        size=len(content),
        fetched_at=dt.datetime(2024, 1, 5, tzinfo=dt.UTC),
    )


def report(
    symbol: str,
    start: dt.date,
    end: dt.date,
    troops: int | None,
    *,
    nato: int = 19,
    non_nato: int = 8,
    major: bool | None = False,
    incidents: list[Incident] | None = None,
    text: str | None = None,
) -> Report:
    figure = f"approximately {troops:,}" if troops else "at the required level"
    sentence = text or (
        f"As at {end:%d %B %Y}, the total number of KFOR troops in theatre remained {figure}, "
        f"from {nato} NATO and {non_nato} non-NATO troop-contributing nations."
    )
    paragraphs = [
        Paragraph(
            number=1, section="Introduction", part="enclosure", page=3, text="The present report."
        ),
        Paragraph(number=2, section="Introduction", part="enclosure", page=3, text=sentence),
    ]
    ev = Evidence(page=3, paragraph=2, text=sentence)
    return Report(
        symbol=symbol,
        series="kfor",
        period_start=start,
        period_end=end,
        frequency="quarterly",
        as_of_date=end,
        troops_total=troops,
        troops_approximate=True if troops else None,
        nato_nations=nato,
        non_nato_nations=non_nato,
        major_incidents=major,
        incidents=incidents or [],
        paragraphs=paragraphs,
        evidence={
            k: ev for k in ("troops_total", "nato_nations", "non_nato_nations", "major_incidents")
        },
        quarantine_reason=None if troops else "no troop figure found",
    )


def text_for(report_: Report) -> DocumentText:
    return DocumentText(
        symbol=report_.symbol,
        page_count=3,
        pages=[PageText(number=i) for i in (1, 2, 3)],
        paragraphs=report_.paragraphs,
        extractor="test/rw-0",
    )


QUARTERS = [
    (dt.date(2022, 10, 1), dt.date(2022, 12, 31)),
    (dt.date(2023, 1, 1), dt.date(2023, 3, 31)),
    (dt.date(2023, 4, 1), dt.date(2023, 6, 30)),
    (dt.date(2023, 7, 1), dt.date(2023, 9, 30)),
]


def annual_report(
    symbol: str,
    previous: tuple[str, dt.date],
    date: dt.date,
    strength: int,
    authorized: int,
    contributions: dict[str, tuple[int, int, int]],
    *,
    series: str = "minurso",
    total: tuple[int, int, int] | None = None,
) -> Report:
    """A report of a series with profile metrics and a contributions table (observers, troops,
    police per country); ``total`` overrides the printed Total row (to make it not add up)."""
    sentence = (
        f"As at {date:%d %B %Y}, the military component stood at {strength} personnel, "
        f"against the authorized strength of {authorized}."
    )
    ev = Evidence(page=5, paragraph=20, text=sentence)
    columns = ["military_observers", "troops", "civilian_police", "total"]
    rows: list[TableRowFact] = []
    for index, (country, (observers, troops, police)) in enumerate(contributions.items()):
        values: dict[str, int | None] = dict(
            zip(columns, (observers, troops, police, observers + troops + police), strict=True)
        )
        rows.append(TableRowFact(row_index=index, label=country, values=values, page=20))
    sums = total or tuple(sum(v[i] for v in contributions.values()) for i in range(3))
    rows.append(
        TableRowFact(
            row_index=len(rows), label="Total", is_total=True, page=20,
            values=dict(zip(columns, (*sums, sum(sums)), strict=True)),
        )
    )  # fmt: skip
    table = ReportTable(
        table="contributions",
        title=f"Contributions as at {date:%d %B %Y}",
        as_of_date=date,
        page=20,
        columns=columns,
        unit="personnel",
        view=f"{series}_contributions",
        rows=rows,
    )
    return Report(
        symbol=symbol,
        series=series,
        distribution_date=date,
        period_start=previous[1],
        period_end=date,
        frequency="annual",
        as_of_date=date,
        previous_report_symbol=previous[0],
        previous_report_date=previous[1],
        metrics={
            "military_strength": MetricValue(value=strength, unit="personnel"),
            "authorized_military_strength": MetricValue(value=authorized, unit="personnel"),
        },
        tables=[table],
        paragraphs=[
            Paragraph(number=20, section="A. Military", part="body", page=5, text=sentence)
        ],
        evidence={"military_strength": ev, "authorized_military_strength": ev},
    )
