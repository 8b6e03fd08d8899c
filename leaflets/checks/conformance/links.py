"""Links, form fields and other annotations: each tagged under the right element and described, and a page
with them tabs in structure order (ISO 14289-1 7.18). A hidden annotation, or one off the page, is exempt."""

from __future__ import annotations

from collections.abc import Iterator

import pikepdf

from leaflets.checks.conformance.reader import Document, Problem, StructureTree, page_annotations, path, same

RULES: dict[str, str] = {
    "7.18.1-1": "an annotation other than Link, Widget or Popup is tagged under an Annot",
    "7.18.1-2": "such an annotation has Contents or Alt",
    "7.18.1-3": "a form field has a TU (tooltip) or its widget an Alt",
    "7.18.2-1": "no TrapNet annotation",
    "7.18.3-1": "a page with annotations has Tabs /S",
    "7.18.4-1": "a Widget annotation is tagged under a Form",
    "7.18.5-1": "a Link annotation is tagged under a Link, through an OBJR",
    "7.18.5-2": "a Link annotation has a description in Contents",
    "7.18.8-1": "a PrinterMark annotation is not in the structure tree",
}


def check(document: Document) -> Iterator[Problem]:
    """7.18.x: every annotation is tagged under the right element, described, and pages with them tab in order."""
    for number, page in document.pages:
        found = page_annotations(page)
        if found and page.get("/Tabs") != "/S":
            yield Problem("7.18.3-1", number, "the page has annotations but no Tabs /S (tab order = structure)")
        box = [float(v) for v in page.get("/CropBox", page.MediaBox)]
        for annotation in found:
            if int(annotation.get("/F", 0)) & 2 or _outside(annotation, box):
                continue  # hidden, or off the page: exempt
            yield from _annotation(annotation, document.tree, number)


def _outside(annotation: pikepdf.Object, box: list[float]) -> bool:
    left, bottom, right, top = (float(v) for v in annotation.get("/Rect", [0, 0, 0, 0]))
    return right < box[0] or left > box[2] or top < box[1] or bottom > box[3]


def _annotation(annotation: pikepdf.Object, tree: StructureTree, page: int) -> Iterator[Problem]:
    subtype = str(annotation.get("/Subtype", ""))[1:]
    element = tree.element(tree.parent_tree.get(int(annotation.get("/StructParent", -1))))
    tagged_as = element.standard if element else None
    points_back = element is not None and any(same(o, annotation) for o in element.objrs)
    where = f"a {subtype} annotation"
    if subtype == "Link":
        action = annotation.get("/A", pikepdf.Dictionary())
        target = str(action.get("/URI", "") or annotation.get("/Dest", ""))
        where = f"the link to {target!r}" if target else "a link"
        if tagged_as != "Link" or not points_back:
            found = f"under {path(element)}" if element else "not in the structure tree"
            yield Problem("7.18.5-1", page, f"{where} is tagged {found}, not under a Link through an OBJR")
        if not str(annotation.get("/Contents", "")).strip():
            yield Problem("7.18.5-2", page, f"{where} has no description (Contents)")
    elif subtype == "Widget":
        if tagged_as != "Form" or not points_back:
            yield Problem("7.18.4-1", page, "a form field's widget is not tagged under a Form")
        field = annotation.get("/Parent", annotation)
        if not str(field.get("/TU", "")).strip() and not (element and str(element.obj.get("/Alt", "")).strip()):
            yield Problem("7.18.1-3", page, "a form field has no TU (name read aloud) and its widget no Alt")
    elif subtype == "TrapNet":
        yield Problem("7.18.2-1", page, "a TrapNet annotation")
    elif subtype == "PrinterMark":
        if element is not None:
            yield Problem("7.18.8-1", page, "a PrinterMark annotation is in the structure tree")
    elif subtype != "Popup":
        if tagged_as != "Annot":
            yield Problem("7.18.1-1", page, f"{where} is not tagged under an Annot")
        alt = str(element.obj.get("/Alt", "")) if element else ""
        if not str(annotation.get("/Contents", "")).strip() and not alt.strip():
            yield Problem("7.18.1-2", page, f"{where} has neither Contents nor Alt")
