"""Rule kind ``table-membership``: a row (a country) joining or leaving a table of the series.

Plain functions over the facts :func:`tasks.alerts.detect.detect` compares; each document's
``tables`` (:func:`warehouse.tables.table_members`) maps a table id to its row labels, page and
title. A report is compared with the latest earlier report of the series that *printed the
table*: a report whose table could not be read (an annex printed as a picture) has no members
to compare, so it raises nothing and is skipped over, rather than making every country look
new next year. Parameters: ``table`` (the profile's table id), ``noun`` (how a row is named in
the headline: ``country``; default ``row``).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from reportwatch.models import Alert, Severity
from reportwatch.series import RuleConfig

Facts = dict[str, Any]
AlertKey = Callable[..., str]


def _with_table(facts: list[Facts], table: str) -> list[Facts]:
    ordered = [
        f
        for f in facts
        if f["status"] == "loaded" and f["period_end"] is not None and table in f.get("tables", {})
    ]
    return sorted(ordered, key=lambda f: (f["period_end"], f["symbol"]))


def _count(n: int, noun: str) -> str:
    """'1 country', '3 countries', '2 rows'."""
    if n == 1:
        return f"1 {noun}"
    plural = f"{noun[:-1]}ies" if noun.endswith("y") and noun[-2:-1] not in "aeiou" else noun + "s"
    return f"{n} {plural}"


def _names(labels: list[str], noun: str) -> str:
    return f"{_count(len(labels), noun)} ({', '.join(labels)})"


def membership_alerts(
    rule: RuleConfig,
    series: str,
    facts: list[Facts],
    doc: Facts,
    new_documents: list[str],
    key: AlertKey,
    base: Callable[[RuleConfig, str, Facts, Severity, str], dict[str, Any]],
) -> list[Alert]:
    """Alerts for ``doc`` against the report before it, and for the report after it when that
    one is not new itself (a late report changes who its neighbours are)."""
    table = str(rule.params.get("table", ""))
    ordered = _with_table(facts, table)
    ids = [f["document_id"] for f in ordered]
    if doc["document_id"] not in ids:
        return []
    at = ids.index(doc["document_id"])
    pairs = []
    if at > 0:
        pairs.append((ordered[at - 1], doc))
    if at + 1 < len(ordered) and ordered[at + 1]["document_id"] not in new_documents:
        pairs.append((doc, ordered[at + 1]))
    return [a for prev, cur in pairs for a in _compare(rule, series, table, prev, cur, key, base)]


def _compare(
    rule: RuleConfig,
    series: str,
    table: str,
    prev: Facts,
    doc: Facts,
    key: AlertKey,
    base: Callable[[RuleConfig, str, Facts, Severity, str], dict[str, Any]],
) -> list[Alert]:
    before, now = prev["tables"][table], doc["tables"][table]
    joined = sorted(set(now["labels"]) - set(before["labels"]))
    left = sorted(set(before["labels"]) - set(now["labels"]))
    if not joined and not left:
        return []
    noun = str(rule.params.get("noun", "row"))
    said = []
    if joined:
        said.append(f"{_names(joined, noun)} joined")
    if left:
        said.append(f"{_names(left, noun)} left")
    headline = (
        f"{series.upper()} {table}: {' and '.join(said)} since {prev['symbol']} "
        f"({_count(len(now['labels']), noun)}, was {len(before['labels'])})"
    )
    return [
        Alert(
            key=key(
                rule.id,
                series,
                doc["symbol"],
                table,
                ",".join(joined),
                ",".join(left),
                prev["symbol"],
            ),
            metric=table,
            value=float(len(now["labels"])),
            previous_value=float(len(before["labels"])),
            delta=float(len(now["labels"]) - len(before["labels"])),
            previous_symbol=prev["symbol"],
            previous_period_end=prev["period_end"],
            evidence_page=now["page"],
            evidence_text=now["title"],
            details={"table": table, "joined": joined, "left": left},
            **base(rule, series, doc, rule.severity, headline),
        )
    ]
