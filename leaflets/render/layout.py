"""Checks on the laid-out pages, before any PDF is written.

Every edition has a page budget (overview 2, cause leaflet 1, tri-fold 2
pages of 3 panels). Content that grows past it stops the build with the
edition, the section that spilled and by how much, and the figures that
take room: never a silent extra page, never text running off a brochure panel.

Every text and image box must also lie inside the printable area (5 mm from
the paper edge: office printers cannot print closer, ../shared/GUIDELINES.md)
and inside the block it belongs to (a column, panel or box): a word too long
for its line is caught here, never clipped or printed off the page.
Messages name the field a text came from, never the text itself (it may be a
patient's).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

from weasyprint.formatting_structure import boxes

from leaflets.errors import BuildError

MM = 25.4 / 96  # WeasyPrint lays out in CSS pixels (1/96 inch)
#: Nothing printed closer than this to the paper edge (GUIDELINES.md, "Printable area").
EDGE_MM = 5.0
#: Rounding slack when comparing box edges, in CSS pixels.
SLACK = 0.75

#: Names the field a piece of laid-out text came from (e.g. 'brand.booking_url', or a patient-list column).
FieldNamer = Callable[[str], str]


def check_budget(document: Any, max_pages: int, what: str) -> None:
    """Fail if `document` needs more than `max_pages` pages, naming the first heading that spilled."""
    pages = document.pages
    if len(pages) > max_pages:
        extra = pages[max_pages:]
        where = next((_where(box) for page in extra for box in _boxes(page) if _where(box)), "")
        # A brochure's sheets are not filled from the top: only a page of flowing text says how much is missing.
        short = "" if "panel" in where else f": the leaflet is about {shortfall(document, max_pages):.0f} mm too long"
        raise BuildError(
            f"{what} needs {len(pages)} pages but may have {max_pages}: {where}"
            f"{spill(document, max_pages):.0f} mm of text spills past page {max_pages}{short}; "
            f"shorten the text in the content file{_figure_note(document)}{_brand_note(document)}"
        )


def _figure_note(document: Any) -> str:
    """The figures the leaflet prints (templates/partials/cause_body.html), by field, with the room each takes:
    a figure pushes text on as text does."""
    room: dict[str, float] = {}
    for page in document.pages:
        for box in _boxes(page):
            if box.element_tag == "figure" and isinstance(box, boxes.BlockBox):
                images = (d for d in box.descendants() if d.element_tag == "img" and d.element.get("data-field"))
                field = next((image.element.get("data-field") for image in images), "a figure")
                room[field] = room.get(field, 0.0) + box.margin_height() * MM
    if not room:
        return ""
    taken = ", ".join(f"{field} ({mm:.0f} mm)" for field, mm in room.items())
    return f", or leave out a figure (the figures take room too: {taken})"


def spill(document: Any, max_pages: int) -> float:
    """How much text (mm) lies on the pages past `max_pages`; 0 within the budget."""
    return sum(_content_height(page) for page in document.pages[max_pages:]) * MM


def shortfall(document: Any, max_pages: int) -> float:
    """How much more room (mm) the text past `max_pages` needs than page `max_pages` has left below its text;
    0 within the budget. A block kept whole (the booking box and closing lines) moves to the next page
    entire, so a leaflet 1 mm too long spills 50 mm: this says 1."""
    if len(document.pages) <= max_pages:
        return 0.0
    last = document.pages[max_pages - 1]
    left = float(last._page_box.height - _content_height(last)) * MM
    return max(1.0, spill(document, max_pages) - left)  # it did not fit: at least a little is missing


def _brand_note(document: Any) -> str:
    """Which of the clinic's details (elements marked data-field) take more than one line, and the footer's depth,
    with how much room their lines after the first take (so a short address is not blamed for a long spill)."""
    lines: dict[str, tuple[int, float]] = {}  # field: (lines, mm its lines after the first take)
    for page in document.pages:
        for box in _boxes(page):
            if box.element is not None and "data-field" in box.element.attrib and isinstance(box, boxes.BlockBox):
                count = sum(1 for d in box.descendants() if isinstance(d, boxes.LineBox))
                field = box.element.attrib["data-field"]
                if count > lines.get(field, (0, 0.0))[0]:
                    lines[field] = (count, box.height * (count - 1) / count * MM)
    long = [f"{field} ({count} lines)" for field, (count, _) in lines.items() if count > 1]
    room = sum(mm for count, mm in lines.values() if count > 1)
    footer = footer_lines(document)
    if footer > 2:  # the stylesheet's margin holds two
        long.append(f"the page footer ({footer} lines: brand.clinic_name, governance.approved_by, governance.source)")
        room += (footer - 2) * _footer_line_mm(document)
    if not long:
        return ""
    return (
        "; the clinic's details take several lines here, shortening them makes room too (their lines after the "
        f"first take about {room:.0f} mm): {', '.join(long)}"
    )


def _footer_line_mm(document: Any) -> float:
    """The height (mm) of one line of the running footer on the first page."""
    return max((line.height for lines in _margin_lines(document) for line in lines), default=0) * MM


def footer_lines(document: Any) -> int:
    """Lines of the running footer on the first page."""
    return max((len(lines) for lines in _margin_lines(document)), default=0)


def _margin_lines(document: Any) -> list[list[Any]]:
    """The lines of each page-margin box on the first page."""
    margins = [c for c in document.pages[0]._page_box.children if isinstance(c, boxes.MarginBox)]
    return [[d for d in m.descendants() if isinstance(d, boxes.LineBox)] for m in margins]


def check_panels(document: Any, what: str) -> None:
    """Fail if the text in any fixed-size panel (an element with data-panel) runs past it: below its bottom,
    or, in a panel that flows in columns (one per folded panel), into columns past its right edge."""
    for panel in _panels(document):
        over = _overflow(panel)
        if over > 0.5:
            name = panel.element.attrib["data-panel"]
            columns = _columns_in(panel)
            where = f"the {columns} '{name}' panels overflow" if columns else f"the '{name}' panel overflows"
            raise BuildError(
                f"{what}: {where} by {over * MM:.0f} mm; shorten the text that goes on "
                f"{'them' if columns else 'it'} in the content file{_brand_note(document)}"
            )


def holds(document: Any, max_pages: int) -> bool:
    """Whether the laid-out leaflet keeps to its page budget and every panel holds its text."""
    return len(document.pages) <= max_pages and all(_overflow(panel) <= 0.5 for panel in _panels(document))


def headroom(document: Any) -> float:
    """Room to spare (mm): below the text on the last page, or, with fixed panels, in the fullest panel (in
    a panel that flows in columns, the room left in all its columns together)."""
    panels = list(_panels(document))
    if panels:
        return min(_spare(panel) for panel in panels) * MM
    page_box = document.pages[-1]._page_box
    return float(page_box.height - _content_height(document.pages[-1])) * MM


def last_page_used(document: Any) -> float:
    """How much of the last page's text area holds something, from 0 to 1."""
    page = document.pages[-1]
    return float(_content_height(page) / page._page_box.height)


def _panels(document: Any) -> Iterator[Any]:
    """The laid-out panels (sections with data-panel), not the column boxes a panel in columns is laid out in."""
    for page in document.pages:
        for box in _boxes(page):
            element = box.element
            panel = element is not None and box.element_tag == "section" and "data-panel" in element.attrib
            if panel and not getattr(box, "is_column", False):
                yield box


def _columns(panel: Any) -> list[Any]:
    """The column boxes of a panel laid out in columns (none for a plain panel), left to right."""
    return [child for child in panel.children if getattr(child, "is_column", False)]


def _columns_in(panel: Any) -> int:
    """How many of a panel's columns lie inside it; the others hold the text that ran over."""
    right = panel.content_box_x() + panel.width + SLACK
    return sum(1 for column in _columns(panel) if column.position_x + column.width <= right)


def _lowest(box: Any) -> float:
    """The bottom of the lowest box inside `box` (its top when it holds nothing)."""
    bottoms = [float(d.position_y + d.margin_height()) for d in box.descendants() if d is not box]
    return max(bottoms, default=float(box.position_y))


def _spare(panel: Any) -> float:
    """Room (CSS px) below the text of a panel, or below the text of each of its columns together."""
    return sum(_room(box, panel) for box in _columns(panel)[: _columns_in(panel)] or [panel])


def _room(box: Any, panel: Any) -> float:
    """Room (CSS px) below the text in `box` (the panel, or one of its columns) to the panel's bottom."""
    return float(panel.content_box_y() + panel.height - _lowest(box))


def _overflow(panel: Any) -> float:
    """How far (CSS px) the text runs past the panel: below its bottom, plus all the text in columns past
    its right edge."""
    columns = _columns(panel)
    if not columns:
        return max(0.0, -_room(panel, panel))
    inside = _columns_in(panel)
    below = max((-_room(column, panel) for column in columns[:inside]), default=0.0)
    return max(0.0, below) + sum(_lowest(column) - float(column.content_box_y()) for column in columns[inside:])


def _boxes(page: Any) -> Iterator[Any]:
    return iter(page._page_box.descendants())


def _content_height(page: Any) -> float:
    page_box = page._page_box
    top = page_box.content_box_y()
    kinds = ("p", "li", "h1", "h2", "dt", "dd", "th", "td", "figure")
    body = [b for b in page_box.descendants() if b.element_tag in kinds]
    return max((b.position_y + b.margin_height() - top for b in body), default=0.0)


def _where(box: Any) -> str:
    """How to name the place where text spilled: a brochure panel, or the first heading."""
    if box.element is not None and box.element_tag == "section" and "data-panel" in box.element.attrib:
        return f"the '{box.element.attrib['data-panel']}' panel runs over: "
    if box.element_tag in ("h1", "h2"):
        return "from '" + " ".join("".join(box.element.itertext()).split()) + "' on, "
    return ""


def margin_overrun(document: Any) -> dict[str, float]:
    """How far (mm) text in the page margins (the running footer at the bottom, the review-date banner at
    the top) comes closer than EDGE_MM to the paper edge, per side; the PDF stage then deepens that margin.

    Measured as `check_printable` measures it, from the fonts actually used: each run of text reaches as high
    and as low as its font's ascent and descent (Noto Sans Arabic's reach 1.37 and 0.74 of the type size above
    and below the baseline, Source Sans Pro's 0.98 and 0.27), not only as far as its line's height."""
    worst = {"top": 0.0, "bottom": 0.0}
    for page in document.pages:
        for margin in (c for c in page._page_box.children if isinstance(c, boxes.MarginBox)):
            texts = [d for d in margin.descendants() if _is_text(d)]
            if not texts:
                continue
            if margin.at_keyword.startswith("@top"):
                worst["top"] = max(worst["top"], EDGE_MM / MM - min(_text_top(d) for d in texts))
            elif margin.at_keyword.startswith("@bottom"):
                lowest = max(_text_bottom(d) for d in texts)
                worst["bottom"] = max(worst["bottom"], lowest - (page.height - EDGE_MM / MM))
    return {side: value * MM for side, value in worst.items()}


def _text_top(box: Any) -> float:
    """The top of a run of text as printed: its font's ascent above the baseline."""
    return float(box.content_box_y())


def _text_bottom(box: Any) -> float:
    """The bottom of a run of text as printed: its font's descent below the baseline."""
    return float(box.content_box_y() + box.height)


def check_printable(document: Any, what: str, field_of: FieldNamer, edge_mm: float = EDGE_MM) -> None:
    """Fail if any text or image lies within `edge_mm` of the paper edge, or sticks out of its block.

    `edge_mm` is measured from the paper (the trimmed page); pass 0 where artwork may bleed.
    """
    for number, page in enumerate(document.pages, start=1):
        for box, block in _placed(page._page_box, None):
            problem = _outside_page(box, page, edge_mm / MM) or _outside_block(box, block)
            if problem:
                text = box.text if isinstance(box, boxes.TextBox) else ""
                field = field_of(text) if text else _image_name(box)
                raise BuildError(
                    f"{what}, page {number}: {field} {problem}; shorten it, or add spaces where it may wrap"
                    if text
                    else f"{what}, page {number}: {field} {problem}"
                )


def _image_name(box: Any) -> str:
    element = box.element
    named = element.get("data-field") if element is not None else None
    return f"the image from {named}" if named else "an image"


def _placed(box: Any, block: Any) -> Iterator[tuple[Any, Any]]:
    """Every text run and image, with the nearest block that holds it."""
    if _is_text(box) or isinstance(box, boxes.ReplacedBox):
        yield box, block
    if isinstance(box, boxes.BlockContainerBox) and not isinstance(box, boxes.InlineBlockBox):
        block = box
    for child in getattr(box, "children", ()):
        yield from _placed(child, block)


def _outside_page(box: Any, page: Any, edge: float) -> str:
    # Margins are empty space; an image's border box is what prints (a badge's padding included).
    left, top = box.border_box_x(), box.border_box_y()
    right, bottom = left + box.border_width(), top + box.border_height()
    if isinstance(box, boxes.TextBox):
        left, right = box.content_box_x(), box.content_box_x() + box.width
        top, bottom = _text_top(box), _text_bottom(box)
    gaps = {
        "left": left,
        "top": top,
        "right": page.width - right,
        "bottom": page.height - bottom,
    }
    side, gap = min(gaps.items(), key=lambda item: item[1])
    if gap < edge - SLACK:
        where = "off the page" if gap < 0 else f"{gap * MM:.1f} mm from the paper edge"
        return f"is printed {where} at the {side} (it must stay {edge * MM:.0f} mm inside it)"
    return ""


def _outside_block(box: Any, block: Any) -> str:
    """How far a text, or a section's figure, runs past the end of the block that holds it: past the right edge,
    or past the left edge on a right-to-left page ('' if not). (At the start of a line stand the list's bullets,
    outside the block.)"""
    if block is None or block.element_tag in ("html", "body"):
        return ""
    if isinstance(box, boxes.TextBox):
        left, right = box.content_box_x(), box.content_box_x() + box.width
    elif block.element_tag == "figure":  # its picture is as wide as its column: a stylesheet could make it wider
        left, right = box.border_box_x(), box.border_box_x() + box.border_width()
    else:
        return ""
    if block.style["direction"] == "rtl":
        side, over = "left", block.content_box_x() - left
    else:
        side, over = "right", right - (block.content_box_x() + block.width)
    return f"runs {over * MM:.0f} mm past the {side} edge of its column or box" if over > SLACK else ""


def _is_text(box: Any) -> bool:
    return isinstance(box, boxes.TextBox) and bool(box.text.strip())
