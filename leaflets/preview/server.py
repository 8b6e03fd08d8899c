"""Live preview: `python generate.py preview` shows the leaflets in a browser and follows every save.

One warm process renders the leaflets (one PdfWriter, reused while its settings and the stylesheets are
unchanged) into a private scratch folder, never `output/`. A file watcher (watchfiles) sees saves to the
content file, the templates and stylesheets, the logo, the figures, the medical-terms list and the fonts folder; only
the leaflets whose HTML, stylesheets or logo changed are laid out again. The page (templates/preview.html)
asks the local server for the state with a long poll and redraws when its version moves on. A content
error is shown with its FILE:LINE:COL: field, and the last good pages stay. Content only: no patient data.
"""

from __future__ import annotations

import datetime
import hashlib
import http.server
import json
import re
import sys
import threading
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import asdict, dataclass, replace
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

from leaflets.checks.quality import Finding, check_content
from leaflets.content import wording
from leaflets.content.load import display_path
from leaflets.content.sources import Source, load_content, read_content, select
from leaflets.errors import ContentError, LeafletError, UsageError
from leaflets.pipeline import workers
from leaflets.pipeline.pictures import page_pictures, png
from leaflets.pipeline.plan import Plan, plan_for
from leaflets.render.html import booking_qr, environment, figure_files
from leaflets.theme import Theme

HOST = "127.0.0.1"  # this computer only: the page is for whoever edits the content, not the network
PAGE_WIDTH = 560  # pixels: big enough to read the text without opening the PDF
LONG_POLL = 20.0  # seconds a request for a newer state waits before answering with the current one
STEP_MS = 50  # a save is taken once the files have been quiet this long (editors write in bursts)
#: The page's `after=`: the version it shows, -1 before the first; ASCII digits only (int() takes '²' and '٣' too).
VERSION = re.compile(r"-1|[0-9]{1,15}")


@dataclass(frozen=True)
class PageImage:
    """One page as the browser shows it: a PNG named by its digest (so a new image has a new address)."""

    src: str
    png: bytes
    text: str  # the page's text read back from the PDF: what the page really says


@dataclass(frozen=True)
class LeafletView:
    """One leaflet: its last good pages, and what went wrong with the latest attempt (if anything)."""

    name: str
    description: str
    key: str = ""  # digest of what the last attempt was made from (HTML, stylesheets, logo): equal key, same result
    pages: tuple[PageImage, ...] = ()
    findings: tuple[Finding, ...] = ()  # checks on its laid-out pages
    error: str = ""


@dataclass(frozen=True)
class State:
    """What the page shows; `version` goes up on every refresh."""

    version: int = 0
    updated: str = ""
    leaflets: tuple[LeafletView, ...] = ()
    findings: tuple[Finding, ...] = ()  # checks on the words (reading level, plain words, ...)
    problems: tuple[str, ...] = ()  # the content file's problems, each FILE:LINE:COL: field: message
    error: str = ""  # anything else that stopped the refresh

    def public(self) -> dict[str, Any]:
        """The state as JSON for the page (no image bytes: the page fetches those by address)."""
        return {
            "version": self.version,
            "updated": self.updated,
            "problems": list(self.problems),
            "error": self.error,
            "findings": [asdict(f) for f in (*self.findings, *(f for v in self.leaflets for f in v.findings))],
            "leaflets": [
                {
                    "name": v.name,
                    "description": v.description,
                    "error": v.error,
                    "pages": [{"src": p.src, "text": p.text} for p in v.pages],
                }
                for v in self.leaflets
            ],
        }


class Renderer:
    """Renders the chosen leaflets on each refresh, keeping one warm PdfWriter and the last good pages."""

    def __init__(self, content_path: Path, paper: str | None, only: Sequence[str], folder: Path):
        self.content_path = content_path
        self.paper = paper
        self.only = list(only)
        self.folder = folder  # private: this run's scratch folder
        self.state = State()
        self.watched: set[Path] = {content_path.resolve()}  # files outside the templates whose saves count
        self._writer_key: Any = None  # the settings the warm writer (workers.load) was made from

    def refresh(self) -> State:
        """Read the content and re-render the leaflets whose inputs changed; return the new state."""
        views = {v.name: v for v in self.state.leaflets}
        now = datetime.datetime.now().strftime("%H:%M:%S")
        wording.shipped.cache_clear()  # the fixed wording (templates/strings.yaml) may have been saved too
        try:
            plan = self._plan()
        except ContentError as error:
            return self._advance(problems=tuple(str(p) for p in error.problems), updated=now)
        except UsageError as error:
            if not self.state.version:
                raise  # a wrong --only at the start: nothing to show, the command says so
            return self._advance(error=str(error), updated=now)  # since then, the content renamed a leaflet
        except LeafletError as error:
            return self._advance(error=str(error), updated=now)
        strings = plan.content.wording
        words = check_content(plan.content, plan.chosen, strings, plan.today, False, plan.words)
        css = {str(p): p.read_bytes() for p in plan.theme.files() if p.suffix == ".css"}
        settings = plan.writer_settings()
        # What shapes the writer and every page alike (not the words): a change here remakes everything.
        shaping: tuple[Any, ...] = (settings.logo, booking_qr(plan.content), settings.icc_profile)
        shaping += (tuple(figure_files(plan.content)),)  # their names are digests of their bytes
        shaping += (plan.content.governance.published, settings.fonts, tuple(sorted(settings.colour_names.items())))
        shaping += (tuple(css.items()),)
        if shaping != self._writer_key:  # a stylesheet or a setting changed: a new writer parses them afresh
            workers.load([settings])  # the warm writer of this process (workers._state), made when first used
            self._writer_key = shaping
        else:
            workers.retarget(settings)  # the same writer; this content's field names for messages
        shared = hashlib.sha256(repr(shaping).encode() + _read(plan.logo)).hexdigest()
        fresh = []
        for edition in plan.chosen:
            html = plan.html(edition)
            key = hashlib.sha256(f"{shared}:{edition.name}:{html}".encode()).hexdigest()
            view = views.get(edition.name) or LeafletView(edition.name, edition.description)
            if view.description != edition.description:
                view = replace(view, description=edition.description)
            fresh.append(view if view.key == key else self._render(plan, edition, html, view, key))
        return self._advance(leaflets=tuple(fresh), findings=tuple(words), updated=now)

    def _plan(self) -> Plan:
        """A build plan for the current files (raises ContentError for a content problem)."""
        raw = read_content(self.content_path)
        content = load_content(self.content_path, raw)
        chosen = select(content, self.only)
        plan = plan_for(Source(self.content_path, content), chosen, self.paper or content.paper, jobs=1)
        logo = plan.logo
        base = self.content_path.parent
        named = (content.quality.medical_terms, content.strings, *(figure.file for _, figure in content.figures()))
        files = [base / name for name in named if name]
        self.watched = {p.resolve() for p in (self.content_path, logo, *files, *plan.fonts.fallbacks)}
        return plan

    def _render(self, plan: Plan, edition: Any, html: str, view: LeafletView, key: str) -> LeafletView:
        """Lay out one leaflet; its new pages, or the old ones with the reason it could not be made."""
        plan.log = []  # this leaflet's page checks only: the words' findings are shown, not enforced, here
        try:
            output = plan.render_leaflet(edition, html, self.folder)
        except LeafletError as error:
            return replace(view, key=key, findings=tuple(plan.log), error=str(error))  # the last good pages stay
        pages = page_images(self.folder / output.file, edition.name)
        return replace(view, key=key, pages=pages, findings=tuple(plan.log), error="")

    def _advance(self, **changes: Any) -> State:
        """The next state: a content problem keeps the last good leaflets, which stay on the page."""
        base = {"problems": (), "error": ""}
        self.state = replace(self.state, version=self.state.version + 1, **{**base, **changes})
        return self.state


def _read(path: Path) -> bytes:
    try:
        return path.read_bytes()
    except OSError:
        return b""  # a missing logo is the content check's to report


def page_images(pdf: Path, name: str) -> tuple[PageImage, ...]:
    """Each page of `pdf` as a PNG and its text, drawn as the gallery draws its thumbnails."""
    pages = []
    for number, picture in enumerate(page_pictures(pdf, PAGE_WIDTH, text=True), start=1):
        image = png(picture.image)
        digest = hashlib.sha256(image).hexdigest()[:16]
        pages.append(PageImage(f"page/{name}-{number}-{digest}.png", image, picture.text))
    return tuple(pages)


class Board:
    """The state shared between the renderer (main thread) and the server's threads."""

    def __init__(self, title: str) -> None:
        self.title = title
        self._state = State()
        self._images: dict[str, bytes] = {}
        self._changed = threading.Condition()
        self._closed = False

    def publish(self, state: State) -> None:
        """Show `state`; wake every page waiting for a newer one."""
        images = {p.src: p.png for v in state.leaflets for p in v.pages}
        with self._changed:
            self._state, self._images = state, images
            self._changed.notify_all()

    def close(self) -> None:
        """Answer every waiting request now (the preview is stopping)."""
        with self._changed:
            self._closed = True
            self._changed.notify_all()

    def newer_than(self, version: int, timeout: float = LONG_POLL) -> State:
        """The state once its version is above `version`, or the current one after `timeout` seconds."""
        with self._changed:
            self._changed.wait_for(lambda: self._closed or self._state.version > version, timeout)
            return self._state

    def image(self, src: str) -> bytes | None:
        with self._changed:
            return self._images.get(src)


class Handler(http.server.BaseHTTPRequestHandler):
    """GET / (the page), /state?after=N (long poll, JSON) and /page/NAME.png; nothing else."""

    board: Board  # set on the subclass made per server
    page: bytes
    timeout = 10  # an idle connection (a browser's preconnect) does not hold a thread for ever

    def do_GET(self) -> None:
        """Serve the page, the state or a page image; 404 for anything else, 403 for a foreign Host, 400 for a
        query the page never sends."""
        if not self._local_host():
            self._send(403, b"forbidden", "text/plain")
            return
        url = urlsplit(self.path)  # a path: http.server has made a leading // one /
        query = parse_qs(url.query, keep_blank_values=True)
        after = query.pop("after", None) if url.path == "/state" else None
        if query:
            self._send(400, b"bad query: only /state takes one, after=VERSION", "text/plain")
        elif after is not None and (len(after) > 1 or not VERSION.fullmatch(after[0])):
            self._send(400, b"bad query: after must be a version number, like after=12", "text/plain")
        elif url.path == "/":
            self._send(200, self.page, "text/html; charset=utf-8")
        elif url.path == "/state":
            state = self.board.newer_than(int(after[0]) if after else -1)
            self._send(200, json.dumps(state.public()).encode(), "application/json")
        elif (png := self.board.image(url.path.lstrip("/"))) is not None:
            self._send(200, png, "image/png", cache="max-age=31536000, immutable")  # its name is its digest
        else:
            self._send(404, b"not found", "text/plain")

    def _local_host(self) -> bool:
        """Only requests addressed to this computer: a web page cannot reach us by pointing its name here."""
        host = (self.headers.get("Host") or "").rsplit(":", 1)[0]
        return host in (HOST, "localhost")

    def _send(self, status: int, body: bytes, kind: str, cache: str = "no-store") -> None:
        self.send_response(status)
        self.send_header("Content-Type", kind)
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Cache-Control", cache)
        self.send_header("X-Content-Type-Options", "nosniff")
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: Any) -> None:
        """Quiet: the terminal shows one line per refresh, not one per request."""


class Server(http.server.ThreadingHTTPServer):
    """The preview's server: one thread per request."""

    daemon_threads = True  # a request still waiting when we stop must not keep the process alive

    def handle_error(self, request: Any, client_address: Any) -> None:
        """A browser that closed its tab mid-request is normal, not worth a traceback; anything else is."""
        if not isinstance(sys.exc_info()[1], ConnectionError):
            super().handle_error(request, client_address)


def serve(board: Board, port: int) -> tuple[Server, threading.Thread]:
    """Start the local server on 127.0.0.1:`port` (0: a free one) in a thread."""
    page = environment().get_template("preview.html").render(title=board.title, width=PAGE_WIDTH).encode("utf-8")
    handler = type("BoundHandler", (Handler,), {"board": board, "page": page})
    try:
        server = Server((HOST, port), handler)
    except OSError as error:
        taken = f"cannot serve on {HOST}:{port} ({error.strerror})"
        raise UsageError(f"{taken}; choose another --port, or leave it out for a free one") from None
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.2}, name="preview-server")
    thread.start()
    return server, thread


def stop(server: Server, thread: threading.Thread, board: Board) -> None:
    """Stop serving and close the socket; waiting requests are answered first."""
    board.close()
    server.shutdown()
    thread.join()
    server.server_close()


@dataclass
class Watch:
    """Which saves count: any file under the theme's folders (the clinic's own templates, the shipped ones), and
    the renderer's own files (content, logo...)."""

    renderer: Renderer

    def templates(self) -> tuple[Path, ...]:
        return Theme.beside(self.renderer.content_path).folders

    def current_folders(self) -> list[Path]:
        """Folders to watch, each without its subfolders (the content's folder may hold a whole project)."""
        inside = [p for folder in self.templates() for p in [folder, *folder.rglob("*")] if p.is_dir()]
        return sorted({*inside, *(p.parent for p in self.renderer.watched)})

    def counts(self, path: str) -> bool:
        """A save to this path changes what the preview shows."""
        where = Path(path).resolve()
        return where in self.renderer.watched or any(where.is_relative_to(f.resolve()) for f in self.templates())


def follow(renderer: Renderer, board: Board, say: Callable[[str], None]) -> None:
    """Re-render on every save that counts, until interrupted (Ctrl-C raises KeyboardInterrupt here)."""
    import watchfiles  # late: only the preview needs it

    watch = Watch(renderer)
    while True:
        folders = watch.current_folders()
        for changes in watchfiles.watch(
            *folders, watch_filter=lambda change, path: watch.counts(path), step=STEP_MS, recursive=False
        ):
            started = time.perf_counter()
            state = renderer.refresh()
            board.publish(state)
            say(summary(state, [Path(p).name for _, p in changes], time.perf_counter() - started))
            if watch.current_folders() != folders:
                break  # the content now names a logo or fonts folder elsewhere: watch there too


def summary(state: State, changed: Iterable[str], seconds: float) -> str:
    """One terminal line for a refresh."""
    files = ", ".join(sorted(set(changed))) or "files"
    if state.problems:
        count = len(state.problems)
        return f"  {files} saved: {count} problem{'s' if count != 1 else ''} in the content (shown on the page)"
    if state.error:
        return f"  {files} saved: {state.error.splitlines()[0]}"
    failed = [v.name for v in state.leaflets if v.error]
    note = f"; not made: {', '.join(failed)} (see the page)" if failed else ""
    return f"  {files} saved: updated in {seconds:.1f} s{note}"


def run(content_path: Path, paper: str | None, only: Sequence[str], port: int, say: Callable[[str], None]) -> None:
    """The preview command until Ctrl-C: render, serve, follow saves. Cleans up whatever ends it."""
    from leaflets.pipeline.files import scratch_folder

    with scratch_folder("preview", route_tempfile=True) as folder:
        renderer = Renderer(content_path, paper, only, folder)
        board = Board(display_path(content_path))
        first = renderer.refresh()
        board.publish(first)
        server, thread = serve(board, port)
        try:
            names = ", ".join(v.name for v in first.leaflets) or "none yet (fix the content)"
            say(f"Preview of {display_path(content_path)} at http://{HOST}:{server.server_address[1]}/")
            say(f"  leaflets: {names}; this computer only; Ctrl-C to stop")
            follow(renderer, board, say)
        finally:
            stop(server, thread, board)
            workers.unload()
