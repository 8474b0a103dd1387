"""Generate the PDF fixtures under tests/data/pdfs/, each named after the case it reproduces.

    .venv/bin/python tests/data/make_pdfs.py

A new case is one line in ``CASES``: a file name and a function returning the bytes. Report
cases are rendered by reportwatch.demo.samples.render from the facts below (or from the bundled
archive), laid out as real ODS PDFs are, so the fixtures change only when the renderer or the
facts do. The text-layer quirks of real files (a soft hyphen, a thin space between digit
groups, a font without a Unicode map) are given to a rendered sample by
reportwatch.demo.samples.textlayer, an incremental update that leaves the page as it looks.
"""

from __future__ import annotations

import datetime as dt
import io
import random
import re
import tempfile
import zlib
from collections.abc import Callable
from pathlib import Path

from fontTools.fontBuilder import FontBuilder
from fontTools.pens.ttGlyphPen import TTGlyphPen
from fpdf import FPDF
from PIL import Image, ImageDraw

from reportwatch.demo import sample_facts
from reportwatch.demo.samples.annual import AnnualReport, SampleRow, load_annual_facts
from reportwatch.demo.samples.build import BUNDLED_FACTS
from reportwatch.demo.samples.facts import (
    MONTHLY_TITLE,
    SampleFootnote,
    SampleIncident,
    SampleReport,
    load_facts,
)
from reportwatch.demo.samples.render import layout_pdf, render_pdf
from reportwatch.demo.samples.textlayer import remap_text_layer
from reportwatch.demo.samples.wording import MONTHLY_ROUTINE_PARAGRAPHS as MONTHLY
from reportwatch.demo.samples.wording import ROUTINE_PARAGRAPHS

PDF_DIR = Path(__file__).resolve().parent / "pdfs"
D = dt.date


def archive(which: str, **changes: object) -> SampleReport:
    """The bundled archive's report ``which`` (a symbol), optionally changed."""
    report = next(r for r in load_facts(BUNDLED_FACTS) if r.symbol == which)
    return report.model_copy(update=changes)


MONTHLY_2008_07 = SampleReport(
    symbol="S/2008/614",
    distribution_date=D(2008, 9, 17),
    job_number="08-51266",
    job_processed=D(2008, 9, 18),
    letter_date=D(2008, 9, 15),
    nato_letter_date=D(2008, 8, 27),
    sg_name="Ban Ki-moon",
    nato_sg_name="Jaap de Hoop Scheffer",
    era="monthly",
    title=MONTHLY_TITLE,
    period_start=D(2008, 7, 1),
    period_end=D(2008, 7, 31),
    period_wording="days_of_month",
    troops_total=15413,
    non_nato_troops=1234,
    major_incidents=False,
    incidents=[
        SampleIncident(
            date=D(2008, 7, 6),
            place="Mitrovica (Multinational Task Force North)",
            summary="a hand grenade was thrown at a police vehicle near the main bridge; "
            "2 Kosovo police officers were slightly injured.",
            casualties=2,
        )
    ],
    distractors=[
        "KFOR units collected 1,250 rounds of ammunition and 17 weapons during searches, "
        "and 3 persons were handed over to the Kosovo police."
    ],
)

MONTHLY_2001_03 = SampleReport(
    symbol="S/2001/355",
    distribution_date=D(2001, 4, 12),
    job_number="01-33412",
    job_processed=D(2001, 4, 12),
    letter_date=D(2001, 4, 10),
    sg_name="Kofi A. Annan",
    layers=["letter", "annex"],
    era="monthly",
    title="Monthly report to the United Nations on the operations of the Kosovo Force",
    period_start=D(2001, 3, 1),
    period_end=D(2001, 3, 31),
    period_wording="dash",
    troops_total=39000,
    troops_qualifier="about",
    nato_nations=19,
    non_nato_nations=20,
    nations_in_words=False,
    major_incidents=None,
    incidents=[
        SampleIncident(
            date=D(2001, 3, 7),
            place="Tanusevci (Multinational Brigade East)",
            summary="KFOR troops came under fire near the boundary with the former Yugoslav "
            "Republic of Macedonia; no KFOR soldier was injured.",
        )
    ],
)

MONTHLY_2000_02 = MONTHLY_2001_03.model_copy(
    update={
        "symbol": "S/2000/177",
        "distribution_date": D(2000, 3, 3),
        "letter_date": D(2000, 3, 2),
        "job_number": "00-32511",
        "job_processed": D(2000, 3, 3),
        "original_language": "French",
        "period_start": D(2000, 1, 24),
        "period_end": D(2000, 2, 22),
        "period_wording": "parenthesized",
        "troops_total": 37000,
        "troops_qualifier": "some",
        "nato_nations": None,
        "non_nato_nations": None,
        "incidents": [],
    }
)

MONTHLY_2004_03 = MONTHLY_2008_07.model_copy(
    update={
        "symbol": "S/2004/348",
        "distribution_date": D(2004, 4, 29),
        "letter_date": D(2004, 4, 27),
        "nato_letter_date": D(2004, 4, 14),
        "job_number": "04-32577",
        "job_processed": D(2004, 4, 30),
        "sg_name": "Kofi A. Annan",
        "period_start": D(2004, 3, 1),
        "period_end": D(2004, 3, 31),
        "period_wording": "covering_no_year",
        "troops_total": 18500,
        "troops_qualifier": "almost",
        "non_nato_troops": None,
        "major_incidents": True,
        "incidents": [
            SampleIncident(
                date=D(2004, 3, 17),
                place="Mitrovica (Multinational Brigade North)",
                summary="violent riots spread across Kosovo; 19 people were killed and more than "
                "900 were injured, among them 65 KFOR soldiers.",
                casualties=19,
            )
        ],
    }
)


def encrypted() -> bytes:
    pdf = layout_pdf(archive("S/2021/228"))
    pdf.set_encryption(owner_password="owner-secret", user_password="user-secret")
    return bytes(pdf.output())


def scanned() -> bytes:
    """One page holding only a picture of text, as a scanner makes."""
    image = Image.new("1", (612, 792), 1)
    draw = ImageDraw.Draw(image)
    draw.text((72, 60), "S/2020/604", fill=0)
    for row in range(12):
        draw.text((72, 120 + 24 * row), "KFOR report page scanned without a text layer", fill=0)
    buffer = io.BytesIO()
    image.save(buffer, format="PNG", optimize=True)
    pdf = FPDF(unit="pt", format="letter")
    pdf.set_creation_date(dt.datetime(2020, 6, 26, tzinfo=dt.UTC))
    pdf.add_page()
    pdf.image(io.BytesIO(buffer.getvalue()), x=0, y=0, w=612, h=792)
    return bytes(pdf.output())


def truncated() -> bytes:
    data = render_pdf(archive("S/2020/604"))
    return data[: len(data) * 6 // 10]


def cut_inside_its_update() -> bytes:
    """A PDF with an incremental update, cut halfway through the update: the %%EOF of the
    original file is in it, followed by objects that never end."""
    data = digit_groups("\u00a0", "\u2009")
    first_end = data.index(b"%%EOF") + len(b"%%EOF")
    return data[: first_end + (len(data) - first_end) // 2]


def with_bytes_after_its_end(extra: bytes) -> bytes:
    """A whole PDF followed by ``extra``: every reader ignores what follows %%EOF."""
    return render_pdf(archive("S/2020/604")) + extra


MONTHLY_1999_11 = MONTHLY_2001_03.model_copy(
    update={
        "symbol": "S/1999/1185",
        "distribution_date": D(1999, 11, 23),
        "letter_date": D(1999, 11, 22),
        "job_number": "99-35982",
        "job_processed": D(1999, 11, 24),
        "layout": "1990s",
        "period_start": D(1999, 10, 1),
        "period_end": D(1999, 10, 31),
        "period_wording": "from_to",
        "troops_total": 47000,
        "troops_qualifier": "some",
        "nato_nations": None,
        "non_nato_nations": None,
        "incidents": [],
        "filler_paragraphs": 6,
        "footnotes": [
            SampleFootnote(word="Kosovo", text="Territory administered under resolution 1244.")
        ],
    }
)

# Monthly wording, so that one sentence carries two grouped figures (total and non-NATO).
GROUPED = MONTHLY_2008_07.model_copy(update={"troops_qualifier": None, "incidents": []})


def digit_groups(separator: str, meaning: str | None) -> bytes:
    """Troop figures grouped by ``separator``; its text layer says ``meaning`` when given."""
    data = render_pdf(GROUPED.model_copy(update={"digit_group": separator}))
    return remap_text_layer(data, {separator: meaning}) if meaning else data


def soft_hyphens() -> bytes:
    """Hyphenated with soft hyphens, "approxi-" / "mately" across a line end (as Word does)."""
    report = archive("S/2023/966", soft_hyphens=True, break_words=["approximately"])
    return remap_text_layer(render_pdf(report), {"\xad": "\u00ad"})


def sixty_thousand_pages(path: Path, pages: int = 60_000, declared: int | None = None) -> None:
    """A tiny PDF of ``pages`` empty pages (its page tree may declare another count)."""
    kids = " ".join(f"{4 + i} 0 R" for i in range(pages))
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        f"<< /Type /Pages /Count {declared if declared is not None else pages} "
        f"/Kids [{kids}] >>".encode(),
        b"<< /Length 0 >>\nstream\n\nendstream",
    ]
    objects += [b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 3 0 R >>"] * pages
    with path.open("wb") as out:
        out.write(b"%PDF-1.4\n")
        offsets = []
        for number, body in enumerate(objects, start=1):
            offsets.append(out.tell())
            out.write(b"%d 0 obj\n%s\nendobj\n" % (number, body))
        xref = out.tell()
        out.write(b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1))
        out.write(b"".join(b"%010d 00000 n \n" % offset for offset in offsets))
        out.write(
            b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n"
            % (len(objects) + 1, xref)
        )


HTML_PAGE = (
    b'<!DOCTYPE html>\n<html lang="en"><head><title>Access denied</title></head>\n'
    b"<body><h1>Access denied</h1><p>Please enable JavaScript to view this document.</p>"
    b"</body></html>\n"
)

# The troop strength stated only in other paragraphs (the report's own troop sentence left out).
YEAR_ONLY = "KFOR troop strength remained stable throughout 2023."
AS_AT_2023 = (
    "As at 31 December 2023, the total number of KFOR troops in theatre was approximately 4,500, "
    "from twenty North Atlantic Treaty Organization (NATO) and six non-NATO troop-contributing "
    "nations."
)


def troops_in(*paragraphs: str) -> bytes:
    return render_pdf(archive("S/2024/215", troops_total=None, distractors=list(paragraphs)))


_PAGE = re.compile(
    rb"\n(\d+) 0 obj\n(<<\n/Contents (\d+) 0 R\n/Parent \d+ 0 R\n[^>]*/Type /Page\n>>)"
)
_STREAM = rb"\n%d 0 obj\n<<\n/Filter /FlateDecode\n/Length (\d+)\n>>\nstream\n"


def _update(pdf: bytes, objects: list[tuple[int, bytes]]) -> bytes:
    """``pdf`` with ``objects`` (number, body) appended as an incremental update."""
    tail = re.search(rb"startxref\s+(\d+)\s+%%EOF\s*$", pdf)
    trailer = re.search(rb"trailer\s*<<(.*?)>>\s*startxref", pdf, re.DOTALL)
    size = re.search(rb"/Size (\d+)", pdf)
    if tail is None or trailer is None or size is None:
        raise ValueError("not a PDF written by the sample generator")
    out = bytearray(pdf if pdf.endswith(b"\n") else pdf + b"\n")
    offsets: list[tuple[int, int]] = []
    for number, body in objects:
        offsets.append((number, len(out)))
        out += b"%d 0 obj\n%s\nendobj\n" % (number, body)
    xref = len(out)
    out += b"xref\n" + b"".join(b"%d 1\n%010d 00000 n \n" % entry for entry in sorted(offsets))
    keys = re.sub(rb"/Prev \d+|/Size \d+", b"", trailer.group(1)).strip()
    last = max([int(size.group(1)) - 1, *(number for number, _ in objects)])
    out += b"trailer\n<< %s /Size %d /Prev %s >>\nstartxref\n%d\n%%%%EOF\n" % (
        keys,
        last + 1,
        tail.group(1),
        xref,
    )
    return bytes(out)


def rotated(pdf: bytes, degrees: int = 90) -> bytes:
    """``pdf`` with every page turned by ``degrees`` (its /Rotate): a viewer shows the pages
    sideways, and pdfminer gives their glyphs turned."""
    pages = _PAGE.findall(pdf)
    if not pages:
        raise ValueError("not a PDF written by the sample generator")
    return _update(pdf, [
        (int(number), body.replace(b"/Type /Page", b"/Rotate %d\n/Type /Page" % degrees))
        for number, body, _ in pages
    ])  # fmt: skip


def printed_sideways(pdf: bytes) -> bytes:
    """``pdf`` with every page's content turned a quarter turn onto a landscape page: its text
    runs up the page (a portrait page printed sideways), and no /Rotate says so."""
    objects: list[tuple[int, bytes]] = []
    next_id = int(re.findall(rb"/Size (\d+)", pdf)[-1])
    for number, body, contents in _PAGE.findall(pdf):
        stream = re.search(_STREAM % int(contents), pdf)
        if stream is None:
            raise ValueError("not a PDF written by the sample generator")
        start = stream.end()
        content = zlib.decompress(pdf[start : start + int(stream.group(1))])
        turned = b"q 0 1 -1 0 792 0 cm\n" + content + b"\nQ\n"
        objects.append(
            (next_id, b"<< /Length %d >>\nstream\n%s\nendstream" % (len(turned), turned))
        )
        page = body.replace(b"/Contents %s 0 R" % contents, b"/Contents %d 0 R" % next_id)
        objects.append(
            (int(number), page.replace(b"/Type /Page", b"/MediaBox [0 0 792 612]\n/Type /Page"))
        )
        next_id += 1
    return _update(pdf, objects)


FOUR_PAGES = archive("S/2023/668", filler_paragraphs=12)  # the enclosure on pages 3 and 4


def damaged_page_object(page: int) -> bytes:
    """FOUR_PAGES with the object of ``page`` overwritten where it starts (a damaged sector):
    the page tree still lists it, but it no longer resolves to a page."""
    data = bytearray(render_pdf(FOUR_PAGES))
    found = list(_PAGE.finditer(data))[page - 1]
    start = found.start(1)
    data[start : found.end(1) + 6] = b"x" * (found.end(1) + 6 - start)  # "12 0 obj"
    return bytes(data)


def damaged_content_stream(page: int) -> bytes:
    """FOUR_PAGES with 40 bytes in the middle of ``page``'s compressed content zeroed."""
    data = bytearray(render_pdf(FOUR_PAGES))
    contents = int(list(_PAGE.finditer(data))[page - 1].group(3))
    stream = re.search(_STREAM % contents, data)
    assert stream is not None
    middle = stream.end() + int(stream.group(1)) // 2
    data[middle : middle + 40] = b"\x00" * 40
    return bytes(data)


def page_tree_count(count: int) -> bytes:
    """FOUR_PAGES whose page tree declares ``count`` pages (its /Count), four listed."""
    data = render_pdf(FOUR_PAGES)
    node = re.search(rb"\n1 0 obj\n(<<\n/Count \d+\n.*?/Type /Pages\n>>)", data, re.DOTALL)
    assert node is not None
    return _update(data, [(1, re.sub(rb"/Count \d+", b"/Count %d" % count, node.group(1)))])


def without_text(pdf: bytes, page: int, text: str) -> bytes:
    """``pdf`` with ``text`` no longer printed on ``page`` (its content rewritten)."""
    found = list(_PAGE.finditer(pdf))[page - 1]
    number, body, contents = found.groups()
    stream = re.search(_STREAM % int(contents), pdf)
    assert stream is not None
    content = zlib.decompress(pdf[stream.end() : stream.end() + int(stream.group(1))])
    shown = b"(%s) Tj" % text.encode("cp1252")
    assert shown in content
    content = content.replace(shown, b"() Tj")
    next_id = int(re.findall(rb"/Size (\d+)", pdf)[-1])
    return _update(pdf, [
        (next_id, b"<< /Length %d >>\nstream\n%s\nendstream" % (len(content), content)),
        (int(number), body.replace(b"/Contents %s 0 R" % contents, b"/Contents %d 0 R" % next_id)),
    ])  # fmt: skip


def _box_font(path: Path) -> None:
    """A TrueType font of printable ASCII, every glyph a box: enough for fpdf2 to embed."""
    chars = [chr(code) for code in range(32, 127)]
    names = [".notdef", *(f"u{ord(c):04X}" for c in chars)]
    builder = FontBuilder(1000, isTTF=True)
    builder.setupGlyphOrder(names)
    builder.setupCharacterMap({ord(c): f"u{ord(c):04X}" for c in chars})
    glyphs = {}
    for name in names:
        pen = TTGlyphPen(None)
        if name not in (".notdef", "u0020"):
            for x, y in ((50, 0), (50, 700), (450, 700), (450, 0)):
                (pen.lineTo if x != 50 or y else pen.moveTo)((x, y))
            pen.closePath()
        glyphs[name] = pen.glyph()
    builder.setupGlyf(glyphs)
    builder.setupHorizontalMetrics({name: (500, 50) for name in names})
    builder.setupHorizontalHeader(ascent=800, descent=-200)
    builder.setupNameTable({"familyName": "Boxes", "styleName": "Regular"})
    builder.setupOS2(sTypoAscender=800, sTypoDescender=-200, usWinAscent=800, usWinDescent=200)
    builder.setupPost()
    builder.font.recalcTimestamp = False  # the same bytes on every run
    builder.font["head"].created = builder.font["head"].modified = 3_600_000_000
    builder.save(str(path))


def embedded_font_without_unicode_map() -> bytes:
    """A KFOR report set in an embedded TrueType font (as fpdf2 embeds it: a subset, codes in
    the order of first use), its /ToUnicode map blanked out. pdfminer then reads the codes
    through the font's own character table: letters, but not the printed ones."""
    pdf = FPDF(unit="pt", format="letter")
    pdf.set_creation_date(dt.datetime(2021, 6, 15, tzinfo=dt.UTC))
    with tempfile.TemporaryDirectory() as folder:
        _box_font(Path(folder) / "boxes.ttf")
        pdf.add_font("Boxes", "", str(Path(folder) / "boxes.ttf"))
        pdf.add_page()
        pdf.set_font("Boxes", "", 10)
        head = ["United Nations    S/2021/562", "Security Council", "Distr.: General",
                "15 June 2021", "Original: English"]  # fmt: skip
        for index, line in enumerate(head):
            pdf.text(123.4 if index < 2 else 397.0, 57.0 + 14.0 * index, line)
        pdf.set_xy(123.4, 200.0)
        pdf.multi_cell(364.6, 12.0, "Report to the United Nations on Kosovo Force operations")
        paragraphs = [
            "1. The present report covers Kosovo Force (KFOR) activities during the period from "
            "1 January to 31 March 2021.",
            "2. As at 31 March 2021, the total number of KFOR troops in theatre was "
            "approximately 3,700, from twenty NATO and seven non-NATO troop-contributing nations.",
            *(f"{n}. {text}" for n, text in enumerate(ROUTINE_PARAGRAPHS + MONTHLY, 3)),
        ]
        for text in paragraphs:
            pdf.set_x(123.4)
            pdf.multi_cell(364.6, 12.0, text)
            pdf.ln(6.0)
        data = bytes(pdf.output())
    return re.sub(rb"/ToUnicode \d+ 0 R", lambda m: b" " * len(m.group()), data)


def annual(which: str, **changes: object) -> AnnualReport:
    """A report of the bundled second-series archive (annual, with an annex table), changed."""
    report = next(r for r in load_annual_facts(sample_facts()["minurso"]) if r.symbol == which)
    return report.model_copy(update=changes)


def annex_rows(**changes: object) -> list[SampleRow]:
    """The 2013 sample's countries, some changed: ``changes`` maps a country to its fields."""
    rows = annual("S/2013/220").contributions
    return [row.model_copy(update=changes.get(row.country, {})) for row in rows]  # type: ignore[arg-type]


CASES: dict[str, Callable[[], bytes]] = {
    "annex-table-2012-layout.pdf": lambda: render_pdf(annual("S/2013/220")),
    "annex-table-as-picture.pdf": lambda: render_pdf(annual("S/2014/258")),
    "annex-table-total-does-not-add-up.pdf": lambda: render_pdf(
        annual("S/2013/220", printed_total=[201, 27, 4, 232])
    ),
    "annex-table-two-line-headings-and-labels.pdf": lambda: render_pdf(
        annual(
            "S/2013/220",
            two_line_header=True,
            label_width=70.0,
            contributions=[
                *annex_rows(),
                SampleRow(country="Bolivia (Plurinational State of)", observers=3),
            ],
        )
    ),
    "annex-table-refused-label-too-long.pdf": lambda: render_pdf(
        annual(
            "S/2013/220",
            contributions=[
                *annex_rows(),
                SampleRow(
                    country="United Kingdom of Great Britain and Northern Ireland", observers=2
                ),
            ],
        )
    ),
    "annex-table-dash-for-nil.pdf": lambda: render_pdf(
        annual("S/2013/220", contributions=annex_rows(Ghana={"dash_for_zero": True}))
    ),
    "quarterly-2020-q1-ods-layout.pdf": lambda: render_pdf(archive("S/2020/604")),
    "quarterly-2023-q2-major-incident.pdf": lambda: render_pdf(archive("S/2023/668")),
    "quarterly-2021-q2-nations-in-digits.pdf": lambda: render_pdf(archive("S/2021/795")),
    "monthly-2008-07-exact-count.pdf": lambda: render_pdf(MONTHLY_2008_07),
    "monthly-2001-03-dash-period-no-nato-letter.pdf": lambda: render_pdf(MONTHLY_2001_03),
    "monthly-2000-02-parenthesized-period.pdf": lambda: render_pdf(MONTHLY_2000_02),
    "monthly-2004-03-period-without-year.pdf": lambda: render_pdf(MONTHLY_2004_03),
    "hyphenated-words.pdf": lambda: render_pdf(archive("S/2022/686", filler_paragraphs=6)),
    "corrigendum-symbol.pdf": lambda: render_pdf(archive("S/2021/228", symbol="S/2021/228/Corr.1")),
    "quarterly-2021-q3-reissued-with-asterisk.pdf": lambda: render_pdf(archive("S/2021/1032")),
    "quarterly-2012-style-masthead-and-page-number-footers.pdf": lambda: render_pdf(
        archive("S/2021/562", layout="ods-2012", filler_paragraphs=8)
    ),
    "joint-general-assembly-security-council.pdf": lambda: render_pdf(
        archive("S/2021/795", joint_symbol="A/75/1004")
    ),
    "monthly-1999-10-1990s-layout.pdf": lambda: render_pdf(MONTHLY_1999_11),
    "doubled-glyphs-fake-bold.pdf": lambda: render_pdf(archive("S/2023/668", overprint=True)),
    "soft-hyphen-at-line-end.pdf": soft_hyphens,
    "digit-groups-no-break-space.pdf": lambda: digit_groups("\u00a0", "\u00a0"),
    "digit-groups-thin-space.pdf": lambda: digit_groups("\u00a0", "\u2009"),
    "digit-groups-plain-space.pdf": lambda: digit_groups(" ", None),
    "digit-groups-apostrophe.pdf": lambda: digit_groups("\u00a0", "\u2019"),
    "digit-groups-medium-mathematical-space.pdf": lambda: digit_groups("\u00a0", "\u205f"),
    "digit-groups-middle-dot.pdf": lambda: digit_groups("\u00a0", "\u00b7"),
    "digit-groups-underscore.pdf": lambda: digit_groups("\u00a0", "_"),
    "troops-stable-throughout-a-year.pdf": lambda: troops_in(YEAR_ONLY),
    "troops-a-year-then-the-as-at-sentence.pdf": lambda: troops_in(YEAR_ONLY, AS_AT_2023),
    "font-without-unicode-map.pdf": lambda: remap_text_layer(
        render_pdf(archive("S/2020/910")), undecodable=True
    ),
    "embedded-font-without-unicode-map.pdf": embedded_font_without_unicode_map,
    "subset-fonts-without-style-names.pdf": lambda: remap_text_layer(
        render_pdf(archive("S/2023/179")), subset_names=True
    ),
    "sideways-annex-page.pdf": lambda: render_pdf(
        archive(
            "S/2021/795",
            sideways_lines=[
                "Troop-contributing nations as at 30 June 2021",
                "Albania 90, Austria 300, Bulgaria 25, Canada 5, Croatia 40, Czechia 10",
            ],
        )
    ),
    "sideways-page-with-the-troop-figure.pdf": lambda: render_pdf(
        archive(
            "S/2021/795",
            troops_total=None,
            sideways_lines=[
                "As at 30 June 2021, the total number of KFOR troops in theatre was approximately",
                "3,700, from twenty North Atlantic Treaty Organization (NATO) and seven non-NATO",
                "troop-contributing nations. Its strength is listed by nation in the table below.",
            ],
        )
    ),
    "pages-with-rotate-90.pdf": lambda: rotated(render_pdf(archive("S/2021/795"))),
    "pages-printed-sideways.pdf": lambda: printed_sideways(render_pdf(archive("S/2024/215"))),
    "masthead-security-council-24pt.pdf": lambda: render_pdf(
        archive("S/2021/562", organ_size=24.0)
    ),
    "masthead-security-council-28pt.pdf": lambda: render_pdf(
        archive("S/2020/604", organ_size=28.0)
    ),
    "masthead-without-a-date.pdf": lambda: without_text(
        render_pdf(archive("S/2021/562")), 1, "15 June 2021"
    ),
    "damaged-page-object.pdf": lambda: damaged_page_object(2),
    "damaged-content-stream.pdf": lambda: damaged_content_stream(4),
    "page-tree-declares-five-lists-four.pdf": lambda: page_tree_count(5),
    "encrypted.pdf": encrypted,
    "scanned-no-text.pdf": scanned,
    "html-saved-as-pdf.pdf": lambda: HTML_PAGE,
    "truncated.pdf": truncated,
    "truncated-inside-an-update.pdf": cut_inside_its_update,
    "bytes-after-eof-nul.pdf": lambda: with_bytes_after_its_end(b"\x00" * 3000),
    "bytes-after-eof-random.pdf": lambda: with_bytes_after_its_end(
        random.Random(2000).randbytes(2000)
    ),
    "zero-bytes.pdf": lambda: b"",
}


def main() -> None:
    PDF_DIR.mkdir(parents=True, exist_ok=True)
    for name, build in CASES.items():
        data = build()
        path = PDF_DIR / name
        if not path.is_file() or path.read_bytes() != data:
            path.write_bytes(data)
            print(f"wrote {path.relative_to(PDF_DIR.parent.parent.parent)} ({len(data):,} bytes)")


if __name__ == "__main__":
    main()
