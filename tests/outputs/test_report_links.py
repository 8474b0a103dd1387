"""The HTML report is mailed and archived: no link its readers cannot follow, evidence on one line."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from tasks.outputs.report_html import lasting_link, render_report_html
from tests.factories import QUARTERS, fetched, report, text_for
from warehouse import open_writer
from warehouse.documents import load_document


def page_for(tmp_path: Path, url: str) -> str:
    """Two reports (so the page has a change with its evidence), the latest from ``url``."""
    with open_writer(tmp_path / "w.duckdb") as con:
        for i, (symbol, troops) in enumerate([("S/2023/9", 3800), ("S/2024/1", 4000)]):
            rep = report(symbol, *QUARTERS[i], troops)
            file = fetched(symbol, symbol.encode()).model_copy(update={"url": url})
            load_document(con, fetched=file, text=text_for(rep), report=rep)
        return render_report_html(con, with_chart=False)


@pytest.mark.parametrize(
    "url",
    ["http://127.0.0.1:41234/files/S_2024_1.pdf", "http://localhost:8765/x.pdf",
     "http://10.0.0.5/x.pdf", "http://mirror/x.pdf", "file:///tmp/x.pdf"],
)  # fmt: skip
def test_a_link_to_this_machine_or_a_private_network_is_left_out(tmp_path: Path, url: str) -> None:
    page = page_for(tmp_path, url)
    assert "S/2024/1" in page and url not in page and "href=" not in page


def test_a_public_source_is_linked(tmp_path: Path) -> None:
    url = "https://documents.un.org/api/symbol/access?s=S/2024/1&l=en"
    page = page_for(tmp_path, url)
    assert f'href="{url.replace("&", "&amp;")}"' in page
    assert lasting_link(url) == url


def test_evidence_and_identifiers_do_not_wrap(tmp_path: Path) -> None:
    page = page_for(tmp_path, "https://documents.un.org/x.pdf")
    assert re.search(r"td\.id, td\.where \{ white-space: nowrap; \}", page)
    assert '<td class="where">p. 3, para. 2</td>' in page
