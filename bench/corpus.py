"""A large synthetic archive for benchmarks: N consecutive quarterly KFOR reports.

Each report is a copy of one bundled sample with its identity and dates moved to its own
quarter (symbol, job number, record id, catalogue date all unique), and a troop figure that
wanders a little so normalization has real work. ``build_corpus`` writes the PDFs and the
``catalog.json`` the loopback mirror serves (:mod:`reportwatch.demo.samples.build`).
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

from reportwatch.demo.samples.build import BUNDLED_FACTS, build_archive
from reportwatch.demo.samples.facts import SampleReport, format_date, load_facts

FIRST_QUARTER = dt.date(1975, 1, 1)


def quarter(index: int, first: dt.date = FIRST_QUARTER) -> tuple[dt.date, dt.date]:
    months = first.year * 12 + first.month - 1 + 3 * index
    start = dt.date(months // 12, months % 12 + 1, 1)
    after = start.month + 3
    next_start = dt.date(start.year + (after - 1) // 12, (after - 1) % 12 + 1, 1)
    return start, next_start - dt.timedelta(days=1)


def corpus_facts(count: int) -> list[SampleReport]:
    """``count`` consecutive quarters, oldest first."""
    template = next(r for r in load_facts(BUNDLED_FACTS) if not r.incidents and r.troops_total)
    reports = []
    for i in range(count):
        start, end = quarter(i)
        distributed = end + dt.timedelta(days=75)
        notes = (
            "Transmits report on the international security presence in Kosovo for the period "
            f"{format_date(start)}-{format_date(end)}."
        )
        reports.append(
            template.model_copy(
                update={
                    "symbol": f"S/{distributed.year}/{100 + i}",
                    "record_id": f"{3_000_000 + i}",
                    "catalogued_at": dt.datetime.combine(
                        distributed + dt.timedelta(days=4), dt.time(10), tzinfo=dt.UTC
                    ),
                    "notes": [notes],
                    "distribution_date": distributed,
                    "job_number": f"{distributed.year % 100:02d}-{10_000 + i:05d}",
                    "job_processed": distributed + dt.timedelta(days=1),
                    "letter_date": distributed - dt.timedelta(days=3),
                    "nato_letter_date": distributed - dt.timedelta(days=40),
                    "period_start": start,
                    "period_end": end,
                    "as_of_date": None,
                    # small steps (under the 5 % alert threshold): the bench measures the
                    # pipeline, not 200 alert deliveries
                    "troops_total": 3500 + 50 * (i % 3),
                    "major_incidents": False,
                }
            )
        )
    return reports


def build_corpus(out_dir: Path, count: int = 200) -> list[dict[str, Any]]:
    """Render ``count`` reports into ``out_dir`` with their ``catalog.json``; the catalogue."""
    return build_archive(corpus_facts(count), out_dir)
