"""The typefaces: the one shipped with the project, and the clinic's optional fallback fonts.

The machine's own fonts are never used. Before anything is rendered, every
character a leaflet or handout will print is looked up in the embedded fonts;
one that none of them has is an error naming the field (or the patient-list
column), never the character (it may be part of a patient's name). After
rendering, the fonts actually written into the PDF are checked too.

A hospital whose patients' names or whose language need other scripts (Arabic,
CJK...) puts font files in a folder and names it in the content file (`fonts:`);
they are embedded after the shipped face, and listed in manifest.json. A file
is one face (.ttf, .otf) or a collection of faces (.ttc, .otc: Debian and most
systems ship Noto Sans CJK so, one face per region). From a collection one face
is embedded (`choose_face`): the one made for the content's language (Noto and
Source Han name theirs SC, TC, HK, JP, KR), else the regular-weight text face
that comes first. WeasyPrint 70 reads a collection too, but then lets
fontconfig pick among its faces by the text's language, which gave Japanese
glyph shapes to Korean and to a leaflet in English: so the chosen face is
taken out of the collection in memory (fontTools) and served to WeasyPrint
alone, as a font file of its own.
"""

from __future__ import annotations

import hashlib
import io
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
COLLECTION_SUFFIXES = (".ttc", ".otc")
#: Font files the folder may hold that cannot be embedded: named in an error rather than left out unsaid.
UNUSABLE_SUFFIXES = (".woff", ".woff2", ".pfb", ".pfa", ".dfont", ".fon", ".fnt", ".bdf", ".pcf")
#: Characters that are layout, not glyphs (spaces, line breaks, soft hyphen, zero-width joiners): never looked up.
LAYOUT_CHARACTERS = frozenset(" \t\n\r\u00ad\u200b\u200c\u200d\u2060")
#: The tags CJK collections (Noto Sans CJK, Source Han) give each region's face, by language tag, best first.
REGION_TAGS: dict[str, tuple[str, ...]] = {
    "zh": ("SC", "CN"),
    "zh-hans": ("SC", "CN"),
    "zh-cn": ("SC", "CN"),
    "zh-sg": ("SC", "CN"),
    "zh-hant": ("TC", "TW"),
    "zh-tw": ("TC", "TW"),
    "zh-hk": ("HK", "TC"),
    "zh-mo": ("HK", "TC"),
    "ja": ("JP", "J"),
    "ko": ("KR", "K"),
}


@dataclass(frozen=True)
class Face:
    """One face the leaflets embed from the clinic's folder: a font file, or one face of a collection."""

    path: Path
    index: int | None = None  # its number in a collection (.ttc, .otc); None for a file of one face

    @property
    def family(self) -> str:
        """The face's family name, as the stylesheet and the PDF name it."""
        return _names(self.path, self.index)[0].replace('"', "").replace("\\", "")

    @property
    def file_name(self) -> str:
        """The name it is published under (the web edition): the file's, or for a collection's face its own."""
        if self.index is None:
            return self.path.name
        outlines = ".otf" if "CFF " in _tables(self.path, self.index) else ".ttf"
        return f"{self.path.stem}-{self.index}{outlines}"

    def url(self, position: int) -> str:
        """Where WeasyPrint fetches it: the file itself, or (a collection's face) the build's own copy in memory."""
        return self.path.as_uri() if self.index is None else f"generated:font-{position}-{self.file_name}"

    def data(self) -> bytes:
        """The face as a font file of its own."""
        return self.path.read_bytes() if self.index is None else _extract(self.path, self.index)


@dataclass(frozen=True)
class FontSet:
    """The fonts a build may embed: the shipped faces, then the clinic's fallbacks in file-name order."""

    faces: tuple[Face, ...] = ()

    @property
    def fallbacks(self) -> tuple[Path, ...]:
        """The clinic's font files (a collection once), e.g. to watch or to allow WeasyPrint to read."""
        return tuple(dict.fromkeys(face.path for face in self.faces))

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
        for position, face in enumerate(self.faces):
            rules.append(f'@font-face {{ font-family: "{face.family}"; src: url("{face.url(position)}"); }}')
            stack.append(face.family)
        families = ", ".join(f'"{name}"' for name in stack)
        rules.append(f"html, textarea {{ font-family: {families}; }} @page {{ font-family: {families}; }}")
        return "\n".join(rules)

    def generated(self) -> dict[str, bytes]:
        """The faces taken out of collections, by the URL `css` gives them (the PDF writer serves them)."""
        return {face.url(n): face.data() for n, face in enumerate(self.faces) if face.index is not None}

    def families(self) -> set[str]:
        """The family names WeasyPrint may report for the fonts it embedded."""
        return {FAMILY, *(_names(face.path, face.index)[0] for face in self.faces)}

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
        return shipped.union(*(_cmap(face.path, face.index) for face in self.faces))

    def manifest(self) -> list[dict[str, str]]:
        """Each font file with its checksum, for manifest.json (and, from a collection, the face embedded)."""
        shipped = [{"file": path.name, "sha256": _sha256(path)} for path in self.shipped()]
        clinic = [
            {
                "file": face.path.name,
                "sha256": _sha256(face.path),
                **({"face": face.family} if face.index is not None else {}),
            }
            for face in self.faces
        ]
        return [*shipped, *clinic]


#: The shipped face alone.
SHIPPED = FontSet()


def font_set(folder: Path | None, language: str = "") -> FontSet:
    """The shipped fonts plus every font file in `folder` (the content's `fonts:`), checked readable; from a
    collection, the face for `language` (see `choose_face`)."""
    if folder is None:
        return FontSet()
    files = sorted(p.resolve() for p in folder.iterdir() if p.is_file())
    for path in files:
        if path.suffix.lower() in UNUSABLE_SUFFIXES:
            raise BuildError(
                f"fonts: {path.name} is a kind of font file that cannot be embedded in a PDF here: put the .ttf, "
                ".otf, .ttc or .otc file of the font in the folder instead (see docs/brand-and-fonts.md)"
            )
    faces = []
    for path in files:
        if path.suffix.lower() in FONT_SUFFIXES:
            _names(path, None)  # fails early, naming the file, if it is not a font
            faces.append(Face(path))
        elif path.suffix.lower() in COLLECTION_SUFFIXES:
            faces.append(Face(path, choose_face(path, language)))
    return FontSet(tuple(faces))


def choose_face(path: Path, language: str) -> int:
    """The face of a collection to embed: the one made for `language` (by its region tag, REGION_TAGS), then a
    proportional one before a monospaced one, the weight nearest regular, the first."""
    tags = REGION_TAGS.get(language.lower()) or REGION_TAGS.get(language.split("-")[0].lower(), ())
    count = _face_count(path)

    def rank(index: int) -> tuple[int, bool, int, int]:
        family, postscript = _names(path, index)
        words = {*family.split(), *postscript.replace("-", " ").split()}
        made_for = next((len(tags) - tags.index(tag) for tag in tags if tag in words or tag.lower() in words), 0)
        weight, monospaced = _style(path, index)
        return made_for, not monospaced, -abs(weight - 400), -index

    return max(range(count), key=rank)


def uncovered_fields(fonts: FontSet, fields: Iterable[tuple[str, str]]) -> Iterator[str]:
    """The names of the fields (name, text) holding a character no font can print."""
    for name, text in fields:
        if fonts.missing(text):
            yield name


def _open(path: Path, index: int | None):  # type: ignore[no-untyped-def]
    """The font (or a collection's face), read lazily; a BuildError naming the file if it cannot be read."""
    from fontTools.ttLib import TTFont, TTLibError

    try:
        return TTFont(path, lazy=True, fontNumber=-1 if index is None else index)
    except (OSError, TTLibError, KeyError, IndexError, AssertionError) as error:
        raise BuildError(f"fonts: {path.name} is not a font file that can be read ({error})") from None


@cache
def _face_count(path: Path) -> int:
    from fontTools.ttLib import TTCollection, TTLibError

    try:
        with TTCollection(path, lazy=True) as collection:
            count = len(collection.fonts)
    except (OSError, TTLibError, KeyError, AssertionError) as error:
        raise BuildError(f"fonts: {path.name} is not a font collection that can be read ({error})") from None
    if not count:
        raise BuildError(f"fonts: {path.name} is a font collection with no font in it")
    return count


@cache
def _cmap(path: Path, index: int | None = None) -> frozenset[int]:
    with _open(path, index) as font:
        return frozenset(font.getBestCmap() or {})


@cache
def _names(path: Path, index: int | None = None) -> tuple[str, str]:
    """(family, PostScript name) of a font file or a collection's face, or a BuildError naming the file."""
    from fontTools.ttLib import TTLibError

    try:
        with _open(path, index) as font:
            table = font["name"]
            family = table.getDebugName(16) or table.getDebugName(1)
            postscript = table.getDebugName(6) or path.stem
    except (OSError, TTLibError, KeyError) as error:
        raise BuildError(f"fonts: {path.name} is not a font file that can be read ({error})") from None
    if not family:
        raise BuildError(f"fonts: {path.name} has no family name")
    return family, postscript


@cache
def _style(path: Path, index: int) -> tuple[int, bool]:
    """(weight class, monospaced) of a collection's face; a face without the tables counts as regular."""
    with _open(path, index) as font:
        weight = font["OS/2"].usWeightClass if "OS/2" in font else 400
        monospaced = bool(font["post"].isFixedPitch) if "post" in font else False
    return weight, monospaced


@cache
def _tables(path: Path, index: int) -> frozenset[str]:
    with _open(path, index) as font:
        return frozenset(font.keys())


@cache
def _extract(path: Path, index: int) -> bytes:
    """One face of a collection as a font file of its own: its tables as they are (about 0.6 s for a 20 MB
    Noto Sans CJK collection; bounding boxes and dates are not recomputed, so nothing else changes)."""
    from fontTools.ttLib import TTFont

    buffer = io.BytesIO()
    with TTFont(path, lazy=True, fontNumber=index, recalcBBoxes=False, recalcTimestamp=False) as font:
        font.save(buffer, reorderTables=False)
    return buffer.getvalue()


def _sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()
