"""Runs of text written the other way from their page: a Latin clinic name, reference or phone number on an
Arabic page, an Arabic patient's name on an English one.

A page's direction is its language's (`wording.direction`). WeasyPrint 70 runs Unicode's bidi algorithm
(UAX #9) on each inline box's text alone, line by line, with the box's `direction`, and a right-to-left line
puts its boxes right to left. Left in the page's text, such a run can print out of order: a hyphen at the end
of a line takes the page's direction (`Post-` printed as `-Post`), European digits after Arabic letters count
as Arabic numbers (555-0134 printed as 0134-555, rule W2), an address that starts with a house number puts
the number at the wrong end. So each run is set apart in a `<bdi dir="...">` of its own (`isolate_runs`):
an inline box with its own direction, which browsers (the web edition) isolate the same way.

A run starts and ends with a strong character of the other direction (UAX #9 classes L, or R and AL), with
anything but a strong character of the page's direction between; on a right-to-left page, digits count as
left to right too, and a run of digits alone is set apart only when something separates them (555-0134, 1.0,
14:30; a lone number reads the same either way). A page whose text all reads its own way (every English and
Spanish leaflet) is not changed at all.
"""

from __future__ import annotations

import html
import re
import unicodedata
from collections.abc import Iterator

from markupsafe import escape

#: Unicode bidi classes of the strong characters (UAX #9): left to right, and right to left (Hebrew, Arabic).
STRONG = {"ltr": frozenset({"L"}), "rtl": frozenset({"R", "AL"})}
#: European and Arabic-Indic digits: they read left to right whatever the page's direction.
DIGITS = frozenset({"EN", "AN"})


def direction_of(text: str) -> str | None:
    """'ltr' or 'rtl' from the first strongly directional character of `text` (UAX #9, rules P2-P3), or None
    when it has none (digits and punctuation alone)."""
    for character in text:
        kind = unicodedata.bidirectional(character)
        for direction, strong in STRONG.items():
            if kind in strong:
                return direction
    return None


def runs(text: str, direction: str) -> list[tuple[int, int]]:
    """The (start, end) of each run of `text` that reads the other way from a page written in `direction`."""
    other = "rtl" if direction == "ltr" else "ltr"
    found: list[tuple[int, int]] = []
    start = last = -1
    strong = False  # whether the run has a strong character, not only digits
    for index, character in enumerate([*text, "\n"]):  # a last paragraph separator ends the last run
        kind = unicodedata.bidirectional(character)
        if kind in STRONG[other] or (other == "ltr" and kind in DIGITS):
            start = index if start < 0 else start
            last, strong = index, strong or kind in STRONG[other]
        elif kind in STRONG[direction] or kind == "B":  # the page's own direction, or a new paragraph
            if start >= 0 and (strong or not _one_number(text[start : last + 1])):
                found.append((start, _closed(text, start, last + 1)))
            start, strong = -1, False
    return found


#: Brackets a run may open: it ends after the bracket that closes them ("Pain (EMG)" is one run, never "Pain (EMG").
BRACKETS = {"(": ")", "[": "]", "{": "}"}


def _closed(text: str, start: int, end: int) -> int:
    """The end of the run `text[start:end]`, moved past the closing brackets of those it opens."""
    run = text[start:end]
    for opening, closing in BRACKETS.items():
        while run.count(opening) > run.count(closing) and text[end : end + 1] == closing:
            end += 1
            run = text[start:end]
    return end


def _one_number(text: str) -> bool:
    """Whether `text` is digits alone, which read the same in any direction (not 555-0134, 1.0 or 14:30)."""
    return all(unicodedata.bidirectional(character) in DIGITS for character in text)


#: Elements a run of text may go through: it is set apart whole, with them inside, when they open and close in
#: it ("1 Example Road, Exampleton <span>EX1 2AB</span>"). Any other tag ends a run: a paragraph, an item...
INLINE = frozenset({"span", "strong", "b", "em", "i", "small", "sub", "sup", "abbr", "bdi", "a"})
#: What a link counts as in the text around it: one neutral character (a link's text must be its own for
#: PDF/UA, so nothing is put inside it; alone in its box, it reads its own way).
LINK = "\ufffc"


def isolate_runs(document: str, direction: str) -> str:
    """The document's body with each run of text that reads the other way from the page in a `<bdi>`.

    Text only: between tags in the body, never in an attribute, the stylesheet or a link. The HTML comes from
    our templates with autoescape on, so no '<' or '>' stands inside a text or an attribute value; entities
    (&amp;) are read as their characters, and a text with no run is left exactly as it was written.
    """
    head, tag, body = document.partition("<body")
    kept: list[str] = [head]
    piece: list[str] = []
    for token in re.split(r"(<[^>]*>)", tag + body):
        if token.startswith("<") and _name(token) not in INLINE:
            kept += [*_isolated(piece, direction), token]
            piece = []
        else:
            piece.append(token)
    return "".join([*kept, *_isolated(piece, direction)])


def _name(tag: str) -> str:
    return re.match(r"</?([a-zA-Z0-9]*)", tag)[1].lower()  # type: ignore[index]


#: Where a mark goes: (token, offset), before the offset-th character of a text, or before (0) or after (1) a tag.
Place = tuple[int, int]


def _isolated(tokens: list[str], direction: str) -> list[str]:
    """A stretch of text and inline tags between two other tags, with its runs set apart."""
    text, spans = _characters(tokens)
    found = runs(text, direction)
    if not found:
        return tokens
    other = "rtl" if direction == "ltr" else "ltr"
    opens: dict[Place, str] = {}
    closes: dict[Place, str] = {}
    for start, stop in found:
        whole = _widened(tokens, spans[start][0], spans[stop - 1][1])
        pieces = [whole] if whole else list(_pieces(tokens, spans[start][0], spans[stop - 1][1], direction))
        for before, after in pieces:
            opens[before] = f'<bdi dir="{other}">'
            closes[after] = "</bdi>"
    return [_marked(index, token, opens, closes) for index, token in enumerate(tokens)]


def _widened(tokens: list[str], before: Place, after: Place) -> tuple[Place, Place] | None:
    """The places around a run, moved out past the tags of the elements it starts or ends in, so that each
    element it touches is wholly inside ("<span>EX1 2AB</span>" ends after </span>); None if it cannot be."""
    while True:
        depth, lowest = 0, 0
        for token in tokens[before[0] : after[0] + 1]:
            depth += -1 if token.startswith("</") else 1 if token.startswith("<") else 0
            lowest = min(lowest, depth)
        if depth == lowest == 0:
            return before, after
        at_end = after[1] == len(html.unescape(tokens[after[0]])) or tokens[after[0]].startswith("<")
        following = tokens[after[0] + 1] if after[0] + 1 < len(tokens) else ""
        at_start = before[1] == 0
        preceding = tokens[before[0] - 1] if before[0] > 0 else ""
        if depth > lowest and at_end and following.startswith("</"):
            after = (after[0] + 1, 1)
        elif lowest < 0 and at_start and preceding.startswith("<") and not preceding.startswith("</"):
            before = (before[0] - 1, 0)
        else:
            return None


def _pieces(tokens: list[str], before: Place, after: Place, direction: str) -> Iterator[tuple[Place, Place]]:
    """A run that cannot be set apart whole, in pieces: its runs within each text it goes through."""
    for index in range(before[0], after[0] + 1):
        if not tokens[index].startswith("<"):
            for start, stop in runs(html.unescape(tokens[index]), direction):
                yield (index, start), (index, stop)


def _characters(tokens: list[str]) -> tuple[str, list[tuple[Place, Place]]]:
    """The text of `tokens`, each link as one LINK character, and where a mark goes before and after each."""
    text: list[str] = []
    spans: list[tuple[Place, Place]] = []
    link = -1  # the index of the open link's tag, if in one
    for index, token in enumerate(tokens):
        if token.startswith("<"):
            if _name(token) == "a" and not token.startswith("</"):
                link = index
            elif _name(token) == "a" and link >= 0:
                text.append(LINK)
                spans.append(((link, 0), (index, 1)))
                link = -1
        elif link < 0:
            for offset, character in enumerate(html.unescape(token)):
                text.append(character)
                spans.append(((index, offset), (index, offset + 1)))
    return "".join(text), spans


def _marked(index: int, token: str, opens: dict[Place, str], closes: dict[Place, str]) -> str:
    """One token with its marks: before and after a tag, or between the characters of a text (a text with no
    mark is left as it was written)."""
    if token.startswith("<"):
        before = closes.get((index, 0), "") + opens.get((index, 0), "")
        return before + token + closes.get((index, 1), "") + opens.get((index, 1), "")
    cuts = sorted({offset for i, offset in (*opens, *closes) if i == index})
    if not cuts:
        return token
    plain = html.unescape(token)
    pieces, end = [], 0
    for offset in cuts:
        pieces += [str(escape(plain[end:offset])), closes.get((index, offset), ""), opens.get((index, offset), "")]
        end = offset
    return "".join([*pieces, str(escape(plain[end:]))])
