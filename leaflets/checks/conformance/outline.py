"""The structure tree as a screen reader walks it: headings, lists and their items, links and figures."""

from __future__ import annotations

from pathlib import Path

import pikepdf

from leaflets.checks.conformance.reader import HEADING, Element, StructureTree, marked_texts

#: The text read out of each marked-content sequence, by (page, MCID).
Texts = dict[tuple[int | None, int], str]


def outline(path: Path) -> list[tuple[int, str, str]]:
    """(depth, type, what is read) for headings, lists and their items, links and figures, in tree order.

    Depth counts only these landmarks, so the listing reads like a screen reader's
    element list: a list item sits one level under its list, a link under its item.
    """
    texts = marked_texts(path)
    with pikepdf.open(path) as pdf:
        tree = StructureTree(pdf)
        found: list[tuple[int, str, str]] = []
        for element in tree.elements:
            _landmarks(element, 0, texts, found)
    return found


def _landmarks(element: Element, depth: int, texts: Texts, found: list[tuple[int, str, str]]) -> None:
    kind = element.standard or element.type
    spoken = ""
    if HEADING.match(kind) or kind in ("LI", "Link"):
        spoken = " ".join(" ".join(texts.get(key, "") for e in element.walk() for key in e.mcids).split())
        if kind == "Link":
            target = next((str(o.get("/Contents", "")) for o in element.objrs), "")
            spoken = f"{spoken} ({target})"
    elif kind == "Figure":
        spoken = str(element.obj.get("/Alt", ""))
    elif kind == "L":
        spoken = f"{sum(1 for kid in element.kids if kid.standard == 'LI')} items"
    landmark = bool(spoken) or kind in ("L", "Figure")
    if landmark:
        found.append((depth, kind, spoken))
    for kid in element.kids:
        _landmarks(kid, depth + 1 if landmark else depth, texts, found)
