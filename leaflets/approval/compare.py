"""What changed since the approved version: the two contents compared field by field, and the leaflets whose
HTML changed made from both and compared page by page.

Both versions go through today's templates, stylesheets and program, so only what the content (and the files it
names) says differently shows: a change to a template is not in the report. A leaflet is made again only when
its HTML differs (the digest the incremental build keeps, incremental.edition_digest), with the build's own
writer (workers.renderer) into folders of the run's own; nothing is written to the output folder but the report.
The review date is not applied: neither version is marked 'past review date'. The quality gate is the build's
job, not the report's: leaflets are compared whatever the checks would say.
"""

from __future__ import annotations

import dataclasses
import datetime
import hashlib
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from pydantic import ValidationError

from leaflets.approval.earlier import earlier_content
from leaflets.approval.fields import DELETED, INSERTED, FieldChange, field_changes, with_change
from leaflets.approval.pages import PdfComparison, compare_pdfs, pages_with, words
from leaflets.content import wording
from leaflets.content.editions import Edition, editions
from leaflets.content.load import display_path
from leaflets.content.schema import Content
from leaflets.content.sources import Source, load_sources, select
from leaflets.content.yamltree import dotted
from leaflets.pipeline.files import scratch_folder
from leaflets.pipeline.gallery import language_name
from leaflets.pipeline.incremental import edition_digest
from leaflets.pipeline.plan import Gate, Plan, Planned, plan_for
from leaflets.pipeline.processes import cores
from leaflets.pipeline.workers import renderer

#: Words either side of a change that the search for its page takes along (fewer words find more pages).
AROUND = 3
#: A field put in or taken out is looked for by its first words.
OPENING = 8


@dataclass(frozen=True)
class Place:
    """Where a changed field is printed: a PDF, and its pages."""

    file: str
    pages: list[int]
    before: bool = False  # the earlier version's pages (a field taken out)


@dataclass(frozen=True)
class FieldReport:
    """A changed field, and each leaflet it changes."""

    change: FieldChange
    places: list[Place]


@dataclass(frozen=True)
class LeafletReport:
    """A PDF that is made differently: changed, new, or no longer made."""

    file: str
    label: str
    description: str
    status: str  # CHANGED, NEW or GONE
    comparison: PdfComparison | None = None  # None for a PDF no longer made


CHANGED, NEW, GONE = "changed", "new", "no longer made"


@dataclass
class LanguageReport:
    """One language's changes."""

    tag: str
    name: str
    fields: list[FieldReport] = field(default_factory=list)
    leaflets: list[LeafletReport] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class Report:
    """What changed between the earlier content and the new."""

    since: str  # how the earlier version is named: 'HEAD (commit 1a2b3c4 of 2026-11-02)'
    content: str  # the new content file, as the user typed it
    title: str  # the condition's title, in the master's language
    version_before: str
    version_after: str
    paper: str
    languages: list[LanguageReport]
    rendered: int  # PDFs made to compare pages
    made_on: datetime.date

    @property
    def changed(self) -> bool:
        return any(language.fields or language.leaflets or language.notes for language in self.languages)


def compare(
    content_path: Path,
    ref: str,
    paper: str | None = None,
    only: Sequence[str] = (),
    languages: Sequence[str] = (),
    jobs: int | None = None,
) -> Report:
    """Compare the content at `content_path` with its version `ref` (a git revision, or a saved content file)."""
    with scratch_folder("changes", route_tempfile=True) as scratch:
        earlier = earlier_content(ref, content_path, scratch / "earlier")
        new_sources = load_sources(content_path, languages=languages)
        old_sources = {wording.base(s.content.language): s for s in earlier.sources()}
        paper = paper or new_sources[0].content.paper
        sides = [_Language(old_sources.get(wording.base(s.content.language)), s, paper, only) for s in new_sources]
        rendered = _render(sides, scratch, jobs or cores())
        reports = [side.report(scratch) for side in sides]
        if not languages:
            reports += _languages_gone(old_sources, new_sources)
        master = new_sources[0].content
        return Report(
            earlier.described,
            display_path(content_path),
            master.condition.title,
            next(iter(old_sources.values())).content.governance.version,
            master.governance.version,
            paper,
            reports,
            rendered,
            datetime.date.today(),
        )


def _languages_gone(old: dict[str, Source], new: list[Source]) -> list[LanguageReport]:
    """A note for each language the earlier content had a translation in and the new one has not."""
    made = {wording.base(s.content.language) for s in new}
    gone = []
    for tag, source in old.items():
        if tag not in made:
            report = LanguageReport(source.content.language, language_name(source.content.language))
            report.notes.append(f"The content no longer has a translation in this language ({source.path.name}).")
            gone.append(report)
    return gone


def _plan(source: Source, chosen: list[Edition], paper: str) -> Plan:
    """A build plan for one version of one language: its leaflets drawn as the build draws them, never expired."""
    return plan_for(source, chosen, paper, gate=Gate(today=source.content.governance.published))


class _Language:
    """One language in both versions: which leaflets changed, which fields, and where each is printed."""

    def __init__(self, old: Source | None, new: Source, paper: str, only: Sequence[str]) -> None:
        self.source, self.earlier = new, old
        self.new = _plan(new, select(new.content, only), paper)
        self.html = {e.name: self.new.html(e) for e in self.new.chosen}
        self.old: Plan | None = None
        self.old_html: dict[str, str] = {}
        self.fields: list[FieldChange] = []
        self.data = new.content.model_dump(mode="json"), old.content.model_dump(mode="json") if old else {}
        if old is not None:
            chosen = [e for e in editions(old.content) if not only or e.name in only]
            self.old = _plan(old, chosen, paper)
            same = self.old.logo.as_uri(), self.new.logo.as_uri()
            # The earlier logo sits elsewhere: its HTML names it where the new one is (its bytes are compared apart).
            self.old_html = {e.name: self.old.html(e).replace(*same) for e in chosen}
            self.fields = field_changes(self.data[1], self.data[0])
        new_shared, old_shared = _shared(self.new), _shared(self.old) if self.old else ""
        self.changed = [
            name
            for name, html in self.html.items()
            if name not in self.old_html
            or edition_digest(new_shared, name, False, html)
            != edition_digest(old_shared, name, False, self.old_html[name])
        ]
        self.gone = [name for name in self.old_html if name not in self.html]

    def to_render(self, scratch: Path) -> list[tuple[Plan, Path]]:
        """Each version's plan with the changed leaflets planned, and the folder its PDFs go to."""
        new = [e for e in self.new.chosen if e.name in self.changed]
        self.new.planned = [Planned(e, False, "", self.html[e.name], None) for e in new]
        pairs = [(self.new, scratch / "after")]
        if self.old is not None:
            old = [e for e in self.old.chosen if e.name in self.changed]
            self.old.planned = [Planned(e, False, "", self.old.html(e), None) for e in old]
            pairs.append((self.old, scratch / "before"))
        return pairs

    def report(self, scratch: Path) -> LanguageReport:
        """The language's changes, its PDFs (made by `_render`) compared page by page."""
        content = self.source.content
        report = LanguageReport(content.language, language_name(content.language))
        by_name = {e.name: e for e in self.new.chosen}
        comparisons = {}
        for name in self.changed:
            edition = by_name[name]
            file = edition.filename(self.new.paper)
            before = scratch / "before" / file if name in self.old_html else None
            comparisons[name] = compare_pdfs(before, scratch / "after" / file)
            status = CHANGED if before else NEW
            report.leaflets.append(LeafletReport(file, edition.label, edition.description, status, comparisons[name]))
        if self.old is not None:
            for edition in (e for e in self.old.chosen if e.name in self.gone):
                file = edition.filename(self.new.paper)
                report.leaflets.append(LeafletReport(file, edition.label, edition.description, GONE))
        for change in self.fields:
            places = [self._place(change, by_name[name], comparisons[name]) for name in self._leaflets_of(change)]
            report.fields.append(FieldReport(change, places))
        report.notes += self._notes()
        return report

    def _leaflets_of(self, change: FieldChange) -> list[str]:
        """The changed leaflets this field's change alone changes: the new content with it undone, drawn again."""
        new, old = self.data
        undone = dataclasses.replace(
            change, old=change.new, new=change.old, unit_old=change.unit_new, unit_new=change.unit_old
        )
        try:
            content = Content.model_validate(
                with_change(new, old, undone), context={"base_dir": self.source.path.parent}
            )
        except ValidationError:  # undone alone, it is not valid content: it may be in any leaflet that changed
            return list(self.changed)
        content.use_wording(self.source.content.wording)
        # The figures it names, as loaded (with this change undone, it may name the earlier one's).
        content._images = {**(self.earlier.content._images if self.earlier else {}), **self.source.content._images}
        plan = dataclasses.replace(self.new, content=content)
        drawn = {e.name: e for e in editions(content)}
        return [name for name in self.changed if name not in drawn or plan.html(drawn[name]) != self.html[name]]

    def _place(self, change: FieldChange, edition: Edition, comparison: PdfComparison) -> Place:
        """The pages of the leaflet that print the change (else every page of it that changed)."""
        file = edition.filename(self.new.paper)
        taken_out = change.new is None
        pages = comparison.words_before if taken_out else comparison.words_after
        for needle in _needles(change):
            found = pages_with(needle, pages)
            if found:
                return Place(file, found, taken_out)
        return Place(file, [page.number for page in comparison.changed], taken_out)

    def _notes(self) -> list[str]:
        """Files the content names whose bytes changed (their effect shows in the leaflets, not in any field)."""
        if self.earlier is None:
            return ["A new language: every leaflet in it is new."]
        notes = []
        old, new = self.earlier, self.source
        named = (
            ("logo", old.content.brand.logo, new.content.brand.logo),
            ("wording file (strings)", old.content.strings, new.content.strings),
            (
                "medical-term list (it changes the quality checks, not the leaflets)",
                old.content.quality.medical_terms,
                new.content.quality.medical_terms,
            ),
        )
        for what, before, after in named:
            if _bytes(old.path.parent, before) != _bytes(new.path.parent, after):
                notes.append(f"The {what} is different: {after or before}.")
        pictures = {where: old.content._images.get(figure.file) for where, figure in old.content.figures()}
        for where, figure in new.content.figures():
            if where in pictures and pictures[where] != new.content._images.get(figure.file):
                notes.append(f"The picture of {dotted(where)} is different: {figure.file}.")
        if _shared_fonts(self.old) != _shared_fonts(self.new):
            notes.append(f"The fonts in {new.content.fonts or old.content.fonts} are different.")
        return notes


def _needles(change: FieldChange) -> list[list[str]]:
    """Runs of words to look for on a page to find this change: the changed words with a few either side, then
    the changed words alone (a field put in or taken out: its first words)."""
    if change.old is None or change.new is None:
        return [words(change.new or change.old or "")[:OPENING]]
    after: list[str] = []
    span: list[int] = []
    for run in change.words():
        if run.kind == DELETED:
            span += [len(after)]
        else:
            added = words(run.text)
            if run.kind == INSERTED:
                span += [len(after), len(after) + len(added)]
            after += added
    if not span:
        return []
    start, end = min(span), max(span)
    return [after[max(0, start - AROUND) : end + AROUND], after[start:end]]


def _render(sides: list[_Language], scratch: Path, jobs: int) -> int:
    """Make the changed leaflets of both versions, every language in one session of the build's writer."""
    plans: list[Plan] = []
    todo = []
    for side in sides:
        for plan, folder in side.to_render(scratch):
            folder.mkdir(exist_ok=True)
            todo += plan.tasks(folder, len(plans))
            plans.append(plan)
    with renderer([plan.writer_settings() for plan in plans], jobs, len(todo)) as make_all:
        for _ in make_all(todo):
            pass  # the PDFs are in the folders; their checks are the build's to judge
    return len(todo)


def _shared(plan: Plan) -> str:
    """A digest of what every leaflet of a version shares besides its HTML: the logo's and the fonts' bytes."""
    digest = hashlib.sha256(plan.logo.read_bytes())
    for name, data in _shared_fonts(plan):
        digest.update(name.encode() + b"\0" + data)
    return digest.hexdigest()


def _shared_fonts(plan: Plan | None) -> list[tuple[str, bytes]]:
    return [(path.name, path.read_bytes()) for path in plan.fonts.fallbacks] if plan else []


def _bytes(folder: Path, name: str | None) -> bytes | None:
    try:
        return (folder / name).read_bytes() if name else None
    except OSError:
        return None
