"""The real ``reportwatch`` in a pseudo-terminal, as a person meets it (pexpect).

A first run against the loopback mirror shows a progress display per stage and no Prefect
noise; Ctrl-C in the middle of the downloads ends the run with one line, records it as
cancelled and leaves the undownloaded documents for the next run; bad input is one line on
the screen. Assertions are on the text the terminal received, escape sequences removed.
"""

from __future__ import annotations

import os
import re
import shutil
import sys
from collections.abc import Iterator
from pathlib import Path

import pexpect
import pytest

from reportwatch.demo import SAMPLES_DIR
from reportwatch.demo.mirror import MirrorServer
from warehouse import open_reader, open_writer
from warehouse.runs import queue_symbol

pytestmark = pytest.mark.slow
EXE = str(Path(sys.executable).parent / "reportwatch")
ESCAPES = re.compile(r"\x1b\[[0-9;?]*[A-Za-z]|\x1b\][^\x07]*\x07|\x1b[()][A-Z0-9]")
BAR = re.compile(r"━|^\W?\s*(discover|fetch|extract|load|detect|notify)\s+\d*/?")
WAIT = 180  # seconds: a bound for a stuck test, not a measurement (Prefect starts its server)
QUEUED = ["S/2021/228", "S/2021/562", "S/2021/795", "S/2021/1032", "S/2022/196",
          "S/2022/475", "S/2022/686", "S/2022/931"]  # fmt: skip


class Terminal:
    """One command in a pty; ``text`` is everything it printed, without escape sequences."""

    def __init__(self, args: list[str], env: dict[str, str]) -> None:
        self.raw = ""
        self.child = pexpect.spawn(
            EXE, args, env=env, encoding="utf-8", dimensions=(40, 120), timeout=WAIT
        )

    @property
    def text(self) -> str:
        return ESCAPES.sub("", self.raw).replace("\r\n", "\n").replace("\r", "\n")

    def wait_for(self, pattern: str) -> re.Match[str]:
        """Read until the text so far matches ``pattern`` (a regex)."""
        while True:
            found = re.search(pattern, self.text, re.M)
            if found:
                return found
            try:
                self.raw += self.child.read_nonblocking(4096, timeout=WAIT)
            except pexpect.EOF:
                raise AssertionError(f"{pattern!r} never appeared in:\n{self.text}") from None

    def finish(self) -> int:
        self.raw += self.child.read()  # to the end of its output
        self.child.close()
        assert self.child.exitstatus is not None, "killed by a signal"
        return int(self.child.exitstatus)


@pytest.fixture(scope="module")
def mirror() -> Iterator[MirrorServer]:
    with MirrorServer(SAMPLES_DIR) as server:
        yield server


def environment(data: Path, mirror: MirrorServer, interval: float) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("REPORTWATCH_", "PREFECT_"))}
    env.update(
        REPORTWATCH_DATA_DIR=str(data), REPORTWATCH_UNDL_URL=mirror.base_url,
        REPORTWATCH_ODS_URL=mirror.base_url, REPORTWATCH_ALLOWED_HOSTS="127.0.0.1",
        REPORTWATCH_MIN_REQUEST_INTERVAL=str(interval), TERM="xterm-256color",
        PREFECT_HOME=str(data.parent / "prefect-home"), PREFECT_SERVER_ANALYTICS_ENABLED="false",
        DO_NOT_TRACK="1",
    )  # fmt: skip
    env.pop("COLUMNS", None)
    return env


def test_a_first_run_shows_progress_per_stage_and_no_prefect_noise(
    tmp_path: Path, mirror: MirrorServer
) -> None:
    env = environment(tmp_path / "data", mirror, interval=0.05)
    run = Terminal(["run", "--since", "2020-01-01", "--as-of", "2024-06-30"], env)
    run.wait_for(r"discover\s.*\d+/53 windows.*undl-oai \d{4}-\d\d-\d\d\.\.")  # a bar at work
    run.wait_for(r"^discover: 16 new document\(s\), 0 rejected in [\d.]+ s$")
    run.wait_for(r"^fetch: 16 fetched, 0 unchanged, 0 failed in [\d.]+ s$")
    run.wait_for(r"^extract: 16 document\(s\) read in")
    run.wait_for(r"^load: 16 loaded, 0 quarantined, 0 rejected in")
    run.wait_for(r"^detect: \d+ alert\(s\) raised in")
    run.wait_for(r"^notify: \d+ channel delivery\(ies\)")
    run.wait_for(r"^kfor: completed: discovered 16, fetched 16, unchanged 0, loaded 16")
    assert run.finish() == 0
    for noise in ("prefect.io", "temporary server", "do not exist", "Task run", "Flow run",
                  "Traceback", "INFO"):  # fmt: skip
        assert noise not in run.text, noise

    verbose = Terminal(["-v", "run", "--as-of", "2024-06-30"], env)  # nothing new: quick
    verbose.wait_for(r"Flow run '[\w-]+' - Finished in state Completed")
    assert verbose.finish() == 0 and "Traceback" not in verbose.text


def test_ctrl_c_ends_the_run_in_one_line_and_records_it_cancelled(
    tmp_path: Path, mirror: MirrorServer
) -> None:
    data = tmp_path / "data"
    with open_writer(data / "warehouse.duckdb") as con:  # queued by `reportwatch add`
        for symbol in QUEUED:
            queue_symbol(con, series="kfor", symbol=symbol)
    mirror.reset_counts()
    # two seconds between downloads: the queue would take 16 s to go through
    run = Terminal(["run", "--since", "2024-06-30", "--as-of", "2024-06-30"],
                   environment(data, mirror, interval=2))  # fmt: skip
    run.wait_for(r"fetch\s.*\d/8 documents")
    before = len(run.text)
    run.child.sendintr()
    line = run.wait_for(r"^cancelled: .*$").group(0)
    assert run.finish() == 130
    assert line == (
        "cancelled: the kfor run was interrupted (Ctrl-C) and is recorded as cancelled; "
        "what it saved stays, the next run does the rest"
    )
    after = [
        ln
        for ln in run.text[before:].splitlines()
        if ln.strip() not in ("", "^C") and not BAR.search(ln)
    ]  # ^C: the terminal's echo
    assert after == [line]  # one line: no traceback, no Prefect report
    assert "Traceback" not in run.text

    with open_reader(data / "warehouse.duckdb") as con:
        status, error = con.execute("SELECT status, error FROM runs").fetchone()
        states = dict(con.execute("SELECT symbol, status FROM candidates").fetchall())
        claimed = con.execute("SELECT count(*) FROM candidates WHERE claimed_by IS NOT NULL")
        assert claimed.fetchone() == (0,)  # released for the next run
    assert (status, error) == ("cancelled", "fetch: interrupted (Ctrl-C)")
    downloaded = mirror.counts().get("pdf", 0)
    assert downloaded < len(QUEUED)  # it stopped instead of working through the queue
    assert sum(s == "candidate" for s in states.values()) >= len(QUEUED) - downloaded


BAD_INPUT = [
    (["sql", ""], 1, "error: no SQL statement given"),
    (
        ["sql", "SELECT 1", "--out", "/no/such/dir/x.csv"],
        1,
        "error: cannot write /no/such/dir/x.csv",
    ),
    (["alerts", "list", "--limit", "-5"], 2, "error: invalid value for '--limit': -5 is out"),
    (["demo", "--port", "99999"], 2, "error: invalid value for '--port': 99999 is out of range"),
    (["run", "--since", "2024-13-01"], 2, "error: invalid value for '--since': '2024-13-01' is"),
    (["add", "S/2021/228"], 1, "error: no warehouse in "),
    (["reprocess"], 1, "error: no warehouse in "),
    (["export", "--series", "nope", "--out", "x"], 1, "error: no warehouse in "),
    (["sql", "COPY (SELECT 1) TO '/tmp/x.csv'"], 1, "error: no warehouse in "),
]


@pytest.mark.parametrize(("args", "code", "starts"), BAD_INPUT, ids=lambda v: str(v)[:40])
def test_bad_input_puts_one_line_on_the_screen(
    tmp_path: Path, mirror: MirrorServer, args: list[str], code: int, starts: str
) -> None:
    env = environment(tmp_path / "typo", mirror, interval=0)
    shutil.rmtree(tmp_path / "typo", ignore_errors=True)
    command = Terminal(args, env)
    assert command.finish() == code
    lines = [line for line in command.text.splitlines() if line.strip()]
    assert len(lines) == 1 and lines[0].startswith(starts), command.text
