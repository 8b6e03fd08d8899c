"""A tiny TrueType font made in the test, standing in for a hospital's fallback font (e.g. Noto Sans CJK)."""

from __future__ import annotations

from pathlib import Path

from fontTools.fontBuilder import FontBuilder
from fontTools.pens.ttGlyphPen import TTGlyphPen

FAMILY = "Leaflets Test Fallback"


def make_font(path: Path, characters: str, family: str = FAMILY) -> Path:
    """Write a font of `family` whose glyph for each of `characters` is a filled box; returns `path`."""
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
    postscript = family.replace(" ", "") + "-Regular"
    builder.setupNameTable({"familyName": family, "styleName": "Regular", "psName": postscript})
    builder.setupOS2(sTypoAscender=880, sTypoDescender=-120, usWinAscent=880, usWinDescent=120)
    builder.setupPost()
    builder.setupHead(created=3_000_000_000, modified=3_000_000_000)
    builder.save(str(path))
    return path


def make_collection(path: Path, families: list[str], characters: str) -> Path:
    """Write a font collection (.ttc) of one face per family, each with `characters`, in that order."""
    from fontTools.ttLib import TTCollection, TTFont

    faces = [make_font(path.with_name(f"{path.stem}-{n}.ttf"), characters, family) for n, family in enumerate(families)]
    collection = TTCollection()
    collection.fonts = [TTFont(face) for face in faces]
    collection.save(str(path))
    collection.close()
    for face in faces:
        face.unlink()
    return path
