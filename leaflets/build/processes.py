"""What the two process pools share (the leaflets' in workers.py, the handouts' in discharge.py).

How many workers to start, how to fork them without losing a Ctrl-C, and workers
that leave Ctrl-C to their parent and never outlive it: no orphan keeps rendering
(for handouts, patient data) after the command has ended.
"""

from __future__ import annotations

import contextlib
import ctypes
import os
import signal
import sys
import tempfile
import threading
import time
from collections.abc import Iterator

STOPPING = {signal.SIGINT, signal.SIGTERM}
PR_SET_PDEATHSIG = 1  # Linux prctl(2): a signal for this process when its parent ends


def cores() -> int:
    """The cores this process may run on: the default number of workers."""
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1


@contextlib.contextmanager
def signals_held() -> Iterator[None]:
    """Hold Ctrl-C and SIGTERM (while workers are forked, or a C extension loads); they arrive right after."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    before = signal.pthread_sigmask(signal.SIG_BLOCK, STOPPING)
    try:
        yield
    finally:
        signal.pthread_sigmask(signal.SIG_SETMASK, before)


def become_worker(parent: int, temp: str, death: signal.Signals = signal.SIGKILL) -> None:
    """In a freshly forked worker: ignore Ctrl-C (the parent handles it), end with the parent (by the signal
    `death`), and keep temporary files (WeasyPrint's font folders) in `temp`, which the parent removes."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    signal.pthread_sigmask(signal.SIG_UNBLOCK, STOPPING)
    _end_with_parent(parent, death)
    tempfile.tempdir = temp


def _end_with_parent(parent: int, death: signal.Signals = signal.SIGKILL) -> None:
    """Never outlive the parent, however it ends (even SIGKILL)."""
    if sys.platform.startswith("linux"):
        ctypes.CDLL(None, use_errno=True).prctl(PR_SET_PDEATHSIG, death)
    else:  # elsewhere, a thread watches for the parent to go

        def watch() -> None:
            while os.getppid() == parent:
                time.sleep(0.5)
            os._exit(1)

        threading.Thread(target=watch, daemon=True).start()
    if os.getppid() != parent:  # it ended before the line above took effect
        os._exit(1)
