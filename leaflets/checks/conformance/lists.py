"""Lists: an L holds list items (LI), and an item a label (Lbl) and a body (LBody), nothing else
(ISO 14289-1 7.2, ISO 32000-1 14.8.4.3.3).

Where veraPDF's newest releases let `Div`, `NonStruct` and `Part` pass through these checks, this module
does not: a list holds its items directly, as earlier veraPDF releases and screen readers expect.
"""

from __future__ import annotations

from collections.abc import Iterator

from leaflets.checks.conformance.reader import Document, Problem, kid_types, path

RULES: dict[str, str] = {
    "7.2-17": "an LI sits in an L",
    "7.2-18": "an LBody (and an Lbl) sits in an LI",
    "7.2-19": "an L holds only LI and L, and at most one Caption, first",
    "7.2-20": "an LI holds only Lbl and LBody",
}


def check(document: Document) -> Iterator[Problem]:
    """7.2-17 to 7.2-20: L > LI > Lbl/LBody and nothing else."""
    for element in document.tree.walk():
        parent = element.parent.standard if element.parent else None
        kind = element.standard
        if kind == "LI" and parent != "L":
            yield Problem("7.2-17", element.page, f"an LI sits in {parent} ({path(element)})")
        if kind in ("LBody", "Lbl") and parent != "LI":
            yield Problem("7.2-18", element.page, f"an {kind} sits in {parent} ({path(element)})")
        kids = kid_types(element)
        if kind == "L":
            body = kids[1:] if kids[:1] == ["Caption"] else kids
            stray = sorted({k for k in body if k not in ("LI", "L")})
            if stray or element.mcids:
                what = ", ".join(stray) or "bare text"
                message = f"a list (L) holds {what}, not only list items ({path(element)})"
                yield Problem("7.2-19", element.page, message)
        if kind == "LI":
            stray = sorted({k for k in kids if k not in ("Lbl", "LBody")})
            if stray or element.mcids:
                what = ", ".join(stray) or "bare text"
                yield Problem("7.2-20", element.page, f"a list item (LI) holds {what} ({path(element)})")
