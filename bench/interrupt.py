"""How long Ctrl-C takes to end a run, against how long the run had left.

    python -m bench.interrupt [--interval 1.0] [--repeat 3]

Queues the eight 2021-2022 sample reports for download (as ``reportwatch add`` does), serves the
sample archive with the loopback mirror, and starts the real ``reportwatch run`` in a
pseudo-terminal with ``--interval`` seconds between requests to a host (production's default is
5). It waits for the fetch stage's progress display, presses Ctrl-C, and times from the key to
the process's exit. The baseline, measured in the same run, is the same command left alone:
the time from the fetch display to its exit (what the run still had to do). It prints both
medians, their ratio, and the status the interrupted run left in ``runs``.
"""

from __future__ import annotations

import argparse
import os
import re
import statistics
import sys
import tempfile
import time
from pathlib import Path

import pexpect

from reportwatch.demo import SAMPLES_DIR
from reportwatch.demo.mirror import MirrorServer
from warehouse import open_reader, open_writer
from warehouse.runs import queue_symbol

EXE = str(Path(sys.executable).parent / "reportwatch")
QUEUED = ["S/2021/228", "S/2021/562", "S/2021/795", "S/2021/1032", "S/2022/196",
          "S/2022/475", "S/2022/686", "S/2022/931"]  # fmt: skip
ESCAPES = re.compile(rb"\x1b\[[0-9;?]*[A-Za-z]")


def _run(
    workdir: Path, mirror: MirrorServer, interval: float, interrupt: bool
) -> tuple[float, str]:
    data = Path(tempfile.mkdtemp(dir=workdir))
    with open_writer(data / "warehouse.duckdb") as con:
        for symbol in QUEUED:
            queue_symbol(con, series="kfor", symbol=symbol)
    env = {k: v for k, v in os.environ.items() if not k.startswith("REPORTWATCH_")}
    env.update(
        REPORTWATCH_DATA_DIR=str(data), REPORTWATCH_UNDL_URL=mirror.base_url,
        REPORTWATCH_ODS_URL=mirror.base_url, REPORTWATCH_ALLOWED_HOSTS="127.0.0.1",
        REPORTWATCH_MIN_REQUEST_INTERVAL=str(interval), TERM="xterm-256color",
        PREFECT_HOME=str(workdir / "prefect-home"), PREFECT_SERVER_ANALYTICS_ENABLED="false",
        DO_NOT_TRACK="1",
    )  # fmt: skip
    child = pexpect.spawn(EXE, ["run", "--since", "2024-06-30", "--as-of", "2024-06-30"],
                          env=env, dimensions=(40, 120), timeout=600)  # fmt: skip
    seen = b""
    while not re.search(rb"fetch\s.*\d/8 documents", ESCAPES.sub(b"", seen)):
        seen += child.read_nonblocking(4096, timeout=600)
    started = time.perf_counter()
    if interrupt:
        child.sendintr()
    child.expect(pexpect.EOF)
    elapsed = time.perf_counter() - started
    child.close()
    with open_reader(data / "warehouse.duckdb") as con:
        row = con.execute("SELECT status, error FROM runs").fetchone()
    return elapsed, f"{row[0]} ({row[1]})" if row and row[1] else str(row[0] if row else None)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.interrupt", description=__doc__)
    parser.add_argument("--interval", type=float, default=1.0, help="seconds between requests")
    parser.add_argument("--repeat", type=int, default=3, help="runs of each kind")
    args = parser.parse_args(argv)
    stopped, finished, statuses = [], [], []
    with tempfile.TemporaryDirectory() as tmp, MirrorServer(SAMPLES_DIR) as mirror:
        for _ in range(args.repeat):
            seconds, status = _run(Path(tmp), mirror, args.interval, interrupt=True)
            stopped.append(seconds)
            statuses.append(status)
            finished.append(_run(Path(tmp), mirror, args.interval, interrupt=False)[0])
    stop, rest = statistics.median(stopped), statistics.median(finished)
    print(f"interval {args.interval:g} s between requests, {len(QUEUED)} documents queued")
    print(f"Ctrl-C to exit (median of {args.repeat}):        {stop:6.1f} s   {stopped}")
    print(f"fetch display to exit, left alone (baseline): {rest:6.1f} s   {finished}")
    print(f"ratio: {stop / rest:.2f}; the interrupted runs recorded: {sorted(set(statuses))}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
