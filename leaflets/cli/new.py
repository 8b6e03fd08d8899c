"""`leaflets new FOLDER`: a starter clinic that builds at once, with the files to change first marked."""

from __future__ import annotations

import argparse
import os
import re
import shutil
import tempfile
from importlib.resources import files
from pathlib import Path

from leaflets.cli.common import Command
from leaflets.errors import EXIT_OK, UsageError

#: What a starter holds: the sample clinic (leaflets/starter/, its files linked from the repository's own), a README
#: and a wording file of its own.
STARTER = Path(str(files("leaflets") / "starter"))

HEADER = """\
# Your clinic's leaflets: the words, your brand and the approval details, in one file.
#
# Change these first, then run `leaflets build` and open output/index.html (README.md says more):
#   1. brand: your clinic's name, logo (in assets/), colours, phone, booking web address, address, email.
#   2. governance: your reference code, version, dates, who approved the wording, the source of its facts.
#   3. The medical text (condition, causes, cause_leaflets, glossary): the sample's, about failed back surgery
#      syndrome, from a fictional clinic. Replace it with the wording your clinic has approved; never add
#      medical advice your clinic has not approved.
#   4. translations: content.es.yaml translates the sample; translate your text into it, or delete it and
#      the `translations:` lines below.
# Write plain text: no HTML. Dates are written YEAR-MONTH-DAY. `leaflets preview` shows each save.
"""
WORDING = "strings: strings.yaml    # your own fixed wording (strings.yaml)\n"


def add_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument(
        "folder", type=Path, metavar="FOLDER", help="the clinic's folder to make (must not exist, or be empty)"
    )


def run(args: argparse.Namespace) -> int:
    from leaflets.content.load import display_path

    written = write_starter(args.folder)
    shown = display_path(args.folder)
    print(f"Made {shown}/ with {len(written)} files: {', '.join(written)}.")
    print(f"Next: cd {shown} && leaflets build   (then open output/index.html; README.md there says what to change)")
    return EXIT_OK


def write_starter(folder: Path) -> list[str]:
    """Write the starter into `folder` (new, or empty), whole or not at all; the names written, in order."""
    if folder.exists() and (not folder.is_dir() or any(folder.iterdir())):
        raise UsageError(f"{folder} is already there and not an empty folder: name a new one")
    parent = folder.resolve().parent
    parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=".leaflets-new-", dir=parent))
    try:
        names = _fill(staging)
        os.replace(staging, folder)  # whole: a new folder, or over an empty one
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    return names


def _fill(staging: Path) -> list[str]:
    names = []
    for source in sorted(STARTER.rglob("*")):
        if source.is_dir() or source.name.startswith((".", "__")):
            continue
        name = source.relative_to(STARTER).as_posix()
        target = staging / name
        target.parent.mkdir(parents=True, exist_ok=True)
        if name == "content.yaml":
            target.write_text(starter_content(source.read_text(encoding="utf-8")), encoding="utf-8")
        else:
            target.write_bytes(source.read_bytes())  # a copy, never a link into the installed package
        names.append(name)
    staging.chmod(0o755)  # mkdtemp makes it private; a clinic's folder is shared as any other
    return names


def starter_content(sample: str) -> str:
    """The sample's content.yaml as a starter: its opening comments replaced by what to change first, and its
    wording file named."""
    body = re.sub(r"\A(?:#[^\n]*\n|\n)*", "", sample)
    body, found = re.subn(r"^(paper:[^\n]*\n)", lambda m: m.group(1) + WORDING, body, count=1, flags=re.M)
    if not found:
        raise RuntimeError("the sample content has no `paper:` line to put `strings:` after")
    return HEADER + "\n" + body


NEW = Command(
    "new",
    "Write a starter clinic into FOLDER: the sample clinic's content (fictional, every field filled in), its "
    "Spanish translation, a term list, a wording file and a placeholder logo, with a README saying what to change "
    "first. It builds at once: cd FOLDER && leaflets build.",
    add_arguments,
    run,
    interrupted="Interrupted: no folder was made.",
)
