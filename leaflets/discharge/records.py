"""One row of the patient list as a spreadsheet shows it, whichever file it came from (CSV or Excel workbook)."""

from __future__ import annotations

from dataclasses import dataclass, field

from leaflets.errors import EXIT_CONTENT, LeafletError


class PatientFileError(LeafletError):
    """The file cannot be used at all (unreadable, in another encoding, or its header needs fixing)."""

    exit_code = EXIT_CONTENT


@dataclass(frozen=True)
class Record:
    """One row: its number as a spreadsheet shows it (the header is row 1) and its cells, never printed."""

    row: int
    cells: list[str]
    #: Why the row could not be read whole (words only, no value): `cells` are then those before the break.
    broken: str = ""
    #: Cells that hold what the list cannot take (an Excel formula error, a date with a time...): column index -> why.
    refused: dict[int, str] = field(default_factory=dict)


def column_letter(number: int) -> str:
    """A column's letter as a spreadsheet shows it: 1 -> A, 27 -> AA."""
    letters = ""
    while number:
        number, remainder = divmod(number - 1, 26)
        letters = chr(ord("A") + remainder) + letters
    return letters
