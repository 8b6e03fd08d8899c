"""Which characters a leaflet can print, and which words fit on a line.

Shared by the content file and the patient list, and checked where the
text is typed rather than found at render time: WeasyPrint draws a
character the typeface does not have from whatever font the machine
happens to have, or fails on it (".notdef glyph"), far from the field
that holds it.
"""

from __future__ import annotations

import re
import unicodedata
from functools import cache
from pathlib import Path

import font_source_sans_pro

from .errors import BuildError
from .limits import WORD

FONT_DIR = Path(font_source_sans_pro.font_directory).resolve()
#: The faces leaflets/pdf.py embeds (its FONT_FACES; a test keeps the two the same).
FACES = ("SourceSansPro-Regular.ttf", "SourceSansPro-Semibold.ttf", "SourceSansPro-Bold.ttf")
#: Invisible characters that only guide line breaking or joining: fine without a glyph.
IGNORABLE = frozenset("\u00ad\u200b\u200c\u200d\u2060")
#: Characters that reorder the text around them, so what is read is not what was typed.
REORDERING = frozenset("\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")
#: White space that ends a word on a line (not the no-break spaces), and the hyphens and dashes after
#: which a line may break (Unicode line breaking classes BA and B2).
BREAKS = " \t\n\r\u1680\u2000-\u2006\u2008-\u200b\u205f\u3000\\-\u00ad\u2010\u2012-\u2014"
#: A word over the limit. The look-behind makes a match start only where a word starts: without it the
#: search would try every letter of a long word in turn.
LONG_WORD = re.compile(f"(?<![^{BREAKS}])[^{BREAKS}]{{{WORD.value + 1},}}")


@cache
def printable_characters() -> frozenset[str]:
    """Every character all three faces can draw, less control and reordering characters; tab and line break."""
    from fontTools.ttLib import TTFont  # late: only when text is checked

    faces = []
    for name in FACES:
        path = FONT_DIR / name
        if not path.is_file():
            raise BuildError(f"font file {path} is missing: reinstall with `pip install -e .`")
        with TTFont(path, lazy=True) as font:
            faces.append({chr(code) for code in font.getBestCmap()})
    drawn = set.intersection(*faces)
    usable = {ch for ch in drawn if unicodedata.category(ch) not in ("Cc", "Cs", "Co", "Cn", "Zl", "Zp")}
    # Tab and line break: folded YAML text and a care team's note have them; HTML prints them as a space.
    return frozenset((usable | IGNORABLE | {"\t", "\n"}) - REORDERING - {"\ufffd"})


def first_unprintable(text: str, drawn: bool = True) -> str | None:
    """The first character of `text` that cannot be printed, or None.

    With `drawn` False (a web address, a file name: never drawn as text)
    only control, reordering and damaged characters count.
    """
    if drawn:
        allowed = printable_characters()
        if set(text) <= allowed:  # the usual case, at C speed
            return None
        return next(ch for ch in text if ch not in allowed)
    return next((ch for ch in text if _is_control(ch)), None)


def _is_control(ch: str) -> bool:
    if ch in "\t\n":
        return False
    return unicodedata.category(ch) in ("Cc", "Cs", "Zl", "Zp") or ch in REORDERING or ch == "\ufffd"


def first_long_word(text: str) -> str | None:
    """The first run of characters longer than a line can hold (see limits.WORD), or None."""
    match = LONG_WORD.search(text)
    return match.group() if match else None
