"""Writing the web edition: `OUT/web/`, one folder any static host can serve (or a browser open from disk).

    web/index.html             every leaflet, listed per language
    web/style.css              @font-face rules, then templates/css/web.css
    web/fonts/                 the fonts the PDFs embed (shipped Source Sans Pro and its licence, the `fonts:` folder's)
    web/LANG/NAME.html         each leaflet's page (overview, cause leaflets)
    web/LANG/logo.svg          the language's logo (or logo.png)
    web/figures/NAME.svg       the sections' figures (or .png), named by a digest of their bytes

The whole site is made every time, in every language the content has, whatever --only or --language chose
(a page missing from a language would leave a broken link in the others); it is a few Jinja renders. It is
made in a staging folder beside the old one and swapped in, so a failed or interrupted run leaves the last
site as it was.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path

from leaflets.content import load as content_stage
from leaflets.content.fonts import FAMILY, FONT_DIR, FONT_FACES, Face
from leaflets.content.load import display_path
from leaflets.content.sources import content_fonts, load_sources
from leaflets.errors import BuildError
from leaflets.pipeline.files import write_atomically
from leaflets.pipeline.publish import STAGING, output_folder
from leaflets.render.html import environment, figure_files
from leaflets.theme import Theme
from leaflets.web.pages import FIGURES, STYLESHEET, Language, colour_problems, render_pages

#: The web edition's folder in the output folder.
WEB = "web"
FONTS = "fonts"
#: Where a swapped-out site waits to be removed (swept by the next run if it was killed just then).
OLD = ".old-web-"
#: The shipped faces, and their licence: the SIL Open Font License asks for it to travel with the fonts.
SHIPPED = (*FONT_FACES.values(), "LICENSE.txt")


def make_site(content_path: Path) -> dict[str, bytes]:
    """Every file of the web edition of `content_path` and its translations, by path from the top of the folder.

    Made (and checked: the web's colour pairs, the web wording) before anything is written, so the build can
    make it before the PDFs and stop before them."""
    sources = load_sources(content_path)
    for source in sources:  # the web's colour pairs, located at the colour's line like every content problem
        content_stage.load(source.path, checks=[colour_problems])
    languages = [Language.of(s.content, (s.path.parent / s.content.brand.logo).resolve()) for s in sources]
    files = {
        page.path: page.html.encode("utf-8")
        for page in render_pages(languages, environment(Theme.beside(content_path)))
    }
    files |= {f"{language.tag}/{language.logo_name}": language.logo.read_bytes() for language in languages}
    files |= {f"{FIGURES}/{name}": data for s in sources for name, data in figure_files(s.content).items()}
    fonts = _fonts({face for s in sources for face in content_fonts(s.content, s.path).faces})
    files |= {f"{FONTS}/{name}": data for name, (_, data) in fonts.items()}
    clinic = [(family, name) for name, (family, _) in fonts.items() if name not in SHIPPED]
    files[STYLESHEET] = stylesheet(clinic, Theme.beside(content_path)).encode("utf-8")
    return files


def publish_site(files: dict[str, bytes], out_dir: Path) -> Path:
    """Write the site's `files` into `out_dir/web` at once: staged beside it, then swapped in; return its path."""
    with output_folder(out_dir, display_path(out_dir)), _staged(out_dir) as staged:
        for name, data in files.items():
            path = staged / name
            path.parent.mkdir(parents=True, exist_ok=True)
            write_atomically(path, data)
        _swap(staged, out_dir / WEB)
    return out_dir / WEB


def _fonts(faces: set[Face]) -> dict[str, tuple[str, bytes]]:
    """The font files to publish by name, each with its family: the shipped faces and their licence, then the
    clinic's fallbacks (from a collection, the face its leaflets embed, as a file of its own: browsers do not
    read collections)."""
    found = {name: (FAMILY, (FONT_DIR / name).read_bytes()) for name in SHIPPED}
    for face in sorted(faces, key=lambda face: (face.file_name, str(face.path))):
        data = face.data()
        if face.file_name in found and found[face.file_name][1] != data:
            raise BuildError(f"fonts: two different font files are called {face.file_name}; rename one")
        found[face.file_name] = (face.family, data)
    return found


def stylesheet(fallbacks: list[tuple[str, str]], theme: Theme) -> str:
    """style.css: the fonts by relative address, the family stack the print uses, then web.css."""
    rules = [
        f'@font-face {{ font-family: "{FAMILY}"; font-weight: {weight}; font-display: swap; '
        f'src: url("{FONTS}/{name}") format("truetype"); }}'
        for weight, name in FONT_FACES.items()
    ]
    rules += [
        f'@font-face {{ font-family: "{family}"; font-display: swap; src: url("{FONTS}/{name}"); }}'
        for family, name in fallbacks
    ]
    stack = ", ".join(f'"{family}"' for family in [FAMILY, *(family for family, _ in fallbacks)])
    rules.append(f"html {{ font-family: {stack}, sans-serif; }}")
    return "\n".join(rules) + "\n\n" + theme.find("css/web.css").read_text(encoding="utf-8")


@contextlib.contextmanager
def _staged(out_dir: Path) -> Iterator[Path]:
    """A new, empty folder beside the site (swept by the next build if this one is killed); gone at the end
    unless it was swapped in. Sites swapped out by a run that was killed are removed first."""
    for entry in os.scandir(out_dir):
        if entry.name.startswith(OLD) and entry.is_dir(follow_symlinks=False):
            shutil.rmtree(entry.path)
    folder = Path(tempfile.mkdtemp(dir=out_dir, prefix=f"{STAGING}web-"))
    try:
        yield folder
    finally:
        if folder.is_dir():
            shutil.rmtree(folder)


def _swap(staged: Path, site: Path) -> None:
    """Put the staged site in place of the old one (a folder, a file or a link), then remove the old one."""
    if site.exists() and not site.is_dir() and not site.is_symlink():
        raise BuildError(f"{display_path(site)} is a file, where the web edition must be a folder; move it away")
    old = Path(tempfile.mkdtemp(dir=site.parent, prefix=OLD)) / WEB
    if os.path.lexists(site):
        os.rename(site, old)  # moves a link itself, never what it points to
    os.rename(staged, site)
    if os.path.lexists(old) and not old.is_symlink():
        shutil.rmtree(old)
    shutil.rmtree(old.parent, ignore_errors=True)
