"""The extraction profile (``series/profiles/<name>.yaml``): validated, expanded and compiled.

:class:`NormalizeProfile` validates the YAML; :func:`compile_profile` expands the
placeholders (``{count}``, ``{number}``, ``{qualifier}``, ``{nato}``, ``{date}``,
``{range}``, ``{month}``, ``{year}``) and compiles every pattern once, cached, since normalize runs per document.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from dataclasses import dataclass
from functools import lru_cache
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from reportwatch.errors import SeriesError
from tasks.read.numbers import COUNT_PATTERN, NUMBER_PATTERN
from tasks.read.textdates import DATE_PATTERN, MONTH_PATTERN, RANGE_PATTERN, YEAR_PATTERN

Part = Literal["letter", "annex", "enclosure", "body"]
MetricName = Literal["troops_total", "non_nato_troops", "nato_nations", "non_nato_nations"]
RequiredFact = Literal[
    "period",
    "troops_total",
    "non_nato_troops",
    "nato_nations",
    "non_nato_nations",
    "as_of_date",
    "letter_date",
    "major_incidents",
]
NATO_PATTERN = r"(?:North\s+Atlantic\s+Treaty\s+Organization\s*\(NATO\)|NATO)"
_FLAGS = re.IGNORECASE


def _default_required() -> list[RequiredFact]:
    return ["period", "troops_total"]


class MetricProfile(BaseModel):
    model_config = ConfigDict(extra="forbid")

    patterns: list[str] = Field(min_length=1, description="Each has a (?P<value>...) group.")
    requires: str | None = Field(
        None, description="A cheap pattern a sentence must contain before `patterns` are tried."
    )
    min_value: int = Field(0, ge=0, description="Figures below this are misreadings.")
    max_value: int = Field(10_000_000, gt=0, description="Figures above this are misreadings.")


class FrequencyProfile(BaseModel):
    model_config = ConfigDict(extra="forbid")

    monthly_pattern: str
    quarterly_pattern: str
    monthly_max_days: int = Field(35, gt=0)
    quarterly_min_days: int = Field(80, gt=0)
    quarterly_max_days: int = Field(100, gt=0)


class NormalizeProfile(BaseModel):
    """What ``series/profiles/kfor.yaml`` may hold (see the comments in that file)."""

    model_config = ConfigDict(extra="forbid")

    version: int = 1
    required: list[RequiredFact] = Field(default_factory=_default_required)
    fact_parts: list[Part] = Field(min_length=1)
    incident_parts: list[Part] = Field(default_factory=list)
    qualifiers: list[str] = Field(min_length=1)
    frequency: FrequencyProfile
    period_patterns: list[str] = Field(min_length=1)
    as_of_patterns: list[str] = Field(default_factory=list)
    letter_date_patterns: list[str] = Field(default_factory=list)
    metrics: dict[MetricName, MetricProfile]
    no_major_incident_patterns: list[str] = Field(default_factory=list)
    major_incident_patterns: list[str] = Field(default_factory=list)
    incident_terms: str
    violence_terms: str

    @model_validator(mode="after")
    def _patterns_compile(self) -> NormalizeProfile:
        """Fail at load time, naming the pattern, rather than on the first document."""
        groups: list[tuple[str, list[str], set[str]]] = [
            ("period_patterns", self.period_patterns, {"m2"}),
            ("as_of_patterns", self.as_of_patterns, {"date"}),
            ("letter_date_patterns", self.letter_date_patterns, {"date"}),
            ("no_major_incident_patterns", self.no_major_incident_patterns, set()),
            ("major_incident_patterns", self.major_incident_patterns, set()),
            ("incident_terms", [self.incident_terms], set()),
            ("violence_terms", [self.violence_terms], set()),
            (
                "frequency",
                [self.frequency.monthly_pattern, self.frequency.quarterly_pattern],
                set(),
            ),
        ]
        groups += [(f"metrics.{n}", m.patterns, {"value"}) for n, m in self.metrics.items()]
        groups += [
            (f"metrics.{n}.requires", [m.requires], set())
            for n, m in self.metrics.items()
            if m.requires
        ]
        for where, patterns, needed in groups:
            for pattern in patterns:
                try:
                    compiled = re.compile(expand(pattern, self.qualifiers), _FLAGS)
                except re.error as exc:
                    raise ValueError(
                        f"{where}: pattern {pattern!r} does not compile: {exc}"
                    ) from exc
                missing = needed - set(compiled.groupindex)
                if missing:
                    raise ValueError(
                        f"{where}: pattern {pattern!r} lacks group(s) {sorted(missing)}"
                    )
        return self


def qualifier_pattern(qualifiers: list[str]) -> str:
    """An alternation of the qualifier words, longest first, spaces matching any whitespace."""
    words = sorted({q.strip() for q in qualifiers if q.strip()}, key=len, reverse=True)
    escaped = [r"\s+".join(re.escape(part) for part in word.split()) for word in words]
    return rf"(?<!\w)(?:{'|'.join(escaped)})(?!\w)"


def expand(pattern: str, qualifiers: list[str]) -> str:
    """Fill the profile's placeholders with their regex fragments."""
    replacements = {
        "{count}": COUNT_PATTERN,
        "{number}": NUMBER_PATTERN,
        "{qualifier}": qualifier_pattern(qualifiers),
        "{nato}": NATO_PATTERN,
        "{date}": DATE_PATTERN,
        "{range}": RANGE_PATTERN,
        "{month}": MONTH_PATTERN,
        "{year}": YEAR_PATTERN,
    }
    for placeholder, fragment in replacements.items():
        pattern = pattern.replace(placeholder, fragment)
    return pattern


@dataclass(frozen=True)
class CompiledMetric:
    name: str
    patterns: tuple[re.Pattern[str], ...]
    requires: re.Pattern[str] | None
    min_value: int
    max_value: int


@dataclass(frozen=True)
class CompiledProfile:
    profile: NormalizeProfile
    metrics: tuple[CompiledMetric, ...]
    qualifier: re.Pattern[str]
    period: tuple[re.Pattern[str], ...]
    as_of: tuple[re.Pattern[str], ...]
    letter_date: tuple[re.Pattern[str], ...]
    no_major: tuple[re.Pattern[str], ...]
    major: tuple[re.Pattern[str], ...]
    monthly: re.Pattern[str]
    quarterly: re.Pattern[str]
    incident_terms: re.Pattern[str]
    violence_terms: re.Pattern[str]


def compile_profile(profile: Mapping[str, Any]) -> CompiledProfile:
    """Validate and compile a profile dict; the same dict content is compiled only once."""
    try:
        key = json.dumps(profile, sort_keys=True, default=str)
    except (TypeError, ValueError) as exc:
        raise SeriesError(f"extraction profile is not plain data: {exc}") from exc
    return _compile_cached(key)


@lru_cache(maxsize=32)
def _compile_cached(key: str) -> CompiledProfile:
    raw = json.loads(key)
    if not raw:
        raise SeriesError(
            "the series has an empty extraction profile",
            hint="set `profile: kfor` in the series file (see series/profiles/kfor.yaml)",
        )
    try:
        profile = NormalizeProfile.model_validate(raw)
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(p) for p in first["loc"]) or "profile"
        raise SeriesError(
            f"extraction profile: {where}: {first['msg']}",
            hint="see the comments in series/profiles/kfor.yaml",
        ) from exc

    def many(patterns: list[str]) -> tuple[re.Pattern[str], ...]:
        return tuple(re.compile(expand(p, profile.qualifiers), _FLAGS) for p in patterns)

    def one(pattern: str) -> re.Pattern[str]:
        return re.compile(expand(pattern, profile.qualifiers), _FLAGS)

    return CompiledProfile(
        profile=profile,
        metrics=tuple(
            CompiledMetric(
                name,
                many(m.patterns),
                one(m.requires) if m.requires else None,
                m.min_value,
                m.max_value,
            )
            for name, m in profile.metrics.items()
        ),
        qualifier=one("{qualifier}"),
        period=many(profile.period_patterns),
        as_of=many(profile.as_of_patterns),
        letter_date=many(profile.letter_date_patterns),
        no_major=many(profile.no_major_incident_patterns),
        major=many(profile.major_incident_patterns),
        monthly=one(profile.frequency.monthly_pattern),
        quarterly=one(profile.frequency.quarterly_pattern),
        incident_terms=one(profile.incident_terms),
        violence_terms=one(profile.violence_terms),
    )
