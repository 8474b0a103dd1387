"""``reportwatch chart`` and ``reportwatch report``, and the Markdown summary for the run artifact."""

from __future__ import annotations

import base64
import io
import re
from pathlib import Path

import pytest
from matplotlib.image import imread
from typer.testing import CliRunner

from flows.cli.main import app
from tasks.outputs.charts import SEVERITY_COLOUR, troop_figure
from tasks.outputs.report_html import render_report_html, report_markdown
from tests.factories import QUARTERS, fetched, report, text_for
from tests.warehouse.test_analyst_views import build_small_warehouse
from warehouse import open_reader, open_writer
from warehouse.documents import load_document
from warehouse.queries import chart_alerts, troop_points

runner = CliRunner()


@pytest.fixture(scope="module")
def snapshot(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_small_warehouse(tmp_path_factory.mktemp("analyst"))


@pytest.fixture
def data_dir(snapshot: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("REPORTWATCH_DATA_DIR", str(snapshot.parent))
    return snapshot.parent


def _has_colour(pixels, hex_colour: str) -> bool:  # type: ignore[no-untyped-def]
    rgb = [int(hex_colour[i : i + 2], 16) / 255 for i in (1, 3, 5)]
    close = (abs(pixels[:, :, :3] - rgb) < 0.05).all(axis=2)
    return bool(close.sum() > 20)


def test_chart_command_writes_a_real_png_with_the_line_and_the_alerts(
    data_dir: Path, tmp_path: Path
) -> None:
    out = tmp_path / "charts" / "troops.png"
    result = runner.invoke(app, ["chart", "troops", "--series", "kfor", "--out", str(out)])
    assert result.exit_code == 0, result.output
    data = out.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n" and len(data) > 10_000
    pixels = imread(io.BytesIO(data), format="png")
    assert pixels.shape[:2] == (528, 990)  # 9 × 4.8 inches at 110 dpi
    assert pixels.std() > 0.05  # not a blank canvas
    assert _has_colour(pixels, "#1f4e79")  # the troop line
    assert _has_colour(pixels, SEVERITY_COLOUR["critical"])  # the jump's alert marker


def test_the_chart_marks_approximate_figures_and_labels_alerts(snapshot: Path) -> None:
    with open_reader(snapshot) as con:
        points, alerts = troop_points(con, "kfor"), chart_alerts(con, "kfor")
    fig = troop_figure(points, alerts, title="KFOR troops")
    ax = fig.axes[0]
    legend = [t.get_text() for t in ax.get_legend().get_texts()]
    assert legend[:2] == ["stated figure", "approximate"] and "critical alert" in legend
    labels = {t.get_text() for t in ax.texts}
    assert "troops +700 (+18.4%)" in labels
    assert "major incidents (S/2023/668)" in labels
    hollow = [line for line in ax.lines if line.get_markerfacecolor() == "white"]
    assert (
        len(hollow) == 1 and len(hollow[0].get_xdata()) == 4
    )  # all four figures were "approximately"
    assert ax.get_title(loc="left") == "KFOR troops"
    assert (
        ax.get_xlabel().startswith("date of the figure") and ax.get_ylabel() == "troops in theatre"
    )
    ticks = [t.get_text() for t in ax.get_xticklabels()]
    assert any(re.fullmatch(r"20\d\d", t) for t in ticks)  # dates on x


def test_chart_errors_are_one_line(data_dir: Path, tmp_path: Path) -> None:
    unknown = runner.invoke(app, ["chart", "budget", "--out", str(tmp_path / "b.png")])
    assert unknown.exit_code == 1 and "no chart called 'budget' for kfor" in unknown.output
    series = runner.invoke(
        app, ["chart", "troops", "--series", "nato", "--out", str(tmp_path / "n.png")]
    )
    assert series.exit_code == 1 and "no series 'nato'" in series.output
    empty = runner.invoke(
        app, ["chart", "troops", "--series", "minurso", "--out", str(tmp_path / "m.png")]
    )
    assert empty.exit_code == 1 and "no troop figures for series 'minurso'" in empty.output
    suffix = runner.invoke(app, ["chart", "troops", "--out", str(tmp_path / "t.jpg")])
    assert suffix.exit_code == 1 and "not a .png" in suffix.output


def test_report_is_one_self_contained_page_with_figures_changes_and_alerts(
    data_dir: Path, tmp_path: Path
) -> None:
    out = tmp_path / "report.html"
    result = runner.invoke(app, ["report", "--out", str(out)])
    assert result.exit_code == 0, result.output
    page = out.read_text(encoding="utf-8")
    assert "approximately 4,500" in page  # latest figure, formatted
    for symbol in ("S/2023/966", "S/2023/668", "S/2023/431"):
        assert symbol in page
    assert (
        "KFOR troop level up 18.4% to approximately 4,500 (from approximately 3,800 in S/2023/668)"
        in page
    )
    assert "states major security incidents" in page and "sev-critical" in page
    assert "+700 (+18.4%)" in page  # the change between consecutive reports
    with open_reader(data_dir / "snapshot.duckdb") as con:
        load_id = con.execute("SELECT load_id FROM snapshot_info").fetchone()[0]
    assert load_id in page
    # self-contained: nothing fetched from elsewhere, the chart inline
    assert not re.search(r"""(src|href)=["'](https?:)?//(?!127\.0\.0\.1)""", page)
    assert "<link" not in page and "<script" not in page
    inline = re.search(r'src="data:image/png;base64,([A-Za-z0-9+/=]+)"', page)
    assert inline and base64.b64decode(inline.group(1))[:4] == b"\x89PNG"


def test_report_escapes_text_from_documents(tmp_path: Path) -> None:
    rep = report("S/2024/1", *QUARTERS[0], 4000).model_copy(
        update={"title": "Letter <script>alert('x')</script> & annex"}
    )
    with open_writer(tmp_path / "w.duckdb") as con:
        load_document(con, fetched=fetched("S/2024/1"), text=text_for(rep), report=rep)
        page = render_report_html(con, with_chart=False)
    assert "Letter &lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt; &amp; annex" in page
    assert "<script" not in page
    assert "Troop level over time" not in page  # no chart asked for, no empty section


def test_report_refuses_an_unknown_series_naming_the_known_ones(
    data_dir: Path, tmp_path: Path
) -> None:
    bad = runner.invoke(app, ["report", "--series", "nato", "--out", str(tmp_path / "r.html")])
    assert bad.exit_code == 1 and "no loaded reports for series nato" in bad.output
    assert "series with reports: kfor" in bad.output


def test_report_markdown_gives_the_same_summary_for_the_run_artifact(snapshot: Path) -> None:
    with open_reader(snapshot) as con:
        text = report_markdown(con, "kfor")
    assert "Latest report **S/2023/966**" in text
    assert "- troops: **approximately 4,500** (p. 3, para. 2)" in text
    assert (
        "| 2023-09-30 | S/2023/966 | troops | approximately 3,800 | approximately 4,500 | +700 (+18.4%) |"
        in text
    )
    assert "| 2023-06-30 | S/2023/668 | NATO nations | 19 | 20 | +1 (+5.3%) |" in text
    assert "- **critical** KFOR troop level up 18.4%" in text
    assert "_Data as of load `" in text
