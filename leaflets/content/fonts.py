"""The typefaces: the one shipped with the project, and the clinic's optional fallback fonts.

The machine's own fonts are never used. Before anything is rendered, every
character a leaflet or handout will print is looked up in the embedded fonts;
one that none of them has is an error naming the field (or the patient-list
column), never the character (it may be part of a patient's name). After
rendering, the fonts actually written into the PDF are checked too.

A hospital whose patients' names or whose language need other scripts (Arabic,
CJK...) puts font files (.ttf or .otf, e.g. Noto Sans Arabic) in a folder and
names it in the content file (`fonts:`); they are embedded after the shipped
face, and listed in manifest.json.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import font_source_sans_pro

from leaflets.errors import BuildError

FONT_DIR = Path(font_source_sans_pro.font_directory).resolve()
#: The shipped family, from a pip-installed OFL package.
FAMILY = "Source Sans Pro"
FONT_FACES = {400: "SourceSansPro-Regular.ttf", 600: "SourceSansPro-Semibold.ttf", 700: "SourceSansPro-Bold.ttf"}
FONT_SUFFIXES = (".ttf", ".otf")
#: Characters that are layout, not glyphs (spaces, line breaks, soft hyphen, zero-width joiners): never looked up.
LAYOUT_CHARACTERS = frozenset(" \t\n\r\u00ad\u200b\u200c\u200d\u2060")


@dataclass(frozen=True)
class FontSet:
    """The fonts a build may embed: the shipped faces, then the clinic's fallbacks in name order."""

    fallbacks: tuple[Path, ...] = ()

    def shipped(self) -> list[Path]:
        """The shipped faces; fails the build if one is missing."""
        paths = [FONT_DIR / name for name in FONT_FACES.values()]
        for path in paths:
            if not path.is_file():
                raise BuildError(f"font file {path} is missing: reinstall with `pip install -e .`")
        return paths

    def files(self) -> list[Path]:
        """Every font file that may be embedded."""
        return [*self.shipped(), *self.fallbacks]

    def css(self) -> str:
        """@font-face rules, and the family list every text on the page (margins included) uses."""
        rules = [
            f'@font-face {{ font-family: "{FAMILY}"; font-weight: {weight}; src: url("{path.as_uri()}"); }}'
            for weight, path in zip(FONT_FACES, self.shipped(), strict=True)
        ]
        stack = [FAMILY]
        for path in self.fallbacks:
            family = _fallback_family(path)
            rules.append(f'@font-face {{ font-family: "{family}"; src: url("{path.as_uri()}"); }}')
            stack.append(family)
        families = ", ".join(f'"{name}"' for name in stack)
        rules.append(f"html, textarea {{ font-family: {families}; }} @page {{ font-family: {families}; }}")
        return "\n".join(rules)

    def families(self) -> set[str]:
        """The family names WeasyPrint may report for the fonts it embedded."""
        return {FAMILY, *(_names(path)[0] for path in self.fallbacks)}

    def missing(self, text: str) -> set[str]:
        """The characters of `text` that no font of the set can print."""
        wanted = set(text) - LAYOUT_CHARACTERS
        if not wanted:
            return set()
        return {ch for ch in wanted if ord(ch) not in self._covered()}

    @cache  # noqa: B019 - one FontSet per build; the set of covered characters is costly to read
    def _covered(self) -> frozenset[int]:
        # A character must be in every shipped weight (bold text would otherwise fall back), or in a fallback.
        shipped = frozenset.intersection(*(_cmap(path) for path in self.shipped()))
        return shipped.union(*(_cmap(path) for path in self.fallbacks))

    def manifest(self) -> list[dict[str, str]]:
        """Each font file with its checksum, for manifest.json."""
        return [{"file": path.name, "sha256": hashlib.sha256(path.read_bytes()).hexdigest()} for path in self.files()]


#: The shipped face alone.
SHIPPED = FontSet()


def font_set(folder: Path | None) -> FontSet:
    """The shipped fonts plus every .ttf/.otf file in `folder` (the content's `fonts:`), checked readable."""
    if folder is None:
        return FontSet()
    paths = tuple(sorted(p.resolve() for p in folder.iterdir() if p.suffix.lower() in FONT_SUFFIXES))
    for path in paths:
        _names(path)  # fails early, naming the file, if it is not a font
    return FontSet(paths)


def uncovered_fields(fonts: FontSet, fields: Iterable[tuple[str, str]]) -> Iterator[str]:
    """The names of the fields (name, text) holding a character no font can print."""
    for name, text in fields:
        if fonts.missing(text):
            yield name


@cache
def _cmap(path: Path) -> frozenset[int]:
    from fontTools.ttLib import TTFont  # late: only when a build checks characters

    with TTFont(path, lazy=True) as font:
        return frozenset(font.getBestCmap() or {})


@cache
def _names(path: Path) -> tuple[str, str]:
    """(family, PostScript name) of a font file, or a BuildError naming the file."""
    from fontTools.ttLib import TTFont, TTLibError

    try:
        with TTFont(path, lazy=True) as font:
            table = font["name"]
            family = table.getDebugName(16) or table.getDebugName(1)
            postscript = table.getDebugName(6) or path.stem
    except (OSError, TTLibError, KeyError) as error:
        raise BuildError(f"fonts: {path.name} is not a font file that can be read ({error})") from None
    if not family:
        raise BuildError(f"fonts: {path.name} has no family name")
    return family, postscript


def _fallback_family(path: Path) -> str:
    family = _names(path)[0]
    return family.replace('"', "").replace("\\", "")
