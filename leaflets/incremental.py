"""Skipping leaflets whose inputs have not changed since the last build.

Every PDF in manifest.json records a digest of everything that made it:
the content file, the logo, the templates and stylesheets, the package's
own code, the font and WeasyPrint versions, the ICC profile, the paper and
whether the review date has passed. A build whose digests all match
rewrites nothing and never imports WeasyPrint. `--force` rebuilds anyway.
"""

from __future__ import annotations

import ctypes.util
import hashlib
import json
from collections.abc import Iterable
from importlib import metadata
from pathlib import Path
from typing import Any

PACKAGE = Path(__file__).resolve().parent


def inputs_digest(files: Iterable[Path], settings: dict[str, Any]) -> str:
    """One digest for a set of input files (by content) and build settings."""
    digest = hashlib.sha256()
    for path in sorted(set(files)):
        digest.update(str(path).encode() + b"\0" + path.read_bytes() + b"\0")
    versions = {name: metadata.version(name) for name in ("weasyprint", "font-source-sans-pro", "pydyf", "fonttools")}
    # The font subsetter shapes the bytes too: HarfBuzz-Subset when the system has it, else fontTools.
    versions["harfbuzz-subset"] = str(ctypes.util.find_library("harfbuzz-subset"))
    digest.update(json.dumps({**settings, **versions}, sort_keys=True, default=str).encode())
    return digest.hexdigest()


def code_and_templates(templates: Path) -> list[Path]:
    """The files of this package and the template folder: a change to any of them changes the output."""
    return [
        p for folder in (PACKAGE, templates) for p in folder.rglob("*") if p.is_file() and "__pycache__" not in p.parts
    ]


def edition_digest(common: str, name: str, print_shop: bool) -> str:
    """The digest of one edition's inputs."""
    return hashlib.sha256(f"{common}:{name}:{print_shop}".encode()).hexdigest()


def previous_outputs(out_dir: Path) -> dict[str, dict[str, Any]]:
    """The files the last build recorded, by name, if their bytes are still what was recorded."""
    try:
        manifest = json.loads((out_dir / "manifest.json").read_text(encoding="utf-8"))
        entries = {entry["file"]: entry for entry in manifest["files"]}
    except (OSError, ValueError, KeyError, TypeError):
        return {}
    return {name: entry for name, entry in entries.items() if _unchanged(out_dir / name, entry.get("sha256"))}


def previous_findings(out_dir: Path) -> list[dict[str, Any]]:
    """The last build's quality findings (quality.json), to carry over for leaflets not rebuilt."""
    try:
        findings = json.loads((out_dir / "quality.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return []
    return findings if isinstance(findings, list) else []


def _unchanged(path: Path, sha256: Any) -> bool:
    try:
        return bool(hashlib.sha256(path.read_bytes()).hexdigest() == sha256)
    except OSError:
        return False
