"""Reading a PDF back the way a reader (or a screen reader) would."""

from __future__ import annotations

from pathlib import Path

import pypdfium2 as pdfium

MM_PER_POINT = 25.4 / 72


def page_texts(path: Path) -> list[str]:
    """Each page's text in content-stream order (WeasyPrint paints in reading order), spaces normalised."""
    document = pdfium.PdfDocument(path)
    try:
        return [" ".join(page.get_textpage().get_text_range().split()) for page in document]
    finally:
        document.close()


def assert_in_order(text: str, phrases: list[str]) -> None:
    """Every phrase appears in `text`, each after the one before."""
    position = 0
    for phrase in phrases:
        found = text.find(phrase, position)
        context = text[position : position + 200]
        assert found >= 0, f"{phrase!r} missing (or out of order) after position {position}: {context!r}"
        position = found + len(phrase)
