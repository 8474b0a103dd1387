"""Series definitions: one YAML file per series under ``series/``.

A series says what to watch (sources, in order of preference), how to read it (the
extraction profile), which rules raise alerts and where alerts go. Adding a series is a new
YAML file (and, for a new document family, a new profile section), never a change to ``flows/``.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from reportwatch.errors import SeriesError
from reportwatch.models import Severity

BUNDLED_SERIES_DIR = Path(__file__).resolve().parent.parent / "series"


class SourceConfig(BaseModel):
    model_config = ConfigDict(extra="forbid")

    kind: str = Field(description="undl-oai, undl-api, ods, reliefweb, drop-folder, symbol-list.")
    options: dict[str, Any] = Field(default_factory=dict)


class RuleConfig(BaseModel):
    model_config = ConfigDict(extra="forbid")

    id: str
    kind: str
    severity: Severity = "warning"
    params: dict[str, Any] = Field(default_factory=dict)
    enabled: bool = True


class ChannelConfig(BaseModel):
    model_config = ConfigDict(extra="forbid")

    kind: Literal["console", "slack", "email"]
    min_severity: Severity = "info"
    digest: Literal["none", "run", "day"] = "none"
    template: str | None = Field(
        None, description="Path of a Jinja2 template overriding the default."
    )
    ops: bool = Field(False, description="Also receives operational alerts (failed runs).")


class SeriesConfig(BaseModel):
    model_config = ConfigDict(extra="forbid")

    id: str
    name: str
    frequency: Literal["monthly", "quarterly", "annual", "mixed"] = "quarterly"
    schedule: dict[str, Any] = Field(default_factory=dict)
    sources: list[SourceConfig]
    profile: dict[str, Any] = Field(
        default_factory=dict,
        description="Extraction profile; a string names series/profiles/<name>.yaml.",
    )
    confirm_terms: list[str] = Field(
        default_factory=list,
        description="A downloaded document must mention one of these, else it is rejected.",
    )
    rules: list[RuleConfig] = Field(default_factory=list)
    channels: list[ChannelConfig] = Field(default_factory=lambda: [ChannelConfig(kind="console")])
    path: Path | None = None

    def rule(self, rule_id: str) -> RuleConfig | None:
        return next((r for r in self.rules if r.id == rule_id), None)

    def source_options(self, kind: str) -> dict[str, Any]:
        """The ``options`` of this series' source entry of ``kind`` (empty when it has none)."""
        return next((s.options for s in self.sources if s.kind == kind), {})


def series_dir(configured: Path | None = None) -> Path:
    return configured if configured is not None else BUNDLED_SERIES_DIR


def load_series(series_id: str, directory: Path | None = None) -> SeriesConfig:
    """Load ``<directory>/<series_id>.yaml``; errors name the file and the bad field."""
    folder = series_dir(directory)
    path = folder / f"{series_id}.yaml"
    if not path.is_file():
        known = ", ".join(sorted(p.stem for p in folder.glob("*.yaml"))) or "none"
        raise SeriesError(
            f"no series '{series_id}' in {folder}",
            hint=f"known series: {known}; set REPORTWATCH_SERIES_DIR to use another folder",
        )
    return parse_series(path)


def parse_series(path: Path) -> SeriesConfig:
    try:
        raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    except yaml.YAMLError as exc:
        raise SeriesError(f"{path} is not valid YAML: {exc}", hint="fix the file") from exc
    if not isinstance(raw, dict):
        raise SeriesError(f"{path} must hold a mapping", hint="see series/kfor.yaml for the shape")
    profile = raw.get("profile")
    if isinstance(profile, str):
        profile_path = path.parent / "profiles" / f"{profile}.yaml"
        if not profile_path.is_file():
            raise SeriesError(f"{path}: profile file {profile_path} not found", hint="create it")
        raw["profile"] = yaml.safe_load(profile_path.read_text(encoding="utf-8")) or {}
    try:
        config = SeriesConfig.model_validate({**raw, "path": path})
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(p) for p in first["loc"])
        raise SeriesError(
            f"{path}: {where}: {first['msg']}", hint="see docs/series.md for the fields"
        ) from exc
    if config.id != path.stem:
        raise SeriesError(
            f"{path}: id '{config.id}' differs from the file name", hint="make them equal"
        )
    for table in config.profile.get("tables") or []:
        view = table.get("view") if isinstance(table, dict) else None
        if view is not None and not str(view).startswith(f"{config.id}_"):
            raise SeriesError(
                f"{path}: profile table {table.get('id')!r} names view {view!r}",
                hint=f"a series' views are named {config.id}_<something>",
            )
    return config


def list_series(directory: Path | None = None) -> list[SeriesConfig]:
    return [parse_series(p) for p in sorted(series_dir(directory).glob("*.yaml"))]
