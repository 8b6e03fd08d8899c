"""Tables: rows and cells where they belong, and headers a screen reader can tell (ISO 14289-1 7.2, 7.5).

No template writes a table today; these rules keep one that a template adds honest.
"""

from __future__ import annotations

from collections.abc import Iterator

import pikepdf

from leaflets.checks.conformance.reader import Document, Element, Problem, kid_types

RULES: dict[str, str] = {
    "7.2-3": "a Table holds only TR, THead, TBody, TFoot and one Caption first or last",
    "7.2-4": "a TR sits in a Table, THead, TBody or TFoot",
    "7.2-8": "a TH sits in a TR",
    "7.2-9": "a TD sits in a TR",
    "7.2-10": "a TR holds only TH and TD",
    "7.5-1": "table headers are determinable: every TH has a Scope, or every TD names its headers",
}


def check(document: Document) -> Iterator[Problem]:
    """7.2-3, 7.2-4, 7.2-8 to 7.2-10 and 7.5-1: rows and cells where they belong, headers determinable."""
    rows = {"Table", "THead", "TBody", "TFoot"}
    for element in document.tree.walk():
        parent = element.parent.standard if element.parent else None
        kind, kids = element.standard, kid_types(element)
        if kind == "Table":
            inner = kids[1:] if kids[:1] == ["Caption"] else kids[:-1] if kids[-1:] == ["Caption"] else kids
            if any(k not in ("TR", "THead", "TBody", "TFoot") for k in inner):
                yield Problem("7.2-3", element.page, f"a Table holds {', '.join(sorted(set(inner)))}")
            yield from _headers(element)
        elif kind == "TR" and parent not in rows:
            yield Problem("7.2-4", element.page, f"a TR sits in {parent}")
        elif kind in ("TH", "TD") and parent != "TR":
            yield Problem("7.2-8" if kind == "TH" else "7.2-9", element.page, f"a {kind} sits in {parent}")
        if kind == "TR" and any(k not in ("TH", "TD") for k in kids):
            yield Problem("7.2-10", element.page, f"a TR holds {', '.join(sorted(set(kids)))}")


def _headers(table: Element) -> Iterator[Problem]:
    """7.5-1: every TD names existing header IDs, or else every TH has a Scope."""
    cells = [e for e in table.walk() if e.standard in ("TH", "TD")]
    ids = {str(e.obj.get("/ID")) for e in cells if e.standard == "TH" and "/ID" in e.obj}
    data = [e for e in cells if e.standard == "TD"]
    by_headers = bool(data) and all(
        (headers := _attribute(e, "/Headers")) is not None and {str(h) for h in headers} <= ids and len(headers) > 0
        for e in data
    )
    if by_headers:
        return
    for header in (e for e in cells if e.standard == "TH"):
        if _attribute(header, "/Scope") is None:
            yield Problem("7.5-1", header.page, "a TH has no Scope and the table's cells do not name their headers")


def _attribute(element: Element, key: str) -> pikepdf.Object | None:
    """An attribute from the element's /A (a dictionary or an array of them)."""
    attributes = element.obj.get("/A")
    for attribute in attributes if isinstance(attributes, pikepdf.Array) else [attributes]:
        if isinstance(attribute, pikepdf.Dictionary) and key in attribute:
            return attribute[key]
    return None
