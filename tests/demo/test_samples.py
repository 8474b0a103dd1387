"""The synthetic KFOR archive: facts, rendering and the committed samples/kfor/ folder."""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import itertools
import json
from pathlib import Path

import pdfplumber
import pytest

from reportwatch.demo import SAMPLES_DIR
from reportwatch.demo.samples.build import BUNDLED_FACTS, CATALOG_NAME, build_archive, main
from reportwatch.demo.samples.facts import SampleReport, load_facts
from reportwatch.demo.samples.render import render_pdf
from reportwatch.errors import ConfigError

ROOT = Path(__file__).resolve().parents[2]
SAMPLES = SAMPLES_DIR


@pytest.fixture(scope="module")
def facts() -> list[SampleReport]:
    return load_facts(BUNDLED_FACTS)


@pytest.fixture(scope="module")
def first_pdf(facts: list[SampleReport]) -> bytes:
    return render_pdf(facts[0])


def _page_texts(pdf_bytes: bytes) -> list[str]:
    with pdfplumber.open(io.BytesIO(pdf_bytes)) as pdf:
        return [page.extract_text() for page in pdf.pages]


def test_rendering_is_deterministic(facts: list[SampleReport], first_pdf: bytes) -> None:
    assert render_pdf(facts[0]) == first_pdf
    assert render_pdf(facts[1]) != first_pdf


def test_page_one_has_the_ods_masthead_and_footer(first_pdf: bytes) -> None:
    page_one = _page_texts(first_pdf)[0].splitlines()
    # As on real ODS pages, the symbol is a big "S" on the baseline of "/2020/604": text read
    # by the top of its glyphs sees them apart.
    assert page_one[:8] == [
        "S",
        "United Nations",
        "/2020/604",
        "Security Council",
        "Distr.: General",
        "26 June 2020",
        "English",
        "Original: French",
    ]
    assert page_one[8:10] == [
        "Letter dated 25 June 2020 from the Secretary-General addressed to the",
        "President of the Security Council",
    ]
    assert "(Signed) António Guterres" in page_one
    assert page_one[-2:] == ["20-08523 (E) 290620", "*2008523* Please recycle"]


def _lines_with_x(pdf_bytes: bytes, page: int) -> list[tuple[float, float, str]]:
    with pdfplumber.open(io.BytesIO(pdf_bytes)) as pdf:
        return [
            (round(line["x0"], 1), round(line["top"], 1), line["text"])
            for line in pdf.pages[page].extract_text_lines()
        ]


def test_numbered_paragraphs_print_their_number_at_the_margin_as_ods_does(first_pdf: bytes) -> None:
    lines = _lines_with_x(first_pdf, 2)
    two = next(i for i, (_, _, text) in enumerate(lines) if text.startswith("2. As at"))
    (x_number, top, _), (x_next, top_next, _) = lines[two], lines[two + 1]
    assert x_number == x_next == 123.4  # continuation lines return to the number's margin
    assert round(top_next - top, 1) == 12.0  # the line pitch at 10 pt type
    three = next(i for i, (_, _, text) in enumerate(lines) if text.startswith("3. There"))
    assert round(lines[three][1] - lines[three - 1][1], 1) == 18.0  # a paragraph gap


def test_a_reissued_sample_prints_its_asterisk_and_note(facts: list[SampleReport]) -> None:
    reissued = next(r for r in facts if r.reissued_on)
    page_one = _page_texts(render_pdf(reissued))[0].splitlines()
    assert f"{reissued.symbol[1:]}*" in page_one
    assert f"* Reissued for technical reasons on {reissued.reissued_on.day} December 2021." in (
        page_one
    )
    assert any(line.startswith(f"{reissued.job_number}* (E)") for line in page_one)


def test_the_1990s_layout_spreads_the_masthead_and_marks_continued_pages(
    facts: list[SampleReport],
) -> None:
    old = facts[0].model_copy(update={"layout": "1990s", "filler_paragraphs": 6})
    pages = [text.splitlines() for text in _page_texts(render_pdf(old))]
    assert pages[0][:8] == [
        "S",
        "UNITED NATIONS",
        "Security Council",
        "Distr.",
        "GENERAL",
        "S/2020/604",
        "26 June 2020",
        "ORIGINAL: FRENCH",
    ]
    assert pages[1][:3] == ["S/2020/604", "English", "Page 2"]
    assert all("/..." in page[-2:] or "/..." in page[-1] for page in pages[:-1])
    assert "/..." not in pages[-1]


def test_later_pages_carry_running_symbol_and_page_marker(first_pdf: bytes) -> None:
    pages = [text.splitlines() for text in _page_texts(first_pdf)]
    assert len(pages) == 3
    for number, lines in enumerate(pages[1:], start=2):
        assert lines[0] == "S/2020/604"
        assert f"{number}/3" in lines[-1]
        assert "20-08523" in lines[-1]
    assert pages[1][1:3] == ["Annex", "[Original: English]"]
    assert pages[2][1:4] == [
        "Enclosure",
        "Report to the United Nations on Kosovo Force operations",
        "Introduction",
    ]


def test_paragraph_two_carries_the_troop_sentence(first_pdf: bytes) -> None:
    enclosure = " ".join(_page_texts(first_pdf)[2].split())
    assert (
        "2. As at 31 March 2020, the total number of KFOR troops in theatre remained "
        "approximately 3,600, from nineteen North Atlantic Treaty Organization (NATO) and eight "
        "non-NATO troop-contributing nations." in enclosure
    )
    assert "3. There were no major security incidents during the reporting period" in enclosure


def test_monthly_era_sentence(facts: list[SampleReport]) -> None:
    monthly = facts[0].model_copy(
        update={
            "era": "monthly",
            "period_start": dt.date(2008, 7, 1),
            "period_end": dt.date(2008, 7, 31),
            "period_wording": "days_of_month",
            "troops_total": 15413,
            "troops_qualifier": None,
            "non_nato_troops": 1234,
            "nato_nations": None,
            "non_nato_nations": None,
        }
    )
    text = " ".join(" ".join(_page_texts(render_pdf(monthly))).split())
    assert (
        "The total number of KFOR troops in theatre on 31 July 2008 was 15,413, which included "
        "1,234 troops from non-NATO countries." in text
    )
    assert "covering the period from 1 to 31 July 2008" in text


def test_archive_has_consecutive_quarters_a_jump_and_incidents(facts: list[SampleReport]) -> None:
    assert len(facts) >= 16
    assert all(r.era == "quarterly" for r in facts)
    for prev, report in itertools.pairwise(facts):
        assert report.period_start == prev.period_end + dt.timedelta(days=1)
        assert report.period_end.month in {3, 6, 9, 12}
    totals = [r.troops_total for r in facts]
    assert all(t is not None for t in totals)
    jumps = [b / a - 1 for a, b in itertools.pairwise(totals) if a and b]
    assert max(jumps) > 0.15
    quarters = {(r.period_end.year, r.period_end.month): r for r in facts}
    assert quarters[(2023, 6)].major_incidents is True
    assert quarters[(2023, 9)].major_incidents is True
    assert quarters[(2023, 9)].troops_total == 4500
    assert len({r.non_nato_nations for r in facts}) > 1


def test_archive_records_are_plausible(facts: list[SampleReport]) -> None:
    assert len({r.symbol for r in facts}) == len(facts)
    assert len({r.record_id for r in facts}) == len(facts)
    for report in facts:
        delay = (report.distribution_date - report.period_end).days
        assert 55 <= delay <= 100, report.symbol
        assert report.symbol.startswith(f"S/{report.distribution_date.year}/")
        assert report.catalogued_at is not None
        assert report.catalogued_at.date() >= report.distribution_date
        assert "KOSOVO (SERBIA)" in report.subjects


def test_build_archive_writes_pdfs_and_catalog(tmp_path: Path, facts: list[SampleReport]) -> None:
    catalog = build_archive(facts[:2], tmp_path)
    assert [entry["file"] for entry in catalog] == ["S_2020_604.pdf", "S_2020_910.pdf"]
    written = json.loads((tmp_path / CATALOG_NAME).read_text(encoding="utf-8"))
    assert written == catalog
    first = written[0]
    assert first["symbol"] == "S/2020/604"
    assert first["record_id"] == "3869211"
    assert first["job_number"] == "20-08523 (E)"
    assert first["date"] == "2020-06-26"
    assert first["title"].startswith("Letter dated 25 June 2020 from the Secretary-General")
    data = (tmp_path / "S_2020_604.pdf").read_bytes()
    assert first["sha256"] == hashlib.sha256(data).hexdigest()
    assert data.startswith(b"%PDF-")


def test_build_command_line(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--facts", str(BUNDLED_FACTS), "--out", str(tmp_path / "kfor")]) == 0
    assert "wrote 16 reports" in capsys.readouterr().out
    assert len(list((tmp_path / "kfor").glob("S_*.pdf"))) == 16
    # without --facts: every series' facts file, one folder each
    assert main(["--out", str(tmp_path / "all")]) == 0
    out = capsys.readouterr().out
    assert "wrote 16 reports" in out and "wrote 5 reports" in out
    assert sorted(p.name for p in (tmp_path / "all").iterdir()) == ["kfor", "minurso"]


def test_committed_samples_match_the_facts(facts: list[SampleReport]) -> None:
    """samples/kfor/ is generated: if this fails, run `make samples` and commit the result."""
    catalog = json.loads((SAMPLES / CATALOG_NAME).read_text(encoding="utf-8"))
    assert [entry["symbol"] for entry in catalog] == [r.symbol for r in facts]
    total = 0
    for entry, report in zip(catalog, facts, strict=True):
        data = (SAMPLES / entry["file"]).read_bytes()
        total += len(data)
        assert hashlib.sha256(data).hexdigest() == entry["sha256"]
        assert hashlib.sha256(render_pdf(report)).hexdigest() == entry["sha256"], report.symbol
    assert total < 2_000_000


def test_bad_facts_name_the_entry_and_field(tmp_path: Path) -> None:
    path = tmp_path / "facts.yaml"
    path.write_text(
        "reports:\n"
        "  - symbol: S-2020-1\n"
        "    distribution_date: 2020-06-26\n"
        "    job_number: 20-08523\n"
        "    job_processed: 2020-06-29\n"
        "    letter_date: 2020-06-25\n"
        "    period_start: 2020-01-01\n"
        "    period_end: 2020-03-31\n",
        encoding="utf-8",
    )
    with pytest.raises(ConfigError, match=r"report #1: symbol: .*S/YYYY/NNN"):
        load_facts(path)
