"""Detect: compare each new report with its neighbours by period and apply the series' rules.

Plain functions over the facts the warehouse returns (:func:`warehouse.alerts.report_facts`);
no I/O here. Each alert's key is a hash of (rule, series, document version, metric, value and
the document compared with), so re-runs raise nothing twice, while a late report that
changes who its neighbours are gets compared with its true neighbours.
"""

from __future__ import annotations

import calendar
import datetime as dt
import hashlib
import re
from collections.abc import Callable
from typing import Any

from reportwatch.models import Alert, Severity
from reportwatch.series import RuleConfig, SeriesConfig
from tasks.alerts.membership import membership_alerts

Facts = dict[str, Any]
ParagraphsFor = Callable[[str], list[dict[str, Any]]]

METRIC_LABELS = {
    "troops_total": "troop level",
    "nato_nations": "NATO troop-contributing nations",
    "non_nato_nations": "non-NATO troop-contributing nations",
    "non_nato_troops": "non-NATO troops",
}


def alert_key(*parts: object) -> str:
    return hashlib.sha256(
        "|".join("" if p is None else str(p) for p in parts).encode()
    ).hexdigest()[:32]


def _fmt(value: float | None) -> str:
    return "unknown" if value is None else f"{value:,.0f}"


def _loaded(facts: list[Facts]) -> list[Facts]:
    return [f for f in facts if f["status"] == "loaded" and f["period_end"] is not None]


def neighbours(facts: list[Facts], doc: Facts) -> tuple[Facts | None, Facts | None]:
    """The loaded reports just before and just after ``doc`` by period (not by arrival)."""
    ordered = sorted(_loaded(facts), key=lambda f: (f["period_end"], f["symbol"]))
    before = [f for f in ordered if f["period_end"] < doc["period_end"]]
    after = [f for f in ordered if f["period_end"] > doc["period_end"]]
    return (before[-1] if before else None, after[0] if after else None)


def _base(
    rule: RuleConfig, series: str, doc: Facts, severity: Severity, headline: str
) -> dict[str, Any]:
    return {
        "rule_id": rule.id,
        "rule_kind": rule.kind,
        "series": series,
        "severity": severity,
        "headline": headline,
        "symbol": doc["symbol"],
        "document_id": doc["document_id"],
        "period_start": doc["period_start"],
        "period_end": doc["period_end"],
        "source_url": doc.get("source_url"),
    }


def _metric_change(rule: RuleConfig, series: str, prev: Facts, doc: Facts) -> list[Alert]:
    params = rule.params
    metrics = params.get("metric", "troops_total")
    out = []
    for metric in [metrics] if isinstance(metrics, str) else list(metrics):
        new, old = doc["metrics"].get(metric), prev["metrics"].get(metric)
        if not new or not old:
            continue
        value, previous = float(new["value"]), float(old["value"])
        delta = value - previous
        pct = 100.0 * delta / previous if previous else None
        if abs(delta) < float(params.get("min_abs", 0)) or delta == 0:
            continue
        severity: Severity | None = None
        abs_pct = abs(pct) if pct is not None else float("inf")
        if params.get("critical_pct") is not None and abs_pct >= float(params["critical_pct"]):
            severity = "critical"
        elif abs_pct >= float(params.get("warning_pct", 0)):
            severity = rule.severity
        if severity is None:
            continue
        label = METRIC_LABELS.get(metric, metric.replace("_", " "))
        approx = bool(new.get("approximate"))
        pct_text = f" {abs(pct):.1f}%" if pct is not None else ""
        headline = (
            f"{series.upper()} {label} {'up' if delta > 0 else 'down'}{pct_text} to "
            f"{'approximately ' if approx else ''}{_fmt(value)} (from {'approximately ' if old.get('approximate') else ''}{_fmt(previous)} in "
            f"{prev['symbol']})"
        )
        out.append(
            Alert(
                # by symbol, not version: a re-issued file with the same figures is not news
                key=alert_key(
                    rule.id, series, doc["symbol"], metric, value, prev["symbol"], previous
                ),
                metric=metric,
                value=value,
                previous_value=previous,
                delta=delta,
                pct_change=round(pct, 1) if pct is not None else None,
                approximate=approx,
                previous_symbol=prev["symbol"],
                previous_period_end=prev["period_end"],
                evidence_page=new.get("evidence_page"),
                evidence_paragraph=new.get("evidence_paragraph"),
                evidence_text=new.get("evidence_text"),
                details={"previous_approximate": bool(old.get("approximate"))},
                **_base(rule, series, doc, severity, headline),
            )
        )
    return out


def _had_incidents(f: Facts) -> bool:
    flag = f["metrics"].get("major_incidents")
    return bool(flag and flag["value"]) or int(f.get("incidents_with_casualties") or 0) > 0


def _incidents(rule: RuleConfig, series: str, prev: Facts | None, doc: Facts) -> list[Alert]:
    if not _had_incidents(doc):
        return []
    continued = prev is not None and _had_incidents(prev)
    severity: Severity = "warning" if continued else rule.severity
    flag = doc["metrics"].get("major_incidents") or {}
    n = int(doc.get("incidents") or 0)
    listed = f"; {n} incident{'s' if n != 1 else ''} listed" if n else ""
    headline = (
        f"{series.upper()} report {doc['symbol']} states major security incidents{listed}"
        + (" (continuing from the previous period)" if continued else "")
    )
    return [
        Alert(
            key=alert_key(rule.id, series, doc["symbol"], "major_incidents", 1),
            metric="major_incidents",
            value=1.0,
            previous_value=(prev["metrics"].get("major_incidents") or {}).get("value")
            if prev
            else None,
            previous_symbol=prev["symbol"] if prev else None,
            previous_period_end=prev["period_end"] if prev else None,
            evidence_page=flag.get("evidence_page"),
            evidence_paragraph=flag.get("evidence_paragraph"),
            evidence_text=flag.get("evidence_text"),
            details={"incidents_listed": n},
            **_base(rule, series, doc, severity, headline),
        )
    ]


def _keywords(
    rule: RuleConfig, series: str, doc: Facts, paragraphs: list[dict[str, Any]]
) -> list[Alert]:
    terms = [str(t) for t in rule.params.get("terms", [])]
    if not terms:
        return []
    pattern = re.compile(r"\b(" + "|".join(re.escape(t) for t in terms) + r")\w*", re.IGNORECASE)
    hits: dict[str, dict[str, Any]] = {}
    for para in paragraphs:
        for match in pattern.finditer(para["text"]):
            hits.setdefault(match.group(1).lower(), para)
    if not hits:
        return []
    first = min(hits.values(), key=lambda p: (p["page"], p["number"] or 0))
    found = sorted(hits)
    return [
        Alert(
            key=alert_key(rule.id, series, doc["symbol"], "keywords", ",".join(found)),
            evidence_page=first["page"],
            evidence_paragraph=first["number"],
            evidence_text=first["text"][:500],
            details={"terms": found},
            **_base(
                rule,
                series,
                doc,
                rule.severity,
                f"{series.upper()} report {doc['symbol']} mentions: {', '.join(found)}",
            ),
        )
    ]


def _restatement(rule: RuleConfig, series: str, doc: Facts, older: Facts | None) -> list[Alert]:
    if older is None:
        return []
    out = []
    for metric in sorted(set(doc["metrics"]) | set(older["metrics"])):
        new, old = doc["metrics"].get(metric), older["metrics"].get(metric)
        nv, ov = (new or {}).get("value"), (old or {}).get("value")
        if nv == ov:
            continue
        label = METRIC_LABELS.get(metric, metric)
        out.append(
            Alert(
                key=alert_key(rule.id, series, doc["document_id"], metric, nv),
                metric=metric,
                value=nv,
                previous_value=ov,
                delta=(nv - ov) if nv is not None and ov is not None else None,
                approximate=_approximate(new),
                previous_symbol=older["symbol"],
                evidence_page=(new or {}).get("evidence_page"),
                evidence_paragraph=(new or {}).get("evidence_paragraph"),
                evidence_text=(new or {}).get("evidence_text"),
                details={
                    "version": doc["version"],
                    "previous_version": older["version"],
                    "previous_approximate": _approximate(old),
                },
                **_base(
                    rule,
                    series,
                    doc,
                    rule.severity,
                    f"{doc['symbol']} was re-issued (version {doc['version']}): {label} "
                    f"now {_fmt(nv)}, was {_fmt(ov)}",
                ),
            )
        )
    return out


def _approximate(observation: dict[str, Any] | None) -> bool | None:
    """Whether the report gave a figure as approximate; None when there is no figure."""
    if not observation or observation.get("value") is None:
        return None
    return bool(observation.get("approximate"))


def _add_months(day: dt.date, months: int) -> dt.date:
    years, month0 = divmod(day.month - 1 + months, 12)
    year, month = day.year + years, month0 + 1
    return dt.date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def overdue(
    rule: RuleConfig, config: SeriesConfig, facts: list[Facts], today: dt.date
) -> list[Alert]:
    loaded = _loaded(facts)
    if not loaded:
        return []
    last = max(loaded, key=lambda f: f["period_end"])
    default = {"monthly": 1, "annual": 12}.get(config.frequency, 3)
    months = int(rule.params.get("months", default))
    expected_end = _add_months(last["period_end"] + dt.timedelta(days=1), months) - dt.timedelta(
        days=1
    )
    days = int(rule.params.get("days", 120 if months == 3 else 60))
    late_by = (today - expected_end).days
    if late_by <= days:
        return []
    return [
        Alert(
            key=alert_key(rule.id, config.id, expected_end),
            rule_id=rule.id,
            rule_kind=rule.kind,
            series=config.id,
            severity=rule.severity,
            headline=(
                f"{config.id.upper()} report for the period ending {expected_end:%d %B %Y} is overdue: "
                f"{late_by} days after the period ended (limit {days}); latest is {last['symbol']}"
            ),
            previous_symbol=last["symbol"],
            previous_period_end=last["period_end"],
            period_end=expected_end,
            details={"days_late": late_by, "limit_days": days},
        )
    ]


def detect(
    config: SeriesConfig,
    facts: list[Facts],
    new_documents: list[str],
    *,
    today: dt.date,
    paragraphs_for: ParagraphsFor,
    previous_versions: dict[str, Facts] | None = None,
    rule_filter: set[str] | None = None,
) -> list[Alert]:
    """All alerts the new documents give rise to (plus series-level ones such as overdue)."""
    by_id = {f["document_id"]: f for f in facts}
    alerts: list[Alert] = []
    for rule in config.rules:
        if not rule.enabled or (rule_filter is not None and rule.id not in rule_filter):
            continue
        if rule.kind == "overdue":
            alerts += overdue(rule, config, facts, today)
            continue
        for doc_id in new_documents:
            doc = by_id.get(doc_id)
            if doc is None:
                continue
            if rule.kind == "quarantined":
                if doc["status"] == "quarantined":
                    alerts.append(
                        Alert(
                            key=alert_key(rule.id, config.id, doc_id),
                            # the raw file, for `reportwatch extract` (detect_stage adds them)
                            details={
                                "reason": doc.get("reason"),
                                "sha256": doc.get("sha256"),
                                "raw_file": doc.get("raw_file"),
                            },
                            **_base(
                                rule,
                                config.id,
                                doc,
                                rule.severity,
                                f"{doc['symbol']} was quarantined: {doc.get('reason')}",
                            ),
                        )
                    )
                continue
            if doc["status"] != "loaded" or doc["period_end"] is None:
                continue
            prev, nxt = neighbours(facts, doc)
            if rule.kind == "new-document":
                period = f"{doc['period_start']} to {doc['period_end']}"
                alerts.append(
                    Alert(
                        key=alert_key(rule.id, config.id, doc["symbol"]),
                        **_base(
                            rule,
                            config.id,
                            doc,
                            rule.severity,
                            f"New {config.id.upper()} report {doc['symbol']} ({period})",
                        ),
                    )
                )
            elif rule.kind == "metric-change":
                if prev is not None:
                    alerts += _metric_change(rule, config.id, prev, doc)
                if nxt is not None and nxt["document_id"] not in new_documents:
                    alerts += _metric_change(rule, config.id, doc, nxt)
            elif rule.kind == "incidents":
                alerts += _incidents(rule, config.id, prev, doc)
            elif rule.kind == "keywords":
                alerts += _keywords(rule, config.id, doc, paragraphs_for(doc_id))
            elif rule.kind == "table-membership":
                alerts += membership_alerts(
                    rule, config.id, facts, doc, new_documents, alert_key, _base
                )
            elif rule.kind == "restatement":
                alerts += _restatement(rule, config.id, doc, (previous_versions or {}).get(doc_id))
    return alerts


TODAY_DEPENDENT_KINDS = {"overdue"}

KNOWN_RULE_KINDS = {
    "metric-change",
    "incidents",
    "keywords",
    "restatement",
    "overdue",
    "new-document",
    "quarantined",
    "table-membership",
}


def facts_for_detection(
    all_versions: list[Facts], new_documents: list[str]
) -> tuple[list[Facts], dict[str, Facts]]:
    """From every version's facts: what ``detect`` compares, and each version's predecessor.

    The current versions, plus any new version that is not current (a quarantined re-issue
    must still raise its ops alert); a restatement is compared with the latest earlier version
    that loaded.
    """
    current = [f for f in all_versions if f["is_current"] or f["document_id"] in new_documents]
    previous_versions: dict[str, Facts] = {}
    for f in current:
        earlier = [
            o
            for o in all_versions
            if o["symbol"] == f["symbol"]
            and o["version"] < f["version"]
            and o["status"] == "loaded"
        ]
        if earlier:
            previous_versions[f["document_id"]] = max(earlier, key=lambda o: o["version"])
    return current, previous_versions
