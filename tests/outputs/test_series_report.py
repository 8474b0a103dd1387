"""The analysts' report covers a second series: its own metrics, its chart, its annex table."""

from __future__ import annotations

import base64
import datetime as dt
import re
from pathlib import Path

import pytest
from typer.testing import CliRunner

from flows.cli.main import app
from tasks.outputs.report_html import main_metric, render_report_html, report_markdown
from tests.factories import annual_report, fetched, text_for
from warehouse import open_writer
from warehouse.documents import load_document

ROWS_2012 = {"Ghana": (10, 7, 0), "Egypt": (23, 0, 1), "France": (13, 0, 0)}
ROWS_2013 = {"Ghana": (8, 7, 0), "Egypt": (23, 0, 1), "Bhutan": (2, 0, 0)}


def _warehouse(path: Path) -> Path:
    with open_writer(path) as con:
        for symbol, previous, date, strength, rows in (
            ("S/2012/197", ("S/2011/249", dt.date(2011, 4, 1)), dt.date(2012, 4, 5), 228, ROWS_2012),
            ("S/2013/220", ("S/2012/197", dt.date(2012, 4, 5)), dt.date(2013, 4, 8), 245, ROWS_2013),
        ):  # fmt: skip
            rep = annual_report(symbol, previous, date, strength, 231, rows)
            load_document(con, fetched=fetched(symbol, symbol.encode(), series="minurso"),
                          text=text_for(rep), report=rep)  # fmt: skip
    return path


def test_the_main_metric_and_its_name_come_from_the_series_file() -> None:
    assert main_metric("minurso") == ("military_strength", "military strength")
    assert main_metric("kfor") == ("troops_total", "troop level")
    assert main_metric("no-such-series") == ("troops_total", "troop level")


def test_the_page_shows_the_series_metrics_chart_table_and_who_joined(tmp_path: Path) -> None:
    with open_writer(_warehouse(tmp_path / "w.duckdb")) as con:
        page = render_report_html(con)
        markdown = report_markdown(con, "minurso")
    text = re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", page))
    assert "Military strength (as at 2013-04-08) 245" in text
    assert "Authorized military strength (as at 2013-04-08) 231" in text
    assert "Continues from S/2012/197" in text
    assert "Military strength over time" in text
    inline = re.search(r'src="data:image/png;base64,([A-Za-z0-9+/=]+)"', page)
    assert inline and base64.b64decode(inline.group(1))[:4] == b"\x89PNG"
    # the latest table, every row with its figures, the Total row last
    assert "Contributions as at 08 April 2013" in text
    assert "Bhutan 2 0 0 2" in text and "Total 33 7 1 41" in text
    assert "military observers troops civilian police total" in text
    # who joined and who left, compared with the report before
    assert "S/2013/220 vs S/2012/197 contributions Bhutan joined" in text
    assert "S/2013/220 vs S/2012/197 contributions France left" in text
    assert "- military strength: **245** (p. 5, para. 20)" in markdown
    assert "| 2013-04-08 | S/2013/220 | S/2012/197 | contributions | Bhutan | joined |" in markdown


def test_chart_draws_any_metric_of_the_series_and_names_them_when_asked_wrong(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from matplotlib.image import imread

    _warehouse(tmp_path / "warehouse.duckdb")
    monkeypatch.setenv("REPORTWATCH_DATA_DIR", str(tmp_path))
    monkeypatch.chdir(tmp_path)
    runner = CliRunner()
    drawn = runner.invoke(app, ["chart", "military_strength", "--series", "minurso"])
    assert drawn.exit_code == 0, drawn.output
    pixels = imread(tmp_path / "military_strength.png", format="png")  # default: WHAT.png
    assert pixels.std() > 0.05  # not a blank canvas
    wrong = runner.invoke(app, ["chart", "troops_total", "--series", "minurso"])
    assert wrong.exit_code == 1
    assert "no chart called 'troops_total' for minurso" in wrong.output
    assert "military_strength" in wrong.output and "authorized_military_strength" in wrong.output
    none = runner.invoke(app, ["chart", "female_military", "--series", "minurso"])
    assert none.exit_code == 1 and "no female military personnel figures" in none.output
