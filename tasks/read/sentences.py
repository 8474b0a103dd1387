"""Split a paragraph into sentences, for sentence-level evidence.

A full stop ends a sentence only when whitespace and a plausible sentence start follow it,
and the word before it is not an abbreviation ("e.g.", "No.", "Mr."), an initial
("Kofi A. Annan"), a dotted acronym ("U.S.") or a paragraph number ("2. As at ...").
Symbols ("S/2020/123") and decimals ("€1.2 billion") contain no whitespace after their
dots, so they never split.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

# Lower-case, without the final dot.
ABBREVIATIONS = frozenset(
    {
        "e.g",
        "i.e",
        "cf",
        "etc",
        "viz",
        "vs",
        "no",
        "nos",
        "mr",
        "mrs",
        "ms",
        "dr",
        "st",
        "gen",
        "lt",
        "col",
        "maj",
        "capt",
        "sgt",
        "prof",
        "para",
        "paras",
        "art",
        "arts",
        "vol",
        "p",
        "pp",
        "fig",
        "approx",
        "est",
        "ref",
        "op",
        "rev",
        "corr",
        "add",
        "distr",
        "jr",
        "sr",
        "inc",
        "ltd",
        "co",
        "al",
        # months: "as at 31 Dec. 2023"
        "jan",
        "feb",
        "mar",
        "apr",
        "jun",
        "jul",
        "aug",
        "sep",
        "sept",
        "oct",
        "nov",
        "dec",
    }
)

# Candidate boundary: terminal punctuation, optional closing quotes/brackets, whitespace,
# then something that can start a sentence.
_BOUNDARY_RE = re.compile(r"[.!?][\"'”’)\]]*\s+(?=[\"'“‘(\[]?[A-Z0-9À-Ý])")
_WORD_BEFORE_RE = re.compile(r"(\S+)$")
_INITIAL_RE = re.compile(r"^\(?[A-Z]$")
_ACRONYM_RE = re.compile(r"^(?:[A-Za-z]\.)+[A-Za-z]$")
_ENUMERATOR_RE = re.compile(r"^\(?(?:\d{1,3}|[a-z]|[ivx]{1,4})\)?$")
_SPACE_RE = re.compile(r"\s+")
# "includes 2. 708 non-NATO troops": a full stop inside what may be one figure is no boundary
# (tasks.read.figures refuses the figure, naming the whole sentence).
_GROUP_BEFORE_RE = re.compile(r"(?<![\d,.])\d{1,3}$")
_GROUP_AFTER_RE = re.compile(r"\.\s\d{3}(?!\d)")


@dataclass(frozen=True)
class Sentence:
    text: str
    start: int  # offset in the paragraph text
    end: int


def _is_boundary(text: str, dot: int, sentence_start: int) -> bool:
    if text[dot] != ".":
        return True
    if _GROUP_AFTER_RE.match(text, dot) and _GROUP_BEFORE_RE.search(text, sentence_start, dot):
        return False
    match = _WORD_BEFORE_RE.search(text, sentence_start, dot)
    word = match.group(1) if match else ""
    bare = word.lstrip("(\"'“‘[")
    if bare.lower() in ABBREVIATIONS:
        return False
    if _INITIAL_RE.match(bare) or _ACRONYM_RE.match(bare):
        return False
    # "2. As at ...": a paragraph or list number standing alone is not a sentence.
    return not (_ENUMERATOR_RE.match(bare) and text[sentence_start:dot].strip() == word)


def split_sentences(text: str) -> list[Sentence]:
    """Sentences of ``text`` with their offsets; whitespace inside each is collapsed."""
    sentences: list[Sentence] = []
    start = 0
    length = len(text)
    while start < length and text[start].isspace():
        start += 1
    for match in _BOUNDARY_RE.finditer(text):
        if match.start() < start:
            continue
        if not _is_boundary(text, match.start(), start):
            continue
        end = match.end()
        piece = text[start:end].strip()
        if piece:
            sentences.append(Sentence(_SPACE_RE.sub(" ", piece), start, end))
        start = end
    tail = text[start:].strip()
    if tail:
        sentences.append(Sentence(_SPACE_RE.sub(" ", tail), start, length))
    return sentences
