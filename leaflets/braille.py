"""Braille-ready files (BRF): a leaflet's or handout's words in braille, laid out for an embosser.

The text is read from the same HTML the PDF is made from, block by block (headings, paragraphs, list items,
a figure's alt text and caption, the footer last), translated by liblouis with the language's table (the
wording's `braille_table` entry, e.g. Unified English Braille grade 2) into North American Braille ASCII, the
BRF character set, and laid out in pages of 25 lines of 40 cells, as embossers and braille displays expect:

- a main heading (the title) centred, with a blank line after it; a section heading starts in cell 5, after a
  blank line (BANA Braille Formats 2016); a paragraph starts in cell 3, its other lines in cell 1; a list item
  starts in cell 1, its other lines in cell 3; a heading never ends a page;
- the braille page number at the right of the page's last line, line 25;
- lines end with CR LF, and pages with a form feed.

liblouis is a system package (`apt-get install liblouis-bin`); its command `lou_translate` is called once a
file for the text and once for the page numbers.
"""

from __future__ import annotations

import re
import shutil
import subprocess
import unicodedata
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

from leaflets.content.editions import STANDARD
from leaflets.content.load import display_path
from leaflets.errors import BuildError
from leaflets.pipeline.files import write_atomically

CELLS, LINES = 40, 25
#: The BRF character set (North American Braille ASCII), a liblouis display table put before the language's.
BRF_DISPLAY = "en-us-brf.dis"
TRANSLATOR = "lou_translate"
INSTALL = "install liblouis: apt-get install liblouis-bin"
#: A liblouis table name as the wording may give it: a file name, never an option or a path.
TABLE_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]*")
#: Braille ASCII: the 64 cells as the characters space to underscore (lower-case letters read the same).
BRAILLE_ASCII = re.compile(r"[ -_a-z]*")

HEADINGS = {"h1", "h2", "h3", "h4", "h5", "h6"}
ITEMS = {"li", "dt", "dd"}
BLOCKS = HEADINGS | ITEMS | {"p", "div", "section", "header", "main", "footer", "ul", "ol", "dl", "body", "table"}
#: A section's figure: braille cannot draw it, so its alt text is a paragraph, then its caption.
BLOCKS |= {"figure", "figcaption"}
INLINE = {"strong", "b", "em", "i", "span", "a"}
#: Elements whose text is no part of the leaflet's words: the page's head, and the web edition's menus.
SKIPPED = {"head", "style", "script", "nav", "title"}
#: Between items on one line (the footer's "Ref ... · Version ..."), a middle dot starts a new braille line.
SEPARATOR = re.compile(r"\s+\u00b7\s+")


@dataclass(frozen=True)
class Block:
    """A heading (`h1`...`h6`), a paragraph (`p`) or a list item (`li`), with its text on one line."""

    kind: str
    text: str


def blocks(html: str) -> list[Block]:
    """The document's text as blocks in reading order, its footer (governance) last."""
    reader = _Reader()
    reader.feed(html)
    reader.close()
    return [*reader.main, *reader.footer]


class _Reader(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.main: list[Block] = []
        self.footer: list[Block] = []
        self.open: list[str] = []  # the block elements around the text, innermost last
        self.skipping = 0
        self.in_footer = 0
        self.text = ""
        self.boundary = False  # a label just closed: the words after it are not part of its last word
        self.label = False  # a list item began with an inline element, a label ("Adhesion", "6 weeks"), still open

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in SKIPPED:
            self.skipping += 1
        elif tag == "br":
            self.text += " "
        elif tag == "img" and "figure" in self.open:
            self.text += " " + (dict(attrs).get("alt") or "")
        elif tag in BLOCKS:
            self._flush()
            self.open.append(tag)
            self.in_footer += tag == "footer"
        elif tag in INLINE and self.open[-1:] == ["li"] and not self.text.strip():
            self.label = True

    def handle_endtag(self, tag: str) -> None:
        if tag in SKIPPED:
            self.skipping -= 1
        elif tag in INLINE and self.label:  # print sets the label apart by bold and layout; braille by ":"
            self.text = self.text.rstrip() + (":" if self.text.rstrip()[-1:].isalnum() else "")
            self.label, self.boundary = False, True
        elif tag in BLOCKS and tag in self.open:
            self._flush()
            while self.open and self.open.pop() != tag:
                pass
            self.in_footer -= tag == "footer"

    def handle_data(self, data: str) -> None:
        if self.skipping:
            return
        if self.boundary and self.text and not self.text[-1].isspace() and data[:1].isalnum():
            self.text += " "
        self.boundary = False
        self.text += data

    def _flush(self) -> None:
        text, self.text = " ".join(self.text.split()), ""
        if not text:
            return
        kind = next((tag for tag in reversed(self.open) if tag in HEADINGS | ITEMS), "p")
        kind = "li" if kind in ITEMS else kind
        target = self.footer if self.in_footer else self.main
        target += [Block(kind, part) for part in SEPARATOR.split(text) if part]


def table_for(strings: Mapping[str, Any], language: str) -> str:
    """The language's liblouis table from its wording (`braille_table`); a BuildError when it has none."""
    table = str(strings.get("braille_table") or "")
    if not table:
        raise BuildError(
            f"no braille table for {language!r}: add `braille_table:` (a liblouis table such as en-ueb-g2.ctb) to "
            "that language's block in the file named in `strings:` (docs/web-and-braille.md)"
        )
    if not TABLE_NAME.fullmatch(table):
        raise BuildError(f"braille_table for {language!r}: {table[:40]!r} is not the file name of a liblouis table")
    return table


def require_liblouis() -> str:
    """The path of `lou_translate`; a BuildError saying how to install it when it is missing."""
    found = shutil.which(TRANSLATOR)
    if found is None:
        raise BuildError(f"braille files need liblouis, which is not installed: {INSTALL}")
    return found


def translate(lines: Sequence[str], table: str, backward: bool = False) -> list[str]:
    """Each line in braille ASCII (or, `backward`, braille ASCII back to print), through liblouis."""
    command = [require_liblouis(), "--backward" if backward else "--forward", f"{BRF_DISPLAY},{table}"]
    given = "".join(line.replace("\\", "\\\\") + "\n" for line in lines)  # lou_translate reads \ as an escape
    done = subprocess.run(command, input=given.encode(), capture_output=True, check=False, timeout=120)
    out = done.stdout.decode("utf-8", errors="replace").splitlines()
    if done.returncode != 0 or len(out) != len(lines) or b"could not be compiled" in done.stderr:
        said = done.stderr.decode("utf-8", errors="replace").strip().splitlines()
        raise BuildError(f"liblouis could not translate with {table}: {said[-1] if said else 'no output'}")
    return out


def brf(document: Sequence[Block], table: str, private: bool = False) -> bytes:
    """The blocks as a braille-ready file; a BuildError naming a character the table has no sign for (by its
    code point; `private`: not at all, for a patient's handout)."""
    texts = [unicodedata.normalize("NFKC", block.text) for block in document]  # "º" is "o", a no-break space one
    braille = translate(texts, table)
    for text, line in zip(texts, braille, strict=True):
        if not BRAILLE_ASCII.fullmatch(line):
            which = "a character of the text" if private else _unknown(text, table)
            raise BuildError(f"the braille table {table} has no sign for {which}")
    lines = list(_lay_out([Block(b.kind, line) for b, line in zip(document, braille, strict=True)]))
    pages = [lines[start : start + LINES - 1] for start in range(0, len(lines), LINES - 1)] or [[]]
    numbers = translate([str(number) for number in range(1, len(pages) + 1)], table)
    return "\f".join(_page(page, number) for page, number in zip(pages, numbers, strict=True)).encode("ascii")


def _unknown(text: str, table: str) -> str:
    """The first character of `text` the table lacks, as U+XXXX (never quoted: it may be a patient's)."""
    for character in dict.fromkeys(text):
        if not BRAILLE_ASCII.fullmatch(translate([character], table)[0]):
            return f"U+{ord(character):04X}"
    return "a character of the text"


def _lay_out(document: Sequence[Block]) -> Iterator[str]:
    """The lines of braille, page breaks aside: each block wrapped, indented and spaced as its kind asks."""
    used = 0  # lines on the current page, to keep a heading off a page's last lines
    for index, block in enumerate(document):
        lines: list[str] = []
        if block.kind == "h1":
            lines = [line.center(CELLS).rstrip() for line in _wrap(block.text, 0, 0)] + [""]
        elif block.kind in HEADINGS:
            lines = ["", *_wrap(block.text, 4, 4)]
        elif block.kind == "li":
            lines = _wrap(block.text, 0, 2)
        else:
            lines = _wrap(block.text, 2, 0)
        if index == 0:
            lines = lines[1:] if lines[0] == "" else lines
        room = LINES - 1 - used
        if block.kind in HEADINGS and used and len(lines) + 1 > room:  # a heading and a line of its text together
            yield from [""] * room
            used = 0
            lines = lines[1:] if lines and lines[0] == "" else lines
        for line in lines:
            if used == 0 and line == "":
                continue  # a page does not start with a blank line
            yield line
            used = (used + 1) % (LINES - 1)


def _wrap(text: str, first: int, rest: int) -> list[str]:
    """Braille words filled into lines of CELLS cells, the first indented `first` cells, the others `rest`; a word
    longer than a line (a web address) is cut where the line ends."""
    lines: list[str] = []
    line = " " * first
    for word in text.split():
        room = CELLS - len(line) - (0 if line.isspace() or not line else 1)
        if len(word) <= room:
            line = line + word if line.isspace() or not line else f"{line} {word}"
            continue
        if not line.isspace() and line:
            lines.append(line)
            line = " " * rest
        while len(line) + len(word) > CELLS:
            cut = CELLS - len(line)
            lines.append(line + word[:cut])
            line, word = " " * rest, word[cut:]
        line += word
    if line.strip():
        lines.append(line)
    return lines


def _page(lines: Sequence[str], number: str) -> str:
    """One page: its lines, blank lines to line 24, and the page number at the right of line 25."""
    body = [*lines, *[""] * (LINES - 1 - len(lines))]
    return "".join(f"{line.rstrip()}\r\n" for line in [*body, number.rjust(CELLS)])


def leaflet_files(content_path: Path, only: Sequence[str] = (), languages: Sequence[str] = ()) -> dict[str, bytes]:
    """A braille-ready file for each overview and cause leaflet the build makes (`only`, `languages` as it
    chose), by name, e.g. `scar-tissue-en.brf`. Made from the HTML, so the build can make them before the PDFs."""
    from leaflets.content.sources import load_sources, select  # late: the build stage only for this command
    from leaflets.render.html import environment, render_html
    from leaflets.theme import Theme

    require_liblouis()
    sources = load_sources(content_path, languages=languages)
    tables = [table_for(s.content.wording, s.content.language) for s in sources]  # all, before translating
    env, files = environment(Theme.beside(content_path)), {}
    for source, table in zip(sources, tables, strict=True):
        content, logo = source.content, (source.path.parent / source.content.brand.logo).resolve()
        for edition in select(content, only):
            if edition.style == STANDARD and edition.kind in ("overview", "cause"):
                html = render_html(content, edition, content.paper, logo.as_uri(), env)
                files[f"{edition.label}.brf"] = brf(blocks(html), table)
    return files


def write_files(files: Mapping[str, bytes], out_dir: Path) -> list[Path]:
    """Write the braille files beside the PDFs in `out_dir`, each whole or not at all."""
    from leaflets.pipeline.publish import output_folder

    with output_folder(out_dir, display_path(out_dir)):
        for name, data in files.items():
            write_atomically(out_dir / name, data)
    return [out_dir / name for name in files]
