"""The fetch stage guards each document: whatever breaks is recorded on it."""

from __future__ import annotations

from pathlib import Path


def test_a_fetch_that_breaks_unexpectedly_is_recorded_and_the_run_goes_on(tmp_path: Path) -> None:
    """fetch_task guards each document: an OSError from the archive disk is recorded on it."""
    from reportwatch.demo import SAMPLES_DIR
    from reportwatch.demo.mirror import MirrorServer
    from reportwatch.series import load_series
    from reportwatch.settings import Settings
    from tasks.fetch.task import fetch_task
    from warehouse import open_writer
    from warehouse.runs import queue_symbol, to_fetch

    with MirrorServer(SAMPLES_DIR) as mirror:
        settings = Settings(data_dir=tmp_path, ods_url=mirror.base_url, undl_url=mirror.base_url,
                            allowed_hosts=["127.0.0.1"], min_request_interval=0)  # fmt: skip
        with open_writer(settings.warehouse_path) as con:
            queue_symbol(con, series="kfor", symbol="S/2021/228")
            row = to_fetch(con, "kfor")[0]
        settings.raw_dir.write_text("not a folder")  # the archive cannot be written
        outcome = fetch_task.fn(load_series("kfor"), settings, row)
        assert mirror.counts().get("pdf") == 1  # the download itself worked
    assert outcome.status == "failed" and outcome.reason
    with open_writer(settings.warehouse_path) as con:
        status = con.execute("SELECT status, reason FROM candidates").fetchone()
    assert status == ("failed", outcome.reason)


def test_temporary_files_of_killed_downloads_are_removed_and_live_ones_kept(
    tmp_path: Path,
) -> None:
    import os
    import socket
    import subprocess

    from tasks.fetch.archive import RawArchive

    archive = RawArchive(tmp_path)
    sha, stored, _ = archive.put(b"%PDF-1.4 whole %%EOF", {"symbol": "S/2021/228"})
    dead = subprocess.Popen(["true"])
    dead.wait()
    host = socket.gethostname()
    killed = tmp_path / f".incoming-{dead.pid}-{host}-abc.tmp"
    writing = tmp_path / f".incoming-{os.getpid()}-{host}-def.tmp"  # a live writer's
    for temp in (killed, writing):
        temp.write_bytes(b"%PDF-1.4 half")
    assert archive.remove_stale_temporaries() == [killed]
    assert writing.exists() and stored.exists() and archive.has(sha)
