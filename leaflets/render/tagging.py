"""Last corrections to WeasyPrint's tagged PDF, made in the finisher before the file is written.

- Reading order. WeasyPrint tags boxes in the order they are laid out, page
  by page, so a tri-fold's tags would follow the printed sheet (inside flap,
  back, cover, then the inside). Panels that carry `data-reading-order`
  are moved in the structure tree into the order a reader reads them. Only
  structure elements move: the page content, its MCIDs and the ParentTree
  that maps them back stay as they are.
- Lists in columns. A list laid out in CSS columns is tagged as an L
  holding one L per column: the items move up into the outer L, so a
  screen reader announces one list of all its items.
- PDF/UA identification. A tagged PDF that is not written as PDF/UA (the
  PDF/A-2a handouts, the print-shop set) gets `pdfuaid:part` 1 in its XMP
  metadata; beside PDF/A, with the extension schema PDF/A requires for it.

Works on pydyf objects: `pdf.objects[n]` is object `n`, a reference is b"n 0 R".
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pydyf
from weasyprint.formatting_structure import boxes
from weasyprint.layout.absolute import AbsolutePlaceholder

from leaflets.errors import BuildError

#: HTML attribute giving a panel's place in the reading order (1 first).
READING_ORDER = "data-reading-order"
PDFUA_NAMESPACE = b"http://www.aiim.org/pdfua/ns/id/"
PDFA_NAMESPACE = b"http://www.aiim.org/pdfa/ns/id/"

#: `pdfuaid:part` 1, and the PDF/A extension schema that declares it (ISO 19005-2, 6.6.2.3: PDF/A
#: allows only XMP properties from predefined schemas or from extension schemas described in the file).
PDFUA_PART = b'<rdf:Description rdf:about="" xmlns:pdfuaid="http://www.aiim.org/pdfua/ns/id/" pdfuaid:part="1"/>'
PDFUA_EXTENSION_SCHEMA = b"""<rdf:Description rdf:about=""
  xmlns:pdfaExtension="http://www.aiim.org/pdfa/ns/extension/"
  xmlns:pdfaSchema="http://www.aiim.org/pdfa/ns/schema#"
  xmlns:pdfaProperty="http://www.aiim.org/pdfa/ns/property#">
<pdfaExtension:schemas><rdf:Bag><rdf:li rdf:parseType="Resource">
<pdfaSchema:schema>PDF/UA Universal Accessibility Schema</pdfaSchema:schema>
<pdfaSchema:namespaceURI>http://www.aiim.org/pdfua/ns/id/</pdfaSchema:namespaceURI>
<pdfaSchema:prefix>pdfuaid</pdfaSchema:prefix>
<pdfaSchema:property><rdf:Seq><rdf:li rdf:parseType="Resource">
<pdfaProperty:name>part</pdfaProperty:name>
<pdfaProperty:valueType>Integer</pdfaProperty:valueType>
<pdfaProperty:category>internal</pdfaProperty:category>
<pdfaProperty:description>Indicates which part of ISO 14289 standard is followed</pdfaProperty:description>
</rdf:li></rdf:Seq></pdfaSchema:property>
</rdf:li></rdf:Bag></pdfaExtension:schemas>
</rdf:Description>"""


def finish_tags(document: Any, pdf: pydyf.PDF) -> None:
    """Reading order and PDF/UA identification of a tagged PDF; nothing for an untagged one."""
    if "StructTreeRoot" not in pdf.catalog:
        return
    read_panels_in_order(document, pdf)
    join_list_columns(pdf)
    declare_pdf_ua(document, pdf)


def _object(pdf: pydyf.PDF, reference: bytes | str) -> Any:
    """The object a reference (b"12 0 R") points to."""
    text = reference.decode() if isinstance(reference, bytes) else reference
    return pdf.objects[int(text.split()[0])]


# --- reading order ------------------------------------------------------------------------------------------------


def read_panels_in_order(document: Any, pdf: pydyf.PDF) -> None:
    """Move the structure elements of panels with `data-reading-order` into that order.

    Panels of one sheet that are read one after the other stay in that sheet's
    Div; a panel read after another sheet (the tri-fold's back panel) moves
    up to the Document, after it.
    """
    root = _object(pdf, pdf.catalog["StructTreeRoot"])
    top = _object(pdf, root["K"][0])
    panels = list(_panels(document, pdf, top))
    if not panels:
        return
    ordered = sorted(panels, key=lambda panel: panel[0])
    sheets = {id(sheet): sheet for _, _, sheet in panels}
    kids = [ref for ref in top["K"] if id(_object(pdf, ref)) not in sheets]  # anything else keeps its place
    used: set[int] = set()
    current: Any = None
    for _, reference, sheet in ordered:
        if sheet is current:
            sheet["K"].append(reference)
            continue
        if id(sheet) in used:  # read after another sheet: hangs from the Document itself
            _object(pdf, reference)["P"] = top.reference
            kids.append(reference)
            current = None
            continue
        used.add(id(sheet))
        current = sheet
        sheet["K"] = pydyf.Array([reference])
        kids.append(sheet.reference)
    top["K"] = pydyf.Array(kids)


def _panels(document: Any, pdf: pydyf.PDF, top: Any) -> Iterator[tuple[int, bytes, Any]]:
    """(reading position, structure element reference, its sheet's Div) for every ordered panel.

    WeasyPrint makes one structure element for each top-level box of a page
    (see `_top_boxes`) and one for each box inside those: the boxes and the
    Document's kids are walked side by side, and any mismatch stops the build
    rather than reorder the wrong elements.
    """
    tops = iter(top["K"])
    for page in document.pages:
        for box in _top_boxes(page._page_box):
            reference = next(tops, None)
            order = [_position(child) for child in getattr(box, "children", [])]
            if not any(p is not None for p in order):
                continue
            sheet = _object(pdf, reference) if reference is not None else None
            if sheet is None or sheet["S"] != "/Div" or len(sheet["K"]) != len(order):
                raise BuildError("reading order: the tag tree does not match the panels; check templates/trifold.html")
            for position, kid in zip(order, sheet["K"], strict=True):
                if position is None:
                    raise BuildError("reading order: every panel on a sheet needs a data-reading-order")
                yield position, kid, sheet


def _top_boxes(box: Any) -> Iterator[Any]:
    """The boxes WeasyPrint tags as the Document's kids, in its order (weasyprint/pdf/tags.py, _build_box_tree).

    The page, <html> and <body> boxes are passed through to their children
    (which is where a fixed box repeated on a later page sits); margin boxes are
    tagged outside the tree.
    """
    if isinstance(box, AbsolutePlaceholder):
        box = box._box
    if isinstance(box, boxes.MarginBox):
        return
    passed_through = isinstance(box, boxes.PageBox) or (box.element is not None and box.element_tag in ("html", "body"))
    if passed_through and isinstance(box, boxes.ParentBox) and not isinstance(box, boxes.LineBox):
        for child in box.children:
            yield from _top_boxes(child)
        return
    yield box


def _position(box: Any) -> int | None:
    element = getattr(box, "element", None)
    value = element.get(READING_ORDER) if element is not None else None
    return int(value) if value is not None else None


# --- lists in columns -----------------------------------------------------------------------------------------------


def join_list_columns(pdf: pydyf.PDF) -> None:
    """Give an L that holds only Ls (one per column) their items directly."""
    root = _object(pdf, pdf.catalog["StructTreeRoot"])
    for element in _elements(pdf, _object(pdf, root["K"][0])):
        if element.get("S") != "/L" or not element["K"]:
            continue
        if not all(isinstance(ref, bytes) and _object(pdf, ref).get("S") == "/L" for ref in element["K"]):
            continue  # a real list (its items, maybe a nested list after one): leave it
        columns = [_object(pdf, ref) for ref in element["K"]]
        items = [ref for column in columns for ref in column["K"]]
        for ref in items:
            if isinstance(ref, bytes):
                _object(pdf, ref)["P"] = element.reference
        element["K"] = pydyf.Array(items)


def _elements(pdf: pydyf.PDF, element: Any) -> Iterator[Any]:
    """A structure element and all those under it (MCIDs and object references aside)."""
    yield element
    for ref in element.get("K", ()):
        kid = _object(pdf, ref) if isinstance(ref, bytes) else None
        if isinstance(kid, pydyf.Dictionary) and "S" in kid:
            yield from _elements(pdf, kid)


# --- PDF/UA identification ---------------------------------------------------------------------------------------


def declare_pdf_ua(document: Any, pdf: pydyf.PDF) -> None:
    """Make the XMP metadata say PDF/UA-1 (pdfuaid:part 1), adding the metadata if there is none."""
    reference = pdf.catalog.get("Metadata")
    if reference is None:
        # No variant wrote metadata (the print-shop set without a CMYK profile): WeasyPrint's own, as PDF/UA-1.
        document.metadata.include_in_pdf(pdf, "ua", 1, conformance=None, compress=True)
        return
    stream = _object(pdf, reference)
    xmp = b"".join(part if isinstance(part, bytes) else str(part).encode() for part in stream.stream)
    if PDFUA_NAMESPACE in xmp:
        return
    extra = PDFUA_PART + (PDFUA_EXTENSION_SCHEMA if PDFA_NAMESPACE in xmp else b"")
    if b"</rdf:RDF>" not in xmp:
        raise BuildError("PDF/UA identification: the XMP metadata has no rdf:RDF to add it to")
    stream.stream = [xmp.replace(b"</rdf:RDF>", extra + b"</rdf:RDF>", 1)]
