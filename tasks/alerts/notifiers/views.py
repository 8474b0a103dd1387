"""The facts of one alert, worded once for every channel (the views templates receive).

Formatting is done here, once, so templates stay declarative:

* numbers get thousands separators (``4,500``), changes a sign (``+700``);
* ``Alert.pct_change`` is in percent units (``18.4`` means +18.4 %), shown with one decimal
  and a sign (``+18.4%``);
* dates are ISO (``2023-10-01``); times are UTC and say so (``2024-02-19 06:00 UTC``);
* every figure shown carries its own certainty: ``approximately 3,800 troops`` when the report
  said so, ``4,500 troops (exact)`` when it gave the exact figure, nothing when unknown. The
  previous figure's certainty is ``details["previous_approximate"]`` (set by detection);
* a digest lists its alerts most severe first, then newest (:func:`digest_order`).
"""

from __future__ import annotations

import datetime as dt
import math
import re
from dataclasses import dataclass

from reportwatch.models import OBSERVED_METRICS, SEVERITY_RANK, Alert
from tasks.fetch.ods import OdsSource

SEVERITY_EMOJI = {
    "info": ":information_source:",
    "warning": ":warning:",
    "critical": ":rotating_light:",
}


# -- number and date formatting (also exposed to templates as filters) -------------------------
def format_number(value: float | None) -> str:
    """``4500.0`` → ``4,500``; ``12.25`` → ``12.25``; ``None`` → ``unknown``."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "unknown"
    if float(value).is_integer():
        return f"{int(value):,}"
    return f"{value:,.2f}".rstrip("0").rstrip(".")


def format_signed(value: float | None) -> str:
    """``700`` → ``+700``; ``-120`` → ``-120``; zero has no sign."""
    if value is None:
        return "unknown"
    text = format_number(abs(value))
    if value > 0:
        return f"+{text}"
    if value < 0:
        return f"-{text}"
    return text


def format_pct(value: float | None) -> str:
    """Percent units in, one decimal and a sign out: ``18.42`` → ``+18.4%``."""
    if value is None:
        return "n/a"
    rounded = round(value, 1)
    if rounded == 0:
        return "0.0%"
    return f"{rounded:+,.1f}%"


def format_date(value: dt.date | dt.datetime | None) -> str:
    """A date as ISO; a time as ``2024-02-19 06:00 UTC``.

    A naive time is UTC (the warehouse stores naive UTC); an aware one is converted. A receiver
    acting on one message must know which clock it reads, so the zone is always written.
    """
    if value is None:
        return "unknown"
    if isinstance(value, dt.datetime):
        if value.tzinfo is not None:
            value = value.astimezone(dt.UTC)
        return value.strftime("%Y-%m-%d %H:%M UTC")  # minutes are enough for a human
    return value.isoformat()


def format_figure(value: float | None, unit_suffix: str, approximate: bool | None) -> str | None:
    """``3800, " troops", True`` → ``approximately 3,800 troops``; ``False`` → ``... (exact)``."""
    if value is None:
        return None
    text = f"{format_number(value)}{unit_suffix}"
    if approximate:
        return f"approximately {text}"
    if approximate is False:
        return f"{text} (exact)"
    return text


def slack_escape(value: object) -> str:
    """Slack mrkdwn treats ``&``, ``<`` and ``>`` as control characters; escape only those."""
    return str(value).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def one_line(value: object) -> str:
    """Collapse whitespace: for subjects and headers, which must not contain newlines."""
    return " ".join(str(value).split())


# -- the facts of one alert, worded once ------------------------------------------------------
@dataclass(frozen=True)
class AlertView:
    """What templates show for one alert. ``alert`` is the raw model for anything else."""

    alert: Alert
    severity: str
    severity_label: str
    emoji: str
    headline: str
    title: str
    symbol: str | None
    value_text: str | None
    previous_text: str | None
    change_text: str | None
    precision_text: str | None
    period_text: str | None
    compared_text: str | None
    location_text: str | None
    evidence_text: str | None
    source_url: str | None
    raised_text: str | None
    action_text: str | None
    sha256: str | None


PUBLIC_ODS_URL = "https://documents.un.org"


def link_for_receivers(source_url: str | None, symbol: str | None) -> str | None:
    """A link the people who receive the message can open.

    A web address stays as it is. A file on the machine that read it (a report put in the
    drop folder) is nobody else's to open, and would show a server path: the Official Document
    System's public address of the symbol takes its place, or no link without a symbol.
    """
    if source_url and source_url.lower().startswith(("http://", "https://")):
        return source_url
    if symbol:
        return OdsSource(PUBLIC_ODS_URL).file_url(symbol)
    return None


def alert_view(alert: Alert) -> AlertView:
    unit = OBSERVED_METRICS.get(alert.metric or "")
    unit_suffix = f" {unit}" if unit in {"troops", "nations"} else ""

    value_text = format_figure(alert.value, unit_suffix, alert.approximate)
    previous_approximate = alert.details.get("previous_approximate")
    previous_text = format_figure(
        alert.previous_value,
        unit_suffix,
        bool(previous_approximate) if previous_approximate is not None else None,
    )

    delta = alert.delta
    if delta is None and alert.value is not None and alert.previous_value is not None:
        delta = alert.value - alert.previous_value
    change_text = None
    if delta is not None:
        change_text = format_signed(delta)
        if alert.pct_change is not None:
            change_text = f"{change_text} ({format_pct(alert.pct_change)})"

    precision_text = None
    if alert.approximate is not None and alert.value is not None:
        precision_text = "approximate" if alert.approximate else "exact"
    if alert.metric == "major_incidents":
        # a yes/no the report states, not a quantity: "stated", never "1 (was 0), change +1"
        value_text, previous_text = _stated(alert.value), _stated(alert.previous_value)
        change_text = precision_text = None

    return AlertView(
        alert=alert,
        severity=alert.severity,
        severity_label=alert.severity.upper(),
        emoji=SEVERITY_EMOJI.get(alert.severity, ":bell:"),
        headline=one_line(alert.headline),
        title=alert_title(alert),
        symbol=alert.symbol,
        value_text=value_text,
        previous_text=previous_text,
        change_text=change_text,
        precision_text=precision_text,
        period_text=_period_text(alert.period_start, alert.period_end),
        compared_text=_compared_text(alert),
        location_text=_location_text(alert.evidence_page, alert.evidence_paragraph),
        evidence_text=one_line(alert.evidence_text) if alert.evidence_text else None,
        source_url=link_for_receivers(alert.source_url, alert.symbol),
        raised_text=format_date(alert.raised_at) if alert.raised_at else None,
        action_text=action_text(alert),
        sha256=_text_or_none(alert.details.get("sha256")),
    )


def _text_or_none(value: object) -> str | None:
    return str(value) if value else None


def alert_title(alert: Alert) -> str:
    """The headline, plus the report it is about when the headline does not name it.

    ``KFOR report S/2021/228 mentions: grenade`` stays as it is (no ``(S/2021/228)`` after it);
    ``KFOR troop level up 18.4%`` gets ``(S/2024/101)``; ``KFOR troop level up ... (from 3,800
    in S/2023/668)`` names another report, so it gets ``(report S/2023/966)``. For
    notification lines and email subjects.
    """
    headline = one_line(alert.headline)
    if not alert.symbol or alert.symbol in headline:
        return headline
    if _SYMBOL.search(headline):
        return f"{headline} (report {alert.symbol})"
    return f"{headline} ({alert.symbol})"


# A UN document symbol: S/2023/668, A/78/123, S/2024/215/Rev.1.
_SYMBOL = re.compile(r"\b[A-Z]{1,3}/(?:[A-Z0-9.-]+/)*\d[\w.-]*")


def action_text(alert: Alert) -> str | None:
    """What the receiver does next, for the alerts whose next step is not obvious.

    From docs/runbook.md ("Re-run a failed document", "What each alert means").
    """
    series = alert.series
    if alert.rule_kind == "quarantined":
        raw = alert.details.get("raw_file") or (
            f"data/raw/{alert.details['sha256']}.pdf"
            if alert.details.get("sha256")
            else "data/raw/<sha256>.pdf"
        )
        return (
            f"Open the file: `reportwatch extract {raw} --json`; fix the profile "
            f"(series/profiles/{series}.yaml) or the source, then `reportwatch reprocess "
            f"--series {series}`. Runbook: docs/runbook.md, 'Re-run a failed document'."
        )
    if alert.rule_kind == "overdue":
        latest = f" (latest loaded: {alert.previous_symbol})" if alert.previous_symbol else ""
        return (
            f"Check whether the next report is listed at the series' sources{latest}: "
            f"`reportwatch sources check --series {series}`. If it is listed, "
            f"`reportwatch run --series {series}` "
            "fetches it; if not, the source may be late or the series changed frequency. "
            "Runbook: docs/runbook.md, 'What each alert means'."
        )
    return None


def digest_order(alerts: list[Alert]) -> list[Alert]:
    """Most severe first, then newest (period end, then raised time), then key: a digest's
    first alert is the one its subject and notification name."""

    def newest(alert: Alert) -> tuple[float, float]:
        end = alert.period_end.toordinal() if alert.period_end else -1
        raised = alert.raised_at.timestamp() if alert.raised_at else 0.0
        return (-end, -raised)

    by_key = sorted(alerts, key=lambda a: a.key)
    return sorted(by_key, key=lambda a: (-SEVERITY_RANK.get(a.severity, 0), *newest(a)))


def _stated(flag: float | None) -> str | None:
    """Major security incidents, as the report puts it (the HTML report words it the same)."""
    if flag is None:
        return None
    return "major security incidents stated" if flag else "no major security incidents stated"


def _period_text(start: dt.date | None, end: dt.date | None) -> str | None:
    if start and end:
        return f"{start.isoformat()} to {end.isoformat()}"
    if end:
        return f"ending {end.isoformat()}"
    if start:
        return f"from {start.isoformat()}"
    return None


def _compared_text(alert: Alert) -> str | None:
    parts = []
    previous_version = alert.details.get("previous_version")
    if alert.previous_symbol and previous_version is not None:
        # a restatement compares a document with its own earlier version: say which
        parts.append(f"{alert.previous_symbol}, version {previous_version}")
    elif alert.previous_symbol:
        parts.append(alert.previous_symbol)
    if alert.previous_period_end:
        parts.append(f"period ending {alert.previous_period_end.isoformat()}")
    if not parts:
        return None
    return parts[0] if len(parts) == 1 else f"{parts[0]} ({parts[1]})"


def _location_text(page: int | None, paragraph: int | None) -> str | None:
    parts = []
    if page is not None:
        parts.append(f"page {page}")
    if paragraph is not None:
        parts.append(f"paragraph {paragraph}")
    return ", ".join(parts) or None


def summary_counts(alerts: list[Alert]) -> str:
    """``3 alerts (1 critical, 2 warning)``, most severe first."""
    counts: dict[str, int] = {}
    for alert in alerts:
        counts[alert.severity] = counts.get(alert.severity, 0) + 1
    ordered = sorted(counts, key=lambda s: -SEVERITY_RANK.get(s, 0))
    noun = "alert" if len(alerts) == 1 else "alerts"
    detail = ", ".join(f"{counts[s]} {s}" for s in ordered)
    return f"{len(alerts)} {noun} ({detail})" if detail else f"0 {noun}"


def most_severe(alerts: list[Alert]) -> str:
    return max((a.severity for a in alerts), key=lambda s: SEVERITY_RANK.get(s, 0), default="info")
