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
import tempfile
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import Future, ProcessPoolExecutor
from dataclasses import dataclass
from functools import partial
from pathlib import Path
from typing import Any

from leaflets.checks.quality import Finding
from leaflets.content.fonts import FontSet
from leaflets.content.schema import Content
from leaflets.pipeline import processes
from leaflets.pipeline.files import write_atomically
from leaflets.pipeline.processes import signals_held
from leaflets.render.html import field_namer, generated_images
from leaflets.theme import SHIPPED, Theme


@dataclass(frozen=True)
class WriterSettings:
    """What every worker needs to build the same PDF writer."""

    content: Content
    logo: Path
    icc_profile: Path | None
    fonts: FontSet
    colour_names: dict[str, str]  # '#0b6e4f' -> 'brand.colours.primary', for contrast messages
    theme: Theme = SHIPPED  # where the stylesheets are found


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
    """A function that makes tasks and yields their results in order: in a pool of up to `jobs` workers, or in
    this process with one job. Either way WeasyPrint loads only if there is a task (here, or in the runtime's
    server, which the build starts as soon as it knows there is one). Each task names its writer's settings in
    `settings` (Task.writer): one session makes every language."""
    if tasks == 0:
        yield lambda todo: iter(())
        return
    if jobs >= 2:
        with _pool(settings, min(jobs, tasks)) as pool:
            yield partial(_in_order, pool)
        return
    # Late: only when there is a leaflet to make. With Ctrl-C and SIGTERM held: a signal raised inside a C
    # extension's import (pikepdf's) aborts the process instead of stopping it cleanly.
    with signals_held():
        _load_modules()
    load(settings)
    try:
        yield lambda todo: (make(task) for task in todo)
    finally:
        _state.clear()


@contextlib.contextmanager
def _pool(settings: Sequence[WriterSettings], workers: int) -> Iterator[ProcessPoolExecutor]:
    """Workers forked from the runtime's server, loaded (processes.py): they end with this process and leave
    Ctrl-C to it; on any stop, each finishes its leaflet before the pool is gone."""
    pool = processes.pool(workers, _start_worker, (settings, tempfile.gettempdir()))
    try:
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
        processes.pause_point("rendering")  # a test's moment to stop the build: its workers are making leaflets
        for index in range(len(todo)):
            yield futures[index].result()
    finally:
        for future in futures.values():
            future.cancel()


def _submit(pool: ProcessPoolExecutor, todo: Sequence[Task]) -> dict[int, Future[Made]]:
    """Every task submitted, the longest first (the most HTML to lay out), so no worker is left with a long
    leaflet alone at the end while the other waits; by index."""
    futures: dict[int, Future[Made]] = {}
    with signals_held():  # each submit may start a worker (see processes.pool)
        for index in sorted(range(len(todo)), key=lambda i: -len(todo[i].html)):
            futures[index] = pool.submit(make, todo[index])
    return futures


def _load_modules() -> None:
    """Load what making a leaflet needs: WeasyPrint, the checks (pikepdf, PDFium)."""
    import pypdfium2  # noqa: F401

    from leaflets.checks import pages  # noqa: F401
    from leaflets.render import pdf  # noqa: F401


def _start_worker(settings: Sequence[WriterSettings], temp: str) -> None:
    """A pool worker: ignore Ctrl-C (the build handles it), end with the build, then load its writer."""
    processes.become_worker(temp)
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
        assets=[settings.logo],
        theme=settings.theme,
        generated=generated_images(content),
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
    from leaflets.pipeline.gallery import plain_file, write_thumbnails
    from leaflets.pipeline.publish import STAGING

    if target.parent.name.startswith(STAGING) and plain_file(target.parent.parent / target.name) != data:
        write_thumbnails(target.parent, target.name, data)
