"""Publishing a build's set of files all or nothing.

The output folder always holds one published set: its PDFs, `index.html` with `thumbnails/`, and
`manifest.json` listing exactly those PDFs with their hashes.

A build writes what it makes into `OUT/.staging-XXXX/`, on the same file system as OUT. Only when every
leaflet has passed does it rename that folder to `OUT/.publish-XXXX/`: that rename is the moment the new
set becomes the published one. Then each file is renamed into OUT, the thumbnails folder is swapped,
files of the old set that the new set does not have are removed, and `manifest.json` is renamed in last.
A build that stops before the first rename leaves the old set untouched (its staging folder is removed,
or swept by the next run); a build killed during the renames, a matter of milliseconds, is finished by
the next run before it does anything else, so no later build ever starts from a mixed folder.
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import stat
import tempfile
from collections.abc import Iterator
from pathlib import Path

from leaflets.errors import BuildError
from leaflets.pipeline.files import locked_folder, remove_partial_files, sync_folder
from leaflets.pipeline.processes import signals_held

MANIFEST = "manifest.json"
THUMBNAILS = "thumbnails"
STAGING = ".staging-"
PUBLISHING = ".publish-"
_OLD_THUMBNAILS = ".old-thumbnails"


@contextlib.contextmanager
def output_folder(out_dir: Path, shown: str) -> Iterator[None]:
    """Create `out_dir` if needed and hold it for this build; first finish or sweep what a killed build left."""
    out_dir.mkdir(parents=True, exist_ok=True)
    busy = f"another build is writing to {shown} right now; wait for it to finish, or choose another folder with --out"
    with locked_folder(out_dir, busy):
        recover(out_dir)
        yield


def recover(out_dir: Path) -> None:
    """Finish a publish that a killed build had begun; remove staging folders and `.part` files."""
    for entry in sorted(os.scandir(out_dir), key=lambda e: e.name):
        if not entry.is_dir(follow_symlinks=False):
            continue
        if entry.name.startswith(PUBLISHING):
            finish(Path(entry.path))
        elif entry.name.startswith(STAGING):
            shutil.rmtree(entry.path)
    remove_partial_files(out_dir)
    thumbnails = out_dir / THUMBNAILS
    if thumbnails.is_dir() and not thumbnails.is_symlink():
        remove_partial_files(thumbnails)


@contextlib.contextmanager
def staging(out_dir: Path) -> Iterator[Path]:
    """A new, empty staging folder inside `out_dir`; gone at the end unless it was committed.

    Made and removed with Ctrl-C and SIGTERM held: one that arrives as it is made is raised inside the `try`,
    which removes it, and none cuts its removal short."""
    folder = None
    try:
        with signals_held():
            folder = Path(tempfile.mkdtemp(dir=out_dir, prefix=STAGING))
        yield folder
    finally:
        if folder is not None and folder.is_dir():
            with signals_held():
                shutil.rmtree(folder)


def commit(staged: Path) -> list[str]:
    """Publish the staged set (it must hold manifest.json); return the names of old files removed."""
    out_dir = staged.parent
    for entry in os.scandir(staged):
        target = out_dir / entry.name
        if entry.name != THUMBNAILS and target.is_dir() and not target.is_symlink():
            raise BuildError(f"{target} is a folder, where the build must put a file; move it away")
    sync_folder(staged)
    published = staged.with_name(PUBLISHING + staged.name.removeprefix(STAGING))
    os.rename(staged, published)  # the moment the new set is the published one
    try:
        return finish(published)
    except BaseException:
        # Ctrl-C during these renames: finish them now if we can, else the next run does.
        with contextlib.suppress(Exception):
            finish(published)
        raise


def finish(published: Path) -> list[str]:
    """Move a committed set into place, manifest last; each step can be repeated after a kill."""
    out_dir = published.parent
    removed: list[str] = []
    if (published / MANIFEST).is_file():
        new = listed(published)
        for entry in os.scandir(published):
            if entry.is_file(follow_symlinks=False) and entry.name != MANIFEST:
                os.replace(entry.path, out_dir / entry.name)
        _swap_thumbnails(published)
        for name in sorted(listed(out_dir) - new):
            if _remove(out_dir, name):
                removed.append(name)
        os.replace(published / MANIFEST, out_dir / MANIFEST)
        sync_folder(out_dir)
    shutil.rmtree(published)
    return removed


def listed(folder: Path) -> set[str]:
    """The file names a folder's manifest lists (none if it has no readable manifest)."""
    try:
        files = json.loads((folder / MANIFEST).read_text(encoding="utf-8"))["files"]
        return {str(entry["file"]) for entry in files}
    except (OSError, ValueError, KeyError, TypeError):
        return set()


def _swap_thumbnails(published: Path) -> None:
    """Put the new thumbnails folder in place of the old one (a folder, a file or a symbolic link)."""
    new = published / THUMBNAILS
    if not new.is_dir():
        return
    target, old = published.parent / THUMBNAILS, published / _OLD_THUMBNAILS
    if os.path.lexists(target):
        if old.is_dir() and not old.is_symlink():
            shutil.rmtree(old)
        elif os.path.lexists(old):
            old.unlink()
        os.rename(target, old)  # moves a link itself, never what it points to
    os.rename(new, target)


def _remove(out_dir: Path, name: str) -> bool:
    """Remove one file of the old set; a name from the manifest never reaches outside the folder."""
    if not name or "/" in name or name.startswith("."):
        return False
    path = out_dir / name
    try:
        mode = path.lstat().st_mode
    except FileNotFoundError:
        return False
    if stat.S_ISDIR(mode):
        return False
    path.unlink()
    return True
