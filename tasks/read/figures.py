"""Figures (troops, nations): found by the profile's metric patterns, refused when in doubt.

A metric's patterns find *candidates*; a candidate becomes the figure only when its sentence
states it as it stands. Each refusal is a warning that quotes the sentence as printed and names
its page and paragraph, given when the metric is left null (when another sentence states the
figure properly, the refused ones are simply not used):

* its digits are split by a mark that is no thousands separator: a plain space ("includes 2 708
  non-NATO troops"), a comma and a space ("2, 708"), a full stop ("2.708": a decimal point, or a
  group separator?), a middle dot, an underscore, any other mark. One figure (2,708) or two? A
  pattern reading "708" would load a wrong fact. (The recognised separators, a no-break or thin
  space and apostrophe-like marks, were joined by :mod:`tasks.read.textnorm`: "4 500" is 4500);
* its sentence is ambiguous: the metric's patterns find two different figures in one sentence,
  or two patterns read the same sentence differently (3,600 and 3,800);
* the figure is no count: a year ("remained stable throughout 2023" is not 2,023 troops) or an
  identifier ("resolution 1244 (1999)", "S/2023/123", "paragraph 12"): both are masked before the
  patterns run (:mod:`tasks.read.clauses`), so "KFOR troop strength in 2023 was 4,500" and "...
  under resolution 1244 (1999) was 4,500" read 4,500; one end of a range ("between 4,300 and
  4,600"), an amount of money ("300 million euros");
* it is no level: a clock time ("at 2400 hours", masked), a difference ("700 troops more than in
  September", "grew by 700"), a pure bound ("did not exceed 4,500", "below", "under the 5,000
  mark", "more than", "fewer than", "up to"); "4,500 or so" and "4,500+" are approximate;
* its subject is not the whole: a metric with a ``subject`` in its profile is read only when the
  words around its subject are on the series' allow-list (:mod:`tasks.read.subject`); a null
  one names the sentences about its subject that no pattern read (``mentions``);
* it is a part named inside the sentence: a metric that is no ``part_of`` another reads past a
  part clause (", including 378 from non-NATO countries,") to the figure its main verb states,
  and a figure it finds only in one is refused; it reads past a figure outside its bounds too;
* a refusal says the sentence does not state the figure as it stands: the defaults every
  profile gets (:mod:`tasks.read.refusals`: a plan, a condition, an earlier period or year,
  casualties, rotations, a temporary figure, a part of the whole) and the profile's own (KFOR:
  another force, a change). A refusal is looked for from the start of the figure's ';'-clause to
  the end of the clause holding it; a clause that takes up a refused one's subject ("...; it now
  stands at 4,482") is read for it.

Among the figures left, those dated before the period are dropped when any other is left; the
one whose sentence dates it at the end of the period wins, then one
dated inside the period, then one dated at all ("As at 31 December 2023, the total number of KFOR
troops ..."), then the most trusted part (the report over the letters), then document order.
Figures that disagree are a warning naming both places when the one kept is dated inside the
period and better than every one that disagrees; otherwise the metric is null with a warning
quoting both sentences.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass

from reportwatch.models import APPROXIMATE_FIELDS
from tasks.read.clauses import (
    Span,
    blank,
    carry_on,
    clause_start,
    earlier_year,
    mask_identifiers,
    mask_parts,
    part_clauses,
)
from tasks.read.counts import YEAR, not_a_count, split_by
from tasks.read.evidence import Facts, Sentence, in_parts, quoted, where
from tasks.read.numbers import parse_number
from tasks.read.profile import CompiledMetric, CompiledProfile
from tasks.read.textdates import partial_date, year_within

_PART_REASON = "it is a part named inside the sentence (a part clause), not the whole"
_CLAUSE_END = re.compile(r"[;:]|,(?!\d)|\s\(")


@dataclass(frozen=True)
class Hit:
    value: int
    approximate: bool
    sentence: Sentence
    pattern: int


@dataclass(frozen=True)
class Refused:
    """A candidate figure whose sentence does not state it: why."""

    value: int
    printed: str  # as the sentence writes it: "2023", "4,300"
    sentence: Sentence
    reason: str


def _refusal(
    metric: CompiledMetric, text: str, start: int, end: int, first_year: int | None
) -> str | None:
    """The reason not to read a figure at ``text[start:end]``, or None.

    Refusal patterns (and the earlier-year rule) are looked for from the start of the figure's
    ';'-clause to the end of the clause holding it: "In the previous reporting period, the total
    ... was 3,800" is refused, "... was 4,500, compared with 3,800 in the previous reporting
    period" is not, and neither is "In 2019, ... was 3,500; it now stands at 4,482" for 4,482.
    """
    clause_end = _CLAUSE_END.search(text, end)
    scope = text[clause_start(text, start) : clause_end.start() if clause_end else len(text)]
    for pattern, reason in metric.refusals:
        if pattern.search(scope):
            return reason
    year = earlier_year(scope, first_year) if metric.earlier_year else None
    if year is not None:
        return f"it is the figure of an earlier year ({year})"
    return None


def _warn_split(metric: CompiledMetric, sentence: Sentence, separator: str, facts: Facts) -> None:
    mark = "a space" if separator == " " else f'"{separator.strip() or separator}"'
    if separator == ", ":
        mark = "a comma and a space"
    facts.warnings.append(
        f"{metric.name}: the digits of a figure are split by {mark} in {quoted(sentence)} "
        f"({where(sentence)}); it may be one figure or two, so none was read from it"
    )


def _readings(
    metric: CompiledMetric,
    pattern: re.Pattern[str],
    sentence: Sentence,
    masked: str,
    parts: list[Span],
    first_year: int | None,
) -> Iterator[tuple[re.Match[str], int] | Refused]:
    """What ``pattern`` reads in ``masked`` (``text`` with its identifiers masked): matches with
    their value, and the candidates refused.

    A figure outside the metric's bounds ("troops in its 12 camps was 4,482") is read past, and
    so is a part clause when the metric is a whole (see :mod:`tasks.read.clauses`); a whole
    reads inside a part clause only with a pattern that starts in it ("including twenty-one NATO
    and six non-NATO countries"). A refused figure whose next ';'-clause takes up its subject
    ("...was 3,500; it now stands at 4,482") is read past into that clause.
    """
    text = sentence.text
    work = mask_parts(masked, parts)
    passes: list[tuple[str, bool]] = [(work, False)]
    if parts:
        passes.append((masked, True))
    for source, inside_only in passes:
        position = 0
        while (match := pattern.search(source, position)) is not None:
            start, end = match.span("value")
            position = match.end()
            value = parse_number(match.group("value"))
            if value is None:
                continue
            if inside_only:
                holder = next((p for p in parts if p.holds(start, end)), None)
                if holder is None:
                    continue
                if holder.start > match.start():  # the whole's subject, a part's figure
                    yield Refused(value, match.group("value"), sentence, _PART_REASON)
                    continue
            # A whole's refusals read its own clauses, never the part clauses it read past.
            scope = text if inside_only else mask_parts(text, parts)
            reason = not_a_count(text, start, end) or _refusal(
                metric, scope, start, end, first_year
            )
            if reason is None and metric.subject is not None:
                reason = metric.subject.refusal(scope, match, start, end)
            if reason is not None:
                yield Refused(value, match.group("value"), sentence, reason)
                semicolon = carry_on(text, end) if not inside_only else None
                if semicolon is not None:
                    source = blank(source, start, end)
                    source = source[:semicolon] + "," + source[semicolon + 1 :]
                    position = match.start()
                continue
            if not metric.min_value <= value <= metric.max_value:
                if not inside_only:
                    source = blank(source, start, end)
                    position = match.start()
                continue
            yield match, value


def metric_hits(
    metric: CompiledMetric,
    sentences: Iterable[Sentence],
    facts: Facts,
    first_year: int | None = None,
    qualifier_after: re.Pattern[str] | None = None,
) -> tuple[list[Hit], list[Refused]]:
    """Every reading of ``metric`` in ``sentences`` and the candidates refused (see the module
    docstring); a split or ambiguous sentence is warned about at once and gives neither.
    ``first_year`` is the year the period starts in (an earlier one is refused);
    ``qualifier_after`` a qualifier printed after the figure ("4,482 (approximately)")."""
    hits: list[Hit] = []
    refused: list[Refused] = []
    for sentence in sentences:
        text = sentence.text
        if metric.requires is not None and not metric.requires.search(text):
            continue
        masked = mask_identifiers(text)
        separator = split_by(metric, masked)
        if separator is not None:
            _warn_split(metric, sentence, separator, facts)
            continue
        parts = part_clauses(masked) if metric.spec.part_of is None else []
        found: list[Hit] = []
        for index, pattern in enumerate(metric.patterns):
            for reading in _readings(metric, pattern, sentence, masked, parts, first_year):
                if isinstance(reading, Refused):
                    refused.append(reading)
                    continue
                match, value = reading
                qualified = "qualifier" in pattern.groupindex and bool(match.group("qualifier"))
                if qualifier_after is not None and qualifier_after.match(text, match.end("value")):
                    qualified = True
                found.append(Hit(value, qualified, sentence, index))
        values = sorted({h.value for h in found})
        if len(values) > 1:
            readings = " and ".join(f"{v:,}" for v in values)
            facts.warnings.append(
                f"{metric.name}: {quoted(sentence)} ({where(sentence)}) reads as {readings}; "
                "ambiguous, so none was read from it"
            )
            continue
        hits.extend(found)
    return hits, refused


def year_candidates(metric: CompiledMetric, sentences: Iterable[Sentence]) -> list[Refused]:
    """Years the metric's patterns read as its figure ("remained stable throughout 2023"):
    refused, and named in a warning when the metric is left null."""
    years: list[Refused] = []
    for sentence in sentences:
        text = sentence.text
        if metric.requires is not None and not metric.requires.search(text):
            continue
        for pattern in metric.patterns:
            for match in pattern.finditer(text):
                printed = match.group("value")
                if YEAR.match(printed):
                    years.append(
                        Refused(int(printed), printed, sentence, "it is a year, not a count")
                    )
    return years


def as_at(
    sentence: Sentence, cp: CompiledProfile, start: dt.date | None, end: dt.date | None
) -> dt.date | None:
    """The as-at date the profile's ``as_of_patterns`` find in ``sentence`` (its year, when not
    printed, the one that puts it in the period)."""
    for pattern in cp.as_of:
        match = pattern.search(sentence.text)
        written = partial_date(match.group("date")) if match else None
        if written is None:
            continue
        date = written.resolve(year_within(written, start, end))
        if date is not None:
            return date
    return None


def _drop_earlier(
    hits: list[Hit], cp: CompiledProfile, start: dt.date | None, end: dt.date | None
) -> list[Hit]:
    """``hits`` without those dated before the period ("As at 30 September 2023, ..." in a
    report from 1 October) when any other is left: an earlier figure is never the current one."""
    if start is None:
        return hits
    kept = [h for h in hits if (date := as_at(h.sentence, cp, start, end)) is None or date >= start]
    return kept or hits


def _rank(hit: Hit, cp: CompiledProfile, start: dt.date | None, end: dt.date | None) -> int:
    """0: dated at the end of the period; 1: inside it; 2: dated otherwise; 3: undated."""
    date = as_at(hit.sentence, cp, start, end)
    if date is None:
        return 3
    if end is not None and date == end:
        return 0
    if start is not None and end is not None and start <= date <= end:
        return 1
    return 2


def figures(
    sentences: Sequence[Sentence],
    cp: CompiledProfile,
    period_start: dt.date | None = None,
    period_end: dt.date | None = None,
) -> Facts:
    """The profile's metrics (see the module docstring); the period ranks dated figures.

    Two figures that disagree leave the metric null with a warning naming both sentences, unless
    one is the current one: dated inside the period (at its end first) and better dated than
    every figure that disagrees with it. A metric that is ``part_of`` another (non-NATO troops of
    the troops in theatre, female personnel of the military strength) and not below it is
    dropped with a warning: one of the two was misread.
    """
    facts = Facts()
    ordered = in_parts(sentences, cp.profile.fact_parts)
    first_year = period_start.year if period_start is not None else None
    for metric in cp.metrics:
        if not metric.patterns:  # read from a table (tasks.read.table_facts)
            continue
        said = len(facts.warnings)
        hits, refused = metric_hits(metric, ordered, facts, first_year, cp.qualifier_after)
        if not hits:
            for candidate in [*year_candidates(metric, ordered), *refused]:
                warning = (
                    f"{metric.name}: {quoted(candidate.sentence)} ({where(candidate.sentence)}) "
                    f"gives {candidate.printed}, but {candidate.reason}; none was read from it"
                )
                if warning not in facts.warnings:  # two patterns may refuse the same figure
                    facts.warnings.append(warning)
            if len(facts.warnings) == said:  # nothing said about it yet
                _name_unread(metric, ordered, facts)
            continue
        hits = _drop_earlier(hits, cp, period_start, period_end)
        ranks = {id(h): _rank(h, cp, period_start, period_end) for h in hits}
        hits = sorted(hits, key=lambda h: ranks[id(h)])  # stable: part and document order
        first = hits[0]
        others = [h for h in hits if h.value != first.value]
        best = ranks[id(first)]
        if others and not (best <= 1 and best < ranks[id(others[0])]):
            second = others[0]
            facts.warnings.append(
                f"{metric.name}: two different figures, {first.value:,} in {quoted(first.sentence)} "
                f"({where(first.sentence)}) and {second.value:,} in {quoted(second.sentence)} "
                f"({where(second.sentence)}), and neither is dated as the current one; none was read"
            )
            continue
        facts.set(metric.name, first.value, first.sentence)
        approximate = any(h.approximate for h in hits if h.sentence is first.sentence)
        facts.approximate[metric.name] = approximate
        if metric.name in APPROXIMATE_FIELDS:
            facts.set(APPROXIMATE_FIELDS[metric.name], approximate, first.sentence)
        if others:
            second = others[0]
            facts.warnings.append(
                f"two different {metric.name} figures: {first.value:,} ({where(first.sentence)}) "
                f"and {second.value:,} ({where(second.sentence)}); kept {first.value:,}"
            )
    for metric in cp.metrics:
        whole_name = metric.spec.part_of
        part, whole = facts.values.get(metric.name), facts.values.get(whole_name or "")
        if whole_name is None or part is None or whole is None or part < whole:
            continue
        source = facts.sources.get(metric.name)
        read_in = f" (read in {quoted(source)}, {where(source)})" if source is not None else ""
        facts.warnings.append(
            f"{label_of(cp, metric.name)} ({part:,}) not below the "
            f"{label_of(cp, whole_name)} ({whole:,}); {label_of(cp, metric.name)} dropped"
            f"{read_in}"
        )
        facts.drop(metric.name)
        facts.approximate.pop(metric.name, None)
    return facts


_FIGURE = re.compile(r"\d")


def _name_unread(metric: CompiledMetric, sentences: Iterable[Sentence], facts: Facts) -> None:
    """Sentences that mention a null metric (its subject's ``mentions``) and print a figure no
    pattern read: named in a warning, and kept for the quarantine reason (at most three)."""
    mentions = metric.subject.mentions if metric.subject is not None else None
    if mentions is None:
        return
    unread = [
        s
        for s in sentences
        if (metric.requires is None or metric.requires.search(s.text))
        and mentions.search(s.text)
        and _FIGURE.search(mask_identifiers(s.text))
    ][:3]
    for sentence in unread:
        facts.warnings.append(
            f"{metric.name}: {quoted(sentence)} ({where(sentence)}) mentions it with a figure, "
            "but no pattern reads the figure as the whole; none was read from it"
        )
    if unread:
        facts.unread[metric.name] = unread


def label_of(cp: CompiledProfile, metric: str) -> str:
    """How warnings name a metric: its profile label, else its name with spaces."""
    spec = cp.profile.metrics.get(metric)
    return spec.label if spec is not None and spec.label else metric.replace("_", " ")
