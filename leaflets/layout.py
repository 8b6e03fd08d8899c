"""Checks on the laid-out pages, before any PDF is written.

Every edition has a page budget (overview 2, cause leaflet 1, tri-fold 2
pages of 3 panels). Content that grows past it stops the build with the
edition, the section that spilled and by how much: never a silent extra
page, never text running off a brochure panel.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from .errors import BuildError

MM = 25.4 / 96  # WeasyPrint lays out in CSS pixels (1/96 inch)


def check_budget(document: Any, max_pages: int, what: str) -> None:
    """Fail if `document` needs more than `max_pages` pages, naming the first heading that spilled."""
    pages = document.pages
    if len(pages) > max_pages:
        extra = pages[max_pages:]
        spilled = sum(_content_height(page) for page in extra) * MM
        where = next((_where(box) for page in extra for box in _boxes(page) if _where(box)), "")
        raise BuildError(
            f"{what} needs {len(pages)} pages but may have {max_pages}: {where}"
            f"{spilled:.0f} mm of text spills past page {max_pages}; shorten the text in the content file"
        )


def check_panels(document: Any, what: str) -> None:
    """Fail if the text in any fixed-size panel (an element with data-panel) runs past its bottom."""
    for page in document.pages:
        for box in _boxes(page):
            if box.element is None or box.element_tag != "section" or "data-panel" not in box.element.attrib:
                continue
            bottom = box.content_box_y() + box.height
            lowest = max((d.position_y + d.margin_height() for d in box.descendants() if d is not box), default=0)
            if lowest > bottom + 0.5:
                panel = box.element.attrib["data-panel"]
                raise BuildError(
                    f"{what}: the '{panel}' panel overflows by {(lowest - bottom) * MM:.0f} mm; "
                    "shorten the text that goes on it in the content file"
                )


def _boxes(page: Any) -> Iterator[Any]:
    return iter(page._page_box.descendants())


def _content_height(page: Any) -> float:
    page_box = page._page_box
    top = page_box.content_box_y()
    body = [b for b in page_box.descendants() if b.element_tag in ("p", "li", "h1", "h2", "dt", "dd", "th", "td")]
    return max((b.position_y + b.margin_height() - top for b in body), default=0.0)


def _where(box: Any) -> str:
    """How to name the place where text spilled: a brochure panel, or the first heading."""
    if box.element is not None and box.element_tag == "section" and "data-panel" in box.element.attrib:
        return f"the '{box.element.attrib['data-panel']}' panel runs over: "
    if box.element_tag in ("h1", "h2"):
        return "from '" + " ".join("".join(box.element.itertext()).split()) + "' on, "
    return ""
