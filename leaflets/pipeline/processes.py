"""The worker runtime: one server process every pool forks its workers from (the leaflets' in workers.py, the
handouts' in discharge/handouts.py; later the preview's and a service's).

The server is the standard library's forkserver: a fresh interpreter that loads WeasyPrint and the checks once
(preload.py), then forks each worker, already loaded, on request. A command starts it (`start`) only once its
content has passed its checks, so a content error never waits for it; it loads on another core while the command
goes on (the HTML, the checks on the words), and serves every pool until the command's process ends.

Its socket is in a folder multiprocessing makes in the temp directory (`pymp-*`) and removes when the command
ends; the command marks it as its own, so that after a kill the next run removes it (files.claim). Workers start
with Ctrl-C and SIGTERM held, then ignore Ctrl-C (the command handles it) and end with the command however it
ends, a `kill -9` included.
"""

from __future__ import annotations

import contextlib
import multiprocessing
import multiprocessing.util
import os
import signal
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Iterator
from concurrent.futures import ProcessPoolExecutor
from multiprocessing import forkserver, resource_tracker
from multiprocessing.connection import wait
from multiprocessing.context import ForkServerContext
from pathlib import Path
from typing import Any

STOPPING = {signal.SIGINT, signal.SIGTERM}
#: What the server imports before it forks a worker: the command's main module (so no worker imports it again)
#: and what making a leaflet or a handout needs (preload.py).
PRELOAD = ["__main__", "leaflets.pipeline.preload"]

_lock = threading.Lock()
_claimed: list[int] = []  # the lock on the server's socket folder, held while this process lives (files.claim)
_loaded: list[bool] = []  # the server has loaded (`pool`)


def cores() -> int:
    """The cores this process may run on: the default number of workers."""
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1


@contextlib.contextmanager
def signals_held() -> Iterator[None]:
    """Hold Ctrl-C and SIGTERM (while a C extension loads, or a file is made that a `finally` removes); they
    arrive right after."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    before = signal.pthread_sigmask(signal.SIG_BLOCK, STOPPING)
    try:
        yield
    finally:
        signal.pthread_sigmask(signal.SIG_SETMASK, before)


def context() -> ForkServerContext:
    """The start method of every worker: forked from the runtime's server."""
    server = multiprocessing.get_context("forkserver")
    server.set_forkserver_preload(PRELOAD)
    return server


def start() -> None:
    """Start the server, if it is not running: it loads while this process goes on (see above)."""
    from leaflets.pipeline.files import claim, socket_folder, system_temp  # late: files.py imports this module

    context()
    with _lock:
        resource_tracker.ensure_running()  # before the signals are held: it unblocks them once it has started
        # Held: the server (and each worker it forks) starts with them held, so a Ctrl-C while it loads, or before
        # a worker has set itself up, is this process's alone. Outside any scratch folder: the server's socket
        # lives in a folder of the temp directory as long as this process does.
        with signals_held(), _tempfile_in(socket_folder(system_temp())), _imports_as_here():
            forkserver.ensure_running()
            if not _claimed:
                # Removed when this process ends; marked as ours, so the next run removes it after a kill.
                _claimed.append(claim(Path(multiprocessing.util.get_temp_dir())))


@contextlib.contextmanager
def _imports_as_here() -> Iterator[None]:
    """A server started meanwhile imports what this process would, this package included: it gets this process's
    `sys.path` (Python 3.11's forkserver ignores the one it is given, and would take a package installed elsewhere
    over the one beside the command), without its own current folder in front (PYTHONSAFEPATH)."""
    path = os.pathsep.join(entry or os.getcwd() for entry in sys.path)
    saved = {name: os.environ.get(name) for name in ("PYTHONPATH", "PYTHONSAFEPATH")}
    os.environ.update(PYTHONPATH=path, PYTHONSAFEPATH="1")
    try:
        yield
    finally:
        for name, value in saved.items():
            if value is None:
                del os.environ[name]
            else:
                os.environ[name] = value


@contextlib.contextmanager
def _tempfile_in(folder: str) -> Iterator[None]:
    before, tempfile.tempdir = tempfile.tempdir, folder
    try:
        yield
    finally:
        tempfile.tempdir = before


def pool(workers: int, initializer: Callable[..., None], initargs: tuple[Any, ...]) -> ProcessPoolExecutor:
    """Up to `workers` processes forked from the server, each set up by `initializer`, once the server has loaded
    (started now if need be; the wait can be interrupted).

    Submit to it with Ctrl-C and SIGTERM held (`signals_held`): each submit may start a worker, and a start cut
    short would leave a process that fails, with a traceback, once this one has gone."""
    start()
    if not _loaded:
        # A process that does nothing: the server forks none until it has loaded.
        probe = context().Process(target=int, name="server-loaded")
        probe.start()
        probe.join()
        _loaded.append(True)
    return ProcessPoolExecutor(workers, mp_context=context(), initializer=initializer, initargs=initargs)


def become_worker(temp: str) -> None:
    """In a new worker: ignore Ctrl-C (the command handles it), end with the command, and keep temporary files
    (WeasyPrint's font folders) in `temp`, which the command removes."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    _end_with_parent()
    signal.pthread_sigmask(signal.SIG_UNBLOCK, STOPPING)
    tempfile.tempdir = temp


def _end_with_parent() -> None:
    """Never outlive the command, however it ends (even SIGKILL): a thread waits for its end of the pipe that
    the command holds open while it lives, then ends this process."""
    parent = multiprocessing.parent_process()
    if parent is None:
        return
    sentinel = parent.sentinel

    def watch() -> None:
        wait([sentinel])
        os._exit(1)

    # Started while Ctrl-C and SIGTERM are held, so they stay held in this thread: they go to the main one.
    threading.Thread(target=watch, name="end-with-parent", daemon=True).start()


# --- a seam for tests: stop at a named point --------------------------------------------------------------------

#: With PAUSE_AT=NAME and PAUSE_FILE=PATH in its environment, a process that reaches the pause point NAME creates
#: PATH (empty) and waits there, once, so a test acts (sends a signal, kills a worker) at a moment it chose, not
#: after a guessed delay. It goes on once the test writes GO into PATH, or once `released()` is true; a signal's
#: handler (Ctrl-C, Terminated) raises inside the wait, as it would anywhere else.
PAUSE_AT, PAUSE_FILE, GO = "LEAFLETS_PAUSE_AT", "LEAFLETS_PAUSE_FILE", "go"
_paused: set[str] = set()


def pause_point(name: str, released: Callable[[], bool] = lambda: False) -> None:
    """Wait here if a test asked for it (see above); do nothing otherwise."""
    if os.environ.get(PAUSE_AT) != name or name in _paused:
        return
    _paused.add(name)
    reached = Path(os.environ[PAUSE_FILE])
    with contextlib.suppress(FileExistsError):  # another worker has reached it first
        reached.touch(exist_ok=False)
    while reached.read_text() != GO and not released():
        time.sleep(0.02)
