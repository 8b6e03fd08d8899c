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

import regex

from leaflets.content.limits import WORD

#: Invisible characters that only guide line breaking or joining: fine without a glyph.
IGNORABLE = frozenset("\u00ad\u200b\u200c\u200d\u2060")
#: Characters that reorder the text around them, so what is read is not what was typed.
REORDERING = frozenset("\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")
#: White space that ends a word on a line (not the no-break spaces), and the hyphens and dashes after
#: which a line may break (Unicode line breaking classes BA and B2).
#: Characters a line may also break before and after, with no space: ideographs, kana and Hangul (Unicode line
#: breaking classes ID, H2, H3, JL, JV, JT and CJ, UAX #14, which the renderer follows). Chinese and Japanese
#: are written without spaces, so a sentence of them is a run of such characters, never one long word.
BREAK_AROUND = (
    r"\p{Line_Break=Ideographic}\p{Line_Break=H2}\p{Line_Break=H3}\p{Line_Break=JL}\p{Line_Break=JV}"
    r"\p{Line_Break=JT}\p{Line_Break=Conditional_Japanese_Starter}"
)
BREAKS = " \t\n\r\u1680\u2000-\u2006\u2008-\u200b\u205f\u3000\\-\u00ad\u2010\u2012-\u2014"
#: A run between spaces and hyphens over the limit. The look-behind makes a match start only where a word
#: starts: without it the search would try every letter of a long word in turn. (`re`, not `regex`: this runs
#: on every cell of a patient list, and `re` is several times faster on it.)
LONG_RUN = re.compile(f"(?<![^{BREAKS}])[^{BREAKS}]{{{WORD.value + 1},}}")
#: Inside such a run, a word over the limit between the characters a line may break around.
LONG_WORD = regex.compile(f"[^{BREAK_AROUND}]{{{WORD.value + 1},}}")


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
    """The first run of characters longer than a line can hold (see limits.WORD), or None.

    A run ends at a space or a hyphen, and around each ideograph, kana or Hangul syllable (BREAK_AROUND): so a
    Chinese clause is not one word, but a 41-letter Latin word inside it is."""
    for run in LONG_RUN.finditer(text):
        word = LONG_WORD.search(run.group())
        if word:
            return str(word.group())
    return None
