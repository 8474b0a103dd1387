"""Sentences facts are read from, each knowing its paragraph and its printed text.

Every pattern runs on :attr:`Sentence.text`, the normalized text of :mod:`tasks.read.textnorm`;
evidence and warnings quote :attr:`Sentence.printed`, the same sentence as printed. Footnotes
(``kind = 'footnote'``) are not read for facts: they cite, they do not report.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from reportwatch.models import DocumentText, Evidence, Paragraph
from tasks.read.sentences import split_sentences
from tasks.read.textnorm import pattern_text


@dataclass(frozen=True)
class Sentence:
    text: str  # normalized: what patterns read
    printed: str  # as printed: what evidence quotes
    part: str
    paragraph: Paragraph
    paragraph_index: int

    def evidence(self) -> Evidence:
        return Evidence(
            page=self.paragraph.page, paragraph=self.paragraph.number, text=self.printed
        )


@dataclass
class Facts:
    """What the finders collect before the report is assembled."""

    values: dict[str, Any] = field(default_factory=dict)
    evidence: dict[str, Evidence] = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)
    sources: dict[str, Sentence] = field(default_factory=dict)
    approximate: dict[str, bool] = field(default_factory=dict)  # metric → qualified figure
    # metric → sentences that mention it with a figure no pattern read (named when it is null)
    unread: dict[str, list[Sentence]] = field(default_factory=dict)

    def set(self, name: str, value: Any, where: Evidence | Sentence) -> None:
        self.values[name] = value
        if isinstance(where, Sentence):
            self.sources[name] = where
            where = where.evidence()
        self.evidence[name] = where

    def drop(self, name: str) -> None:
        for store in (self.values, self.evidence, self.sources):
            store.pop(name, None)

    def merge(self, other: Facts) -> None:
        self.values.update(other.values)
        self.evidence.update(other.evidence)
        self.sources.update(other.sources)
        self.approximate.update(other.approximate)
        self.unread.update(other.unread)
        self.warnings += other.warnings


def sentences_of(doc: DocumentText) -> list[Sentence]:
    """The sentences of every running-text paragraph, in document order."""
    found: list[Sentence] = []
    for index, paragraph in enumerate(doc.paragraphs):
        if paragraph.kind == "footnote":
            continue
        view = pattern_text(paragraph.text, paragraph.marks)
        for sentence in split_sentences(view.text):
            found.append(
                Sentence(
                    sentence.text,
                    view.printed(sentence.start, sentence.end),
                    paragraph.part,
                    paragraph,
                    index,
                )
            )
    return found


def in_parts(sentences: Sequence[Sentence], parts: Sequence[str]) -> list[Sentence]:
    """Sentences of ``parts``, the most trusted part first, document order within a part."""
    rank = {part: position for position, part in enumerate(parts)}
    chosen = [s for s in sentences if s.part in rank]
    return sorted(chosen, key=lambda s: rank[s.part])  # sorted() is stable


def where(sentence: Sentence) -> str:
    number = f" paragraph {sentence.paragraph.number}" if sentence.paragraph.number else ""
    return f"{sentence.part}, page {sentence.paragraph.page}{number}"


def quoted(sentence: Sentence, limit: int = 160) -> str:
    """The printed sentence for a warning, shortened in the middle when long."""
    text = sentence.printed
    if len(text) <= limit:
        return f'"{text}"'
    half = limit // 2
    return f'"{text[:half].rstrip()} … {text[-half:].lstrip()}"'
