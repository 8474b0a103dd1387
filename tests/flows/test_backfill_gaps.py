"""Backfill windows with a gap between them never let the harvest cursor jump the gap: the next
scheduled run harvests the days no window covered, so a report catalogued there is loaded and
no false "overdue" alert goes out about it."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from pathlib import Path

import pytest

from flows.ingest import ingest
from flows.maintenance import backfill
from reportwatch.demo import SAMPLES_ROOT
from reportwatch.demo.mirror import MirrorServer
from tests.flows.conftest import point_at_mirror
from warehouse import open_reader

pytestmark = pytest.mark.flow


@pytest.fixture(scope="module")
def minurso_mirror() -> Iterator[MirrorServer]:
    with MirrorServer(SAMPLES_ROOT / "minurso") as server:  # 2013 to 2017, one a year
        yield server


def _query(data_dir: Path, sql: str) -> list[tuple[object, ...]]:
    with open_reader(data_dir / "warehouse.duckdb") as con:
        return con.execute(sql).fetchall()


def test_the_next_run_harvests_the_gap_two_backfills_left(
    minurso_mirror: MirrorServer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    point_at_mirror(monkeypatch, minurso_mirror.base_url, tmp_path)
    first = backfill(series="minurso", date_from=dt.date(2013, 1, 1), date_to=dt.date(2015, 12, 31))
    assert first["loaded"] == 3
    later = backfill(series="minurso", date_from=dt.date(2017, 1, 1), date_to=dt.date(2017, 12, 31))
    assert later["loaded"] == 1  # S/2017/307, but 2016 lies between the windows
    assert any("the harvest cursor stays at 2015-12-31" in note for note in later["notes"])
    assert _query(tmp_path, "SELECT window_until FROM harvest_cursors") == [
        (dt.date(2015, 12, 31),)
    ]

    run = ingest(series="minurso", as_of=dt.date(2017, 12, 31))
    assert run["status"] == "completed" and run["loaded"] == 1  # the gap's report
    symbols = {r[0] for r in _query(tmp_path, "SELECT symbol FROM documents")}
    assert "S/2016/355" in symbols and len(symbols) == 5
    assert _query(tmp_path, "SELECT count(*) FROM alerts WHERE rule_kind = 'overdue'") == [(0,)]
    assert _query(tmp_path, "SELECT window_until FROM harvest_cursors") == [
        (dt.date(2017, 12, 31),)
    ]
