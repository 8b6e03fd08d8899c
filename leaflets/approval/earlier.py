"""The earlier version of the content to compare with: a revision of the git repository that holds the content,
or a saved copy of the content file (or of its folder).

From git, the content file is read as it was at that revision (`git cat-file blob REV:path`, as `git show
REV:path` shows it), with the files it names as they were: its translations and their records of the master,
the logo, the figures, the term lists, the wording file and the fonts folder. They are written, in the same
places relative to each other, into a folder of the run's own, and loaded from there like any content.
"""

from __future__ import annotations

import posixpath
import subprocess
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import yaml

from leaflets.content.load import display_path
from leaflets.content.sources import Source, load_sources
from leaflets.content.translations import record_path
from leaflets.errors import ContentError, UsageError


@dataclass(frozen=True)
class Earlier:
    """The earlier content file, with the files it names beside it as they were."""

    content: Path
    described: str  # how the report names it: 'HEAD (commit 1a2b3c4 of 2026-11-02)', or 'saved/content.yaml'
    renamed: tuple[Path, str] | None = None  # (the folder written to, what messages show instead): 'REV:path'

    def sources(self) -> list[Source]:
        """The earlier master and its translations (see plan.load_sources); problems name the revision's files."""
        try:
            return load_sources(self.content)
        except ContentError as error:
            if self.renamed is None:
                raise
            folder, instead = self.renamed
            problems = [
                replace(p, file=_renamed(p.file, folder, instead), message=_renamed(p.message, folder, instead))
                for p in error.problems
            ]
            raise ContentError(problems) from None


def _renamed(text: str, folder: Path, instead: str) -> str:
    """`text` with the files of `folder` named as `instead` names them (as messages show paths, either way)."""
    for shown in (str(folder), display_path(folder)):
        text = text.replace(shown + "/", instead)
    return text


def earlier_content(ref: str, content_path: Path, folder: Path) -> Earlier:
    """The content as it was at `ref`: a saved content file, a folder holding one named like `content_path`, or
    a git revision of the repository holding `content_path` (its files written into `folder`)."""
    saved = Path(ref)
    if saved.is_dir():
        saved = saved / content_path.name
        if not saved.is_file():
            raise UsageError(f"--since {ref}: that folder has no {content_path.name}; name the saved content file")
    if saved.is_file():
        return Earlier(saved, display_path(saved))
    return _from_git(ref, content_path, folder)


def _from_git(ref: str, content_path: Path, folder: Path) -> Earlier:
    """Write the content file and the files it names, as they were at the revision `ref`, into `folder`."""
    here = content_path.resolve().parent
    prefix = _git(here, ref, "rev-parse", "--show-prefix")
    if prefix is None:
        raise UsageError(
            f"--since {ref}: there is no file or folder {ref!r}, and {display_path(content_path)} is not in a git "
            "repository, so no earlier revision of it can be read; give a saved copy of the approved content file "
            "(or of its folder) instead"
        )
    prefix = prefix.strip()
    commit = _git(here, ref, "rev-parse", "--verify", "--quiet", "--end-of-options", f"{ref}^{{commit}}")
    if commit is None:
        top = (_git(here, ref, "rev-parse", "--show-toplevel") or "").strip()
        raise UsageError(
            f"--since {ref}: no revision {ref!r} in the git repository at {top} (and no file or folder of that "
            "name); give a commit, branch or tag, like HEAD or HEAD~1, or a saved content file"
        )
    commit = commit.strip()
    short, date = (_git(here, ref, "show", "-s", "--format=%h %cs", commit) or "? ?").split()
    exported = _Export(here, ref, commit, prefix, folder)
    name = content_path.name
    if not exported.file(name):
        raise UsageError(
            f"--since {ref}: {prefix}{name} is not in revision {ref} (commit {short}); was the content file named "
            "differently then? Give that version as a saved file instead"
        )
    return Earlier(folder / name, f"{ref} (commit {short} of {date})", (folder, f"{ref}:{prefix}"))


def _git(where: Path, ref: str, *args: str) -> str | None:
    """What a git command prints in the folder `where`, or None if it fails."""
    done = _run_git(where, ref, args)
    return done.stdout.decode("utf-8", "replace") if done.returncode == 0 else None


def _run_git(where: Path, ref: str, args: Sequence[str]) -> subprocess.CompletedProcess[bytes]:
    try:
        return subprocess.run(["git", "-C", str(where), *args], capture_output=True, check=False)
    except FileNotFoundError:
        raise UsageError(
            f"--since {ref}: git is not installed, so no revision can be read; give a saved content file instead"
        ) from None


@dataclass(frozen=True)
class _Export:
    """Copies files of one revision, named relative to the content's folder, into a folder of ours."""

    here: Path
    ref: str
    commit: str
    prefix: str  # the content's folder within the repository ('' at its top, else ending in '/')
    folder: Path
    copied: set[str] = field(default_factory=set)

    def file(self, name: str) -> bool:
        """Copy the content file or translation `name` and every file it names; False if the revision lacks it."""
        data = self._blob(name)
        if data is None:
            return False
        if posixpath.normpath(name) in self.copied:
            return True  # a file that lists itself, or one listed twice: the loader says what is wrong
        self.copied.add(posixpath.normpath(name))
        self._write(name, data)
        base = posixpath.dirname(name)
        for named, is_folder in _named_files(data):
            relative = posixpath.join(base, named)
            if is_folder:
                self._folder(relative)
            elif named in _translations(data):
                self.file(relative)
                record = str(record_path(Path(relative)).as_posix())
                self._copy(record)
            else:
                self._copy(relative)
        return True

    def _copy(self, name: str) -> None:
        data = self._blob(name)
        if data is not None:
            self._write(name, data)

    def _folder(self, name: str) -> None:
        listed = _git(self.here, self.ref, "ls-tree", "-r", "-z", "--name-only", self.commit, "--", self.prefix + name)
        for path in (listed or "").split("\0"):
            if path.startswith(self.prefix):
                self._copy(path.removeprefix(self.prefix))

    def _blob(self, name: str) -> bytes | None:
        """The bytes of `name` at the revision, or None when it is not there (or names a place outside)."""
        if _outside(name):
            return None  # the loader then says the file is missing, as for any content naming it
        where = f"{self.commit}:{self.prefix}{posixpath.normpath(name)}"
        done = _run_git(self.here, self.ref, ["cat-file", "blob", where])
        return done.stdout if done.returncode == 0 else None

    def _write(self, name: str, data: bytes) -> None:
        target = self.folder / posixpath.normpath(name)
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(data)


def _outside(name: str) -> bool:
    """Whether a name the content gives leads out of its folder (the schema refuses it when loaded)."""
    normal = posixpath.normpath(name)
    return not name or "\0" in name or normal.startswith(("/", "../")) or normal == ".."


def _named_files(data: bytes) -> Iterator[tuple[str, bool]]:
    """The files (and the fonts folder) a content file names, as (name, is a folder); none if it cannot be read."""
    content = _parsed(data)
    brand, quality = content.get("brand"), content.get("quality")
    for name, is_folder in (
        (brand.get("logo") if isinstance(brand, dict) else None, False),
        (content.get("strings"), False),
        (quality.get("medical_terms") if isinstance(quality, dict) else None, False),
        (content.get("fonts"), True),
        *((name, False) for name in _translations(data)),
        *((name, False) for name in _figures(content)),
    ):
        if isinstance(name, str):
            yield name, is_folder


def _figures(content: dict[str, Any]) -> Iterator[object]:
    """The files the sections' figures name (`cause_leaflets[].sections[].figure.file`), as far as they are there."""
    leaflets = content.get("cause_leaflets")
    for leaflet in leaflets if isinstance(leaflets, list) else []:
        sections = leaflet.get("sections") if isinstance(leaflet, dict) else None
        for section in sections if isinstance(sections, list) else []:
            figure = section.get("figure") if isinstance(section, dict) else None
            if isinstance(figure, dict):
                yield figure.get("file")


def _translations(data: bytes) -> list[str]:
    named = _parsed(data).get("translations")
    return [name for name in named if isinstance(name, str)] if isinstance(named, list) else []


def _parsed(data: bytes) -> dict[str, Any]:
    """The content file as plain data (its problems are reported when it is loaded, not here)."""
    try:
        parsed = yaml.safe_load(data)
    except (yaml.YAMLError, UnicodeDecodeError):
        return {}
    return parsed if isinstance(parsed, dict) else {}
