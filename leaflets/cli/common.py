"""What every command shares: how it is declared, how it says an error, and how it stops on Ctrl-C or a kill."""

from __future__ import annotations

import argparse
import contextlib
import signal
import sys
import threading
import traceback
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from types import FrameType
from typing import Any

from leaflets.errors import EXIT_BUILD, EXIT_OK, LeafletError

#: Where a command finds the clinic's content and writes what it makes, unless told: the current folder, as
#: `mkdocs build` reads mkdocs.yml (a clinic's folder, made by `leaflets new`).
DEFAULT_CONTENT = Path("content.yaml")
DEFAULT_OUTPUT = Path("output")


@dataclass(frozen=True)
class Command:
    """One command of `leaflets COMMAND`: its options and what it does, declared once (the docs read them too);
    its one-line summary is in the list of commands (cli/__init__.py)."""

    name: str
    description: str
    add_arguments: Callable[[argparse.ArgumentParser], None]
    run: Callable[[argparse.Namespace], int]
    epilog: str = ""
    #: What Ctrl-C (or a kill) prints; the exit code is 130 (143 for a kill), or 0 when it is how the command stops.
    interrupted: str = "Interrupted."
    stopped_by_ctrl_c: bool = False
    #: It handles patient data: an unexpected error is named by its kind alone (its message may quote a value).
    private: bool = False
    defaults: Mapping[str, Any] = field(default_factory=dict)


class Terminated(KeyboardInterrupt):
    """SIGTERM (a plain `kill`): stop as cleanly as for Ctrl-C."""

    exit_code = 143


@contextlib.contextmanager
def stop_on_sigterm() -> Iterator[None]:
    """Turn SIGTERM into `Terminated` for the length of a command, so a kill cleans up like Ctrl-C does."""
    if threading.current_thread() is not threading.main_thread():
        yield  # only the main thread may set signal handlers
        return

    def terminate(number: int, frame: FrameType | None) -> None:
        raise Terminated

    before = signal.signal(signal.SIGTERM, terminate)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, before)


def say_error(message: str, debug: bool) -> None:
    """`Error: message` on stderr; the traceback too, only with --debug."""
    if debug:
        traceback.print_exc()
    print(f"Error: {message}", file=sys.stderr)


def interrupted_code(interrupt: KeyboardInterrupt) -> int:
    """130 for Ctrl-C (128 + SIGINT), 143 for SIGTERM."""
    return getattr(interrupt, "exit_code", 130)


def run(command: Command, args: argparse.Namespace) -> int:
    """Run a command: its exit code, and `Error: ...` for anything that stops it (a traceback only with --debug)."""
    try:
        return command.run(args)
    except KeyboardInterrupt as interrupt:
        if command.stopped_by_ctrl_c:
            print(command.interrupted, flush=True)
            return EXIT_OK
        print(command.interrupted, file=sys.stderr)
        return interrupted_code(interrupt)
    except LeafletError as error:
        say_error(str(error), args.debug)
        return error.exit_code
    except Exception as error:  # a bug: say so plainly, details with --debug
        what = type(error).__name__ if command.private else f"{type(error).__name__}: {error}"
        private = " (the output may contain patient data: do not share it outside the care team)"
        say_error(
            f"unexpected failure ({what}). Run again with --debug and report the output"
            + (private if command.private else "")
            + ".",
            args.debug,
        )
        return EXIT_BUILD


def positive(text: str) -> int:
    """An argument that must be a whole number of 1 or more."""
    try:
        number = int(text)
    except ValueError:
        number = 0
    if number < 1:
        raise argparse.ArgumentTypeError(f"must be a whole number, 1 or more (not {text!r})")
    return number


def content_argument(p: argparse.ArgumentParser, help: str = "content file (default: content.yaml)") -> None:
    p.add_argument("--content", type=Path, default=DEFAULT_CONTENT, metavar="PATH", help=help)
