"""Stage 4: the whole build, callable from Python without the command line.

load + validate -> render HTML -> write PDF -> manifest.
"""

from __future__ import annotations

import datetime
import hashlib
import json
import tempfile
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass
from functools import partial
from pathlib import Path

from . import content as content_stage
from .editions import Edition, editions
from .errors import BuildError, QualityError, UsageError
from .gallery import write_gallery
from .pagechecks import check_layout, check_pdf
from .pdf import PdfWriter, write_atomically
from .quality import Finding, check_content, failures
from .render import PROJECT_ROOT, TEMPLATES, booking_qr, environment, palette, render_html, strings_table
from .schema import PAPERS, Content

DEFAULT_CONTENT = PROJECT_ROOT / "content.yaml"
DEFAULT_OUTPUT = PROJECT_ROOT / "output"
MANIFEST = "manifest.json"
QUALITY = "quality.json"
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


@dataclass(frozen=True)
class Gate:
    """How the quality gate treats this build."""

    strict: bool = False  # warnings stop the build too
    allow_expired: bool = False  # past the review date: print, but mark every page
    today: datetime.date | None = None  # for the review date; None means the clock


def build(
    content_path: Path = DEFAULT_CONTENT,
    out_dir: Path = DEFAULT_OUTPUT,
    paper: str | None = None,
    only: Sequence[str] = (),
    report: Callable[[Output], None] = lambda output: None,
    print_shop: bool = False,
    icc_profile: Path | None = None,
    gate: Gate = Gate(),
    findings: list[Finding] | None = None,
    check_only: bool = False,
) -> list[Output]:
    """Check, then build the leaflets into `out_dir` (and the print-shop set if asked); return what was written.

    Quality findings are appended to `findings` when given, and written to quality.json.
    With `check_only`, every leaflet is made and checked in memory and nothing but quality.json is written.
    """
    content = load_content(content_path)
    paper = paper or content.paper
    if paper not in PAPERS:
        raise UsageError(f"unknown paper {paper!r}; choose from: {', '.join(PAPERS)}")
    if icc_profile is not None and not icc_profile.is_file():
        raise UsageError(f"no ICC profile at {icc_profile}")
    chosen = select(content, only)
    log: list[Finding] = [] if findings is None else findings
    today = gate.today or datetime.date.today()
    out_dir.mkdir(parents=True, exist_ok=True)
    try:
        log += check_content(content, chosen, strings_table()[content.language], today, gate.allow_expired)
        _enforce(log, gate.strict)
        with tempfile.TemporaryDirectory(prefix="leaflets-check-") as scratch:
            target_dir = Path(scratch) if check_only else out_dir
            expired = today > content.governance.review_by
            outputs = _make(
                content, content_path, chosen, paper, print_shop, icc_profile, target_dir, expired, gate, log, report
            )
    finally:
        write_atomically(out_dir / QUALITY, (json.dumps([asdict(f) for f in log], indent=2) + "\n").encode())
    if not check_only:
        write_manifest(out_dir, content, outputs)
        write_gallery(out_dir, outputs, {e.name: e.description for e in chosen}, content.condition.title)
    return outputs


def _make(
    content: Content,
    content_path: Path,
    chosen: list[Edition],
    paper: str,
    print_shop: bool,
    icc_profile: Path | None,
    out_dir: Path,
    expired: bool,
    gate: Gate,
    log: list[Finding],
    report: Callable[[Output], None],
) -> list[Output]:
    """Render, check and write every chosen edition (then the print-shop set)."""
    logo = (content_path.parent / content.brand.logo).resolve()
    writer = PdfWriter(
        TEMPLATES / "css", assets=[TEMPLATES, logo], generated=booking_qr(content), icc_profile=icc_profile
    )
    env = environment()
    brand = content.brand.colours.model_dump()
    names = {
        value: f"brand.colours.{name}" if name in brand else f"{name} colour"
        for name, value in palette(content, print_shop=False).items()
    }
    outputs = []
    for shop in (False, True) if print_shop else (False,):
        for edition in chosen:
            html = render_html(content, edition, paper, logo.as_uri(), env, print_shop=shop, expired=expired)
            what = f"{edition.name} ({paper}{', print shop' if shop else ''})"
            rendered = writer.render(html, edition.stylesheets(paper, shop), edition.max_pages, what, shop)
            check = None
            if not shop:  # the print-shop set repeats these pages in CMYK
                log += check_layout(rendered.document, edition.name, names)
                _enforce(log, gate.strict)
                check = partial(_check_pdf, edition, rendered.footer_pt, log, gate.strict)
            target = confined(out_dir, edition.filename(paper, shop))
            write_atomically(target, rendered.data, check)
            digest = hashlib.sha256(rendered.data).hexdigest()
            output = Output(target.name, edition.name, paper, rendered.pages, len(rendered.data), digest, shop)
            report(output)
            outputs.append(output)
    return outputs


def _check_pdf(edition: Edition, footer_pt: list[float], log: list[Finding], strict: bool, path: Path) -> None:
    log += check_pdf(path, edition.name, edition.style, footer_pt)
    _enforce(log, strict)


def _enforce(log: list[Finding], strict: bool) -> None:
    """Stop the build if any finding so far fails the gate."""
    failed = failures(log, strict)
    if failed:
        count = f"{len(failed)} problem{'s' if len(failed) != 1 else ''}"
        lines = [f"  {f.check} ({f.leaflet}): {f.message}" for f in failed]
        raise QualityError("\n".join([f"the quality gate stopped the build, {count}:", *lines]))


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
