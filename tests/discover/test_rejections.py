"""A document rejected on its content is downloaded once: re-harvests of its window leave it
alone until its catalogue record changes, or until ``reportwatch add --force``."""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Iterator
from pathlib import Path

import pytest
from typer.testing import CliRunner

from flows.cli.main import app
from reportwatch.demo.mirror import MirrorServer
from reportwatch.series import SeriesConfig, load_series
from reportwatch.settings import Settings
from tasks.discover.task import discover_series
from tasks.fetch.task import fetch_candidate, pending_downloads
from tasks.load import reject_candidate
from tasks.read.task import read_document
from tests.loopback import write_sample_archive
from warehouse import open_writer

APRIL_TO_JULY = {"since": dt.date(2020, 4, 1), "until": dt.date(2020, 7, 31)}
NOT_KFOR = "S/2020/380"  # an SG letter on Libya: the catalogue does not say, the text does


@pytest.fixture
def mirror(tmp_path: Path) -> Iterator[MirrorServer]:
    with MirrorServer(write_sample_archive(tmp_path / "archive")) as running:
        yield running


@pytest.fixture
def settings(tmp_path: Path, mirror: MirrorServer, monkeypatch: pytest.MonkeyPatch) -> Settings:
    monkeypatch.setenv("REPORTWATCH_DATA_DIR", str(tmp_path / "data"))
    return Settings(
        data_dir=tmp_path / "data", ods_url=mirror.base_url, undl_url=mirror.base_url,
        allowed_hosts=["127.0.0.1"], min_request_interval=0, max_retries=0,
    )  # fmt: skip


def fetch_and_read(config: SeriesConfig, settings: Settings) -> dict[str, str]:
    """Download and read every pending candidate as a run does; returns symbol → what happened."""
    seen: dict[str, str] = {}
    for row in pending_downloads(settings, config.id):
        outcome = fetch_candidate(config, settings, row)
        seen[outcome.symbol] = outcome.status
        if outcome.file is None or not outcome.needs_load:
            continue
        read = read_document(
            outcome.file.path, series=config.id, profile=config.profile,
            confirm_terms=list(config.confirm_terms), expected_symbol=outcome.symbol,
        )  # fmt: skip
        if read.rejected:
            reject_candidate(settings, outcome.file, read.rejected)
            seen[outcome.symbol] = "rejected"
    return seen


def candidate_status(settings: Settings, symbol: str) -> tuple[str, str | None]:
    with open_writer(settings.warehouse_path) as con:
        row = con.execute(
            "SELECT status, reason FROM candidates WHERE symbol = ?", [symbol]
        ).fetchone()
    assert row is not None
    return row[0], row[1]


def test_a_letter_rejected_on_its_content_is_not_downloaded_again(settings, mirror) -> None:
    config = load_series("kfor")
    first = discover_series(config, settings, **APRIL_TO_JULY)
    assert NOT_KFOR in first.new
    assert fetch_and_read(config, settings)[NOT_KFOR] == "rejected"
    assert candidate_status(settings, NOT_KFOR) == (
        "rejected", "the text never mentions 'Kosovo Force' / 'KFOR' / "
        "'international security presence in Kosovo'",
    )  # fmt: skip

    # The same window harvested again (a backfill, a rerun with --since): nothing to download.
    mirror.reset_counts()
    again = discover_series(config, settings, **APRIL_TO_JULY)
    assert again.new == []
    assert pending_downloads(settings, config.id) == []
    assert fetch_and_read(config, settings) == {}
    assert mirror.counts().get("pdf", 0) == 0 and mirror.counts().get("ods", 0) == 0
    assert candidate_status(settings, NOT_KFOR)[0] == "rejected"
    with open_writer(settings.warehouse_path) as con:
        stamp = con.execute(
            "SELECT catalogued_at FROM rejections WHERE symbol = ?", [NOT_KFOR]
        ).fetchone()
    # the verdict now says which version of the catalogue record it holds for
    assert stamp == (dt.datetime(2020, 5, 11, 14, 0),)


def test_a_changed_catalogue_record_is_read_again(settings, mirror) -> None:
    config = load_series("kfor")
    discover_series(config, settings, **APRIL_TO_JULY)
    fetch_and_read(config, settings)

    # The Library re-catalogues the letter after our verdict (its OAI datestamp moves on).
    later = dt.datetime.now(dt.UTC) + dt.timedelta(days=1)
    index = next(i for i, e in enumerate(mirror.entries) if e.symbol == NOT_KFOR)
    mirror.entries[index] = dataclasses.replace(mirror.entries[index], catalogued_at=later)
    changed = discover_series(config, settings, since=later.date(), until=later.date())

    assert changed.new == [NOT_KFOR]
    assert [r["symbol"] for r in pending_downloads(settings, config.id)] == [NOT_KFOR]


def test_a_verdict_holds_for_a_record_stamped_in_the_future(settings, mirror) -> None:
    # A source whose clock runs ahead (or local time labelled Z) stamps the record later than
    # our verdict: the verdict remembers the stamp it was made under, so it still holds.
    config = load_series("kfor")
    ahead = (dt.datetime.now(dt.UTC) + dt.timedelta(hours=3)).replace(microsecond=0)
    index = next(i for i, e in enumerate(mirror.entries) if e.symbol == NOT_KFOR)
    mirror.entries[index] = dataclasses.replace(mirror.entries[index], catalogued_at=ahead)
    window = {"since": ahead.date(), "until": ahead.date()}
    discover_series(config, settings, **window)
    assert fetch_and_read(config, settings)[NOT_KFOR] == "rejected"
    with open_writer(settings.warehouse_path) as con:
        stamp = con.execute(
            "SELECT catalogued_at FROM rejections WHERE symbol = ?", [NOT_KFOR]
        ).fetchone()
    assert stamp == (ahead.replace(tzinfo=None),)  # recorded with the verdict itself

    mirror.reset_counts()
    assert discover_series(config, settings, **window).new == []
    assert fetch_and_read(config, settings) == {}
    assert mirror.counts().get("pdf", 0) == 0 and mirror.counts().get("ods", 0) == 0


def test_add_refuses_a_rejected_letter_unless_forced(settings, mirror) -> None:
    config = load_series("kfor")
    discover_series(config, settings, **APRIL_TO_JULY)
    fetch_and_read(config, settings)
    runner = CliRunner()

    refused = runner.invoke(app, ["add", NOT_KFOR])
    assert refused.exit_code == 0, refused.output
    today = dt.datetime.now(dt.UTC).date().isoformat()
    assert refused.output.strip().startswith(
        f"{NOT_KFOR}: not queued: rejected on its content on {today} (the text never mentions"
    )
    assert refused.output.strip().endswith("; `reportwatch add --force` queues it again for kfor")
    assert pending_downloads(settings, config.id) == []

    forced = runner.invoke(app, ["add", NOT_KFOR, "--force"])
    assert forced.output.strip() == f"{NOT_KFOR}: requeued for kfor"
    assert [r["symbol"] for r in pending_downloads(settings, config.id)] == [NOT_KFOR]
    mirror.reset_counts()
    assert fetch_and_read(config, settings) == {NOT_KFOR: "rejected"}
    assert mirror.counts()["pdf"] == 1  # downloaded, read, and rejected once more
