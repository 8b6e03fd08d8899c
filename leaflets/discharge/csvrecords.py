"""The records of a CSV file, read so that one broken record cannot take the rest with it.

Python's csv module, given a quote that is never closed, reads every line
after it into one cell. Here each record is read on its own, at most
ROW_LINES lines long; a record that cannot be read, or that looks like an
open quote that ran into the rows below, is reported as its first line
alone, and reading resumes on the next line. Rows are numbered as a
spreadsheet numbers them: one per record (the header is row 1), however
many lines a quoted cell spans.
"""

from __future__ import annotations

import contextlib
import csv
import re
from collections.abc import Iterator

from leaflets.content.limits import CELL_READ, ROW_LINES

LINE = re.compile(r"[^\r\n]*(?:\r\n|\r|\n)|[^\r\n]+")  # the line endings csv knows, kept

QUOTES = (
    'the quotes in this row do not pair up: a cell that starts with " must end with " (a " inside a cell is written "")'
)
SKIPPED = "; this row was skipped and reading went on at the next line"


@contextlib.contextmanager
def field_size_limit(limit: int) -> Iterator[None]:
    """csv's cell size limit, set on purpose while reading (it is global to the process, so restored)."""
    before = csv.field_size_limit(limit)
    try:
        yield
    finally:
        csv.field_size_limit(before)


class _Lines:
    """The file's lines for csv.reader, cut off when one record runs on past ROW_LINES lines."""

    def __init__(self, lines: list[str]):
        self.lines = lines
        self.next = 0
        self.record_start = 0

    def __iter__(self) -> _Lines:
        return self

    def __next__(self) -> str:
        if self.next >= len(self.lines) or self.next - self.record_start >= ROW_LINES.value:
            raise StopIteration
        self.next += 1
        return self.lines[self.next - 1]


def records(lines: list[str]) -> Iterator[tuple[int, list[str] | str]]:
    """(row, values) for each record, or (row, why it cannot be read) for a broken one.

    A broken record is its first line alone: reading resumes on the line after
    it, so an open quote cannot swallow the rows below it.
    """
    source = _Lines(lines)
    reader = csv.reader(source, strict=True)  # strict: a stray quote is an error, not a guess
    row, columns = 0, 0
    while source.next < len(lines):
        source.record_start = source.next
        row += 1
        try:
            values = next(reader)
        except csv.Error as error:
            source.next = source.record_start + 1
            yield row, _unreadable(str(error)) + SKIPPED
            continue
        columns = columns or len(values)  # the header's
        continued = lines[source.record_start + 1 : source.next]
        if continued and _swallowed_rows(values, continued, columns):
            source.next = source.record_start + 1
            yield row, QUOTES + SKIPPED
            continue
        yield row, values


def _unreadable(error: str) -> str:
    """Why a record could not be read, from csv's own message (which holds no cell value)."""
    if "field larger than field limit" in error:
        return f"a cell is longer than {CELL_READ}"
    return QUOTES


def _swallowed_rows(values: list[str], continued: list[str], columns: int) -> bool:
    """True when a record over several lines looks like an open quote that ran into the rows below.

    A quoted note may hold line breaks; but a record with the wrong number of
    cells, or a continuation line with as many commas as a whole row, is far
    more likely the next patients read as one cell.
    """
    return len(values) != columns or any(line.count(",") >= columns - 1 for line in continued)
