"""The few things that can go wrong, each with its exit code.

The command line prints `Error: ...` and exits with `exit_code`; a
traceback is shown only with `--debug`.
"""

from __future__ import annotations

from dataclasses import dataclass

from leaflets.content.limits import PROBLEMS_SHOWN

EXIT_OK = 0
EXIT_CONTENT = 1  # the content file (or a file it names) needs fixing
EXIT_USAGE = 2  # the command line was wrong (argparse's own code)
EXIT_BUILD = 3  # the content is fine but a leaflet could not be made
EXIT_PARTIAL = 4  # discharge: some rows of the patient list were not made


class LeafletError(Exception):
    """Base of every error the user is meant to read."""

    exit_code = EXIT_BUILD


@dataclass(frozen=True)
class Problem:
    """One thing wrong in a content file, at a line and column (1-based)."""

    file: str
    line: int
    column: int
    field: str
    message: str

    def __str__(self) -> str:
        return f"{self.file}:{self.line}:{self.column}: {self.field}: {self.message}"


class ContentError(LeafletError):
    """The content file has one or more problems; all are listed at once."""

    exit_code = EXIT_CONTENT

    def __init__(self, problems: list[Problem]):
        self.problems = problems
        count = len(problems)
        heading = f"{count:,} problem{'s' if count != 1 else ''} in the content:"
        shown = [f"  {p}" for p in problems[: PROBLEMS_SHOWN.value]]
        if count > PROBLEMS_SHOWN.value:  # the first ones are the ones to fix; thousands would bury them
            shown.append(f"  ... and {count - PROBLEMS_SHOWN.value:,} more; fix these first, then run again")
        super().__init__("\n".join([heading, *shown]))


class QualityError(LeafletError):
    """A leaflet failed the quality gate; the report says why."""

    exit_code = EXIT_CONTENT


class UsageError(LeafletError):
    """The command line named something that does not exist (e.g. --only typo)."""

    exit_code = EXIT_USAGE


class BuildError(LeafletError):
    """A leaflet could not be made (a font, a template, the page budget...)."""
