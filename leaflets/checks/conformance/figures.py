"""Figures say what they show (ISO 14289-1 7.3), and notes can be referred to (7.9)."""

from __future__ import annotations

from collections.abc import Iterator

from leaflets.checks.conformance.reader import Document, Problem, path

RULES: dict[str, str] = {
    "7.3-1": "every Figure has alternative text (Alt or ActualText)",
    "7.9-1": "every Note has an ID",
}


def check(document: Document) -> Iterator[Problem]:
    """7.3-1 and 7.9-1: Figures have alternative text (a blank Alt is none); Notes have an ID."""
    for element in document.tree.walk():
        if element.standard == "Figure":
            alt, actual = str(element.obj.get("/Alt", "")).strip(), element.obj.get("/ActualText")
            if not alt and actual is None:
                yield Problem("7.3-1", element.page, f"a Figure has no alternative text ({path(element)})")
        if element.standard == "Note" and not str(element.obj.get("/ID", "")):
            yield Problem("7.9-1", element.page, "a Note has no ID")
