"""Build the synthetic KFOR archive: one PDF per report plus ``catalog.json``.

    python -m reportwatch.demo.samples.build [--facts FILE] [--out reportwatch/demo/samples/kfor]

The catalogue is what a UN Digital Library record would tell about each document (symbol,
title, date, record id, job number, subjects, notes, catalogue datestamp) plus the file name and
its sha256; the loopback mirror used in tests and the demo serves both.
"""

from __future__ import annotations

import argparse
import hashlib
import json
from pathlib import Path
from typing import Any

from reportwatch.demo import BUNDLED_FACTS, SAMPLES_DIR
from reportwatch.demo.samples.facts import SampleReport, format_date, load_facts
from reportwatch.demo.samples.render import render_pdf

DEFAULT_OUT = SAMPLES_DIR
CATALOG_NAME = "catalog.json"


def catalog_record(report: SampleReport, pdf: bytes) -> dict[str, Any]:
    """The catalogue entry of one rendered report."""
    return {
        "symbol": report.symbol,
        "title": report.letter_title if "letter" in report.layers else report.title,
        "date": report.distribution_date.isoformat(),
        "record_id": report.record_id,
        "job_number": f"{report.job_number} (E)",
        "catalogued_at": report.catalogued_at.isoformat() if report.catalogued_at else None,
        "subjects": list(report.subjects),
        "notes": list(report.notes),
        "period": (f"{format_date(report.period_start)} - {format_date(report.period_end)}"),
        "file": report.file_name,
        "size": len(pdf),
        "sha256": hashlib.sha256(pdf).hexdigest(),
    }


def build_archive(facts: list[SampleReport], out_dir: Path) -> list[dict[str, Any]]:
    """Render every report into ``out_dir`` and write ``catalog.json``; returns the catalogue.

    Files are rewritten only when their bytes change, so a rebuild leaves timestamps alone.
    """
    out_dir.mkdir(parents=True, exist_ok=True)
    catalog: list[dict[str, Any]] = []
    for report in facts:
        pdf = render_pdf(report)
        _write_if_changed(out_dir / report.file_name, pdf)
        catalog.append(catalog_record(report, pdf))
    text = json.dumps(catalog, indent=2, ensure_ascii=False) + "\n"
    _write_if_changed(out_dir / CATALOG_NAME, text.encode("utf-8"))
    return catalog


def _write_if_changed(path: Path, data: bytes) -> None:
    if path.is_file() and path.read_bytes() == data:
        return
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_bytes(data)
    tmp.replace(path)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m reportwatch.demo.samples.build",
        description="Render the synthetic KFOR archive (PDFs and catalog.json).",
    )
    parser.add_argument("--facts", type=Path, default=BUNDLED_FACTS, help="YAML list of reports")
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT, help="output folder")
    args = parser.parse_args(argv)
    catalog = build_archive(load_facts(args.facts), args.out)
    total = sum(entry["size"] for entry in catalog)
    print(f"wrote {len(catalog)} reports ({total / 1024:.0f} KiB) and {CATALOG_NAME} to {args.out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
