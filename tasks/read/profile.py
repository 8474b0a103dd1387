"""The extraction profile (``series/profiles/<name>.yaml``): validated, expanded and compiled.

:class:`NormalizeProfile` validates the YAML; :func:`compile_profile` expands the
placeholders (``{count}``, ``{number}``, ``{qualifier}``, ``{nato}``, ``{date}``,
``{range}``, ``{month}``, ``{year}``, ``{symbol}``) and compiles every pattern once, cached, since normalize runs per document.
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
from tasks.read.refusals import DEFAULT_REFUSAL_IDS, DEFAULT_REFUSALS, Refusal
from tasks.read.subject import CompiledSubject, Subject, compile_subject
from tasks.read.textdates import DATE_PATTERN, MONTH_PATTERN, RANGE_PATTERN, YEAR_PATTERN

Part = Literal["letter", "annex", "enclosure", "body"]
# Facts that are not metrics: a profile may require them too.
DOCUMENT_FACTS = frozenset({"period", "as_of_date", "letter_date", "major_incidents"})
NAME = re.compile(r"^[a-z][a-z0-9_]{0,62}$")
NATO_PATTERN = r"(?:North\s+Atlantic\s+Treaty\s+Organization\s*\(NATO\)|NATO)"
SYMBOL_PATTERN = r"S/\d{4}/\d{1,4}(?:/(?:Add|Corr|Rev)\.\d+)*"
NEVER = r"(?!)"  # a pattern that matches nothing: a profile without incident vocabulary
_FLAGS = re.IGNORECASE


def _default_required() -> list[str]:
    return ["period", "troops_total"]


class TableMetric(BaseModel):
    """A metric read from a table of the profile instead of a sentence."""

    model_config = ConfigDict(extra="forbid")

    table: str = Field(description="The id of an entry of the profile's `tables`.")
    column: str = Field(description="One of that table's column keys.")
    row: str | None = Field(
        None, description="A pattern for the row label (default: the Total row)."
    )
    count: Literal["rows"] | None = Field(
        None, description="'rows': the number of body rows with a value above 0 in `column`."
    )


class MetricProfile(BaseModel):
    model_config = ConfigDict(extra="forbid")

    patterns: list[str] = Field(default_factory=list, description="Each has a (?P<value>...).")
    table: TableMetric | None = Field(None, description="Read from a table instead.")
    requires: str | None = Field(
        None, description="A cheap pattern a sentence must contain before `patterns` are tried."
    )
    min_value: int = Field(0, ge=0, description="Figures below this are misreadings.")
    max_value: int = Field(10_000_000, gt=0, description="Figures above this are misreadings.")
    unit: str = Field("count", description="What the figure counts (observations.unit).")
    label: str | None = Field(None, description="How alerts and warnings name it.")
    part_of: str | None = Field(
        None, description="A metric this one is a part of: a figure not below it is dropped."
    )
    refusals: list[Refusal] = Field(
        default_factory=list, description="Its own refusals, after the profile's `refusals`."
    )
    subject: Subject | None = Field(
        None, description="The words that keep a figure the whole (tasks/read/subject.py)."
    )

    @model_validator(mode="after")
    def _one_source(self) -> MetricProfile:
        if bool(self.patterns) == (self.table is not None):
            raise ValueError("a metric has either `patterns` or `table`, not both or neither")
        return self


class FrequencyProfile(BaseModel):
    model_config = ConfigDict(extra="forbid")

    monthly_pattern: str | None = None
    quarterly_pattern: str | None = None
    monthly_max_days: int = Field(35, gt=0)
    quarterly_min_days: int = Field(80, gt=0)
    quarterly_max_days: int = Field(100, gt=0)
    annual_min_days: int = Field(330, gt=0)
    annual_max_days: int = Field(400, gt=0)


class TableProfile(BaseModel):
    """A table the documents print (an annex of contributions by country), read row by row."""

    model_config = ConfigDict(extra="forbid")

    id: str = Field(description="Names the table in `table_rows.table_id`.")
    title_pattern: str = Field(
        description="Matches its title or a line above it; a (?P<date>...) group is its as-at date."
    )
    parts: list[Part] = Field(default_factory=list, description="Where it is printed (any).")
    columns: dict[str, str] = Field(
        min_length=1, description="Column key → a pattern its header matches, in order."
    )
    total_row: str = Field(r"^Total$", description="The label of its Total row.")
    total_column: str | None = Field(
        None, description="A column the others add up to, row by row (checked)."
    )
    unit: str = "count"
    expected: bool = Field(False, description="Every document prints it: its absence is a warning.")
    view: str | None = Field(
        None, description="A view of its rows, one column per key, for analysts."
    )

    @model_validator(mode="after")
    def _names(self) -> TableProfile:
        for name in [self.id, *self.columns, *([self.view] if self.view else [])]:
            if not NAME.match(name):
                raise ValueError(f"{name!r} is not a lower-case name (a-z, 0-9, _)")
        if self.total_column is not None and self.total_column not in self.columns:
            raise ValueError(f"total_column {self.total_column!r} is not one of the columns")
        return self


class NormalizeProfile(BaseModel):
    """What ``series/profiles/<name>.yaml`` may hold (see the comments in those files)."""

    model_config = ConfigDict(extra="forbid")

    version: int = 1
    required: list[str] = Field(default_factory=_default_required)
    fact_parts: list[Part] = Field(min_length=1)
    incident_parts: list[Part] = Field(default_factory=list)
    qualifiers: list[str] = Field(min_length=1)
    frequency: FrequencyProfile
    period_patterns: list[str] = Field(default_factory=list)
    previous_report_patterns: list[str] = Field(
        default_factory=list,
        description="'covers developments since my report dated {date} ({symbol})'.",
    )
    period_from_previous_report: bool = Field(
        False,
        description="No stated period: it runs from the previous report's date to this one's.",
    )
    as_of_patterns: list[str] = Field(default_factory=list)
    as_of_metric: str | None = Field(
        None, description="The metric whose sentence gives the as-at date (default: the first)."
    )
    letter_date_patterns: list[str] = Field(default_factory=list)
    metrics: dict[str, MetricProfile]
    refusals: list[Refusal] = Field(
        default_factory=list,
        description="Wording that makes any metric's figure not the figure as it stands, after "
        "the default refusals (DEFAULT_REFUSALS; one with a default's id replaces it).",
    )
    skip_default_refusals: list[str] = Field(
        default_factory=list, description="Ids of default refusals this profile does not apply."
    )
    tables: list[TableProfile] = Field(default_factory=list)
    no_major_incident_patterns: list[str] = Field(default_factory=list)
    major_incident_patterns: list[str] = Field(default_factory=list)
    incident_terms: str = NEVER
    violence_terms: str = NEVER

    @model_validator(mode="after")
    def _names_known(self) -> NormalizeProfile:
        for name, metric in self.metrics.items():
            if not NAME.match(name):
                raise ValueError(f"metrics: {name!r} is not a lower-case name (a-z, 0-9, _)")
            if metric.part_of is not None and metric.part_of not in self.metrics:
                raise ValueError(f"metrics.{name}.part_of: no metric {metric.part_of!r}")
            if metric.table is not None:
                table = next((t for t in self.tables if t.id == metric.table.table), None)
                if table is None:
                    raise ValueError(f"metrics.{name}.table: no table {metric.table.table!r}")
                if metric.table.column not in table.columns:
                    raise ValueError(f"metrics.{name}.table: no column {metric.table.column!r}")
        for fact in self.required:
            if fact not in DOCUMENT_FACTS and fact not in self.metrics:
                raise ValueError(f"required: {fact!r} is neither a metric nor one of "
                                 f"{sorted(DOCUMENT_FACTS)}")  # fmt: skip
        if self.as_of_metric is not None and self.as_of_metric not in self.metrics:
            raise ValueError(f"as_of_metric: no metric {self.as_of_metric!r}")
        if "period" in self.required and not (
            self.period_patterns or self.period_from_previous_report
        ):
            raise ValueError("the period is required but neither period_patterns nor "
                             "period_from_previous_report is set")  # fmt: skip
        if self.period_from_previous_report and not self.previous_report_patterns:
            raise ValueError("period_from_previous_report needs previous_report_patterns")
        for skipped in self.skip_default_refusals:
            if skipped not in DEFAULT_REFUSAL_IDS:
                raise ValueError(f"skip_default_refusals: no default refusal {skipped!r} "
                                 f"(the defaults: {sorted(DEFAULT_REFUSAL_IDS)})")  # fmt: skip
        return self

    @model_validator(mode="after")
    def _patterns_compile(self) -> NormalizeProfile:
        """Fail at load time, naming the pattern, rather than on the first document."""
        frequency = [self.frequency.monthly_pattern, self.frequency.quarterly_pattern]
        groups: list[tuple[str, list[str], set[str]]] = [
            ("period_patterns", self.period_patterns, {"m2"}),
            ("previous_report_patterns", self.previous_report_patterns, {"date", "symbol"}),
            ("as_of_patterns", self.as_of_patterns, {"date"}),
            ("letter_date_patterns", self.letter_date_patterns, {"date"}),
            ("no_major_incident_patterns", self.no_major_incident_patterns, set()),
            ("major_incident_patterns", self.major_incident_patterns, set()),
            ("incident_terms", [self.incident_terms], set()),
            ("violence_terms", [self.violence_terms], set()),
            ("frequency", [p for p in frequency if p], set()),
        ]
        groups += [(f"metrics.{n}", m.patterns, {"value"}) for n, m in self.metrics.items()]
        groups.append(("refusals", [r.pattern for r in self.refusals], set()))
        groups += [
            (f"metrics.{n}.refusals", [r.pattern for r in m.refusals], set())
            for n, m in self.metrics.items()
        ]
        groups += [
            (f"metrics.{n}.subject", m.subject.patterns(), set())
            for n, m in self.metrics.items()
            if m.subject
        ]
        groups += [
            (f"metrics.{n}.requires", [m.requires], set())
            for n, m in self.metrics.items()
            if m.requires
        ]
        for table in self.tables:
            groups.append((f"tables.{table.id}", [table.title_pattern, table.total_row], set()))
            groups.append((f"tables.{table.id}.columns", list(table.columns.values()), set()))
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
        "{symbol}": SYMBOL_PATTERN,
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
    spec: MetricProfile
    refusals: tuple[tuple[re.Pattern[str], str], ...] = ()  # (pattern, reason), defaults first
    earlier_year: bool = True  # the default rule "earlier_year" applies
    subject: CompiledSubject | None = None  # the words that keep a figure the whole


@dataclass(frozen=True)
class CompiledTable:
    spec: TableProfile
    title: re.Pattern[str]
    total_row: re.Pattern[str]
    columns: tuple[tuple[str, re.Pattern[str]], ...]


@dataclass(frozen=True)
class CompiledProfile:
    profile: NormalizeProfile
    metrics: tuple[CompiledMetric, ...]
    qualifier: re.Pattern[str]
    qualifier_after: re.Pattern[str]  # "4,482 (approximately)": a qualifier printed after it
    period: tuple[re.Pattern[str], ...]
    previous_report: tuple[re.Pattern[str], ...]
    tables: tuple[CompiledTable, ...]
    as_of: tuple[re.Pattern[str], ...]
    letter_date: tuple[re.Pattern[str], ...]
    no_major: tuple[re.Pattern[str], ...]
    major: tuple[re.Pattern[str], ...]
    monthly: re.Pattern[str]
    quarterly: re.Pattern[str]
    incident_terms: re.Pattern[str]
    violence_terms: re.Pattern[str]


def refusals_of(profile: NormalizeProfile, metric: MetricProfile) -> list[Refusal]:
    """A metric's refusals: the defaults the profile keeps (a profile refusal of the same id
    replaces its default in place), then the profile's own, then the metric's."""
    own = {r.id: r for r in profile.refusals if r.id}
    kept = [
        own.get(r.id or "", r)
        for r in DEFAULT_REFUSALS
        if r.id not in profile.skip_default_refusals
    ]
    added = [r for r in profile.refusals if r not in kept]
    return [*kept, *added, *metric.refusals]


def compile_profile(profile: Mapping[str, Any]) -> CompiledProfile:
    """Validate and compile a profile dict; the same dict content is compiled only once."""
    try:
        key = json.dumps(profile, default=str)  # key order kept: metrics and columns are ordered
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
                m,
                tuple(
                    (one(r.pattern), r.reason)
                    for r in refusals_of(profile, m)
                    if r.parts or m.part_of is None
                ),
                "earlier_year" not in profile.skip_default_refusals,
                compile_subject(m.subject, lambda p: expand(p, profile.qualifiers))
                if m.subject
                else None,
            )
            for name, m in profile.metrics.items()
        ),
        qualifier=one("{qualifier}"),
        qualifier_after=one(r"\s*\(\s*{qualifier}\s*\)|\+|\s+or\s+so\b"),
        period=many(profile.period_patterns),
        previous_report=many(profile.previous_report_patterns),
        tables=tuple(
            CompiledTable(
                t,
                one(t.title_pattern),
                one(t.total_row),
                tuple((key, one(pattern)) for key, pattern in t.columns.items()),
            )
            for t in profile.tables
        ),
        as_of=many(profile.as_of_patterns),
        letter_date=many(profile.letter_date_patterns),
        no_major=many(profile.no_major_incident_patterns),
        major=many(profile.major_incident_patterns),
        monthly=one(profile.frequency.monthly_pattern or NEVER),
        quarterly=one(profile.frequency.quarterly_pattern or NEVER),
        incident_terms=one(profile.incident_terms),
        violence_terms=one(profile.violence_terms),
    )
