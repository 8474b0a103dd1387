"""A hand-kept list of symbols: documents an operator knows exist and wants ingested.

Listed in the series file (``- kind: symbol-list`` with ``options: {symbols: [S/2021/228]}``),
each symbol becomes a candidate that the download sources (ODS) fetch by symbol; known symbols
are just seen again. ``reportwatch add S/2021/228`` queues one symbol the same way without
editing the file. There is no index to ask, so no cursor and no network request.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

from reportwatch.errors import SeriesError
from reportwatch.models import Candidate
from reportwatch.series import SeriesConfig
from tasks.discover.base import DiscoveryResult
from tasks.discover.selection import find_symbol
from tasks.fetch.client import Fetcher

KIND = "symbol-list"


class SymbolListSource:
    """The ``symbol-list`` discovery source."""

    name = KIND

    def __init__(self, symbols: list[str]) -> None:
        self.symbols = symbols

    @classmethod
    def from_options(cls, options: Mapping[str, Any]) -> SymbolListSource:
        raw = options.get("symbols") or []
        if not isinstance(raw, list):
            raise SeriesError("symbol-list: options.symbols must be a list", hint="S/2021/228")
        symbols = []
        for value in raw:
            symbol = find_symbol(str(value))
            if symbol is None or symbol != str(value).strip():
                raise SeriesError(
                    f"symbol-list: {value!r} is not a Security Council symbol",
                    hint="write it like S/2021/228",
                )
            symbols.append(symbol)
        return cls(symbols)

    def discover(
        self,
        series: SeriesConfig,
        window_from: dt.date,
        window_until: dt.date,
        *,
        fetcher: Fetcher,
    ) -> DiscoveryResult:
        return DiscoveryResult(
            candidates=[
                Candidate(series=series.id, symbol=s, source=self.name) for s in self.symbols
            ]
        )
