"""PDF/A-2 (ISO 19005-2) rules for a file whose XMP metadata claims PDF/A (the discharge handouts): those
WeasyPrint 70 breaks unless leaflets/render/conformance.py puts them right. Images are not smoothed,
annotations and form fields are drawn in the file."""

from __future__ import annotations

from collections.abc import Iterator

import pikepdf

from leaflets.checks.conformance.reader import REPORT_IT, Document, Problem, is_true, page_annotations, page_resources

PDFA_RULES: dict[str, str] = {
    "6.2.8-3": "no image is marked for smoothing (Interpolate true)",
    "6.3.3-1": "every annotation but a Link or Popup (a form field too) has an appearance (AP with N)",
    "6.4.1-3": "the form does not ask viewers to draw its fields (NeedAppearances true)",
}


def check(document: Document) -> Iterator[Problem]:
    """6.2.8-3, 6.3.3-1, 6.4.1-3: images not smoothed, annotations drawn, the form drawn in the file."""
    form = document.root.get("/AcroForm")
    if isinstance(form, pikepdf.Dictionary) and is_true(form.get("/NeedAppearances")):
        yield Problem(
            "6.4.1-3",
            None,
            "the form asks each viewer to draw its fields (NeedAppearances true), which PDF/A-2 forbids: "
            f"archives may show them differently or refuse the file; {REPORT_IT}",
        )
    images: set[tuple[int, int]] = set()  # each once, on the first page that shows it
    for number, page in document.pages:
        for resources in page_resources(page):
            for image in resources.get("/XObject", pikepdf.Dictionary()).values():
                if image.objgen not in images or image.objgen == (0, 0):
                    images.add(image.objgen)
                    yield from _smoothed(image, number)
        for annotation in page_annotations(page):
            yield from _drawn(annotation, number)


def _smoothed(image: pikepdf.Object, page: int) -> Iterator[Problem]:
    """6.2.8-3: an image (or its soft mask) with Interpolate true."""
    if image.get("/Subtype") != "/Image":
        return
    mask = image.get("/SMask")
    if is_true(image.get("/Interpolate")) or (isinstance(mask, pikepdf.Stream) and is_true(mask.get("/Interpolate"))):
        size = f"{int(image.get('/Width', 0))} x {int(image.get('/Height', 0))} pixels"
        yield Problem(
            "6.2.8-3",
            page,
            f"an image of {size} (a logo?) is marked for smoothing (Interpolate true), which PDF/A-2 forbids: "
            f"archives may refuse the file; {REPORT_IT}",
        )


def _drawn(annotation: pikepdf.Object, page: int) -> Iterator[Problem]:
    """6.3.3-1: an annotation other than a Link or Popup, and not of zero size, has a normal appearance."""
    subtype = str(annotation.get("/Subtype", ""))[1:]
    left, bottom, right, top = (float(v) for v in annotation.get("/Rect", [0, 0, 0, 0]))
    if subtype in ("Link", "Popup") or (left == right and bottom == top):
        return
    if "/N" in annotation.get("/AP", pikepdf.Dictionary()):
        return
    field = annotation.get("/Parent", annotation)
    name = str(field.get("/TU", "") or field.get("/T", ""))
    what = f"the form field {name!r}" if subtype == "Widget" else f"a {subtype} annotation"
    yield Problem(
        "6.3.3-1",
        page,
        f"{what} has no appearance of its own (AP with N): PDF/A-2 needs it drawn in the file, so that every "
        f"viewer and archive shows it the same; {REPORT_IT}",
    )
