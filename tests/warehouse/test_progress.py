"""Durable progress on real DuckDB files: the stage marks and what they decide."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from reportwatch.models import Candidate
from tests.factories import QUARTERS, fetched, report, text_for
from warehouse import open_writer
from warehouse.documents import load_document
from warehouse.progress import record_damaged, record_fetched, to_read, unfinished
from warehouse.runs import queue_symbol, record_discovery, to_fetch

AT = dt.datetime(2024, 1, 5)


def discover(con, *symbols: str) -> None:  # type: ignore[no-untyped-def]
    found = [Candidate(series="kfor", symbol=s, source="undl-oai") for s in symbols]
    record_discovery(con, series="kfor", source="undl-oai", found=found, rejected=[],
                     window_until=None, run_id=None)  # fmt: skip


def fetch(con, symbol: str, content: bytes) -> str:  # type: ignore[no-untyped-def]
    f = fetched(symbol, content)
    return record_fetched(con, series="kfor", symbol=symbol, sha256=f.sha256, source="ods",
                          url=f.url, size=f.size, fetched_at=AT)  # fmt: skip


def test_bytes_loaded_under_another_symbol_still_give_this_symbol_its_document(
    tmp_path: Path,
) -> None:
    with open_writer(tmp_path / "w.duckdb") as con:
        discover(con, "S/2023/1", "S/2023/2")
        same = b"%PDF-1.4 one file, two symbols %%EOF"
        assert fetch(con, "S/2023/1", same) == "fetched"
        rep = report("S/2023/1", *QUARTERS[0], 3800)
        load_document(con, fetched=fetched("S/2023/1", same), text=text_for(rep), report=rep)
        assert fetch(con, "S/2023/1", same) == "unchanged"  # this symbol has these bytes
        assert fetch(con, "S/2023/2", same) == "fetched"  # the other one does not: load it
        assert [r["symbol"] for r in to_read(con, "kfor")] == ["S/2023/2"]
        rep2 = report("S/2023/2", *QUARTERS[1], 3800)
        load_document(con, fetched=fetched("S/2023/2", same), text=text_for(rep2), report=rep2)
        rows = con.execute("SELECT symbol FROM documents ORDER BY symbol").fetchall()
        stages = con.execute("SELECT DISTINCT stage FROM candidates").fetchall()
    assert rows == [("S/2023/1",), ("S/2023/2",)]
    assert stages == [("loaded",)]


def test_a_damaged_download_is_fetched_again_three_times_then_rests_until_forced(
    tmp_path: Path,
) -> None:
    with open_writer(tmp_path / "w.duckdb") as con:
        discover(con, "S/2023/1")
        statuses = []
        for _ in range(3):
            assert [r["symbol"] for r in to_fetch(con, "kfor")] == ["S/2023/1"]
            fetch(con, "S/2023/1", b"%PDF-1.4 cut sh")
            statuses.append(record_damaged(con, series="kfor", symbol="S/2023/1",
                                           reason="it looks truncated"))  # fmt: skip
        assert to_fetch(con, "kfor") == []  # terminal: nothing downloads it again
        pending = unfinished(con, "kfor")
        refused = queue_symbol(con, series="kfor", symbol="S/2023/1")
        forced = queue_symbol(con, series="kfor", symbol="S/2023/1", force=True)
        again = [r["symbol"] for r in to_fetch(con, "kfor")]
        row = con.execute("SELECT damaged_downloads, etag FROM candidates").fetchone()
    assert statuses == ["failed", "failed", "damaged"]
    assert not pending.candidates_pending  # a damaged document no longer holds the overdue rule
    assert refused.startswith("not queued: it gave up after 3 damaged downloads")
    assert forced == "requeued" and again == ["S/2023/1"] and row == (0, None)


def test_a_damaged_file_from_the_drop_folder_rests_at_once_saying_what_to_do(
    tmp_path: Path,
) -> None:
    """Downloading a local file again gives the same bytes: no three tries, no degraded runs."""
    with open_writer(tmp_path / "w.duckdb") as con:
        discover(con, "S/2023/1")
        fetch(con, "S/2023/1", b"<html>not a pdf</html>")
        status = record_damaged(con, series="kfor", symbol="S/2023/1",
                                reason="it looks like an HTML page", local=True)  # fmt: skip
        (reason,) = con.execute("SELECT reason FROM candidates").fetchone()
        assert to_fetch(con, "kfor") == []
        assert not unfinished(con, "kfor").candidates_pending
    assert status == "damaged"
    assert "put the PDF itself in the drop folder" in reason and "downloaded again" not in reason


def test_unfinished_counts_every_stage_a_run_may_leave(tmp_path: Path) -> None:
    with open_writer(tmp_path / "w.duckdb") as con:
        discover(con, "S/2023/1", "S/2023/2", "S/2023/3")
        fetch(con, "S/2023/2", b"%PDF-1.4 two %%EOF")
        fetch(con, "S/2023/3", b"%PDF-1.4 three %%EOF")
        rep = report("S/2023/3", *QUARTERS[0], 3800)
        load_document(con, fetched=fetched("S/2023/3", b"%PDF-1.4 three %%EOF"),
                      text=text_for(rep), report=rep)  # fmt: skip
        left = unfinished(con, "kfor")
    assert (left.to_download, left.to_load, left.to_detect) == (1, 1, 1)
    assert left.candidates_pending
    assert left.describe() == (
        "1 download(s) not done, 1 downloaded file(s) not yet loaded, "
        "1 loaded document(s) without their alerts"
    )
