"""`leaflets changes` (what changed since the approved version) and `leaflets approve` (who approved it)."""

from __future__ import annotations

import argparse
import time
from collections.abc import Callable
from pathlib import Path

from leaflets.cli.common import DEFAULT_CONTENT, DEFAULT_OUTPUT, Command, content_argument, positive
from leaflets.content.papers import PAPERS
from leaflets.errors import EXIT_OK

#: The longest name or note an approval records (a person, a role; a sentence).
LONGEST_NAME, LONGEST_NOTE = 100, 500

CHANGES_EPILOG = """\
REF is a saved copy of the approved content file (or the folder holding one), or a revision of the git
repository that holds the content: a commit, branch or tag such as HEAD, HEAD~1 or v1.0. From git, the
content file and the files it names (translations, logo, term lists, wording, fonts) are read as they were.

exit codes: 0 report written, 1 a version of the content cannot be read, 2 wrong command line (REF
            not found), 3 a leaflet could not be made, 130 interrupted
"""

APPROVE_EPILOG = """\
Read changes.html (python generate.py changes --since REF) first. The approval is refused, and nothing is
written, if the last build failed the quality gate (quality.json) or the folder's PDFs are not the ones its
manifest lists. A later build keeps the record; the gallery then says which leaflets are still the ones
approved.

exit codes: 0 recorded, 1 refused (failed quality gate, PDFs changed), 2 wrong command line (no set built)
"""


def changes_arguments(p: argparse.ArgumentParser) -> None:
    """The options of `leaflets changes`."""
    p.add_argument(
        "--since",
        required=True,
        metavar="REF",
        help="the approved version: a git revision of the content (HEAD, a tag) or a saved content file or folder",
    )
    content_argument(p, "the new content file (default: content.yaml)")
    p.add_argument(
        "--out", type=Path, default=DEFAULT_OUTPUT, metavar="DIR", help="folder for changes.html (default: output/)"
    )
    p.add_argument("--paper", choices=PAPERS, help="paper size; overrides `paper:` in the content file")
    p.add_argument(
        "--only", action="append", default=[], metavar="NAME", help="compare only this leaflet (repeat for more)"
    )
    p.add_argument(
        "--language", action="append", default=[], metavar="TAG", help="compare only this language (repeat for more)"
    )
    p.add_argument("--jobs", type=positive, metavar="N", help="make leaflets in N processes (default: one per core)")


def approve_arguments(p: argparse.ArgumentParser) -> None:
    """The options of `leaflets approve`."""
    p.add_argument(
        "--by", required=True, type=_text(LONGEST_NAME), metavar="NAME", help="who approved it (a person or a group)"
    )
    p.add_argument("--note", type=_text(LONGEST_NOTE), metavar="TEXT", help="a note kept with the approval")
    p.add_argument(
        "--out", type=Path, default=DEFAULT_OUTPUT, metavar="DIR", help="the folder of the set (default: output/)"
    )
    p.add_argument(
        "--content",
        type=Path,
        default=DEFAULT_CONTENT,
        metavar="PATH",
        help="the content file the set was built from (for the gallery's titles)",
    )


def _text(longest: int) -> Callable[[str], str]:
    """An argument of one line of printable text, not empty, at most `longest` characters."""

    def text(value: str) -> str:
        value = value.strip()
        if not value:
            raise argparse.ArgumentTypeError("is empty")
        if not value.isprintable():
            raise argparse.ArgumentTypeError("write it on one line, without tabs or control characters")
        if len(value) > longest:
            raise argparse.ArgumentTypeError(f"at most {longest} characters")
        return value

    return text


def changes(args: argparse.Namespace) -> int:
    """The changes command: a summary, changes.html, and an exit code."""
    from leaflets.approval.compare import compare  # late: the build's pipeline only for this command
    from leaflets.approval.report import summary, write_report
    from leaflets.content.load import display_path

    started = time.perf_counter()
    report = compare(args.content, args.since, args.paper, args.only, args.language, args.jobs)
    path = write_report(report, args.out)
    print("\n".join(summary(report)))
    seconds = time.perf_counter() - started
    made = f"{report.rendered} PDF{'s' if report.rendered != 1 else ''}"
    print(f"Report for approval: {display_path(path)} ({made} made to compare pages, {seconds:.1f} s)")
    return EXIT_OK


def approve(args: argparse.Namespace) -> int:
    """The approve command."""
    from leaflets.approval.record import approve
    from leaflets.content.editions import editions
    from leaflets.content.load import display_path
    from leaflets.content.sources import load_sources

    sources = load_sources(args.content)
    descriptions = {e.name: e.description for s in sources for e in editions(s.content)}
    record = approve(args.out, args.by, args.note, descriptions, sources[0].content.condition.title)
    count = len(record["files"])
    print(
        f"Recorded: {record['approved_by']} approved version {record['content_version']} on {record['approved_on']}, "
        f"{count} PDF{'s' if count != 1 else ''}; see {display_path(args.out / 'manifest.json')} and "
        f"{display_path(args.out / 'index.html')}"
    )
    return EXIT_OK


CHANGES = Command(
    "changes",
    "Report what changed since an approved version of the content, for the group that approves it: each changed "
    "field word by word, and each page of each leaflet that changed, with the changed areas boxed. Prints a summary "
    "and writes changes.html into the output folder; nothing else there changes.",
    changes_arguments,
    changes,
    epilog=CHANGES_EPILOG,
    interrupted="Interrupted: no report was written.",
)
APPROVE = Command(
    "approve",
    "Record that the set of leaflets in the output folder is approved: who, the date, the content version and each "
    "PDF's sha256 go into manifest.json, and the gallery (index.html) shows it.",
    approve_arguments,
    approve,
    epilog=APPROVE_EPILOG,
    interrupted="Interrupted: the approval was recorded whole, or not at all.",
)
