"""Picking a series' documents from catalogue records, the same way for every index.

The keyed UN Digital Library API and ReliefWeb both describe documents that we turn into a
:class:`~tasks.discover.marc.MarcSummary` (ReliefWeb's JSON fields map onto the same few MARC
fields), so the series' :class:`~tasks.discover.marc.TopicSelector` judges them exactly as it
judges OAI-PMH records. :class:`CandidatePicker` collects the verdicts of a whole harvest: one
entry per symbol (the most recently catalogued wins when windows overlap), candidates apart
from rejections.
"""

from __future__ import annotations

import datetime as dt
import re

from reportwatch.models import Candidate
from tasks.discover.marc import MarcSummary, TopicSelector

# S/2023/668, S_2023_668 (file names), S/2021/228/Add.1; not inside another word (US/2023/1).
_SYMBOL = re.compile(
    r"(?<![A-Za-z0-9])S\s?[/_]\s?((?:19|20)\d{2})\s?[/_]\s?(\d{1,4})(?!\d)"
    r"((?:[/_](?:Add|Corr|Rev)\.\d+)*)"
)


def find_symbol(text: str | None) -> str | None:
    """The first Security Council symbol in ``text``, written with slashes: ``S/2023/668``."""
    if not text:
        return None
    match = _SYMBOL.search(text)
    if match is None:
        return None
    year, number, suffixes = match.groups()
    return f"S/{year}/{int(number)}" + suffixes.replace("_", "/")


class CandidatePicker:
    """Classifies records with ``selector`` and keeps one verdict per symbol."""

    def __init__(self, series_id: str, source_name: str, selector: TopicSelector) -> None:
        self.series_id = series_id
        self.source_name = source_name
        self.selector = selector
        self._chosen: dict[str, Candidate] = {}
        self._rejected: dict[str, tuple[Candidate, str]] = {}

    def offer(self, summary: MarcSummary, *, catalogued_at: dt.datetime | None = None) -> None:
        """Judge one record; records without a symbol, or of another family, are ignored."""
        if not summary.symbol:
            return
        verdict, reason = self.selector.classify(summary)
        if verdict == "ignore":
            return
        candidate = Candidate(
            series=self.series_id,
            symbol=summary.symbol,
            source=self.source_name,
            title=summary.title,
            date=summary.date,
            file_url=summary.file_url("EN"),
            record_id=summary.record_id,
            job_number=summary.job_number,
            # Notes can hold a whole report body (ReliefWeb); the candidate keeps a glimpse.
            notes=[note[:500] for note in summary.notes],
            subjects=summary.subjects,
            catalogued_at=catalogued_at or summary.modified,
            needs_confirmation=verdict == "confirm",
        )
        key = summary.symbol.upper()
        kept = self._chosen.get(key) or (self._rejected[key][0] if key in self._rejected else None)
        if kept is not None and _newer(kept, candidate):
            return  # the same document was already seen with a later cataloguing
        self._chosen.pop(key, None)
        self._rejected.pop(key, None)
        if verdict == "reject":
            self._rejected[key] = (candidate, reason or "rejected")
        else:
            self._chosen[key] = candidate

    def offer_unreadable(self, symbol: str) -> bool:
        """A record whose metadata could not be read but whose symbol could: kept as a
        candidate to confirm from its text when the symbol is of the series' family and no
        readable record of it was judged. True when it was kept."""
        if not symbol.upper().startswith(self.selector.symbol_prefix.upper()):
            return False
        key = symbol.upper()
        if key in self._chosen or key in self._rejected:
            return False
        self._chosen[key] = Candidate(
            series=self.series_id, symbol=symbol, source=self.source_name,
            notes=["catalogue record unreadable: confirmed from the text"],
            needs_confirmation=True,
        )  # fmt: skip
        return True

    @property
    def candidates(self) -> list[Candidate]:
        return sorted(self._chosen.values(), key=_order)

    @property
    def rejected(self) -> list[tuple[Candidate, str]]:
        return sorted(self._rejected.values(), key=lambda pair: _order(pair[0]))


def _newer(kept: Candidate, new: Candidate) -> bool:
    if kept.catalogued_at is None or new.catalogued_at is None:
        return False
    return _aware(kept.catalogued_at) > _aware(new.catalogued_at)


def _aware(moment: dt.datetime) -> dt.datetime:
    # MARC 005 stamps are naive, API dates are not; compare them as UTC either way.
    return moment if moment.tzinfo else moment.replace(tzinfo=dt.UTC)


def _order(candidate: Candidate) -> tuple[dt.date, str]:
    return (candidate.date or dt.date.min, candidate.symbol)
