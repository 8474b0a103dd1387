"""Figures (troops, nations): found by the profile's metric patterns, refused when in doubt.

A figure is kept only when the text supports exactly one reading of it. Three doubts make it
null, each with a warning that quotes the sentence as printed:

* its digits are split: a plain space between digit groups ("includes 2 708 non-NATO
  troops") may join one figure (2,708) or separate two, and a pattern reading "708" would load
  a wrong fact. (A no-break or thin space is a group separator by convention and was already
  joined by :mod:`tasks.read.textnorm`: "4 500" is 4500.);
* its sentence is ambiguous: the metric's patterns find two different figures in one sentence;
* two patterns read the same sentence differently (one pattern says 3,600, another 3,800).

Figures in different sentences that disagree are not a doubt about either reading: the most
trusted part wins (the report over the letters), and the disagreement is a warning.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from reportwatch.models import APPROXIMATE_FIELDS
from tasks.read.evidence import Facts, Sentence, in_parts, quoted, where
from tasks.read.numbers import parse_number
from tasks.read.profile import CompiledMetric, CompiledProfile

# The figure is the tail, or the head, of digit groups split by a plain space.
_GROUP_BEFORE = re.compile(r"(?<![\d,.])\d{1,3}\s$")
_GROUP_AFTER = re.compile(r"^\s\d{3}(?![\d])")


@dataclass(frozen=True)
class Hit:
    value: int
    approximate: bool
    sentence: Sentence
    pattern: int


def _split_digits(text: str, start: int, end: int) -> bool:
    value = text[start:end]
    if not value[:1].isdigit():
        return False
    before = _GROUP_BEFORE.search(text[max(0, start - 5) : start]) is not None
    leading_group = re.match(r"\d{3}(?![\d])", value) is not None
    return (before and leading_group) or _GROUP_AFTER.match(text[end : end + 5]) is not None


def metric_hits(metric: CompiledMetric, sentences: Iterable[Sentence], facts: Facts) -> list[Hit]:
    """Every reading of ``metric`` in ``sentences``; doubtful ones warned about and left out."""
    hits: list[Hit] = []
    for sentence in sentences:
        if metric.requires is not None and not metric.requires.search(sentence.text):
            continue
        found: list[Hit] = []
        split = False
        for index, pattern in enumerate(metric.patterns):
            for match in pattern.finditer(sentence.text):
                if _split_digits(sentence.text, match.start("value"), match.end("value")):
                    split = True
                    continue
                value = parse_number(match.group("value"))
                if value is None or not metric.min_value <= value <= metric.max_value:
                    continue
                qualified = "qualifier" in pattern.groupindex and bool(match.group("qualifier"))
                found.append(Hit(value, qualified, sentence, index))
        if split:
            facts.warnings.append(
                f"{metric.name}: the digits of a figure are split by a space in {quoted(sentence)} "
                f"({where(sentence)}); it may be one figure or two, so none was read from it"
            )
            continue
        values = sorted({h.value for h in found})
        if len(values) > 1:
            readings = " and ".join(f"{v:,}" for v in values)
            facts.warnings.append(
                f"{metric.name}: {quoted(sentence)} ({where(sentence)}) reads as {readings}; "
                "ambiguous, so none was read from it"
            )
            continue
        hits.extend(found)
    return hits


def figures(sentences: Sequence[Sentence], cp: CompiledProfile) -> Facts:
    """The profile's metrics, most trusted part first (see the module docstring).

    A metric that is ``part_of`` another (non-NATO troops of the troops in theatre, female
    personnel of the military strength) and not below it is dropped with a warning: one of
    the two was misread.
    """
    facts = Facts()
    ordered = in_parts(sentences, cp.profile.fact_parts)
    for metric in cp.metrics:
        if not metric.patterns:  # read from a table (tasks.read.table_facts)
            continue
        hits = metric_hits(metric, ordered, facts)
        if not hits:
            continue
        first = hits[0]
        facts.set(metric.name, first.value, first.sentence)
        approximate = any(h.approximate for h in hits if h.sentence is first.sentence)
        facts.approximate[metric.name] = approximate
        if metric.name in APPROXIMATE_FIELDS:
            facts.set(APPROXIMATE_FIELDS[metric.name], approximate, first.sentence)
        others = sorted({h.value for h in hits} - {first.value})
        if others:
            second = next(h for h in hits if h.value == others[0])
            facts.warnings.append(
                f"two different {metric.name} figures: {first.value:,} ({where(first.sentence)}) "
                f"and {second.value:,} ({where(second.sentence)}); kept {first.value:,}"
            )
    for metric in cp.metrics:
        whole_name = metric.spec.part_of
        part, whole = facts.values.get(metric.name), facts.values.get(whole_name or "")
        if whole_name is None or part is None or whole is None or part < whole:
            continue
        facts.warnings.append(
            f"{label_of(cp, metric.name)} ({part:,}) not below the "
            f"{label_of(cp, whole_name)} ({whole:,}); {label_of(cp, metric.name)} dropped"
        )
        facts.drop(metric.name)
        facts.approximate.pop(metric.name, None)
    return facts


def label_of(cp: CompiledProfile, metric: str) -> str:
    """How warnings name a metric: its profile label, else its name with spaces."""
    spec = cp.profile.metrics.get(metric)
    return spec.label if spec is not None and spec.label else metric.replace("_", " ")
