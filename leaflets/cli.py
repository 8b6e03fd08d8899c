"""The command line: `python generate.py` or the `leaflets` console script."""

from __future__ import annotations

import argparse
import contextlib
import signal
import sys
import threading
import time
import traceback
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from types import FrameType

from leaflets.checks.quality import Finding, format_report
from leaflets.content.load import display_path
from leaflets.content.papers import PAPERS
from leaflets.content.sources import load_content, select, translation_record
from leaflets.errors import EXIT_BUILD, EXIT_OK, LeafletError, UsageError
from leaflets.pipeline.files import write_atomically
from leaflets.pipeline.plan import DEFAULT_CONTENT, DEFAULT_ICC, DEFAULT_OUTPUT, QUALITY, Gate, Output, build
from leaflets.pipeline.publish import MANIFEST

EXAMPLES = """\
examples:
  python generate.py                         build every leaflet in every language (paper size from content.yaml)
  python generate.py --paper letter          build them on US Letter
  python generate.py --only overview         build just the overview
  python generate.py --language es           build just the Spanish leaflets
  python generate.py translated content.es.yaml   record that a translation matches content.yaml again
  python generate.py --list                  list the leaflets the content makes
  python generate.py --print-shop            add print-shop PDFs (bleed, crop marks, CMYK)
  python generate.py --web --braille         add the web edition (output/web/) and braille-ready files (.brf)
  python generate.py --check --strict        quality checks only; warnings count as errors
  python generate.py discharge --patients list.csv   personalised discharge handouts (see discharge --help)
  python generate.py preview                 live preview in the browser, updated on every save (see preview --help)
  python generate.py changes --since v1.0    what changed since the approved version: output/changes.html
  python generate.py approve --by "Patient Information Group"   record the approval of the set in output/
  python generate.py --content other/content.yaml --out other/output

exit codes: 0 built, 1 the content needs fixing (or failed the quality gate), 2 wrong command line,
            3 a leaflet could not be made, 130 interrupted (Ctrl-C; 143 for a kill)
"""

#: What an interrupted build leaves: the folder as it was, or the new set complete (publish.py).
INTERRUPTED = "Interrupted: nothing half-written was left; the output folder holds one complete set and its manifest."


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


def parser() -> argparse.ArgumentParser:
    """The argument parser (also used to print --help)."""
    p = argparse.ArgumentParser(
        prog="generate.py",
        description="Make printable patient leaflets (PDF) from content.yaml.",
        epilog=EXAMPLES,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    p.add_argument(
        "--content",
        type=Path,
        default=DEFAULT_CONTENT,
        metavar="PATH",
        help="content file to use (default: content.yaml); its logo is found relative to it",
    )
    p.add_argument(
        "--out",
        type=Path,
        default=DEFAULT_OUTPUT,
        metavar="DIR",
        help="folder for the PDFs and manifest.json (default: output/)",
    )
    p.add_argument("--paper", choices=PAPERS, help="paper size; overrides `paper:` in the content file")
    p.add_argument(
        "--only",
        action="append",
        default=[],
        metavar="NAME",
        help="build only this leaflet (repeat for more; see --list)",
    )
    p.add_argument(
        "--language",
        action="append",
        default=[],
        metavar="TAG",
        help="build only this language (repeat for more); default: every language the content has",
    )
    p.add_argument(
        "--print-shop",
        action="store_true",
        help="also make print-shop PDFs: 3 mm bleed, crop marks, CMYK colours (PDF/X-4 with a profile)",
    )
    p.add_argument(
        "--icc-profile",
        type=Path,
        metavar="PATH",
        help="CMYK ICC profile from your print shop (default: assets/cmyk.icc next to the content file)",
    )
    p.add_argument(
        "--web",
        action="store_true",
        help="also write the web edition: output/web/, an accessible page per leaflet and language "
        "(docs/web-and-braille.md)",
    )
    p.add_argument(
        "--braille",
        action="store_true",
        help="also write a braille-ready file (.brf) beside each overview and cause leaflet (needs liblouis)",
    )
    p.add_argument(
        "--check",
        action="store_true",
        help="run the quality checks alone: make every leaflet in memory, write only quality.json",
    )
    p.add_argument("--strict", action="store_true", help="treat every quality warning as an error")
    p.add_argument(
        "--allow-expired",
        action="store_true",
        help="build even past the review date; every page is marked 'past review date'",
    )
    p.add_argument(
        "--force",
        action="store_true",
        help="rebuild every leaflet, even those whose inputs have not changed since the last build",
    )
    p.add_argument(
        "--jobs",
        type=positive,
        metavar="N",
        help="render leaflets in N processes at once (default: one per core)",
    )
    p.add_argument("--list", action="store_true", help="list the leaflets and exit")
    p.add_argument("--debug", action="store_true", help="show the full traceback when something fails")
    return p


def positive(text: str) -> int:
    """An argument that must be a whole number of 1 or more."""
    try:
        number = int(text)
    except ValueError:
        number = 0
    if number < 1:
        raise argparse.ArgumentTypeError(f"must be a whole number, 1 or more (not {text!r})")
    return number


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; return the exit code."""
    argv = list(sys.argv[1:] if argv is None else argv)
    with stop_on_sigterm():
        if argv[:1] == ["discharge"]:
            from leaflets.discharge.cli import main as discharge_main  # late: its own options and pool

            code = discharge_main(argv[1:])
        elif argv[:1] == ["preview"]:
            code = preview_main(argv[1:])
        elif argv[:1] == ["translated"]:
            code = translated_main(argv[1:])
        elif argv[:1] in (["changes"], ["approve"]):
            from leaflets.approval import cli as approval  # late: its own options

            code = (approval.changes_main if argv[0] == "changes" else approval.approve_main)(argv[1:])
        else:
            code = build_main(argv)
    return code


def preview_parser() -> argparse.ArgumentParser:
    """The options of `generate.py preview`."""
    p = argparse.ArgumentParser(
        prog="generate.py preview",
        description=(
            "Show the leaflets in a browser on this computer and make them again on every save of the content, "
            "a template, a stylesheet or the logo. Nothing is written to the output folder."
        ),
    )
    p.add_argument("--content", type=Path, default=DEFAULT_CONTENT, metavar="PATH", help="content file to preview")
    p.add_argument("--paper", choices=PAPERS, help="paper size; overrides `paper:` in the content file")
    p.add_argument(
        "--only", action="append", default=[], metavar="NAME", help="preview only this leaflet (repeat for more)"
    )
    p.add_argument("--port", type=int, default=0, help="port on 127.0.0.1 (default: a free one)")
    p.add_argument("--debug", action="store_true", help="show the full traceback when something fails")
    return p


def preview_main(argv: list[str]) -> int:
    """The preview command: serves until Ctrl-C (or a kill), which ends it with one line and exit 0."""
    from leaflets.preview.server import run  # late: the server and the file watcher only for this command

    args = preview_parser().parse_args(argv)
    try:
        run(args.content, args.paper, args.only, args.port, lambda line: print(line, flush=True))
    except KeyboardInterrupt:  # the way to stop a preview, not a failure
        print("Preview stopped.", flush=True)
        return EXIT_OK
    except LeafletError as error:
        say_error(str(error), args.debug)
        return error.exit_code
    except Exception as error:  # a bug, or the temporary folder cannot be made: say so plainly, details with --debug
        say_error(f"the preview failed ({type(error).__name__}: {error}). Run again with --debug.", args.debug)
        return EXIT_BUILD
    return EXIT_OK


def translated_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="generate.py translated",
        description="Record that a translation now matches its master content: the build stops naming its "
        "fields as out of date. Run it after translating every change.",
    )
    p.add_argument("translation", type=Path, metavar="FILE", help="the translation, e.g. content.es.yaml")
    p.add_argument(
        "--content", type=Path, default=DEFAULT_CONTENT, metavar="PATH", help="its master (default: content.yaml)"
    )
    p.add_argument("--debug", action="store_true", help="show the full traceback when something fails")
    return p


def translated_main(argv: list[str]) -> int:
    """Write the translation's record of the master's text (see content/translations.py)."""
    args = translated_parser().parse_args(argv)
    try:
        record = translation_record(args.content, args.translation)
        write_atomically(record.path, record.data)
        print(record.said)
        return EXIT_OK
    except LeafletError as error:
        say_error(str(error), args.debug)
        return error.exit_code


def build_main(argv: list[str]) -> int:
    """The build command: exit code, and `Error: ...` (never a traceback without --debug)."""
    args = parser().parse_args(argv)
    try:
        if args.list:
            return list_editions(args.content)
        return run_build(args)
    except LeafletError as error:
        say_error(str(error), args.debug)
        return error.exit_code
    except KeyboardInterrupt as interrupt:
        print(INTERRUPTED, file=sys.stderr)
        return interrupted_code(interrupt)
    except Exception as error:  # a bug: say so plainly, details with --debug
        say_error(
            f"unexpected failure ({type(error).__name__}: {error}). Run again with --debug and report the output.",
            args.debug,
        )
        return EXIT_BUILD


def list_editions(content_path: Path) -> int:
    """Print each leaflet the content makes, with its page budget."""
    for edition in select(load_content(content_path)):
        pages = f"{edition.max_pages} page{'s' if edition.max_pages > 1 else ''}"
        print(f"{edition.name:<22} {pages:<8} {edition.description}")
    return EXIT_OK


def default_icc_profile(content: Path) -> Path | None:
    """The print shop's CMYK profile, if the clinic has put one beside its content."""
    path = content.parent / DEFAULT_ICC
    return path if path.is_file() else None


def run_build(args: argparse.Namespace) -> int:
    """Build, printing one line per PDF and a summary."""
    started = time.perf_counter()

    kept: list[Output] = []

    def report(output: Output, fresh: bool) -> None:
        shown = f"checked {output.file}" if args.check else display_path(args.out / output.file)
        if not fresh:
            kept.append(output)
            print(f"  {shown:<40} unchanged")
            return
        print(f"  {shown:<40} {output.pages} page{'s' if output.pages > 1 else ''}, {output.bytes / 1024:.0f} KB")

    if args.check and (args.web or args.braille):
        raise UsageError("--check writes only quality.json: leave out --web and --braille, or --check")
    publish_other_formats = other_formats(args)  # made and checked before the PDFs, written after them
    icc = args.icc_profile or default_icc_profile(args.content)
    if args.print_shop and icc is None:
        print(
            f"Note: no CMYK profile at {display_path(args.content.parent / DEFAULT_ICC)}: the print-shop PDFs have "
            "CMYK colours, bleed and crop marks but are not PDF/X (see docs/print-shop.md)."
        )
    findings: list[Finding] = []
    gate = Gate(strict=args.strict, allow_expired=args.allow_expired)
    try:
        outputs = build(
            args.content,
            args.out,
            args.paper,
            args.only,
            report,
            args.print_shop,
            icc,
            gate,
            findings,
            check_only=args.check,
            force=args.force,
            removed=lambda name: print(f"  {display_path(args.out / name):<40} removed (this build does not make it)"),
            jobs=args.jobs,
            languages=args.language,
        )
    finally:
        if findings:
            print(format_report(findings, args.strict))
    seconds = time.perf_counter() - started
    if args.check:
        checked = f"{len(outputs)} leaflet{'s' if len(outputs) != 1 else ''}"
        print(f"Checked {checked} in {seconds:.1f} s; report in {display_path(args.out / QUALITY)}")
        return EXIT_OK
    publish_other_formats()
    manifest = display_path(args.out / MANIFEST)
    made = len(outputs) - len(kept)
    count = f"{made} leaflet{'s' if made != 1 else ''}" + (f", {len(kept)} unchanged," if kept else "")
    print(f"Built {count} in {seconds:.1f} s; list and checksums in {manifest}")
    return EXIT_OK


def other_formats(args: argparse.Namespace) -> Callable[[], None]:
    """Make the web edition and the braille-ready files, when asked for (a problem stops the build before any
    PDF is made); return what publishes them once the PDFs are published."""
    site: dict[str, bytes] = {}
    braille: dict[str, bytes] = {}
    if args.web:
        from leaflets.web.site import make_site  # late: only for this option

        site = make_site(args.content)
    if args.braille:
        from leaflets.braille import leaflet_files  # late: only for this option

        braille = leaflet_files(args.content, args.only, args.language)

    def publish() -> None:
        if site:
            from leaflets.web.site import publish_site

            folder = publish_site(site, args.out)
            pages = sum(name.endswith(".html") for name in site)
            print(f"  {display_path(folder) + '/':<40} web edition, {pages} pages")
        if braille:
            from leaflets.braille import write_files

            for path in write_files(braille, args.out):
                print(f"  {display_path(path):<40} braille, {len(braille[path.name]) / 1024:.0f} KB")

    return publish
