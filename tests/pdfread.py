"""Reading a PDF back the way a reader (or a screen reader) would."""

from __future__ import annotations

import re
from collections import Counter
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


def printed_sentences(path: Path) -> list[str]:
    """Every sentence of the tagged text (three words or more), in the order it is painted: a line of a
    marked-content sequence joins the next with a space; untagged artifacts (the running footer) are left out."""
    import pdfplumber

    pieces: list[str] = []
    with pdfplumber.open(path) as pdf:
        for page in pdf.pages:
            last = None
            for char in page.chars:
                if char.get("mcid") is None:
                    continue
                line = (char["mcid"], round(char["top"]))
                pieces.append(char["text"] if line == last else " " + char["text"])
                last = line
    text = " ".join("".join(pieces).split())
    return [sentence for sentence in re.split(r"(?<=[.!?])\s+", text) if len(sentence.split()) >= 3]


def repeated(items: list[str]) -> list[str]:
    """The items that occur more than once, each once, in first-occurrence order."""
    return [item for item, count in Counter(items).items() if count > 1]
