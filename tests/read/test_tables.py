"""Tables printed without ruling lines: found, read into cells, matched to the profile, checked.

Each case is a generated PDF in tests/data/pdfs/ named after it (tests/data/make_pdfs.py),
rendered in the layout of a real ODS annex; the real ones are checked at the end.
"""

from __future__ import annotations

import copy
import json
from pathlib import Path

from reportwatch.demo import sample_facts
from reportwatch.demo.samples.annual import load_annual_facts
from reportwatch.models import ReportTable, TableRowFact
from reportwatch.series import load_series
from tasks.read.extract import extract_pdf
from tasks.read.normalize import normalize
from tasks.read.table_facts import check

PDFS = Path(__file__).resolve().parents[1] / "data" / "pdfs"
PROFILE = load_series("minurso").profile
SAMPLE_2013 = next(
    r for r in load_annual_facts(sample_facts()["minurso"]) if r.symbol == "S/2013/220"
)


def _report(name: str, profile: dict[str, object] | None = None):  # type: ignore[no-untyped-def]
    doc = extract_pdf(PDFS / name)
    return doc, normalize(doc, series="minurso", profile=profile or PROFILE)


def test_the_annex_is_read_into_cells_and_is_no_paragraph() -> None:
    doc, report = _report("annex-table-2012-layout.pdf")
    (table,) = doc.tables
    assert (table.part, table.title, table.label_header) == (
        "annex", "Contributions as at 31 March 2013", "Country",
    )  # fmt: skip
    assert table.columns == ["Military observers", "Troops", "Civilian police", "Total"]
    assert table.column_marks == ["a", "a", "b", ""]
    assert [r.label for r in table.rows] == [r.country for r in SAMPLE_2013.contributions] + [
        "Total"
    ]
    assert table.rows[-1].cells == ["200", "27", "4", "231"] and table.rows[-1].marks[-1] == "c"
    assert [n[:2] for n in table.notes] == ["a ", "b ", "c "]
    assert not any("Argentina" in p.text for p in doc.paragraphs)  # cells, not a paragraph
    notes = [p for p in doc.paragraphs if p.kind == "footnote"]
    assert len(notes) == 3 and {p.part for p in notes} == {"annex"}
    assert report.warnings == [] and report.tables[0].as_of_date == SAMPLE_2013.contributions_as_of


def test_headings_and_labels_over_two_lines_are_joined() -> None:
    doc, report = _report("annex-table-two-line-headings-and-labels.pdf")
    (table,) = doc.tables
    assert table.columns == ["Military observers", "Troops", "Civilian police", "Total"]
    labels = [r.label for r in table.rows]
    assert labels[:-1] == [r.country for r in SAMPLE_2013.contributions] + [
        "Bolivia (Plurinational State of)"
    ]
    assert report.warnings == []  # 31 rows that add up to the Total row


def test_the_bold_total_row_is_a_table_row_and_a_printed_line_never_lost() -> None:
    doc, report = _report("annex-table-2012-layout.pdf")
    (table,) = doc.tables
    total = table.rows[-1]
    assert (total.label, total.cells) == ("Total", ["200", "27", "4", "231"])
    (read,) = report.tables
    assert [(r.label, r.is_total) for r in read.rows][-1] == ("Total", True)
    assert read.rows[-1].values == {
        "military_observers": 200, "troops": 27, "civilian_police": 4, "total": 231
    }  # fmt: skip
    row = report.to_contract()["tables"][0]["rows"][-1]
    assert (row["label"], row["total"], row["values"]["total"]) == ("Total", True, 231)
    # The page's printed lines keep it; no paragraph repeats it (it is cells).
    assert "Total 200 27 4 231c" in doc.pages[table.page - 1].lines
    assert not any("Total 200" in p.text for p in doc.paragraphs)


def test_a_table_that_cannot_be_read_keeps_its_bold_total_row_as_text() -> None:
    doc, report = _report("annex-table-refused-label-too-long.pdf")
    assert doc.tables == [] and report.tables == []
    assert "page 3: a table could not be read (Argentina and 3 fall in one cell)" in doc.warnings
    # Its title was found: the warning names it, never "no printed table has a title matching".
    assert (
        "the contributions table ('Contributions as at 31 March 2013', page 3) could not be read "
        "as a table; its rows were not read"
    ) in report.warnings
    assert not any("no printed table" in w for w in report.warnings)
    # Bold, it is still no heading: its figures stay in the annex's text, as printed.
    total = next(p for p in doc.paragraphs if p.text.startswith("Total "))
    assert (total.text, total.part, total.kind) == ("Total 202 27 4 233c", "annex", "paragraph")
    assert not any(p.section == "Total 202 27 4 233c" for p in doc.paragraphs)


def test_a_total_row_that_does_not_add_up_is_a_warning_naming_both_figures() -> None:
    _, report = _report("annex-table-total-does-not-add-up.pdf")
    assert report.warnings == [
        "the contributions table (page 3): the rows add up to 200 under 'military_observers' "
        "but the Total row prints 201",
        "the contributions table (page 3): the rows add up to 231 under 'total' but the Total "
        "row prints 232",
    ]
    (table,) = report.tables  # loaded as printed: the warning says which figure disagrees
    assert table.rows[-1].values["military_observers"] == 201


def test_a_lone_dash_is_the_un_nil_convention_read_as_0() -> None:
    _, report = _report("annex-table-dash-for-nil.pdf")
    ghana = next(r for r in report.tables[0].rows if r.label == "Ghana")
    assert ghana.values == {"military_observers": 9, "troops": 7, "civilian_police": 0,
                            "total": 16}  # fmt: skip
    assert report.warnings == []  # every column adds up, the dash counted as 0


def test_any_other_mark_in_a_cell_is_null_with_a_warning() -> None:
    doc = extract_pdf(PDFS / "annex-table-dash-for-nil.pdf")
    (table,) = doc.tables
    ghana = next(r for r in table.rows if r.label == "Ghana")
    ghana.cells[2] = "n/a"
    report = normalize(doc, series="minurso", profile=PROFILE)
    assert report.warnings == [
        "the contributions table (page 3): 'Ghana' prints 'n/a' under 'civilian_police', not a "
        "whole figure; left null",
        "the contributions table (page 3): the civilian_police column cannot be checked (a cell "
        "is not a figure)",
    ]


def test_a_column_the_profile_does_not_map_is_one_warning_naming_it() -> None:
    doc = extract_pdf(PDFS / "annex-table-2012-layout.pdf")
    (table,) = doc.tables
    table.columns.insert(3, "Staff officers")
    body = len(table.rows) - 1
    for row in table.rows:  # two staff officers a row, in the printed total too
        staff = 2 * body if row.label == "Total" else 2
        row.cells[3:] = [str(staff), str(int(row.cells[3] or 0) + staff)]
    report = normalize(doc, series="minurso", profile=PROFILE)
    # One warning, not one per row whose total the unread column makes disagree.
    assert report.warnings == [
        "the contributions table (page 3): the profile maps no column to 'Staff officers'; its "
        "figures were not read, and no row's total was checked against the others",
    ]
    assert report.tables[0].rows[-1].values["total"] == 231 + 2 * body
    assert report.tables[0].columns == ["military_observers", "troops", "civilian_police", "total"]


def test_an_annex_printed_as_a_picture_gives_no_rows_and_says_why() -> None:
    doc, report = _report("annex-table-as-picture.pdf")
    assert doc.tables == [] and doc.pages[-1].images == 1
    assert report.tables == [] and "contributing_countries" not in report.metrics
    assert report.warnings == [
        "the contributions table has no text layer: page 3 prints only an image where it should "
        "be, so its rows were not read (it needs OCR)"
    ]


def test_a_column_the_profile_names_but_the_table_lacks_leaves_the_table_unread() -> None:
    profile = copy.deepcopy(PROFILE)
    profile["tables"][0]["columns"]["formed_police"] = "^Formed\\s+police"
    _, report = _report("annex-table-2012-layout.pdf", profile)
    assert report.tables == []
    assert report.warnings == [
        "the contributions table (page 3): 0 columns have a header matching 'formed_police' "
        "(headers: 'Military observers', 'Troops', 'Civilian police', 'Total'); its rows were "
        "not read"
    ]


def test_prose_with_figures_is_never_a_table() -> None:
    for name in ("quarterly-2020-q1-ods-layout.pdf", "monthly-2008-07-exact-count.pdf",
                 "digit-groups-no-break-space.pdf", "sideways-annex-page.pdf"):  # fmt: skip
        assert extract_pdf(PDFS / name).tables == [], name


def _table(rows: list[tuple[str, list[int | None], bool]]) -> ReportTable:
    columns = ["a", "b", "total"]
    return ReportTable(
        table="t", title="T", page=1, columns=columns,
        rows=[TableRowFact(row_index=i, label=label, is_total=total, page=1,
                           values=dict(zip(columns, values, strict=True)))
              for i, (label, values, total) in enumerate(rows)],
    )  # fmt: skip


def test_the_checks_name_each_disagreement() -> None:
    good = _table([("X", [1, 2, 3], False), ("Y", [4, 5, 9], False), ("Total", [5, 7, 12], True)])
    assert check(good, "total") == []
    bad_row = _table([("X", [1, 2, 4], False), ("Total", [1, 2, 4], True)])
    assert check(bad_row, "total") == [
        "the t table (page 1): 'X' adds up to 3 but prints 4 under 'total'",
        "the t table (page 1): 'Total' adds up to 3 but prints 4 under 'total'",
    ]
    twice = _table([("X", [1, 1, 2], False), ("X", [1, 1, 2], False)])
    assert check(twice, None) == [
        "the t table (page 1): rows printed twice: X",
        "the t table (page 1): no Total row, so its rows cannot be checked",
    ]


def test_on_the_real_documents_only_the_annex_is_a_table(realpdf_dir: Path) -> None:
    manifest = json.loads((realpdf_dir / "manifest.json").read_text(encoding="utf-8"))
    for name, want in manifest["documents"].items():
        tables = extract_pdf(realpdf_dir / name).tables
        annex = want.get("series_facts", {}).get("annex_table")
        assert len(tables) == (1 if annex else 0), name
        if annex:
            assert (
                tables[0].title == annex["title"] and len(tables[0].rows) == annex["countries"] + 1
            )


def test_real_header_marks_are_kept_apart(realpdf_dir: Path) -> None:
    (table,) = extract_pdf(realpdf_dir / "S_2012_197-EN.pdf").tables
    assert table.column_marks == ["a", "a", "b", ""]
    assert table.columns == ["Military observers", "Troops", "Civilian police", "Total"]
    assert table.rows[-1].cells[-1] == "235" and table.rows[-1].marks[-1] == "c"
