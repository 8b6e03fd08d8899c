"""Fonts and XObjects: every font used is embedded and maps every code it draws to text; no reference XObjects
(ISO 14289-1 7.20, 7.21). Which codes are drawn, and what text each maps to, is read in glyphs.py."""

from __future__ import annotations

from collections.abc import Iterator

import pikepdf

from leaflets.checks.conformance import glyphs
from leaflets.checks.conformance.reader import REPORT_IT, Document, Problem, page_resources

RULES: dict[str, str] = {
    "7.20-1": "no reference XObjects",
    "7.21.3.2-1": "an embedded CIDFontType2 has a CIDToGIDMap",
    "7.21.4.1-1": "every font used is embedded",
    "7.21.7-1": "every font maps every code it draws to Unicode text (ToUnicode; PDF/A-2 6.2.11.7.2-1 and -2)",
}
#: Simple fonts whose encoding alone gives each code its text, with no ToUnicode map.
NAMED_ENCODINGS = ("/WinAnsiEncoding", "/MacRomanEncoding", "/MacExpertEncoding")


def check(document: Document) -> Iterator[Problem]:
    """7.20-1, 7.21.3.2-1, 7.21.4.1-1, 7.21.7-1 for every font and form XObject the pages use."""
    yield from _fonts_and_xobjects(document)
    yield from _glyph_text(document)


def _fonts_and_xobjects(document: Document) -> Iterator[Problem]:
    fonts: dict[tuple[int, int], tuple[int, pikepdf.Object]] = {}
    for number, page in document.pages:
        for resources in page_resources(page):
            for font in resources.get("/Font", pikepdf.Dictionary()).values():
                fonts.setdefault(font.objgen, (number, font))
            for xobject in resources.get("/XObject", pikepdf.Dictionary()).values():
                if xobject.get("/Subtype") == "/Form" and "/Ref" in xobject:
                    yield Problem("7.20-1", number, "a reference XObject")
    for number, font in fonts.values():
        yield from _font(font, number)


def _font(font: pikepdf.Object, page: int) -> Iterator[Problem]:
    subtype = str(font.get("/Subtype", ""))[1:]
    name = str(font.get("/BaseFont", "?"))[1:]
    if subtype == "Type3":
        return
    program = font.DescendantFonts[0] if subtype == "Type0" else font
    descriptor = program.get("/FontDescriptor", pikepdf.Dictionary())
    embedded = any(key in descriptor for key in ("/FontFile", "/FontFile2", "/FontFile3"))
    if not embedded:
        yield Problem("7.21.4.1-1", page, f"the font {name} is not embedded")
    if embedded and program.get("/Subtype") == "/CIDFontType2" and "/CIDToGIDMap" not in program:
        yield Problem("7.21.3.2-1", page, f"the font {name} has no CIDToGIDMap")
    standard = str(font.get("/Encoding", "")) in NAMED_ENCODINGS
    if "/ToUnicode" not in font and not (subtype != "Type0" and standard):
        yield Problem("7.21.7-1", page, f"the font {name} has no ToUnicode map: its text cannot be read aloud")


def _glyph_text(document: Document) -> Iterator[Problem]:
    """7.21.7-1 (PDF/A-2 6.2.11.7.2-1 and -2): every code a font draws has text in the font's ToUnicode map."""
    also = "; PDF/A-2 6.2.11.7.2-1" if document.archival else ""
    for drawn in glyphs.drawn_fonts(document):
        mapping = glyphs.unicode_map(drawn.font)
        if mapping is None:
            continue  # no map at all: `_font` says so
        lost = sum(1 for code in drawn.codes if not glyphs.readable(mapping.get(code)))
        if lost:
            yield Problem(
                "7.21.7-1",
                drawn.page,
                f"the font {drawn.name} draws {lost} glyph(s) with no Unicode text (ToUnicode{also}): "
                "screen readers skip them, and copied or searched text loses those letters; if the font is one "
                f"the content names in `fonts:`, try another font file; otherwise this is {REPORT_IT}",
            )
