"""``reportwatch sources check``: one cheap request per source, and what it showed.

| kind | the request | ok means |
|---|---|---|
| ``undl-oai`` | ``GET /oai2d?verb=Identify`` | an OAI-PMH repository answered |
| ``undl-api`` | one search with ``rg=1`` | the key is accepted; the match count |
| ``reliefweb`` | one search with ``limit: 0`` | the app name is accepted; the match count |
| ``ods`` | the PDF of a published symbol (option ``check_symbol``, default S/2021/228) | a PDF came back |
| ``drop-folder`` | none: the folder exists and a file can be created in it | ready for files |

The ODS check downloads one real report (a few hundred kilobytes): ODS answers unknown symbols
with an empty 200, so only a real document proves it serves files.

Each check is one request, with no retry and a short deadline (:func:`check_fetcher`: connect
5 s, read 10 s, 20 s in all): a check answers "does it work now?", and five patient attempts
with backoff would take minutes to say no. A host DNS cannot resolve is said so in one line.
"""

from __future__ import annotations

import os
import tempfile
from dataclasses import dataclass
from xml.etree.ElementTree import ParseError

import defusedxml
import defusedxml.ElementTree as SafeET

from reportwatch.errors import ReportwatchError, SourceError
from reportwatch.series import SeriesConfig
from reportwatch.settings import Settings
from tasks.discover.drop_folder import DropFolderSource
from tasks.discover.registry import build_discovery, known_kind
from tasks.discover.reliefweb import ReliefWebSource
from tasks.discover.symbol_list import SymbolListSource
from tasks.discover.undl_api import UndlApiSource
from tasks.discover.undl_oai import OAI_NS, UndlOaiSource
from tasks.fetch.client import Fetcher, FetchPolicy
from tasks.fetch.drop import drop_folder_for
from tasks.fetch.ods import OdsSource

DEFAULT_CHECK_SYMBOL = "S/2021/228"
CHECK_CONNECT_TIMEOUT = 5.0
CHECK_READ_TIMEOUT = 10.0
CHECK_DEADLINE = 20.0


def check_fetcher(settings: Settings) -> Fetcher:
    """The fetch policy of the settings, made for checks: no retries, short timeouts."""
    policy = FetchPolicy.from_settings(
        settings,
        max_retries=0,
        connect_timeout=min(settings.connect_timeout, CHECK_CONNECT_TIMEOUT),
        read_timeout=min(settings.read_timeout, CHECK_READ_TIMEOUT),
        total_timeout=min(settings.total_timeout, CHECK_DEADLINE),
        download_deadline=min(settings.download_deadline, CHECK_DEADLINE),
    )
    return Fetcher(policy)


@dataclass(frozen=True)
class CheckResult:
    """What one cheap request to a source showed; ``skipped`` when it was not tried."""

    ok: bool
    detail: str
    skipped: bool = False


def check_source(
    kind: str, config: SeriesConfig, settings: Settings, fetcher: Fetcher
) -> CheckResult:
    """One cheap request to ``kind`` (the table above); never raises for it."""
    spec = known_kind(kind, config.id)
    missing = spec.missing(settings)
    if missing:
        return CheckResult(False, f"not configured: {missing}", skipped=True)
    return run_check(kind, config, settings, fetcher)


def run_check(kind: str, config: SeriesConfig, settings: Settings, fetcher: Fetcher) -> CheckResult:
    try:
        return CheckResult(True, _CHECKS[kind](config, settings, fetcher))
    except ReportwatchError as exc:
        return CheckResult(False, exc.one_line())


def _oai(config: SeriesConfig, settings: Settings, fetcher: Fetcher) -> str:
    source = UndlOaiSource.from_settings(settings)
    content = fetcher.get(source.endpoint, params={"verb": "Identify"}).content
    try:
        root = SafeET.fromstring(content, forbid_dtd=True)
    except (defusedxml.DefusedXmlException, ParseError) as exc:
        raise SourceError(
            f"{source.endpoint} did not answer Identify with readable XML ({exc})",
            hint="check REPORTWATCH_UNDL_URL points at the Digital Library",
        ) from exc
    identify = root.find(f"{{{OAI_NS}}}Identify")
    if identify is None:
        raise SourceError(
            f"{source.endpoint} answered Identify without an <Identify> element",
            hint="check REPORTWATCH_UNDL_URL points at the Digital Library",
        )
    name = (identify.findtext(f"{{{OAI_NS}}}repositoryName") or "").strip() or "unnamed"
    earliest = (identify.findtext(f"{{{OAI_NS}}}earliestDatestamp") or "").strip()
    return f"OAI-PMH repository {name!r} answered" + (
        f", records from {earliest}" if earliest else ""
    )


def _undl_api(config: SeriesConfig, settings: Settings, fetcher: Fetcher) -> str:
    source = build_discovery("undl-api", config, settings)
    assert isinstance(source, UndlApiSource)
    total = source.probe(config.source_options("undl-api"), fetcher=fetcher)
    count = "an unknown number of" if total is None else f"{total:,}"
    return f"key accepted; {count} records match the series query"


def _reliefweb(config: SeriesConfig, settings: Settings, fetcher: Fetcher) -> str:
    source = build_discovery("reliefweb", config, settings)
    assert isinstance(source, ReliefWebSource)
    total = source.probe(config.source_options("reliefweb"), fetcher=fetcher)
    return f"app name {source.appname!r} accepted; {total:,} reports match the filter"


def _ods(config: SeriesConfig, settings: Settings, fetcher: Fetcher) -> str:
    options = config.source_options("ods")
    symbol = str(options.get("check_symbol") or DEFAULT_CHECK_SYMBOL)
    response = OdsSource.from_settings(settings, options).download(symbol, fetcher=fetcher)
    return f"{symbol} came back as a PDF of {len(response.content):,} bytes"


def _drop_folder(config: SeriesConfig, settings: Settings, fetcher: Fetcher) -> str:
    folder = drop_folder_for(config, settings)
    if not folder.is_dir():
        raise SourceError(
            f"drop folder {folder} does not exist",
            hint=f"create it (mkdir -p {folder}); the next run also creates it",
        )
    try:
        handle, probe = tempfile.mkstemp(dir=folder, prefix=".reportwatch-check-")
    except OSError as exc:
        raise SourceError(
            f"cannot create a file in drop folder {folder}: {exc.strerror or exc}",
            hint="the run moves processed files to done/ and failed/; give it write access",
        ) from exc
    os.close(handle)
    os.unlink(probe)
    waiting = len(DropFolderSource(folder, min_age_seconds=0).waiting_files())
    return f"{folder} exists and is writable; {waiting} PDF(s) waiting"


def _symbol_list(config: SeriesConfig, settings: Settings, fetcher: Fetcher) -> str:
    listed = SymbolListSource.from_options(config.source_options("symbol-list"))
    return f"{len(listed.symbols)} symbol(s) listed, each valid; they download by symbol"


_CHECKS = {
    "undl-oai": _oai,
    "undl-api": _undl_api,
    "reliefweb": _reliefweb,
    "ods": _ods,
    "drop-folder": _drop_folder,
    "symbol-list": _symbol_list,
}
