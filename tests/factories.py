"""Small builders for reports and fetched files used across warehouse, detect and CLI tests."""

from __future__ import annotations

import datetime as dt
import hashlib

from reportwatch.models import (
    DocumentText,
    Evidence,
    FetchedFile,
    Incident,
    PageText,
    Paragraph,
    Report,
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
