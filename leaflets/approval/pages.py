"""Which pages of a leaflet changed, and where on them.

Both versions of a leaflet are rendered the same way (pypdfium2, as the gallery makes its thumbnails); a page
changed if its text or any of its pixels differ. The pixels that differ are grouped into regions (Pillow's
ImageChops on the two images, then neighbouring changed cells joined), and a box is drawn around each region on
both versions of the page, so the eye goes straight to what moved.
"""

from __future__ import annotations

import io
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from leaflets.pipeline.pictures import page_pictures

#: Width of the page images in the report, in pixels (A4 at about 100 dpi: small print still readable).
PAGE_WIDTH = 820
#: Pixels are grouped into square cells of this size; changed cells this close (in cells) make one region.
CELL, REACH = 6, 2
#: A pixel whose colour moved by less than this (of 255) is anti-aliasing, not a change.
NOISE = 24
#: The boxes: a translucent yellow over the region, a red outline around it.
FILL, OUTLINE, LINE = (255, 221, 0, 72), (212, 53, 28, 255), 3
PADDING = 4
#: Colours of the report's page images.
COLOURS = 64

Box = tuple[int, int, int, int]


@dataclass(frozen=True)
class Page:
    """One page that changed: its number, and its image in each version with the changed regions boxed."""

    number: int  # in the new leaflet (in the earlier one, for a page that is no more)
    before: bytes | None  # PNG; None for a new page
    after: bytes | None  # PNG; None for a page that is no more
    regions: int  # how many boxes


@dataclass(frozen=True)
class PdfComparison:
    """A leaflet's PDF in both versions, page by page."""

    pages_before: int
    pages_after: int
    changed: list[Page]
    words_before: list[list[str]] = field(default_factory=list)  # each page's words, to find a field on it
    words_after: list[list[str]] = field(default_factory=list)


@dataclass(frozen=True)
class _Rendered:
    image: Any  # PIL.Image.Image
    text: str


def compare_pdfs(before: Path | None, after: Path | None) -> PdfComparison:
    """The pages that differ between two PDFs of one leaflet (either may be missing: a leaflet new or gone)."""
    old, new = _pages(before), _pages(after)
    changed = []
    for index in range(max(len(old), len(new))):
        a = old[index] if index < len(old) else None
        b = new[index] if index < len(new) else None
        page = _compare(index + 1, a, b)
        if page is not None:
            changed.append(page)
    return PdfComparison(len(old), len(new), changed, [words(p.text) for p in old], [words(p.text) for p in new])


def words(text: str) -> list[str]:
    """The words of a text as the search for a field compares them: lower case, punctuation and line breaks gone."""
    return re.findall(r"\w+", text.lower())


def pages_with(needle: Sequence[str], pages: Sequence[Sequence[str]]) -> list[int]:
    """The numbers (from 1) of the pages whose words hold `needle`, word for word in a row."""
    size = len(needle)
    found = []
    for number, page in enumerate(pages, start=1):
        if size and any(list(page[i : i + size]) == list(needle) for i in range(len(page) - size + 1)):
            found.append(number)
    return found


def _pages(pdf: Path | None) -> list[_Rendered]:
    if pdf is None:
        return []
    return [_Rendered(p.image.convert("RGB"), p.text) for p in page_pictures(pdf, PAGE_WIDTH, text=True)]


def _compare(number: int, old: _Rendered | None, new: _Rendered | None) -> Page | None:
    """The page as a change, or None if both versions are the same, text and pixels."""
    if old is None or new is None:
        only = old or new
        assert only is not None
        whole = [(0, 0, only.image.width - 1, only.image.height - 1)]
        png = _boxed(only.image, whole)
        return Page(number, png if new is None else None, png if old is None else None, 1)
    regions = changed_regions(old.image, new.image)
    if not regions and old.text == new.text:
        return None
    return Page(number, _boxed(old.image, regions), _boxed(new.image, regions), len(regions))


def changed_regions(old: Any, new: Any) -> list[Box]:
    """Boxes (left, top, right, bottom, in pixels) around the parts of two images of a page that differ."""
    from PIL import ImageChops, ImageFilter

    if old.size != new.size:
        return [(0, 0, max(old.width, new.width) - 1, max(old.height, new.height) - 1)]
    difference = ImageChops.difference(old, new).convert("L").point(lambda value: 255 if value >= NOISE else 0)
    if difference.getbbox() is None:
        return []
    cells = difference.reduce(CELL).point(lambda value: 255 if value else 0)
    joined = cells.filter(ImageFilter.MaxFilter(2 * REACH + 1))  # cells this close belong to one region
    boxes = []
    for left, top, right, bottom in _components(joined):
        # The joined region is REACH cells wider than its changed cells on each side: take the changed part only.
        inner = cells.crop((left, top, right + 1, bottom + 1)).getbbox()
        if inner is None:
            continue
        x0, y0, x1, y1 = inner
        boxes.append(
            (
                max(0, (left + x0) * CELL - PADDING),
                max(0, (top + y0) * CELL - PADDING),
                min(new.width - 1, (left + x1) * CELL + PADDING),
                min(new.height - 1, (top + y1) * CELL + PADDING),
            )
        )
    return boxes


def _components(cells: Any) -> list[Box]:
    """The bounding box, in cells, of each group of touching marked cells."""
    width, height = cells.size
    marked = bytearray(cells.tobytes())
    boxes = []
    for start in range(width * height):
        if not marked[start]:
            continue
        marked[start] = 0
        stack, box = [start], [width, height, 0, 0]
        while stack:
            here = stack.pop()
            x, y = here % width, here // width
            box = [min(box[0], x), min(box[1], y), max(box[2], x), max(box[3], y)]
            for nx, ny in ((x - 1, y), (x + 1, y), (x, y - 1), (x, y + 1)):
                if 0 <= nx < width and 0 <= ny < height and marked[ny * width + nx]:
                    marked[ny * width + nx] = 0
                    stack.append(ny * width + nx)
        boxes.append((box[0], box[1], box[2], box[3]))
    return boxes


def _boxed(image: Any, boxes: Sequence[Box]) -> bytes:
    """The page image with each box drawn on it, as a PNG."""
    from PIL import Image, ImageDraw

    overlay = Image.new("RGBA", image.size, (0, 0, 0, 0))
    draw = ImageDraw.Draw(overlay)
    for box in boxes:
        draw.rectangle(box, fill=FILL, outline=OUTLINE, width=LINE)
    marked = Image.alpha_composite(image.convert("RGBA"), overlay).convert("RGB")
    buffer = io.BytesIO()
    # 64 colours draw a leaflet's text and colours as well as millions, in a quarter of the bytes.
    marked.quantize(COLOURS, method=Image.Quantize.FASTOCTREE).save(buffer, format="PNG")
    return buffer.getvalue()
