"""Quality checks on what was actually made: the laid-out pages and the PDF file.

- Contrast: every run of text against the background it sits on, from the
  layout (so a template or stylesheet change is caught too): WCAG AA, 4.5:1
  for body text, 3:1 for large text (18 pt, or 14 pt bold).
- Images: every image has alt text (it goes into the tagged PDF).
- Type size: every character's size read back from the PDF with
  PDFium: body at least 12 pt (RNIB Clear Print), 18 pt in large print.
- Accessibility: PDF/UA-1 rule by rule as veraPDF numbers them (conformance/:
  tags, lists, headings, links, figures, tables, languages, metadata, fonts).
"""

from __future__ import annotations

import bisect
import ctypes
from collections.abc import Iterator
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from typing import Any

from weasyprint.formatting_structure import boxes

from leaflets.checks import conformance
from leaflets.checks.quality import ERROR, MARKER, PASS, Finding

PT_PER_PX = 0.75  # WeasyPrint lays out in CSS pixels
#: What PDFium reports in place of a hyphen at the end of a line.
HYPHEN_AT_LINE_END = 0x02
MIN_BODY_PT = {"standard": 12.0, "trifold": 12.0, "large-print": 18.0}


def check_layout(document: Any, leaflet: str, names: dict[str, str]) -> list[Finding]:
    """Contrast of every text run, and alt text on every image, on the laid-out pages.

    `names` maps a colour's hex to a name for messages, e.g. '#0b6e4f' -> 'brand accent'.
    """
    failing: dict[tuple[str, str, float], tuple[float, str]] = {}
    lowest: tuple[float, str] | None = None
    found: list[Finding] = []
    for page in document.pages:
        for text, colour, background, size_pt, bold in _text_runs(page._page_box, "#ffffff"):
            ratio = contrast(colour, background)
            large = size_pt >= 18 or (size_pt >= 14 and bold)
            needed = 3.0 if large else 4.5
            if lowest is None or ratio < lowest[0]:
                lowest = (ratio, f"{_name(colour, names)} on {_name(background, names)}")
            if ratio < needed:
                failing.setdefault((colour, background, needed), (ratio, text))
        found += _missing_alt(page._page_box, leaflet)
    for (colour, background, needed), (ratio, text) in failing.items():
        found.append(
            Finding(
                "contrast",
                ERROR,
                leaflet,
                f"{_name(colour, names)} on {_name(background, names)} is {ratio:.1f}:1, needs "
                f"{needed:g}:1 (WCAG AA), e.g. '{text[:40]}'",
            )
        )
    if lowest and not failing:
        found.append(
            Finding("contrast", PASS, leaflet, f"lowest {lowest[0]:.1f}:1 ({lowest[1]})", f"{lowest[0]:.1f}:1")
        )
    return found


def check_pdf(path: Path, leaflet: str, style: str, footer_pt: list[float]) -> list[Finding]:
    """Type sizes and PDF/UA-1 conformance of one written PDF (`footer_pt`: each page's bottom margin)."""
    return [*check_type_size(path, leaflet, style, footer_pt), *check_accessibility(path, leaflet)]


def check_type_size(path: Path, leaflet: str, style: str, footer_pt: list[float]) -> list[Finding]:
    """The smallest body text, measured from the PDF's own characters."""
    body: list[tuple[float, int, PageText, list[Glyph]]] = []
    footer: list[float] = []
    for number, (page, margin) in enumerate(zip(read_pages(path), footer_pt, strict=True), start=1):
        limit = page.height - margin
        printed = [g for g in page.glyphs if g.text.strip() not in ("", MARKER)]
        footer += [g.size for g in printed if g.top >= limit]
        sizes = [(round(g.size, 1), g) for g in printed if g.top < limit]
        if sizes:
            # Only the page's smallest size can be the smallest text.
            least = min(size for size, _ in sizes)
            body.append((least, number, page, [g for size, g in sizes if size == least]))
    # The smallest text is the least (size, page, words around it): the first page with the least size, and there
    # the glyph whose words come first. Only that page's glyphs of that size have their words read.
    least, first = min((size, page_number) for size, page_number, _, _ in body)
    _, _, page, glyphs = next(entry for entry in body if entry[1] == first)
    smallest = (least, first, min(page.context(g) for g in glyphs))
    minimum = MIN_BODY_PT[style]
    where = f"page {smallest[1]}, '{smallest[2]}'"
    footnote = f"; footer {min(footer):.0f} pt" if footer else ""
    if smallest[0] < minimum - 0.05:
        return [
            Finding(
                "type size",
                ERROR,
                leaflet,
                f"smallest text {smallest[0]:g} pt ({where}) is below {minimum:g} pt "
                f"({'large print: APH/ACB' if style == 'large-print' else 'RNIB Clear Print'})",
            )
        ]
    return [
        Finding(
            "type size", PASS, leaflet, f"smallest text {smallest[0]:g} pt ({where}){footnote}", f"{smallest[0]:g} pt"
        )
    ]


def check_accessibility(path: Path, leaflet: str) -> list[Finding]:
    """PDF/UA-1, as veraPDF numbers its rules (leaflets/checks/conformance/; PDF/A-2 too for a file that claims it).

    Every problem is an error naming the rule, the page and what is wrong. A pass lists every rule that ran.
    """
    report = conformance.check_file(path)
    if report.problems:
        return [Finding("pdf/ua", ERROR, leaflet, str(problem)) for problem in report.problems]
    checked = f"{len(report.checked)} rules checked ({', '.join(report.checked)})"
    return [Finding("pdf/ua", PASS, leaflet, f"PDF/UA-1: no problems; {checked}", "pass")]


def contrast(first: str, second: str) -> float:
    """WCAG 2 contrast ratio of two #rrggbb colours."""
    lighter, darker = sorted((_luminance(first), _luminance(second)), reverse=True)
    return (lighter + 0.05) / (darker + 0.05)


def _luminance(colour: str) -> float:
    channels = [int(colour[i : i + 2], 16) / 255 for i in (1, 3, 5)]
    linear = [c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]


def _text_runs(box: Any, background: str) -> Iterator[tuple[str, str, str, float, bool]]:
    """(text, colour, background, size in pt, bold) for every text run, with the background it sits on."""
    if getattr(box, "style", None) is not None:
        fill = box.style["background_color"]
        if fill.alpha > 0:
            background = _hex(fill)
    if isinstance(box, boxes.TextBox) and box.text.strip() and box.text.strip() != MARKER:
        style = box.style
        yield box.text, _hex(style["color"]), background, style["font_size"] * PT_PER_PX, style["font_weight"] >= 700
    for child in getattr(box, "children", ()):
        yield from _text_runs(child, background)


def _missing_alt(page_box: Any, leaflet: str) -> list[Finding]:
    images = [b for b in page_box.descendants() if b.element_tag == "img" and b.element is not None]
    return [
        Finding("images", ERROR, leaflet, f"image {b.element.get('src', '')[:60]!r} has no alt text")
        for b in images
        if not (b.element.get("alt") or "").strip()
    ]


def _hex(colour: Any) -> str:
    red, green, blue = colour.to("srgb").coordinates
    return "#" + "".join(f"{round(max(0.0, min(1.0, c)) * 255):02x}" for c in (red, green, blue))


def _name(colour: str, names: dict[str, str]) -> str:
    return f"{names[colour]} {colour}" if colour in names else colour


@dataclass(frozen=True)
class Glyph:
    """One character as drawn: its text, size (pt) and the top-left of its box, measured as pdfminer does."""

    text: str
    size: float
    top: float  # from the top of the page to the top of the character's box (descent + font size above it)
    x0: float


@dataclass(frozen=True)
class PageText:
    """The characters of one page, in the order the page draws them."""

    height: float
    glyphs: list[Glyph]

    def context(self, glyph: Glyph) -> str:
        """The text on the same line within 120 pt of `glyph`, in drawing order: how a message quotes it."""
        line = [g.text for g in self._line(glyph.top) if abs(g.x0 - glyph.x0) < 120]
        return "".join(line).strip()[:40]

    def _line(self, top: float) -> list[Glyph]:
        """The glyphs whose top is within 1 pt of `top`, in drawing order: found once per line height, from a
        sorted index (a scan of the page for every glyph is what made this check quadratic)."""
        if top not in self._lines:
            tops, order = self._index
            first, last = bisect.bisect_right(tops, top - 1), bisect.bisect_left(tops, top + 1)
            near = sorted(order[first:last])
            self._lines[top] = [self.glyphs[i] for i in near if abs(self.glyphs[i].top - top) < 1]
        return self._lines[top]

    @cached_property
    def _index(self) -> tuple[list[float], list[int]]:
        order = sorted(range(len(self.glyphs)), key=lambda i: self.glyphs[i].top)
        return [self.glyphs[i].top for i in order], order

    @cached_property
    def _lines(self) -> dict[float, list[Glyph]]:
        return {}


def read_pages(path: Path) -> list[PageText]:
    """Every page's characters with their sizes, read with PDFium (C++: milliseconds a page).

    Sizes and boxes are those pdfminer gives: the font size times the text matrix's vertical scale, and a
    box from the font's descent to one font size above it. Characters PDFium adds itself (spaces and line
    ends it infers) are left out: only what the page draws counts.
    """
    import pypdfium2 as pdfium  # late: only when a PDF is checked
    import pypdfium2.raw as raw

    document = pdfium.PdfDocument(path)
    try:
        pages = []
        for page in document:
            text = page.get_textpage()
            height = page.get_height()
            pages.append(PageText(height, _glyphs(raw, page.raw, text.raw, height)))
            text.close()
            page.close()
        return pages
    finally:
        document.close()


def _glyphs(raw: Any, page: Any, text: Any, height: float) -> list[Glyph]:
    """The characters the page draws, in the order its content draws them (as pdfminer reads).

    PDFium moves some runs to where they sit on their line (a list marker after its item's first word):
    its characters are put back in the order of the text objects that draw them. A text object is known
    by its address (the pointer's bytes, a cheap and exact key).
    """
    order: dict[bytes, int] = {}
    _number_objects(raw, [raw.FPDFPage_GetObject(page, i) for i in range(raw.FPDFPage_CountObjects(page))], order)
    unknown = len(order)
    generated, text_object = raw.FPDFText_IsGenerated, raw.FPDFText_GetTextObject
    drawn = []  # (drawing order, index, text object) of each character the page draws
    for index in range(raw.FPDFText_CountChars(text)):
        if not generated(text, index):
            run = text_object(text, index)
            drawn.append((order.get(bytes(run), unknown), index, run))
    drawn.sort(key=lambda item: item[0])  # stable: within one object, PDFium keeps the order
    x, y = ctypes.c_double(), ctypes.c_double()
    at_x, at_y = ctypes.byref(x), ctypes.byref(y)
    origin, unicode = raw.FPDFText_GetCharOrigin, raw.FPDFText_GetUnicode
    runs: dict[bytes, tuple[float, float]] = {}  # each text object's size and descent, read once
    glyphs = []
    for _, index, run in drawn:
        origin(text, index, at_x, at_y)
        key = bytes(run)
        if key not in runs:  # size and font are those of the text object: the same for all its characters
            runs[key] = _run_size(raw, text, index, run)
        size, below = runs[key]
        code = unicode(text, index)
        # PDFium reports a hyphen that ends a line as U+0002; the page draws '-' (WeasyPrint's own break is U+2010).
        character = "-" if code == HYPHEN_AT_LINE_END else chr(code)
        glyphs.append(Glyph(character, size, height - (y.value + below + size), x.value))
    return glyphs


def _number_objects(raw: Any, objects: list[Any], order: dict[bytes, int]) -> None:
    """Number the page objects in drawing order, those inside form XObjects where the form is drawn."""
    for obj in objects:
        order[bytes(obj)] = len(order)
        if raw.FPDFPageObj_GetType(obj) == raw.FPDF_PAGEOBJ_FORM:
            inner = [raw.FPDFFormObj_GetObject(obj, i) for i in range(raw.FPDFFormObj_CountObjects(obj))]
            _number_objects(raw, inner, order)


def _run_size(raw: Any, text: Any, index: int, run: Any) -> tuple[float, float]:
    """The size and descent (pt) of the text object `run` that draws character `index`; upright text only,
    which is all a leaflet draws."""
    matrix = raw.FS_MATRIX()
    raw.FPDFText_GetMatrix(text, index, ctypes.byref(matrix))
    font_size = raw.FPDFText_GetFontSize(text, index)
    descent = ctypes.c_float()
    raw.FPDFFont_GetDescent(raw.FPDFTextObj_GetFont(run), ctypes.c_float(font_size), ctypes.byref(descent))
    return font_size * abs(matrix.d), descent.value * abs(matrix.d)
