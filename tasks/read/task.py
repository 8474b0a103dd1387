"""Read a stored file: extract (PDF → text) then normalize (text → facts), never raising.

This is the CPU-bound part of a run. An ingestion reads its few new documents in Prefect's
thread pool; :func:`read_documents` can also fan a large batch out to worker processes. Measured
on the 2-core development machine (48 sample reports, `tasks.read.task.read_documents`): 4.5 s in
one process, 5.9-8.5 s with two spawned workers (start-up and a busy second core eat the gain),
so the default is one process; pass ``workers`` where cores are free. An unreadable file or
missing facts come back as a ``reason``; the loader stores the document as quarantined with it,
nothing is lost.
"""

from __future__ import annotations

import logging
import multiprocessing
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from pathlib import Path
from typing import Any

from prefect import task
from pydantic import BaseModel, Field

from reportwatch.errors import ExtractError, NormalizeError, NotAPdfError
from reportwatch.models import DocumentText, Report

log = logging.getLogger("reportwatch.read")
MIN_BATCH_FOR_PROCESSES = 12


class ReadOutcome(BaseModel):
    text: DocumentText | None = None
    report: Report | None = None
    reason: str | None = None
    rejected: str | None = Field(None, description="Not a document of this series: why.")
    normalizer: str | None = None
    damaged: bool = Field(False, description="The file is not a whole PDF: download it again.")


def check_profile(profile: dict[str, Any]) -> None:
    """Compile the series' profile now: a broken pattern fails the run before any download,
    instead of quarantining every document as it is read."""
    from tasks.read.normalize import compile_profile

    compile_profile(profile)


def read_document(
    path: Path | str,
    *,
    series: str,
    profile: dict[str, Any],
    sha256: str | None = None,
    max_pages: int = 500,
    max_bytes: int = 50_000_000,
    confirm_terms: list[str] | None = None,
    expected_symbol: str | None = None,
) -> ReadOutcome:
    from tasks.read.extract import extract_pdf
    from tasks.read.normalize import NORMALIZER_VERSION, normalize

    try:
        text = extract_pdf(Path(path), max_pages=max_pages, max_bytes=max_bytes, sha256=sha256)
    except ExtractError as exc:
        return ReadOutcome(
            reason=f"extraction failed: {exc.one_line()}", damaged=isinstance(exc, NotAPdfError)
        )
    printed = text.symbols or ([text.symbol] if text.symbol else [])
    if expected_symbol and printed and not any(_same_symbol(s, expected_symbol) for s in printed):
        return ReadOutcome(
            text=text,
            reason=(
                f"the file is {' and '.join(printed)} by its masthead, not {expected_symbol}: "
                "the source linked the wrong document"
            ),
        )
    if confirm_terms and (mismatch := series_mismatch(text, confirm_terms)):
        return ReadOutcome(text=text, rejected=mismatch)
    try:
        report = normalize(text, series=series, profile=profile)
    except NormalizeError as exc:
        return ReadOutcome(text=text, reason=f"normalization failed: {exc.one_line()}")
    return ReadOutcome(
        text=text, report=report, reason=report.quarantine_reason, normalizer=NORMALIZER_VERSION
    )


def series_mismatch(text: DocumentText, confirm_terms: list[str]) -> str | None:
    """Why ``text`` is not a document of the series (None when it mentions a confirm term).

    The terms come from the series file (``confirm_terms``); matching is case-insensitive, on
    the running text (footnotes and page furniture left out) with Unicode look-alikes mapped.
    """
    if not confirm_terms:
        return None
    from tasks.read.textnorm import plain

    body = " ".join(plain(p.text) for p in text.paragraphs if p.kind != "footnote").lower()
    if any(plain(term).lower() in body for term in confirm_terms):
        return None
    return "the text never mentions " + " / ".join(repr(t) for t in confirm_terms)


def _same_symbol(printed: str, expected: str) -> bool:
    def norm(symbol: str) -> str:
        return "".join(symbol.upper().split())

    return norm(printed) == norm(expected)


class ReadJob(BaseModel):
    path: str
    sha256: str
    series: str
    profile: dict[str, Any]
    max_pages: int = 500
    max_bytes: int = 50_000_000
    confirm_terms: list[str] = Field(default_factory=list)
    expected_symbol: str | None = None


def read_job(job: ReadJob) -> ReadOutcome:
    """Read one job; never raises (a bug on one document quarantines that document)."""
    try:
        return read_document(
            job.path, series=job.series, profile=job.profile, sha256=job.sha256,
            max_pages=job.max_pages, max_bytes=job.max_bytes, confirm_terms=job.confirm_terms,
            expected_symbol=job.expected_symbol,
        )  # fmt: skip
    except Exception as exc:  # a bug on one document must not sink the run: quarantine it
        log.exception("reading %s failed", job.path)
        return ReadOutcome(reason=f"internal error while reading: {type(exc).__name__}: {exc}")


def read_documents(jobs: list[ReadJob], *, workers: int | None = None) -> list[ReadOutcome]:
    """Read many documents, in ``workers`` processes when asked and the batch is large.

    Results come back in the order of ``jobs``. A process pool costs about a second to start
    (each worker imports pdfplumber), so small batches are always read in this process.
    """
    workers = workers if workers is not None else 1  # see the module docstring
    if workers <= 1 or len(jobs) < MIN_BATCH_FOR_PROCESSES:
        return [read_job(job) for job in jobs]
    context = multiprocessing.get_context("spawn")  # never fork a process that runs threads
    try:
        with ProcessPoolExecutor(max_workers=workers, mp_context=context) as pool:
            return list(pool.map(read_job, jobs))
    except (BrokenProcessPool, OSError) as exc:  # no processes here: read in this one
        log.warning("worker processes unavailable (%s); reading in this process", exc)
        return [read_job(job) for job in jobs]


@task(name="read-document", task_run_name="read-{job.expected_symbol}")
def read_task(job: ReadJob) -> ReadOutcome:
    return read_job(job)
