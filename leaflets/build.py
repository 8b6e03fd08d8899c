"""Stage 4: the whole build, callable from Python without the command line.

load + validate -> render HTML -> write PDF -> manifest.
"""

from __future__ import annotations

import datetime
import hashlib
import json
import tempfile
from collections.abc import Callable, Iterator, Sequence
from dataclasses import asdict, dataclass, field
from functools import partial
from pathlib import Path
from typing import Any

from . import content as content_stage
from .content import text_fields
from .editions import Edition, editions
from .errors import BuildError, QualityError, UsageError
from .files import write_atomically
from .fonts import SHIPPED, FontSet, font_set
from .incremental import code_and_templates, edition_digest, inputs_digest, previous_findings, previous_outputs
from .plainwords import vocabulary
from .quality import Finding, check_content, failures
from .render import (
    PROJECT_ROOT,
    TEMPLATES,
    booking_qr,
    environment,
    field_namer,
    palette,
    render_html,
    strings_table,
)
from .schema import PAPERS, Content
from .yamltree import FieldPath

# WeasyPrint, pdfplumber, pikepdf and pypdfium2 are imported only when a leaflet is
# actually made, so a build with nothing to do stays well under a second.

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
    inputs: str = ""  # digest of everything that made it (see incremental.py)


def load_content(path: Path) -> Content:
    """Read and validate a content file (raises ContentError), including that every character has a font."""

    def characters(content: Content) -> Iterator[tuple[FieldPath, str]]:
        fonts = content_fonts(content, path)
        for where, text in text_fields(content.model_dump(mode="json", exclude={"fonts"})):
            missing = sorted(fonts.missing(text))
            if missing:
                shown = ", ".join(f"U+{ord(ch):04X} {ch!r}" for ch in missing[:3])
                yield (
                    where,
                    (
                        f"has characters no embedded font can print ({shown}); write them another way, or add a "
                        "font that has them to the folder named in `fonts:` (README, 'Fonts')"
                    ),
                )

    return content_stage.load(path, languages=strings_table().keys(), checks=[characters])


def content_fonts(content: Content, content_path: Path) -> FontSet:
    """The fonts a content file's leaflets may use: the shipped face and its `fonts:` folder."""
    return font_set(content_path.parent / content.fonts if content.fonts else None)


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
    report: Callable[[Output, bool], None] = lambda output, fresh: None,
    print_shop: bool = False,
    icc_profile: Path | None = None,
    gate: Gate = Gate(),
    findings: list[Finding] | None = None,
    check_only: bool = False,
    force: bool = False,
) -> list[Output]:
    """Check, then build the leaflets into `out_dir` (and the print-shop set if asked); return what is there.

    Leaflets whose inputs have not changed since the last build are kept as they are (unless `force`).
    Quality findings are appended to `findings` when given, and written to quality.json.
    With `check_only`, every leaflet is made and checked in memory and nothing but quality.json is written.
    `report(output, fresh)` is called for each leaflet, `fresh` False when it was kept.
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
    expired = today > content.governance.review_by
    out_dir.mkdir(parents=True, exist_ok=True)
    logo = (content_path.parent / content.brand.logo).resolve()
    plan = Plan(content, logo, chosen, paper, print_shop, icc_profile, expired, gate, log, report)
    plan.fonts = content_fonts(content, content_path)
    fresh = force or check_only
    plan.previous = {} if fresh else previous_outputs(out_dir)
    plan.old_findings = [] if fresh else previous_findings(out_dir)
    plan.common = inputs_digest(
        [
            content_path.resolve(),
            logo,
            *code_and_templates(TEMPLATES),
            *plan.fonts.fallbacks,
            *([content_path.parent / content.quality.medical_terms] if content.quality.medical_terms else []),
            *([icc_profile] if icc_profile else []),
        ],
        {"paper": paper, "expired": expired},
    )
    try:
        words = vocabulary(content, content_path)
        log += check_content(content, chosen, strings_table()[content.language], today, gate.allow_expired, words)
        _enforce(log, gate.strict)
        with tempfile.TemporaryDirectory(prefix="leaflets-check-") as scratch:
            outputs = plan.make(Path(scratch) if check_only else out_dir)
    finally:
        write_atomically(out_dir / QUALITY, (json.dumps([asdict(f) for f in log], indent=2) + "\n").encode())
    if not check_only:
        write_manifest(out_dir, content, outputs, plan.fonts)
        if plan.rebuilt or not (out_dir / "index.html").exists():
            from .gallery import write_gallery  # late: pypdfium2 only when something changed

            write_gallery(out_dir, outputs, {e.name: e.description for e in chosen}, content.condition.title)
    return outputs


@dataclass
class Plan:
    """One build: what to make, how, and what the last build left that can be kept."""

    content: Content
    logo: Path
    chosen: list[Edition]
    paper: str
    print_shop: bool
    icc_profile: Path | None
    expired: bool
    gate: Gate
    log: list[Finding]
    report: Callable[[Output, bool], None]
    previous: dict[str, dict[str, Any]] = field(default_factory=dict)
    old_findings: list[dict[str, Any]] = field(default_factory=list)
    common: str = ""
    fonts: FontSet = field(default_factory=FontSet)
    rebuilt: int = 0
    _writer: Any = None  # PdfWriter, made on first use: a build with nothing to render never loads WeasyPrint
    _env: Any = None
    _field_of: Any = None

    def make(self, out_dir: Path) -> list[Output]:
        """Every chosen edition (then the print-shop set): kept if unchanged, else rendered, checked, written."""
        outputs = []
        for shop in (False, True) if self.print_shop else (False,):
            for edition in self.chosen:
                inputs = edition_digest(self.common, edition.name, shop)
                kept = self._kept(edition, shop, inputs)
                output = kept or self._render(edition, shop, inputs, out_dir)
                self.report(output, kept is None)
                outputs.append(output)
        return outputs

    def _kept(self, edition: Edition, shop: bool, inputs: str) -> Output | None:
        entry = self.previous.get(edition.filename(self.paper, shop))
        if entry is None or entry.get("inputs") != inputs:
            return None
        self.log += [
            Finding(**f)
            for f in self.old_findings
            if f.get("leaflet") == edition.name and f.get("check") in PAGE_CHECKS
        ]
        _enforce(self.log, self.gate.strict)  # a kept leaflet's old warnings still count under --strict
        return Output(**entry)

    def _render(self, edition: Edition, shop: bool, inputs: str, out_dir: Path) -> Output:
        from .pagechecks import check_layout  # late: WeasyPrint only when rendering

        writer = self._writer or self._new_writer()
        html = render_html(
            self.content, edition, self.paper, self.logo.as_uri(), self._env, print_shop=shop, expired=self.expired
        )
        what = f"{edition.name} ({self.paper}{', print shop' if shop else ''})"
        rendered = writer.render(
            html, edition.stylesheets(self.paper, shop), edition.max_pages, what, shop, field_of=self._field_of
        )
        check = None
        if not shop:  # the print-shop set repeats these pages in CMYK
            self.log += check_layout(rendered.document, edition.name, self._colour_names())
            _enforce(self.log, self.gate.strict)
            check = partial(_check_pdf, edition, rendered.footer_pt, self.log, self.gate.strict)
        target = confined(out_dir, edition.filename(self.paper, shop))
        write_atomically(target, rendered.data, check)
        self.rebuilt += 1
        digest = hashlib.sha256(rendered.data).hexdigest()
        return Output(target.name, edition.name, self.paper, rendered.pages, len(rendered.data), digest, shop, inputs)

    def _new_writer(self) -> Any:
        from .pdf import PdfWriter  # late: WeasyPrint only when rendering

        self._env = environment()
        self._field_of = field_namer(self.content)
        self._writer = PdfWriter(
            TEMPLATES / "css",
            assets=[TEMPLATES, self.logo],
            generated=booking_qr(self.content),
            icc_profile=self.icc_profile,
            source_date=self.content.governance.published,
            fonts=self.fonts,
        )
        return self._writer

    def _colour_names(self) -> dict[str, str]:
        brand = self.content.brand.colours.model_dump()
        return {
            value: f"brand.colours.{name}" if name in brand else f"{name} colour"
            for name, value in palette(self.content, print_shop=False).items()
        }


#: Checks made on the rendered leaflet, carried over from quality.json when a leaflet is kept.
PAGE_CHECKS = ("contrast", "images", "type size", "pdf/ua")


def _check_pdf(edition: Edition, footer_pt: list[float], log: list[Finding], strict: bool, path: Path) -> None:
    from .pagechecks import check_pdf  # late: pdfplumber and pikepdf only when rendering

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


def write_manifest(out_dir: Path, content: Content, outputs: list[Output], fonts: FontSet = SHIPPED) -> None:
    """Record every file with its hash, so an approved leaflet can be recognised."""
    manifest = {
        "reference": content.governance.reference,
        "content_version": content.governance.version,
        "published": content.governance.published.isoformat(),
        "review_by": content.governance.review_by.isoformat(),
        "files": [asdict(o) for o in outputs],
        "fonts": fonts.manifest(),
    }
    write_atomically(out_dir / MANIFEST, (json.dumps(manifest, indent=2) + "\n").encode())
