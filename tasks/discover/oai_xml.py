"""Reading OAI-PMH pages as catalogues really send them: forbidden characters, one bad record.

Two faults seen in the wild make a whole ``ListRecords`` page unreadable to a strict parser
(TreeBASE, DOAJ, Dataverse and DSpace have all shipped them):

* **characters XML 1.0 forbids** (section 2.2: C0 controls other than tab, line feed and
  carriage return; U+FFFE, U+FFFF), written raw or as character references (``&#11;``). A
  vertical tab pasted into a title is the usual one. :func:`strip_forbidden` removes them
  before parsing and says which records held them; nothing a reader could see is lost.
* **one malformed record** (bytes that are not UTF-8, a tag cut short). :func:`split_records`
  cuts the page into its envelope and one fragment per ``<record>``, so each record is parsed
  alone and only the broken one is skipped, named by its identifier.

Why not a maintained harvester: Sickle parses with lxml's ``recover=True``, which repairs
silently (text can vanish with no word), and follows resumption tokens with no guard against
empty pages; pyoai treats the first empty page as the end of the list. Both bring their own
HTTP client, outside our fetch policy (allowlist, rate limit, caps). We keep defusedxml and
do the two repairs above, each one reported.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

# Raw bytes: in UTF-8 these never occur inside a multi-byte sequence, so removing them is safe.
_FORBIDDEN_BYTES = re.compile(rb"[\x00-\x08\x0b\x0c\x0e-\x1f]|\xef\xbf[\xbe\xbf]")
_CHAR_REF = re.compile(rb"&#(x[0-9a-fA-F]+|[0-9]+);")
_IDENTIFIER = re.compile(rb"<(?:[\w.-]+:)?identifier>\s*([^<]*?)\s*</(?:[\w.-]+:)?identifier>")
# An OAI record opens with its header; the MARC record nested in <metadata> is also called
# "record", which is why records are found by "<record><header", not by "<record>" alone.
_RECORD_START = re.compile(rb"<((?:[\w.-]+:)?)record\b[^>]*>\s*<\1header\b")
_TOKEN_START = re.compile(rb"<(?:[\w.-]+:)?resumptionToken\b")
_LIST_END = re.compile(rb"</(?:[\w.-]+:)?ListRecords\s*>")
_ROOT_END = re.compile(rb"</(?:[\w.-]+:)?OAI-PMH\s*>\s*$")
_SYMBOL_191 = re.compile(
    rb"tag=\"(?:191|791)\"[^>]*>\s*<(?:[\w.-]+:)?subfield code=\"a\">([^<]{1,80})<"
)


def _forbidden(code: int) -> bool:
    return (code < 0x20 and code not in (0x09, 0x0A, 0x0D)) or code in (0xFFFE, 0xFFFF)


@dataclass
class Stripped:
    """What :func:`strip_forbidden` removed: how many characters, from which records."""

    content: bytes
    removed: int = 0
    identifiers: list[str] = field(default_factory=list)


def strip_forbidden(content: bytes) -> Stripped:
    """``content`` without the characters XML 1.0 forbids, raw or as character references."""
    positions: list[int] = [m.start() for m in _FORBIDDEN_BYTES.finditer(content)]
    positions += [m.start() for m in _CHAR_REF.finditer(content) if _forbidden(_ref_code(m))]
    if not positions:
        return Stripped(content)
    names: list[str] = []
    for position in sorted(positions):
        name = record_identifier(content[:position], last=True) or "(before the first record)"
        if name not in names:
            names.append(name)
    cleaned = _FORBIDDEN_BYTES.sub(b"", content)
    cleaned = _CHAR_REF.sub(lambda m: b"" if _forbidden(_ref_code(m)) else m.group(0), cleaned)
    return Stripped(cleaned, removed=len(positions), identifiers=names)


def _ref_code(match: re.Match[bytes]) -> int:
    text = match.group(1)
    try:
        return int(text[1:], 16) if text[:1] in (b"x", b"X") else int(text)
    except ValueError:
        return 0


def record_identifier(fragment: bytes, *, last: bool = False) -> str | None:
    """The OAI identifier in ``fragment`` (the last one with ``last``), as text."""
    found = list(_IDENTIFIER.finditer(fragment))
    if not found:
        return None
    match = found[-1] if last else found[0]
    return match.group(1).decode("utf-8", "replace") or None


def record_symbol(fragment: bytes) -> str | None:
    """The document symbol (191 $a, else 791 $a) a broken record seems to carry, if any."""
    match = _SYMBOL_191.search(fragment)
    if match is None:
        return None
    return match.group(1).decode("utf-8", "replace").strip() or None


@dataclass
class SplitPage:
    """A ListRecords page cut into parts that parse on their own.

    ``envelope`` is the page with every record removed (responseDate, request, the token);
    ``wrap(fragment)`` makes one record fragment a page of its own.
    """

    envelope: bytes
    records: list[bytes]
    head: bytes
    tail: bytes

    def wrap(self, fragment: bytes) -> bytes:
        return self.head + fragment + self.tail


def split_records(content: bytes) -> SplitPage | None:
    """Cut a ListRecords page into envelope and records; None when its shape is not clear.

    Only a page that ends with ``</OAI-PMH>`` is cut: a body cut off in transit must fail as a
    whole, or the records after the cut (and the token) would be silently missed.
    """
    if not _ROOT_END.search(content):
        return None
    starts = [m.start() for m in _RECORD_START.finditer(content)]
    list_end = _LIST_END.search(content)
    if not starts or list_end is None:
        return None
    token = _TOKEN_START.search(content, starts[-1])
    tail_start = token.start() if token is not None else list_end.start()
    if tail_start < starts[-1]:
        return None
    bounds = [*starts, tail_start]
    records = [content[bounds[i] : bounds[i + 1]] for i in range(len(starts))]
    head = content[: starts[0]]
    close = content[tail_start:]
    return SplitPage(
        envelope=head + close,
        records=records,
        head=head,
        tail=content[list_end.start() :],
    )
