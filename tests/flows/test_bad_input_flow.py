"""Bad input in a real run: the run goes on, each bad item is recorded with its reason,
nothing is lost, and a fixed item is picked up on the next run. A damaged download is
downloaded again by the next runs, then rests as ``damaged`` until ``add --force``."""

from __future__ import annotations

import datetime as dt
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from typer.testing import CliRunner

from flows.cli.main import app
from flows.ingest import ingest
from reportwatch.demo import SAMPLES_DIR
from reportwatch.demo.mirror import MirrorServer
from tests.flows.conftest import point_at_mirror
from warehouse import open_reader

pytestmark = pytest.mark.flow
PDFS = Path(__file__).resolve().parent.parent / "data" / "pdfs"
AS_OF = dt.date(2024, 6, 30)
HTML_INSTEAD = "S_2021_228.pdf"  # served as an HTML error page: "not published yet"
ENCRYPTED = "S_2022_196.pdf"  # a password-protected PDF: quarantined
TRUNCATED = "S_2022_475.pdf"  # cut short (with a Content-Length that matches): re-fetched


@pytest.fixture(scope="module")
def archive(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("archive")
    shutil.copytree(SAMPLES_DIR, folder, dirs_exist_ok=True)
    (folder / HTML_INSTEAD).write_bytes(
        b"<html><head><title>Error</title></head><body>Oops</body></html>"
    )
    shutil.copyfile(PDFS / "encrypted.pdf", folder / ENCRYPTED)
    shutil.copyfile(PDFS / "truncated.pdf", folder / TRUNCATED)
    return folder


@pytest.fixture(scope="module")
def mirror(archive: Path) -> Iterator[MirrorServer]:
    with MirrorServer(archive) as server:
        yield server


@pytest.fixture(scope="module")
def data_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("bad-input")


@pytest.fixture(autouse=True)
def _env(monkeypatch: pytest.MonkeyPatch, mirror: MirrorServer, data_dir: Path) -> None:
    point_at_mirror(monkeypatch, mirror.base_url, data_dir)
    monkeypatch.setenv("REPORTWATCH_MAX_RETRIES", "0")


def test_bad_items_are_recorded_and_the_rest_is_loaded(data_dir: Path) -> None:
    result = ingest(series="kfor", since=dt.date(2020, 1, 1), as_of=AS_OF)
    # it went on to the end, and says it is degraded by the documents it could not fetch whole
    assert result["status"] == "completed-degraded"
    assert result["degraded"] == ["1 document(s) failed"]  # the damaged download
    assert (result["loaded"], result["quarantined"], result["failed"]) == (13, 1, 1)
    # one not published yet is waiting (a note, not a failure, for its first two weeks)
    assert any(n.startswith("S/2021/228: ") and "retried each run" in n for n in result["notes"])
    with open_reader(data_dir / "warehouse.duckdb") as con:
        quarantined = dict(con.execute(
            "SELECT symbol, reason FROM documents WHERE status = 'quarantined'"
        ).fetchall())  # fmt: skip
        waiting = con.execute(
            "SELECT symbol, status, reason FROM candidates WHERE status = 'not_published'"
        ).fetchall()
        damaged = con.execute(
            "SELECT status, stage, reason FROM candidates WHERE symbol = 'S/2022/475'"
        ).fetchone()
        alerts = {r[0] for r in con.execute(
            "SELECT symbol FROM alerts WHERE rule_id = 'quarantined-document'"
        ).fetchall()}  # fmt: skip
    assert set(quarantined) == {"S/2022/196"}
    assert "encrypted" in quarantined["S/2022/196"].lower()
    # a truncated download is not a document: it goes back to be downloaded again
    assert damaged[:2] == ("failed", "discovered")
    assert "damaged download (1 of 3)" in damaged[2] and "looks truncated" in damaged[2]
    assert [(s, st) for s, st, _ in waiting] == [("S/2021/228", "not_published")]
    assert "html" in waiting[0][2].lower()
    assert alerts == {"S/2022/196"}
    # the raw archive kept the quarantined files, so a better extractor can reprocess them
    raw = list((data_dir / "raw").glob("*.pdf"))
    assert len(raw) == 15


def test_status_lists_what_went_wrong(data_dir: Path) -> None:
    out = CliRunner().invoke(app, ["status"]).output
    assert "S/2022/196" in out and "S/2021/228" in out and "not_published" in out


def test_the_fixed_document_is_picked_up_and_the_damaged_one_fetched_again(
    archive: Path, mirror: MirrorServer, data_dir: Path
) -> None:
    shutil.copyfile(SAMPLES_DIR / HTML_INSTEAD, archive / HTML_INSTEAD)
    mirror.reset_counts()
    result = ingest(series="kfor", as_of=AS_OF)
    assert (result["loaded"], result["fetched"], result["failed"]) == (1, 2, 1)
    assert result["status"] == "completed-degraded"  # the damaged one is still damaged
    assert mirror.counts().get("pdf") == 2  # the one that was missing, the damaged one again
    with open_reader(data_dir / "warehouse.duckdb") as con:
        row = con.execute("SELECT status FROM documents WHERE symbol = 'S/2021/228'").fetchone()
    assert row == ("loaded",)


def test_a_download_damaged_three_times_rests_until_add_force(
    archive: Path, mirror: MirrorServer, data_dir: Path
) -> None:
    ingest(series="kfor", as_of=AS_OF)  # the third damaged download: it gives up
    with open_reader(data_dir / "warehouse.duckdb") as con:
        state = con.execute(
            "SELECT status, reason, damaged_downloads FROM candidates WHERE symbol = 'S/2022/475'"
        ).fetchone()
    assert state[0] == "damaged" and state[2] == 3
    assert "gave up after 3 damaged downloads" in state[1] and "--force" in state[1]
    assert "damaged" in CliRunner().invoke(app, ["status"]).output
    mirror.reset_counts()
    assert ingest(series="kfor", as_of=AS_OF)["fetched"] == 0
    assert not mirror.counts().get("pdf")  # a clear terminal state: nothing downloaded

    refused = CliRunner().invoke(app, ["add", "S/2022/475"])
    assert "gave up after 3 damaged downloads (add --force downloads it again)" in refused.output
    shutil.copyfile(SAMPLES_DIR / TRUNCATED, archive / TRUNCATED)  # the source fixed its file
    forced = CliRunner().invoke(app, ["add", "S/2022/475", "--force"])
    assert forced.exit_code == 0 and "requeued" in forced.output
    result = ingest(series="kfor", as_of=AS_OF)
    assert (result["loaded"], result["failed"]) == (1, 0)
    with open_reader(data_dir / "warehouse.duckdb") as con:
        row = con.execute(
            "SELECT d.status, c.status, c.stage FROM documents d JOIN candidates c USING (symbol)"
            " WHERE symbol = 'S/2022/475'"
        ).fetchone()
    assert row == ("loaded", "loaded", "loaded")
