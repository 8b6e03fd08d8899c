"""Preview gallery: `index.html`, a thumbnail of every page of every PDF.

Staff open it in a browser to look before they print. Thumbnails are
rendered with pypdfium2 (installed with pip). The gallery is written into
the build's staging folder and published with the PDFs it shows.
"""

from __future__ import annotations

import io
import os
import stat
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import pypdfium2 as pdfium

from leaflets.build.files import write_atomically
from leaflets.render.html import environment

GALLERY = "index.html"
THUMBNAILS = "thumbnails"
THUMBNAIL_WIDTH = 240  # pixels


def write_gallery(
    target: Path,
    outputs: Sequence[Any],
    descriptions: Mapping[str, str],
    title: str,
    sources: Mapping[str, Path],
    reuse: Path | None = None,
) -> Path:
    """Write `index.html` and `thumbnails/` into `target` for `outputs` (build.Output records).

    `sources[file]` is where each PDF is now (the staging folder, or the output folder for a kept one).
    Thumbnails of a PDF that was kept are copied from the folder `reuse` when all its pages are there.
    """
    (target / THUMBNAILS).mkdir()
    if reuse is not None and ((reuse / THUMBNAILS).is_symlink() or not (reuse / THUMBNAILS).is_dir()):
        reuse = None  # only the output folder's own thumbnails folder, never one a link points to
    entries = []
    for output in outputs:
        names = [f"{THUMBNAILS}/{Path(output.file).stem}-{number}.png" for number in range(1, output.pages + 1)]
        if not (reuse and _copy(reuse, target, names)):
            _render(sources[output.file], target, names)
        entries.append(
            {
                "output": output,
                "description": descriptions.get(output.edition, ""),
                "language": language_name(output.language),
                "thumbnails": names,
            }
        )
    html = environment().get_template("gallery.html").render(title=title, entries=entries, width=THUMBNAIL_WIDTH)
    write_atomically(target / GALLERY, html.encode("utf-8"))
    return target / GALLERY


def language_name(tag: str) -> str:
    """A language tag as its speakers write it (CLDR): 'en-US' -> 'English (United States)', 'es' -> 'Español'."""
    from babel import Locale, UnknownLocaleError

    try:
        name = Locale.parse(tag, sep="-").get_display_name(Locale.parse(tag, sep="-")) or tag
    except (ValueError, UnknownLocaleError):
        return tag
    return name[:1].upper() + name[1:]


def _copy(old: Path, target: Path, names: list[str]) -> bool:
    """Copy the thumbnails `names` from the folder `old` (plain files only, never through a link)."""
    data = []
    for name in names:
        try:
            handle = os.open(old / name, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK)
        except OSError:
            return False
        with os.fdopen(handle, "rb") as stream:
            if not stat.S_ISREG(os.fstat(handle).st_mode):
                return False
            data.append(stream.read())
    for name, png in zip(names, data, strict=True):
        write_atomically(target / name, png)
    return True


def _render(pdf: Path, target: Path, names: list[str]) -> None:
    """A PNG of each page of `pdf`, saved as `names` in `target`."""
    document = pdfium.PdfDocument(pdf)
    try:
        for page, name in zip(document, names, strict=True):
            scale = THUMBNAIL_WIDTH / page.get_width()
            image = page.render(scale=scale, may_draw_forms=False).to_pil()
            buffer = io.BytesIO()
            image.save(buffer, format="PNG", optimize=True)
            write_atomically(target / name, buffer.getvalue())
    finally:
        document.close()
