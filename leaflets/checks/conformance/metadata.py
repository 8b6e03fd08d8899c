"""The document as a whole: PDF/UA identification and title in the XMP metadata, the title a viewer shows,
the catalog's tagging flags, optional content and encryption (ISO 14289-1 5, 7.1, 7.10, 7.16)."""

from __future__ import annotations

from collections.abc import Iterator

import pikepdf

from leaflets.checks.conformance.reader import Document, Problem, is_true

RULES: dict[str, str] = {
    "5-1": "the XMP metadata declares PDF/UA conformance (pdfuaid:part)",
    "5-2": "pdfuaid:part is 1",
    "7.1-4": "MarkInfo/Suspects is not true",
    "7.1-8": "the catalog has an XMP Metadata stream",
    "7.1-9": "the XMP metadata has a dc:title",
    "7.1-10": "ViewerPreferences/DisplayDocTitle is true",
    "7.1-11": "the catalog has a StructTreeRoot",
    "7.10-1": "every optional content configuration has a Name",
    "7.10-2": "no optional content configuration has an AS entry",
    "7.16-1": "an encrypted file lets assistive technology extract its text (P bit 10)",
}
EXTRA_RULES: dict[str, str] = {
    "7.1:marked": "MarkInfo/Marked is true (ISO 14289-1 7.1; veraPDF's PDF/UA-1 profile numbers it 6.2-1)",
    "7.1:info-title": (
        "the document information dictionary has a Title: the title bar shows it under DisplayDocTitle "
        "(ISO 32000-1 Table 150)"
    ),
}


def check(document: Document) -> Iterator[Problem]:
    """Every rule of this module."""
    yield from _identification(document.xmp)
    yield from _catalog(document.pdf)


def _identification(metadata: pikepdf.models.PdfMetadata | None) -> Iterator[Problem]:
    """5-1, 5-2, 7.1-8, 7.1-9: the XMP metadata says PDF/UA-1 and names the document."""
    if metadata is None:
        yield Problem("7.1-8", None, "the catalog has no XMP Metadata stream")
        return
    part = metadata.get("pdfuaid:part")
    if part is None:
        yield Problem("5-1", None, "the XMP metadata does not declare PDF/UA (no pdfuaid:part)")
    elif str(part).strip() != "1":
        yield Problem("5-2", None, f"pdfuaid:part is {part!s}, not 1")
    if not str(metadata.get("dc:title") or "").strip():
        yield Problem("7.1-9", None, "the XMP metadata has no dc:title")


def _catalog(pdf: pikepdf.Pdf) -> Iterator[Problem]:
    """7.1-4, 7.1-10, 7.1-11, 7.1:marked, 7.1:info-title, 7.10-1/2, 7.16-1."""
    root = pdf.Root
    preferences = root.get("/ViewerPreferences", pikepdf.Dictionary())
    if not is_true(preferences.get("/DisplayDocTitle")):
        yield Problem("7.1-10", None, "ViewerPreferences/DisplayDocTitle is not true: viewers show the file name")
    info = pdf.trailer.get("/Info")
    if not (isinstance(info, pikepdf.Dictionary) and str(info.get("/Title", "")).strip()):
        yield Problem("7.1:info-title", None, "the document information has no Title: viewers show the file name")
    if "/StructTreeRoot" not in root:
        yield Problem("7.1-11", None, "the catalog has no StructTreeRoot: the PDF is not tagged")
    mark_info = root.get("/MarkInfo", pikepdf.Dictionary())
    if not is_true(mark_info.get("/Marked")):
        yield Problem("7.1:marked", None, "MarkInfo/Marked is not true")
    if is_true(mark_info.get("/Suspects")):
        yield Problem("7.1-4", None, "MarkInfo/Suspects is true")
    yield from _optional_content(root)
    if pdf.is_encrypted and not int(pdf.encryption.P) & 512:
        yield Problem("7.16-1", None, "the file is encrypted without permission to extract text for accessibility")


def _optional_content(root: pikepdf.Object) -> Iterator[Problem]:
    """7.10-1, 7.10-2: each optional content configuration is named and has no AS entry."""
    properties = root.get("/OCProperties")
    if not isinstance(properties, pikepdf.Dictionary):
        return
    configs = [properties.get("/D"), *properties.get("/Configs", pikepdf.Array())]
    for config in (c for c in configs if isinstance(c, pikepdf.Dictionary)):
        if not str(config.get("/Name", "")):
            yield Problem("7.10-1", None, "an optional content configuration has no Name")
        if "/AS" in config:
            yield Problem("7.10-2", None, "an optional content configuration has an AS entry")
