"""The printed furniture of an ODS page: masthead, running header, footer, page-1 foot.

Geometry measured on real ODS PDFs (US Letter, 612 x 792 pt; distances from the top):

* page 1, today ("ods"): a 14 pt "United Nations" at the text margin and, right-aligned on the
  same baseline, the symbol as a 20 pt "S" followed by "/2020/604" in 10 pt (a joint document
  prints "A" and "S" the same way: "A/75/123- S/2020/604"); a rule; "Security Council" in
  20 pt bold; a column at x = 397 with "Distr.: General", the date, ["English"] and
  "Original: French"; a second rule; at the foot the job line "20-08523 (E) 290620", the
  barcode and its text "*2008523*";
* "ods-2012": the same, with "Distr.: General" on the baseline of "Security Council" and
  page-number footers "2  12-27711" / "12-27711  3";
* later pages: the symbol in 8.5 pt bold at the top (left on even pages, right on odd ones)
  and "2/13  25-08272" (even) or "25-08272  3/13" (odd) at the foot;
* "1990s": "UNITED NATIONS" and a big "S" on one baseline, "Security Council" centred, then
  "Distr." / "GENERAL" / symbol / date / "ORIGINAL: ENGLISH" on separate lines; later pages
  carry the symbol, "English" and "Page N" at the top right, and every page but the last ends
  with "/..." at the bottom right.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from reportwatch.demo.samples.facts import PrintedDocument, format_date

if TYPE_CHECKING:  # the generator needs fpdf2 (an extra), imported by render.py
    from fpdf import FPDF

PAGE_WIDTH, PAGE_HEIGHT = 612.0, 792.0  # US Letter: ODS prints English documents on it
MARGIN, RIGHT = 123.4, 488.0  # the text column of today's ODS pages
FURNITURE_LEFT, FURNITURE_RIGHT = 60.0, 552.0
COLUMN_X = 397.0  # the Distr. column of the masthead
OLD_MARGIN, OLD_RIGHT = 72.0, 540.0  # the 1990s text column


def text_column(report: PrintedDocument) -> tuple[float, float]:
    return (OLD_MARGIN, OLD_RIGHT) if report.layout == "1990s" else (MARGIN, RIGHT)


def right_text(pdf: FPDF, text: str, baseline: float, right: float = FURNITURE_RIGHT) -> None:
    pdf.text(right - pdf.get_string_width(text), baseline, text)


def masthead(pdf: FPDF, report: PrintedDocument) -> float:
    """Print page 1's masthead; returns the baseline under which the title may start."""
    if report.layout == "1990s":
        return _masthead_1990s(pdf, report)
    pdf.set_font("Times", "", 14)
    pdf.text(MARGIN, 57.0, "United Nations")
    _big_symbols(pdf, report, 57.0)
    pdf.set_line_width(1.5)
    pdf.line(FURNITURE_LEFT, 65.0, FURNITURE_RIGHT, 65.0)
    top = 88.0
    if report.joint_symbol:
        pdf.set_font("Times", "B", 20)
        pdf.text(MARGIN, 88.0, "General Assembly")
        top = 107.5  # "Security Council" shares its baseline with the date
    pdf.set_font("Times", "B", report.organ_size)
    pdf.text(MARGIN, top, "Security Council")
    pdf.set_font("Times", "", 10)
    column = ["Distr.: General", format_date(report.distribution_date), ""]
    if report.original_language != "English":
        column[2] = "English"
    column.append(f"Original: {report.original_language}")
    first = top if report.layout == "ods-2012" else 87.0  # 2012: on "Security Council"'s line
    for index, line in enumerate(column):
        if line:
            pdf.text(COLUMN_X, first + (11.7 if index else 0.0) + 12.0 * max(0, index - 1), line)
    pdf.set_line_width(1.5)
    pdf.line(FURNITURE_LEFT, 209.5, FURNITURE_RIGHT, 209.5)
    return 224.0


def _big_symbols(pdf: FPDF, report: PrintedDocument, baseline: float) -> None:
    """ "S" in 20 pt then "/2020/604" in 10 pt on one baseline, right-aligned."""
    pieces = [("S", report.symbol[1:] + report.reissue_marks)]
    if report.joint_symbol:
        pieces.insert(0, ("A", report.joint_symbol[1:] + "- "))
    widths = []
    for letter, rest in pieces:
        pdf.set_font("Times", "", 20)
        big = pdf.get_string_width(letter)
        pdf.set_font("Times", "", 10)
        widths.append(big + pdf.get_string_width(rest))
    x = FURNITURE_RIGHT - sum(widths)
    for letter, rest in pieces:
        pdf.set_font("Times", "", 20)
        pdf.text(x, baseline, letter)
        x += pdf.get_string_width(letter)
        pdf.set_font("Times", "", 10)
        pdf.text(x, baseline, rest)
        x += pdf.get_string_width(rest)


def _masthead_1990s(pdf: FPDF, report: PrintedDocument) -> float:
    pdf.set_font("Times", "B", 12)
    pdf.text(OLD_MARGIN, 62.0, "UNITED NATIONS")
    pdf.set_font("Helvetica", "B", 28)
    pdf.text(470.0, 62.0, "S")
    pdf.set_font("Times", "B", 18)
    title = "Security Council"
    pdf.text((PAGE_WIDTH - pdf.get_string_width(title)) / 2, 90.0, title)
    pdf.set_line_width(1.0)
    pdf.line(OLD_MARGIN, 98.0, OLD_RIGHT, 98.0)
    pdf.set_font("Times", "", 12)
    column = [
        "Distr.",
        "GENERAL",
        "",
        report.printed_symbol,
        format_date(report.distribution_date),
        "",
        f"ORIGINAL: {report.original_language.upper()}",
    ]
    baseline = 116.0
    for line in column:
        if line:
            pdf.text(400.0, baseline, line)
        baseline += 14.0
    pdf.line(OLD_MARGIN, baseline + 2.0, OLD_RIGHT, baseline + 2.0)
    return baseline + 30.0


def running_header(pdf: FPDF, report: PrintedDocument, page: int) -> float:
    """The top of a later page; returns the first body baseline under it."""
    if report.layout == "1990s":
        pdf.set_font("Times", "", 12)
        for index, line in enumerate([report.printed_symbol, "English", f"Page {page}"]):
            right_text(pdf, line, 50.0 + 14.0 * index, OLD_RIGHT)
        return 110.0
    pdf.set_font("Times", "B", 8.5)
    symbols = [report.joint_symbol, report.symbol] if report.joint_symbol else [report.symbol]
    baseline = 60.0 - 9.7 * (len(symbols) - 1)
    for symbol in symbols:
        if page % 2 == 0:
            pdf.text(FURNITURE_LEFT, baseline, symbol)
        else:
            right_text(pdf, symbol, baseline)
        baseline += 9.7
    return 85.0


def footer(pdf: FPDF, report: PrintedDocument, page: int, total: int) -> None:
    """The foot of a later page (page 1 has :func:`first_page_foot`)."""
    if report.layout == "1990s":
        if page < total:
            pdf.set_font("Times", "", 12)
            right_text(pdf, "/...", 750.0, OLD_RIGHT)
        return
    marker = f"{page}/{total}" if report.layout == "ods" else str(page)
    left, right = (marker, report.job_number) if page % 2 == 0 else (report.job_number, marker)
    pdf.set_font("Times", "B", 8.5)
    pdf.text(FURNITURE_LEFT, 756.0, left)
    right_text(pdf, right, 756.0)


def first_page_foot(pdf: FPDF, report: PrintedDocument, last_page: bool) -> None:
    """Job line, barcode and its text, "Please recycle" (and "/..." in the 1990s)."""
    if report.layout == "1990s":
        pdf.set_font("Times", "", 10)
        pdf.text(OLD_MARGIN, 752.0, report.job_line)
        if not last_page:
            pdf.set_font("Times", "", 12)
            right_text(pdf, "/...", 750.0, OLD_RIGHT)
        return
    pdf.set_font("Times", "", 10)
    pdf.text(65.4, 748.0, report.job_line)
    x = 65.4
    for digit in report.job_number.replace("-", ""):  # bars: the digits decide the widths
        width = 0.6 + 0.5 * (int(digit) % 3)
        pdf.rect(x, 752.0, width, 12.0, style="F")
        x += width + 0.8 + 0.3 * (int(digit) % 2)
    pdf.set_font("Courier", "", 8)
    pdf.text(70.0, 772.0, report.barcode_text)
    pdf.set_font("Helvetica", "", 6.5)
    right_text(pdf, "Please recycle", 772.0)
