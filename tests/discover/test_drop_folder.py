"""The drop folder, end to end through the real discover, download, read and load functions.

No network: every fetcher here refuses any host but 127.0.0.1, and no server is started, so a
drop-folder file that tried to go over HTTP would fail the test.
"""

from __future__ import annotations

import datetime as dt
import os
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from reportwatch.demo import BUNDLED_FACTS, SAMPLES_DIR
from reportwatch.demo.samples.facts import load_facts
from reportwatch.errors import SourceError
from reportwatch.series import SeriesConfig, SourceConfig, load_series
from reportwatch.settings import Settings
from tasks.discover.drop_folder import DropFolderSource
from tasks.discover.task import discover_series
from tasks.fetch.client import Fetcher, FetchPolicy, HostRateLimiter
from tasks.fetch.drop import drop_folder_for
from tasks.fetch.task import FetchOutcome, fetch_candidate, pending_downloads
from tasks.load import load_one
from tasks.read.task import read_document
from tests.loopback import LoopbackOnlyTransport, tiny_pdf
from warehouse import open_reader

ROOT = Path(__file__).resolve().parents[2]
SAMPLE_228 = SAMPLES_DIR / "S_2021_228.pdf"
TRUNCATED = ROOT / "tests" / "data" / "pdfs" / "truncated.pdf"
FACTS_228 = next(
    f for f in load_facts(BUNDLED_FACTS)
    if f.symbol == "S/2021/228"
)  # fmt: skip
TODAY = dt.date(2024, 6, 30)


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    return Settings(data_dir=tmp_path / "data", min_request_interval=0)


@pytest.fixture
def series() -> SeriesConfig:
    kfor = load_series("kfor")
    ods = next(s for s in kfor.sources if s.kind == "ods")
    drop = SourceConfig(kind="drop-folder", options={"min_age_seconds": 0})
    return kfor.model_copy(update={"sources": [drop, ods]})


@pytest.fixture
def fetcher() -> Iterator[Fetcher]:
    policy = FetchPolicy(allowed_hosts=frozenset({"127.0.0.1"}), min_request_interval=0.0)
    with Fetcher(
        policy, transport=LoopbackOnlyTransport(), sleep=lambda s: None,
        rate_limiter=HostRateLimiter(),
    ) as client:  # fmt: skip
        yield client


def ingest(series: SeriesConfig, settings: Settings, fetcher: Fetcher) -> list[FetchOutcome]:
    """discover → fetch → read → load, the plain functions the flow wraps."""
    discover_series(series, settings, since=None, until=TODAY, fetcher=fetcher)
    outcomes = []
    for row in pending_downloads(settings, series.id):
        outcome = fetch_candidate(series, settings, row, fetcher=fetcher)
        outcomes.append(outcome)
        if outcome.file is None or not outcome.needs_load:
            continue
        read = read_document(
            outcome.file.path, series=series.id, profile=series.profile,
            sha256=outcome.file.sha256, confirm_terms=list(series.confirm_terms),
        )  # fmt: skip
        load_one(settings, outcome.file, read.text, read.report, reason=read.reason,
                 normalizer=read.normalizer)  # fmt: skip
    return outcomes


def test_dropped_pdfs_are_loaded_and_moved_and_a_broken_one_is_set_aside_with_its_reason(
    series, settings, fetcher
) -> None:
    drop = drop_folder_for(series, settings)
    assert drop == settings.data_dir / "drop" / "kfor"
    drop.mkdir(parents=True)
    shutil.copy(SAMPLE_228, drop / "Fwd- KFOR report March 2021.pdf")  # symbol from the masthead
    shutil.copy(TRUNCATED, drop / "S_2021_999.pdf")  # broken; symbol from the file name

    outcomes = ingest(series, settings, fetcher)

    assert sorted((o.symbol, o.status) for o in outcomes) == [
        ("S/2021/228", "fetched"),
        ("S/2021/999", "fetched"),
    ]
    with open_reader(settings.warehouse_path) as con:
        documents = dict(
            con.execute("SELECT symbol, status FROM documents ORDER BY symbol").fetchall()
        )
        troops = con.execute(
            "SELECT value FROM observations WHERE symbol = 'S/2021/228' AND metric = 'troops_total'"
        ).fetchone()
        reason, source_url = con.execute(
            "SELECT reason, source_url FROM documents WHERE symbol = 'S/2021/999'"
        ).fetchone()
        local_paths = dict(con.execute("SELECT symbol, local_path FROM candidates").fetchall())
    assert documents == {"S/2021/228": "loaded", "S/2021/999": "quarantined"}
    assert troops is not None and troops[0] == FACTS_228.troops_total
    assert "extraction failed" in reason
    assert source_url.startswith("file://") and source_url.endswith("/failed/S_2021_999.pdf")

    # nothing is left to ingest twice: the good file is in done/, the broken one in failed/
    assert sorted(p.name for p in drop.iterdir()) == ["done", "failed"]
    assert [p.name for p in (drop / "done").iterdir()] == ["Fwd- KFOR report March 2021.pdf"]
    assert sorted(p.name for p in (drop / "failed").iterdir()) == [
        "S_2021_999.pdf",
        "S_2021_999.pdf.reason.txt",
    ]
    note = (drop / "failed" / "S_2021_999.pdf.reason.txt").read_text()
    assert note.startswith("extraction failed:")
    assert local_paths["S/2021/228"] == str(drop / "done" / "Fwd- KFOR report March 2021.pdf")

    # a second run finds nothing and touches nothing
    again = discover_series(series, settings, since=None, until=TODAY, fetcher=fetcher)
    assert (again.found, again.new, pending_downloads(settings, "kfor")) == (0, [], [])


def test_the_same_file_dropped_again_is_recognised_as_unchanged(series, settings, fetcher) -> None:
    drop = drop_folder_for(series, settings)
    drop.mkdir(parents=True)
    shutil.copy(SAMPLE_228, drop / "S_2021_228.pdf")
    ingest(series, settings, fetcher)
    shutil.copy(SAMPLE_228, drop / "S_2021_228.pdf")

    (outcome,) = ingest(series, settings, fetcher)

    assert (outcome.symbol, outcome.status, outcome.needs_load) == (
        "S/2021/228",
        "unchanged",
        False,
    )
    assert sorted(p.name for p in (drop / "done").iterdir()) == [
        "S_2021_228-2.pdf",
        "S_2021_228.pdf",
    ]
    with open_reader(settings.warehouse_path) as con:
        assert con.execute("SELECT count(*) FROM documents").fetchone() == (1,)


def test_a_file_that_names_no_symbol_goes_to_failed_and_is_reported(series, settings, fetcher):
    folder = drop_folder_for(series, settings)
    folder.mkdir(parents=True)
    (folder / "scan from the printer.pdf").write_bytes(tiny_pdf("Minutes of a staff meeting"))
    (folder / "notes.txt").write_text("not a PDF: left alone")

    result = DropFolderSource(folder, min_age_seconds=0).discover(
        series, TODAY, TODAY, fetcher=fetcher
    )

    assert result.candidates == []
    assert isinstance(result.error, SourceError)
    assert "scan from the printer.pdf" in result.error.one_line()
    assert "S_2021_228.pdf" in result.error.one_line()  # the remedy: how to name it
    reason = (folder / "failed" / "scan from the printer.pdf.reason.txt").read_text()
    assert "the masthead shows no symbol" in reason
    assert sorted(p.name for p in folder.iterdir()) == ["failed", "notes.txt"]


def test_a_file_still_being_written_waits_for_the_next_run(series, settings, fetcher) -> None:
    folder = drop_folder_for(series, settings)
    folder.mkdir(parents=True)
    fresh = folder / "S_2021_228.pdf"
    shutil.copy(SAMPLE_228, fresh)
    now = 1_700_000_000.0
    os.utime(fresh, (now - 3, now - 3))
    source = DropFolderSource(folder, min_age_seconds=10, clock=lambda: now)
    waiting = source.discover(series, TODAY, TODAY, fetcher=fetcher)
    assert waiting.candidates == []
    # the run says so, so nobody wonders why the file they just dropped was not read
    assert waiting.notes == [
        "S_2021_228.pdf was written less than 10 s ago: left for the next run "
        "(it may still be being copied in)"
    ]
    later = DropFolderSource(folder, min_age_seconds=10, clock=lambda: now + 60)
    ready = later.discover(series, TODAY, TODAY, fetcher=fetcher)
    (candidate,) = ready.candidates
    assert (candidate.symbol, candidate.local_path) == ("S/2021/228", str(fresh))
    assert ready.notes == []


def test_the_path_option_moves_the_folder(series, settings) -> None:
    elsewhere = series.model_copy(
        update={"sources": [SourceConfig(kind="drop-folder", options={"path": "inbox/kfor"})]}
    )
    assert drop_folder_for(elsewhere, settings) == settings.data_dir / "inbox" / "kfor"


def test_a_corrected_file_for_a_known_symbol_becomes_a_new_version(series, settings, fetcher):
    from reportwatch.demo.samples.render import render_pdf

    drop = drop_folder_for(series, settings)
    drop.mkdir(parents=True)
    shutil.copy(SAMPLE_228, drop / "S_2021_228.pdf")
    ingest(series, settings, fetcher)
    corrected = FACTS_228.model_copy(update={"troops_total": FACTS_228.troops_total + 150})
    (drop / "S_2021_228 corrected.pdf").write_bytes(render_pdf(corrected))

    (outcome,) = ingest(series, settings, fetcher)

    assert (outcome.symbol, outcome.status) == ("S/2021/228", "fetched")
    with open_reader(settings.warehouse_path) as con:
        versions = con.execute(
            """SELECT d.version, d.is_current, o.value FROM documents d JOIN observations o
               USING (document_id) WHERE o.metric = 'troops_total' ORDER BY d.version"""
        ).fetchall()
    assert versions == [
        (1, False, FACTS_228.troops_total),
        (2, True, FACTS_228.troops_total + 150),
    ]
