"""Reprocess: re-extract every stored document from the raw archive, with no network."""

from __future__ import annotations

import datetime as dt
import hashlib
from pathlib import Path

import pytest
from typer.testing import CliRunner

from flows.cli.main import app
from reportwatch.demo import SAMPLES_DIR
from reportwatch.models import FetchedFile
from reportwatch.series import load_series
from reportwatch.settings import Settings
from tasks.fetch.archive import RawArchive
from tasks.load import load_one
from tasks.read.task import read_document
from warehouse import open_reader

PDFS = Path(__file__).resolve().parent / "data" / "pdfs"
KFOR = load_series("kfor")


def _store(settings: Settings, symbol: str, content: bytes) -> None:
    sha, path, _ = RawArchive(settings.raw_dir).put(content, {"symbol": symbol, "series": "kfor"})
    outcome = read_document(path, series="kfor", profile=KFOR.profile, sha256=sha)
    fetched = FetchedFile(series="kfor", symbol=symbol, source="ods", url="http://127.0.0.1/x",
                          sha256=sha, path=str(path), size=len(content),
                          fetched_at=dt.datetime(2024, 1, 1, tzinfo=dt.UTC))  # fmt: skip
    load_one(settings, fetched, outcome.text, outcome.report, reason=outcome.reason)


@pytest.fixture
def settings(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Settings:
    monkeypatch.setenv("REPORTWATCH_DATA_DIR", str(tmp_path))
    settings = Settings(data_dir=tmp_path)
    _store(settings, "S/2020/604", (SAMPLES_DIR / "S_2020_604.pdf").read_bytes())
    _store(settings, "S/2023/966", (SAMPLES_DIR / "S_2023_966.pdf").read_bytes())
    _store(settings, "S/2022/196", (PDFS / "encrypted.pdf").read_bytes())
    return settings


def _state(settings: Settings) -> dict[str, tuple[str, int | None, str]]:
    with open_reader(settings.warehouse_path) as con:
        rows = con.execute(
            """SELECT d.symbol, d.status, o.value, d.load_id FROM documents d
               LEFT JOIN observations o ON o.document_id = d.document_id AND o.metric = 'troops_total'"""
        ).fetchall()
    return {s: (st, int(v) if v is not None else None, lid) for s, st, v, lid in rows}


def test_reprocess_rewrites_every_document_in_place(settings: Settings) -> None:
    before = _state(settings)
    result = CliRunner().invoke(app, ["reprocess", "--series", "kfor"])
    assert result.exit_code == 0, result.output
    assert "reprocessed 3 documents" in result.output and "0 missing" in result.output
    after = _state(settings)
    assert set(after) == set(before)  # no new versions appear
    for symbol, (status, troops, load_id) in after.items():
        assert (status, troops) == before[symbol][:2]
        assert load_id != before[symbol][2]  # rewritten by a new load
    assert after["S/2023/966"][:2] == ("loaded", 4500)
    assert after["S/2022/196"][0] == "quarantined"
    with open_reader(settings.snapshot_path) as con:  # analysts see the result
        assert con.execute("SELECT count(*) FROM documents").fetchone() == (3,)


def test_a_file_missing_from_the_archive_is_counted_not_fatal(settings: Settings) -> None:
    sha = hashlib.sha256((SAMPLES_DIR / "S_2020_604.pdf").read_bytes()).hexdigest()
    RawArchive(settings.raw_dir).path(sha).unlink()
    result = CliRunner().invoke(app, ["reprocess"])
    assert result.exit_code == 0
    assert (
        "reprocessed 2 documents" in result.output and "1 missing from the archive" in result.output
    )


def test_a_document_fixed_by_reprocessing_raises_its_alerts(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("REPORTWATCH_DATA_DIR", str(tmp_path))
    settings = Settings(data_dir=tmp_path)
    _store(settings, "S/2023/668", (SAMPLES_DIR / "S_2023_668.pdf").read_bytes())
    # Q3 2023 was quarantined at the time (say, by an older profile): simulate that state
    content = (SAMPLES_DIR / "S_2023_966.pdf").read_bytes()
    sha, path, _ = RawArchive(settings.raw_dir).put(content, {"symbol": "S/2023/966"})
    fetched = FetchedFile(series="kfor", symbol="S/2023/966", source="ods", url="http://127.0.0.1/x",
                          sha256=sha, path=str(path), size=len(content),
                          fetched_at=dt.datetime(2024, 1, 1, tzinfo=dt.UTC))  # fmt: skip
    load_one(settings, fetched, None, None, reason="no troop figure found")
    result = CliRunner().invoke(app, ["reprocess"])
    assert result.exit_code == 0, result.output
    assert "1 changed" in result.output
    with open_reader(settings.warehouse_path) as con:
        alerts = dict(
            con.execute(
                "SELECT rule_id, severity FROM alerts WHERE symbol = 'S/2023/966'"
            ).fetchall()
        )
    assert alerts.get("troop-level-change") == "critical"  # 3,800 → 4,500 now that it loaded
    assert "new-document" in alerts


def test_reprocess_waits_its_turn_behind_a_live_run_of_the_series(settings: Settings) -> None:
    from warehouse import open_writer
    from warehouse.leases import acquire, release

    before = _state(settings)
    with open_writer(settings.warehouse_path) as con:  # a live run (this very process) holds kfor
        acquire(con, series="kfor", run_id="ingest-1", flow="ingest")
    result = CliRunner().invoke(app, ["reprocess", "--series", "kfor"])
    assert result.exit_code == 1
    assert "kfor is already being run by" in result.output and "Traceback" not in result.output
    assert _state(settings) == before  # nothing rewritten behind the run's back
    with open_writer(settings.warehouse_path) as con:
        release(con, series="kfor", run_id="ingest-1")
    assert CliRunner().invoke(app, ["reprocess", "--series", "kfor"]).exit_code == 0


def test_a_reprocess_is_a_run_that_status_can_show(settings: Settings) -> None:
    assert CliRunner().invoke(app, ["reprocess"]).exit_code == 0
    with open_reader(settings.warehouse_path) as con:
        runs = con.execute("SELECT flow, series, status, loaded, quarantined FROM runs").fetchall()
        lease = con.execute("SELECT count(*) FROM leases").fetchone()
    assert runs == [("reprocess", "kfor", "completed", 2, 1)]
    assert lease == (0,)  # given back
