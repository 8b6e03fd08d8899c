"""The command line: `leaflets COMMAND` (also `python generate.py COMMAND` and `python -m leaflets COMMAND`).

Each command is a module of this package declaring a `Command` (common.py): its options and what it runs. A
command's module is imported only when that command runs (or its --help is asked for), so `leaflets --help`
and a typo in the command line load nothing of the pipeline.
"""

from __future__ import annotations

import argparse
import importlib
import sys
from collections.abc import Sequence

from leaflets.cli.common import Command, run, stop_on_sigterm

#: Every command: its one-line summary and the module that declares it (as `COMMAND`), in the order --help shows.
COMMANDS: dict[str, tuple[str, str]] = {
    "build": ("make the leaflets into output/ (the default command)", "leaflets.cli.build:BUILD"),
    "check": ("run the quality checks alone: only quality.json is written", "leaflets.cli.build:CHECK"),
    "preview": ("live preview in the browser, made again on every save", "leaflets.cli.preview:PREVIEW"),
    "discharge": ("personalised discharge handouts (PDF/A) from a patient list", "leaflets.cli.discharge:DISCHARGE"),
    "translated": ("record that a translation matches its master again", "leaflets.cli.translated:TRANSLATED"),
    "changes": ("what changed since the approved version: changes.html", "leaflets.cli.approval:CHANGES"),
    "approve": ("record who approved the set in output/", "leaflets.cli.approval:APPROVE"),
    "new": ("write a starter clinic folder that builds at once", "leaflets.cli.new:NEW"),
    "serve": ("the handout service for the records system (HTTP, FHIR)", "leaflets.cli.serve:SERVE"),
}

EXAMPLES = """\
examples:
  leaflets new my-clinic                     a starter clinic folder (cd into it, then: leaflets build)
  leaflets build                             build every leaflet in every language (paper size from content.yaml)
  leaflets build --paper letter              build them on US Letter
  leaflets build --only overview --language es   just the Spanish overview
  leaflets build --list                      list the leaflets the content makes
  leaflets build --print-shop                add print-shop PDFs (bleed, crop marks, CMYK)
  leaflets build --web --braille             add the web edition (output/web/) and braille-ready files (.brf)
  leaflets check --strict                    quality checks only; warnings count as errors
  leaflets discharge --patients list.csv     personalised discharge handouts (see leaflets discharge --help)
  leaflets preview                           live preview in the browser, updated on every save
  leaflets translated content.es.yaml        record that a translation matches content.yaml again
  leaflets changes --since v1.0              what changed since the approved version: output/changes.html
  leaflets approve --by "Patient Information Group"   record the approval of the set in output/
  leaflets serve --token-file tokens.txt     the handout service, HTTP and FHIR (see leaflets serve --help)
  leaflets build --content other/content.yaml --out other/output

`python generate.py` does the same as `leaflets` (with no command, it builds: `python generate.py --paper letter`).
Each command's options: leaflets COMMAND --help.
"""


def command(name: str) -> Command:
    """The command called `name`, its module imported now."""
    module, _, attribute = COMMANDS[name][1].partition(":")
    declared: Command = getattr(importlib.import_module(module), attribute)
    return declared


def parser(chosen: str | None = None, prog: str | None = None) -> argparse.ArgumentParser:
    """The command line's parser: every command listed, and the options of `chosen` (None: of every command, "": of
    none)."""
    p = argparse.ArgumentParser(
        prog=prog,
        description="Printable, accessible patient leaflets from a clinic's content file.",
        epilog=EXAMPLES,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    subparsers = p.add_subparsers(title="commands", metavar="COMMAND", required=True)
    for name, (summary, _) in COMMANDS.items():
        if chosen is not None and name != chosen:
            subparsers.add_parser(name, help=summary, add_help=False)  # listed; its options are not needed
            continue
        declared = command(name)
        sub = subparsers.add_parser(
            name,
            help=summary,
            description=declared.description,
            epilog=declared.epilog,
            formatter_class=argparse.RawDescriptionHelpFormatter,
        )
        declared.add_arguments(sub)
        sub.add_argument("--debug", action="store_true", help="show the full traceback when something fails")
        sub.set_defaults(command=declared, **declared.defaults)
    return p


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; return the exit code."""
    argv = list(sys.argv[1:] if argv is None else argv)
    if not argv or (argv[0].startswith("-") and argv[0] not in ("-h", "--help")):
        argv = ["build", *argv]  # no command: build, as `python generate.py` always has
    chosen = argv[0] if argv[0] in COMMANDS else ""  # "": none of them (--help, or a command misspelt)
    args = parser(chosen, prog=_prog()).parse_args(argv)
    with stop_on_sigterm():
        return run(args.command, args)


def _prog() -> str | None:
    """The name --help shows: as typed (generate.py, leaflets), or `python -m leaflets`."""
    spec = getattr(sys.modules.get("__main__"), "__spec__", None)
    return "python -m leaflets" if spec is not None and spec.name == "leaflets.__main__" else None
