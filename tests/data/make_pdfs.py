"""Generate the PDF fixtures under tests/data/pdfs/, each named after the case it reproduces.

    .venv/bin/python tests/data/make_pdfs.py

A new case is one line in ``CASES``: a file name and a function returning the bytes. Report
cases are rendered by reportwatch.demo.samples.render from the facts below (or from the bundled
archive), so the fixtures change only when the renderer or the facts do.
"""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Callable
from pathlib import Path

from fpdf import FPDF
from PIL import Image, ImageDraw

from reportwatch.demo.samples.build import BUNDLED_FACTS
from reportwatch.demo.samples.facts import MONTHLY_TITLE, SampleIncident, SampleReport, load_facts
from reportwatch.demo.samples.render import layout_pdf, render_pdf

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


HTML_PAGE = (
    b'<!DOCTYPE html>\n<html lang="en"><head><title>Access denied</title></head>\n'
    b"<body><h1>Access denied</h1><p>Please enable JavaScript to view this document.</p>"
    b"</body></html>\n"
)

CASES: dict[str, Callable[[], bytes]] = {
    "quarterly-2020-q1-ods-layout.pdf": lambda: render_pdf(archive("S/2020/604")),
    "quarterly-2023-q2-major-incident.pdf": lambda: render_pdf(archive("S/2023/668")),
    "quarterly-2021-q2-nations-in-digits.pdf": lambda: render_pdf(archive("S/2021/795")),
    "monthly-2008-07-exact-count.pdf": lambda: render_pdf(MONTHLY_2008_07),
    "monthly-2001-03-dash-period-no-nato-letter.pdf": lambda: render_pdf(MONTHLY_2001_03),
    "monthly-2000-02-parenthesized-period.pdf": lambda: render_pdf(MONTHLY_2000_02),
    "monthly-2004-03-period-without-year.pdf": lambda: render_pdf(MONTHLY_2004_03),
    "hyphenated-words.pdf": lambda: render_pdf(archive("S/2022/686", filler_paragraphs=6)),
    "corrigendum-symbol.pdf": lambda: render_pdf(archive("S/2021/228", symbol="S/2021/228/Corr.1")),
    "encrypted.pdf": encrypted,
    "scanned-no-text.pdf": scanned,
    "html-saved-as-pdf.pdf": lambda: HTML_PAGE,
    "truncated.pdf": truncated,
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
