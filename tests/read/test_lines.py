"""Characters with boxes → lines: the geometry rules, on hand-placed characters."""

from __future__ import annotations

from tasks.read.chars import Char, dedupe
from tasks.read.pdf_lines import chars_to_lines


def word(
    text: str, x: float, baseline: float, size: float = 10.0, font: str = "Times"
) -> list[Char]:
    """Glyphs of ``text`` set from ``x`` on ``baseline``, half an em wide each."""
    chars, width = [], 0.5 * size
    for index, letter in enumerate(text):
        left = x + index * width
        chars.append(
            Char(letter, left, left + width, baseline - 0.9 * size, baseline + 0.2 * size,
                 baseline, size, font)
        )  # fmt: skip
    return chars


def test_the_big_symbol_glyph_joins_its_symbol_on_the_baseline() -> None:
    # "S" at 20 pt starts 10 pt higher than "/2020/604" at 10 pt: one baseline, one symbol.
    chars = word("United Nations", 123.4, 57.0, 14.0) + word("S", 491.0, 57.0, 20.0)
    chars += word("/2020/604", 501.0, 57.0)
    [line] = chars_to_lines(chars, page=1)
    assert [s.text for s in line.segments] == ["United Nations", "S/2020/604"]


def test_a_superscript_marker_stays_printed_and_is_recorded() -> None:
    chars = word("in", 100.0, 200.0) + word("2025.", 115.0, 200.0)
    chars += word("1", 140.0, 196.5, 6.5)  # 3.5 pt high, in small type, glued to "2025."
    chars += word("It", 148.0, 200.0)
    chars += word("next", 100.0, 212.0)  # the next line, 12 pt lower
    first, second = chars_to_lines(chars, page=1)
    assert first.text == "in 2025.1 It"
    assert [first.text[a:b] for a, b in first.marks] == ["1"]
    assert first.size == 10.0 and second.text == "next"


def test_overprinted_glyphs_are_read_once() -> None:
    original = word("Letter", 100.0, 200.0) + word("4,500", 140.0, 200.0)
    copies = [
        Char(c.text, c.x0 + 0.3, c.x1 + 0.3, c.top, c.bottom, c.baseline, c.size, c.font)
        for c in original
    ]
    [line] = chars_to_lines(original + copies, page=1)
    assert line.text == "Letter 4,500"
    # A real double letter, a glyph width apart, is kept.
    assert (
        "".join(c.text for c in dedupe(sorted(word("LL", 0.0, 10.0), key=lambda c: c.x0))) == "LL"
    )


def test_a_paragraph_number_at_the_margin_with_a_tab_stop() -> None:
    chars = word("12.", 123.4, 300.0) + word("The", 147.2, 300.0)
    [line] = chars_to_lines(chars, page=2)
    assert (line.number, line.text_x0, line.x0) == (12, 147.2, 123.4)
    assert line.number_gap > 6.0
    [plain] = chars_to_lines(word("2011.", 123.4, 300.0) + word("The", 150.0, 300.0), page=2)
    assert plain.number is None  # a year opening a continuation line is no paragraph number


def test_a_no_break_space_is_printed_text_and_a_plain_space_separates_words() -> None:
    chars = (
        word("4\u00a0500", 100.0, 200.0) + word(" ", 125.0, 200.0) + word("troops", 130.0, 200.0)
    )
    [line] = chars_to_lines(chars, page=1)
    assert line.text == "4\u00a0500 troops"
