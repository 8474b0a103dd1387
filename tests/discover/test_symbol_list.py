"""Known symbols (``reportwatch add``, the ``symbol-list`` source) download from ODS by symbol."""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Iterator
from pathlib import Path

import pytest
from typer.testing import CliRunner

from flows.cli.main import app
from reportwatch.demo import SAMPLES_DIR
from reportwatch.demo.mirror import MirrorServer
from reportwatch.errors import SeriesError
from reportwatch.series import SourceConfig, load_series
from reportwatch.settings import Settings
from tasks.discover.symbol_list import SymbolListSource
from tasks.discover.task import discover_series
from tasks.fetch.task import fetch_candidate, pending_downloads
from warehouse import open_writer

SAMPLES = SAMPLES_DIR


@pytest.fixture(scope="module")
def mirror() -> Iterator[MirrorServer]:
    with MirrorServer(SAMPLES) as server:
        yield server


@pytest.fixture
def settings(tmp_path: Path, mirror: MirrorServer, monkeypatch: pytest.MonkeyPatch) -> Settings:
    monkeypatch.setenv("REPORTWATCH_DATA_DIR", str(tmp_path))
    with open_writer(tmp_path / "warehouse.duckdb"):
        pass  # a first run made the warehouse (`add` refuses a folder without one)
    return Settings(
        data_dir=tmp_path, ods_url=mirror.base_url, undl_url=mirror.base_url,
        allowed_hosts=["127.0.0.1"], min_request_interval=0,
    )  # fmt: skip


def test_a_symbol_queued_with_add_is_downloaded_from_ods(settings, mirror) -> None:
    added = CliRunner().invoke(app, ["add", "S/2021/228", "--series", "kfor"])
    assert added.exit_code == 0, added.output
    assert "S/2021/228: queued for kfor" in added.output

    (row,) = pending_downloads(settings, "kfor")
    assert (row["symbol"], row["source"], row["file_url"], row["local_path"]) == (
        "S/2021/228", "symbol-list", None, None,
    )  # fmt: skip
    mirror.reset_counts()
    outcome = fetch_candidate(load_series("kfor"), settings, row)

    assert (outcome.status, outcome.needs_load) == ("fetched", True)
    assert outcome.file is not None and outcome.file.source == "ods"
    assert outcome.file.url == f"{mirror.base_url}/files/S_2021_228.pdf"
    expected = hashlib.sha256((SAMPLES / "S_2021_228.pdf").read_bytes()).hexdigest()
    assert outcome.file.sha256 == expected
    assert Path(outcome.file.path).read_bytes() == (SAMPLES / "S_2021_228.pdf").read_bytes()
    assert (mirror.counts().get("ods"), mirror.counts().get("pdf")) == (1, 1)


def test_an_unpublished_symbol_waits_for_the_next_run(settings, mirror) -> None:
    CliRunner().invoke(app, ["add", "S/2031/1", "--series", "kfor"])
    (row,) = pending_downloads(settings, "kfor")
    outcome = fetch_candidate(load_series("kfor"), settings, row)
    assert outcome.status == "waiting"  # a note in the run's output, not a failure
    assert outcome.reason and "not published yet" in outcome.reason
    assert "retried each run" in outcome.reason
    assert [r["symbol"] for r in pending_downloads(settings, "kfor")] == ["S/2031/1"]


def test_a_symbol_still_unpublished_after_two_weeks_fails_until_forgotten(settings, mirror) -> None:
    runner = CliRunner()
    runner.invoke(app, ["add", "S/2021/999", "--series", "kfor"])  # a typo for S/2021/99
    with open_writer(settings.warehouse_path) as con:
        con.execute("UPDATE candidates SET first_seen = first_seen - INTERVAL 15 DAY")
    (row,) = pending_downloads(settings, "kfor")
    outcome = fetch_candidate(load_series("kfor"), settings, row)
    assert outcome.status == "failed"  # the run is degraded by it, and says what to do
    assert outcome.reason and "15 days after it was queued" in outcome.reason
    assert "`reportwatch forget S/2021/999` stops asking for it" in outcome.reason
    assert [r["symbol"] for r in pending_downloads(settings, "kfor")] == ["S/2021/999"]

    forgot = runner.invoke(app, ["forget", "S_2021_999", "--series", "kfor"])
    assert forgot.exit_code == 0
    assert forgot.output.startswith("S/2021/999: forgotten (it was not_published)")
    assert pending_downloads(settings, "kfor") == []
    again = runner.invoke(app, ["forget", "S/2021/999"])
    assert again.output == "S/2021/999: not queued: nothing to forget for kfor\n"


def test_a_downloaded_document_is_never_forgotten(settings, mirror) -> None:
    runner = CliRunner()
    runner.invoke(app, ["add", "S/2021/228", "--series", "kfor"])
    (row,) = pending_downloads(settings, "kfor")
    assert fetch_candidate(load_series("kfor"), settings, row).status == "fetched"
    kept = runner.invoke(app, ["forget", "S/2021/228"])
    assert kept.exit_code == 0 and "not forgotten: it was downloaded" in kept.output
    with open_writer(settings.warehouse_path) as con:
        assert con.execute("SELECT count(*) FROM candidates").fetchone() == (1,)


def test_symbols_listed_in_the_series_file_become_candidates(settings) -> None:
    kfor = load_series("kfor")
    listed = SourceConfig(kind="symbol-list", options={"symbols": ["S/2021/228", "S/2020/604"]})
    series = kfor.model_copy(
        update={"sources": [listed, *[s for s in kfor.sources if s.kind == "ods"]]}
    )
    outcome = discover_series(series, settings, since=None, until=dt.date(2024, 1, 1))
    assert sorted(outcome.new) == ["S/2020/604", "S/2021/228"]
    assert sorted(r["symbol"] for r in pending_downloads(settings, "kfor")) == sorted(outcome.new)


def test_a_malformed_listed_symbol_names_itself() -> None:
    with pytest.raises(SeriesError, match="'S/21/228'"):
        SymbolListSource.from_options({"symbols": ["S/21/228"]})
