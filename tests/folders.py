"""What an output folder must look like after any build, whatever happened to it."""

from __future__ import annotations

import hashlib
import json
import re
from pathlib import Path


def assert_consistent(out: Path) -> dict[str, str]:
    """One published set: the manifest lists exactly the PDFs there, with their hashes; the gallery shows
    exactly those; nothing half-written or staged is left anywhere. Returns {file: sha256}."""
    leftovers = [p.relative_to(out) for p in out.rglob("*") if p.name.endswith(".part") or p.name.startswith(".")]
    assert leftovers == [], f"left behind: {leftovers}"
    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    listed = {entry["file"]: entry["sha256"] for entry in manifest["files"]}
    assert sorted(p.name for p in out.glob("*.pdf")) == sorted(listed), "the folder and the manifest differ"
    for name, sha256 in listed.items():
        assert hashlib.sha256((out / name).read_bytes()).hexdigest() == sha256, name
    gallery = (out / "index.html").read_text(encoding="utf-8")
    assert set(re.findall(r'<h2><a href="([^"#]+)">', gallery)) == set(listed)
    for image in re.findall(r'<img src="([^"]+)"', gallery):
        assert (out / image).is_file() and not (out / image).is_symlink(), image
    return listed


def snapshot(out: Path) -> dict[str, bytes]:
    """Every file of the folder but quality.json (the report of the last run, whatever it did), by path."""
    return {
        str(p.relative_to(out)): p.read_bytes()
        for p in sorted(out.rglob("*"))
        if p.is_file() and p.name != "quality.json"
    }
