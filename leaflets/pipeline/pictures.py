"""Pages of a written PDF as pictures, and their text, drawn by PDFium: the gallery's thumbnails, the live
preview's pages and the change report's page images are made one way."""

from __future__ import annotations

import io
from dataclasses import dataclass
from pathlib import Path
from typing import Any


@dataclass(frozen=True)
class Picture:
    """One page: its picture (a PIL image), and its text when asked for."""

    image: Any
    text: str = ""


def page_pictures(pdf: Path | bytes, width: int, text: bool = False) -> list[Picture]:
    """Each page of `pdf` (a file, or its bytes) `width` pixels wide, form fields not drawn; with `text`, each
    page's text too (line ends as \\n)."""
    import pypdfium2 as pdfium  # late: only where a page is drawn

    document = pdfium.PdfDocument(pdf)
    try:
        pictures = []
        for page in document:
            image = page.render(scale=width / page.get_width(), may_draw_forms=False).to_pil()
            said = ""
            if text:
                text_page = page.get_textpage()
                said = text_page.get_text_range().replace("\r\n", "\n")
                text_page.close()
            page.close()
            pictures.append(Picture(image, said))
        return pictures
    finally:
        document.close()


def png(image: Any) -> bytes:
    """A picture as PNG bytes (not optimize=True: it triples the time, for files about 1% smaller)."""
    buffer = io.BytesIO()
    image.save(buffer, format="PNG")
    return buffer.getvalue()
