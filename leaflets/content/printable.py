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

from leaflets.content.limits import WORD

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


def first_unprintable(text: str) -> str | None:
    """The first character of `text` that no typeface prints (control, reordering, private-use, unassigned or
    damaged characters), or None. Whether the embedded fonts have a printable character is a separate check
    (leaflets/content/fonts.py), because it depends on the fonts the clinic adds."""
    return next((ch for ch in text if _is_control(ch)), None)


def _is_control(ch: str) -> bool:
    if ch in "\t\n":
        return False
    return unicodedata.category(ch) in ("Cc", "Cs", "Co", "Cn", "Zl", "Zp") or ch in REORDERING or ch == "\ufffd"


def first_long_word(text: str) -> str | None:
    """The first run of characters longer than a line can hold (see limits.WORD), or None."""
    match = LONG_WORD.search(text)
    return match.group() if match else None
