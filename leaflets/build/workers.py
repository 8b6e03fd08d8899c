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
import hashlib
import multiprocessing
import os
import tempfile
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import Future, ProcessPoolExecutor
from dataclasses import dataclass
from functools import partial
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
    target: Path


@dataclass(frozen=True)
class Made:
    """One leaflet written, and what its checks found (none for the print-shop set, which repeats the pages)."""

    pages: int
    bytes: int
    sha256: str
    layout: list[Finding]  # contrast and alt text, from the laid-out pages
    pdf: list[Finding]  # type size and PDF/UA, from the written file


#: The worker's state: its settings, PDF writer and field namer (filled by `load`, in a worker or in this process).
_state: dict[str, Any] = {}


@contextlib.contextmanager
def renderer(settings: WriterSettings, jobs: int, tasks: int) -> Iterator[Callable[[Sequence[Task]], Iterator[Made]]]:
    """A function that makes tasks and yields their results in order: in a pool of up to `jobs` workers when
    there are two tasks or more, else in this process. Either way WeasyPrint loads only if there is a task."""
    if tasks == 0:
        yield lambda todo: iter(())
        return
    # Late: loaded once here, before the workers fork, not once each. With Ctrl-C and SIGTERM held: a signal
    # raised inside a C extension's import (pikepdf's) aborts the process instead of stopping it cleanly.
    with signals_held():
        from leaflets.checks import pages  # noqa: F401
        from leaflets.render import pdf  # noqa: F401

    workers = min(jobs, tasks)
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
def _pool(settings: WriterSettings, workers: int) -> Iterator[ProcessPoolExecutor]:
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
    """Submit every task at once, the longest first, then yield the results in the order of the tasks.

    The longest first (most pages allowed, then most HTML), so no worker is left with a long leaflet alone at
    the end while the other waits.
    """
    futures: dict[int, Future[Made]] = {}
    for index in sorted(range(len(todo)), key=lambda i: (-todo[i].max_pages, -len(todo[i].html))):
        futures[index] = pool.submit(make, todo[index])
    try:
        for index in range(len(todo)):
            yield futures[index].result()
    finally:
        for future in futures.values():
            future.cancel()


def _start_worker(settings: WriterSettings, temp: str, parent: int) -> None:
    """A pool worker: ignore Ctrl-C (the parent handles it), end with the parent, then load its writer."""
    become_worker(parent, temp)
    load(settings)


def load(settings: WriterSettings) -> None:
    """Build the PDF writer (fonts, stylesheets) this process uses for every leaflet it makes."""
    from leaflets.render.pdf import PdfWriter  # late: WeasyPrint only where rendering happens

    content = settings.content
    writer = PdfWriter(
        TEMPLATES / "css",
        assets=[TEMPLATES, settings.logo],
        generated=booking_qr(content),
        icc_profile=settings.icc_profile,
        source_date=content.governance.published,
        fonts=settings.fonts,
    )
    _state.update(settings=settings, writer=writer, field_of=field_namer(content))


def unload() -> None:
    """Drop this process's writer (WeasyPrint's font folders go with it, not at interpreter exit)."""
    _state.clear()


def retarget(settings: WriterSettings) -> None:
    """Keep this process's writer (its settings are the same) but name fields from this content (the preview)."""
    _state.update(settings=settings, field_of=field_namer(settings.content))


def make(task: Task) -> Made:
    """Render one leaflet, check its pages and its PDF, and write it (findings are returned, not judged here)."""
    from leaflets.checks.pages import check_layout, check_pdf

    settings: WriterSettings = _state["settings"]
    rendered = _state["writer"].render(
        task.html, task.stylesheets, task.max_pages, task.what, task.print_shop, field_of=_state["field_of"]
    )
    layout: list[Finding] = []
    found: list[Finding] = []
    check = None
    if not task.print_shop:  # the print-shop set repeats these pages in CMYK
        layout = check_layout(rendered.document, task.name, settings.colour_names)

        def check(path: Path) -> None:
            found.extend(check_pdf(path, task.name, task.style, rendered.footer_pt))

    write_atomically(task.target, rendered.data, check)
    return Made(rendered.pages, len(rendered.data), hashlib.sha256(rendered.data).hexdigest(), layout, found)
