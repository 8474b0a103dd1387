"""Which adapter serves each ``kind`` a series file may list under ``sources``, and its state.

| kind | role | needs |
|---|---|---|
| ``undl-oai`` | discovery | nothing (the Digital Library's OAI-PMH is open) |
| ``undl-api`` | discovery | ``REPORTWATCH_UNDL_API_KEY`` |
| ``reliefweb`` | discovery | ``REPORTWATCH_RELIEFWEB_APPNAME`` (approved by ReliefWeb) |
| ``drop-folder`` | discovery | nothing (a folder on disk) |
| ``symbol-list`` | discovery | nothing (symbols listed in the series file) |
| ``ods`` | download | nothing |

A source the series lists but the settings cannot serve (no key, no app name) is *not
configured*: discovery skips it with a log line, ``reportwatch sources list`` says what to set,
``sources check`` skips it (:mod:`tasks.discover.checks`). Building one by hand raises
:class:`ConfigError`.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

from reportwatch.errors import ConfigError, SeriesError
from reportwatch.series import SeriesConfig
from reportwatch.settings import Settings
from tasks.discover.base import DiscoverySource, DownloadSource
from tasks.discover.drop_folder import DropFolderSource
from tasks.discover.reliefweb import APPNAME_SETTING, ReliefWebSource
from tasks.discover.symbol_list import SymbolListSource
from tasks.discover.undl_api import KEY_SETTING, UndlApiSource
from tasks.discover.undl_oai import UndlOaiSource
from tasks.fetch.drop import drop_folder_for
from tasks.fetch.ods import OdsSource

if TYPE_CHECKING:
    pass

log = logging.getLogger(__name__)

Role = Literal["discovery", "download"]
Options = Mapping[str, Any]


@dataclass(frozen=True)
class SourceKind:
    kind: str
    role: Role
    # What must be set before the source can work: None when nothing is missing.
    missing: Callable[[Settings], str | None]
    describe: Callable[[SeriesConfig, Settings, Options], str]


@dataclass(frozen=True)
class SourceStatus:
    """One row of ``reportwatch sources list``."""

    kind: str
    role: Role
    configured: bool
    detail: str
    in_series: bool = True


def _no_key(settings: Settings) -> str | None:
    key = settings.undl_api_key
    return None if key and key.get_secret_value().strip() else f"set {KEY_SETTING}"


def _no_appname(settings: Settings) -> str | None:
    if settings.reliefweb_appname and settings.reliefweb_appname.strip():
        return None
    return f"set {APPNAME_SETTING} (an app name ReliefWeb approved)"


def _nothing(settings: Settings) -> str | None:
    return None


def _drop_detail(series: SeriesConfig, settings: Settings, options: Options) -> str:
    folder = drop_folder_for(series, settings)
    if not folder.is_dir():
        return f"folder {folder} (not there yet: the first run creates it)"
    waiting = DropFolderSource(folder, min_age_seconds=0).waiting_files()
    return f"folder {folder}, {len(waiting)} PDF(s) waiting"


KINDS: dict[str, SourceKind] = {
    kind.kind: kind
    for kind in (
        SourceKind(
            "undl-oai", "discovery", _nothing,
            lambda c, s, o: f"OAI-PMH at {s.undl_url.rstrip('/')}/oai2d, "
            f"{s.oai_window_days}-day windows",
        ),
        SourceKind(
            "undl-api", "discovery", _no_key,
            lambda c, s, o: f"search API at {s.undl_url.rstrip('/')}/api/v1/search (key set)",
        ),
        SourceKind(
            "reliefweb", "discovery", _no_appname,
            lambda c, s, o: f"{s.reliefweb_url.rstrip('/')}/v2/reports as app "
            f"{(s.reliefweb_appname or '').strip()!r}",
        ),
        SourceKind("drop-folder", "discovery", _nothing, _drop_detail),
        SourceKind(
            "symbol-list", "discovery", _nothing,
            lambda c, s, o: f"{len(o.get('symbols') or [])} symbol(s) listed in the series file",
        ),
        SourceKind(
            "ods", "download", _nothing,
            lambda c, s, o: f"download by symbol from {s.ods_url.rstrip('/')}/api/symbol/access",
        ),
    )
}  # fmt: skip


def known_kind(kind: str, series_id: str | None = None, path: Path | None = None) -> SourceKind:
    """The source kind called ``kind``; SeriesError naming the series file when none is."""
    if kind not in KINDS:
        where = f"series {series_id}: " if series_id else ""
        where = f"{path}: {where}" if path else where
        raise SeriesError(
            f"{where}unknown source kind {kind!r}", hint=f"known kinds: {', '.join(sorted(KINDS))}"
        )
    return KINDS[kind]


def build_discovery(kind: str, config: SeriesConfig, settings: Settings) -> DiscoverySource:
    """The adapter for ``kind``; ConfigError when its settings are missing."""
    spec = known_kind(kind, config.id)
    if spec.role != "discovery":
        raise SeriesError(f"{kind} is a download source, not a discovery source")
    missing = spec.missing(settings)
    if missing:
        raise ConfigError(f"source {kind} is not configured", hint=missing)
    options = config.source_options(kind)
    if kind == "undl-api":
        return UndlApiSource.from_settings(settings, options)
    if kind == "reliefweb":
        return ReliefWebSource.from_settings(settings, options)
    if kind == "drop-folder":
        return DropFolderSource.from_settings(settings, options, config)
    if kind == "symbol-list":
        return SymbolListSource.from_options(options)
    return UndlOaiSource.from_settings(settings)


def build_download(kind: str, settings: Settings, options: Options) -> DownloadSource:
    spec = known_kind(kind)
    if spec.role != "download":
        raise SeriesError(f"{kind} is a discovery source, not a download source")
    return OdsSource.from_settings(settings, options)


def check_source_kinds(config: SeriesConfig) -> None:
    """Raise SeriesError, naming the file, for a source kind no adapter serves (the CLI asks
    before it starts a run, so a typo is one line, not a failed run and an ops message)."""
    for entry in config.sources:
        known_kind(entry.kind, config.id, config.path)


def discovery_sources(config: SeriesConfig, settings: Settings) -> list[DiscoverySource]:
    """The series' discovery sources in order, skipping those whose settings are missing."""
    found = []
    for entry in config.sources:
        spec = known_kind(entry.kind, config.id, config.path)
        if spec.role != "discovery":
            continue
        missing = spec.missing(settings)
        if missing:
            log.info("series %s: skipping source %s: not configured (%s)", config.id,
                     entry.kind, missing)  # fmt: skip
            continue
        found.append(build_discovery(entry.kind, config, settings))
    return found


def unconfigured_sources(config: SeriesConfig, settings: Settings) -> dict[str, str]:
    """Kinds the series lists that its settings cannot serve → ``not configured: set ...``."""
    found = {}
    for entry in config.sources:
        missing = known_kind(entry.kind, config.id).missing(settings)
        if missing:
            found[entry.kind] = f"not configured: {missing}"
    return found


def describe_sources(config: SeriesConfig, settings: Settings) -> list[SourceStatus]:
    """The series' sources in order, then the kinds it does not use (for ``sources list``)."""
    rows = []
    listed = [entry.kind for entry in config.sources]
    for kind in listed:
        spec = known_kind(kind, config.id)
        missing = spec.missing(settings)
        if missing:
            rows.append(SourceStatus(kind, spec.role, False, f"not configured: {missing}"))
        else:
            detail = spec.describe(config, settings, config.source_options(kind))
            rows.append(SourceStatus(kind, spec.role, True, detail))
    for kind, spec in KINDS.items():
        if kind in listed:
            continue
        detail = f"not used by series {config.id} (add `- kind: {kind}` to its sources)"
        missing = spec.missing(settings)
        rows.append(
            SourceStatus(kind, spec.role, False, detail + (f"; not configured: {missing}" if missing else ""),
                         in_series=False)
        )  # fmt: skip
    return rows
