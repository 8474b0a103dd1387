"""The analysts' report: one self-contained HTML page, and the same summary in Markdown.

The HTML page needs no server and loads nothing from elsewhere (styles inline, the chart as a
base64 PNG), so it can be mailed or archived as one file. Per series it shows the latest
figures with their evidence (every metric its profile names), the chart of its main figure
(the profile's ``as_of_metric``, else its first required metric: KFOR's troop level, MINURSO's
military strength), the changes between consecutive reports (``report_changes``), the latest
table it prints (an annex of contributions) with the rows that joined or left, and the alerts;
at the top, the load the data reflects.

:func:`report_markdown` gives the same summary (without the picture) for the flow run's
Prefect artifact.

``docs/analysts.md`` shows example queries with their output on the demo data; the outputs are
rendered here (:func:`render_analyst_doc`), by ``python -m tasks.outputs.report_html --analyst-docs
SNAPSHOT`` and by the test that keeps the page true (tests/flows/test_analyst_docs.py).
"""

from __future__ import annotations

import argparse
import base64
import datetime as dt
import ipaddress
import logging
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import jinja2

from reportwatch.errors import ConfigError, ReportwatchError
from reportwatch.series import load_series
from reportwatch.settings import Settings
from tasks.alerts.notifiers.render import format_number, format_pct, format_signed
from warehouse.connection import Connection
from warehouse.queries import (
    latest_figures,
    latest_table,
    membership_changes,
    series_alerts,
    series_changes,
    series_loaded,
    snapshot_stamp,
)

TEMPLATE_DIR = Path(__file__).resolve().parent / "templates"
TEMPLATE_NAME = "report.html.j2"

METRIC_LABELS = {
    "troops_total": "troops",
    "non_nato_troops": "non-NATO troops",
    "nato_nations": "NATO nations",
    "non_nato_nations": "non-NATO nations",
    "major_incidents": "major incidents",
}


def metric_label(metric: str) -> str:
    return METRIC_LABELS.get(metric, metric.replace("_", " "))


def fact_text(metric: str, value: float | None, approximate: bool | None = None) -> str:
    """A fact as a reader says it: ``approximately 4,500``, ``20``, ``stated``, ``none stated``."""
    if value is None:
        return "not stated"
    if metric == "major_incidents":
        return "stated" if value else "none stated"
    text = format_number(value)
    return f"approximately {text}" if approximate else text


def lasting_link(url: str | None) -> str | None:
    """``url`` when a reader of the page can still follow it later, else None.

    The page is mailed and archived: a link to this machine or a private network (the demo's
    loopback mirror, an intranet copy) is dead for its readers, so the symbol is shown
    without one.
    """
    if not url:
        return None
    parts = urlsplit(url)
    host = (parts.hostname or "").lower()
    if parts.scheme not in ("http", "https") or not host or host == "localhost":
        return None
    try:
        address = ipaddress.ip_address(host)
    except ValueError:
        return url if "." in host else None  # a bare name ("mirror") only resolves inside
    return None if address.is_private or address.is_loopback or address.is_link_local else url


def where_text(page: int | None, paragraph: int | None) -> str:
    """``p. 3, para. 2``; empty when the location is unknown."""
    parts = []
    if page is not None:
        parts.append(f"p. {page}")
    if paragraph is not None:
        parts.append(f"para. {paragraph}")
    return ", ".join(parts)


@dataclass(frozen=True)
class SeriesSection:
    """What the report shows for one series."""

    series: str
    latest: dict[str, Any] | None
    changes: list[dict[str, Any]]
    alerts: list[dict[str, Any]]
    chart_base64: str | None
    chart_note: str | None
    chart_label: str = "troop level"
    table: dict[str, Any] | None = None
    memberships: list[dict[str, Any]] | None = None


def main_metric(series: str) -> tuple[str, str]:
    """The metric a series is charted by, and how to name it, from its series file: the
    profile's ``as_of_metric``, else its first required metric, else its first metric."""
    try:
        profile = load_series(series).profile
    except ReportwatchError:  # a series no file describes (an old warehouse): the troop level
        return "troops_total", "troop level"
    metrics: dict[str, Any] = profile.get("metrics") or {}
    required = [m for m in profile.get("required") or [] if m in metrics]
    name = profile.get("as_of_metric") or next(iter([*required, *metrics]), "troops_total")
    label = (metrics.get(name) or {}).get("label") or metric_label(name)
    return str(name), str(label)


def collect_section(
    con: Connection, series: str, *, with_chart: bool = True, changes: int = 20
) -> SeriesSection:
    chart: str | None = None
    note: str | None = None
    metric, label = main_metric(series)
    if with_chart:
        from tasks.outputs.charts import metric_chart_png

        try:
            chart = base64.b64encode(metric_chart_png(con, series, metric, label)).decode("ascii")
        except ReportwatchError as exc:  # no matplotlib, no figures: the rest is still worth having
            note = exc.one_line()
    return SeriesSection(
        series=series,
        latest=latest_figures(con, series),
        changes=series_changes(con, series, changes),
        alerts=series_alerts(con, series),
        chart_base64=chart,
        chart_note=note,
        chart_label=label,
        table=latest_table(con, series),
        memberships=membership_changes(con, series),
    )


def _selected(con: Connection, series: list[str] | None) -> list[str]:
    known = series_loaded(con)
    if not series:
        if not known:
            raise ReportwatchError(
                "no loaded reports to report on", hint="run `reportwatch demo` or a flow first"
            )
        return known
    unknown = [s for s in series if s not in known]
    if unknown:
        raise ReportwatchError(
            f"no loaded reports for series {', '.join(unknown)}",
            hint=f"series with reports: {', '.join(known) or 'none'}",
        )
    return series


def _environment() -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(TEMPLATE_DIR),
        undefined=jinja2.StrictUndefined,
        autoescape=True,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.globals["column"] = lambda name: name.replace("_", " ")  # a table's column key, read
    env.filters.update(number=format_number, signed=format_signed, pct=format_pct)
    env.globals.update(
        fact=fact_text, label=metric_label, where=where_text, change=change_text, link=lasting_link
    )
    return env


def render_report_html(
    con: Connection, *, series: list[str] | None = None, with_chart: bool = True
) -> str:
    """The whole report page for ``series`` (default: every series with loaded reports)."""
    sections = [collect_section(con, s, with_chart=with_chart) for s in _selected(con, series)]
    try:
        template = _environment().get_template(TEMPLATE_NAME)
        return template.render(
            sections=sections,
            stamp=snapshot_stamp(con),
            generated_at=dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M UTC"),
        )
    except jinja2.TemplateError as exc:
        raise ConfigError(f"report template {TEMPLATE_NAME}: {exc}") from exc


def write_report_html(con: Connection, out: Path, *, series: list[str] | None = None) -> Path:
    if out.suffix.lower() not in (".html", ".htm"):
        raise ReportwatchError(f"{out} is not an .html file name", hint="e.g. --out report.html")
    page = render_report_html(con, series=series)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(page, encoding="utf-8")
    return out


# -- Markdown: the same summary for the Prefect artifact ---------------------------------------
def _md_cell(value: object) -> str:
    return str(value).replace("|", "\\|").replace("\n", " ")


def markdown_table(columns: list[str], rows: list[list[str]]) -> str:
    lines = ["| " + " | ".join(columns) + " |", "|" + "---|" * len(columns)]
    lines += ["| " + " | ".join(_md_cell(c) for c in row) + " |" for row in rows]
    return "\n".join(lines)


def report_markdown(con: Connection, series: str, *, changes: int = 10) -> str:
    """Latest figures, recent changes and alerts of one series, as Markdown."""
    section = collect_section(con, series, with_chart=False, changes=changes)
    lines = [f"## {series.upper()}: analysts' summary", ""]
    latest = section.latest
    if latest is None:
        lines.append("No loaded report yet.")
    else:
        lines += [
            f"Latest report **{latest['symbol']}**, period {latest['period_start']} to "
            f"{latest['period_end']}:",
            "",
        ]
        for fact in latest["facts"]:
            where = where_text(fact["page"], fact["paragraph"])
            lines.append(
                f"- {metric_label(fact['metric'])}: "
                f"**{fact_text(fact['metric'], fact['value'], fact['approximate'])}**"
                + (f" ({where})" if where else "")
            )
    if section.table:
        table = section.table
        body = [r for r in table["rows"] if not r["is_total"]]
        lines += ["", f"Latest table: **{table['title']}** ({table['symbol']}, p. {table['page']}),"
                  f" {len(body)} rows."]  # fmt: skip
    if section.memberships:
        lines += ["", "### Rows that joined or left a table", ""]
        lines.append(
            markdown_table(
                ["period end", "report", "compared with", "table", "row", "change"],
                [[str(m["period_end"]), m["symbol"], m["previous_symbol"], m["table_id"],
                  m["row_label"], m["change"]] for m in section.memberships],
            )
        )  # fmt: skip
    if section.changes:
        lines += ["", "### Changes between consecutive reports", ""]
        lines.append(
            markdown_table(
                ["period end", "report", "fact", "before", "after", "change"],
                [
                    [str(c["period_end"]), c["symbol"], metric_label(c["metric"]),
                     fact_text(c["metric"], c["previous_value"], c["previous_approximate"]),
                     fact_text(c["metric"], c["value"], c["approximate"]),
                     change_text(c)]
                    for c in section.changes
                ],
            )
        )  # fmt: skip
    if section.alerts:
        lines += ["", "### Alerts", ""]
        for alert in section.alerts:
            where = where_text(alert["page"], alert["paragraph"])
            ref = ", ".join(x for x in (alert["symbol"], where) if x)
            lines.append(
                f"- **{alert['severity']}** {alert['headline']}" + (f" ({ref})" if ref else "")
            )
    stamp = snapshot_stamp(con)
    if stamp and stamp["load_id"] and stamp["loaded_at"]:
        lines += [
            "",
            f"_Data as of load `{stamp['load_id']}` ({stamp['loaded_at']:%Y-%m-%d %H:%M} UTC)._",
        ]
    return "\n".join(lines) + "\n"


def change_text(change: dict[str, Any]) -> str:
    if change["metric"] == "major_incidents":
        return "now stated" if change["value"] else "no longer stated"
    pct = change["pct_change"]
    return format_signed(change["delta"]) + (f" ({format_pct(pct)})" if pct is not None else "")


# -- docs/analysts.md: every example query followed by the output it gives ---------------------
ANALYST_DOC = Path(__file__).resolve().parents[2] / "docs" / "analysts.md"
_EXAMPLE = re.compile(
    r"```sql\n(?P<sql>[^`]*?)\n```\s*<!-- output: (?P<name>[\w-]+) -->\n(?P<output>.*?)<!-- /output -->",
    re.S,
)


def documented_queries(text: str) -> dict[str, str]:
    """Example name → its SQL, for every ```sql block followed by an output marker."""
    return {m["name"]: m["sql"] for m in _EXAMPLE.finditer(text)}


def doc_cell(value: object) -> str:
    """Values as the DuckDB shell writes them: NULL, true/false, ISO dates, [lists]."""
    if value is None:
        return "NULL"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, dt.date | dt.datetime):
        return value.isoformat()
    if isinstance(value, list | tuple):
        return "[" + ", ".join(doc_cell(v) for v in value) + "]"
    return str(value)


def render_output(con: Connection, sql: str) -> str:
    """The Markdown table a documented query gives (and its row count)."""
    from warehouse.queries import query

    columns, rows = query(con, sql)
    table = markdown_table(columns, [[doc_cell(v) for v in row] for row in rows])
    return f"{table}\n\n({len(rows)} row{'' if len(rows) == 1 else 's'})\n"


def render_analyst_doc(con: Connection, text: str) -> str:
    """``text`` with every example's output replaced by what its query gives on ``con``."""

    def fill(match: re.Match[str]) -> str:
        try:
            output = render_output(con, match["sql"])
        except ReportwatchError as exc:
            raise ReportwatchError(f"example {match['name']}: {exc.message}") from exc
        head = match.group(0)[: match.start("output") - match.start()]
        return f"{head}\n{output}\n<!-- /output -->"

    return _EXAMPLE.sub(fill, text)


def main(argv: list[str] | None = None) -> int:
    """``python -m tasks.outputs.report_html --analyst-docs data/snapshot.duckdb [--chart PNG]``."""
    from tasks.outputs.charts import write_troop_chart
    from warehouse import open_reader

    parser = argparse.ArgumentParser(
        prog="python -m tasks.outputs.report_html", description=main.__doc__
    )
    parser.add_argument("--analyst-docs", type=Path, required=True, metavar="SNAPSHOT",
                        help="a demo snapshot (`reportwatch demo --data-dir DIR`)")  # fmt: skip
    parser.add_argument("--doc", type=Path, default=ANALYST_DOC)
    parser.add_argument("--chart", type=Path, help="also write the troop chart here")
    args = parser.parse_args(argv)
    with open_reader(args.analyst_docs) as con:
        text = args.doc.read_text(encoding="utf-8")
        args.doc.write_text(render_analyst_doc(con, text), encoding="utf-8")
        print(f"wrote {len(documented_queries(text))} example outputs to {args.doc}")
        if args.chart:
            print(f"wrote {write_troop_chart(con, 'kfor', args.chart)}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())


def analyst_markdown(settings: Settings, series: str) -> str | None:
    """The analyst summary for a run's Prefect artifact, read from the fresh snapshot.

    Best effort: an artifact must never fail the run, so a problem gives ``None`` and a log line.
    """
    from warehouse import open_reader

    try:
        with open_reader(settings.snapshot_path) as con:
            return report_markdown(con, series)
    except ReportwatchError as exc:
        logging.getLogger("reportwatch.report").warning("no analyst summary: %s", exc.one_line())
        return None
