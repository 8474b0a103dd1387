"""Text normalization before any pattern runs: each kind of look-alike, every member of it."""

from __future__ import annotations

import pytest

from reportwatch.models import DocumentText, PageText, Paragraph
from reportwatch.series import load_series
from tasks.read.normalize import normalize
from tasks.read.textnorm import DROPPED, GROUP_APOSTROPHES, GROUP_SPACES, MAPPED, pattern_text

PROFILE = load_series("kfor").profile
TROOPS = "As at 30 June 2017, the total number of KFOR troops in theatre was {figure}."


def report_of(*texts: str) -> dict[str, object]:
    paragraphs = [
        Paragraph(number=1, part="enclosure", page=1, text="The report covers the period from "
                  "1 April to 30 June 2017."),
        *(Paragraph(number=n, part="enclosure", page=1, text=t) for n, t in enumerate(texts, 2)),
    ]  # fmt: skip
    doc = DocumentText(page_count=1, pages=[PageText(number=1)], paragraphs=paragraphs,
                       extractor="test")  # fmt: skip
    report = normalize(doc, series="kfor", profile=PROFILE)
    return {"troops": report.troops_total, "approx": report.troops_approximate,
            "warnings": report.warnings, "evidence": report.evidence.get("troops_total")}  # fmt: skip


@pytest.mark.parametrize("space", sorted(GROUP_SPACES))
def test_every_group_space_joins_a_digit_group(space: str) -> None:
    assert pattern_text(f"was 4{space}500 troops").text == "was 4500 troops"
    assert pattern_text(f"was 12{space}345{space}678").text == "was 12345678"
    found = report_of(TROOPS.format(figure=f"4{space}500"))
    assert found["troops"] == 4500
    assert f"4{space}500" in found["evidence"].text  # type: ignore[union-attr]


@pytest.mark.parametrize("mark", sorted(GROUP_APOSTROPHES))
def test_every_apostrophe_like_mark_joins_a_digit_group(mark: str) -> None:
    # Some typography groups digits with an apostrophe ("2’708"): the whole group is read.
    assert pattern_text(f"includes 2{mark}708 non-NATO troops").text == (
        "includes 2708 non-NATO troops"
    )
    assert pattern_text(f"was 12{mark}345{mark}678").text == "was 12345678"
    found = report_of(TROOPS.format(figure=f"4{mark}500"))
    assert (found["troops"], found["warnings"]) == (4500, [])
    assert f"4{mark}500" in found["evidence"].text  # type: ignore[union-attr]
    # Anywhere else it is an apostrophe, and a malformed group is not joined.
    assert pattern_text(f"troops{mark} rations, the 1990{mark}s, 5{mark}000{mark}0").text == (
        "troops' rations, the 1990's, 5'000'0"
    )


NON_NATO = (
    "The total number of troops in theatre was 15,413. This number includes {} non-NATO troops."
)


@pytest.mark.parametrize(
    "separator", [" ", ", ", ".", "\u00b7", "_", "-", "/", "\u2022", "*", ". ", "\u00b7 "]
)
def test_digit_groups_split_by_any_other_mark_are_refused_with_a_warning(separator: str) -> None:
    doc = DocumentText(page_count=1, pages=[PageText(number=1)], extractor="test", paragraphs=[
        Paragraph(number=1, part="enclosure", page=1, text="The report covers the period from "
                  "1 April to 30 June 2017."),
        Paragraph(number=2, part="enclosure", page=1, text=NON_NATO.format(f"2{separator}708")),
    ])  # fmt: skip
    report = normalize(doc, series="kfor", profile=PROFILE)
    # Never 708 (nor 2): one figure or two? The sentence is named; the other figure stays.
    assert report.non_nato_troops is None and report.troops_total == 15413
    warning = next(w for w in report.warnings if w.startswith("non_nato_troops:"))
    assert "the digits of a figure are split by" in warning
    assert f'"This number includes 2{separator}708 non-NATO troops."' in warning
    assert "(enclosure, page 1 paragraph 2)" in warning


def test_a_group_space_that_joins_no_group_is_a_space() -> None:
    assert pattern_text("on 5\u00a0May, 12\u00a0soldiers").text == "on 5 May, 12 soldiers"
    assert pattern_text("4\u00a050 and 4\u00a05000").text == "4 50 and 4 5000"


@pytest.mark.parametrize(
    "space", [" ", "\t", "\n", "\u1680", "\u2000", "\u2001", "\u2005", "\u205f", "\u3000"]
)
def test_every_other_unicode_space_is_one_plain_space(space: str) -> None:
    assert pattern_text(f"KFOR{space}troops  {space} in theatre").text == "KFOR troops in theatre"


@pytest.mark.parametrize("char", sorted(DROPPED))
def test_invisible_characters_are_dropped(char: str) -> None:
    assert pattern_text(f"approxi{char}mately").text == "approximately"


def test_a_soft_hyphen_joins_across_the_space_an_extractor_left() -> None:
    found = report_of(TROOPS.format(figure="approxi\u00ad mately 3,600"))
    assert (found["troops"], found["approx"]) == (3600, True)


@pytest.mark.parametrize(("char", "plain"), sorted(MAPPED.items()))
def test_every_look_alike_is_mapped(char: str, plain: str) -> None:
    assert pattern_text(f"a{char}b").text == f"a{plain}b"


@pytest.mark.parametrize("dash", ["\u2010", "\u2011", "\u2012", "\u2013", "\u2212", "\ufe63"])
def test_hyphen_look_alikes_read_as_hyphens_in_facts(dash: str) -> None:
    text = TROOPS.format(figure="1,500") + f" This includes 300 non{dash}NATO troops."
    doc = DocumentText(page_count=1, pages=[PageText(number=1)], extractor="test", paragraphs=[
        Paragraph(number=1, part="enclosure", page=1, text="The report covers the period from "
                  "1 April to 30 June 2017."),
        Paragraph(number=2, part="enclosure", page=1, text=text),
    ])  # fmt: skip
    report = normalize(doc, series="kfor", profile=PROFILE)
    assert (report.troops_total, report.non_nato_troops) == (1500, 300)
    assert report.evidence["non_nato_troops"].text.endswith(f"300 non{dash}NATO troops.")


def test_ligatures_and_full_width_digits() -> None:
    assert (
        pattern_text("the ﬁnal ﬂow, eﬀect, oﬃce, baﬄe").text
        == "the final flow, effect, office, baffle"
    )
    assert pattern_text("\uff14\uff0c\uff15\uff10\uff10 troops").text == "4,500 troops"


def test_superscripts_and_marked_spans_are_left_out_but_evidence_keeps_them() -> None:
    view = pattern_text("in Kosovo² and 2025.1 then", marks=[(20, 21)])
    assert view.text == "in Kosovo and 2025. then"
    assert view.printed(0, len(view.text)) == "in Kosovo² and 2025.1 then"
    found = report_of(TROOPS.format(figure="4,500¹"))
    assert found["troops"] == 4500


def test_capital_months_read_as_months() -> None:
    assert pattern_text("LETTER DATED 17 DECEMBER 1999").text == "LETTER DATED 17 December 1999"


def test_printed_text_maps_back_through_every_change() -> None:
    printed = "KFOR\u00a0had ﬁve\u2009hundred… and 4\u202f500 troops"
    view = pattern_text(printed)
    assert view.text == "KFOR had five hundred... and 4500 troops"
    start = view.text.index("4500")
    assert view.printed(start, start + 4) == "4\u202f500"
    assert view.printed(0, len(view.text)) == printed
