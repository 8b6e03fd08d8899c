"""Preview gallery: `output/index.html`, a thumbnail of every page of every PDF.

Staff open it in a browser to look before they print. Thumbnails are
rendered with pypdfium2 (installed with pip), written atomically.
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import pypdfium2 as pdfium

from .files import write_atomically
from .render import environment

GALLERY = "index.html"
THUMBNAILS = "thumbnails"
THUMBNAIL_WIDTH = 240  # pixels


def write_gallery(out_dir: Path, outputs: Sequence[Any], descriptions: dict[str, str], title: str) -> Path:
    """Render thumbnails for `outputs` (build.Output records) and write the index page."""
    (out_dir / THUMBNAILS).mkdir(exist_ok=True)
    entries = []
    for output in outputs:
        entries.append(
            {
                "output": output,
                "description": descriptions[output.edition],
                "thumbnails": _thumbnails(out_dir, output.file),
            }
        )
    html = environment().get_template("gallery.html").render(title=title, entries=entries, width=THUMBNAIL_WIDTH)
    target = out_dir / GALLERY
    write_atomically(target, html.encode("utf-8"))
    return target


def _thumbnails(out_dir: Path, pdf_name: str) -> list[str]:
    """PNG of each page of `pdf_name`; returns their paths relative to `out_dir`."""
    document = pdfium.PdfDocument(out_dir / pdf_name)
    names = []
    try:
        for number, page in enumerate(document, start=1):
            scale = THUMBNAIL_WIDTH / page.get_width()
            image = page.render(scale=scale, may_draw_forms=False).to_pil()
            buffer = io.BytesIO()
            image.save(buffer, format="PNG", optimize=True)
            name = f"{THUMBNAILS}/{Path(pdf_name).stem}-{number}.png"
            write_atomically(out_dir / name, buffer.getvalue())
            names.append(name)
    finally:
        document.close()
    return names
