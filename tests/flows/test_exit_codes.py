"""Honest exit codes: ``reportwatch run`` exits 0 only when the run completed and nothing degraded
it, 3 when it completed degraded, and the summary says which and why; unconfigured channels are
named on every run and in ``status``."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from typer.testing import CliRunner

from flows.cli.main import app
from flows.summary import EXIT_DEGRADED
from reportwatch.demo.mirror import MirrorServer
from tests.discover.oai_server import OaiRepository, Rec
from tests.flows.conftest import point_at_mirror
from tests.loopback import LoopbackServer, Reply
from warehouse import open_reader

pytestmark = pytest.mark.flow
runner = CliRunner()
SLACK_GAP = (
    "slack: not configured: set REPORTWATCH_SLACK_WEBHOOK_URL (or save the Prefect Secret "
    "block 'reportwatch-slack-webhook-url')"
)


@pytest.fixture
def data_dir(tmp_path: Path) -> Path:
    return tmp_path / "data"


@pytest.fixture
def unreachable() -> Iterator[LoopbackServer]:
    """A catalogue that answers every request with 503, as an overloaded Digital Library does."""
    with LoopbackServer() as server:
        server.script("/oai2d", Reply(status=503, body=b"Service Unavailable"))
        yield server


def summary_line(lines: list[str]) -> str:
    """The run's summary, after the line each stage printed as it finished."""
    return next(line for line in lines if line.startswith("kfor: "))


def last_run(data_dir: Path) -> tuple[str, str | None]:
    with open_reader(data_dir / "warehouse.duckdb") as con:
        row = con.execute("SELECT status, error FROM runs ORDER BY started_at DESC").fetchone()
    assert row is not None
    return row[0], row[1]


def test_a_run_whose_only_source_cannot_be_reached_exits_degraded(
    monkeypatch: pytest.MonkeyPatch, unreachable: LoopbackServer, data_dir: Path
) -> None:
    point_at_mirror(monkeypatch, unreachable.base_url, data_dir)
    monkeypatch.setenv("REPORTWATCH_MAX_RETRIES", "0")
    result = runner.invoke(app, ["run", "--since", "2024-01-01", "--as-of", "2024-01-31"])

    assert result.exit_code == EXIT_DEGRADED == 3, result.output
    lines = result.stdout.splitlines()
    assert summary_line(lines).startswith("kfor: completed-degraded: discovered 0, fetched 0,")
    assert f"  {SLACK_GAP}" in lines
    reason = next(line for line in lines if line.startswith("  degraded by: "))
    assert reason.startswith(
        f"  degraded by: undl-oai: GET {unreachable.base_url}/oai2d?verb=ListRecords"
    )
    assert "failed after 1 attempt(s): HTTP 503" in reason
    status, error = last_run(data_dir)
    assert status == "completed-degraded"
    assert error is not None and error.startswith("degraded: undl-oai: GET ")


def test_endless_empty_pages_keep_what_was_read_and_say_so(
    monkeypatch: pytest.MonkeyPatch, data_dir: Path
) -> None:
    records = [Rec(str(4000 + n), f"S/2024/{100 + n}") for n in range(5)]
    with OaiRepository(records, page_size=2, empty_pages_from=2) as repository:
        point_at_mirror(monkeypatch, repository.base_url, data_dir)
        result = runner.invoke(app, ["run", "--since", "2024-03-01", "--as-of", "2024-03-31"])

    assert result.exit_code == 3, result.output
    first = summary_line(result.stdout.splitlines())
    assert first.startswith("kfor: completed-degraded: discovered 2,")
    assert (
        "degraded by: undl-oai: stopped 2024-03-01..2024-03-31 after 3 empty OAI-PMH pages in "
        "a row, each with a new resumption token; kept the 2 record(s) read of 5 announced"
    ) in result.stdout
    with open_reader(data_dir / "warehouse.duckdb") as con:
        kept = con.execute("SELECT symbol FROM candidates ORDER BY symbol").fetchall()
        cursor = con.execute("SELECT window_until FROM harvest_cursors").fetchall()
    assert kept == [("S/2024/100",), ("S/2024/101",)]
    assert cursor == []  # the failed window is harvested again next run


def test_a_clean_run_exits_zero_and_still_names_what_is_not_configured(
    monkeypatch: pytest.MonkeyPatch, mirror: MirrorServer, data_dir: Path
) -> None:
    point_at_mirror(monkeypatch, mirror.base_url, data_dir)
    # a month the catalogue has nothing for: every source answered, nothing failed
    result = runner.invoke(app, ["run", "--since", "2019-01-01", "--as-of", "2019-01-31"])

    assert result.exit_code == 0, result.output
    assert summary_line(result.stdout.splitlines()).startswith("kfor: completed: discovered 0,")
    assert f"  {SLACK_GAP}" in result.stdout.splitlines()
    assert "degraded" not in result.stdout
    assert last_run(data_dir) == ("completed", None)

    status = runner.invoke(app, ["status"])
    assert status.exit_code == 0, status.output
    assert "Channels not configured" in status.output
    assert "REPORTWATCH_SLACK_WEBHOOK_URL" in status.output


def test_the_run_summary_line_names_unconfigured_channels() -> None:
    from flows.summary import RunSummary

    summary = RunSummary(run_id="r", series="kfor", flow="ingest")
    summary.not_configured = {"slack": SLACK_GAP.removeprefix("slack: ")}
    summary.complete()
    assert summary.one_line() == (
        "ingest kfor: completed: discovered 0, fetched 0, unchanged 0, loaded 0, quarantined 0, "
        f"rejected 0, failed 0, alerts raised 0, channel deliveries 0; {SLACK_GAP}"
    )
    summary.failed = 2
    summary.source_errors = {"undl-oai": "unreachable"}
    summary.complete()
    assert summary.one_line().endswith(
        "failed 2, alerts raised 0, channel deliveries 0; degraded by: undl-oai: unreachable; "
        f"2 document(s) failed; {SLACK_GAP}"
    )


def test_an_unreadable_catalogue_record_is_named_and_its_document_still_loaded(
    monkeypatch: pytest.MonkeyPatch, data_dir: Path
) -> None:
    from reportwatch.demo import SAMPLES_DIR

    broken = Rec("4002", "S/2021/228", catalogued="2021-04-01T10:00:00Z", date="2021-03-31")
    broken.raw_title = b"Letter dated 31 March 2021 \xff\xfe from the Secretary-General"
    with OaiRepository([broken], page_size=5) as repository:
        pdf = (SAMPLES_DIR / "S_2021_228.pdf").read_bytes()
        repository._server.script(
            "/api/symbol/access", Reply(body=pdf, headers={"Content-Type": "application/pdf"})
        )
        point_at_mirror(monkeypatch, repository.base_url, data_dir)
        result = runner.invoke(app, ["run", "--since", "2021-04-01", "--as-of", "2021-04-30"])

    assert result.exit_code == 3, result.output
    lines = result.stdout.splitlines()
    # the text confirmed it: loaded, though its catalogue record could not be read
    assert ", loaded 1," in summary_line(lines)
    named = "oai:digitallibrary.un.org:4002 (S/2021/228)"
    assert any(line.startswith("  note: ") and named in line for line in lines)
    assert f"1 catalogue record(s) skipped as unreadable ({named})" in result.stdout
    status, error = last_run(data_dir)
    assert status == "completed-degraded" and error is not None and named in error


def test_a_run_that_cannot_record_itself_is_degraded_and_says_so(tmp_path: Path) -> None:
    """A full or broken warehouse at the very end: `status` will show the run crashed, so the
    run's own line and exit code must say why (exit 3), not `completed`."""
    import logging

    from flows.ingest import _close_run
    from flows.summary import RunSummary
    from reportwatch.settings import Settings
    from tasks.runlog import RunLease

    settings = Settings(data_dir=tmp_path)
    (tmp_path / "warehouse.duckdb").mkdir()  # no database can be opened there
    summary = RunSummary(run_id="r1", series="kfor", flow="ingest", window_until=None)
    summary.complete()
    assert summary.status == "completed"
    _close_run(settings, summary, logging.getLogger("test"), RunLease(settings, "kfor", "r1"))
    assert summary.status == "completed-degraded"
    assert summary.error and "the run could not be recorded in the warehouse: " in summary.error
