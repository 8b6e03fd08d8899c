"""Preview gallery: `index.html`, a thumbnail of every page of every PDF.

Staff open it in a browser to look before they print. Thumbnails are
rendered with pypdfium2 (installed with pip). The gallery is written into
the build's staging folder and published with the PDFs it shows.

A leaflet's thumbnails are made once for its PDF's bytes: a worker that has
just made a PDF for publishing, different from the one published, makes them
beside it (`write_thumbnails`); a PDF kept, or made again byte for byte, keeps
the published thumbnails; any other is rendered here.
"""

from __future__ import annotations

import hashlib
import os
import stat
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from leaflets.approval.record import status
from leaflets.pipeline import pictures
from leaflets.pipeline.files import write_atomically
from leaflets.pipeline.publish import THUMBNAILS
from leaflets.render.html import environment

GALLERY = "index.html"
THUMBNAIL_WIDTH = 240  # pixels


def write_gallery(
    target: Path,
    outputs: Sequence[Any],
    descriptions: Mapping[str, str],
    title: str,
    sources: Mapping[str, Path],
    reuse: Path | None = None,
    approval: Mapping[str, Any] | None = None,
) -> Path:
    """Write `index.html` and `thumbnails/` into `target` for `outputs` (build.Output records).

    `sources[file]` is where each PDF is now (the staging folder, or the output folder for a kept one).
    Thumbnails already in `target` (made by a worker with the PDF) are used as they are. Thumbnails of a PDF
    that was kept, or made again byte for byte, are copied from the folder `reuse` when all its pages are there.
    Each leaflet says whether its PDF is the one in `approval`, the record in manifest.json (approval/record.py).
    """
    (target / THUMBNAILS).mkdir(exist_ok=True)  # the workers may have made some (write_thumbnails)
    if reuse is not None and ((reuse / THUMBNAILS).is_symlink() or not (reuse / THUMBNAILS).is_dir()):
        reuse = None  # only the output folder's own thumbnails folder, never one a link points to
    entries = []
    for output in outputs:
        names = thumbnail_names(output.file, output.pages)
        if all((target / name).is_file() for name in names):
            pass  # made with its PDF, in this build's folder
        elif not (reuse and _same_pdf(reuse, output, sources[output.file]) and _copy(reuse, target, names)):
            _render(sources[output.file], target, names)
        entries.append(
            {
                "output": output,
                "description": descriptions.get(output.edition, ""),
                "language": language_name(output.language),
                "thumbnails": names,
                "approval": status(approval, output.file, output.sha256),
            }
        )
    html = environment().get_template("gallery.html").render(title=title, entries=entries, width=THUMBNAIL_WIDTH)
    write_atomically(target / GALLERY, html.encode("utf-8"))
    return target / GALLERY


def language_name(tag: str) -> str:
    """A language tag as its speakers write it (CLDR): 'en-US' -> 'English (United States)', 'es' -> 'Español'."""
    from babel import Locale, UnknownLocaleError

    try:
        locale = Locale.parse(tag, sep="-")
        name = locale.get_display_name(locale) or tag
    except (ValueError, UnknownLocaleError):
        return tag
    return name[:1].upper() + name[1:]


def thumbnail_names(file: str, pages: int) -> list[str]:
    """Where the thumbnails of the PDF `file` go, relative to the gallery: one a page."""
    return [f"{THUMBNAILS}/{Path(file).stem}-{number}.png" for number in range(1, pages + 1)]


def write_thumbnails(target: Path, file: str, pdf: bytes) -> None:
    """The thumbnails of `pdf` (the bytes of `target / file`), into `target`'s thumbnails folder."""
    images = page_images(pdf)
    (target / THUMBNAILS).mkdir(exist_ok=True)
    for name, png in zip(thumbnail_names(file, len(images)), images, strict=True):
        write_atomically(target / name, png)


def _same_pdf(old: Path, output: Any, source: Path) -> bool:
    """Whether the published thumbnails in `old` show `output`: its PDF was kept, or made again byte for byte."""
    published = old / output.file
    if source == published:
        return True
    data = plain_file(published)
    return data is not None and hashlib.sha256(data).hexdigest() == output.sha256


def plain_file(path: Path) -> bytes | None:
    """The bytes of a plain file (never through a link), or None."""
    try:
        handle = os.open(path, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK)
    except OSError:
        return None
    with os.fdopen(handle, "rb") as stream:
        return stream.read() if stat.S_ISREG(os.fstat(handle).st_mode) else None


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
    for name, png in zip(names, page_images(pdf), strict=True):
        write_atomically(target / name, png)


def page_images(pdf: Path | bytes) -> list[bytes]:
    """A PNG of each page of `pdf` (a file, or its bytes), THUMBNAIL_WIDTH pixels wide."""
    return [pictures.png(picture.image) for picture in pictures.page_pictures(pdf, THUMBNAIL_WIDTH)]
