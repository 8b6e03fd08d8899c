"""Stage 4: the whole build, callable from Python without the command line.

load + validate -> render HTML -> write PDF -> manifest.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass
from pathlib import Path

from . import content as content_stage
from .editions import Edition, editions
from .errors import BuildError, UsageError
from .gallery import write_gallery
from .pdf import PdfWriter, write_atomically
from .render import PROJECT_ROOT, TEMPLATES, booking_qr, environment, render_html, strings_table
from .schema import PAPERS, Content

DEFAULT_CONTENT = PROJECT_ROOT / "content.yaml"
DEFAULT_OUTPUT = PROJECT_ROOT / "output"
MANIFEST = "manifest.json"
#: Where a print shop's CMYK profile goes, relative to the content file.
DEFAULT_ICC = Path("assets") / "cmyk.icc"


@dataclass(frozen=True)
class Output:
    """One PDF written: what it is and how to recognise it later."""

    file: str
    edition: str
    paper: str
    pages: int
    bytes: int
    sha256: str
    print_shop: bool = False


def load_content(path: Path) -> Content:
    """Read and validate a content file (raises ContentError)."""
    return content_stage.load(path, languages=strings_table().keys())


def select(content: Content, only: Sequence[str] = ()) -> list[Edition]:
    """The editions to build: all of them, or those named in `only`."""
    every = editions(content)
    if not only:
        return every
    names = [e.name for e in every]
    unknown = [name for name in only if name not in names]
    if unknown:
        raise UsageError(f"no leaflet called {unknown[0]!r}; choose from: {', '.join(names)}")
    return [e for e in every if e.name in only]


def build(
    content_path: Path = DEFAULT_CONTENT,
    out_dir: Path = DEFAULT_OUTPUT,
    paper: str | None = None,
    only: Sequence[str] = (),
    report: Callable[[Output], None] = lambda output: None,
    print_shop: bool = False,
    icc_profile: Path | None = None,
) -> list[Output]:
    """Build the leaflets into `out_dir` (and the print-shop set if asked); return what was written."""
    content = load_content(content_path)
    paper = paper or content.paper
    if paper not in PAPERS:
        raise UsageError(f"unknown paper {paper!r}; choose from: {', '.join(PAPERS)}")
    if icc_profile is not None and not icc_profile.is_file():
        raise UsageError(f"no ICC profile at {icc_profile}")
    chosen = select(content, only)
    out_dir.mkdir(parents=True, exist_ok=True)
    logo = (content_path.parent / content.brand.logo).resolve()
    writer = PdfWriter(
        TEMPLATES / "css", assets=[TEMPLATES, logo], generated=booking_qr(content), icc_profile=icc_profile
    )
    env = environment()
    outputs = []
    for shop in (False, True) if print_shop else (False,):
        for edition in chosen:
            html = render_html(content, edition, paper, logo.as_uri(), env, print_shop=shop)
            what = f"{edition.name} ({paper}{', print shop' if shop else ''})"
            rendered = writer.render(html, edition.stylesheets(paper, shop), edition.max_pages, what, shop)
            target = confined(out_dir, edition.filename(paper, shop))
            write_atomically(target, rendered.data)
            digest = hashlib.sha256(rendered.data).hexdigest()
            output = Output(target.name, edition.name, paper, rendered.pages, len(rendered.data), digest, shop)
            report(output)
            outputs.append(output)
    write_manifest(out_dir, content, outputs)
    write_gallery(out_dir, outputs, {e.name: e.description for e in chosen}, content.condition.title)
    return outputs


def confined(out_dir: Path, name: str) -> Path:
    """`out_dir / name`, refusing any name that would land outside `out_dir`."""
    root = out_dir.resolve()
    target = (root / name).resolve()
    if target.parent != root:
        raise BuildError(f"refusing to write {name!r} outside {out_dir}")
    return target


def write_manifest(out_dir: Path, content: Content, outputs: list[Output]) -> None:
    """Record every file with its hash, so an approved leaflet can be recognised."""
    manifest = {
        "reference": content.governance.reference,
        "content_version": content.governance.version,
        "published": content.governance.published.isoformat(),
        "review_by": content.governance.review_by.isoformat(),
        "files": [asdict(o) for o in outputs],
    }
    write_atomically(out_dir / MANIFEST, (json.dumps(manifest, indent=2) + "\n").encode())
