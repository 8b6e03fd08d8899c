"""What WeasyPrint 70 leaves out of PDF/A-2 and PDF/UA-1, put right in the finisher before the file is written.

- Text of every glyph. A font used by a form field is embedded whole, and
  WeasyPrint then builds its ToUnicode map from the font's character map
  alone: a glyph with no character of its own there (the "ft" ligature,
  an Arabic letter's joined forms) is drawn on the page with no text, so a
  screen reader skips it and copied text loses letters (PDF/UA-1 7.21.7,
  PDF/A-2 6.2.11.7.2). Each glyph the pages draw is added to its font's
  map with the text it was drawn for, as WeasyPrint does for a font it
  subsets: a font whose map already has every drawn glyph is left as it is.
- Ligatures of right-to-left text read in order. A glyph drawn for several
  letters (Arabic's lam-alef, لا) maps to all of them, and text extractors
  (PDFium, Poppler) lay those letters out left to right inside the glyph,
  then reverse the right-to-left line: `الإصدار` was read `اإلصدار`, `على`
  `عىل`. Such a glyph maps instead to Unicode's presentation form for it
  (U+FEFB ARABIC LIGATURE LAM WITH ALEF ISOLATED FORM...), one character,
  which PDFium reads as its letters and any reader gets back with NFKC.
- PDF/A only: no image is marked for smoothing (Interpolate; ISO 19005-2
  6.2.8), every form field has an appearance of its own and the form does
  not ask viewers to draw them (NeedAppearances; 6.3.3, 6.4.1).

Works on pydyf objects: `pdf.objects[n]` is object `n`, a reference is b"n 0 R".
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Iterator, Mapping
from typing import Any

import pydyf

from leaflets.errors import BuildError

#: Entries per `beginbfchar` block: the CMap format allows at most 100.
BFCHAR_BATCH = 100


def finish_conformance(document: Any, pdf: pydyf.PDF, archival: bool) -> None:
    """Map every drawn glyph to its text; for PDF/A (`archival`), also images and form fields."""
    map_drawn_glyphs(document, pdf)
    if archival:
        stop_interpolation(pdf)
        draw_form_fields(pdf)


def _object(pdf: pydyf.PDF, reference: bytes | str) -> Any:
    """The object a reference (b"12 0 R") points to."""
    text = reference.decode() if isinstance(reference, bytes) else reference
    return pdf.objects[int(text.split()[0])]


# --- the text of every glyph --------------------------------------------------------------------------------------


def map_drawn_glyphs(document: Any, pdf: pydyf.PDF) -> None:
    """Add to each font's ToUnicode map the glyphs the pages drew that it lacks, with the text drawn; map each
    right-to-left ligature to its presentation form."""
    drawn: dict[bytes, dict[int, str]] = {}
    for font in document.fonts.values():
        drawn.setdefault(font.name, {}).update((glyph, text) for glyph, text in font.to_unicode.items() if text)
    for font in list(pdf.objects):
        if isinstance(font, pydyf.Dictionary) and font.get("Type") == "/Font" and "ToUnicode" in font:
            cmap = _object(pdf, font["ToUnicode"])
            add_to_unicode(cmap, drawn.get(font.get("BaseFont"), {}))
            cmap.stream[:] = [_presentation_form(line) for line in cmap.stream]


def add_to_unicode(cmap: pydyf.Stream, texts: Mapping[int, str]) -> None:
    """Add the glyphs of `texts` that the ToUnicode CMap `cmap` (as WeasyPrint writes it) does not map."""
    lines = cmap.stream
    mapped = set(_mapped_glyphs(lines))
    missing = sorted((glyph, text) for glyph, text in texts.items() if glyph not in mapped)
    if not missing:
        return
    if b"endcmap" not in lines:
        raise BuildError("a font's ToUnicode map is not in the form WeasyPrint 70 writes; check the WeasyPrint version")
    end = lines.index(b"endcmap")
    lines[end:end] = list(_bfchar_blocks(missing))


#: One line of a `bfchar` block: a glyph code and the text (UTF-16BE) it maps to, as WeasyPrint writes them.
BFCHAR = re.compile(rb"<([0-9a-f]{4})> <((?:[0-9a-f]{4})+)>")


def _presentation_form(line: Any) -> Any:
    """A `bfchar` line mapping a glyph to several right-to-left letters, mapped to their presentation form
    instead when Unicode has one; any other line as it is."""
    match = BFCHAR.fullmatch(line) if isinstance(line, bytes) else None
    if match is None or len(match[2]) <= 4:
        return line
    form = PRESENTATION_FORMS.get(bytes.fromhex(match[2].decode()).decode("utf-16-be", errors="replace"))
    return f"<{match[1].decode()}> <{form.encode('utf-16-be').hex()}>".encode() if form else line


def _presentation_forms() -> dict[str, str]:
    """Letters (two or more, right to left) -> the presentation form that is their ligature: Unicode's Arabic
    presentation forms A and B and Hebrew's (U+FB1D-U+FDFF, U+FE70-U+FEFF), whose compatibility decomposition
    (NFKC) gives the letters back. The isolated form where there are several: NFKC reads them all the same."""
    forms: dict[str, str] = {}
    for code in (*range(0xFB1D, 0xFE00), *range(0xFE70, 0xFF00)):
        character = chr(code)
        letters = unicodedata.normalize("NFKC", character)
        right_to_left = all(unicodedata.bidirectional(c) in ("R", "AL", "NSM") for c in letters)
        if len(letters) < 2 or not right_to_left:
            continue
        if letters not in forms or "<isolated>" in unicodedata.decomposition(character):
            forms[letters] = character
    return forms


PRESENTATION_FORMS = _presentation_forms()


def _mapped_glyphs(lines: Iterable[Any]) -> Iterator[int]:
    """The glyph codes a CMap's `bfchar` blocks map, from lines like b"<0205> <00660074>"."""
    inside = False
    for line in lines:
        if isinstance(line, bytes) and line.endswith(b"beginbfchar"):
            inside = True
        elif line == b"endbfchar":
            inside = False
        elif inside and isinstance(line, bytes):
            yield int(line[1 : line.index(b">")], 16)


def _bfchar_blocks(entries: list[tuple[int, str]]) -> Iterator[bytes]:
    for start in range(0, len(entries), BFCHAR_BATCH):
        batch = entries[start : start + BFCHAR_BATCH]
        yield f"{len(batch)} beginbfchar".encode()
        for glyph, text in batch:
            yield f"<{glyph:04x}> <{text.encode('utf-16-be').hex()}>".encode()
        yield b"endbfchar"


# --- PDF/A: images and form fields --------------------------------------------------------------------------------


def stop_interpolation(pdf: pydyf.PDF) -> None:
    """Mark no image for smoothing: WeasyPrint marks a bitmap (a PNG logo) so unless told `image-rendering`,
    and an SVG's own bitmaps so unless the SVG says otherwise; PDF/A forbids it."""
    for image in pdf.objects:
        if isinstance(image, pydyf.Stream) and image.extra.get("Subtype") == "/Image" and "Interpolate" in image.extra:
            image.extra["Interpolate"] = "false"


def draw_form_fields(pdf: pydyf.PDF) -> None:
    """Give every form field without an appearance one, and let the form stop asking viewers to draw them.

    WeasyPrint draws check boxes and radio buttons itself; a text box gets an empty appearance (`/Tx BMC EMC`,
    the form of an empty text field, ISO 32000-1 12.7.3.3). A viewer draws what is typed into it as it is typed.
    """
    form = pdf.catalog.get("AcroForm")
    if form is None:
        return
    widgets = [o for o in pdf.objects if isinstance(o, pydyf.Dictionary) and o.get("Subtype") == "/Widget"]
    for widget in widgets:
        if "AP" not in widget:
            widget["AP"] = pydyf.Dictionary({"N": _empty_text_box(pdf, widget).reference})
    form.pop("NeedAppearances", None)


def _empty_text_box(pdf: pydyf.PDF, widget: pydyf.Dictionary) -> pydyf.Stream:
    """The appearance of an empty text field the size of `widget`; any other field stops the build."""
    value = widget.get("V")
    if widget.get("FT") != "/Tx" or str(getattr(value, "string", value) or ""):
        raise BuildError(
            "PDF/A needs every form field drawn in the file: only an empty text box (<textarea> or <input>) "
            "is drawn here; remove other form fields or their values from the template"
        )
    left, bottom, right, top = (float(v) for v in widget["Rect"])
    box = pydyf.Array((0, 0, abs(right - left), abs(top - bottom)))
    appearance = pydyf.Stream(
        [b"/Tx BMC", b"EMC"], pydyf.Dictionary({"Type": "/XObject", "Subtype": "/Form", "BBox": box})
    )
    pdf.add_object(appearance)
    return appearance
