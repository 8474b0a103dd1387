"""MARCXML records as the UN Digital Library catalogues documents, and how we pick ours.

The field map (research/sources.md §1.3): 001 record id, 005 last change, 029 $b job number,
191 $a document symbol (791 $a as a fallback), 245 $a $b title, 269 $a publication date (ISO),
520 $a notes, 650 $a subjects, 856 $u file links (one per language), 980 $a ``DELETED``.

XML arrives already parsed by defusedxml (entity expansion and DTDs refused, see
``tasks.discover.undl_oai``); this module turns one ``<record>`` element into a ``pymarc.Record``
and then into a :class:`MarcSummary`, so nothing here ever sees raw bytes.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any
from xml.etree.ElementTree import Element

from pymarc import Field, Indicators, Leader, Record, Subfield

from reportwatch.errors import SeriesError

MARC_NS = "http://www.loc.gov/MARC21/slim"
_ODS_JOB = re.compile(r"^[A-Z](\d{2})(\d{5})(?:\s+[A-Z])?$")
_LANGUAGE_SUFFIX = re.compile(r"-([A-Z]{2})\.pdf$", re.IGNORECASE)


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


def record_from_element(element: Element) -> Record:
    """A ``pymarc.Record`` from a MARCXML ``<record>`` element (namespaced or not)."""
    record = Record()
    for child in element:
        kind = _local(child.tag)
        if kind == "leader" and child.text and len(child.text) == 24:
            record.leader = Leader(child.text)
        elif kind == "controlfield":
            record.add_field(Field(tag=child.get("tag", ""), data=child.text or ""))
        elif kind == "datafield":
            subfields = [
                Subfield(code=sub.get("code", ""), value=sub.text or "")
                for sub in child
                if _local(sub.tag) == "subfield"
            ]
            indicators = Indicators(child.get("ind1", " "), child.get("ind2", " "))
            record.add_field(
                Field(tag=child.get("tag", ""), indicators=indicators, subfields=subfields)
            )
    return record


@dataclass
class MarcSummary:
    """The fields of one catalogue record that discovery uses."""

    record_id: str | None = None
    modified: dt.datetime | None = None
    symbol: str | None = None
    title: str | None = None
    date: dt.date | None = None
    job_number: str | None = None
    file_urls: dict[str, str] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)
    subjects: list[str] = field(default_factory=list)
    deleted: bool = False

    def file_url(self, language: str = "EN") -> str | None:
        return self.file_urls.get(language.upper())


def summarize(record: Record) -> MarcSummary:
    summary = MarcSummary()
    summary.record_id = _control(record, "001")
    summary.modified = _parse_005(_control(record, "005"))
    summary.symbol = _first_subfield(record, "191", "a") or _first_subfield(record, "791", "a")
    summary.title = _title(record)
    summary.date = parse_marc_date(_first_subfield(record, "269", "a"))
    summary.job_number = normalize_job_number(_first_subfield(record, "029", "b"))
    summary.notes = _all_subfields(record, "520", "a")
    summary.subjects = _all_subfields(record, "650", "a")
    summary.deleted = any(v.upper() == "DELETED" for v in _all_subfields(record, "980", "a"))
    for link in record.get_fields("856"):
        for url in link.get_subfields("u"):
            language = _language_of(url, link.get_subfields("y"))
            if language and language not in summary.file_urls:
                summary.file_urls[language] = url.strip()
    return summary


def normalize_job_number(value: str | None) -> str | None:
    """029 $b ``N2103164 E`` as the PDF footer prints it, ``21-03164``; other shapes stay as given.

    The letter is the duty station (N = New York) and the trailing letter the language; the
    mapping to the footer's form is an inference from matching pairs (research/sources.md §2).
    """
    if not value:
        return None
    match = _ODS_JOB.match(value.strip())
    if match:
        return f"{match.group(1)}-{match.group(2)}"
    return value.strip()


def parse_marc_date(value: str | None) -> dt.date | None:
    """269 $a: ``2020-04-03`` or ``20200403``; a partial date (``2020-04``) is unknown, not a guess."""
    if not value:
        return None
    digits = re.sub(r"[^0-9]", "", value.strip())
    if len(digits) != 8:
        return None
    try:
        return dt.date(int(digits[:4]), int(digits[4:6]), int(digits[6:]))
    except ValueError:
        return None


def _parse_005(value: str | None) -> dt.datetime | None:
    # ``YYYYMMDDhhmmss.0``; the catalogue keeps it in New York time but says nothing, so it stays
    # naive here and serves only as a tie-breaker.
    if not value:
        return None
    try:
        return dt.datetime.strptime(value.strip()[:14], "%Y%m%d%H%M%S")
    except ValueError:
        return None


def _control(record: Record, tag: str) -> str | None:
    found = record.get_fields(tag)
    if found and found[0].data:
        return found[0].data.strip() or None
    return None


def _all_subfields(record: Record, tag: str, code: str) -> list[str]:
    values: list[str] = []
    for fld in record.get_fields(tag):
        values.extend(v.strip() for v in fld.get_subfields(code) if v and v.strip())
    return values


def _first_subfield(record: Record, tag: str, code: str) -> str | None:
    values = _all_subfields(record, tag, code)
    return values[0] if values else None


def _title(record: Record) -> str | None:
    fields = record.get_fields("245")
    if not fields:
        return None
    parts = [" ".join(p.split()) for p in fields[0].get_subfields("a", "b") if p and p.strip()]
    # ISBD punctuation (" :", " /") closes a subfield; it is not part of the title.
    cleaned = [re.sub(r"\s*[:/;,]$", "", part) for part in parts]
    title = " : ".join(p for p in cleaned if p)
    return title or None


def _language_of(url: str, labels: Iterable[str]) -> str | None:
    match = _LANGUAGE_SUFFIX.search(url.split("?", 1)[0])
    if match:
        return match.group(1).upper()
    if any(label.strip().lower() == "english" for label in labels):
        return "EN"
    return None


# selection ---------------------------------------------------------------------------------
Verdict = str  # "candidate" | "confirm" | "reject" | "ignore"


@dataclass(frozen=True)
class TopicSelector:
    """Which records are this series' documents, from the series' source options.

    * symbol does not start with ``symbol_prefix``: not our family of documents; ignored silently;
    * title matches none of ``title_patterns``: rejected, with the reason;
    * title matches and a ``topic_terms`` phrase appears in title, notes or subjects: a candidate;
    * title matches but no phrase appears: a candidate to confirm from the downloaded text.
    """

    symbol_prefix: str
    title_patterns: tuple[re.Pattern[str], ...]
    topic_terms: tuple[re.Pattern[str], ...]

    @classmethod
    def from_options(cls, options: Mapping[str, Any]) -> TopicSelector:
        prefix = str(options.get("symbol_prefix") or "")
        raw_titles = options.get("title_patterns") or []
        raw_terms = options.get("kfor_terms") or options.get("topic_terms") or []
        if not isinstance(raw_titles, list) or not isinstance(raw_terms, list):
            raise SeriesError(
                "title_patterns and kfor_terms must be lists",
                hint="see series/kfor.yaml, sources[kind=undl-oai].options",
            )
        try:
            titles = tuple(re.compile(str(p), re.IGNORECASE) for p in raw_titles)
        except re.error as exc:
            raise SeriesError(
                f"title_patterns holds an invalid regular expression: {exc}",
                hint="fix the pattern in the series file",
            ) from exc
        terms = tuple(
            re.compile(rf"(?<!\w){re.escape(str(t))}(?!\w)", re.IGNORECASE) for t in raw_terms
        )
        return cls(symbol_prefix=prefix, title_patterns=titles, topic_terms=terms)

    def classify(self, summary: MarcSummary) -> tuple[Verdict, str | None]:
        symbol = summary.symbol or ""
        if not symbol.upper().startswith(self.symbol_prefix.upper()):
            return "ignore", None
        if summary.deleted:
            return "reject", "the catalogue marks this record deleted"
        title = summary.title or ""
        if self.title_patterns and not any(p.search(title) for p in self.title_patterns):
            shown = title if len(title) <= 200 else title[:197] + "..."
            return "reject", f"title {shown!r} matches none of the title_patterns"
        if not self.topic_terms:
            return "candidate", None
        haystack = [title, *summary.notes, *summary.subjects]
        if any(term.search(text) for term in self.topic_terms for text in haystack):
            return "candidate", None
        return "confirm", "title fits but title, notes and subjects name none of the terms"
