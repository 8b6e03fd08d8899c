"""`leaflets preview`: the leaflets in a browser, made again on every save."""

from __future__ import annotations

import argparse

from leaflets.cli.common import Command, content_argument
from leaflets.content.papers import PAPERS
from leaflets.errors import EXIT_OK


def add_arguments(p: argparse.ArgumentParser) -> None:
    content_argument(p, "content file to preview (default: content.yaml)")
    p.add_argument("--paper", choices=PAPERS, help="paper size; overrides `paper:` in the content file")
    p.add_argument(
        "--only", action="append", default=[], metavar="NAME", help="preview only this leaflet (repeat for more)"
    )
    p.add_argument("--port", type=int, default=0, help="port on 127.0.0.1 (default: a free one)")


def run(args: argparse.Namespace) -> int:
    """Serve until Ctrl-C (or a kill), which ends it with one line and exit 0."""
    from leaflets.preview.server import run as serve  # late: the server and the file watcher only for this command

    serve(args.content, args.paper, args.only, args.port, lambda line: print(line, flush=True))
    return EXIT_OK


PREVIEW = Command(
    "preview",
    "Show the leaflets in a browser on this computer and make them again on every save of the content, a template, "
    "a stylesheet or the logo. Nothing is written to the output folder.",
    add_arguments,
    run,
    interrupted="Preview stopped.",
    stopped_by_ctrl_c=True,
)
