"""Reading the discharge list (a CSV export or an Excel workbook) strictly, without repeating a patient's details.

Every problem names the row and the column, never the value in it: these
are patient data and must not reach a terminal, a log or an error message.
Rows are numbered as a spreadsheet numbers them: the header is row 1 and
each record after it is one row, however many lines a quoted note spans.
A row that cannot be read (a quote left open, a cell far too long, bytes
that are not UTF-8) fails alone; reading resumes on the next line.

A failed row keeps the record id its record_id column holds when that cell
could be read (RowProblem.record), so that the run removes that record's
earlier handout. Record ids are the same whatever their case and Unicode
form (record_key): on Windows and macOS `UPPER.pdf` and `upper.pdf` are one file.
"""

from __future__ import annotations

import contextlib
import datetime
import difflib
import re
import unicodedata
from collections.abc import Callable, Collection, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path

from leaflets.content.limits import CELL, NOTE, PATIENT_ROWS, WORD
from leaflets.content.printable import first_long_word, first_unprintable
from leaflets.discharge.csvrecords import NOT_UTF8, SKIPPED
from leaflets.discharge.listfile import read_rows
from leaflets.discharge.records import PatientFileError, Record, column_letter

REQUIRED = (
    "record_id",
    "patient_name",
    "procedure",
    "procedure_date",
    "clinician",
    "followup_date",
    "followup_time",
    "followup_place",
    "leaflets",
)
OPTIONAL = ("note", "language")
COLUMNS = REQUIRED + OPTIONAL
RECORD_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9-]{0,39}")  # the handout's file name: safe on every file system
TIME = re.compile(r"([01]?\d|2[0-3]):[0-5]\d")
DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
LEAFLET_SEPARATOR = re.compile(r"[;,]")
NOT_UTF8_CELL = "holds bytes that are not UTF-8 text (pasted from another program?); retype the cell"


@dataclass(frozen=True)
class Patient:
    """One row of the discharge list, checked."""

    row: int
    record_id: str  # the handout's file name
    patient_name: str
    procedure: str
    procedure_date: datetime.date
    clinician: str
    followup_date: datetime.date
    followup_time: str
    followup_place: str
    leaflets: tuple[str, ...]
    note: str
    language: str = ""  # the handout's language (a language code the content has); empty: the content's own


@dataclass(frozen=True)
class RowProblem:
    """What is wrong in one row, without the value: `row 7, column followup_date: ...`."""

    row: int
    column: str
    message: str
    #: The record id in the row's record_id column (never printed): the run removes that record's earlier handout.
    #: None when that cell could not be read, or is empty: then no earlier handout can be ruled out as this row's.
    record: str | None = field(default=None, repr=False)

    def __str__(self) -> str:
        where = f"row {self.row}" + (f", column {self.column}" if self.column else "")
        return f"{where}: {self.message}"


@dataclass(frozen=True)
class PatientList:
    """A list as read: its good rows, every problem, and how the file was read."""

    patients: list[Patient]
    problems: list[RowProblem]
    read_as: str  # e.g. "CSV in UTF-8, columns separated by semicolons": no value of the file

    def record_ids(self) -> set[str]:
        """Every record id in the list, its failed rows' included: their earlier handouts are all replaced."""
        return {p.record_id for p in self.patients} | {p.record for p in self.problems if p.record is not None}

    def unidentified_rows(self) -> list[int]:
        """The failed rows whose record id could not be read: no earlier handout can be ruled out as theirs."""
        return sorted({p.row for p in self.problems if p.record is None})


def record_key(record_id: str) -> str:
    """What makes two record ids the same on every file system: case does not count (on Windows and macOS
    `UPPER.pdf` and `upper.pdf` are one file), nor Unicode form (NFKC), for ids read from a failed row."""
    return unicodedata.normalize("NFKC", record_id).casefold()


def read_patients(path: Path, leaflet_ids: Collection[str], languages: Collection[str] = ()) -> PatientList:
    """The good rows and every problem, row by row; raises PatientFileError if the file cannot be used.
    `languages`: the language codes a row's `language` may name (the content's and its translations')."""
    read_as, records = read_rows(path, COLUMNS)
    patients: list[Patient] = []
    problems: list[RowProblem] = []
    with contextlib.closing(records):
        header = _header(next(records, None), path.name)
        seen: dict[str, int] = {}  # record key -> the first row that has it
        for record in records:
            if record.row > PATIENT_ROWS.value + 1:
                raise PatientFileError(f"{path.name}: has more than {PATIENT_ROWS}; split it into smaller lists")
            if not (record.broken or record.refused or any(v.strip() for v in record.cells)):
                continue
            patient, row_problems = _check_row(record, header, leaflet_ids, languages, seen)
            problems += row_problems
            if patient is not None:
                patients.append(patient)
    return PatientList(*_without_repeated_ids(patients, problems), read_as)


def _without_repeated_ids(
    patients: list[Patient], problems: list[RowProblem]
) -> tuple[list[Patient], list[RowProblem]]:
    """No handout for a record id that two rows give: which row is right cannot be told, so the first row fails
    too (the later ones already have, naming it), and the record's earlier handout goes."""
    repeated = {
        p.record: p.row for p in problems if p.record and p.column == "record_id" and p.message.startswith(SAME_ID)
    }
    firsts = {record_key(p.record_id): p for p in patients}
    kept = [p for p in patients if record_key(p.record_id) not in repeated]
    for key, later in repeated.items():
        first = firsts.get(key)
        if first is not None:
            problems.append(RowProblem(first.row, "record_id", _same_id(later), first.record_id))
    return kept, sorted(problems, key=lambda p: p.row)


SAME_ID = "the same record id as row"


def _same_id(row: int) -> str:
    return (
        f"{SAME_ID} {row} (upper and lower case do not count: on Windows and macOS both handouts would be one "
        "file); neither row's handout is made"
    )


def _header(first: Record | None, name: str) -> list[str]:
    """The column names (lower case); raises PatientFileError naming every column problem in the header."""
    if first is None:
        raise PatientFileError(f"{name}: the file is empty; row 1 must name the columns: {', '.join(COLUMNS)}")
    if first.broken:
        raise PatientFileError(f"{name}: row 1 (the header): {first.broken.removesuffix(SKIPPED)}")
    columns = [value.strip().lower() for value in first.cells]
    problems, suggested = _column_problems(columns)
    missing = [column for column in REQUIRED if column not in columns and column not in suggested]
    if missing:
        problems.append(f"row 1 (the header) has no column {', '.join(missing)}; the columns are: {', '.join(COLUMNS)}")
    if problems:
        raise PatientFileError("\n".join(f"{name}: {problem}" for problem in problems))
    return columns


def _column_problems(columns: list[str]) -> tuple[list[str], set[str]]:
    """Unknown, unnamed and repeated columns, by spreadsheet letter (a header cell is never repeated back),
    and the columns suggested for the unknown ones (not to be reported missing as well)."""
    problems, suggested = [], set()
    first_seen: dict[str, int] = {}
    for number, column in enumerate(columns, start=1):
        where = f"row 1 (the header), column {column_letter(number)}"
        if not column:
            problems.append(f"{where}: has no name; name it or delete the column")
        elif NOT_UTF8.search(column):
            problems.append(f"{where}: not UTF-8 text; save the file as 'CSV UTF-8'")
        elif column in first_seen:
            problems.append(f"{where}: repeats column {column_letter(first_seen[column])}; keep one of the two")
        elif column not in COLUMNS:
            close = difflib.get_close_matches(column[:40], COLUMNS, n=1, cutoff=0.7)
            hint = f"did you mean {close[0]}? " if close else ""
            suggested.update(close)
            problems.append(f"{where}: not a column of the list; {hint}the columns are: {', '.join(COLUMNS)}")
        first_seen.setdefault(column, number)
    return problems, suggested


def _check_row(
    record: Record,
    header: list[str],
    leaflet_ids: Collection[str],
    languages: Collection[str],
    seen: dict[str, int],
) -> tuple[Patient | None, list[RowProblem]]:
    """The row's patient, or its problems; `seen` (record key -> first row) gains the row's record id."""
    record_id = _record_id(record.cells, header.index("record_id"))
    problems = [
        RowProblem(record.row, column, message, record_id)
        for column, message in _row_problems(record, header, leaflet_ids, languages)
    ]
    if record_id is not None:
        key = record_key(record_id)
        if key in seen and not record.broken and not any(p.column == "record_id" for p in problems):
            problems.append(RowProblem(record.row, "record_id", _same_id(seen[key]), key))
        seen.setdefault(key, record.row)
    if problems or record_id is None:
        return None, problems
    cells = {name: value.strip() for name, value in zip(header, record.cells, strict=True)}
    return Patient(
        record.row,
        record_id,
        cells["patient_name"],
        cells["procedure"],
        _date(cells["procedure_date"]),
        cells["clinician"],
        _date(cells["followup_date"]),
        cells["followup_time"],
        cells["followup_place"],
        _leaflets(cells["leaflets"]),
        cells.get("note", ""),
        _language(cells.get("language", "")),
    ), []


def _record_id(cells: list[str], column: int) -> str | None:
    """The row's record id in NFC form, or None when its cell is missing, empty or not UTF-8."""
    value = unicodedata.normalize("NFC", cells[column].strip()) if column < len(cells) else ""
    return value if value and not NOT_UTF8.search(value) else None


def _row_problems(
    record: Record, header: list[str], leaflet_ids: Collection[str], languages: Collection[str]
) -> list[tuple[str, str]]:
    """(column, message) for each problem in the row: how it was read first, then its values."""
    if record.broken:
        return [("", record.broken)]
    refused = record.refused | {i: NOT_UTF8_CELL for i, value in enumerate(record.cells) if NOT_UTF8.search(value)}
    problems = [(header[i] if i < len(header) else "", why) for i, why in sorted(refused.items())]
    if len(record.cells) != len(header):
        return [*problems, ("", f"has {len(record.cells)} values but the header has {len(header)} columns")]
    cells = {name: "" if i in refused else record.cells[i].strip() for i, name in enumerate(header)}
    if not any(cells.values()):  # nothing in the list's columns: only what is wrong outside them
        return problems
    named = {column for column, _ in problems}
    return problems + [
        (column, why) for column, why in _cell_problems(cells, leaflet_ids, languages) if column not in named
    ]


def _cell_problems(
    cells: dict[str, str], leaflet_ids: Collection[str], languages: Collection[str]
) -> list[tuple[str, str]]:
    problems = [(name, "is empty") for name in REQUIRED if not cells[name]]
    if not _plain_row(cells):
        problems += [(name, message) for name, value in cells.items() for message in _text_problems(name, value)]
    bad = {name for name, _ in problems}
    checks: dict[str, Callable[[str], str]] = {
        "record_id": _record_id_problem,
        "procedure_date": _date_problem,
        "followup_date": _date_problem,
        "followup_time": _time_problem,
    }
    for name, check in checks.items():
        message = "" if name in bad else check(cells[name])
        if message:
            problems.append((name, message))
    if cells.get("language") and "language" not in bad and _language(cells["language"]) not in languages:
        problems.append(("language", f"is not a language of the leaflets; choose from: {', '.join(languages)}"))
    if "leaflets" not in bad:
        for number, name in enumerate(_leaflets(cells["leaflets"]), start=1):
            if name not in leaflet_ids:
                problems.append(
                    (
                        "leaflets",
                        f"item {number} is not a leaflet name; choose from: "
                        f"{', '.join(leaflet_ids)} (separate several with ';')",
                    )
                )
    return problems


def _plain_row(cells: dict[str, str]) -> bool:
    """True for the usual row: short cells, one line each, every character printable, no overlong word.

    Checked once on the whole row so that a list of 10,000 rows reads in well under a second.
    """
    text = " ".join(cells.values())
    longest = max(len(value) for name, value in cells.items() if name != "note")
    return (
        longest <= CELL.value
        and len(cells.get("note", "")) <= NOTE.value
        and "\n" not in text
        and "\t" not in text
        and first_unprintable(text) is None
        and first_long_word(text) is None
    )


def _text_problems(name: str, value: str) -> Iterator[str]:
    """What stops one cell from printing well; never the value itself."""
    limit = NOTE if name == "note" else CELL
    if len(value) > limit.value:
        yield f"is longer than {limit}"
    elif first_unprintable(value) is not None:
        yield (
            "contains a character no typeface prints (an invisible control or reordering character, or one "
            "damaged in copying); retype the cell"
        )
    elif name != "note" and ("\n" in value or "\t" in value):
        yield "has a line break or a tab inside it; keep it on one line"
    elif first_long_word(value) is not None:
        yield f"has a word longer than {WORD}, which would run off the page; add a space or a hyphen"


def _language(value: str) -> str:
    """A language cell as the code of the wording it picks: 'ES', 'es-MX' -> 'es'."""
    return value.strip().split("-")[0].lower()


def _leaflets(value: str) -> tuple[str, ...]:
    return tuple(part.strip() for part in LEAFLET_SEPARATOR.split(value) if part.strip())


def _record_id_problem(value: str) -> str:
    if RECORD_ID.fullmatch(value):
        return ""
    return "use the letters A to Z, digits and hyphens only (at most 40): it names the handout's file"


def _date_problem(value: str) -> str:
    """Why a cell is not a date: only YYYY-MM-DD is read (03/04/2026 is March or April: never guessed)."""
    if not DATE.fullmatch(value):
        return "is not a date written as YYYY-MM-DD, e.g. 2026-03-14 (another order of day and month is never guessed)"
    try:
        datetime.date.fromisoformat(value)
    except ValueError:
        return "is not a day of the calendar (write the date as YYYY-MM-DD, e.g. 2026-03-14)"
    return ""


def _time_problem(value: str) -> str:
    return "" if TIME.fullmatch(value) else "is not a time written as HOUR:MINUTE, like 14:30"


def _date(value: str) -> datetime.date:
    """A cell that passed _date_problem as a date."""
    return datetime.date.fromisoformat(value)


def check_record(
    cells: Mapping[str, str], leaflet_ids: Collection[str], languages: Collection[str] = ()
) -> tuple[Patient | None, list[RowProblem]]:
    """One patient given as column name -> text (every REQUIRED column, any OPTIONAL one), checked as a row of
    the list is, as row 1 (the handout service's). Problems name the column, never the value."""
    header = list(cells)
    return _check_row(Record(1, [cells[name] for name in header]), header, leaflet_ids, languages, {})
