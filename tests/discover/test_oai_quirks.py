"""OAI-PMH as real catalogues serve it: endless empty pages, forbidden characters, one broken
record, deleted records; each against a loopback repository speaking the protocol."""

from __future__ import annotations

import datetime as dt
import logging
from pathlib import Path

import pytest

from reportwatch.errors import SourceError
from reportwatch.settings import Settings
from tasks.discover.task import discover_series
from tasks.discover.undl_oai import UndlOaiSource, parse_oai_page
from tests.discover.oai_server import KFOR, OaiRepository, Rec
from warehouse import open_writer
from warehouse.runs import cursor

MARCH = (dt.date(2024, 3, 1), dt.date(2024, 3, 31))


def five_letters() -> list[Rec]:
    return [
        Rec(str(4000 + n), f"S/2024/{100 + n}", title=KFOR.format(f"{n + 1} March 2024"))
        for n in range(5)
    ]


# empty pages with fresh resumption tokens ----------------------------------------------------
def test_endless_empty_pages_stop_the_window_and_keep_what_was_read(fetcher, series) -> None:
    with OaiRepository(five_letters(), page_size=2, empty_pages_from=2) as repository:
        result = UndlOaiSource(repository.base_url).discover(series, *MARCH, fetcher=fetcher)
        asked = len(repository.requests)

    # page 1, then three empty pages: the server would have gone on for ever
    assert asked == 4
    assert [c.symbol for c in result.candidates] == ["S/2024/100", "S/2024/101"]
    assert isinstance(result.error, SourceError)
    assert result.error.message == (
        "stopped 2024-03-01..2024-03-31 after 3 empty OAI-PMH pages in a row, each with a new "
        "resumption token; kept the 2 record(s) read of 5 announced"
    )
    assert result.windows_done == []  # the window failed: the cursor must not pass it


def test_a_list_padded_with_empty_pages_is_complete_when_every_record_came(fetcher, series) -> None:
    # All five records on pages 1-3, then empty pages with tokens; completeListSize says 5.
    with OaiRepository(five_letters(), page_size=2, empty_pages_from=99) as repository:
        result = UndlOaiSource(repository.base_url).discover(series, *MARCH, fetcher=fetcher)
    assert result.error is None
    assert len(result.candidates) == 5
    assert result.windows_done == [MARCH]


def test_without_complete_list_size_empty_pages_leave_the_window_unfinished(
    fetcher, series
) -> None:
    with OaiRepository(
        five_letters(), page_size=2, empty_pages_from=99, announce=False
    ) as repository:
        result = UndlOaiSource(repository.base_url).discover(series, *MARCH, fetcher=fetcher)
    assert len(result.candidates) == 5
    assert isinstance(result.error, SourceError)
    assert result.windows_done == []


def test_the_cursor_stays_before_a_failed_window_and_its_records_are_stored(
    tmp_path: Path, fetcher, series
) -> None:
    # February completes; March stops on empty pages after its first page.
    records = [
        Rec("3990", "S/2024/90", catalogued="2024-02-10T09:00:00Z", date="2024-02-09"),
        *five_letters(),
    ]
    with OaiRepository(records, page_size=2, empty_pages_from=2) as repository:
        settings = Settings(data_dir=tmp_path, undl_url=repository.base_url, oai_window_days=29)
        outcome = discover_series(
            series, settings, since=dt.date(2024, 2, 1), until=dt.date(2024, 3, 31),
            fetcher=fetcher,
        )  # fmt: skip
    assert outcome.new == ["S/2024/90", "S/2024/100", "S/2024/101"]
    assert "after 3 empty OAI-PMH pages" in outcome.errors["undl-oai"]
    with open_writer(settings.warehouse_path) as con:
        assert cursor(con, source="undl-oai", series="kfor") == dt.date(2024, 2, 29)


# characters XML forbids, and one broken record ------------------------------------------------
def test_a_vertical_tab_in_a_title_is_removed_and_the_page_is_read(
    fetcher, series, caplog: pytest.LogCaptureFixture
) -> None:
    letters = five_letters()
    rest = b" addressed to the President of the Security Council"
    letters[1].raw_title = b"Letter dated 2 March 2024 from the Secretary-General\x0b" + rest
    letters[3].raw_title = b"Letter dated 4 March 2024 from the Secretary-General&#11;" + rest
    with caplog.at_level(logging.WARNING), OaiRepository(letters, page_size=5) as repository:
        result = UndlOaiSource(repository.base_url).discover(series, *MARCH, fetcher=fetcher)

    assert result.error is None and result.windows_done == [MARCH]
    titles = {c.symbol: c.title for c in result.candidates}
    assert len(titles) == 5
    assert titles["S/2024/101"] == KFOR.format("2 March 2024")
    assert titles["S/2024/103"] == KFOR.format("4 March 2024")
    warning = next(r.getMessage() for r in caplog.records if "XML forbids" in r.getMessage())
    assert warning == (
        "removed 2 character(s) XML forbids from OAI-PMH record(s) "
        "oai:digitallibrary.un.org:4001, oai:digitallibrary.un.org:4003"
    )


def test_one_malformed_record_is_skipped_by_name_and_the_rest_of_the_page_is_read(
    fetcher, series
) -> None:
    letters = five_letters()
    letters[2].raw_title = b"Letter dated 3 March 2024 \xff\xfe from the Secretary-General"
    with OaiRepository(letters, page_size=5) as repository:
        result = UndlOaiSource(repository.base_url).discover(series, *MARCH, fetcher=fetcher)

    # the unreadable record's symbol is still a candidate: its text decides (lost is worse)
    assert sorted(c.symbol for c in result.candidates) == [
        "S/2024/100", "S/2024/101", "S/2024/102", "S/2024/103", "S/2024/104",
    ]  # fmt: skip
    unreadable = next(c for c in result.candidates if c.symbol == "S/2024/102")
    assert unreadable.needs_confirmation and unreadable.title is None
    assert result.error is None and result.windows_done == [MARCH]
    skipped, queued = result.notes
    assert skipped.startswith(
        "2024-03-01..2024-03-31: skipped record oai:digitallibrary.un.org:4002 (S/2024/102): "
        "not well-formed XML ("
    )
    assert queued == (
        "2024-03-01..2024-03-31: S/2024/102 queued from its unreadable record; "
        "its text decides whether it is the series'"
    )


def test_an_unreadable_record_of_another_family_is_not_queued(fetcher, series) -> None:
    letters = five_letters()
    letters[2].symbol = "A/78/999"
    letters[2].raw_title = b"Letter \xff\xfe from the Secretary-General"
    with OaiRepository(letters, page_size=5) as repository:
        result = UndlOaiSource(repository.base_url).discover(series, *MARCH, fetcher=fetcher)
    assert "A/78/999" not in {c.symbol for c in result.candidates}
    assert len(result.notes) == 1 and "A/78/999" in result.notes[0]


def test_a_page_cut_off_in_transit_fails_whole() -> None:
    page = (
        OaiRepository(five_letters())
        ._envelope(b"<ListRecords>" + b"".join(r.xml() for r in five_letters()[:2]))
        .body[:-40]
    )
    with pytest.raises(SourceError, match="not well-formed"):
        parse_oai_page(page)


# deleted records -------------------------------------------------------------------------------
def test_deleted_records_are_counted_not_candidates_and_take_nothing_back(
    fetcher, series, caplog: pytest.LogCaptureFixture
) -> None:
    letters = five_letters()
    records = [
        letters[0],
        Rec("4900", "S/2024/900", deleted=True),
        letters[1],
        # the same catalogue record as letters[0], deleted later in the window
        Rec("4000", "S/2024/100", deleted=True, catalogued="2024-03-20T10:00:00Z"),
        letters[2],
    ]
    with caplog.at_level(logging.INFO), OaiRepository(records, page_size=5) as repository:
        result = UndlOaiSource(repository.base_url).discover(series, *MARCH, fetcher=fetcher)

    assert [c.symbol for c in result.candidates] == ["S/2024/100", "S/2024/101", "S/2024/102"]
    assert result.rejected == []
    assert "2024-03-01..2024-03-31: 2 record(s) deleted in the catalogue" in caplog.messages
