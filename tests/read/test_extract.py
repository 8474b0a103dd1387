"""Extraction: concrete values read from the PDFs under tests/data/pdfs/ (see make_pdfs.py)."""

from __future__ import annotations

import datetime as dt
import hashlib
import random
import re
import threading
import warnings
from pathlib import Path

import pdfplumber
import pytest

from reportwatch.demo.samples.build import BUNDLED_FACTS
from reportwatch.demo.samples.facts import SampleFootnote, SampleReport, load_facts
from reportwatch.demo.samples.render import render_pdf
from reportwatch.demo.samples.wording import compose
from reportwatch.errors import (
    EncryptedPdfError,
    ExtractError,
    NeedsOcrError,
    NotAPdfError,
    PdfTooLargeError,
)
from reportwatch.models import DocumentText, Paragraph
from tasks.read.extract import EXTRACTOR, EXTRACTOR_VERSION, extract_pdf
from tasks.read.paragraphs import join_lines
from tasks.read.pdf_lines import Line

PDFS = Path(__file__).resolve().parents[1] / "data" / "pdfs"
QUARTERLY = PDFS / "quarterly-2020-q1-ods-layout.pdf"
FURNITURE = re.compile(r"S/\d{4}/\d+|\b\d/\d\b|\d{2}-\d{5}|\*\d+\*|Please recycle|Distr\.")


@pytest.fixture(scope="module")
def quarterly() -> DocumentText:
    return extract_pdf(QUARTERLY)


def _numbered(doc: DocumentText) -> dict[int, Paragraph]:
    return {p.number: p for p in doc.paragraphs if p.number is not None}


def test_masthead_metadata(quarterly: DocumentText) -> None:
    assert quarterly.symbol == "S/2020/604"
    assert quarterly.distribution_date == dt.date(2020, 6, 26)
    assert quarterly.original_language == "French"
    assert quarterly.job_number == "20-08523"
    assert quarterly.title == (
        "Letter dated 25 June 2020 from the Secretary-General addressed to the President of "
        "the Security Council"
    )
    assert quarterly.page_count == 3
    assert quarterly.extractor == f"pdfplumber-{pdfplumber.__version__}/{EXTRACTOR_VERSION}"
    assert quarterly.extractor == EXTRACTOR
    assert quarterly.sha256 == hashlib.sha256(QUARTERLY.read_bytes()).hexdigest()


def test_paragraph_two_is_clean_text_with_its_place(quarterly: DocumentText) -> None:
    second = _numbered(quarterly)[2]
    assert second.text == (
        "As at 31 March 2020, the total number of KFOR troops in theatre remained approximately "
        "3,600, from nineteen North Atlantic Treaty Organization (NATO) and eight non-NATO "
        "troop-contributing nations."
    )
    assert (second.section, second.part, second.page) == ("Introduction", "enclosure", 3)
    assert second.top is not None and 100 < second.top < 300


def test_no_page_furniture_in_body_text(quarterly: DocumentText) -> None:
    body = [line for page in quarterly.pages for line in page.lines]
    body += [p.text for p in quarterly.paragraphs]
    assert [text for text in body if FURNITURE.search(text)] == []
    assert "Security Council" not in body  # the masthead line, not the words in sentences
    assert not any(text.startswith(("United Nations", "Original:")) for text in body)
    assert quarterly.pages[1].lines[:2] == ["Annex", "[Original: English]"]


def test_sections_and_parts_in_reading_order(quarterly: DocumentText) -> None:
    outline = [(p.part, p.number, p.section, p.page) for p in quarterly.paragraphs]
    assert outline[:5] == [
        ("letter", None, None, 1),
        ("letter", None, None, 1),
        ("letter", None, None, 1),
        ("annex", None, None, 2),
        ("annex", None, None, 2),
    ]
    numbered = [(n, p.section) for n, p in _numbered(quarterly).items()]
    assert numbered[0] == (1, "Introduction")
    assert numbered[3] == (4, "Security situation update and operations")
    assert numbered[-1] == (8, "Summary")
    assert all(p.part == "enclosure" for p in _numbered(quarterly).values())


def test_cover_letter_sentences_and_signatures(quarterly: DocumentText) -> None:
    letter, _, signature, annex, nato_signature = quarterly.paragraphs[:5]
    assert "attached letter, dated 13 May 2020, from the Secretary General" in letter.text
    assert "covering the period from 1 January to 31 March 2020 (see annex)." in letter.text
    assert signature.text == "(Signed) António Guterres"
    assert "from 1 January 2020 to 31 March 2020 (see enclosure)" in annex.text
    assert nato_signature.text == "(Signed) Jens Stoltenberg"


def test_footnote_marker_and_note_kept_out_of_paragraphs(quarterly: DocumentText) -> None:
    covid = _numbered(quarterly)[4]
    # The superscript stays where it is printed, recorded so that facts skip it.
    assert "In the light of the COVID-191 pandemic, KFOR adopted" in covid.text
    assert [covid.text[a:b] for a, b in covid.marks] == ["1"]
    note = next(p for p in quarterly.paragraphs if p.kind == "footnote")
    assert note.text.startswith("1 Coronavirus disease 2019") and note.page == 3
    assert note.number is None
    assert quarterly.pages[2].lines[-1] == note.text
    assert not any(
        "pandemic by the World Health" in p.text
        for p in quarterly.paragraphs
        if p.kind != "footnote"
    )


def test_words_hyphenated_at_line_ends_are_rejoined() -> None:
    doc = extract_pdf(PDFS / "hyphenated-words.pdf")
    line_ends = [line for page in doc.pages for line in page.lines if line.endswith("-")]
    assert any(line.endswith(" attent-") for line in line_ends)  # typographic: "attention"
    assert any(line.endswith(" con-") for line in line_ends)  # typographic: "concerns"
    assert any(line.endswith(" troop-") for line in line_ends)  # a compound
    text = " ".join(p.text for p in doc.paragraphs)
    assert "brought to the attention of the members" in text
    assert "to understand local concerns" in text
    assert "seven non-NATO troop-contributing nations" in text
    assert not re.search(r"attent-|con- |troopcontributing", text)


def _line(text: str) -> Line:
    return Line(page=1, top=0.0, bottom=10.0, baseline=8.0, x0=0.0, x1=100.0, text=text,
                size=10.0, bold=False)  # fmt: skip


@pytest.mark.parametrize(
    ("lines", "joined"),
    [
        (["the secu-", "rity situation"], "the security situation"),  # spelt so elsewhere
        (["eight non-", "NATO nations"], "eight non-NATO nations"),
        (["eight troop-", "contributing nations"], "eight troop-contributing nations"),
        (["a third-", "party vehicle"], "a third-party vehicle"),
        (["from 2019-", "2020 onwards"], "from 2019-2020 onwards"),
        (["weapons-", "bearers"], "weapons-bearers"),  # both halves are words: a compound
        (["approxi-", "mately 4,500"], "approximately 4,500"),  # neither is: hyphenation
        (["self\u00ad", "reliance"], "selfreliance"),  # a soft hyphen always goes
        (["KFOR troops", "in theatre"], "KFOR troops in theatre"),
    ],
)
def test_join_lines_repairs_only_typographic_hyphens(lines: list[str], joined: str) -> None:
    words = {"security", "kfor", "weapons", "bearers"}
    assert join_lines([_line(x) for x in lines], words).text == joined


def test_monthly_report_with_exact_count() -> None:
    doc = extract_pdf(PDFS / "monthly-2008-07-exact-count.pdf")
    assert (doc.symbol, doc.distribution_date) == ("S/2008/614", dt.date(2008, 9, 17))
    numbered = _numbered(doc)
    assert numbered[2].text == (
        "The total number of KFOR troops in theatre on 31 July 2008 was 15,413, which included "
        "1,234 troops from non-NATO countries."
    )
    assert numbered[4].text.startswith(
        "On 6 July 2008 in Mitrovica (Multinational Task Force North), a hand grenade"
    )
    assert numbered[4].section == "Security situation and incidents"
    assert "(Signed) Ban Ki-moon" in [p.text for p in doc.paragraphs]


def test_report_annexed_without_nato_letter() -> None:
    doc = extract_pdf(PDFS / "monthly-2001-03-dash-period-no-nato-letter.pdf")
    numbered = _numbered(doc)
    assert numbered[1].text.endswith("for the period 1-31 March 2001.")
    assert numbered[1].part == "annex"
    assert numbered[1].section == "General"
    assert numbered[2].text.endswith("was about 39,000, from 19 NATO and 20 non-NATO countries.")


def test_period_without_year_keeps_the_year_in_the_cover_letter() -> None:
    doc = extract_pdf(PDFS / "monthly-2004-03-period-without-year.pdf")
    assert "covering the period from 1 to 31 March 2004 (see annex)" in doc.paragraphs[0].text
    assert _numbered(doc)[1].text.startswith(
        "The present report, covering the period 1 to 31 March,"
    )


def test_parenthesized_period_and_french_original() -> None:
    doc = extract_pdf(PDFS / "monthly-2000-02-parenthesized-period.pdf")
    assert doc.original_language == "French"
    assert _numbered(doc)[1].text.startswith("Over the reporting period (24 January-22 February),")


def test_corrigendum_symbol() -> None:
    assert extract_pdf(PDFS / "corrigendum-symbol.pdf").symbol == "S/2021/228/Corr.1"


def test_bytes_and_path_give_the_same_document(quarterly: DocumentText) -> None:
    from_bytes = extract_pdf(QUARTERLY.read_bytes(), sha256="given")
    assert from_bytes.sha256 == "given"
    assert from_bytes.model_dump(exclude={"sha256"}) == quarterly.model_dump(exclude={"sha256"})


# errors ------------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("name", "error", "message"),
    [
        ("zero-bytes.pdf", NotAPdfError, "is empty (0 bytes), not a PDF"),
        ("html-saved-as-pdf.pdf", NotAPdfError, "looks like an HTML page, not a PDF"),
        ("truncated.pdf", NotAPdfError, "looks truncated"),
        ("encrypted.pdf", EncryptedPdfError, "is encrypted and needs a password"),
        ("scanned-no-text.pdf", NeedsOcrError, "needs OCR"),
    ],
)
def test_unreadable_files_raise_terminal_extract_errors(
    name: str, error: type[ExtractError], message: str
) -> None:
    with pytest.raises(error) as caught:
        extract_pdf(PDFS / name)
    assert message in caught.value.message
    assert name in caught.value.message
    assert caught.value.hint
    assert not caught.value.transient


def test_a_file_that_is_no_pdf_says_what_to_do_whether_downloaded_or_dropped() -> None:
    with pytest.raises(NotAPdfError) as caught:
        extract_pdf(PDFS / "html-saved-as-pdf.pdf")
    assert "check the URL" in caught.value.hint  # a download
    assert "drop folder: replace it with the PDF itself" in caught.value.hint  # put by hand


def test_page_and_byte_caps_name_their_setting() -> None:
    with pytest.raises(PdfTooLargeError, match=r"3 pages .*, over the cap of 2 pages") as pages:
        extract_pdf(QUARTERLY, max_pages=2)
    assert "REPORTWATCH_MAX_PAGES" in pages.value.one_line()
    with pytest.raises(PdfTooLargeError, match="over the cap of 1,000 bytes") as size:
        extract_pdf(QUARTERLY.read_bytes(), max_bytes=1000)
    assert "REPORTWATCH_MAX_BYTES" in size.value.one_line()


def _broken_files() -> dict[str, bytes]:
    good = QUARTERLY.read_bytes()
    half = good[: len(good) // 2]
    return {
        "header-and-eof-only": b"%PDF-1.7\n%%EOF\n",
        "no-root-object": good.replace(b"/Root", b"/Rooo"),
        "no-page-tree": good.replace(b"/Type /Pages", b"/Type /Pagez"),
        "missing-page-object": re.sub(rb"/Kids \[[^\]]*\]", b"/Kids [999 0 R]", good),
        "cross-reference-garbled": good.replace(b"xref", b"xxxx"),
        "half-a-file-with-eof": half + b"\n%%EOF\n",
        "random-bytes-with-header": b"%PDF-1.4\n" + bytes(range(256)) * 4 + b"\n%%EOF\n",
        "png-image": b"\x89PNG\r\n\x1a\n" + bytes(64),
        "zip-archive": b"PK\x03\x04" + bytes(64),
        "json-error": b'{"error": "not found"}',
        "content-streams-scrambled": re.sub(
            rb"stream\n(.{20})", lambda m: b"stream\n" + bytes(255 - b for b in m.group(1)), good
        ),
    }


@pytest.mark.parametrize("case", sorted(_broken_files()))
def test_broken_files_raise_extract_errors_never_pdfminer_errors(case: str) -> None:
    with pytest.raises(ExtractError) as caught:
        extract_pdf(_broken_files()[case])
    assert caught.value.__class__.__module__ == "reportwatch.errors"


def test_damaged_copies_either_extract_or_raise_extract_error() -> None:
    """Cut, scrambled and holed copies of a good file: no third-party exception gets out."""
    good = QUARTERLY.read_bytes()
    chooser = random.Random(1244)
    outcomes: set[str] = set()
    for round_ in range(24):
        data = bytearray(good)
        position = chooser.randrange(len(data))
        if round_ % 3 == 0:
            data = data[:position] + b"\n%%EOF\n"
        elif round_ % 3 == 1:
            for _ in range(5):
                data[chooser.randrange(len(data))] = chooser.randrange(256)
        else:
            del data[position : position + chooser.randrange(1, 200)]
        try:
            extract_pdf(bytes(data))
            outcomes.add("read")
        except ExtractError as exc:
            outcomes.add(type(exc).__name__)
    assert "NotAPdfError" in outcomes


# round trip: facts → PDF → paragraphs --------------------------------------------------------
def _variants() -> list[SampleReport]:
    archive = {r.symbol: r for r in load_facts(BUNDLED_FACTS)}
    return [
        archive["S/2023/966"],  # hyphenated, French original, major incident
        archive["S/2022/931"],  # exact count, an incident
        archive["S/2021/795"].model_copy(
            update={
                "footnotes": [SampleFootnote(word="EULEX", text="European Union mission.")],
                "filler_paragraphs": 40,  # several pages: paragraphs cross page breaks
                "hyphenate_words": True,
            }
        ),
    ]


@pytest.mark.parametrize("report", _variants(), ids=lambda r: r.symbol)
def test_round_trip_paragraphs_match_the_facts(report: SampleReport) -> None:
    doc = extract_pdf(render_pdf(report))
    expected = [
        (block.number, block.text.replace("č", "c").replace("ć", "c"))
        for block in compose(report)
        if block.kind in {"paragraph", "numbered", "signature"}
    ]
    running = [p for p in doc.paragraphs if p.kind == "paragraph"]
    assert [(p.number, _unmarked(p)) for p in running] == expected
    notes = [p.text for p in doc.paragraphs if p.kind == "footnote"]
    assert notes == [f"{n}  {f.text}".replace("  ", " ") for n, f in enumerate(report.footnotes, 1)]
    assert doc.symbol == report.symbol
    assert doc.distribution_date == report.distribution_date


def _unmarked(paragraph: Paragraph) -> str:
    text = paragraph.text
    for start, end in reversed(paragraph.marks):
        text = text[:start] + text[end:]
    return text


def test_paragraphs_continue_across_page_breaks() -> None:
    # One paragraph longer than a page must run onto the next one and come back whole.
    sentences = [f"Patrol {n} reported no incident near the crossing point." for n in range(90)]
    report = _variants()[0].model_copy(update={"distractors": [" ".join(sentences)]})
    doc = extract_pdf(render_pdf(report))
    long = next(p for p in doc.paragraphs if p.text.startswith("Patrol 0 "))
    assert long.text == " ".join(sentences)
    assert long.number == 5 and long.page == 3
    assert doc.pages[3].lines[0] in long.text  # page 4 opens inside it


def test_concurrent_reads_leave_the_warning_filters_alone() -> None:
    # Reads run in a thread pool; a per-call warnings.catch_warnings swaps the process-wide
    # filter list, and overlapping calls restore each other's copies in the wrong order.
    before = list(warnings.filters)
    barrier = threading.Barrier(6)
    symbols: list[str | None] = []
    failures: list[BaseException] = []

    def read() -> None:
        try:
            barrier.wait()
            for _ in range(2):
                symbols.append(extract_pdf(QUARTERLY).symbol)
        except BaseException as exc:  # reported below, in the test's own thread
            failures.append(exc)

    threads = [threading.Thread(target=read) for _ in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert failures == []
    assert symbols == ["S/2020/604"] * 12
    assert warnings.filters == before
