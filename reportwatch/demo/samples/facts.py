"""The facts one synthetic KFOR report is rendered from.

A :class:`SampleReport` holds everything :func:`reportwatch.demo.samples.render.render_pdf` needs to
print a document the way the UN Official Document System (ODS) prints Security Council letters:
masthead metadata, the cover letter, the NATO letter, the report itself and the wording variants
real reports used over the years. ``kfor_facts.yaml`` lists the archive we ship.
"""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path
from typing import Literal, TypeVar

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from reportwatch.errors import ConfigError

SYMBOL_PATTERN = re.compile(r"^S/\d{4}/\d{1,4}(?:/(?:Add|Corr|Rev)\.\d+)*$")
JOB_NUMBER_PATTERN = re.compile(r"^\d{2}-\d{5}$")

Era = Literal["quarterly", "monthly"]
# How the pages look: "ods" as ODS prints them today (2010s-2020s: "2/13  25-08272" footers),
# "ods-2012" (masthead on shared baselines, "2  12-27711" footers), "1990s" (the masthead
# spread over separate lines, "Page N" and "English" in the running header, "/..." at the foot).
PageLayout = Literal["ods", "ods-2012", "1990s"]
Layer = Literal["letter", "annex", "enclosure"]
ALL_LAYERS: tuple[Layer, ...] = ("letter", "annex", "enclosure")
PeriodWording = Literal[
    "from_to",  # from 1 January to 31 March 2020
    "from_to_full",  # from 1 January 2020 to 31 March 2020
    "days_of_month",  # from 1 to 31 July 2008 (one month)
    "dash",  # 1-31 March 2001
    "covering_no_year",  # covering the period 1 to 31 March (the year is only in the letter)
    "parenthesized",  # (24 January-22 February)
]

DEFAULT_TITLE = "Report to the United Nations on Kosovo Force operations"
MONTHLY_TITLE = "Monthly report to the United Nations on KFOR operations"


class SampleIncident(BaseModel):
    """One dated incident the report describes in its own paragraph."""

    model_config = ConfigDict(extra="forbid")

    date: dt.date
    place: str = Field(
        description="Where, as printed: 'Mitrovica (Multinational Task Force North)'."
    )
    summary: str = Field(description="What happened; completes 'On <date> in <place>, ...'.")
    casualties: int | None = Field(None, description="People killed or injured, when counted.")


class SampleFootnote(BaseModel):
    """A footnote: its marker is glued to the first use of ``word`` in the report."""

    model_config = ConfigDict(extra="forbid")

    word: str
    text: str


Doc = TypeVar("Doc", bound="PrintedDocument")


class PrintedDocument(BaseModel):
    """What every sample document shares: its catalogue record, its masthead and page furniture
    (the ODS layout of :mod:`reportwatch.demo.samples.pages`) and its typography quirks."""

    model_config = ConfigDict(extra="forbid")

    # identity and catalogue record (the loopback mirror serves these)
    symbol: str
    record_id: str | None = Field(None, description="UN Digital Library record id (7 digits).")
    catalogued_at: dt.datetime | None = None
    subjects: list[str] = Field(default_factory=list)
    notes: list[str] = Field(default_factory=list)

    # masthead
    distribution_date: dt.date
    original_language: str = "English"
    job_number: str = Field(description="ODS job number without the language, e.g. '21-03164'.")
    job_processed: dt.date = Field(description="Processing date printed after the job number.")

    # typography and page layout
    layout: PageLayout = "ods"
    joint_symbol: str | None = Field(
        None, description="A General Assembly symbol printed with the S/ one: 'A/75/123'."
    )
    reissued_on: dt.date | None = Field(
        None, description="Reissued: the symbol printed with '*' and a note at the foot of page 1."
    )
    hyphenate_words: bool = False
    soft_hyphens: bool = Field(
        False, description="Hyphenate with soft hyphens (code 0xAD) instead of hard ones."
    )
    break_words: list[str] = Field(
        default_factory=list, description="Words hyphenated at a line end wherever they fall."
    )
    digit_group: Literal[",", "\u00a0", " "] = Field(
        ",", description="Thousands separator of the figures ('15,413', '15 413')."
    )
    organ_size: float = Field(
        20.0, gt=0, description="Type size of 'Security Council' in the masthead (bold)."
    )
    overprint: bool = Field(
        False, description="Print every glyph twice, 0.3 pt apart (a producer's fake bold)."
    )
    sideways_lines: list[str] = Field(
        default_factory=list, description="Lines of a last page printed sideways (landscape)."
    )
    footnotes: list[SampleFootnote] = Field(
        default_factory=list, description="Superscript markers glued to words, notes at the foot."
    )

    @field_validator("symbol")
    @classmethod
    def _symbol_shape(cls, value: str) -> str:
        if not SYMBOL_PATTERN.match(value):
            raise ValueError(f"symbol {value!r} is not shaped like S/YYYY/NNN")
        return value

    @field_validator("joint_symbol")
    @classmethod
    def _joint_shape(cls, value: str | None) -> str | None:
        if value is not None and not re.fullmatch(r"A/\d{2}/\d{1,4}", value):
            raise ValueError(f"joint symbol {value!r} is not shaped like A/75/123")
        return value

    @field_validator("job_number")
    @classmethod
    def _job_number_shape(cls, value: str) -> str:
        if not JOB_NUMBER_PATTERN.match(value):
            raise ValueError(f"job number {value!r} is not shaped like 21-03164")
        return value

    @field_validator("record_id")
    @classmethod
    def _record_id_shape(cls, value: str | None) -> str | None:
        if value is not None and not re.fullmatch(r"\d{7}", value):
            raise ValueError(f"record_id {value!r} is not 7 digits")
        return value

    # derived values the renderer and the catalogue share ---------------------------------------
    @property
    def catalog_title(self) -> str:
        """The title the catalogue (MARC 245) gives the document."""
        raise NotImplementedError

    @property
    def reissue_marks(self) -> str:
        return "*" if self.reissued_on else ""

    @property
    def printed_symbol(self) -> str:
        """The symbol as the masthead prints it: 'S/2021/228*' for a reissue."""
        return self.symbol + self.reissue_marks

    @property
    def job_line(self) -> str:
        """The footer line of page 1: '21-03164 (E)    110321' ('21-03164* (E)' reissued)."""
        processed = self.reissued_on or self.job_processed
        return f"{self.job_number}{self.reissue_marks} (E)    {processed:%d%m%y}"

    @property
    def reissue_note(self) -> str | None:
        if self.reissued_on is None:
            return None
        return f"* Reissued for technical reasons on {format_date(self.reissued_on)}."

    @property
    def barcode_text(self) -> str:
        """The text under the barcode: '*2103164*'."""
        return "*" + self.job_number.replace("-", "") + "*"

    @property
    def file_name(self) -> str:
        return self.symbol.replace("/", "_") + ".pdf"


class SampleReport(PrintedDocument):
    """Everything needed to render one KFOR report PDF and its catalogue record."""

    # cover letter and NATO letter
    letter_date: dt.date
    nato_letter_date: dt.date | None = None
    sg_name: str = "António Guterres"
    nato_sg_name: str = "Jens Stoltenberg"
    layers: list[Layer] = Field(default_factory=lambda: list(ALL_LAYERS))

    # the report
    era: Era = "quarterly"
    title: str = DEFAULT_TITLE
    period_start: dt.date
    period_end: dt.date
    period_wording: PeriodWording = "from_to"
    as_of_date: dt.date | None = Field(None, description="Date of the troop count (default: end).")
    troops_total: int | None = None
    troops_qualifier: str | None = Field(
        None, description="'remained approximately', 'almost', 'about'...; None prints 'was'."
    )
    nato_nations: int | None = None
    non_nato_nations: int | None = None
    nations_in_words: bool = True
    non_nato_troops: int | None = Field(
        None, description="Monthly era: troops from non-NATO states."
    )
    troops_addendum: str | None = Field(
        None, description="A sentence printed after the troop sentence (reserve forces...)."
    )
    major_incidents: bool | None = Field(
        None, description="True/False writes the matching statement; None writes neither."
    )
    incidents: list[SampleIncident] = Field(default_factory=list)
    distractors: list[str] = Field(
        default_factory=list,
        description="Paragraphs full of other numbers (arrests, rounds, euros).",
    )
    filler_paragraphs: int = Field(0, ge=0, description="Routine paragraphs added to lengthen.")

    @model_validator(mode="after")
    def _consistent(self) -> SampleReport:
        if self.period_end < self.period_start:
            raise ValueError("period_end is before period_start")
        if not self.layers or [x for x in ALL_LAYERS if x in self.layers] != self.layers:
            raise ValueError(f"layers must be a non-empty ordered subset of {list(ALL_LAYERS)}")
        if "enclosure" in self.layers and "annex" not in self.layers:
            raise ValueError("an enclosure needs the annex that transmits it")
        return self

    @property
    def catalog_title(self) -> str:
        return self.letter_title if "letter" in self.layers else self.title

    @property
    def letter_title(self) -> str:
        return (
            f"Letter dated {format_date(self.letter_date)} from the Secretary-General "
            "addressed to the President of the Security Council"
        )

    @property
    def troops_as_of(self) -> dt.date:
        return self.as_of_date or self.period_end


def format_date(value: dt.date) -> str:
    """UN style: '5 March 2021' (no leading zero)."""
    return f"{value.day} {value:%B %Y}"


def load_facts(path: Path) -> list[SampleReport]:
    """Read a YAML list of KFOR reports; errors name the file, the entry and the field."""
    return load_reports(path, SampleReport)


def load_reports(path: Path, model: type[Doc]) -> list[Doc]:
    """Read the reports of a facts file as ``model``: a list under ``reports`` (or the file
    itself), each merged over the file's ``document`` defaults when it has them."""
    try:
        raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as exc:
        raise ConfigError(f"cannot read sample facts {path}: {exc}", hint="fix the file") from exc
    entries = raw.get("reports") if isinstance(raw, dict) else raw
    if not isinstance(entries, list):
        raise ConfigError(f"{path} must hold a list under 'reports'", hint="see kfor_facts.yaml")
    defaults = (raw.get("document") if isinstance(raw, dict) else None) or {}
    reports: list[Doc] = []
    for index, entry in enumerate(entries):
        try:
            reports.append(model.model_validate({**defaults, **entry}))
        except ValidationError as exc:
            first = exc.errors()[0]
            where = ".".join(str(p) for p in first["loc"])
            raise ConfigError(
                f"{path}: report #{index + 1}: {where}: {first['msg']}", hint="fix the entry"
            ) from exc
    symbols = [r.symbol for r in reports]
    duplicates = sorted({s for s in symbols if symbols.count(s) > 1})
    if duplicates:
        raise ConfigError(f"{path}: duplicate symbols {duplicates}", hint="symbols are unique")
    return reports
