"""Page content: everything painted is tagged real content or an Artifact, never both (ISO 14289-1 7.1).

Each page's content stream is walked with its marked-content stack, into the form XObjects it draws; a
marked-content sequence with an MCID must have its structure element in the ParentTree.
"""

from __future__ import annotations

from collections.abc import Iterator

import pikepdf

from leaflets.checks.conformance.reader import Document, Problem

RULES: dict[str, str] = {
    "7.1-1": "no Artifact inside tagged content",
    "7.1-2": "no tagged content inside an Artifact",
    "7.1-3": "all content is tagged (an MCID that the ParentTree maps to a structure element) or an Artifact",
}
TEXT_OPERATORS = frozenset(["Tj", "TJ", "'", '"'])
PAINT_OPERATORS = frozenset(["S", "s", "f", "F", "f*", "B", "B*", "b", "b*", "sh", "EI", "INLINE IMAGE"])

#: The marked-content sequences open at a point: (tag, MCID or None), outermost first.
Marks = list[tuple[str, int | None]]


def check(document: Document) -> Iterator[Problem]:
    """7.1-1, 7.1-2, 7.1-3: every painted thing is an Artifact or marked with an MCID the ParentTree maps."""
    for number, page in document.pages:
        mapped = document.tree.parent_tree.get(int(page.get("/StructParents", -1)))
        mcids = list(mapped) if isinstance(mapped, pikepdf.Array) else []
        resources = page.get("/Resources", pikepdf.Dictionary())
        yield from _stream(document, page, resources, [], (number, mcids, set()))


def _stream(
    document: Document,
    stream: pikepdf.Object,
    resources: pikepdf.Object,
    marks: Marks,
    page: tuple[int, list[pikepdf.Object], set[str]],
) -> Iterator[Problem]:
    """Walk one content stream (a page or a form XObject) with the marked-content stack it starts under.

    `page` is the page's number, the structure elements its MCIDs map to, and what was already reported on it.
    """
    number, mcids, reported = page
    stack = list(marks)
    for instruction in document.instructions(stream):
        operator = str(instruction.operator)
        operands = getattr(instruction, "operands", [])
        if operator in ("BDC", "BMC"):
            tag = str(operands[0])[1:]
            mcid = _mcid(operands[1], resources) if operator == "BDC" else None
            yield from _mark(tag, mcid, stack, number, mcids)
            stack.append((tag, mcid))
        elif operator == "EMC" and stack:
            stack.pop()
        elif operator == "Do":
            xobject = resources.get("/XObject", pikepdf.Dictionary()).get(operands[0])
            if isinstance(xobject, pikepdf.Stream) and xobject.get("/Subtype") == "/Form":
                yield from _stream(document, xobject, xobject.get("/Resources", resources), stack, page)
            else:
                yield from _painted("an image", stack, number, reported)
        elif operator in TEXT_OPERATORS:
            yield from _painted("text", stack, number, reported)
        elif operator in PAINT_OPERATORS or isinstance(instruction, pikepdf.ContentStreamInlineImage):
            yield from _painted("a drawing", stack, number, reported)


def _mcid(properties: object, resources: pikepdf.Object) -> int | None:
    if isinstance(properties, pikepdf.Name):
        properties = resources.get("/Properties", pikepdf.Dictionary()).get(properties)
    if isinstance(properties, pikepdf.Dictionary) and "/MCID" in properties:
        return int(properties.MCID)
    return None


def _mark(tag: str, mcid: int | None, stack: Marks, page: int, mcids: list[pikepdf.Object]) -> Iterator[Problem]:
    in_artifact = any(t == "Artifact" for t, _ in stack)
    in_tagged = any(m is not None for _, m in stack)
    if tag == "Artifact" and in_tagged:
        yield Problem("7.1-1", page, "an Artifact is marked inside tagged content")
    if mcid is not None:
        if in_artifact:
            yield Problem("7.1-2", page, f"tagged content (MCID {mcid}) is marked inside an Artifact")
        if mcid >= len(mcids) or not isinstance(mcids[mcid], pikepdf.Dictionary):
            yield Problem("7.1-3", page, f"MCID {mcid} has no structure element in the ParentTree")


def _painted(what: str, stack: Marks, page: int, reported: set[str]) -> Iterator[Problem]:
    tagged = any(m is not None for _, m in stack) or any(t == "Artifact" for t, _ in stack)
    if not tagged and what not in reported:  # once per kind and page: one stray run is enough to act on
        reported.add(what)
        yield Problem("7.1-3", page, f"{what} is neither tagged nor marked as an Artifact")
