"""The reader on real ODS PDFs: what a careful reader found in them (``manifest.json``).

The PDFs and the manifest live outside the repository (``../shared/realpdf/``, or
``REPORTWATCH_REALPDF_DIR``); every test here skips with the reason when they are absent.
Nothing of their text is copied here: the expected values are read from the manifest.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from functools import cache
from pathlib import Path
from typing import Any

import pytest

from reportwatch.models import DocumentText, Paragraph
from tasks.read.extract import extract_pdf
from tests.conftest import REALPDF_DIR

# Where the manifest itself is wrong, and what a careful reader finds instead. Each entry names
# the document, the paragraph and the reason; the test checks our reading exactly.
ERRATA: dict[tuple[str, int], str] = {
    # The manifest's paragraph 8 ends with "Inspections": that is the bold sub-heading printed
    # at the top of the next page, not a word of the paragraph (its words: 25, not 26).
    ("S_2025_257-EN.pdf", 8): "Inspections",
}
JOB = re.compile(r"\b\d{2}-\d{5}\b")
FURNITURE = re.compile(r"\*\d{7}\*|Please recycle|\b\d{1,3}/\d{1,3}\s+\d{2}-\d{5}|[Rr]eissued? for")


def _names() -> list[str]:
    manifest = REALPDF_DIR / "manifest.json"
    if not manifest.is_file():
        return ["(no real PDFs)"]
    return sorted(json.loads(manifest.read_text(encoding="utf-8"))["documents"])


@cache
def _read(folder: Path, name: str) -> tuple[DocumentText, dict[str, Any]]:
    manifest = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
    return extract_pdf(folder / name), manifest["documents"][name]


def printed_words(paragraph: Paragraph) -> int:
    """Words as printed: a word hyphenated across a line end counts as two (manifest rule)."""
    joined = sum(
        1
        for at in paragraph.breaks
        if 0 < at < len(paragraph.text) and paragraph.text[at - 1] != " "
    )
    return len(paragraph.text.split()) + joined


@pytest.mark.parametrize("name", _names())
def test_masthead_title_and_job_number_match_the_manifest(realpdf_dir: Path, name: str) -> None:
    doc, want = _read(realpdf_dir, name)
    assert doc.symbols == want["symbols"]
    assert doc.symbol == next(s for s in want["symbols"] if s.startswith("S/"))
    assert doc.distribution_date == dt.date.fromisoformat(want["distribution_date"])
    assert doc.original_language == want["original_language"]
    assert doc.title == want["title"]
    assert doc.job_number == want["job_number"]
    assert doc.reissue == want["reissue"]
    assert doc.page_count == want["pages"]
    assert doc.warnings == []


@pytest.mark.parametrize("name", _names())
def test_every_numbered_paragraph_is_present_once_and_whole(realpdf_dir: Path, name: str) -> None:
    doc, want = _read(realpdf_dir, name)
    running = [p for p in doc.paragraphs if p.kind == "paragraph"]
    notes = [p.text for p in doc.paragraphs if p.kind == "footnote"]
    for expected in want["paragraphs"]:
        found = [p for p in running if p.number == expected["n"]]
        assert len(found) == 1, f"paragraph {expected['n']}: {len(found)} found"
        paragraph = found[0]
        words = paragraph.text.split()
        first, last, count = expected["first"], expected["last"], expected["words"]
        heading = ERRATA.get((name, expected["n"]))
        if heading:
            assert last.endswith(" " + heading)
            last, count = last.rsplit(" ", 1)[0], count - 1
            following = next(p for p in running if p.number == expected["n"] + 1)
            assert following.section == heading
            assert " ".join(words[-4:]) == last
        else:
            assert " ".join(words[-5:]) == last, f"paragraph {expected['n']}"
        assert " ".join(words[:5]) == first, f"paragraph {expected['n']}"
        assert abs(printed_words(paragraph) - count) <= 0.02 * count, f"paragraph {expected['n']}"
        assert not FURNITURE.search(paragraph.text), f"paragraph {expected['n']}"
        assert doc.job_number not in JOB.findall(paragraph.text)
        assert not any(note[2:40] in paragraph.text for note in notes)


def test_footnotes_are_kept_apart_with_their_page(realpdf_dir: Path) -> None:
    counted = [n for n in _names() if "footnotes" in _read(realpdf_dir, n)[1]]
    assert counted, "the manifest counts the footnotes of at least one document"
    for name in counted:
        doc, want = _read(realpdf_dir, name)
        notes = [p for p in doc.paragraphs if p.kind == "footnote"]
        assert len(notes) == want["footnotes"], name
        for note in notes:
            assert note.number is None and note.page >= 1
            cited = [p for p in doc.paragraphs if p.kind == "paragraph" and p.page == note.page]
            marker = note.text.split()[0]
            # The marker stays printed in the paragraph citing it, recorded as a superscript.
            assert any(p.text[a:b] == marker for p in cited for a, b in p.marks), name
