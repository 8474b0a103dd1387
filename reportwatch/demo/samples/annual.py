"""The facts and the wording of a synthetic annual report with an annex table of contributions.

Some series are yearly reports of the Secretary-General on a mission: numbered paragraphs under
roman-numbered and lettered headings, no stated period (the report "covers developments since
my report dated ..."), a sentence with the military strength against the authorized strength,
and an annex printed as a table without ruling lines, "Contributions as at <date>", one row per
country, a Total row and lettered notes. :class:`AnnualReport` holds one such report;
the mission's names (``mission``, ``mission_name``, ``territory``, ``title``) come from the
facts file (``<series>_facts.yaml``, key ``document``), so this module names no mission.

The formulaic sentences follow the patterns real reports use, because those are what the
normalizer reads; the routine paragraphs are our own words. Distractors a careless reader
would take for facts are printed too: a recommendation to raise the authorized strength, an
"As at" sentence about unpaid contributions, counts of patrols.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from reportwatch.demo.samples.facts import PrintedDocument, format_date, load_reports
from reportwatch.demo.samples.wording import Block

ROUTINE = (
    "The situation in {territory}, as it presents itself to {mission}, remained generally "
    "calm during the reporting period, and the ceasefire continued to hold.",
    "My Personal Envoy continued his consultations with the parties and the neighbouring "
    "States, and travelled to the region twice to prepare the ground for a further round of "
    "talks.",
    "{mission} kept regular contacts with both parties through its liaison offices and "
    "continued to monitor their adherence to the military agreements on both sides of the berm.",
    "The logistics teams of the Mission supplied the team sites with fuel, water and rations "
    "throughout the year, often in difficult desert conditions.",
    "Mine action teams cleared contaminated areas east of the berm and destroyed explosive "
    "remnants of war found near team sites and along patrol routes.",
    "The United Nations country team and the humanitarian agencies continued to assist the "
    "refugees in the camps, whose needs for food, water and shelter remained high.",
    "Both parties received delegations and visitors in the Territory, and the Mission followed "
    "the demonstrations held in the main towns, which remained small and mostly peaceful.",
)
CLOSING = (
    "I thank the countries that contribute military observers, troops and police to the "
    "Mission, and the men and women of {mission} for their work in difficult circumstances."
)


class SampleRow(BaseModel):
    """One country of the annex table: military observers, troops, civilian police."""

    model_config = ConfigDict(extra="forbid")

    country: str
    observers: int = Field(ge=0)
    troops: int = Field(0, ge=0)
    police: int = Field(0, ge=0)
    dash_for_zero: bool = Field(False, description="Print a zero as an en dash (nil).")

    def cells(self) -> tuple[str, ...]:
        values = (self.observers, self.troops, self.police, self.total)
        return tuple("\u2013" if v == 0 and self.dash_for_zero else str(v) for v in values)

    @property
    def total(self) -> int:
        return self.observers + self.troops + self.police


class AnnualReport(PrintedDocument):
    """Everything needed to render one annual report with its annex table."""

    # the mission (the facts file's `document` defaults)
    mission: str
    mission_name: str
    territory: str
    title: str

    # the report
    previous_symbol: str
    previous_date: dt.date
    since_issuance: bool = Field(
        False, description="'since the issuance of my report dated' instead of 'since my report'."
    )
    resolution: str = Field(description="The resolution it answers: '2099 (2013)'.")
    mandate_until: dt.date
    as_of_date: dt.date
    as_of_wording: Literal["As at", "As of"] = "As at"
    military_strength: int = Field(gt=0)
    female_military: int | None = Field(None, ge=0, description="'<k> of whom are female'.")
    authorized_strength: int = Field(gt=0)
    ground_patrols: int = Field(8000, ge=0)
    aerial_patrols: int = Field(500, ge=0)
    unpaid_millions: float = Field(40.0, ge=0)
    recommend_increase: int | None = Field(
        None, description="A recommendation to raise the authorized strength by this many."
    )
    filler_paragraphs: int = Field(5, ge=0)

    # the annex
    contributions_as_of: dt.date
    contributions: list[SampleRow] = Field(min_length=1)
    police_authorized: int = 6
    printed_total: list[int] | None = Field(
        None, description="The Total row as printed when it does not add up (a misprint)."
    )
    two_line_header: bool = Field(False, description="Column headings over two lines.")
    label_width: float | None = Field(
        None, description="Labels wider than this (points) are cut over two lines."
    )
    annex_as_image: bool = Field(
        False, description="The annex printed as a picture: no text layer, nothing to read."
    )

    @model_validator(mode="after")
    def _consistent(self) -> AnnualReport:
        if self.previous_date >= self.distribution_date:
            raise ValueError("previous_date is not before the distribution date")
        if self.female_military is not None and self.female_military >= self.military_strength:
            raise ValueError("female_military is not below military_strength")
        names = [row.country for row in self.contributions]
        if len(set(names)) != len(names):
            raise ValueError("a country is listed twice in contributions")
        return self

    @property
    def catalog_title(self) -> str:
        return self.title

    @property
    def totals(self) -> tuple[int, int, int, int]:
        rows = self.contributions
        observers, troops = sum(r.observers for r in rows), sum(r.troops for r in rows)
        police = sum(r.police for r in rows)
        return observers, troops, police, observers + troops + police


def load_annual_facts(path: Path) -> list[AnnualReport]:
    """Read ``document`` (defaults every report shares) and ``reports`` from ``path``."""
    return load_reports(path, AnnualReport)


def compose_annual(report: AnnualReport) -> list[Block]:
    """All blocks of the document, in reading order."""
    names = {"mission": report.mission, "territory": report.territory}
    number = 0
    blocks = [Block("report_title", report.title)]

    def section(heading: str, texts: list[str]) -> None:
        nonlocal number
        blocks.append(Block("heading", heading))
        for text in texts:
            number += 1
            blocks.append(Block("numbered", text.format(**names), number))

    section("I. Introduction", [introduction(report)])
    routine = [ROUTINE[i % len(ROUTINE)] for i in range(report.filler_paragraphs)]
    section("II. Recent developments", routine or [ROUTINE[0]])
    blocks.append(Block("heading", f"III. Activities of {report.mission}"))
    operations = [strength_sentence(report) + " " + patrols(report)]
    if report.recommend_increase:
        operations.append(
            f"In view of the monitoring requirements, I recommend that the Security Council "
            f"extend the mandate of {{mission}} for a further 12 months, with an increase of "
            f"{report.recommend_increase} military observers to the authorized strength."
        )
    section("A. Operational activities", operations)
    section(
        "IV. Financial aspects",
        [
            f"{report.as_of_wording} {format_date(report.distribution_date - dt.timedelta(days=9))}"
            f", unpaid assessed contributions to the Special Account for {{mission}} amounted "
            f"to ${report.unpaid_millions:.1f} million."
        ],
    )
    section("V. Observations and recommendations", [ROUTINE[2], ROUTINE[5], CLOSING])
    blocks.append(Block("part", "Annex"))
    if report.annex_as_image:
        blocks.append(
            Block("image", f"Contributions as at {format_date(report.contributions_as_of)}")
        )
        return blocks
    blocks.append(Block("heading", report.mission_name))
    blocks.append(
        Block("heading", f"Contributions as at {format_date(report.contributions_as_of)}")
    )
    blocks.append(annex_table(report))
    return blocks


def introduction(report: AnnualReport) -> str:
    since = "since the issuance of my report" if report.since_issuance else "since my report"
    return (
        f"The present report is submitted pursuant to Security Council resolution "
        f"{report.resolution}, by which the Council extended the mandate of the "
        f"{report.mission_name} ({report.mission}) until {format_date(report.mandate_until)} and "
        f"requested a report on the situation in {report.territory}. It covers developments "
        f"{since} dated {format_date(report.previous_date)} ({report.previous_symbol}) and "
        "describes the situation on the ground and the status of the negotiations."
    )


def strength_sentence(report: AnnualReport) -> str:
    """ "As at 15 March 2012, the military component of ... stood at 228 personnel, ..." """
    figure = f"{report.military_strength:,}".replace(",", report.digit_group)
    detail = (
        f", {report.female_military} of whom are female,"
        if report.female_military is not None
        else ", including the Force Commander and the medical unit,"
    )
    return (
        f"{report.as_of_wording} {format_date(report.as_of_date)}, the military component of "
        f"{report.mission} stood at {figure} personnel{detail} against the authorized strength "
        f"of {report.authorized_strength}."
    )


def patrols(report: AnnualReport) -> str:
    return (
        f"The Mission conducted {report.ground_patrols:,} ground patrols and "
        f"{report.aerial_patrols:,} aerial patrols to visit and monitor the units of both parties."
    )


def annex_table(report: AnnualReport) -> Block:
    """The table block: a header row (footnote letters after a '^'), the rows, the Total row."""
    split = "\n" if report.two_line_header else " "
    header = ("Country", f"Military{split}observers^a", "Troops^a", f"Civilian{split}police^b",
              "Total")  # fmt: skip
    rows = [(r.country, *r.cells()) for r in report.contributions]
    observers, troops, police, total = report.printed_total or report.totals
    rows.append(("Total", str(observers), str(troops), str(police), f"{total}^c"))
    notes = (
        f"a^Authorized strength is {report.authorized_strength}, including the Force Commander.",
        f"b^Authorized strength is {report.police_authorized}.",
        "c^Actual strength on the ground, for military and civilian police, including the "
        "Force Commander.",
    )
    width = f"{report.label_width}" if report.label_width else ""
    return Block("table", width, cells=(header, *rows), notes=notes)
