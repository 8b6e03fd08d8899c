"""A tiny TrueType font made in the test, standing in for a hospital's fallback font (e.g. Noto Sans CJK)."""

from __future__ import annotations

from pathlib import Path

from fontTools.fontBuilder import FontBuilder
from fontTools.pens.ttGlyphPen import TTGlyphPen

FAMILY = "Leaflets Test Fallback"


def make_font(path: Path, characters: str) -> Path:
    """Write a font whose glyph for each of `characters` is a filled box; returns `path`."""
    characters = "".join(dict.fromkeys(characters))  # each once
    names = [".notdef", *(f"uni{ord(ch):04X}" for ch in characters)]
    builder = FontBuilder(1000, isTTF=True)
    builder.setupGlyphOrder(names)
    builder.setupCharacterMap({ord(ch): f"uni{ord(ch):04X}" for ch in characters})
    glyphs = {}
    for name in names:
        pen = TTGlyphPen(None)
        pen.moveTo((100, 0))
        pen.lineTo((100, 700))
        pen.lineTo((800, 700))
        pen.lineTo((800, 0))
        pen.closePath()
        glyphs[name] = pen.glyph()
    builder.setupGlyf(glyphs)
    builder.setupHorizontalMetrics({name: (900, 100) for name in names})
    builder.setupHorizontalHeader(ascent=880, descent=-120)
    builder.setupNameTable({"familyName": FAMILY, "styleName": "Regular", "psName": "LeafletsTestFallback-Regular"})
    builder.setupOS2(sTypoAscender=880, sTypoDescender=-120, usWinAscent=880, usWinDescent=120)
    builder.setupPost()
    builder.setupHead(created=3_000_000_000, modified=3_000_000_000)
    builder.save(str(path))
    return path
