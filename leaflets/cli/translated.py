"""`leaflets translated FILE`: record that a translation matches its master again."""

from __future__ import annotations

import argparse
from pathlib import Path

from leaflets.cli.common import Command, content_argument
from leaflets.errors import EXIT_OK


def add_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("translation", type=Path, metavar="FILE", help="the translation, e.g. content.es.yaml")
    content_argument(p, "its master (default: content.yaml)")


def run(args: argparse.Namespace) -> int:
    """Write the translation's record of the master's text (content/translations.py)."""
    from leaflets.content.sources import translation_record
    from leaflets.pipeline.files import write_atomically

    record = translation_record(args.content, args.translation)
    write_atomically(record.path, record.data)
    print(record.said)
    return EXIT_OK


TRANSLATED = Command(
    "translated",
    "Record that a translation now matches its master content: the build stops naming its fields as out of date. "
    "Run it after translating every change.",
    add_arguments,
    run,
)
