"""Refusals: wording that makes a figure something else than the figure as it stands.

Every profile gets :data:`DEFAULT_REFUSALS`, refusals about the kind of sentence whatever the
series (docs/series.md, "Default refusals"); a profile drops one by id
(``skip_default_refusals``), replaces one with a refusal of the same ``id``, and adds its own.
A metric's list is :func:`tasks.read.profile.refusals_of`. Where a refusal is looked for, and
the ``earlier_year`` rule that is no pattern, are in :mod:`tasks.read.figures` and
:mod:`tasks.read.clauses`.
"""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field


class Refusal(BaseModel):
    """Wording that makes a figure something else than the figure as it stands."""

    model_config = ConfigDict(extra="forbid")

    id: str | None = Field(
        None, description="Names it: a profile's refusal with a default's id replaces that one."
    )
    pattern: str = Field(
        description="Looked for from the start of the figure's ';'-clause to the end of its clause."
    )
    reason: str = Field(description="What the figure is instead, for the warning: 'a forecast'.")
    parts: bool = Field(
        True, description="false: a part metric's figure (one with `part_of`) is not refused."
    )


# Refusals about the kind of sentence, whatever the series: every profile gets them (a profile
# drops one with `skip_default_refusals`, or replaces it by a refusal of the same `id`).
# "earlier_year" is no pattern but a rule (tasks/read/clauses.py: a clause set in a year before
# the period's); it is skipped the same way.
DEFAULT_REFUSALS: tuple[Refusal, ...] = (
    # "would be reduced to 2,500 in the course of 2025", "is expected to reach 5,000 next year"
    Refusal(
        id="plan",
        pattern=r"\b(?:will|would|shall|(?:is|are)\s+to\s+be|expect(?:s|ed)?|plan(?:s|ned|ning)?|"
        r"project(?:s|ed)|foreseen|envisaged|intend(?:s|ed)?|aim(?:s|ed)?\s+to|scheduled|"
        r"target\s+(?:strength|level|figure)|ceiling|next\s+(?:year|month|quarter|reporting\s+period))\b",
        reason="it is a plan or a forecast, not the strength as it stands",
    ),
    # "if the situation allows, ...", "should the Council decide ..."
    Refusal(
        id="condition",
        pattern=r"\b(?:if|unless|should|could|might|provided\s+that)\b",
        reason="it is a condition, not the strength as it stands",
    ),
    # "In the previous reporting period, ... was 3,800", "In my previous report, I noted ..."
    Refusal(
        id="earlier_period",
        pattern=r"\b(?:previous|preceding|prior|last|earlier|former)\s+(?:reporting\s+)?"
        r"(?:periods?|reports?|quarters?|months?|years?|rotations?)\b",
        reason="it is the figure of an earlier period",
    ),
    # "The total number of KFOR personnel killed in the line of duty since 1999 is 146"
    Refusal(
        id="casualties",
        pattern=r"\b(?:killed|died|dead|deaths?|fatalit(?:y|ies)|casualt(?:y|ies)|wounded|injured|"
        r"lost\s+their\s+lives|line\s+of\s+duty)\b",
        reason="it counts casualties, not the strength",
    ),
    # "The total number of troops rotated through KFOR in the period was 1,200"
    Refusal(
        id="rotations",
        pattern=r"\b(?:rotat(?:ed|es|ing|ions?)|redeploy(?:ed|ments?)?|transited|passed\s+through)\b",
        reason="it counts troops rotated or moved over time, not the strength",
    ),
    # "was temporarily 5,100 during the exercise", "peaked at 50,000"
    Refusal(
        id="temporary",
        pattern=r"\b(?:temporar(?:y|ily)|briefly|exercises?|surge[ds]?|peak(?:ed|s)?|height|maximum)\b",
        reason="it is a temporary or peak figure, not the strength as it stands",
    ),
    # "Of the total number of KFOR troops, 650 were deployed in the north"
    Refusal(
        id="part",
        pattern=r"^\W*(?:of|among)\s+(?:the|these|those|this|its|their|them)\b",
        reason="it counts a part of the whole, not the whole",
        parts=False,
    ),
)
DEFAULT_REFUSAL_IDS = frozenset({*(r.id for r in DEFAULT_REFUSALS if r.id), "earlier_year"})
