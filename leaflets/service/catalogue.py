"""The approved leaflets, as the published output folder's manifest.json lists them (never rendered here).

A leaflet's id is its edition's name without the large-print suffix (`overview`, `scar-tissue`); each
published file is one language, paper and edition (`standard`, `large-print`, and `print-shop` or
`large-print-print-shop` for the print-shop set). A file is served only if its bytes still have the
sha256 the manifest gives: while a build is publishing a new set, a file that no longer matches is
refused with "try again", never served under the old hash.
"""

from __future__ import annotations

import hashlib
import io
import json
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

from leaflets.content.editions import LARGE_PRINT
from leaflets.pipeline.gallery import plain_file
from leaflets.pipeline.publish import MANIFEST

STANDARD = "standard"
PRINT_SHOP = "print-shop"


@dataclass(frozen=True)
class Published:
    """One approved PDF in the output folder."""

    leaflet: str
    language: str
    paper: str
    edition: str
    file: str
    sha256: str
    bytes: int
    pages: int
    content_version: str


class NotPublished(Exception):
    """No such file: names the query parameter that found nothing (`parameter`, None for the id)."""

    def __init__(self, parameter: str | None, message: str):
        super().__init__(message)
        self.parameter = parameter


class Changing(Exception):
    """The file no longer matches the manifest: a build is publishing a new set right now."""


class Catalogue:
    """The published folder's manifest, read again whenever it changes."""

    def __init__(self, folder: Path):
        self.folder = folder
        self._stamp: tuple[int, int, int] | None = None
        self._manifest: dict[str, Any] = {}
        self._files: list[Published] = []
        self._titles: dict[str, str] = {}  # by sha256: a PDF's title, read once

    def files(self) -> tuple[dict[str, Any], list[Published]]:
        """The manifest's top-level facts and its files (none when nothing is published)."""
        try:
            info = os.stat(self.folder / MANIFEST)
        except OSError:
            return {}, []
        stamp = (info.st_ino, info.st_mtime_ns, info.st_size)
        if stamp != self._stamp:
            manifest = _read_manifest(self.folder)
            files = [p for p in map(_published, manifest["files"]) if p is not None]
            self._manifest, self._files, self._stamp = manifest, files, stamp
        return self._manifest, self._files

    def listing(self) -> dict[str, Any]:
        """GET /leaflets: every leaflet with its languages, papers, editions and each file's hash."""
        manifest, files = self.files()
        leaflets: dict[str, list[Published]] = {}
        for published in files:
            leaflets.setdefault(published.leaflet, []).append(published)
        return {
            "reference": manifest.get("reference"),
            "content_version": manifest.get("content_version"),
            "published": manifest.get("published"),
            "review_by": manifest.get("review_by"),
            "leaflets": [self._entry(name, group, manifest) for name, group in leaflets.items()],
        }

    def _entry(self, name: str, group: list[Published], manifest: dict[str, Any]) -> dict[str, Any]:
        files = [
            {
                "language": p.language,
                "paper": p.paper,
                "edition": p.edition,
                "title": self.title(p),
                "content_version": p.content_version,
                "pages": p.pages,
                "bytes": p.bytes,
                "sha256": p.sha256,
                "href": _href(p),
            }
            for p in group
        ]
        return {
            "id": name,
            "title": files[0]["title"],
            "languages": _unique(p.language for p in group),
            "papers": _unique(p.paper for p in group),
            "editions": _unique(p.edition for p in group),
            "content_version": group[0].content_version,
            "review_by": manifest.get("review_by"),
            "files": files,
        }

    def find(self, leaflet: str, language: str | None, paper: str | None, edition: str | None) -> Published:
        """The file for these choices; each left out is the first the manifest lists (the content's own language,
        its paper, the standard edition). Raises NotPublished naming the choice that found nothing."""
        _, files = self.files()
        chosen = [p for p in files if p.leaflet == leaflet]
        if not chosen:
            raise NotPublished(None, "no published leaflet has this id; GET /leaflets lists them")
        for parameter, wanted in (("language", language), ("paper", paper), ("edition", edition or STANDARD)):
            offered = _unique(getattr(p, parameter) for p in chosen)
            pick = wanted if wanted is not None else offered[0]
            if pick not in offered:
                has = ", ".join(offered)
                raise NotPublished(parameter, f"{leaflet} is not published in this {parameter}; it has: {has}")
            chosen = [p for p in chosen if getattr(p, parameter) == pick]
        return chosen[0]

    def read(self, published: Published) -> bytes:
        """The file's bytes, if they are the ones the manifest lists; raises Changing otherwise."""
        data = plain_file(self.folder / published.file)
        if data is None or hashlib.sha256(data).hexdigest() != published.sha256:
            raise Changing(published.file)
        return data

    def title(self, published: Published) -> str:
        """The title the PDF itself carries (its language's), read once per file version."""
        if published.sha256 not in self._titles:
            try:
                data = self.read(published)
            except Changing:
                return ""
            import pikepdf  # late: only once a listing is asked for

            with pikepdf.open(io.BytesIO(data)) as pdf:
                self._titles[published.sha256] = str(pdf.docinfo.get("/Title", ""))
        return self._titles[published.sha256]


def _read_manifest(folder: Path) -> dict[str, Any]:
    try:
        manifest = json.loads((folder / MANIFEST).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {"files": []}
    return manifest if isinstance(manifest, dict) and isinstance(manifest.get("files"), list) else {"files": []}


def _published(entry: Any) -> Published | None:
    """A manifest entry as a catalogue file: `overview-large-print` is the large-print edition of `overview`.
    None for an entry this version cannot read, or whose file name would reach outside the folder."""
    try:
        name, file = str(entry["edition"]), str(entry["file"])
        if "/" in file or file.startswith("."):
            return None
        return _entry_of(entry, name, file)
    except (KeyError, TypeError, ValueError):
        return None


def _entry_of(entry: dict[str, Any], name: str, file: str) -> Published:
    large = name.endswith(f"-{LARGE_PRINT}")
    edition = LARGE_PRINT if large else STANDARD
    if entry.get("print_shop"):
        edition = PRINT_SHOP if edition == STANDARD else f"{edition}-{PRINT_SHOP}"
    return Published(
        leaflet=name.removesuffix(f"-{LARGE_PRINT}"),
        language=str(entry.get("language", "")),
        paper=str(entry["paper"]),
        edition=edition,
        file=file,
        sha256=str(entry["sha256"]),
        bytes=int(entry.get("bytes", 0)),
        pages=int(entry.get("pages", 0)),
        content_version=str(entry.get("content_version", "")),
    )


def _href(published: Published) -> str:
    """Where GET fetches the file: its leaflet, with each choice spelled out."""
    choices = {"language": published.language, "paper": published.paper, "edition": published.edition}
    return f"/leaflets/{published.leaflet}?{urlencode(choices)}"


def _unique(values: Any) -> list[str]:
    return list(dict.fromkeys(values))
