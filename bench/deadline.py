"""How long one document can be held by a server that trickles its body, with and without the
per-document deadline.

    python -m bench.deadline [--deadline 3] [--attempt-timeout 2] [--retries 2]

A loopback server sends a PDF one byte every 0.25 s at both the Official Document System URL and
the catalogue's file link. ``fetch_candidate`` (the real fetch stage) downloads one candidate
twice in the same run: first with the deadline out of the way (the old behaviour: each attempt
may take ``--attempt-timeout`` seconds, every retry and every URL gets its own), then with
``REPORTWATCH_DOWNLOAD_DEADLINE=--deadline``. It prints both wall times, the requests the server
saw, and their ratio. The bound without the deadline is roughly (retries + 1) x attempt timeout
x URLs, plus backoff; with it, the deadline.
"""

from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path
from typing import Any

from reportwatch.series import load_series
from reportwatch.settings import Settings
from tasks.fetch.task import fetch_candidate
from tests.loopback import LoopbackServer, Reply, tiny_pdf

TRICKLE = 0.25  # seconds between bytes


def _timed(server: LoopbackServer, settings: Settings, row: dict[str, Any]) -> tuple[float, int]:
    before = len(server.requests)
    start = time.perf_counter()
    outcome = fetch_candidate(load_series("kfor"), settings, row)
    elapsed = time.perf_counter() - start
    assert outcome.status == "failed", outcome
    return elapsed, len(server.requests) - before


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--deadline", type=float, default=3.0)
    parser.add_argument("--attempt-timeout", type=float, default=2.0)
    parser.add_argument("--retries", type=int, default=2)
    args = parser.parse_args(argv)
    body = tiny_pdf("S/2024/1\nReport to the United Nations on Kosovo Force operations")
    drip = Reply(body=body, trickle=TRICKLE, chunk_size=1)
    with LoopbackServer() as server, tempfile.TemporaryDirectory() as folder:
        server.script("/api/symbol/access", drip)
        link = server.script("/record/1/files/S_2024_1-EN.pdf", drip)
        row: dict[str, Any] = {"symbol": "S/2024/1", "file_url": link, "local_path": None}
        common: dict[str, Any] = {
            "data_dir": Path(folder), "ods_url": server.base_url,
            "allowed_hosts": ["127.0.0.1"], "min_request_interval": 0,
            "max_retries": args.retries, "total_timeout": args.attempt_timeout,
        }  # fmt: skip
        baseline, baseline_requests = _timed(
            server, Settings(**common, download_deadline=10_000), row
        )
        bounded, bounded_requests = _timed(
            server, Settings(**common, download_deadline=args.deadline), row
        )
    print(
        f"without a deadline: {baseline:6.2f} s, {baseline_requests} requests\n"
        f"with a {args.deadline:g} s deadline: {bounded:6.2f} s, {bounded_requests} requests\n"
        f"ratio (without / with): {baseline / bounded:.1f}x"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
