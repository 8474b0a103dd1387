"""A run with nothing new must cost about as much as an empty Prefect flow.

    python -m bench.rerun [--reports 200] [--repeat 5]

Builds a synthetic archive of ``--reports`` quarterly reports (:mod:`bench.corpus`), serves it
with the loopback mirror (OAI-PMH + ODS), and runs the real ingestion flow once to harvest and
load everything (not timed). Then, in the same process and against the same ephemeral Prefect
server, it times

* the ingestion flow again, with nothing new: it must download no PDF and extract nothing
  (checked with the mirror's counters and the run summary), and
* a bare ``@flow`` that does nothing,

``--repeat`` times each, alternately, and prints the median wall times and their ratio (target:
at most 1.5x): once with Prefect's default flow heartbeats, which round every flow run up to
whole seconds, and once with heartbeats off, which shows the engine's own work.
"""

from __future__ import annotations

import argparse
import os
import statistics
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

AS_OF = "2025-12-31"
TARGET_RATIO = 1.5


def _environment(workdir: Path, mirror_url: str) -> None:
    # Before prefect is imported: settings are read once.
    os.environ.setdefault("PREFECT_HOME", str(workdir / "prefect-home"))
    os.environ["PREFECT_SERVER_ANALYTICS_ENABLED"] = "false"
    os.environ["DO_NOT_TRACK"] = "1"
    os.environ.setdefault("PREFECT_LOGGING_LEVEL", "WARNING")
    os.environ.update(
        {
            "REPORTWATCH_DATA_DIR": str(workdir / "data"),
            "REPORTWATCH_UNDL_URL": mirror_url,
            "REPORTWATCH_ODS_URL": mirror_url,
            "REPORTWATCH_ALLOWED_HOSTS": "127.0.0.1",
            "REPORTWATCH_MIN_REQUEST_INTERVAL": "0",
            # The first harvest covers fifty years of catalogue: yearly windows keep it short.
            "REPORTWATCH_OAI_WINDOW_DAYS": "366",
        }
    )


def _interleaved(
    first: Callable[[], Any], second: Callable[[], Any], repeat: int
) -> tuple[list[float], list[Any], list[float]]:
    """Time ``first`` and ``second`` alternately, so drift on a shared machine hits both alike."""
    first_seconds, first_results, second_seconds = [], [], []
    for _ in range(repeat):
        start = time.perf_counter()
        first_results.append(first())
        first_seconds.append(time.perf_counter() - start)
        start = time.perf_counter()
        second()
        second_seconds.append(time.perf_counter() - start)
    return first_seconds, first_results, second_seconds


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.rerun", description=__doc__)
    parser.add_argument("--reports", type=int, default=200, help="reports in the archive")
    parser.add_argument("--repeat", type=int, default=5, help="timed runs of each kind")
    args = parser.parse_args(argv)

    from bench.corpus import FIRST_QUARTER, build_corpus
    from reportwatch.demo.mirror import MirrorServer

    with tempfile.TemporaryDirectory(prefix="reportwatch-bench-") as tmp:
        workdir = Path(tmp)
        started = time.perf_counter()
        build_corpus(workdir / "archive", args.reports)
        print(f"archive: {args.reports} reports rendered in {time.perf_counter() - started:.1f}s")
        with MirrorServer(workdir / "archive", page_size=50) as mirror:
            _environment(workdir, mirror.base_url)
            return _measure(mirror, args.reports, args.repeat, FIRST_QUARTER)


def _measure(mirror: Any, reports: int, repeat: int, first_day: Any) -> int:
    import datetime as dt

    from prefect import flow

    from flows.ingest import ingest

    @flow(name="bench-bare")
    def bare() -> int:
        return 0

    as_of = dt.date.fromisoformat(AS_OF)
    bare()  # starts the ephemeral API server: not part of either measurement

    started = time.perf_counter()
    first = ingest(series="kfor", since=first_day, as_of=as_of)
    print(
        f"first run: {first['loaded']} loaded, {first['quarantined']} quarantined, "
        f"{mirror.counts().get('pdf', 0)} PDFs downloaded in {time.perf_counter() - started:.1f}s"
    )
    if first["loaded"] + first["quarantined"] != reports:
        print(f"error: the first run should store {reports} documents: {first}")
        return 1

    from prefect.settings import PREFECT_FLOWS_HEARTBEAT_FREQUENCY, temporary_settings

    failures = 0
    heartbeat = PREFECT_FLOWS_HEARTBEAT_FREQUENCY.value()
    failures += _compare(f"heartbeats every {heartbeat}s (Prefect's default)", mirror,
                         lambda: ingest(series="kfor", as_of=as_of), bare, repeat)  # fmt: skip
    # The heartbeat thread wakes once a second and every flow run waits for it on exit, which
    # rounds both runs up to whole seconds; without it the engine's own work shows.
    with temporary_settings(updates={PREFECT_FLOWS_HEARTBEAT_FREQUENCY: None}):
        failures += _compare("heartbeats off (engine work only)", mirror,
                             lambda: ingest(series="kfor", as_of=as_of), bare, repeat)  # fmt: skip
    return 1 if failures else 0


def _compare(label: str, mirror: Any, rerun: Callable[[], Any], bare: Callable[[], Any],
             repeat: int) -> int:  # fmt: skip
    """Time the no-op ingest against the bare flow; print them; 1 if the no-op did any work."""
    mirror.reset_counts()
    rerun_seconds, reruns, bare_seconds = _interleaved(rerun, bare, repeat)
    counts = mirror.counts()
    for summary in reruns:
        work = {k: summary[k] for k in ("discovered", "fetched", "unchanged", "loaded",
                                         "quarantined", "failed")}  # fmt: skip
        if summary["status"] != "completed" or any(work.values()):
            print(f"error: a run with nothing new did work: {summary['status']} {work}")
            return 1
    if counts.get("pdf", 0) or counts.get("ods", 0):
        print(f"error: a run with nothing new downloaded: {counts}")
        return 1
    noop, baseline = statistics.median(rerun_seconds), statistics.median(bare_seconds)
    ratio = noop / baseline
    stages = ", ".join(f"{k} {v:.3f}" for k, v in reruns[-1]["stage_seconds"].items())
    verdict = "within" if ratio <= TARGET_RATIO else "ABOVE"
    print(f"{label}:")
    print(
        f"  no-op ingest: median {noop:.3f}s over {repeat} runs, "
        f"{counts.get('all', 0) // repeat} request(s) each, no PDF, nothing extracted "
        f"(stages: {stages})"
    )
    print(f"  bare flow:    median {baseline:.3f}s over {repeat} runs")
    print(f"  ratio: {ratio:.2f}x ({verdict} the {TARGET_RATIO}x target)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
