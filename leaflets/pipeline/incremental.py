"""Skipping leaflets whose inputs have not changed since the last build.

Every PDF in manifest.json records a digest of everything that made it, as
WeasyPrint receives it: the leaflet's own rendered HTML (so a sentence
changed in one cause leaflet changes that leaflet and its large print only;
a figure is named there by a digest of its bytes, so a new picture does too),
the logo, the templates and stylesheets, the package's own code, the fonts,
the font and WeasyPrint versions, the ICC profile, the paper and whether the
review date has passed. Rendering HTML takes Jinja2 alone: a build whose
digests all match rewrites nothing and never imports WeasyPrint. `--force`
rebuilds anyway.
"""

from __future__ import annotations

import ctypes.util
import functools
import hashlib
import json
import os
import stat
from collections.abc import Iterable, Mapping
from importlib import metadata
from pathlib import Path
from typing import Any

from leaflets.theme import Theme

PACKAGE = Path(__file__).resolve().parents[1]


def inputs_digest(files: Iterable[Path], settings: dict[str, Any], read: Mapping[Path, bytes] | None = None) -> str:
    """One digest for a set of input files (by content) and build settings.

    `read` gives the bytes of files the build has already read, so the digest is of exactly what it used
    (the content file: saved again while a build runs, it must not be recorded as what was built).
    """
    known = read or {}
    digest = hashlib.sha256()
    for path in sorted(set(files)):
        data = known[path] if path in known else path.read_bytes()
        digest.update(str(path).encode() + b"\0" + data + b"\0")
    used = versions("weasyprint", "font-source-sans-pro", "pydyf", "fonttools")
    used["harfbuzz-subset"] = _subsetter()
    digest.update(json.dumps({**settings, **used}, sort_keys=True, default=str).encode())
    return digest.hexdigest()


@functools.cache
def _subsetter() -> str:
    """The font subsetter shapes the bytes too: HarfBuzz-Subset when the system has it, else fontTools. Looked up
    once per process (it runs `ldconfig`, or a compiler), so the digests a build compares never differ by a lookup
    that failed once."""
    return str(ctypes.util.find_library("harfbuzz-subset"))


def versions(*packages: str) -> dict[str, str]:
    """The installed version of each package (read from its metadata, without importing it)."""
    return {name: metadata.version(name) for name in packages}


def code_and_templates(theme: Theme) -> list[Path]:
    """The files of this package and of the theme (a clinic's templates, the shipped ones): a change to any of
    them changes the output."""
    code = sorted(PACKAGE.rglob("*.py"))  # its code (not the starter clinic: leaflets new copies it)
    return [*code, *theme.files()]


def edition_digest(common: str, name: str, print_shop: bool, html: str) -> str:
    """The digest of one edition's inputs: those all leaflets share (`common`), and exactly the HTML it is given."""
    return hashlib.sha256(f"{common}:{name}:{print_shop}:".encode() + html.encode()).hexdigest()


def previous_outputs(out_dir: Path) -> dict[str, dict[str, Any]]:
    """The files the last build recorded, by name, if they are still there with the bytes recorded.

    Each entry also carries the checks made on its pages, so a kept leaflet's findings are those of
    exactly the file that was published (never of a later build that failed).
    """
    try:
        manifest = json.loads((out_dir / "manifest.json").read_text(encoding="utf-8"))
        entries = {entry["file"]: entry for entry in manifest["files"]}
    except (OSError, ValueError, KeyError, TypeError):
        return {}
    return {name: entry for name, entry in entries.items() if _unchanged(out_dir, name, entry.get("sha256"))}


def _unchanged(out_dir: Path, name: Any, sha256: Any) -> bool:
    """A plain file of the folder (not a link to elsewhere) whose bytes have the recorded hash."""
    if not isinstance(name, str) or not name or "/" in name or name.startswith("."):
        return False
    try:
        handle = os.open(out_dir / name, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK)
    except OSError:
        return False
    with os.fdopen(handle, "rb") as stream:
        try:
            return stat.S_ISREG(os.fstat(handle).st_mode) and hashlib.sha256(stream.read()).hexdigest() == sha256
        except OSError:
            return False
