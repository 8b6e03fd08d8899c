"""`leaflets serve`: the handout service for the records system (HTTP, FHIR), until Ctrl-C or a kill."""

from __future__ import annotations

import argparse
from pathlib import Path

from leaflets.cli.common import DEFAULT_OUTPUT, Command, content_argument, positive
from leaflets.content.papers import PAPERS
from leaflets.errors import EXIT_OK
from leaflets.pipeline.processes import cores
from leaflets.service.access import AUDIT_SECRET_ENV, TOKENS_ENV

EPILOG = f"""\
Every call but /healthz, /readyz and /docs needs `Authorization: Bearer TOKEN`, a token
from --token-file or {TOKENS_ENV} (one NAME:TOKEN a line; the audit names the caller
by NAME). Without a token the service does not start. It listens on 127.0.0.1 unless
--host says otherwise; put TLS in a reverse proxy in front of it (docs/service.md).

One JSON line per call goes to --audit (default: standard error): time, caller,
route, status, the record id hashed with the audit secret (--audit-secret-file or
{AUDIT_SECRET_ENV}), leaflets, content version, the PDF's sha256. No patient value.

examples:
  leaflets serve --port 8080 --token-file tokens.txt
  curl -H "Authorization: Bearer $TOKEN" http://127.0.0.1:8080/leaflets

exit codes: 0 stopped by Ctrl-C or a kill (once the requests in flight are answered),
            1 the content needs fixing, 2 wrong command line, tokens, audit secret or port,
            3 a failure
"""


def add_arguments(p: argparse.ArgumentParser) -> None:
    """Options of the serve command."""
    p.add_argument("--host", default="127.0.0.1", help="address to listen on (default: 127.0.0.1, this machine only)")
    p.add_argument("--port", type=int, default=8080, help="port (default: 8080; 0: a free one, printed)")
    p.add_argument("--token-file", type=Path, metavar="FILE", help=f"the callers' tokens (else {TOKENS_ENV})")
    content_argument(p)
    p.add_argument(
        "--out", type=Path, default=DEFAULT_OUTPUT, metavar="DIR", help="the published output folder (default: output/)"
    )
    p.add_argument("--paper", choices=PAPERS, help="the handouts' paper size; overrides `paper:` in the content file")
    p.add_argument("--workers", type=positive, metavar="N", help="worker processes (default: one per core)")
    p.add_argument(
        "--queue", type=positive, default=32, metavar="N", help="requests that may wait for a worker (default: 32)"
    )
    p.add_argument("--audit", type=Path, metavar="FILE", help="append the audit lines to FILE (owner-only)")
    p.add_argument(
        "--audit-secret-file", type=Path, metavar="FILE", help=f"the audit's secret (else {AUDIT_SECRET_ENV})"
    )


def run(args: argparse.Namespace) -> int:
    """Serve until Ctrl-C or a kill, which end it with one line and exit 0 once the requests in flight are
    answered."""
    from leaflets.service.server import Options, serve  # late: the web server only for this command

    serve(
        Options(
            host=args.host,
            port=args.port,
            token_file=args.token_file,
            content=args.content,
            out=args.out,
            paper=args.paper,
            workers=args.workers or cores(),
            queue=args.queue,
            audit=args.audit,
            audit_secret_file=args.audit_secret_file,
        )
    )
    return EXIT_OK


SERVE = Command(
    "serve",
    "Serve the approved leaflets and personalised discharge handouts over HTTP and FHIR R4, to a records system "
    "(docs/service.md).",
    add_arguments,
    run,
    epilog=EPILOG,
    interrupted="Service stopped.",
    stopped_by_ctrl_c=True,
    private=True,
)
