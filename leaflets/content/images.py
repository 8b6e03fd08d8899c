"""The pictures the content names, the clinic's logo and the sections' figures, checked before WeasyPrint draws them.

An SVG is XML, and XML can expand without end (entities; references to
references), and a small PNG can hold a huge image. Both are read here with
a size cap and a hardened parser (defusedxml), so a bad picture is a content
error on its field (`brand.logo`, `cause_leaflets[2].sections[0].figure.file`),
found in milliseconds, not a build that never ends. A figure's bytes are read
once, here: the leaflets draw exactly the bytes that were checked.
"""

from __future__ import annotations

import io
import re
import struct
from collections.abc import Iterator
from pathlib import Path
from xml.etree.ElementTree import Element, ParseError

import defusedxml.ElementTree
from defusedxml import DefusedXmlException

from leaflets.content.limits import PNG_IMAGE, PNG_PIXELS, PNG_SIDE, SVG_ELEMENTS, SVG_IMAGE

SVG_ROOT = "{http://www.w3.org/2000/svg}svg"
HREFS = ("href", "{http://www.w3.org/1999/xlink}href")
LOCAL_REFERENCE = re.compile(r"url\(\s*['\"]?#([^)'\"\s]+)")
ANY_URL = re.compile(r"url\(|@import", re.I)
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


def resave(noun: str) -> str:
    """How to mend an SVG `noun` (logo, figure) that cannot be drawn as it is."""
    return f"save it again as plain SVG (in Inkscape: Save As, Plain SVG), or use a PNG {noun}"


def logo_problem(path: Path) -> str | None:
    """What is wrong with the logo file (an .svg or .png that exists), or None."""
    return read_image(path, "logo")[1]


def read_image(path: Path, noun: str) -> tuple[bytes, str | None]:
    """The bytes of a picture file (an .svg or .png that exists), and what is wrong with it or None; `noun` says
    what it is in messages ('logo', 'figure')."""
    svg = path.suffix.lower() == ".svg"
    limit = SVG_IMAGE if svg else PNG_IMAGE
    try:
        with path.open("rb") as file:
            data = file.read(limit.value + 1)
    except OSError as error:
        return b"", f"cannot read the {noun}: {error.strerror}"
    if len(data) > limit.value:
        return b"", f"the {noun} file is larger than {limit}; save it smaller (a {noun} needs far less)"
    return data, svg_problem(data, noun) if svg else png_problem(data, noun)


def svg_problem(data: bytes, noun: str) -> str | None:
    """Why this SVG cannot be a `noun` (logo, figure), or None."""
    again = resave(noun)
    if re.search(rb"<!(DOCTYPE|ENTITY)", data, re.IGNORECASE):
        return f"the SVG {noun} has a DOCTYPE or ENTITY declaration, which can make it expand without end; {again}"
    try:
        root = defusedxml.ElementTree.fromstring(data, forbid_dtd=True, forbid_entities=True, forbid_external=True)
    except DefusedXmlException:
        return f"the SVG {noun} has a DOCTYPE or ENTITY declaration, which can make it expand without end; {again}"
    except (ParseError, ValueError, LookupError) as error:  # an encoding XML does not know, among others
        return f"the SVG {noun} is not well-formed XML ({error}); {again}"
    if root.tag != SVG_ROOT:
        return f"this is not an SVG image (it does not start with <svg> in the SVG namespace); {again}"
    elements = list(root.iter())
    for element in elements:
        outside = _outside_reference(element)
        if outside:
            return f"the SVG {noun} refers to {outside}; a {noun} must be drawn in its own file: {again}"
    try:
        drawn = _drawn_elements(root, elements)
    except _ReferenceLoop:
        return f"the SVG {noun} has elements that refer to each other in a loop; {again}"
    if drawn > SVG_ELEMENTS.value:
        return f"the SVG {noun} draws more than {SVG_ELEMENTS} once its references are followed; {again}"
    return None


def _outside_reference(element: Element) -> str | None:
    """'another file' (or a web address, or an embedded picture) when the element points outside the SVG."""
    for name in HREFS:
        target = element.get(name)
        if target is not None and not target.strip().startswith("#"):
            return "another file, a web address or an embedded picture"
    texts = [*element.attrib.values(), element.text or ""]
    for text in texts:
        if len(ANY_URL.findall(text)) > len(LOCAL_REFERENCE.findall(text)):
            return "another file or a web address in its styles"
    return None


class _ReferenceLoop(Exception):
    pass


def _references(element: Element, ids: dict[str, Element]) -> Iterator[Element]:
    """Elements this one draws again: `<use href="#id">`, `fill="url(#id)"` and the like."""
    for name in HREFS:
        target = (element.get(name) or "").strip()
        if target.startswith("#") and target[1:] in ids:
            yield ids[target[1:]]
    for text in [*element.attrib.values(), element.text or ""]:
        for name in LOCAL_REFERENCE.findall(text):
            if name in ids:
                yield ids[name]


def _drawn_elements(root: Element, elements: list[Element]) -> int:
    """How many elements are drawn once every reference is followed (each copy counted).

    A loop, not recursion, with each element's count kept: references to
    references multiply, and this counts them without drawing them.
    """
    ids = {element.get("id", ""): element for element in elements if element.get("id")}
    counts: dict[int, int] = {}
    open_now: set[int] = set()  # elements whose count is being worked out: meeting one again is a loop
    stack: list[tuple[Element, bool]] = [(root, False)]
    while stack:
        element, children_done = stack.pop()
        key = id(element)
        parts = [*element, *_references(element, ids)]
        if children_done:
            open_now.discard(key)
            counts[key] = min(1 + sum(counts[id(part)] for part in parts), SVG_ELEMENTS.value + 1)
            continue
        if key in counts:
            continue
        if key in open_now:
            raise _ReferenceLoop
        open_now.add(key)
        stack.append((element, True))
        stack += [(part, False) for part in parts if id(part) not in counts]
    return counts[id(root)]


def png_problem(data: bytes, noun: str) -> str | None:
    """Why this PNG cannot be a `noun` (logo, figure), or None."""
    if not data.startswith(PNG_SIGNATURE) or data[12:16] != b"IHDR" or len(data) < 33:
        return f"this is not a PNG image; save the {noun} as PNG (or SVG) again"
    width, height = struct.unpack(">II", data[16:24])
    if width > PNG_SIDE or height > PNG_SIDE or width * height > PNG_PIXELS.value:
        return (
            f"the PNG {noun} is {width} x {height} pixels; at most {PNG_SIDE:,} a side and {PNG_PIXELS} "
            f"in all: a {noun} needs far fewer (save it smaller)"
        )
    return _damaged_png(data, noun)


def _damaged_png(data: bytes, noun: str) -> str | None:
    from PIL import Image  # late: only for a PNG picture

    try:
        with Image.open(io.BytesIO(data)) as image:
            image.verify()  # chunk checksums, without decoding the pixels
    except Exception:  # Pillow raises many kinds for a damaged file; any of them means the same here
        return f"the PNG {noun} is damaged (it does not read back as a PNG); save it again"
    return None


def size(data: bytes, svg: bool) -> tuple[float, float]:
    """A checked picture's width and height: a PNG's pixels, or an SVG's width and height in pixels, else its
    viewBox (read with the same hardened parser as the checks); raises ValueError when it says neither."""
    if not svg:
        width, height = struct.unpack(">II", data[16:24])
        return float(width), float(height)
    root = defusedxml.ElementTree.fromstring(data)
    box = (root.get("viewBox") or "").replace(",", " ").split()
    sizes = [re.match(r"\s*([0-9.]+)\s*(px)?\s*$", root.get(name) or "") for name in ("width", "height")]
    if sizes[0] and sizes[1]:
        return float(sizes[0].group(1)), float(sizes[1].group(1))
    if len(box) == 4:
        return float(box[2]), float(box[3])
    raise ValueError("the SVG has neither width and height in pixels nor a viewBox")
