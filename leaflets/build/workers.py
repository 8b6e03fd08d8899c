"""Making the leaflets that changed: in this process, or in a pool of warm worker processes, one per core.

Each worker keeps one PDF writer (WeasyPrint's font configuration and the parsed stylesheets) for the
whole build, like the discharge pool does. A worker renders a leaflet from the HTML the build gives it,
checks the laid-out pages and the written PDF, writes the PDF into the staging folder and returns what
it found; the build takes the results in the order of its editions, so the quality findings, the gate
and the report are those of a build in one process, and so are the bytes (the PDF depends only on its
HTML, stylesheets, fonts and images, never on which leaflets a writer made before it).
"""

from __future__ import annotations

import contextlib
import gc
import hashlib
import multiprocessing
import os
import pickle
import signal
import tempfile
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass
from functools import partial
from multiprocessing.connection import Connection
from pathlib import Path
from typing import Any

from leaflets.build.files import write_atomically
from leaflets.build.processes import become_worker, signals_held
from leaflets.checks.quality import Finding
from leaflets.content.schema import Content
from leaflets.render.fonts import FontSet
from leaflets.render.html import TEMPLATES, booking_qr, field_namer


@dataclass(frozen=True)
class WriterSettings:
    """What every worker needs to build the same PDF writer."""

    content: Content
    logo: Path
    icc_profile: Path | None
    fonts: FontSet
    colour_names: dict[str, str]  # '#0b6e4f' -> 'brand.colours.primary', for contrast messages


@dataclass(frozen=True)
class Task:
    """One leaflet to make: its HTML and layout, and where its PDF goes."""

    name: str
    style: str
    stylesheets: list[str]
    max_pages: int
    what: str  # how messages name it, e.g. 'overview (a4)'
    print_shop: bool
    html: str
    margins: str  # the margins-only HTML (render_html's `margins_only`)
    target: Path
    writer: int = 0  # which of the session's WriterSettings it is made with (one per language)
    fallbacks: tuple[str, ...] = ()  # HTML that carries less, laid out in turn if `html` does not fit
    least: str = ""  # how the last fallback differs from `html`, for the message when none fits


@dataclass(frozen=True)
class Made:
    """One leaflet written, and what its checks found (none for the print-shop set, which repeats the pages)."""

    pages: int
    bytes: int
    sha256: str
    layout: list[Finding]  # contrast and alt text, from the laid-out pages
    pdf: list[Finding]  # type size and PDF/UA, from the written file
    fit: int = 0  # which HTML fitted: 0 the task's `html`, 1 its first fallback, ...


#: The worker's state: the settings of each writer, and each writer with its field namer once made (`load`,
#: `_writer`; in a worker or in this process).
_state: dict[str, Any] = {}


@contextlib.contextmanager
def renderer(
    settings: Sequence[WriterSettings], jobs: int, tasks: int
) -> Iterator[Callable[[Sequence[Task]], Iterator[Made]]]:
    """A function that makes tasks and yields their results in order: in a pool of up to `jobs` workers when
    there are two tasks or more, else in this process. Either way WeasyPrint loads only if there is a task.
    Each task names its writer's settings in `settings` (Task.writer): one session makes every language."""
    if tasks == 0:
        yield lambda todo: iter(())
        return
    workers = min(jobs, tasks)
    if jobs >= 2 and _preloaded is not None and _preloaded.usable:
        with _preloaded.session(settings, workers) as make_all:
            yield make_all
        return
    # Late: loaded once here, before the workers fork, not once each. With Ctrl-C and SIGTERM held: a signal
    # raised inside a C extension's import (pikepdf's) aborts the process instead of stopping it cleanly.
    with signals_held():
        _load_modules()

    if workers <= 1:
        load(settings)
        try:
            yield lambda todo: (make(task) for task in todo)
        finally:
            _state.clear()
        return
    with _pool(settings, workers) as pool:
        yield partial(_in_order, pool)


@contextlib.contextmanager
def _pool(settings: Sequence[WriterSettings], workers: int) -> Iterator[ProcessPoolExecutor]:
    """Worker processes that end with this one and leave Ctrl-C to it; on any stop, each finishes its leaflet."""
    context = multiprocessing.get_context()
    pool = ProcessPoolExecutor(
        workers,
        mp_context=context,
        initializer=_start_worker,
        initargs=(settings, tempfile.gettempdir(), os.getpid()),
    )
    try:
        with signals_held():  # workers start with Ctrl-C and kill blocked, then ignore Ctrl-C
            pool.submit(int)  # forks every worker now, while the signals are held
        yield pool
    except BaseException:
        pool.shutdown(wait=True, cancel_futures=True)
        raise
    finally:
        pool.shutdown(wait=True)


def _in_order(pool: ProcessPoolExecutor, todo: Sequence[Task]) -> Iterator[Made]:
    """Submit every task at once, the longest first, then yield the results in the order of the tasks."""
    futures = _submit(pool, todo)
    try:
        for index in range(len(todo)):
            yield futures[index].result()
    finally:
        for future in futures.values():
            future.cancel()


def _submit(pool: ProcessPoolExecutor, todo: Sequence[Task]) -> dict[int, Future[Made]]:
    """Every task submitted, the longest first (the most HTML to lay out), so no worker is left with a long
    leaflet alone at the end while the other waits; by index."""
    futures: dict[int, Future[Made]] = {}
    for index in sorted(range(len(todo)), key=lambda i: -len(todo[i].html)):
        futures[index] = pool.submit(make, todo[index])
    return futures


def _load_modules() -> None:
    """Load what making a leaflet needs: WeasyPrint, the checks (pikepdf, pdfua, PDFium)."""
    import pypdfium2  # noqa: F401

    from leaflets.checks import pages  # noqa: F401
    from leaflets.render import pdf  # noqa: F401


def _start_worker(settings: Sequence[WriterSettings], temp: str, parent: int) -> None:
    """A pool worker: ignore Ctrl-C (the parent handles it), end with the parent, then load its writer."""
    become_worker(parent, temp)
    load(settings)


def load(settings: Sequence[WriterSettings]) -> None:
    """Set up this process to make leaflets with a PDF writer (fonts, stylesheets) for each of `settings`,
    each made when a leaflet first needs it, then kept for every leaflet it makes."""
    _state.update(settings=list(settings), writers={})


def _writer(index: int) -> tuple[Any, Callable[[str], str]]:
    """The PDF writer of `settings[index]`, and the namer of its content's fields (for messages)."""
    made: tuple[Any, Callable[[str], str]] | None = _state["writers"].get(index)
    if made is not None:
        return made
    from leaflets.render.pdf import PdfWriter  # late: WeasyPrint only where rendering happens

    settings: WriterSettings = _state["settings"][index]
    content = settings.content
    writer = PdfWriter(
        TEMPLATES / "css",
        assets=[TEMPLATES, settings.logo],
        generated=booking_qr(content),
        icc_profile=settings.icc_profile,
        source_date=content.governance.published,
        fonts=settings.fonts,
    )
    _state["writers"][index] = made = (writer, field_namer(content))
    return made


def unload() -> None:
    """Drop this process's writers (WeasyPrint's font folders go with them, not at interpreter exit)."""
    _state.clear()


def retarget(settings: WriterSettings) -> None:
    """Keep this process's first writer (its settings are the same) but name fields from this content (the
    preview)."""
    _state["settings"][0] = settings
    if 0 in _state["writers"]:
        _state["writers"][0] = (_state["writers"][0][0], field_namer(settings.content))


def make(task: Task) -> Made:
    """Render one leaflet, check its pages and its PDF, and write it (findings are returned, not judged here)."""
    from leaflets.checks.pages import check_layout, check_pdf

    settings: WriterSettings = _state["settings"][task.writer]
    writer, field_of = _writer(task.writer)
    rendered = writer.render(
        task.html,
        task.stylesheets,
        task.max_pages,
        task.what,
        task.print_shop,
        field_of=field_of,
        margins=task.margins,
        fallbacks=task.fallbacks,
        least=task.least,
    )
    layout: list[Finding] = []
    found: list[Finding] = []
    check = None
    if not task.print_shop:  # the print-shop set repeats these pages in CMYK
        layout = check_layout(rendered.document, task.name, settings.colour_names)

        def check(path: Path) -> None:
            found.extend(check_pdf(path, task.name, task.style, rendered.footer_pt))

    write_atomically(task.target, rendered.data, check)
    _thumbnails_to_publish(task.target, rendered.data)
    digest = hashlib.sha256(rendered.data).hexdigest()
    return Made(rendered.pages, len(rendered.data), digest, layout, found, rendered.fit)


def _thumbnails_to_publish(target: Path, data: bytes) -> None:
    """A PDF made for publishing (into a staging folder, publish.py) that is not the one published: its gallery
    thumbnails now, with PDFium loaded here and beside the other leaflets (the gallery takes them as made)."""
    from leaflets.build.gallery import plain_file, write_thumbnails
    from leaflets.build.publish import STAGING

    if target.parent.name.startswith(STAGING) and plain_file(target.parent.parent / target.name) != data:
        write_thumbnails(target.parent, target.name, data)


# --- loading WeasyPrint while the build reads its content ------------------------------------------------------
#
# Loading WeasyPrint and the checks takes a process about 0.4 s, as long as the build takes to read and validate
# its content, render the HTML and check the words. A build command that may make a leaflet (cli.py) therefore
# forks, at its start, one process that loads them meanwhile, on another core (`preloaded`). When the build has
# leaflets to make, that process makes them: it forks its workers (already loaded) or, for a single leaflet, makes
# it itself, and sends the results back in order, as `_in_order` yields them. With nothing to make it is stopped,
# and the build itself never loads WeasyPrint. Several plans in one build (renderers one after the other) share it.


class _Preloaded:
    """The build command's side of the preloaded process: one session per `renderer` that has tasks."""

    def __init__(self, process: Any, connection: Connection) -> None:
        self.process = process
        self.connection = connection
        self.usable = True  # False once a session has ended in an error or an interrupt
        self.sent = False  # a session was sent whose 'idle' (every worker ended) has not been received
        self.waiting = 0  # results of that session not yet received

    @contextlib.contextmanager
    def session(
        self, settings: Sequence[WriterSettings], workers: int
    ) -> Iterator[Callable[[Sequence[Task]], Iterator[Made]]]:
        """`make_all` for `renderer`: the tasks are made there, their results yielded here in order."""

        def make_all(todo: Sequence[Task]) -> Iterator[Made]:
            self._settle()
            # tempfile's folder is the build's scratch folder: WeasyPrint's font folders go there, as here.
            self.connection.send(("make", list(settings), workers, tempfile.gettempdir(), list(todo)))
            self.sent, self.waiting = True, len(todo)
            for _ in todo:
                result = self._receive()
                self.waiting -= 1
                if result[0] == "error":
                    raise result[1]
                if result[0] == "failed":  # an error that could not cross as it was: its class name and message
                    raise type(result[1], (Exception,), {})(result[2])
                yield result[1]

        try:
            yield make_all
        except BaseException:
            self.stop()
            raise
        if self.waiting:  # not every result was taken: stop what is still being made
            self.stop()

    def _receive(self) -> tuple[Any, ...]:
        try:
            result: tuple[Any, ...] = self.connection.recv()
        except (EOFError, OSError):
            self.usable = False
            raise BrokenProcessPool(
                "A process in the process pool was terminated abruptly while the future was running or pending."
            ) from None
        return result

    def _settle(self) -> None:
        """Before a new session: wait for the last one's workers to end (its results are all taken)."""
        while self.sent:
            if self._receive()[0] == "idle":
                self.sent = False

    def stop(self) -> None:
        """After an error or an interrupt: the process cancels what has not started, lets each worker finish
        its leaflet (nothing is left half-written in the staging folder) and ends; wait for that."""
        self.usable = False
        with contextlib.suppress(OSError):
            self.connection.close()  # it sees the end of the pipe
        if self.sent:
            self.process.join()
        self.close()

    def close(self) -> None:
        """End the process: idle, or never given a session, it holds no file and no worker at work."""
        self.usable = False
        with contextlib.suppress(OSError):
            self.connection.close()
        if self.process.is_alive():
            self.process.terminate()  # SIGTERM: see _preload_main
        self.process.join()


#: The build command's preloaded process, while it runs (see `preloaded`).
_preloaded: _Preloaded | None = None


@contextlib.contextmanager
def preloaded(jobs: int) -> Iterator[None]:
    """For the length of a build command with two jobs or more: a process that loads WeasyPrint and the checks
    now, while the build reads its content; the leaflets to make are made there (see above).

    One job renders in the build's own process, as before. Without fork (not Linux), nothing is preloaded.
    """
    global _preloaded
    context = multiprocessing.get_context()
    if jobs < 2 or _preloaded is not None or context.get_start_method() != "fork":
        yield
        return
    here, there = multiprocessing.Pipe()
    process = context.Process(target=_preload_main, args=(there, here, os.getpid(), tempfile.gettempdir()))
    with signals_held():  # it starts with Ctrl-C and kill blocked, then ignores Ctrl-C (as the workers do)
        process.start()
    there.close()
    _preloaded = started = _Preloaded(process, here)
    try:
        yield
    finally:
        _preloaded = None
        started.close()


def _preload_main(connection: Connection, builds_end: Connection, parent: int, temp: str) -> None:
    """The preloaded process: load, then make each session's tasks until the build closes the pipe."""
    builds_end.close()  # forked with both ends: only the build may hold its own, or its closing is never seen
    # SIGTERM when the build ends, however it ends: its default action ends this process at once.
    become_worker(parent, temp, signal.SIGTERM)
    gc.disable()  # loading makes many objects and little garbage: no collection meanwhile
    # Held while loading, as in the build's own process: a kill waits until WeasyPrint has found its libraries, so
    # the lookups' temporary files (ctypes' and the compiler's, which inherits the held signals) are removed.
    with signals_held():
        failed = _result(_load_modules)  # a failure is the first session's error, as it would be in the build
    gc.freeze()  # what is loaded stays: the workers' collections need not go through it again and again
    gc.enable()
    while True:
        try:
            message = connection.recv()
        except Exception:  # the build ended (or stopped while it was sending)
            return
        _, settings, workers, temp, tasks = message
        tempfile.tempdir = temp
        if failed[0] != "made":
            _send(connection, failed)
            return
        try:
            if not _serve(connection, settings, workers, tasks):
                return
        except Exception as error:  # in place of the next result: the build raises it, as it would have
            _send(connection, _failure(error))
            return


def _serve(connection: Connection, settings: list[WriterSettings], workers: int, tasks: list[Task]) -> bool:
    """Make `tasks` and send each result in order (or the first error), then 'idle' once every worker has
    ended. False if the build stopped meanwhile (it closed the pipe)."""
    if connection.poll():  # it stopped before this process had finished loading
        return False
    if workers <= 1:  # one leaflet: made here, no worker to fork
        load(settings)
        try:
            for task in tasks:
                if connection.poll():
                    return False
                result = _result(partial(make, task))
                if not _send(connection, result):
                    return False
                if result[0] == "error":
                    break
        finally:
            unload()
        return _send(connection, ("idle",))
    with _pool(settings, workers) as pool:
        futures = _submit(pool, tasks)
        try:
            for index in range(len(tasks)):
                while not futures[index].done():
                    wait([futures[index]], timeout=0.05, return_when=FIRST_COMPLETED)
                    if connection.poll():
                        return False
                result = _result(futures[index].result)
                if not _send(connection, result):
                    return False
                if result[0] == "error":
                    break
        finally:
            for future in futures.values():
                future.cancel()
    return _send(connection, ("idle",))


def _result(made: Callable[[], Any]) -> tuple[Any, ...]:
    """('made', what `made` returns), or its error as `_failure` sends it."""
    try:
        return ("made", made())
    except Exception as error:
        return _failure(error)


def _failure(error: Exception) -> tuple[Any, ...]:
    """('error', the exception); ('failed', its class name, its message) if it cannot be pickled."""
    try:
        pickle.dumps(error)
    except Exception:
        return ("failed", type(error).__name__, str(error))
    return ("error", error)


def _send(connection: Connection, message: tuple[Any, ...]) -> bool:
    try:
        connection.send(message)
    except OSError:  # the build has gone, or stopped
        return False
    return True
