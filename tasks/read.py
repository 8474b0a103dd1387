"""Read a stored file: extract (PDF → text) then normalize (text → facts), never raising.

This is the CPU-bound part of a run, so it is a plain picklable function that a process pool
can run (``flows.ingest`` fans it out). An unreadable file or missing facts come back as a
``reason``; the loader stores the document as quarantined with it, nothing is lost.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from pydantic import BaseModel, Field

from reportwatch.errors import ExtractError, NormalizeError
from reportwatch.models import DocumentText, Report


class ReadOutcome(BaseModel):
    text: DocumentText | None = None
    report: Report | None = None
    reason: str | None = None
    rejected: str | None = Field(None, description="Not a document of this series: why.")
    normalizer: str | None = None


def read_document(
    path: Path | str,
    *,
    series: str,
    profile: dict[str, Any],
    sha256: str | None = None,
    max_pages: int = 500,
    max_bytes: int = 50_000_000,
    confirm_terms: list[str] | None = None,
) -> ReadOutcome:
    from tasks.extract import extract_pdf
    from tasks.normalize import NORMALIZER_VERSION, normalize

    try:
        text = extract_pdf(Path(path), max_pages=max_pages, max_bytes=max_bytes, sha256=sha256)
    except ExtractError as exc:
        return ReadOutcome(reason=f"extraction failed: {exc.one_line()}")
    if confirm_terms:
        body = " ".join(p.text for p in text.paragraphs).lower()
        if not any(term.lower() in body for term in confirm_terms):
            return ReadOutcome(
                text=text,
                rejected="the text never mentions " + " / ".join(repr(t) for t in confirm_terms),
            )
    try:
        report = normalize(text, series=series, profile=profile)
    except NormalizeError as exc:
        return ReadOutcome(text=text, reason=f"normalization failed: {exc.one_line()}")
    return ReadOutcome(
        text=text, report=report, reason=report.quarantine_reason, normalizer=NORMALIZER_VERSION
    )
