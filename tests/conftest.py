"""Shared fixtures: one real build per paper size, and editable copies of the content."""

from __future__ import annotations

import re
import shutil
from collections.abc import Callable
from pathlib import Path

import pytest

from leaflets.build.plan import Output, build

ROOT = Path(__file__).resolve().parent.parent
CONTENT = ROOT / "content.yaml"
#: The lines of content.yaml that list its translations.
TRANSLATIONS = re.search(r"^translations:.*\n(?:  - .*\n)+", CONTENT.read_text(encoding="utf-8"), re.M).group(0)  # type: ignore[union-attr]


@pytest.fixture(scope="session", params=["a4", "letter"])
def built(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> tuple[str, Path, list[Output]]:
    """Every English leaflet built once per paper size: (paper, output folder, outputs)."""
    out = tmp_path_factory.mktemp(f"out-{request.param}")
    return request.param, out, build(CONTENT, out, paper=request.param, languages=["en"])


@pytest.fixture
def content_copy(tmp_path: Path) -> Callable[..., Path]:
    """Copy content.yaml and its logo into tmp_path, applying text replacements.

    `content_copy(("old", "new"), ...)` fails if an `old` text is not found,
    so a test cannot silently stop testing what it claims to.
    """

    def make(*replacements: tuple[str, str], name: str = "content.yaml", translated: bool = False) -> Path:
        text = CONTENT.read_text(encoding="utf-8")
        if translated:  # the Spanish translation beside it, with its term list and its record of the master
            for extra in ("content.es.yaml", "content.es.master.json", "medical_terms.es.txt"):
                shutil.copy(ROOT / extra, tmp_path / extra)
        else:  # English alone: most tests are about one language
            text = text.replace(TRANSLATIONS, "", 1)
        for old, new in replacements:
            assert old in text, f"test fixture out of date: {old!r} not in content.yaml"
            text = text.replace(old, new, 1)
        (tmp_path / "assets").mkdir(exist_ok=True)
        shutil.copy(ROOT / "assets" / "logo.svg", tmp_path / "assets" / "logo.svg")
        shutil.copy(ROOT / "medical_terms.txt", tmp_path / "medical_terms.txt")
        path = tmp_path / name
        path.write_text(text, encoding="utf-8")
        return path

    return make


def line_of(path: Path, needle: str) -> int:
    """1-based line number of the first line containing `needle`."""
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if needle in line:
            return number
    raise AssertionError(f"{needle!r} not in {path}")
