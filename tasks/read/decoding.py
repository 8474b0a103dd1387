"""Whether a text layer can be read at all: glyphs without a meaning, and text that is no language.

A font may carry no Unicode map (``/ToUnicode``). Then the text of its glyphs is a guess:
pdfminer gives "(cid:12)" for a code it cannot name, and for an embedded TrueType font it maps
codes through the font's own character table, which after subsetting gives *letters* that are
not the printed ones ("dK2F E M N 3,GORdS"). Three checks, on what extraction kept:

* more than :data:`UNDECODABLE_SHARE` of the glyphs without a Unicode meaning ("(cid:N)",
  control codes, private use): unusable;
* almost no letters among the glyphs that were decoded: unusable;
* a text font without a Unicode map whose words are no language: fewer than
  :data:`LANGUAGE_SHARE` of its words (three letters or more) are common function words of the
  languages the reports are published in (English, French, Spanish; German, Italian and
  Portuguese too). Measured on our samples and the real ODS PDFs: running text 24-31 %, bold
  headings 11-22 %, the decoded letters of a subset font read through its own character table
  0 %. Judged only for a font printing :data:`MAIN_FONT_SHARE` of the document's words and at
  least :data:`MIN_WORDS` words: a heading font is too short to judge, and a table of country
  names in a font of its own has no function words at all. A font with a Unicode map is
  trusted.

Each raises :class:`~reportwatch.errors.NeedsOcrError` naming the fonts: the file needs OCR, it
is never read as paragraphs of garbage, and never rejected as "not the series" for them.
"""

from __future__ import annotations

import re
import unicodedata
from collections import Counter
from collections.abc import Iterable

from reportwatch.errors import NeedsOcrError
from tasks.read.pdf_lines import Line

CID = re.compile(r"^\(cid:\d+\)$")
UNDECODABLE_SHARE = 0.3  # above this share of undecodable glyphs, the text layer is unusable
LANGUAGE_SHARE = 0.05  # a font whose words hold fewer function words than this is no language
MIN_WORDS = 30  # fewer words than this: too few to judge a font
MAIN_FONT_SHARE = 0.2  # a font printing this share of the document's words is a text font
OCR_HINT = "run OCR on it, for example with ocrmypdf, and put the result in the drop folder"
_WORD = re.compile(r"[^\W\d_]{3,}")
_LANGUAGES = {
    "English": "the and that for with was were are this which from has have had its not been "
    "their all during also other such these those would will there into than she they our his "
    "her who",
    "French": "les des est pour par sur dans que qui aux elle pas sont été avec son ses leur une",
    "Spanish": "los las del por para con una como más fue han entre sus",
    "German, Italian, Portuguese": "der die das und den dem von mit ist nicht ein eine auf für "
    "sich che per non della sono dos das uma não com",
}
FUNCTION_WORDS = frozenset(
    word for words in _LANGUAGES.values() for word in words.split() if len(word) >= 3
)


def meaningless(text: str) -> bool:
    """A glyph whose Unicode says nothing: "(cid:N)", a control code, private use, unassigned."""
    if CID.match(text):
        return True
    return any(unicodedata.category(ch) in {"Cc", "Co", "Cn", "Cs"} for ch in text)


def check_decodable(
    label: str,
    lines: Iterable[Line],
    *,
    glyphs: int,
    undecodable: Counter[str],
    unmapped: set[str],
) -> list[str]:
    """Raise NeedsOcrError when the text layer cannot be read (see the module docstring).

    ``glyphs`` counts every visible glyph, ``undecodable`` those without a meaning by font,
    ``unmapped`` names the fonts without a Unicode map. Returns the warnings for a text layer
    that is readable but left glyphs out.
    """
    if not glyphs:
        return []
    lines = list(lines)
    bad = sum(undecodable.values())
    fonts = ", ".join(name for name, _ in undecodable.most_common(4))
    if bad > UNDECODABLE_SHARE * glyphs:
        raise NeedsOcrError(
            f"{label}: {bad:,} of its {glyphs:,} characters cannot be decoded (fonts "
            f"without a Unicode map: {fonts}): its text layer is unusable and it needs OCR",
            hint=OCR_HINT,
        )
    letters = sum(1 for line in lines for ch in line.text if ch.isalpha())
    if letters < UNDECODABLE_SHARE * (glyphs - bad) and glyphs - bad > 50:
        used = Counter(c.font for line in lines for c in line.chars).most_common(4)
        raise NeedsOcrError(
            f"{label}: its {glyphs:,} characters hold almost no letters (fonts: "
            f"{', '.join(name for name, _ in used)}): its text layer is unusable and it needs OCR",
            hint=OCR_HINT,
        )
    _check_language(label, lines, unmapped)
    if bad:
        return [f"{bad:,} characters could not be decoded and were left out (fonts: {fonts})"]
    return []


def _check_language(label: str, lines: list[Line], unmapped: set[str]) -> None:
    """Raise NeedsOcrError when a font without a Unicode map decodes to no language."""
    if not unmapped:
        return
    words: dict[str, list[str]] = {}
    for line in lines:
        words.setdefault(line.font, []).extend(_WORD.findall(line.text.lower()))
    everything = sum(len(found) for found in words.values())
    gibberish: list[tuple[str, int, int]] = []
    for font, found in words.items():
        if font not in unmapped or len(found) < max(MIN_WORDS, MAIN_FONT_SHARE * everything):
            continue
        common = sum(1 for word in found if word in FUNCTION_WORDS)
        if common < LANGUAGE_SHARE * len(found):
            gibberish.append((font, common, len(found)))
    if not gibberish:
        return
    gibberish.sort(key=lambda item: -item[2])
    named = ", ".join(
        f"{font} ({common} of {total} words are common words)"
        for font, common, total in gibberish[:4]
    )
    raise NeedsOcrError(
        f"{label}: the text of fonts without a Unicode map does not read as language ({named}): "
        "its text layer cannot be decoded and it needs OCR",
        hint=OCR_HINT,
    )
