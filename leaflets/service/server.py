"""The handout service's process: check the tokens and the content, listen, and serve until stopped
(`leaflets serve`, cli/serve.py; docs/service.md). The one place that chooses the Renderer."""

from __future__ import annotations

import contextlib
import logging
import os
import socket
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import uvicorn

from leaflets.content import wording
from leaflets.content.limits import REQUEST_SECONDS
from leaflets.content.load import display_path
from leaflets.content.sources import Source, load_sources
from leaflets.discharge.handouts import Settings
from leaflets.errors import UsageError
from leaflets.pipeline import processes
from leaflets.pipeline.files import scratch_folder
from leaflets.pipeline.publish import MANIFEST
from leaflets.service.access import AUDIT_SECRET_ENV, Audit, audit_secret, read_tokens
from leaflets.service.app import Language, Service, create_app
from leaflets.service.catalogue import Catalogue
from leaflets.service.pool import WorkerPool
from leaflets.service.worker import HOLD, WorkerSpec

log = logging.getLogger("leaflets.service")


@dataclass(frozen=True)
class Options:
    """What `leaflets serve` was asked for (cli/serve.py)."""

    host: str
    port: int
    token_file: Path | None
    content: Path
    out: Path  # the published output folder the catalogue reads
    paper: str | None
    workers: int
    queue: int  # requests that may wait for a worker
    audit: Path | None
    audit_secret_file: Path | None


def serve(options: Options) -> None:
    """Check the tokens and the content, listen, and serve until Ctrl-C or a kill (KeyboardInterrupt, once the
    requests in flight are answered)."""
    tokens = read_tokens(options.token_file, dict(os.environ))
    secret, given = audit_secret(options.audit_secret_file, dict(os.environ))
    sources = load_sources(options.content)
    processes.start()  # the worker runtime's server loads WeasyPrint while the server below starts
    _configure_logging()
    with (
        _listening(options.host, options.port) as listener,
        contextlib.closing(Audit(secret, options.audit)) as audit,
        scratch_folder("service") as scratch,
    ):
        leaflets = tuple(c.id for c in sources[0].content.cause_leaflets)
        languages = _languages(sources)
        paper = options.paper or sources[0].content.paper
        settings = Settings(options.content.resolve(), paper, scratch, fillable=False)  # nothing is written there
        spec = WorkerSpec(settings, tuple(languages), leaflets, os.environ.get(HOLD, ""))
        pool = WorkerPool(spec, options.workers, options.queue, str(scratch), REQUEST_SECONDS.value)
        app = create_app(Service(pool, Catalogue(options.out), tokens, audit, leaflets, languages))
        _notes(options.out, given)
        host, port = listener.getsockname()[:2]
        workers = f"{options.workers} worker{'s' if options.workers > 1 else ''}"
        log.info("Serving on http://%s:%d (%s warming up; Ctrl-C stops).", host, port, workers)
        config = uvicorn.Config(
            app,
            log_level="warning",
            access_log=False,  # its lines hold the path and query; the audit line holds the route alone
            log_config=None,
            timeout_graceful_shutdown=REQUEST_SECONDS.value + 5,
            server_header=False,
        )
        uvicorn.Server(config).run(sockets=[listener])


def _languages(sources: list[Source]) -> dict[str, Language]:
    """Each language of the content, its own first, by the code a patient's `language` names."""
    return {
        wording.base(s.content.language): Language(
            s.content.language, s.content.governance.version, s.content.brand.clinic_name
        )
        for s in sources
    }


@contextlib.contextmanager
def _listening(host: str, port: int) -> Iterator[socket.socket]:
    """The listening socket, bound before anything starts: a port in use is a plain error."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    try:
        listener = socket.create_server((host, port), family=family, backlog=128)
    except OSError as error:
        raise UsageError(f"cannot listen on {host} port {port}: {error.strerror}") from None
    with listener:
        yield listener


def _notes(out: Path, secret_given: bool) -> None:
    if not secret_given:
        log.info(
            "Note: no audit secret given (--audit-secret-file or %s): record ids in the audit are hashed with a "
            "secret made for this run, so they cannot be matched with another run's.",
            AUDIT_SECRET_ENV,
        )
    if not (out / MANIFEST).is_file():
        shown = display_path(out)
        log.info("Note: nothing is published in %s yet: GET /leaflets lists nothing until a build is.", shown)


def _configure_logging() -> None:
    """The service's lines on standard output; the server's warnings and errors on standard error."""
    for name, stream, level, form in (
        ("leaflets.service", sys.stdout, logging.INFO, "%(message)s"),
        ("uvicorn", sys.stderr, logging.WARNING, "server: %(message)s"),
    ):
        handler = logging.StreamHandler(stream)
        handler.setFormatter(logging.Formatter(form))
        logger = logging.getLogger(name)
        logger.handlers, logger.propagate = [handler], False
        logger.setLevel(level)
