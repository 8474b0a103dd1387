"""Give a rendered sample the text layer of another producer, by an incremental update.

The generator prints with the PDF core fonts, whose text layer is plain Windows-1252. Real
files carry stranger ones, and the reader must cope: a soft hyphen (U+00AD) at a line end, a
thin space (U+2009) between digit groups, a non-breaking hyphen (U+2011), or no Unicode at all
(a font without a Unicode map: extraction sees "(cid:12)"). :func:`remap_text_layer` appends to
the PDF, as an incremental update (PDF 1.7, 7.5.6), a new version of every core-font
dictionary:

* with a ``/ToUnicode`` CMap that maps each code to its Windows-1252 character except the
  ``overrides`` (printed character → what the text layer should say), so the page looks the
  same and only the extracted text changes;
* or, with ``undecodable=True``, as a composite (Type0, Identity-H) font without a
  ``/ToUnicode`` map, which is what a subset font without a Unicode map amounts to;
* or, with ``subset_names=True``, under a subset name that says nothing of its style
  ("ABCDEF+F2"), the weight left to its font descriptor (/FontWeight 700 for bold), as many
  producers write them.
"""

from __future__ import annotations

import re

_FONT = re.compile(
    rb"(\d+) 0 obj\s*<<\s*/BaseFont /([A-Za-z-]+)\s*/Encoding /WinAnsiEncoding\s*"
    rb"/Subtype /Type1\s*/Type /Font\s*>>\s*endobj"
)
_ROOT = re.compile(rb"/Root (\d+ 0 R)")
_INFO = re.compile(rb"/Info (\d+ 0 R)")
_STARTXREF = re.compile(rb"startxref\s+(\d+)\s+%%EOF\s*$")
_SIZE = re.compile(rb"/Size (\d+)")


def _unicode_hex(text: str) -> str:
    return "".join(f"{ord(ch):04X}" for ch in text)


def _cmap(overrides: dict[str, str]) -> bytes:
    entries = []
    for code in range(32, 256):
        try:
            printed = bytes([code]).decode("windows-1252")
        except UnicodeDecodeError:
            continue
        meaning = overrides.get(printed, printed)
        entries.append(f"<{code:02X}> <{_unicode_hex(meaning)}>")
    chunks = [entries[i : i + 100] for i in range(0, len(entries), 100)]
    body = "".join(f"{len(c)} beginbfchar\n" + "\n".join(c) + "\nendbfchar\n" for c in chunks)
    return (
        "/CIDInit /ProcSet findresource begin\n12 dict begin\nbegincmap\n"
        "/CIDSystemInfo << /Registry (Adobe) /Ordering (UCS) /Supplement 0 >> def\n"
        "/CMapName /Adobe-Identity-UCS def\n/CMapType 2 def\n"
        "1 begincodespacerange\n<00> <FF>\nendcodespacerange\n"
        f"{body}endcmap\nCMapName currentdict /CMap defineresource pop\nend\nend\n"
    ).encode("ascii")


_CORE_KEYS = {"Times-Roman": "times", "Times-Bold": "timesB", "Times-Italic": "timesI",
              "Times-BoldItalic": "timesBI", "Helvetica": "helvetica",
              "Helvetica-Bold": "helveticaB", "Courier": "courier"}  # fmt: skip


def _subset_font(font_id: int, name: str, descriptor_id: int, index: int) -> tuple[bytes, bytes]:
    """A font dict under a style-less subset name, and its descriptor."""
    from fpdf.fonts import CORE_FONTS_CHARWIDTHS

    widths = CORE_FONTS_CHARWIDTHS[_CORE_KEYS[name]]
    bold = "Bold" in name
    subset = f"ABCDE{chr(65 + index)}+F{index + 1}"
    descriptor = (
        f"{descriptor_id} 0 obj\n<< /Type /FontDescriptor /FontName /{subset} /Flags 34 "
        f"/FontBBox [0 -216 1000 891] /ItalicAngle 0 /Ascent 891 /Descent -216 /CapHeight 662 "
        f"/StemV {139 if bold else 84} /FontWeight {700 if bold else 400} >>\nendobj\n"
    ).encode("ascii")
    row = " ".join(str(widths[chr(code)]) for code in range(256))
    font = (
        f"{font_id} 0 obj\n<< /Type /Font /Subtype /Type1 /BaseFont /{subset} /FirstChar 0 "
        f"/LastChar 255 /Widths [{row}] /Encoding /WinAnsiEncoding "
        f"/FontDescriptor {descriptor_id} 0 R >>\nendobj\n"
    ).encode("ascii")
    return font, descriptor


def remap_text_layer(
    pdf: bytes,
    overrides: dict[str, str] | None = None,
    *,
    undecodable: bool = False,
    subset_names: bool = False,
) -> bytes:
    """``pdf`` with its core fonts' text layer remapped (see the module docstring)."""
    fonts = _FONT.findall(pdf)
    tail = _STARTXREF.search(pdf)
    root, size = _ROOT.findall(pdf), _SIZE.findall(pdf)
    if not fonts or tail is None or not root or not size:
        raise ValueError("not a PDF written by the sample generator (fpdf2 core fonts)")
    info = _INFO.findall(pdf)
    out = bytearray(pdf if pdf.endswith(b"\n") else pdf + b"\n")
    next_id = int(size[-1][0] if isinstance(size[-1], tuple) else size[-1])
    offsets: dict[int, int] = {}
    cmap_id: int | None = None
    for index, (number, name) in enumerate(fonts):
        font_id = int(number)
        if subset_names:
            descriptor_id, next_id = next_id, next_id + 1
            font, descriptor = _subset_font(font_id, name.decode(), descriptor_id, index)
            offsets[descriptor_id] = len(out)
            out += descriptor
            offsets[font_id] = len(out)
            out += font
            continue
        if undecodable:
            # A composite font read with two-byte codes and no /ToUnicode: "(cid:N)" only.
            descriptor_id, next_id = next_id, next_id + 1
            offsets[descriptor_id] = len(out)
            out += (
                f"{descriptor_id} 0 obj\n<< /Type /FontDescriptor /FontName /{name.decode()} "
                "/Flags 32 /FontBBox [0 -216 1000 891] /ItalicAngle 0 /Ascent 891 "
                "/Descent -216 /CapHeight 662 /StemV 84 >>\nendobj\n"
            ).encode("ascii")
            offsets[font_id] = len(out)
            out += (
                f"{font_id} 0 obj\n<< /Type /Font /Subtype /Type0 /BaseFont /{name.decode()} "
                "/Encoding /Identity-H /DescendantFonts [<< /Type /Font /Subtype /CIDFontType2 "
                f"/BaseFont /{name.decode()} /CIDSystemInfo << /Registry (Adobe) /Ordering "
                f"(Identity) /Supplement 0 >> /FontDescriptor {descriptor_id} 0 R /DW 1000 >>] >>"
                "\nendobj\n"
            ).encode("ascii")
            continue
        if cmap_id is None:  # one CMap, shared by every font
            cmap = _cmap(overrides or {})
            cmap_id, next_id = next_id, next_id + 1
            offsets[cmap_id] = len(out)
            out += f"{cmap_id} 0 obj\n<< /Length {len(cmap)} >>\nstream\n".encode("ascii")
            out += cmap + b"endstream\nendobj\n"
        offsets[font_id] = len(out)
        out += (
            f"{font_id} 0 obj\n<< /Type /Font /Subtype /Type1 /BaseFont /{name.decode()} "
            f"/Encoding /WinAnsiEncoding /ToUnicode {cmap_id} 0 R >>\nendobj\n"
        ).encode("ascii")
    xref = len(out)
    out += b"xref\n"
    for object_id in sorted(offsets):
        out += f"{object_id} 1\n{offsets[object_id]:010d} 00000 n \n".encode("ascii")
    trailer = f"/Size {next_id} /Root {root[-1].decode()} /Prev {tail.group(1).decode()}"
    if info:
        trailer += f" /Info {info[-1].decode()}"
    out += f"trailer\n<< {trailer} >>\nstartxref\n{xref}\n%%EOF\n".encode("ascii")
    return bytes(out)
