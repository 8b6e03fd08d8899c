"""Which character codes each font draws, and the text its ToUnicode map gives each: read with pikepdf.

A screen reader, a search and a copy read a PDF's text through the fonts'
ToUnicode maps: a drawn code with no text there (or an empty one, or
U+0000, U+FEFF, U+FFFE) is a letter they lose. fonts.py turns what is
found here into problems (PDF/UA-1 7.21.7-1, PDF/A-2 6.2.11.7.2-1 and -2).

Codes are read as a PDF reader reads them: two bytes each for a composite
(Type0) font, the only kind WeasyPrint writes for outline fonts, one byte
for a simple font.
"""

from __future__ import annotations

import array
import re
import sys
from collections.abc import Iterator
from dataclasses import dataclass, field

import pikepdf

from leaflets.checks.conformance.reader import Document

#: Operators that show text, and where their string operand is.
TEXT_SHOWN = {"Tj": 0, "'": 0, '"': 2, "TJ": 0}
#: Unicode values that are no text (PDF/A-2 6.2.11.7.2-2): a ToUnicode map must not give them.
NOT_TEXT = frozenset("\u0000\ufeff\ufffe")
_HEX_STRING = rb"<([0-9A-Fa-f\s]*)>"
_BLOCK = re.compile(rb"begin(bfchar|bfrange)(.*?)end\1", re.S)
_BFCHAR = re.compile(_HEX_STRING + rb"\s*" + _HEX_STRING)
_BFRANGE = re.compile(_HEX_STRING + rb"\s*" + _HEX_STRING + rb"\s*(?:" + _HEX_STRING + rb"|\[([^\]]*)\])")
_HEX = re.compile(_HEX_STRING)


@dataclass(eq=False)
class DrawnFont:
    """A font the pages draw with: the first page it is drawn on (1-based) and every code it draws."""

    font: pikepdf.Object
    page: int
    codes: set[int] = field(default_factory=set)
    #: The strings it shows, gathered as the pages are read and decoded into `codes` once at the end.
    shown: list[bytes] = field(default_factory=list, repr=False)

    @property
    def name(self) -> str:
        """The font's name without its subset tag, e.g. 'Source-Sans-Pro'."""
        return str(self.font.get("/BaseFont", "/?"))[1:].split("+", 1)[-1]


def drawn_fonts(document: Document) -> list[DrawnFont]:
    """Every font drawn with on the pages, in the forms they draw and in annotations' appearances."""
    found: dict[tuple[int, int], DrawnFont] = {}
    for number, page in document.pages:
        walk = _Walk(document, found, number)
        walk.stream(page, page.get("/Resources", pikepdf.Dictionary()))
        for annotation in page.get("/Annots", pikepdf.Array()):
            for appearance in _appearances(annotation):
                walk.stream(appearance, appearance.get("/Resources", pikepdf.Dictionary()))
    for drawn in found.values():
        drawn.codes = _codes(drawn.shown, _width(drawn.font))
        drawn.shown = []
    return list(found.values())


def _appearances(annotation: pikepdf.Object) -> Iterator[pikepdf.Object]:
    """The normal appearance streams of an annotation (one, or one per state)."""
    normal = annotation.get("/AP", pikepdf.Dictionary()).get("/N")
    if isinstance(normal, pikepdf.Stream):
        yield normal
    elif isinstance(normal, pikepdf.Dictionary):
        yield from (state for state in normal.values() if isinstance(state, pikepdf.Stream))


class _Walk:
    """One page's content streams, with the font chosen by Tf (saved and restored with q and Q)."""

    def __init__(self, document: Document, found: dict[tuple[int, int], DrawnFont], page: int) -> None:
        self.document = document
        self.found = found
        self.page = page
        self.forms: set[tuple[int, int]] = set()  # each form XObject read once per page

    def stream(self, stream: pikepdf.Object, resources: pikepdf.Object) -> None:
        font: DrawnFont | None = None
        saved: list[DrawnFont | None] = []
        for instruction in self.document.instructions(stream):
            if isinstance(instruction, pikepdf.ContentStreamInlineImage):
                continue
            operator, operands = str(instruction.operator), instruction.operands
            if operator == "q":
                saved.append(font)
            elif operator == "Q" and saved:
                font = saved.pop()
            elif operator == "Tf":
                font = self._font(resources.get("/Font", pikepdf.Dictionary()).get(str(operands[0])))
            elif operator in TEXT_SHOWN and font is not None:
                font.shown.extend(_strings(operands[TEXT_SHOWN[operator]]))
            elif operator == "Do":
                self._form(resources.get("/XObject", pikepdf.Dictionary()).get(str(operands[0])), resources)

    def _font(self, font: object) -> DrawnFont | None:
        if not isinstance(font, pikepdf.Dictionary):
            return None
        return self.found.setdefault(font.objgen, DrawnFont(font, self.page))

    def _form(self, xobject: object, resources: pikepdf.Object) -> None:
        if not isinstance(xobject, pikepdf.Stream) or xobject.get("/Subtype") != "/Form":
            return
        if xobject.objgen in self.forms and xobject.objgen != (0, 0):
            return
        self.forms.add(xobject.objgen)
        self.stream(xobject, xobject.get("/Resources", resources))


def _width(font: pikepdf.Object) -> int:
    return 2 if font.get("/Subtype") == "/Type0" else 1


def _strings(operand: object) -> Iterator[bytes]:
    """The strings of a text operand (a string, or TJ's array of strings and spacings)."""
    parts = list(operand) if isinstance(operand, pikepdf.Array) else [operand]
    return (bytes(part) for part in parts if isinstance(part, pikepdf.String))


def _codes(shown: list[bytes], width: int) -> set[int]:
    """The character codes in the strings a font shows: one byte each, or two (big-endian) for a composite
    font, whose odd last byte of a string is no code."""
    if width == 1:
        return set(b"".join(shown))
    codes = array.array("H", b"".join(data[: len(data) // 2 * 2] for data in shown))
    if sys.byteorder == "little":  # PDF codes are big-endian
        codes.byteswap()
    return set(codes)


def unicode_map(font: pikepdf.Object) -> dict[int, str] | None:
    """The font's ToUnicode map, code -> text (`bfchar` and `bfrange` entries); None if it has none."""
    cmap = font.get("/ToUnicode")
    if not isinstance(cmap, pikepdf.Stream):
        return None
    mapping: dict[int, str] = {}
    for kind, body in _BLOCK.findall(cmap.read_bytes()):
        if kind == b"bfchar":
            mapping.update((_number(code), _text(_hex(text))) for code, text in _BFCHAR.findall(body))
            continue
        for first, last, text, texts in _BFRANGE.findall(body):
            start, end = _number(first), _number(last)
            targets = [_hex(t) for t in _HEX.findall(texts)] if texts else None
            for offset, code in enumerate(range(start, min(end, start + 0xFFFF) + 1)):
                mapping[code] = _ranged(_hex(text), offset) if targets is None else _listed(targets, offset)
    return mapping


def _ranged(first: bytes, offset: int) -> str:
    """The text of the code `offset` after a bfrange's first: its last byte counts up with the code."""
    value = int.from_bytes(first, "big") + offset
    return _text(value.to_bytes(len(first), "big")) if first and value < 256 ** len(first) else ""


def _listed(texts: list[bytes], offset: int) -> str:
    return _text(texts[offset]) if offset < len(texts) else ""


def _number(digits: bytes) -> int:
    return int.from_bytes(_hex(digits), "big")


def _hex(digits: bytes) -> bytes:
    """A hex string's bytes; an odd last digit is followed by 0 (ISO 32000-1 7.3.4.3)."""
    text = "".join(digits.decode().split())
    return bytes.fromhex(text + "0" * (len(text) % 2))


def _text(utf16: bytes) -> str:
    return utf16.decode("utf-16-be", errors="replace")


def readable(text: str | None) -> bool:
    """True when `text` is what a ToUnicode map should give a drawn code: some text, none of it U+0000,
    U+FEFF or U+FFFE."""
    return bool(text) and not NOT_TEXT.intersection(text or "")
