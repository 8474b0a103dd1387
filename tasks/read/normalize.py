"""Normalize: ``DocumentText`` + the series' extraction profile → ``Report``.

Every fact comes with evidence (page, paragraph number, the sentence it came from). Facts are
looked for in the report itself (the enclosure) first, then in the letters, in the order the
profile's ``fact_parts`` gives. Unknown stays null: a value the text does not support is a
defect, worse than a null. Missing required facts do not raise; they set
``Report.quarantine_reason`` and the loader stores the document as quarantined.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping, Sequence
from typing import Any

from prefect import task

from reportwatch.models import DocumentText, Evidence, Frequency, Incident, MetricValue, Report
from tasks.read.evidence import Facts, Sentence, in_parts, quoted, sentences_of, where
from tasks.read.figures import as_at, figures, label_of
from tasks.read.incidents import EXCEPTION_TERMS, IncidentSentence, extract_incidents
from tasks.read.profile import (
    CompiledProfile,
    NormalizeProfile,
    compile_profile,
)
from tasks.read.table_facts import read_tables
from tasks.read.textdates import (
    MAX_PERIOD_DAYS,
    PartialRange,
    partial_date,
    range_from_match,
    resolve_range,
    year_before,
)
from tasks.read.textnorm import plain

__all__ = ["NORMALIZER_VERSION", "NormalizeProfile", "normalize", "normalize_task"]

NORMALIZER_VERSION = "rw-6"  # rw-6: subject allow-list, bounds, clock times, differences

_SIGNED_RE = re.compile(r"\(Signed\)\s*(?P<name>[^\n(]+)")
_NAME_PARTICLES = frozenset({"de", "da", "van", "von", "der", "den", "la", "le", "of", "bin", "al"})
# Words that end a name when the extractor ran the signature into the next line.
_NAME_STOPS = frozenset(
    {"Annex", "Enclosure", "Report", "Secretary-General", "Secretary", "Letter", "In", "The", "I"}
)
_MISSING_REASONS = {  # the wording KFOR's runbook and alerts have always used
    "period": "no reporting period found in the enclosure or letters",
    "troops_total": "no troop figure found in the enclosure or letters",
}
_REPORT_FIELDS = frozenset(Report.model_fields)


# --- letter date -----------------------------------------------------------------------------


def _letter_date(doc: DocumentText, sentences: Sequence[Sentence], cp: CompiledProfile) -> Facts:
    facts = Facts()
    places: list[tuple[str, Evidence]] = []
    if doc.title:
        places.append((plain(doc.title), Evidence(page=1, paragraph=None, text=doc.title)))
    for paragraph in doc.paragraphs:
        section = plain(paragraph.section) if paragraph.section else None
        if section and section not in [text for text, _ in places]:
            places.append((section, Evidence(page=paragraph.page, text=paragraph.section or "")))
    places += [(s.text, s.evidence()) for s in in_parts(sentences, ["letter", "body", "annex"])]
    for pattern in cp.letter_date:
        for text, evidence in places:
            match = pattern.search(text)
            written = partial_date(match.group("date")) if match else None
            if written is not None and written.year is not None:
                date = written.resolve(written.year)
                if date is not None:
                    facts.set("letter_date", date, evidence)
                    return facts
    return facts


# --- period ----------------------------------------------------------------------------------


def _period(sentences: Sequence[Sentence], cp: CompiledProfile, reference: dt.date | None) -> Facts:
    facts = Facts()
    found: list[tuple[PartialRange, Sentence]] = []
    for sentence in in_parts(sentences, cp.profile.fact_parts):
        for pattern in cp.period:
            match = pattern.search(sentence.text)
            if match:
                found.append((range_from_match(match), sentence))
                break
    resolved: tuple[tuple[dt.date, dt.date], Sentence] | None = None
    year: int | None = None
    for candidate, sentence in found:  # the most trusted one that makes a valid period
        year = None
        if not candidate.has_year:
            # "(24 January-22 February)": the year is in a letter, else before the letter's date.
            same = next((p for p, _ in found if p.has_year and p.same_days(candidate)), None)
            if same is not None:
                year = same.end.year if same.end.year is not None else same.start.year
            elif reference is not None:
                year = year_before(reference, candidate.end.month)
        dates = resolve_range(candidate, year)
        if dates is not None:
            resolved = (dates, sentence)
            break
    if resolved is None:
        return facts
    dates, where = resolved
    facts.set("period_start", dates[0], where)
    facts.set("period_end", dates[1], where)
    reported: set[tuple[str, tuple[dt.date, dt.date]]] = set()
    for other, sentence in found:
        other_dates = resolve_range(other, year if not other.has_year else None)
        if other_dates and other_dates != dates and (sentence.part, other_dates) not in reported:
            reported.add((sentence.part, other_dates))
            facts.warnings.append(
                f"the period in the {sentence.part} ({other_dates[0]} to {other_dates[1]}) "
                f"differs from the one used ({dates[0]} to {dates[1]}, {where.part})"
            )
    return facts


def _previous_report(
    doc: DocumentText, sentences: Sequence[Sentence], cp: CompiledProfile, facts: Facts
) -> None:
    """The report this one continues from ("covers developments since my report dated 1 April
    2011 (S/2011/249)"): a fact of its own, and with ``period_from_previous_report`` the period,
    from that report's date to this one's (the masthead date)."""
    for sentence in in_parts(sentences, cp.profile.fact_parts):
        for pattern in cp.previous_report:
            match = pattern.search(sentence.text)
            written = partial_date(match.group("date")) if match else None
            if match is None or written is None or written.year is None:
                continue
            date = written.resolve(written.year)
            if date is None:
                continue
            own = doc.distribution_date
            if own is not None and date >= own:
                facts.warnings.append(
                    f"the previous report's date {date} in {quoted(sentence)} is not before this "
                    f"report's date {own}; neither was read"
                )
                return
            facts.set("previous_report_date", date, sentence)
            facts.set("previous_report_symbol", " ".join(match.group("symbol").split()), sentence)
            if not cp.profile.period_from_previous_report or "period_start" in facts.values:
                return
            if own is None:
                facts.warnings.append(
                    "the period runs to this report's date, and its masthead prints none"
                )
                return
            if (own - date).days + 1 > MAX_PERIOD_DAYS:
                facts.warnings.append(
                    f"the period since the previous report ({date} to {own}) spans more than "
                    f"{MAX_PERIOD_DAYS} days: a report was skipped, or a date misread"
                )
            facts.set("period_start", date, sentence)
            printed = f"{own.day} {own:%B %Y}"  # as the masthead prints it
            facts.set("period_end", own, Evidence(page=1, paragraph=None, text=printed))
            return


def _frequency(
    doc: DocumentText, sentences: Sequence[Sentence], cp: CompiledProfile, facts: Facts
) -> Frequency | None:
    start, end = facts.values.get("period_start"), facts.values.get("period_end")
    fp = cp.profile.frequency
    by_span: Frequency | None = None
    days = (end - start).days + 1 if start is not None and end is not None else None
    if days is not None:
        if days <= fp.monthly_max_days:
            by_span = "monthly"
        elif fp.quarterly_min_days <= days <= fp.quarterly_max_days:
            by_span = "quarterly"
        elif fp.annual_min_days <= days <= fp.annual_max_days:
            by_span = "annual"
        else:
            by_span = "other"
    texts: list[str] = [plain(doc.title or "")]
    texts += [plain(p.section) for p in doc.paragraphs if p.section]
    texts += [s.text for s in in_parts(sentences, cp.profile.fact_parts)]
    by_title: Frequency | None = None
    for text in texts:
        if cp.monthly.search(text):
            by_title = "monthly"
        elif cp.quarterly.search(text):
            by_title = "quarterly"
        if by_title:
            break
    if by_title and by_span and by_span != by_title:
        facts.warnings.append(f"the title says {by_title} but the period spans {days} days")
    return by_title or by_span


def _as_of(sentences: Sequence[Sentence], cp: CompiledProfile, facts: Facts) -> None:
    """The as-at date of the profile's main figure (``as_of_metric``, else the first required
    metric, else the first metric):
    in its sentence, else elsewhere in its paragraph."""
    required = [m for m in cp.profile.required if m in cp.profile.metrics]
    main = cp.profile.as_of_metric or next(iter([*required, *cp.profile.metrics]), "")
    home = facts.sources.get(main)
    if home is None:
        return
    same_paragraph = [s for s in sentences if s.paragraph_index == home.paragraph_index]
    start, end = facts.values.get("period_start"), facts.values.get("period_end")
    for sentence in [home, *(s for s in same_paragraph if s is not home)]:
        date = as_at(sentence, cp, start, end)
        if date is None:
            continue
        facts.set("as_of_date", date, sentence)
        if start is not None and end is not None and not start <= date <= end:
            facts.warnings.append(f"the as-at date {date} is outside the period {start} to {end}")
        return


# --- incidents -------------------------------------------------------------------------------


def _incidents(sentences: Sequence[Sentence], cp: CompiledProfile, facts: Facts) -> list[Incident]:
    parts = cp.profile.incident_parts
    chosen = [s for s in sentences if s.part in parts]
    return extract_incidents(
        [
            IncidentSentence(
                s.text, s.paragraph.page, s.paragraph.number, s.paragraph_index, s.printed
            )
            for s in chosen
        ],
        terms=cp.incident_terms,
        period_start=facts.values.get("period_start"),
        period_end=facts.values.get("period_end"),
    )


def _major_incidents(
    sentences: Sequence[Sentence], cp: CompiledProfile, incidents: list[Incident], facts: Facts
) -> None:
    ordered = in_parts(sentences, cp.profile.fact_parts)
    violent = [
        i for i in incidents if (i.casualties or 0) > 0 or cp.violence_terms.search(i.summary)
    ]
    for patterns, value in ((cp.major, True), (cp.no_major, False)):
        said = [s for s in ordered if any(p.search(s.text) for p in patterns)]
        if not value:  # "Apart from ..., there were no major incidents": not a plain "no"
            taken_back = [s for s in said if _takes_back(s.text, cp)]
            for s in taken_back:
                facts.warnings.append(
                    f"major_incidents: {quoted(s)} ({where(s)}) says there were no major "
                    "incidents but makes an exception in the same sentence; it was not read as "
                    "'no major incidents'"
                )
            said = [s for s in said if s not in taken_back]
        statement = said[0] if said else None
        if statement is not None:
            facts.set("major_incidents", value, statement)
            if not value and violent:
                facts.warnings.append(
                    f"the report states there were no major security incidents but lists "
                    f"{len(violent)} violent incident(s)"
                )
            return
    if violent and violent[0].evidence is not None:
        facts.set("major_incidents", True, violent[0].evidence)


def _takes_back(text: str, cp: CompiledProfile) -> bool:
    """Whether a "no major incidents" sentence makes an exception or tells of violence itself."""
    return bool(EXCEPTION_TERMS.search(text) or cp.violence_terms.search(text))


# --- signatories -----------------------------------------------------------------------------


def _signatories(doc: DocumentText) -> list[str]:
    names: list[str] = []
    for paragraph in doc.paragraphs:
        if paragraph.kind == "footnote":
            continue
        for match in _SIGNED_RE.finditer(paragraph.text.replace("*", "")):
            words: list[str] = []
            for word in match.group("name").split():
                if word in _NAME_STOPS or len(words) >= 6:
                    break
                if word[0].isupper() or (word in _NAME_PARTICLES and words):
                    words.append(word)
                else:
                    break
            while words and words[-1] in _NAME_PARTICLES:
                words.pop()
            name = " ".join(words).rstrip(",;")
            if name and name not in names:
                names.append(name)
    return names


# --- assembly --------------------------------------------------------------------------------


def normalize(doc: DocumentText, *, series: str, profile: Mapping[str, Any]) -> Report:
    """Read the facts of one report out of its text, each with evidence and warnings.

    ``profile`` is the series' extraction profile as loaded by ``reportwatch.series`` (the
    content of ``series/profiles/<name>.yaml``); an invalid one raises ``SeriesError``.
    """
    cp = compile_profile(profile)
    sentences = sentences_of(doc)
    facts = _letter_date(doc, sentences, cp)
    reference = facts.values.get("letter_date") or doc.distribution_date
    facts.merge(_period(sentences, cp, reference))
    _previous_report(doc, sentences, cp, facts)
    facts.merge(
        figures(sentences, cp, facts.values.get("period_start"), facts.values.get("period_end"))
    )
    tables = read_tables(doc, cp, facts)
    frequency = _frequency(doc, sentences, cp, facts)
    _as_of(sentences, cp, facts)
    incidents = _incidents(sentences, cp, facts)
    _major_incidents(sentences, cp, incidents, facts)

    missing = []
    for fact in cp.profile.required:
        present = (
            "period_start" in facts.values and "period_end" in facts.values
            if fact == "period"
            else facts.values.get(fact) is not None
        )
        if not present:
            unread = "; ".join(f"{quoted(s)} ({where(s)})" for s in facts.unread.get(fact, []))
            missing.append(_missing(cp, fact) + (f" (not read: {unread})" if unread else ""))
    fields = {k: v for k, v in facts.values.items() if k in _REPORT_FIELDS}
    metrics = {
        name: MetricValue(
            value=int(facts.values[name]),
            unit=spec.unit,
            approximate=facts.approximate.get(name, False),
            as_of_date=next(
                (t.as_of_date for t in tables if spec.table and t.table == spec.table.table), None
            ),
        )
        for name, spec in cp.profile.metrics.items()
        if name not in _REPORT_FIELDS and facts.values.get(name) is not None
    }
    return Report(
        symbol=doc.symbol,
        symbols=list(doc.symbols),
        reissue=doc.reissue,
        job_number=doc.job_number,
        series=series,
        title=doc.title,
        distribution_date=doc.distribution_date,
        original_language=doc.original_language,
        frequency=frequency,
        incidents=incidents,
        signatories=_signatories(doc),
        paragraphs=list(doc.paragraphs),
        evidence=facts.evidence,
        warnings=[*doc.warnings, *facts.warnings],
        quarantine_reason="; ".join(missing) or None,
        metrics=metrics,
        tables=tables,
        **fields,
    )


def _missing(cp: CompiledProfile, fact: str) -> str:
    """Why a required fact is missing, as the quarantine reason says it."""
    if fact == "period" and cp.profile.period_from_previous_report:
        return "no reporting period found: none is stated and no previous report is named"
    if fact in _MISSING_REASONS:
        return _MISSING_REASONS[fact]
    if fact in cp.profile.metrics:
        return f"no {label_of(cp, fact)} figure found in the report"
    return f"no {fact.replace('_', ' ')} found in the report"


@task(name="normalize")
def normalize_task(doc: DocumentText, series: str, profile: dict[str, Any]) -> Report:
    """Thin Prefect wrapper over :func:`normalize` (terminal failures only: no retries)."""
    return normalize(doc, series=series, profile=profile)
