"""Quirks of real ODS files, each reproduced on its own small generated PDF (make_pdfs.py).

Each test first checks that the fixture really has the quirk (what bare pdfplumber sees), then
that the reader gives the right value, or null and a warning naming the sentence, never a
wrong one.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pdfplumber
import pytest

from reportwatch.demo import SAMPLES_DIR
from reportwatch.demo.samples.render import render_pdf
from reportwatch.errors import NeedsOcrError, NotAPdfError, PdfTooLargeError
from reportwatch.models import DocumentText, Report
from reportwatch.series import load_series
from tasks.read.extract import extract_pdf
from tasks.read.normalize import normalize
from tasks.read.task import read_document
from tests.data.make_pdfs import FOUR_PAGES, sixty_thousand_pages

PDFS = Path(__file__).resolve().parents[1] / "data" / "pdfs"
PROFILE = load_series("kfor").profile


def read(name: str) -> tuple[DocumentText, Report]:
    return read_bytes(PDFS / name)


def read_bytes(source: Path | bytes) -> tuple[DocumentText, Report]:
    doc = extract_pdf(source)
    return doc, normalize(doc, series="kfor", profile=PROFILE)


def plain_text(name: str) -> str:
    with pdfplumber.open(PDFS / name) as pdf:
        return "\n".join(page.extract_text() for page in pdf.pages)


def glyphs(name: str) -> str:
    """Every character of the text layer, in content-stream order (nothing collapsed)."""
    with pdfplumber.open(PDFS / name) as pdf:
        return "".join(c["text"] for page in pdf.pages for c in page.chars)


def troop_paragraph(doc: DocumentText) -> str:
    return next(p.text for p in doc.paragraphs if "total number of KFOR troops" in p.text)


# text layer ----------------------------------------------------------------------------------
def test_glyphs_printed_twice_for_bold_are_read_once() -> None:
    assert "LLeetttteerr ddaatteedd" in plain_text("doubled-glyphs-fake-bold.pdf")
    doc, report = read("doubled-glyphs-fake-bold.pdf")
    assert doc.title == (
        "Letter dated 8 September 2023 from the Secretary-General addressed to the President "
        "of the Security Council"
    )
    assert doc.symbol == "S/2023/668" and doc.job_number == "23-17390"
    assert (report.troops_total, report.troops_approximate) == (3800, True)
    assert (report.nato_nations, report.non_nato_nations) == (20, 6)
    assert report.period_end == dt.date(2023, 6, 30)


def test_soft_hyphen_at_a_line_end_joins_the_word() -> None:
    assert "approxi\u00ad\nmately" in plain_text("soft-hyphen-at-line-end.pdf")
    doc, report = read("soft-hyphen-at-line-end.pdf")
    assert "in theatre was approximately 4,500, from twenty" in troop_paragraph(doc)
    assert (report.troops_total, report.troops_approximate) == (4500, True)


@pytest.mark.parametrize(
    ("name", "space"),
    [
        ("digit-groups-no-break-space.pdf", "\u00a0"),
        ("digit-groups-thin-space.pdf", "\u2009"),
        ("digit-groups-medium-mathematical-space.pdf", "\u205f"),
        ("digit-groups-apostrophe.pdf", "\u2019"),
    ],
)
def test_digit_groups_split_by_a_group_separator_are_one_figure(name: str, space: str) -> None:
    assert f"15{space}413" in glyphs(name)
    _, report = read(name)
    assert (report.troops_total, report.non_nato_troops) == (15413, 1234)
    assert report.warnings == []
    # The evidence keeps the printed text, group space included.
    assert f"was 15{space}413, which included 1{space}234 troops" in (
        report.evidence["troops_total"].text
    )


def test_digit_groups_split_by_a_plain_space_are_refused_with_a_warning() -> None:
    doc, report = read("digit-groups-plain-space.pdf")
    assert "was 15 413, which included 1 234 troops" in troop_paragraph(doc)
    # Never 413 or 234: the figures are unknown, and each refusal names the sentence.
    assert report.troops_total is None and report.non_nato_troops is None
    for metric in ("troops_total", "non_nato_troops"):
        warning = next(w for w in report.warnings if w.startswith(metric))
        assert "digits of a figure are split" in warning
        assert "15 413, which included 1 234 troops" in warning
    assert report.quarantine_reason == "no troop figure found in the enclosure or letters"


@pytest.mark.parametrize(
    ("name", "mark"),
    [("digit-groups-middle-dot.pdf", "\u00b7"), ("digit-groups-underscore.pdf", "_")],
)
def test_digit_groups_split_by_a_mark_that_separates_nothing_known_are_refused(
    name: str, mark: str
) -> None:
    assert f"15{mark}413" in glyphs(name) and f"1{mark}234" in glyphs(name)
    _, report = read(name)
    # Never 413 or 234 (as a run loaded them): null, and each refusal names the sentence.
    assert report.troops_total is None and report.non_nato_troops is None
    for metric in ("troops_total", "non_nato_troops"):
        warning = next(w for w in report.warnings if w.startswith(metric))
        assert f'the digits of a figure are split by "{mark}"' in warning
        assert f"was 15{mark}413, which included 1{mark}234 troops" in warning
    assert report.quarantine_reason == "no troop figure found in the enclosure or letters"


def test_a_font_without_a_unicode_map_needs_ocr_and_names_the_fonts() -> None:
    assert "(cid:" in plain_text("font-without-unicode-map.pdf")
    with pytest.raises(NeedsOcrError) as caught:
        extract_pdf(PDFS / "font-without-unicode-map.pdf")
    message = caught.value.one_line()
    assert "cannot be decoded" in message and "Times-Roman" in message
    assert "OCR" in message and not caught.value.transient


def test_an_embedded_font_without_a_unicode_map_that_decodes_to_letters_needs_ocr() -> None:
    name = "embedded-font-without-unicode-map.pdf"
    text = plain_text(name)
    # Bare pdfplumber reads letters, and none of the report's words.
    assert sum(ch.isalpha() for ch in text) > 300 and "KFOR" not in text and "the" not in text
    with pytest.raises(NeedsOcrError) as caught:
        extract_pdf(PDFS / name)
    message = caught.value.one_line()
    assert "fonts without a Unicode map does not read as language (MPDFAA+Boxes (0 of" in message
    assert "needs OCR" in message and not caught.value.transient
    # In a run: quarantined as needing OCR, never rejected as another series' document.
    kfor = load_series("kfor")
    outcome = read_document(PDFS / name, series="kfor", profile=kfor.profile,
                            confirm_terms=kfor.confirm_terms)  # fmt: skip
    assert outcome.rejected is None and outcome.report is None and not outcome.damaged
    assert outcome.reason is not None and "needs OCR" in outcome.reason


def test_a_sideways_page_is_read_in_its_direction_with_a_warning() -> None:
    doc, report = read("sideways-annex-page.pdf")
    last = doc.pages[-1]
    assert last.direction == "up"
    assert last.lines == [
        "Troop-contributing nations as at 30 June 2021",
        "Albania 90, Austria 300, Bulgaria 25, Canada 5, Croatia 40, Czechia 10",
    ]
    assert f"page {last.number} is printed sideways (its text runs up): read in its direction" in (
        report.warnings
    )
    assert report.troops_total == 3700


def test_narrow_letters_of_a_sideways_page_are_text_not_footnote_markers() -> None:
    name = "sideways-page-with-the-troop-figure.pdf"
    with pdfplumber.open(PDFS / name) as pdf:
        turned = [c for c in pdf.pages[-1].chars if not c["upright"]]
    # pdfminer sizes a turned glyph by its advance: "i" and "t" look like 3 pt superscripts.
    assert turned and min(c["size"] for c in turned if c["text"] in "itlfjrI") < 5
    doc, report = read(name)
    paragraph = next(p for p in doc.paragraphs if "KFOR troops in theatre" in p.text)
    assert paragraph.marks == []
    assert "As at 30 June 2021, the total number of KFOR troops in theatre was approximately" in (
        paragraph.text
    )
    assert (report.troops_total, report.troops_approximate) == (3700, True)
    assert (report.nato_nations, report.non_nato_nations) == (20, 7)
    assert report.as_of_date == dt.date(2021, 6, 30)
    assert report.warnings == [
        f"page {doc.page_count} is printed sideways (its text runs up): read in its direction"
    ]


@pytest.mark.parametrize(
    ("name", "upright_name", "runs"),
    [
        # /Rotate 90 on every page: pdfminer gives the glyphs turned, running down.
        ("pages-with-rotate-90.pdf", "quarterly-2021-q2-nations-in-digits.pdf", "down"),
        # Every page's content printed a quarter turn on a landscape page, no /Rotate.
        ("pages-printed-sideways.pdf", str(SAMPLES_DIR / "S_2024_215.pdf"), "up"),
    ],
)
def test_pages_turned_sideways_read_as_the_same_pages_upright(
    name: str, upright_name: str, runs: str
) -> None:
    with pdfplumber.open(PDFS / name) as pdf:
        turned = [
            (page.rotation, sum(1 for c in page.chars if not c["upright"]), len(page.chars))
            for page in pdf.pages
        ]
    assert all(rotation == 90 or sideways == count for rotation, sideways, count in turned)
    doc, report = read(name)
    upright_doc, upright = read(upright_name)  # the same report, printed upright
    assert report.warnings == [
        f"page {n} is printed sideways (its text runs {runs}): read in its direction"
        for n in range(1, doc.page_count + 1)
    ]
    assert (doc.symbol, doc.distribution_date, doc.job_number, doc.title) == (
        upright_doc.symbol, upright_doc.distribution_date, upright_doc.job_number,
        upright_doc.title,
    )  # fmt: skip
    assert [(p.number, p.section, p.text, p.marks) for p in doc.paragraphs] == [
        (p.number, p.section, p.text, p.marks) for p in upright_doc.paragraphs
    ]
    skip = {"warnings", "paragraphs"}
    assert report.model_dump(exclude=skip) == upright.model_dump(exclude=skip)
    assert report.distribution_date is not None and report.troops_total is not None


def test_bold_known_from_the_font_descriptor_when_the_name_does_not_say() -> None:
    name = "subset-fonts-without-style-names.pdf"
    with pdfplumber.open(PDFS / name) as pdf:
        fonts = {c["fontname"] for page in pdf.pages for c in page.chars}
    assert fonts and not any("Bold" in font for font in fonts)
    doc, report = read(name)
    assert doc.title is not None and doc.title.startswith("Letter dated 8 March 2023")
    sections = {p.number: p.section for p in doc.paragraphs if p.number}
    assert (sections[1], sections[3]) == (
        "Introduction",
        "Security situation update and operations",
    )
    assert report.troops_total == 3800


# page geometry and furniture -----------------------------------------------------------------
def test_reissued_symbol_loses_its_asterisk_and_the_note_is_recorded() -> None:
    text = plain_text("quarterly-2021-q3-reissued-with-asterisk.pdf")
    assert "/2021/1032*" in text and "21-18577* (E)" in text
    doc, report = read("quarterly-2021-q3-reissued-with-asterisk.pdf")
    assert (doc.symbol, doc.symbols, doc.job_number) == ("S/2021/1032", ["S/2021/1032"], "21-18577")
    assert doc.reissue == report.reissue == "Reissued for technical reasons on 16 December 2021"
    assert report.to_contract()["reissue"] == doc.reissue
    assert not any("Reissued" in p.text or "*" in p.text for p in doc.paragraphs)
    assert report.troops_total == 3800


def test_masthead_on_shared_baselines_and_page_number_footers() -> None:
    name = "quarterly-2012-style-masthead-and-page-number-footers.pdf"
    doc, report = read(name)
    assert (doc.distribution_date, doc.original_language) == (dt.date(2021, 6, 15), "English")
    assert doc.page_count >= 4
    body = [p.text for p in doc.paragraphs] + [x for page in doc.pages for x in page.lines]
    assert not any("21-08410" in text for text in body)
    numbers = [p.number for p in doc.paragraphs if p.number]
    assert numbers == list(range(1, 16))
    assert report.troops_total == 3700


@pytest.mark.parametrize(
    ("name", "size", "date"),
    [
        ("masthead-security-council-24pt.pdf", 24.0, dt.date(2021, 6, 15)),
        ("masthead-security-council-28pt.pdf", 28.0, dt.date(2020, 6, 26)),
    ],
)
def test_the_masthead_is_read_whatever_the_size_of_security_council(
    name: str, size: float, date: dt.date
) -> None:
    with pdfplumber.open(PDFS / name) as pdf:
        organ = [c for c in pdf.pages[0].chars if "Bold" in c["fontname"] and c["top"] < 120]
    assert "".join(c["text"] for c in organ).replace(" ", "") == "SecurityCouncil"
    assert {round(c["size"]) for c in organ} == {size}
    doc, report = read(name)
    assert (doc.distribution_date, report.distribution_date) == (date, date)
    assert doc.original_language in {"English", "French"}
    assert doc.title is not None and doc.title.startswith("Letter dated")
    assert doc.warnings == [] and report.quarantine_reason is None


def test_a_masthead_without_a_date_is_a_warning() -> None:
    assert "Distr.: General" in plain_text("masthead-without-a-date.pdf")
    doc, report = read("masthead-without-a-date.pdf")
    assert doc.symbol == "S/2021/562" and doc.distribution_date is None
    warning = "page 1: no distribution date could be read in the masthead"
    assert doc.warnings[0].startswith(warning) and report.warnings[0].startswith(warning)
    assert report.troops_total == 3700  # the rest is read


def test_joint_document_keeps_both_symbols_and_the_series_symbol_is_the_s_one() -> None:
    # Bare text splits the big "A" and "S" glyphs from the rest of their symbols.
    assert "A S\nUnited Nations\n/75/1004- /2021/795" in plain_text(
        "joint-general-assembly-security-council.pdf"
    )
    doc, report = read("joint-general-assembly-security-council.pdf")
    assert doc.symbols == ["A/75/1004", "S/2021/795"]
    assert doc.symbol == report.symbol == "S/2021/795"
    assert report.to_contract()["symbols"] == ["A/75/1004", "S/2021/795"]
    assert doc.distribution_date == dt.date(2021, 9, 14)


def test_the_1990s_layout() -> None:
    text = plain_text("monthly-1999-10-1990s-layout.pdf")
    assert "Distr.\nGENERAL" in text and "Page 2" in text and "/..." in text
    doc, report = read("monthly-1999-10-1990s-layout.pdf")
    assert (doc.symbol, doc.distribution_date) == ("S/1999/1185", dt.date(1999, 11, 23))
    assert (doc.original_language, doc.job_number) == ("English", "99-35982")
    assert doc.title is not None and doc.title.startswith("LETTER DATED 22 NOVEMBER 1999")
    assert report.letter_date == dt.date(1999, 11, 22)
    assert (report.period_start, report.period_end) == (dt.date(1999, 10, 1), dt.date(1999, 10, 31))
    assert (report.troops_total, report.troops_approximate) == (47000, True)
    running = [p.text for p in doc.paragraphs if p.kind == "paragraph"]
    assert not any(x in t for t in running for x in ("Page ", "/...", "99-35982", "English"))
    notes = [p for p in doc.paragraphs if p.kind == "footnote"]
    assert [(p.page, p.text) for p in notes] == [
        (1, "1 Territory administered under resolution 1244.")
    ]


def test_footnote_is_kept_apart_and_its_marker_stays_printed() -> None:
    doc, report = read("quarterly-2020-q1-ods-layout.pdf")
    note = next(p for p in doc.paragraphs if p.kind == "footnote")
    assert note.page == 3 and note.text.startswith("1 Coronavirus disease 2019")
    cited = next(p for p in doc.paragraphs if p.number == 4)
    assert "COVID-191 pandemic" in cited.text
    assert [cited.text[a:b] for a, b in cited.marks] == ["1"]
    assert not any("World Health" in p.text for p in doc.paragraphs if p.kind == "paragraph")
    assert report.troops_total == 3600


# the file's end -------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("name", "warnings"),
    [
        ("bytes-after-eof-nul.pdf", []),  # NUL is white space to PDF: padding, nothing to say
        ("bytes-after-eof-random.pdf", [
            "2,000 bytes after the end of the PDF (%%EOF) were ignored: they are no part of "
            "the document"
        ]),
    ],
)  # fmt: skip
def test_a_whole_pdf_with_bytes_after_its_end_is_read(name: str, warnings: list[str]) -> None:
    data = (PDFS / name).read_bytes()
    assert b"%%EOF" not in data[-1024:]  # the end marker is not where the file ends
    with pdfplumber.open(PDFS / name) as pdf:  # any reader ignores what follows it
        assert "/2020/604" in pdf.pages[0].extract_text()
    doc, report = read(name)
    assert doc.symbol == "S/2020/604" and doc.warnings == report.warnings == warnings
    assert report.troops_total == 3600 and report.quarantine_reason is None
    assert extract_pdf(data).warnings == warnings  # the same from the bytes


def test_a_pdf_cut_inside_its_incremental_update_is_truncated() -> None:
    data = (PDFS / "truncated-inside-an-update.pdf").read_bytes()
    assert b"%%EOF" in data  # the original file's end marker, with the update's objects after
    with pytest.raises(NotAPdfError) as caught:
        extract_pdf(PDFS / "truncated-inside-an-update.pdf")
    assert "looks truncated: a PDF ends with %%EOF and objects follow its last one" in (
        caught.value.message
    )
    assert caught.value.hint == "download it again"


def test_a_damaged_page_object_keeps_its_number_and_is_named_in_a_warning() -> None:
    with pdfplumber.open(PDFS / "damaged-page-object.pdf") as pdf:
        assert len(pdf.pages) == 3  # bare pdfplumber: one page gone, the others renumbered
    doc, report = read("damaged-page-object.pdf")
    _, whole = read_bytes(render_pdf(FOUR_PAGES))
    assert doc.page_count == 4 and [p.number for p in doc.pages] == [1, 2, 3, 4]
    assert doc.pages[1].lines == []
    warning = "page 2: its page object is damaged: its text is missing or incomplete"
    assert doc.warnings == [warning] and report.warnings == [warning]
    # The pages after it keep their numbers: the evidence points where the figure is printed.
    assert report.troops_total == whole.troops_total == 3800
    assert report.evidence["troops_total"] == whole.evidence["troops_total"]
    assert {p.page for p in doc.paragraphs if p.part == "enclosure"} == {3, 4}


def test_a_corrupt_content_stream_is_named_in_a_warning() -> None:
    doc, report = read("damaged-content-stream.pdf")
    assert doc.page_count == 4
    assert report.warnings == [
        "page 4: its content stream 10 is corrupt (Error -3 while decompressing data: "
        "incorrect data check): its text is missing or incomplete"
    ]
    assert report.troops_total == 3800  # page 3 is whole


def test_a_page_tree_declaring_more_pages_than_it_lists_is_a_warning() -> None:
    doc, report = read("page-tree-declares-five-lists-four.pdf")
    assert doc.page_count == 4 and report.troops_total == 3800
    assert report.warnings == ["the page tree declares 5 pages but lists 4: pages may be missing"]


# caps before any page is built -------------------------------------------------------------
def test_a_60000_page_file_is_refused_from_its_page_tree(tmp_path: Path) -> None:
    path = tmp_path / "sixty-thousand-pages.pdf"
    sixty_thousand_pages(path)
    assert path.stat().st_size < 50_000_000  # under the byte cap: the page cap must catch it
    with pytest.raises(PdfTooLargeError) as caught:
        extract_pdf(path, max_pages=500)
    assert "has 60,000 pages (as its page tree declares), over the cap of 500 pages" in (
        caught.value.message
    )


def test_a_page_tree_that_lies_about_its_count_is_still_capped(tmp_path: Path) -> None:
    path = tmp_path / "lying-count.pdf"
    sixty_thousand_pages(path, pages=40, declared=1)
    with pytest.raises(PdfTooLargeError, match="has 11 pages, over the cap of 10 pages"):
        extract_pdf(path, max_pages=10)
