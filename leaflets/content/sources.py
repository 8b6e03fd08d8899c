"""Stage 1, whole: a clinic's content and each of its translations, read and validated with their wording and
fonts, ready for the templates (every error found at once, located: load.py).

Nothing here renders or writes: the pipeline, the discharge handouts, the preview, the service and the web
edition all start from `load_sources`.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

from leaflets.content import load as content_stage
from leaflets.content import translations, wording
from leaflets.content.editions import Edition, editions
from leaflets.content.fonts import FontSet, font_set
from leaflets.content.load import display_path, text_fields
from leaflets.content.schema import Content
from leaflets.content.yamltree import FieldPath
from leaflets.errors import ContentError, Problem, UsageError


def read_content(path: Path) -> bytes:
    """The content file's bytes, read once: the build hashes and parses these same bytes."""
    return content_stage.read_bytes(path)


def load_content(
    path: Path,
    raw: bytes | None = None,
    checks: Sequence[content_stage.ContentCheck] = (),
    advice: Sequence[content_stage.ContentCheck] = (),
    notes: list[Problem] | None = None,
    wording_file: Path | None = None,
) -> Content:
    """Read (or take `raw`, the bytes already read) and validate a content file (raises ContentError),
    including that its language has fixed wording and that every character it prints is in a font the
    leaflets embed. The content's wording (shipped, with its `strings:` file, else `wording_file`, over it)
    goes with it."""

    def has_wording(content: Content) -> Iterator[tuple[FieldPath, str]]:
        table = wording.table(path.parent / content.strings if content.strings else wording_file)
        language = wording.base(content.language)
        if language not in table.blocks:
            where = "the file named in `strings:`" if content.strings else "a file named in `strings:`"
            yield (
                ("language",),
                f"no fixed wording for {language!r}: add a block for it to {where} "
                f"(see docs/languages.md); the project has: {', '.join(sorted(table.blocks))}",
            )
            return
        content.use_wording(table.blocks[language])
        problems = table.filled_problems(language, wording.fillings(content))
        if problems:  # they are in the wording file, not the content: stop with them alone, as table() does
            raise ContentError(problems)

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
                        "font that has them to the folder named in `fonts:` (see docs/brand-and-fonts.md)"
                    ),
                )

    return content_stage.load(path, raw, [has_wording, characters, *checks], advice, notes)


@dataclass(frozen=True)
class Source:
    """One language of the leaflets: its content file, and what loading it noted (e.g. out-of-date fields)."""

    path: Path
    content: Content
    notes: tuple[Problem, ...] = ()


@dataclass(frozen=True)
class TranslationRecord:
    """The master's text as it is now, to be kept beside one of its translations that matches it (see
    translations.py): where, its bytes, and what it records, in words."""

    path: Path
    data: bytes
    said: str


def translation_record(content_path: Path, translation: Path) -> TranslationRecord:
    """The record of the master's text for `translation`, one of its translations that matches it (every part
    there, the same version); nothing is written here (`leaflets translated` writes it)."""
    master = load_content(content_path)
    listed = {(content_path.parent / name).resolve() for name in master.translations}
    shown = display_path(translation)
    if translation.resolve() not in listed:
        raise UsageError(
            f"{display_path(content_path)} does not list {shown} under `translations:`; name the content file that "
            f"does with --content (leaflets translated {translation} --content PATH)"
        )
    source = _load_translation(master, content_path, translation)
    version = source.content.translation.version if source.content.translation else None
    if version != master.governance.version:
        raise UsageError(
            f"{shown} says it translates version {version} but {display_path(content_path)} is version "
            f"{master.governance.version}: translate the changes, set `translation: version` to "
            f"{master.governance.version!r}, then run this again"
        )
    record = translations.record_path(translation)
    count = len(translations.mirrored(master))
    said = (
        f"{display_path(record)}: {shown} translates version {version} of {display_path(content_path)} ({count} fields)"
    )
    return TranslationRecord(record, translations.record_bytes(master, display_path(content_path)), said)


def _load_translation(master: Content, master_path: Path, path: Path) -> Source:
    """One translation, checked against its master: every part there (else ContentError), fields out of date.
    Without a `strings:` file of its own, it uses the master's."""
    master_shown = display_path(master_path)
    wording_file = master_path.parent / master.strings if master.strings else None
    notes: list[Problem] = []
    record_file = translations.record_path(path)
    record = translations.read_record(record_file)

    def against_master(content: Content) -> Iterator[tuple[FieldPath, str]]:
        if content.translations:
            yield ("translations",), "a translation lists no translations of its own; list them in the master"
        if content.translation is None:
            yield (
                ("translation",),
                (
                    f"missing: a translation says which version of {master_shown} it translates, e.g. "
                    f'`translation: {{version: "{master.governance.version}"}}`'
                ),
            )
        yield from translations.missing_parts(master, content, master_shown)

    def freshness(content: Content) -> Iterator[tuple[FieldPath, str]]:
        return translations.stale_fields(master, content, master_shown, display_path(path), record, record_file)

    content = load_content(path, checks=[against_master], advice=[freshness], notes=notes, wording_file=wording_file)
    return Source(path, content, tuple(notes))


def load_sources(content_path: Path, raw: bytes | None = None, languages: Sequence[str] = ()) -> list[Source]:
    """The master content and each translation it lists (all, or those in `languages`), master first.

    A translation that lacks a part of the master is a ContentError naming it; its fields whose master text
    changed since it was made come back as notes.
    """
    loaded: list[Source] = []
    master_shown = display_path(content_path)

    def each_translation(master: Content) -> Iterator[tuple[FieldPath, str]]:
        seen = {wording.base(master.language): master_shown}
        for index, name in enumerate(master.translations):
            source = _load_translation(master, content_path, content_path.parent / name)
            language, shown = wording.base(source.content.language), display_path(source.path)
            if language in seen:
                yield ("translations", index), f"{shown} is in {language!r}, like {seen[language]}: one file a language"
                continue
            seen[language] = shown
            loaded.append(source)

    master = load_content(content_path, raw, checks=[each_translation])
    sources = [Source(content_path, master), *loaded]
    if not languages:
        return sources
    tags = {wording.base(s.content.language): s for s in sources}
    unknown = [tag for tag in languages if wording.base(tag) not in tags]
    if unknown:
        raise UsageError(f"no content in {unknown[0]!r}; the content has: {', '.join(tags)}")
    return [s for s in sources if wording.base(s.content.language) in {wording.base(tag) for tag in languages}]


def content_fonts(content: Content, content_path: Path) -> FontSet:
    """The fonts a content file's leaflets may use: the shipped face and its `fonts:` folder (from a collection,
    the face for the content's language)."""
    return font_set(content_path.parent / content.fonts if content.fonts else None, content.language)


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
