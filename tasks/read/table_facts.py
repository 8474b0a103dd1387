"""Facts read from tables: a printed table (``DocumentText.tables``) → the profile's table rows.

A ``tables`` entry of the series profile names a table by its title ("Contributions as at
{date}") and its columns by their headers. For each entry this module finds the printed table
whose title (or a line above it) matches, names its columns, reads every cell as a whole
figure, and checks it:

* the body rows add up to the Total row, column by column;
* with ``total_column``, each row's other columns add up to its total.

A check that fails is a warning on the document (naming the table, page, row or column and
both figures); the rows are kept as printed, since the warning says which figure disagrees and
an analyst can look. A cell that prints only a dash (-, en or em dash) is 0: the United Nations'
tables print "nil" so. Any other cell that is not a whole figure is null with a warning, never a
guess. A printed column the profile does not map is one warning naming it (its figures are not
read, and each row's total is then not checked against the others, which it would not add up
to). An ``expected`` table that cannot be found is a warning too: when the document prints an
image where text should be, the table has no text layer, its rows were not read (OCR would be
needed); when its title is printed but the extractor could not read what follows as a table,
the warning names the title and its page.

Metrics with ``table:`` in the profile are read here from the rows (a Total row's value, or
the number of rows with a value above 0 in a column).
"""

from __future__ import annotations

import re

from reportwatch.models import (
    DocumentText,
    Evidence,
    ReportTable,
    TableRowFact,
    TableRowText,
    TableText,
)
from tasks.read.evidence import Facts
from tasks.read.profile import CompiledMetric, CompiledProfile, CompiledTable
from tasks.read.textdates import partial_date
from tasks.read.textnorm import plain

WHOLE = re.compile(r"^\d{1,3}(?:[,\u00a0\u202f\u2009 ]\d{3})*$|^\d+$")
NIL = re.compile(r"^[-\u2013\u2014]$")  # a lone dash: the UN tables' "nil", 0
IMAGE_PAGE_LINES = 5  # a page with an image and at most this many lines prints its content as one


def read_tables(doc: DocumentText, cp: CompiledProfile, facts: Facts) -> list[ReportTable]:
    """The profile's tables as printed in ``doc``, checked; table metrics set on ``facts``."""
    read: list[tuple[ReportTable, TableText]] = []
    for spec in cp.tables:
        printed = _find(doc, spec)
        if printed is None:
            if spec.spec.expected:
                facts.warnings.append(_absent(doc, spec))
            continue
        table = _rows(printed, spec, facts)
        if table is not None:
            read.append((table, printed))
    for metric in cp.metrics:
        if metric.spec.table is not None:
            _table_metric(metric, read, facts)
    return [table for table, _ in read]


def _find(doc: DocumentText, spec: CompiledTable) -> TableText | None:
    for table in doc.tables:
        if spec.spec.parts and table.part not in spec.spec.parts:
            continue
        lines = [table.title] if table.title else []
        lines += list(reversed(table.context))
        if any(spec.title.search(plain(line)) for line in lines):
            return table
    return None


def _title(table: TableText, spec: CompiledTable) -> tuple[str, re.Match[str] | None]:
    lines = [table.title] if table.title else []
    lines += list(reversed(table.context))
    for line in lines:
        match = spec.title.search(plain(line))
        if match:
            return line, match
    return table.title or "", None


def _absent(doc: DocumentText, spec: CompiledTable) -> str:
    name = spec.spec.id
    pictures = [p.number for p in doc.pages if p.images and len(p.lines) <= IMAGE_PAGE_LINES]
    if pictures:
        where = ", ".join(str(n) for n in pictures)
        pages = f"page {where} prints" if len(pictures) == 1 else f"pages {where} print"
        return (
            f"the {name} table has no text layer: {pages} only an image where it should be, "
            "so its rows were not read (it needs OCR)"
        )
    for page in doc.pages:
        title = next((line for line in page.lines if spec.title.search(plain(line))), None)
        if title is not None:
            return (
                f"the {name} table ({title!r}, page {page.number}) could not be read as a table; "
                "its rows were not read"
            )
    return f"no {name} table was found (no printed table has a title matching the profile)"


def _rows(printed: TableText, spec: CompiledTable, facts: Facts) -> ReportTable | None:
    name = f"the {spec.spec.id} table (page {printed.page})"
    positions: dict[str, int] = {}
    for key, pattern in spec.columns:
        hits = [i for i, header in enumerate(printed.columns) if pattern.search(plain(header))]
        if len(hits) != 1:
            facts.warnings.append(
                f"{name}: {len(hits)} columns have a header matching {key!r} "
                f"(headers: {', '.join(repr(h) for h in printed.columns)}); its rows were not read"
            )
            return None
        positions[key] = hits[0]
    unmapped = [h for i, h in enumerate(printed.columns) if i not in positions.values()]
    if unmapped:
        facts.warnings.append(
            f"{name}: the profile maps no column to {', '.join(repr(h) for h in unmapped)}; "
            "its figures were not read, and no row's total was checked against the others"
        )
    title, match = _title(printed, spec)
    as_of = None
    if match is not None and "date" in match.groupdict() and match.group("date"):
        written = partial_date(match.group("date"))
        as_of = written.resolve(written.year) if written and written.year else None
    rows: list[TableRowFact] = []
    for index, row in enumerate(printed.rows):
        values = {key: _figure(row, at, key, name, facts) for key, at in positions.items()}
        is_total = spec.total_row.search(plain(row.label)) is not None
        rows.append(TableRowFact(row_index=index, label=row.label, values=values,
                                 is_total=is_total, page=printed.page))  # fmt: skip
    table = ReportTable(
        table=spec.spec.id,
        title=title,
        as_of_date=as_of,
        page=printed.page,
        columns=list(positions),
        unit=spec.spec.unit,
        view=spec.spec.view,
        rows=rows,
        notes=list(printed.notes),
    )
    facts.warnings += check(table, None if unmapped else spec.spec.total_column)
    return table


def _figure(row: TableRowText, at: int, key: str, name: str, facts: Facts) -> int | None:
    text = row.cells[at] if at < len(row.cells) else None
    if text is None:
        facts.warnings.append(f"{name}: {row.label!r} prints nothing under {key!r}; left null")
        return None
    cleaned = plain(text).strip()
    if WHOLE.match(cleaned):
        return int(re.sub(r"\D", "", cleaned))
    if NIL.match(cleaned):
        return 0
    facts.warnings.append(f"{name}: {row.label!r} prints {text!r} under {key!r}, not a whole "
                          "figure; left null")  # fmt: skip
    return None


def check(table: ReportTable, total_column: str | None) -> list[str]:
    """Warnings where the rows do not add up (to the Total row; along each row)."""
    name = f"the {table.table} table (page {table.page})"
    warnings: list[str] = []
    totals = [r for r in table.rows if r.is_total]
    body = [r for r in table.rows if not r.is_total]
    labels = [r.label for r in body]
    repeated = sorted({label for label in labels if labels.count(label) > 1})
    if repeated:
        warnings.append(f"{name}: rows printed twice: {', '.join(repeated)}")
    if not totals:
        warnings.append(f"{name}: no Total row, so its rows cannot be checked")
    elif len(totals) > 1:
        warnings.append(f"{name}: {len(totals)} Total rows, so its rows cannot be checked")
    else:
        total = totals[0]
        for column in table.columns:
            printed = total.values.get(column)
            added = _sum([r.values.get(column) for r in body])
            if printed is None or added is None:
                warnings.append(f"{name}: the {column} column cannot be checked (a cell is "
                                "not a figure)")  # fmt: skip
            elif added != printed:
                warnings.append(
                    f"{name}: the rows add up to {added:,} under {column!r} but the Total row "
                    f"prints {printed:,}"
                )
    if total_column is not None:
        parts = [c for c in table.columns if c != total_column]
        for row in table.rows:
            whole, along = row.values.get(total_column), _sum([row.values.get(c) for c in parts])
            if whole is not None and along is not None and along != whole:
                warnings.append(
                    f"{name}: {row.label!r} adds up to {along:,} but prints {whole:,} under "
                    f"{total_column!r}"
                )
    return warnings


def _sum(values: list[int | None]) -> int | None:
    """The sum of figures, or None when one of them is no figure (it cannot be checked)."""
    return None if any(v is None for v in values) else sum(v or 0 for v in values)


def _table_metric(
    metric: CompiledMetric, read: list[tuple[ReportTable, TableText]], facts: Facts
) -> None:
    source = metric.spec.table
    assert source is not None
    found = next(((t, p) for t, p in read if t.table == source.table), None)
    if found is None:
        return
    table, printed = found
    if source.count == "rows":
        counted = [
            r for r in table.rows if not r.is_total and (r.values.get(source.column) or 0) > 0
        ]
        value: int | None = len(counted)
        text = f"{len(counted)} rows of {table.title!r} with {source.column} above 0"
    else:
        pattern = re.compile(source.row, re.IGNORECASE) if source.row else None
        rows = [
            r for r in table.rows if (pattern.search(plain(r.label)) if pattern else r.is_total)
        ]
        if len(rows) != 1:
            return
        value = rows[0].values.get(source.column)
        cells = printed.rows[rows[0].row_index]
        text = " ".join([cells.label, *(c or "" for c in cells.cells)])
    if value is None or not metric.min_value <= value <= metric.max_value:
        return
    facts.set(metric.name, value, Evidence(page=table.page, paragraph=None, text=text))
