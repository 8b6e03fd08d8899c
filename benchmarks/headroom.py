"""Headroom: how much room each leaflet has left, in mm, on A4 and on Letter, from the laid-out pages.

    python benchmarks/headroom.py [CONTENT.yaml ...] [--paper a4 letter] [--only NAME ...]

For each leaflet of each content file (default: the shipped content.yaml) and each paper size: the room
below the text on its last page (a tri-fold: in its fullest panel), or, past its page budget, minus how
much too long it is (`-3` = 3 mm more than the last page allowed has left; the block kept whole that moved
on may be 50 mm). Laid out as the build lays them out (same HTML, stylesheets, margins), but not checked, so
a leaflet over its budget is measured instead of stopping the run. A leaflet using fewer pages than its
budget has those pages to spare besides.
Prints a Markdown table. Numbers, not assertions: the tests hold the budgets.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
DEFAULT_CONTENT = ROOT / "content.yaml"  # the shipped sample clinic

from leaflets.content.papers import PAPERS  # noqa: E402
from leaflets.content.sources import content_fonts, load_content, select  # noqa: E402
from leaflets.render.html import environment, generated_images, render_html  # noqa: E402
from leaflets.render.layout import headroom, shortfall  # noqa: E402
from leaflets.render.pdf import PdfWriter  # noqa: E402
from leaflets.theme import Theme  # noqa: E402


def measure(content_path: Path, papers: list[str], only: list[str]) -> list[tuple[str, dict[str, str]]]:
    """(leaflet, {paper: 'mm left (pages/budget)'}) for every leaflet of one content file."""
    content = load_content(content_path)
    logo = (content_path.parent / content.brand.logo).resolve()
    theme = Theme.beside(content_path)
    writer = PdfWriter([logo], generated_images(content), fonts=content_fonts(content, content_path), theme=theme)
    env = environment(theme)
    rows: dict[str, dict[str, str]] = {}
    for paper in papers:
        for edition in select(content, only):
            html = render_html(content, edition, paper, logo.as_uri(), env)
            margins = render_html(content, edition, paper, logo.as_uri(), env, margins_only=True)
            document = writer.lay_out(html, edition.stylesheets(paper), margins=margins)
            pages = len(document.pages)
            room = headroom(document) if pages <= edition.max_pages else -shortfall(document, edition.max_pages)
            rows.setdefault(edition.name, {})[paper] = f"{room:.0f} ({pages}/{edition.max_pages})"
    return list(rows.items())


def main(argv: list[str] | None = None) -> int:
    """Print the table for each content file."""
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("content", nargs="*", type=Path, default=[DEFAULT_CONTENT])
    parser.add_argument("--paper", nargs="+", choices=PAPERS, default=["a4", "letter"])
    parser.add_argument("--only", nargs="+", default=[], help="leaflet names, e.g. failed-decompression")
    args = parser.parse_args(argv)
    for content_path in args.content:
        print(f"\n{content_path}: mm left on the fullest page (pages used / budget)\n")
        print("| leaflet | " + " | ".join(args.paper) + " |")
        print("|---|" + "---:|" * len(args.paper))
        for name, cells in measure(content_path, args.paper, args.only):
            print(f"| {name} | " + " | ".join(cells[paper] for paper in args.paper) + " |")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
