"""Charts for analysts: a series' main figure over time (KFOR's troop level), with its alerts.

matplotlib is an optional extra (``pip install 'reportwatch[charts]'``); it is imported only
when a chart is drawn, so the pipeline runs without it. We draw on a bare ``Figure`` (the Agg
canvas) instead of ``pyplot``: no global state, no GUI backend, safe in worker threads.

What the chart shows, so a reader can trust it at a glance:

* one point per report at its "As at" date; a filled marker is a figure the report states
  exactly, a hollow one a figure it qualifies ("approximately", "some"…);
* critical and warning alerts about the troop level or major incidents, as coloured markers
  above the point of the report that raised them, each with a short label.
"""

from __future__ import annotations

import io
from collections import defaultdict
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from reportwatch.errors import ConfigError, ReportwatchError
from warehouse.connection import Connection
from warehouse.queries import chart_alerts, metric_points, troop_points

if TYPE_CHECKING:
    from matplotlib.figure import Figure

LINE_COLOUR = "#1f4e79"
SEVERITY_COLOUR = {"critical": "#c0392b", "warning": "#e67e22"}


def _label(alert: dict[str, Any], word: str = "troops") -> str:
    """A few words for the chart; the headline is in the report and the alert itself."""
    if alert.get("rule_kind") == "metric-change" and alert.get("delta") is not None:
        pct = alert.get("pct_change")
        change = f"{alert['delta']:+,.0f}" + (f" ({pct:+.1f}%)" if pct is not None else "")
        return f"{word} {change}"
    return f"major incidents ({alert.get('symbol')})"


def troop_figure(
    points: list[dict[str, Any]],
    alerts: list[dict[str, Any]],
    *,
    title: str,
    width_in: float = 9.0,
    height_in: float = 4.8,
    dpi: int = 110,
) -> Figure:
    """The troop chart: ``points`` from ``troop_points``, ``alerts`` from ``chart_alerts``."""
    return metric_figure(
        [{**p, "value": p["troops"]} for p in points], alerts, title=title, word="troops",
        ylabel="troops in theatre", min_margin=200.0, width_in=width_in, height_in=height_in,
        dpi=dpi,
    )  # fmt: skip


def metric_figure(
    points: list[dict[str, Any]],
    alerts: list[dict[str, Any]],
    *,
    title: str,
    word: str,
    ylabel: str,
    min_margin: float | None = None,
    width_in: float = 9.0,
    height_in: float = 4.8,
    dpi: int = 110,
) -> Figure:
    """A metric over time: ``points`` from ``metric_points`` (``value``, ``approximate``,
    ``as_of_date``, ``symbol``), ``alerts`` from ``chart_alerts``; ``word`` names the metric in
    alert labels, ``ylabel`` on the axis."""
    try:
        from matplotlib.dates import AutoDateLocator, ConciseDateFormatter, date2num
        from matplotlib.figure import Figure
        from matplotlib.lines import Line2D
        from matplotlib.ticker import FuncFormatter
    except ImportError as exc:
        raise ConfigError(
            "charts need matplotlib, which is not installed",
            hint="pip install 'reportwatch[charts]'",
        ) from exc
    if not points:
        raise ReportwatchError(
            f"no {word} figures to chart", hint="load reports first (`reportwatch demo`)"
        )

    # matplotlib's day numbers: what its date locator and formatter read on the x axis
    dates: list[float] = [float(date2num(p["as_of_date"])) for p in points]
    troops = [int(p["value"]) for p in points]
    approximate = [bool(p["approximate"]) for p in points]

    fig = Figure(figsize=(width_in, height_in), dpi=dpi, layout="constrained")
    ax = fig.subplots()
    ax.plot(dates, troops, color=LINE_COLOUR, linewidth=1.6, zorder=2)
    exact = [(d, t) for d, t, a in zip(dates, troops, approximate, strict=True) if not a]
    approx = [(d, t) for d, t, a in zip(dates, troops, approximate, strict=True) if a]
    if exact:
        ax.plot(*zip(*exact, strict=True), linestyle="none", marker="o", markersize=6,
                color=LINE_COLOUR, zorder=3)  # fmt: skip
    if approx:
        ax.plot(*zip(*approx, strict=True), linestyle="none", marker="o", markersize=6,
                markerfacecolor="white", markeredgecolor=LINE_COLOUR, markeredgewidth=1.5,
                zorder=3)  # fmt: skip

    # alerts: a marker above the report's point; several on one report are stacked
    level_of = {p["symbol"]: (x, y) for p, x, y in zip(points, dates, troops, strict=True)}
    stacked: dict[str, int] = defaultdict(int)
    severities_shown: set[str] = set()
    for alert in alerts:
        where = level_of.get(alert.get("symbol") or "")
        if where is None:
            continue
        colour = SEVERITY_COLOUR.get(alert["severity"], "#7f8c8d")
        severities_shown.add(alert["severity"])
        rank = stacked[alert["symbol"]]
        stacked[alert["symbol"]] += 1
        ax.annotate(
            _label(alert, word),
            xy=where,
            xytext=(-8, 18 + 16 * rank),
            textcoords="offset points",
            ha="right",
            va="center",
            fontsize=8,
            color=colour,
            arrowprops={"arrowstyle": "-", "color": colour, "linewidth": 0.8},
        )
        # rings grow with the stack, so two alerts on one report both stay visible
        ax.plot([where[0]], [where[1]], linestyle="none", marker="D", markersize=11 + 6 * rank,
                markerfacecolor="none", markeredgecolor=colour, markeredgewidth=1.6,
                zorder=4)  # fmt: skip

    low, high = min(troops), max(troops)
    floor = min_margin if min_margin is not None else max(0.05 * high, 1.0)
    margin = max(floor, (high - low) * 0.25)
    ax.set_ylim(max(0.0, low - margin), high + margin * 1.4)
    # room on the left for the first year's tick, so the axis says where it starts
    ax.set_xlim(dates[0] - 100, dates[-1] + 60)
    locator = AutoDateLocator()
    ax.xaxis.set_major_locator(locator)
    ax.xaxis.set_major_formatter(ConciseDateFormatter(locator))
    ax.yaxis.set_major_formatter(FuncFormatter(lambda value, _pos: f"{value:,.0f}"))
    ax.grid(axis="y", color="#dddddd", linewidth=0.8)
    ax.set_axisbelow(True)
    for side in ("top", "right"):
        ax.spines[side].set_visible(False)
    ax.set_title(title, loc="left", fontsize=12)
    ax.set_xlabel("date of the figure (\u201cAs at\u201d, end of the reporting period)")
    ax.set_ylabel(ylabel)

    handles = [
        Line2D([], [], color=LINE_COLOUR, marker="o", linestyle="-", label="stated figure"),
        Line2D([], [], color=LINE_COLOUR, marker="o", markerfacecolor="white",
               linestyle="-", label="approximate"),
    ]  # fmt: skip
    for severity in ("critical", "warning"):
        if severity in severities_shown:
            handles.append(
                Line2D([], [], linestyle="none", marker="D", markerfacecolor="none",
                       markeredgecolor=SEVERITY_COLOUR[severity], label=f"{severity} alert")
            )  # fmt: skip
    ax.legend(handles=handles, loc="upper left", fontsize=8, frameon=False)
    return fig


def render_troop_chart(
    points: list[dict[str, Any]], alerts: list[dict[str, Any]], *, title: str
) -> bytes:
    """The troop chart as PNG bytes."""
    buffer = io.BytesIO()
    # no "Software" stamp: the file depends on the data, not on the matplotlib version
    troop_figure(points, alerts, title=title).savefig(
        buffer, format="png", metadata={"Software": None}
    )
    return buffer.getvalue()


def troop_chart_png(con: Connection, series: str, *, title: str | None = None) -> bytes:
    """The troop chart of ``series`` from an open warehouse or snapshot."""
    points = troop_points(con, series)
    if not points:
        raise ReportwatchError(
            f"no troop figures for series {series!r}",
            hint="check --series, or load reports first (`reportwatch demo`)",
        )
    first, last = points[0]["as_of_date"], points[-1]["as_of_date"]
    return render_troop_chart(
        points,
        chart_alerts(con, series),
        title=title or f"{series.upper()} troops in theatre, {first:%Y}\u2013{last:%Y}",
    )


def metric_chart_png(con: Connection, series: str, metric: str, label: str) -> bytes:
    """The chart of one metric of ``series`` (``label`` names it: "military strength")."""
    points = [p for p in metric_points(con, series, metric) if p["value"] is not None]
    if not points:
        raise ReportwatchError(
            f"no {label} figures for series {series!r}",
            hint="check --series, or load reports first (`reportwatch demo`)",
        )
    first, last = points[0]["as_of_date"], points[-1]["as_of_date"]
    buffer = io.BytesIO()
    metric_figure(
        points, chart_alerts(con, series, metric), word=label, ylabel=label,
        title=f"{series.upper()} {label}, {first:%Y}\u2013{last:%Y}",
    ).savefig(buffer, format="png", metadata={"Software": None})  # fmt: skip
    return buffer.getvalue()


def write_troop_chart(con: Connection, series: str, out: Path) -> Path:
    """Write the troop chart to ``out`` (a .png file); returns the path."""
    return _write_png(out, lambda: troop_chart_png(con, series))


def write_metric_chart(con: Connection, series: str, metric: str, label: str, out: Path) -> Path:
    """Write the chart of one metric of ``series`` to ``out`` (a .png file); returns the path.

    Raises :class:`ReportwatchError` when ``out`` is not a .png name or no figure of the
    metric is loaded.
    """
    return _write_png(out, lambda: metric_chart_png(con, series, metric, label))


def _write_png(out: Path, draw: Callable[[], bytes]) -> Path:
    if out.suffix.lower() != ".png":
        raise ReportwatchError(f"{out} is not a .png file name", hint="e.g. --out chart.png")
    png = draw()
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_bytes(png)
    return out
