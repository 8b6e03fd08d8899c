"""`leaflets build` (and `leaflets check`): make the leaflets, or run their quality checks alone."""

from __future__ import annotations

import argparse
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from leaflets.cli.common import DEFAULT_OUTPUT, Command, content_argument, positive
from leaflets.content.papers import PAPERS
from leaflets.errors import EXIT_OK, UsageError

#: What an interrupted build leaves: the folder as it was, or the new set complete (pipeline/publish.py).
INTERRUPTED = "Interrupted: nothing half-written was left; the output folder holds one complete set and its manifest."
#: Where a print shop's CMYK profile goes, relative to the content file.
DEFAULT_ICC = Path("assets") / "cmyk.icc"

EPILOG = """\
exit codes: 0 built, 1 the content needs fixing (or failed the quality gate), 2 wrong command line,
            3 a leaflet could not be made, 130 interrupted (Ctrl-C; 143 for a kill)
"""


def add_arguments(p: argparse.ArgumentParser, check: bool = False) -> None:
    """The options of `build`; `check` has the same but --check itself, and makes nothing but quality.json."""
    content_argument(p, "content file to use (default: content.yaml); its logo is found relative to it")
    made = "quality.json" if check else "the PDFs and manifest.json"
    p.add_argument(
        "--out", type=Path, default=DEFAULT_OUTPUT, metavar="DIR", help=f"folder for {made} (default: output/)"
    )
    p.add_argument("--paper", choices=PAPERS, help="paper size; overrides `paper:` in the content file")
    p.add_argument(
        "--only", action="append", default=[], metavar="NAME", help="only this leaflet (repeat for more; see --list)"
    )
    p.add_argument(
        "--language",
        action="append",
        default=[],
        metavar="TAG",
        help="only this language (repeat for more); default: every language the content has",
    )
    if not check:
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
            help="run the quality checks alone, as `leaflets check` does: write only quality.json",
        )
    p.add_argument("--strict", action="store_true", help="treat every quality warning as an error")
    p.add_argument(
        "--allow-expired",
        action="store_true",
        help="go on past the review date; every page is marked 'past review date'",
    )
    if not check:
        p.add_argument(
            "--force",
            action="store_true",
            help="rebuild every leaflet, even those whose inputs have not changed since the last build",
        )
    p.add_argument(
        "--jobs", type=positive, metavar="N", help="render leaflets in N processes at once (default: one per core)"
    )
    p.add_argument("--list", action="store_true", help="list the leaflets and exit")


def add_check_arguments(p: argparse.ArgumentParser) -> None:
    add_arguments(p, check=True)


def run(args: argparse.Namespace) -> int:
    """Build (or check), printing one line per PDF and a summary."""
    if args.list:
        return list_editions(args.content)
    from leaflets.checks.quality import Finding, format_report  # late: `--help` and `--list` need none of it
    from leaflets.content.load import display_path
    from leaflets.pipeline.plan import QUALITY, Gate, Output, build
    from leaflets.pipeline.publish import MANIFEST

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


def list_editions(content_path: Path) -> int:
    """Print each leaflet the content makes, with its page budget."""
    from leaflets.content.sources import load_content, select

    for edition in select(load_content(content_path)):
        pages = f"{edition.max_pages} page{'s' if edition.max_pages > 1 else ''}"
        print(f"{edition.name:<22} {pages:<8} {edition.description}")
    return EXIT_OK


def default_icc_profile(content: Path) -> Path | None:
    """The print shop's CMYK profile, if the clinic has put one beside its content."""
    path = content.parent / DEFAULT_ICC
    return path if path.is_file() else None


def other_formats(args: argparse.Namespace) -> Callable[[], None]:
    """Make the web edition and the braille-ready files, when asked for (a problem stops the build before any
    PDF is made); return what publishes them once the PDFs are published."""
    from leaflets.content.load import display_path

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


#: The defaults `check` gives the options `build` has and it does not.
CHECK_DEFAULTS: dict[str, Any] = {
    "check": True,
    "print_shop": False,
    "icc_profile": None,
    "web": False,
    "braille": False,
    "force": False,
}

BUILD = Command(
    "build",
    "Make printable patient leaflets (PDF) from content.yaml, every language it has, checked by the quality gate.",
    add_arguments,
    run,
    epilog=EPILOG,
    interrupted=INTERRUPTED,
)
CHECK = Command(
    "check",
    "Make every leaflet in memory and run the quality checks on it; write only quality.json.",
    add_check_arguments,
    run,
    epilog=EPILOG,
    interrupted=INTERRUPTED,
    defaults=CHECK_DEFAULTS,
)
