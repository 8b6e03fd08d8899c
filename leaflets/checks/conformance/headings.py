"""Headings: numbered from H1 down one level at a time, H and H1-H6 never mixed, none empty
(ISO 14289-1 7.4)."""

from __future__ import annotations

from collections.abc import Iterator

from leaflets.checks.conformance.reader import HEADING, Document, Problem, kid_types

RULES: dict[str, str] = {
    "7.4.2-1": "numbered headings start at H1 and never skip a level going down",
    "7.4.4-1": "no element holds more than one H",
    "7.4.4-2": "a document does not mix H and H1-H6",
}
EXTRA_RULES: dict[str, str] = {
    "7.4:empty": "every heading has text (a blank entry in a screen reader's list of headings)",
}


def check(document: Document) -> Iterator[Problem]:
    """7.4.2-1, 7.4.4-1, 7.4.4-2, 7.4:empty: headings start at H1, go down one level at a time, and have text."""
    previous = 0
    uses_h = uses_hn = False
    for element in document.tree.walk():
        kind = element.standard or ""
        if kid_types(element).count("H") > 1:
            yield Problem("7.4.4-1", element.page, f"/{element.type} holds more than one H")
        uses_h = uses_h or kind == "H"
        match = HEADING.match(kind)
        if not match:
            continue
        uses_hn = True
        level = int(match.group(1))
        if not any(e.mcids for e in element.walk()) and "/ActualText" not in element.obj:
            yield Problem("7.4:empty", element.page, f"an H{level} has no text")
        if previous == 0 and level != 1:
            yield Problem("7.4.2-1", element.page, f"the first heading is H{level}, not H1")
        elif previous and level > previous + 1:
            yield Problem("7.4.2-1", element.page, f"H{level} follows H{previous}: a level is skipped")
        previous = level
    if uses_h and uses_hn:
        yield Problem("7.4.4-2", None, "the document uses both H and H1-H6")
