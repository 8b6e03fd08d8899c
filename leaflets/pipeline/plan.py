"""Stage 4: the whole build, callable from Python without the command line.

load + validate -> render HTML -> write PDF -> manifest, published all or nothing (see publish.py).
"""

from __future__ import annotations

import contextlib
import datetime
import json
import os
import tempfile
from collections.abc import Callable, Iterator, Sequence
from dataclasses import asdict, dataclass, field, fields
from functools import partial
from pathlib import Path
from typing import Any

import jinja2

from leaflets.approval.record import APPROVAL, recorded
from leaflets.checks.plainwords import vocabulary
from leaflets.checks.quality import NOT_CHECKED, WARNING, Finding, check_content, check_fit, failures
from leaflets.content.editions import Edition, Fit, editions, fits, leaving_out
from leaflets.content.fonts import FontSet
from leaflets.content.load import display_path
from leaflets.content.papers import PAPERS
from leaflets.content.schema import Content
from leaflets.content.sources import Source, content_fonts, load_sources, read_content, select
from leaflets.errors import BuildError, Problem, QualityError, UsageError
from leaflets.pipeline.files import describe_os_error, scratch_folder, write_atomically
from leaflets.pipeline.gallery import GALLERY
from leaflets.pipeline.incremental import code_and_templates, edition_digest, inputs_digest, previous_outputs, versions
from leaflets.pipeline.processes import cores
from leaflets.pipeline.processes import start as start_workers
from leaflets.pipeline.publish import MANIFEST, THUMBNAILS, commit, output_folder, staging
from leaflets.pipeline.workers import Made, Task, WriterSettings, renderer
from leaflets.render.html import environment, palette, render_html
from leaflets.theme import SHIPPED, Theme

# WeasyPrint, pikepdf and pypdfium2 are imported only when a leaflet is actually made
# (the HTML is rendered on every build, with Jinja2 alone), so a build with nothing to do
# stays well under a second.

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
    content_version: str = ""  # governance.version of the content it was made from
    language: str = ""  # the language tag of that content
    checks: list[dict[str, Any]] = field(default_factory=list)  # its page checks (PAGE_CHECKS), as in quality.json
    words: list[dict[str, Any]] = field(default_factory=list)  # the checks on its words, carried over when kept

    @classmethod
    def from_entry(cls, entry: dict[str, Any]) -> Output:
        """An entry of manifest.json (keys this version does not know are left out)."""
        known = {f.name for f in fields(cls)}
        return cls(**{key: value for key, value in entry.items() if key in known})


@dataclass(frozen=True)
class Gate:
    """How the quality gate treats this build."""

    strict: bool = False  # warnings stop the build too
    allow_expired: bool = False  # past the review date: print, but mark every page
    today: datetime.date | None = None  # for the review date; None means the clock


def build(
    content_path: Path,
    out_dir: Path,
    paper: str | None = None,
    only: Sequence[str] = (),
    report: Callable[[Output, bool], None] = lambda output, fresh: None,
    print_shop: bool = False,
    icc_profile: Path | None = None,
    gate: Gate = Gate(),
    findings: list[Finding] | None = None,
    check_only: bool = False,
    force: bool = False,
    removed: Callable[[str], None] = lambda name: None,
    jobs: int | None = None,
    languages: Sequence[str] = (),
) -> list[Output]:
    """Check, then build the leaflets into `out_dir` (and the print-shop set if asked); return this build's leaflets.

    Everything is made in a staging folder and published only if every leaflet passed (publish.py):
    `out_dir` holds the previous set, untouched, after any failure or interrupt. A full build publishes
    exactly its set (old files it does not make are removed, each reported to `removed`); with `only`, the
    other leaflets of the last build stay, with their manifest and gallery entries, and with `languages` those
    of the other languages.
    Leaflets whose inputs have not changed since the last build are kept as they are (unless `force`).
    Quality findings are appended to `findings` when given, and written to quality.json.
    With `check_only`, every leaflet is made and checked in a temporary folder and only quality.json is written.
    `report(output, fresh)` is called for each leaflet, `fresh` False when it was kept.
    Leaflets are rendered by `jobs` worker processes (default: one per core); the files, findings and
    reports are the same as with one.
    Every language the content has is built (the master, then each of its `translations`), or those named in
    `languages`.
    """
    raw = read_content(content_path)
    sources = load_sources(content_path, raw, languages)
    paper = paper or sources[0].content.paper
    if paper not in PAPERS:
        raise UsageError(f"unknown paper {paper!r}; choose from: {', '.join(PAPERS)}")
    if icc_profile is not None and not icc_profile.is_file():
        raise UsageError(f"no ICC profile at {icc_profile}")
    log: list[Finding] = [] if findings is None else findings
    plans = [
        plan_for(source, select(source.content, only), paper, print_shop, icc_profile, gate, log, report, jobs)
        for source in sources
    ]
    shown = display_path(out_dir)
    try:
        with output_folder(out_dir, shown), scratch_folder("build", route_tempfile=True) as scratch:
            built = {source.content.language for source in sources}
            # What of the last build stays: with --only, everything else; with --language, the other languages.
            keep: Callable[[dict[str, Any]], bool] | None = None
            if only:
                keep = lambda entry: True  # noqa: E731
            elif languages:
                keep = lambda entry: entry.get("language") not in built  # noqa: E731
            return _run(plans, out_dir, scratch, keep, force, check_only, removed)
    except OSError as error:
        raise BuildError(_explain(error, out_dir, shown, any(plan.published for plan in plans))) from None


def plan_for(
    source: Source,
    chosen: list[Edition],
    paper: str,
    print_shop: bool = False,
    icc_profile: Path | None = None,
    gate: Gate = Gate(),
    log: list[Finding] | None = None,
    report: Callable[[Output, bool], None] = lambda output, fresh: None,
    jobs: int | None = None,
) -> Plan:
    """The plan for one language's leaflets: the one way a plan is made (the build, the live preview and the
    change report), so each draws the leaflets with the same theme, fonts, words and settings."""
    content, content_path = source.content, source.path
    today = gate.today or datetime.date.today()
    expired = today > content.governance.review_by
    logo = (content_path.parent / content.brand.logo).resolve()
    plan = Plan(
        content, logo, chosen, paper, print_shop, icc_profile, expired, gate, [] if log is None else log, report, today
    )
    plan.notes = [_note(problem) for problem in source.notes]
    plan.theme = Theme.beside(content_path)
    plan.env = environment(plan.theme)
    plan.fonts = content_fonts(content, content_path)
    plan.words = vocabulary(content, content_path)
    plan.jobs = max(1, jobs if jobs is not None else cores())
    # What every leaflet shares; the content reaches each one through its own HTML (see incremental.py).
    inputs = [logo, *plan.fonts.fallbacks, *([icc_profile] if icc_profile else [])]
    settings = {
        "paper": paper,
        "expired": expired,
        "source_date": content.governance.published,  # the PDFs' creation date
        "qr": content.brand.booking_url,  # the QR code's image
        "colour_names": plan.colour_names(),  # contrast messages name the brand's colours
        # the checks on the words, carried over with a kept leaflet, depend on these besides its text
        "words": [
            content.quality.model_dump(mode="json"),
            plan.words.terms,
            content.wording["reader_words"],
            versions("wordfreq", "syllapy", "jieba"),
        ],
    }
    plan.digest = partial(_common_digest, inputs, settings, plan.theme)
    return plan


def _note(problem: Problem) -> Finding:
    """What loading a translation noted, as a finding: a field out of date (warning), or freshness not checked."""
    level = NOT_CHECKED if problem.message.startswith("not checked") else WARNING
    return Finding("translation", level, "all", str(problem))


def _common_digest(files: list[Path], settings: dict[str, Any], theme: Theme) -> str:
    """The digest of every input the leaflets share, read afresh (a change during the build is caught)."""
    return inputs_digest([*files, *code_and_templates(theme)], settings)


def _run(
    plans: list[Plan],
    out_dir: Path,
    scratch: Path,
    keep: Callable[[dict[str, Any]], bool] | None,
    force: bool,
    check_only: bool,
    removed: Callable[[str], None],
) -> list[Output]:
    """Make every language's leaflets in one staging folder and publish them together, holding the output folder."""
    intact = {} if check_only else previous_outputs(out_dir)
    log = plans[0].log
    try:
        for plan in plans:
            plan.previous = {} if force or check_only else intact
            plan.common = plan.digest()
            plan.decide()
        if plans[0].jobs >= 2 and any(p.kept is None for plan in plans for p in plan.planned):
            start_workers()  # WeasyPrint loads in the worker runtime meanwhile (processes.py)
        for plan in plans:
            carried = plan.carried_words()  # the words of a kept leaflet were checked when it was made
            gate = (plan.today, plan.gate.allow_expired, plan.words)
            log += plan.notes
            log += check_content(plan.content, plan.chosen, plan.content.wording, *gate, carried, plan.words_found)
        _enforce(log, plans[0].gate.strict)
        if check_only:
            outputs = _make(plans, scratch)
        else:
            with staging(out_dir) as staged:
                outputs = _make(plans, staged)
                if any(plan.digest() != plan.common for plan in plans):
                    raise BuildError(
                        "a template, the logo, the ICC profile or the program changed while the build ran: "
                        "nothing was published; run it again"
                    )
                others = {name: entry for name, entry in intact.items() if keep(entry)} if keep else {}
                published = _published_set(plans, outputs, others)
                if _stage_set(plans, out_dir, staged, published):
                    _save_report(out_dir, log)
                    for name in commit(staged):
                        removed(name)
                    for plan in plans:
                        plan.published = True
    except BaseException:
        with contextlib.suppress(OSError):  # the report of a failed build, if the folder takes it
            _save_report(out_dir, log)
        raise
    _save_report(out_dir, log)
    return outputs


def _make(plans: list[Plan], out_dir: Path) -> list[Output]:
    """Every language's planned leaflets, kept if unchanged, else rendered, checked and written into `out_dir`.

    Those to make are made in one session of `jobs` workers for every language (each with its language's
    writer), so no worker waits at the end of one language for the other to finish; their results are taken in
    order, as one process would make them.
    """
    todo = [plan.tasks(out_dir, index) for index, plan in enumerate(plans)]
    settings = [plan.writer_settings() for plan in plans]
    with renderer(settings, plans[0].jobs, sum(map(len, todo))) as make_all:
        made = make_all([task for tasks in todo for task in tasks])
        return [output for plan in plans for output in plan.outputs(made, out_dir)]


def _save_report(out_dir: Path, log: list[Finding]) -> None:
    """quality.json: the report of this run, whatever became of it (published, failed or check only)."""
    write_atomically(out_dir / QUALITY, (json.dumps([asdict(f) for f in log], indent=2) + "\n").encode())


def _published_set(plans: list[Plan], outputs: list[Output], others: dict[str, dict[str, Any]]) -> list[Output]:
    """What the folder will hold: this build's leaflets, plus (with --only or --language) the last build's others
    still intact; by language (the master's first), then leaflet, then paper."""
    made = {o.file for o in outputs}
    merged = [*outputs, *(Output.from_entry(e) for name, e in others.items() if name not in made)]
    order = [e.name for e in editions(plans[0].content)]
    languages = [plan.content.language for plan in plans]

    def key(o: Output) -> tuple[bool, int, int, str, str]:
        language = languages.index(o.language) if o.language in languages else len(languages)
        edition = order.index(o.edition) if o.edition in order else len(order)
        return o.print_shop, language, edition, o.paper, o.file

    return sorted(merged, key=key)


def _stage_set(plans: list[Plan], out_dir: Path, staged: Path, published: list[Output]) -> bool:
    """Add the gallery and the manifest to the staged PDFs; False if the folder already holds this set."""
    master = plans[0]
    approval = recorded(out_dir)  # kept: the gallery says which leaflets are still the ones approved
    manifest = manifest_bytes(master.content, published, master.fonts, approval)
    gallery_current = _is_plain_file(out_dir / GALLERY) and _is_plain_folder(out_dir / THUMBNAILS)
    if not any(plan.rebuilt for plan in plans) and gallery_current and _read(out_dir / MANIFEST) == manifest:
        return False
    from leaflets.pipeline.gallery import write_gallery  # late: pypdfium2 only when something changed

    every = {e.name: e.description for plan in plans for e in editions(plan.content)}
    sources = {o.file: staged / o.file if (staged / o.file).exists() else out_dir / o.file for o in published}
    write_gallery(staged, published, every, master.content.condition.title, sources, reuse=out_dir, approval=approval)
    write_atomically(staged / MANIFEST, manifest)
    return True


def _is_plain_file(path: Path) -> bool:
    return path.is_file() and not path.is_symlink()


def _is_plain_folder(path: Path) -> bool:
    return path.is_dir() and not path.is_symlink()


def _read(path: Path) -> bytes | None:
    """The bytes of a plain file of the folder (a link is never taken for ours)."""
    try:
        return path.read_bytes() if _is_plain_file(path) else None
    except OSError:
        return None


def _explain(error: OSError, out_dir: Path, shown: str, published: bool) -> str:
    """An OSError during the build, as one sentence that says which folder and what the user can do."""
    where = Path(os.path.abspath(error.filename)) if isinstance(error.filename, str) else None
    temp = Path(os.path.abspath(tempfile.gettempdir()))
    if where is not None and where.is_relative_to(temp) and not where.is_relative_to(os.path.abspath(out_dir)):
        return describe_os_error(error, f"the temporary folder {temp}")
    if where is not None and not where.is_relative_to(os.path.abspath(out_dir)):
        return f"cannot read {where}: {error.strerror}"
    message = describe_os_error(error, shown)
    if published or not out_dir.is_dir():
        return message
    return f"{message} (no leaflet in {shown} was changed)"


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
    today: datetime.date
    previous: dict[str, dict[str, Any]] = field(default_factory=dict)
    digest: Callable[[], str] = lambda: ""  # the shared inputs' digest, computed afresh on each call
    common: str = ""  # digest() as the build started
    rebuilt: int = 0
    published: bool = False  # the new set has replaced the old one in the output folder
    fonts: FontSet = field(default_factory=FontSet)
    words: Any = None  # plainwords.Vocabulary: the clinic's term list and everyday words
    jobs: int = 1  # worker processes for the leaflets to render (see workers.py)
    planned: list[Planned] = field(default_factory=list)  # every edition to publish, kept or to make
    words_found: dict[str, list[Finding]] = field(default_factory=dict)  # each edition's checks on its words
    notes: list[Finding] = field(default_factory=list)  # what loading the content noted (a translation's freshness)
    theme: Theme = SHIPPED  # where its templates and stylesheets are found (a clinic's own first)
    env: jinja2.Environment = field(default_factory=environment)  # the theme's templates, compiled once per plan

    def decide(self) -> None:
        """Render each chosen edition's HTML (then the print-shop set's; Jinja2 only): its digest decides
        whether the last build's PDF is kept."""
        self.planned = []
        for shop in (False, True) if self.print_shop else (False,):
            for edition in self.chosen:
                html = self.html(edition, shop)
                inputs = edition_digest(self.common, edition.name, shop, html)
                self.planned.append(Planned(edition, shop, inputs, html, self._previous(edition, shop, inputs)))

    def carried_words(self) -> dict[str, list[Finding]]:
        """The checks on the words of each kept leaflet, as they were made with it."""
        return {p.edition.label: [Finding(**f) for f in p.kept.words] for p in self.planned if p.kept and not p.shop}

    def tasks(self, out_dir: Path, writer: int) -> list[Task]:
        """The planned editions to make (not kept), into `out_dir`, with the session's writer number `writer`."""
        return [self._task(p.edition, p.shop, p.html, out_dir, writer) for p in self.planned if p.kept is None]

    def outputs(self, made: Iterator[Made], out_dir: Path) -> list[Output]:
        """Every planned edition: kept, or judged from what the next of `made` is (its `tasks`, in order)."""
        outputs = []
        for p in self.planned:
            output = self._keep(p.kept) if p.kept else self._made(p.edition, p.shop, p.inputs, next(made), out_dir)
            self.report(output, p.kept is None)
            outputs.append(output)
        return outputs

    def _previous(self, edition: Edition, shop: bool, inputs: str) -> Output | None:
        """The last build's PDF of this edition, if it was made from exactly these inputs (and checked)."""
        entry = self.previous.get(edition.filename(self.paper, shop))
        if entry is None or entry.get("inputs") != inputs or not (shop or ("checks" in entry and "words" in entry)):
            return None
        return Output.from_entry(entry)

    def _keep(self, kept: Output) -> Output:
        self.log += [Finding(**f) for f in kept.checks if f.get("check") in PAGE_CHECKS]
        _enforce(self.log, self.gate.strict)  # a kept leaflet's old warnings still count under --strict
        return kept

    def _task(self, edition: Edition, shop: bool, html: str, out_dir: Path, writer: int = 0) -> Task:
        what = f"{edition.label} ({self.paper}{', print shop' if shop else ''})"
        target = confined(out_dir, edition.filename(self.paper, shop))
        stylesheets = edition.stylesheets(self.paper, shop)
        margins = self.html(edition, shop, margins_only=True)
        style, pages = edition.style, edition.max_pages
        fitting = fits(self.content, edition)  # the first is `html`; the others carry less, if it does not fit
        fallbacks = tuple(self.html(edition, shop, fit=fit) for fit in fitting[1:])
        least = leaving_out(fitting[0], fitting[-1])
        return Task(
            edition.label, style, stylesheets, pages, what, shop, html, margins, target, writer, fallbacks, least
        )

    def html(self, edition: Edition, shop: bool = False, margins_only: bool = False, fit: Fit | None = None) -> str:
        """The edition's HTML as this plan renders it (render_html, with the plan's compiled templates), laid
        out as `fit` (default: the first of its `fits`)."""
        logo = self.logo.as_uri()
        return render_html(
            self.content,
            edition,
            self.paper,
            logo,
            self.env,
            print_shop=shop,
            expired=self.expired,
            margins_only=margins_only,
            fit=fit,
        )

    def _made(self, edition: Edition, shop: bool, inputs: str, made: Made, out_dir: Path) -> Output:
        """Judge a made leaflet's findings as a build in one process would: the layout's, then the PDF's."""
        before = len(self.log)
        self.log += made.layout
        self.log += [] if shop else check_fit(self.content, edition, made.fit, self.paper)  # shop: the same pages
        _enforce(self.log, self.gate.strict)
        self.log += made.pdf
        _enforce(self.log, self.gate.strict)
        self.rebuilt += 1
        checks = [asdict(f) for f in self.log[before:] if f.leaflet == edition.label and f.check in PAGE_CHECKS]
        words = [] if shop else [asdict(f) for f in self.words_found.get(edition.label, [])]
        return Output(
            edition.filename(self.paper, shop),
            edition.name,
            self.paper,
            made.pages,
            made.bytes,
            made.sha256,
            shop,
            inputs,
            self.content.governance.version,
            self.content.language,
            checks,
            words,
        )

    def writer_settings(self) -> WriterSettings:
        """What every PDF writer for this plan is made from (workers.py): writers made from equal settings
        (and unchanged stylesheets) render this plan's leaflets the same, so the live preview keeps one warm."""
        return WriterSettings(self.content, self.logo, self.icc_profile, self.fonts, self.colour_names(), self.theme)

    def render_leaflet(self, edition: Edition, html: str, out_dir: Path) -> Output:
        """Render, check and write one office-printer leaflet from its `html` (`self.html(edition)`) into `out_dir`
        in this process, with the writer `workers.load()` made; its findings go to `log`, a failing one raises
        QualityError (the live preview)."""
        from leaflets.pipeline.workers import make

        task = self._task(edition, False, html, out_dir)
        return self._made(edition, False, "", make(task), out_dir)

    def colour_names(self) -> dict[str, str]:
        """Names for the colours the leaflets use, for contrast messages ('#0b6e4f' -> 'brand.colours.primary')."""
        brand = self.content.brand.colours.model_dump()
        return {
            value: f"brand.colours.{name}" if name in brand else f"{name} colour"
            for name, value in palette(self.content, print_shop=False).items()
        }


@dataclass(frozen=True)
class Planned:
    """One edition of this build: its inputs' digest and HTML, and the last build's PDF if it can be kept."""

    edition: Edition
    shop: bool
    inputs: str
    html: str
    kept: Output | None


#: Checks made on the rendered leaflet: recorded with it in manifest.json, carried over when it is kept.
PAGE_CHECKS = ("contrast", "images", "type size", "pdf/ua", "panels")


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


def manifest_bytes(
    content: Content, outputs: list[Output], fonts: FontSet | None = None, approval: dict[str, Any] | None = None
) -> bytes:
    """manifest.json: every file with its hash, so an approved leaflet can be recognised, the fonts embedded, and
    the last approval recorded (approval/record.py), whichever files it names."""
    manifest: dict[str, Any] = {
        "reference": content.governance.reference,
        "content_version": content.governance.version,
        "published": content.governance.published.isoformat(),
        "review_by": content.governance.review_by.isoformat(),
        "files": [asdict(o) for o in outputs],
        "fonts": (fonts or FontSet()).manifest(),
        **({APPROVAL: approval} if approval else {}),
    }
    return (json.dumps(manifest, indent=2) + "\n").encode()
