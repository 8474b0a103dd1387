"""A metric's subject: an allow-list of the words that keep a figure the whole one.

A pattern such as "the total number of ... troops ... was N" finds *candidates*; whether the
sentence counts the whole force or a part of it (the troops at Headquarters, along the
administrative boundary line, the female troops, the authorized strength, another force) is
decided by the words around the subject, and only words the profile allows keep it the whole
(``subject`` of a metric in ``series/profiles/<name>.yaml``; docs/series.md, "Subject"):

* ``words``: every word from the start of the match to the figure must be one of these (dates,
  "from 27 nations", qualifiers and masked identifiers aside): "the total number of KFOR troops
  in theatre was" passes, "the total number of troops deployed along the administrative boundary
  line was" does not (``along``);
* ``before``: the text before the match, in its clause, must end with this ("the", "KFOR", a
  comma): "the authorized troop strength", "KSF troop strength" and "Serbian troop levels" do not;
* ``after``: when the match goes on past its figure ("KFOR had 1,100 troops ..."), the text after
  the match must start with this ("from 27 countries", a comma, the end): "... troops in the
  north", "... troops more than in September" and "... personnel recruited locally" do not.

Anything else is no reading of the metric; the figure is refused with a warning naming the
sentence when no other sentence states the metric.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

from pydantic import BaseModel, ConfigDict, Field

from tasks.read.clauses import drop_identifiers

_WORD = re.compile(r"[^\W\d_](?:[\w'’-]*\w)?")
_MASKED = re.compile(r"^(?:X+|Y+|Z+|N+|T+)$")  # blanked part clauses, years, identifiers, times
_BLANKED = re.compile(r"X{3,}")  # a part clause read past (tasks.read.clauses.mask_parts)
_CLAUSE_EDGE = re.compile(r"[,;:()]")
# A figure in words before its digits: "four thousand four hundred and eighty-two (4,482)".
_NUMBER_WORDS = re.compile(
    r"\b(?:(?:one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|thirteen|fourteen|"
    r"fifteen|sixteen|seventeen|eighteen|nineteen|twenty|thirty|forty|fifty|sixty|seventy|"
    r"eighty|ninety|hundred|thousand)(?:-\w+)?(?:\s+and)?\s*)+\(?\s*$",
    re.IGNORECASE,
)
REASON = "its subject is not the whole ({words}), so it is a part or another body"


class Subject(BaseModel):
    """The words that keep a metric's figure the whole (see :mod:`tasks.read.subject`)."""

    model_config = ConfigDict(extra="forbid")

    words: list[str] = Field(
        min_length=1,
        description="Every word from the match's start to its figure is one of these (any case).",
    )
    before: str = Field(
        r"(?:^|\bthe)\s*",
        description="The text before the match, in its clause, ends with this (a pattern).",
    )
    after: str = Field(
        r"\s*(?:[,.;:(]|$)",
        description="When the match goes on past its figure: what the text after it starts with.",
    )
    skip: list[str] = Field(
        default_factory=list,
        description="Patterns for phrases the words check leaves out: 'from {number} nations'.",
    )
    mentions: str | None = Field(
        None,
        description="A sentence matching this (and `requires`) that prints a figure no pattern "
        "reads is named in a warning and the quarantine reason when the metric is null.",
    )

    def patterns(self) -> list[str]:
        """Every pattern it holds, for the profile's compile check."""
        return [self.before, self.after, *self.skip, *([self.mentions] if self.mentions else [])]


@dataclass(frozen=True)
class CompiledSubject:
    words: frozenset[str]
    before: re.Pattern[str]  # searched in the clause's text before the match (ends at $)
    after: re.Pattern[str]  # matched at the end of the match
    skip: tuple[re.Pattern[str], ...]
    mentions: re.Pattern[str] | None = None

    def refusal(
        self, text: str, match: re.Match[str], value_start: int, value_end: int
    ) -> str | None:
        """Why ``match`` (in ``text``, its figure at ``value_start:value_end``) is not the
        whole, or None."""
        between = drop_identifiers(text[match.start() : value_start])
        between = _BLANKED.sub(" ", _NUMBER_WORDS.sub(" ", between))
        for phrase in self.skip:
            between = phrase.sub(" ", between)
        strangers = [
            w
            for w in _WORD.findall(between)
            if not _MASKED.match(w) and w.lower() not in self.words
        ]
        if strangers:
            return REASON.format(words=", ".join(f"'{w}'" for w in dict.fromkeys(strangers)))
        edges = [m.end() for m in _CLAUSE_EDGE.finditer(text, 0, match.start())]
        lead = text[edges[-1] if edges else 0 : match.start()]
        if not self.before.search(lead):
            word = _WORD.findall(lead)
            shown = word[-1] if word else lead.strip()
            return REASON.format(words=f"'{shown}' before it")
        if match.end() > value_end and not self.after.match(text, match.end()):
            tail = _WORD.findall(text[match.end() : match.end() + 40])[:3]
            return REASON.format(words=f"'{' '.join(tail)}' after it")
        return None


def compile_subject(subject: Subject, fill: Callable[[str], str]) -> CompiledSubject:
    """``fill`` fills the profile's placeholders (:func:`tasks.read.profile.expand`)."""
    return CompiledSubject(
        frozenset(w.lower() for w in subject.words),
        re.compile(f"(?:{fill(subject.before)})$", re.IGNORECASE),
        re.compile(fill(subject.after), re.IGNORECASE),
        tuple(re.compile(fill(p), re.IGNORECASE) for p in subject.skip),
        re.compile(fill(subject.mentions), re.IGNORECASE) if subject.mentions else None,
    )
