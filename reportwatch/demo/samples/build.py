"""Build the synthetic archives: one PDF per report plus ``catalog.json``, per series.

    python -m reportwatch.demo.samples.build                 # every <series>_facts.yaml
    python -m reportwatch.demo.samples.build --facts FILE --out DIR

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

from reportwatch.demo import BUNDLED_FACTS, SAMPLES_DIR, SAMPLES_ROOT, sample_facts
from reportwatch.demo.samples.annual import AnnualReport, load_annual_facts
from reportwatch.demo.samples.facts import PrintedDocument, SampleReport, format_date, load_facts
from reportwatch.demo.samples.render import render_pdf

DEFAULT_OUT = SAMPLES_DIR  # of the default facts file, BUNDLED_FACTS
__all__ = ["BUNDLED_FACTS", "build_archive", "catalog_record", "main", "read_facts"]
CATALOG_NAME = "catalog.json"


def catalog_record(report: PrintedDocument, pdf: bytes) -> dict[str, Any]:
    """The catalogue entry of one rendered report."""
    if isinstance(report, SampleReport):
        start, end = report.period_start, report.period_end
    else:
        assert isinstance(report, AnnualReport)
        start, end = report.previous_date, report.distribution_date
    return {
        "symbol": report.symbol,
        "title": report.catalog_title,
        "date": report.distribution_date.isoformat(),
        "record_id": report.record_id,
        "job_number": f"{report.job_number} (E)",
        "catalogued_at": report.catalogued_at.isoformat() if report.catalogued_at else None,
        "subjects": list(report.subjects),
        "notes": list(report.notes),
        "period": f"{format_date(start)} - {format_date(end)}",
        "file": report.file_name,
        "size": len(pdf),
        "sha256": hashlib.sha256(pdf).hexdigest(),
    }


def read_facts(path: Path) -> list[PrintedDocument]:
    """The reports of a facts file: annual reports when it has a `document` header."""
    import yaml

    head = yaml.safe_load(path.read_text(encoding="utf-8"))
    if isinstance(head, dict) and "document" in head:
        return list(load_annual_facts(path))
    return list(load_facts(path))


def build_archive(
    facts: list[SampleReport] | list[PrintedDocument], out_dir: Path
) -> list[dict[str, Any]]:
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
        description="Render the synthetic archives (PDFs and catalog.json), one per series.",
    )
    parser.add_argument("--facts", type=Path, help="one facts file (default: every series')")
    parser.add_argument(
        "--out",
        type=Path,
        help="with --facts, its output folder (default: samples/kfor); without, the folder "
        "that gets one folder per series (default: samples/)",
    )
    args = parser.parse_args(argv)
    if args.facts is None:
        root = args.out or SAMPLES_ROOT
        jobs = [(facts, root / series) for series, facts in sample_facts().items()]
    else:
        jobs = [(args.facts, args.out or DEFAULT_OUT)]
    for facts, out in jobs:
        catalog = build_archive(read_facts(facts), out)
        total = sum(entry["size"] for entry in catalog)
        print(f"wrote {len(catalog)} reports ({total / 1024:.0f} KiB) and {CATALOG_NAME} to {out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
