"""Writing files so that nobody ever sees half of one, and cleaning up after runs that were killed.

- `write_atomically`: a temporary `.NAME.*.part` file, checked, then renamed over the name.
- `locked_folder`: one run at a time per output folder (`fcntl.flock` on the folder itself, so no lock
  file appears among the PDFs or handouts).
- `scratch_folder`, `claim`: a folder of the run's own in the system temp directory, marked as ours and
  locked while the run lives, so a later run can tell a dead run's folder from a live one and remove it.
- `describe_os_error`: an OSError from the file system, in words a user can act on.
"""

from __future__ import annotations

import contextlib
import errno
import fcntl
import os
import re
import shutil
import stat
import tempfile
from collections.abc import Callable, Iterator
from pathlib import Path

from leaflets.errors import BuildError
from leaflets.pipeline.processes import signals_held

#: Temporary files `write_atomically` makes beside the target; a killed run can leave them.
PARTIAL = re.compile(r"\..+\.part")
#: Every scratch folder of ours in the system temp directory starts with this (the rest says which command).
SCRATCH_PREFIX = "leaflets-"
#: The folders a run may claim (`claim`): its scratch folders, and the worker runtime's socket folder, which
#: multiprocessing names (processes.py).
CLAIMED_PREFIXES = (SCRATCH_PREFIX, "pymp-")
#: Inside a scratch folder: the file its owner keeps locked while it runs. Without it, a folder is not ours.
OWNER = ".leaflets-owner"


def write_atomically(path: Path, data: bytes, check: Callable[[Path], None] | None = None, mode: int = 0o644) -> None:
    """Write `data` to `path` so that readers see the old file or the whole new one, never half.

    `check`, if given, inspects the complete temporary file first; if it raises, nothing is written.
    `mode` is set before the file appears under its name (0o600 for patient handouts).
    The rename replaces whatever has the name, a symbolic link included: nothing is written through a link.
    """
    temporary = ""
    try:
        with signals_held():  # a Ctrl-C or kill arrives inside the `try`, which removes the file
            handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".part")
        with os.fdopen(handle, "wb") as stream:
            stream.write(data)
            stream.flush()
            os.fsync(stream.fileno())
        if check is not None:
            check(Path(temporary))
        os.chmod(temporary, mode)
        os.replace(temporary, path)
    except BaseException:
        if temporary:
            with contextlib.suppress(FileNotFoundError):
                os.unlink(temporary)
        raise


def sync_folder(path: Path) -> None:
    """Make the renames in `path` durable (a power cut after this keeps them)."""
    handle = os.open(path, os.O_RDONLY | os.O_DIRECTORY)
    try:
        os.fsync(handle)
    finally:
        os.close(handle)


def remove_partial_files(folder: Path) -> None:
    """Delete the `.part` files a killed run left in `folder` (only call this while holding its lock)."""
    with contextlib.suppress(FileNotFoundError, NotADirectoryError):
        for entry in os.scandir(folder):
            if PARTIAL.fullmatch(entry.name) and entry.is_file(follow_symlinks=False):
                with contextlib.suppress(FileNotFoundError):
                    os.unlink(entry.path)


@contextlib.contextmanager
def locked_folder(path: Path, busy: str) -> Iterator[None]:
    """Hold `path` for this run; raise BuildError(`busy`) if another run holds it.

    The lock goes with the open folder, so it ends when the run ends, however it ends (a kill included).
    """
    handle = os.open(path, os.O_RDONLY | os.O_DIRECTORY)
    try:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise BuildError(busy) from None
        except OSError as error:
            # Some network file systems cannot lock a folder: build unguarded rather than not at all.
            if error.errno not in (errno.ENOLCK, errno.EOPNOTSUPP, errno.EBADF, errno.EINVAL):
                raise
        yield
    finally:
        os.close(handle)


@contextlib.contextmanager
def scratch_folder(kind: str, route_tempfile: bool = False) -> Iterator[Path]:
    """A folder of this run's own in the system temp directory, removed at the end.

    Folders that killed runs left behind are removed first. With `route_tempfile`, Python's `tempfile`
    (and so WeasyPrint's `weasyprint-*` font folders) uses this folder until the end: nothing of ours is
    left loose in the temp directory even if the run is killed.
    """
    before, temp = tempfile.tempdir, tempfile.gettempdir()
    for place in sorted({temp, socket_folder(temp)}):  # the worker runtime's socket folder may be elsewhere
        remove_dead_scratch_folders(place)
    owner = -1
    try:
        with signals_held():  # a Ctrl-C or kill arrives inside the `try`, which removes the folder
            folder = Path(tempfile.mkdtemp(prefix=f"{SCRATCH_PREFIX}{kind}-"))
            owner = claim(folder)
        if route_tempfile:
            _routed_from.append(temp)
            tempfile.tempdir = str(folder)
        yield folder
    finally:
        if owner >= 0:
            if route_tempfile:
                _routed_from.pop()
                tempfile.tempdir = before
            with signals_held():
                shutil.rmtree(folder, ignore_errors=True)
            os.close(owner)


#: The temp directory each scratch folder that routes `tempfile` into itself took the place of, innermost last.
_routed_from: list[str] = []


def system_temp() -> str:
    """The temp directory as it is outside every scratch folder that routes `tempfile` into itself."""
    return _routed_from[0] if _routed_from else tempfile.gettempdir()


def claim(folder: Path) -> int:
    """Mark `folder` as ours, alive while the returned handle is open (the owner file's lock goes with it), so a
    later run removes it once we have gone (`remove_dead_scratch_folders`). The owner file is locked before it
    gets its name: it is never seen unlocked while we live."""
    handle, temporary = tempfile.mkstemp(dir=folder, prefix=".claim-")
    fcntl.flock(handle, fcntl.LOCK_EX)
    os.rename(temporary, folder / OWNER)
    return handle


#: The longest folder the worker runtime's socket can live in: a UNIX socket's path is at most 107 bytes on Linux
#: (103 on macOS), and multiprocessing puts it in FOLDER/pymp-XXXXXXXX/listener-XXXXXXXX (33 more).
SOCKET_FOLDER_MAX = 70


def socket_folder(temp: str) -> str:
    """Where the server's socket folder goes: the temp directory, or /tmp when its path is too long for a socket
    (a deep TMPDIR would otherwise stop every build with 'AF_UNIX path too long')."""
    return temp if len(os.fsencode(temp)) <= SOCKET_FOLDER_MAX else "/tmp"


def remove_dead_scratch_folders(temp: str) -> None:
    """Remove the folders in `temp` that we claimed and whose owner is gone (its lock is free): our scratch folders
    and the worker runtime's (processes.py); leave every other folder alone."""
    try:
        entries = list(os.scandir(temp))
    except OSError:
        return
    for entry in entries:
        if entry.name.startswith(CLAIMED_PREFIXES) and entry.is_dir(follow_symlinks=False):
            with contextlib.suppress(OSError):
                _remove_if_dead(Path(entry.path))


def _remove_if_dead(folder: Path) -> None:
    if folder.lstat().st_uid != os.getuid():
        return
    try:
        handle = os.open(folder / OWNER, os.O_RDONLY | os.O_NOFOLLOW)
    except FileNotFoundError:
        return  # not one of ours (or an old version's): never guess
    try:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            return  # its run is still going
        if stat.S_ISREG(os.fstat(handle).st_mode):
            shutil.rmtree(folder, ignore_errors=True)
    finally:
        os.close(handle)


#: What an OSError means for the user, by errno.
_REASONS = {
    errno.ENOSPC: "the disk is full; free some space and run again",
    errno.EDQUOT: "the disk quota is used up; free some space and run again",
    errno.EROFS: "the file system is read-only",
    errno.EACCES: "permission denied; check the folder's permissions or choose another folder",
    errno.EPERM: "permission denied; check the folder's permissions or choose another folder",
    errno.ENOTDIR: "a file is where a folder should be; move it away or choose another folder",
    errno.EEXIST: "a file is where the folder should be; move it away or choose another folder",
    errno.EISDIR: "a folder is where a file should be; move it away",
    errno.ENOENT: "it is missing (was it removed or unmounted during the run?)",
}


def describe_os_error(error: OSError, folder: str) -> str:
    """`cannot write to FOLDER: REASON`: no file name, so no patient's record id, ever appears in it."""
    reason = _REASONS.get(error.errno or 0, error.strerror or str(error))
    return f"cannot write to {folder}: {reason}"
