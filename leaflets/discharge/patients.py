"""Reading the discharge list (CSV) strictly, without ever repeating a patient's details.

Every problem names the row and the column, never the value in it: these
are patient data and must not reach a terminal, a log or an error message.
Rows are numbered as a spreadsheet numbers them: the header is row 1 and
each record after it is one row, however many lines a quoted note spans.
A row that cannot be read (a quote left open, a cell far too long) fails
alone; reading resumes on the next line.
"""

from __future__ import annotations

import datetime
import difflib
import re
from collections.abc import Callable, Collection, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from leaflets.content.limits import CELL, CELL_READ, NOTE, PATIENT_FILE, PATIENT_ROWS, WORD
from leaflets.content.printable import first_long_word, first_unprintable
from leaflets.discharge.csvrecords import LINE, SKIPPED, field_size_limit
from leaflets.discharge.csvrecords import records as records_of

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
RECORD_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9-]{0,39}")
TIME = re.compile(r"([01]?\d|2[0-3]):[0-5]\d")
DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
LEAFLET_SEPARATOR = re.compile(r"[;,]")
NOT_UTF8 = re.compile("[\udc80-\udcff]")  # bytes that were not UTF-8, kept by errors="surrogateescape"


@dataclass(frozen=True)
class Patient:
    """One row of the discharge list, checked."""

    row: int
    record_id: str
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
    fatal: bool = True  # False: reported, but the row (or file) is still used
    #: The row's record id when it is well formed (never printed): a failed row still replaces its earlier handout.
    record_id: str = field(default="", repr=False)

    def __str__(self) -> str:
        where = f"row {self.row}" + (f", column {self.column}" if self.column else "")
        return f"{where}: {self.message}"


class PatientFileError(Exception):
    """The file cannot be used at all (unreadable, or its header needs fixing)."""


def read_patients(
    path: Path, leaflet_ids: Collection[str], languages: Collection[str] = ()
) -> tuple[list[Patient], list[RowProblem]]:
    """The good rows and every problem, row by row; raises PatientFileError if the file cannot be used.
    `languages`: the language codes a row's `language` may name (the content's and its translations')."""
    text, problems = _read_text(path)
    with field_size_limit(CELL_READ.value):
        records = records_of(LINE.findall(text))
        header = _header(next(records, None), path.name)
        patients: list[Patient] = []
        seen: dict[str, int] = {}
        for row, values in records:
            if row > PATIENT_ROWS.value + 1:
                raise PatientFileError(f"{path.name}: has more than {PATIENT_ROWS}; split it into smaller lists")
            if isinstance(values, str):
                problems.append(RowProblem(row, "", values))
                continue
            if not any(v.strip() for v in values):
                continue
            patient, row_problems = _check_row(row, header, values, leaflet_ids, languages, seen)
            problems += row_problems
            if patient is not None:
                seen[patient.record_id] = row
                patients.append(patient)
    return patients, problems


def _read_text(path: Path) -> tuple[str, list[RowProblem]]:
    """The file as text (bytes that are not UTF-8 kept as markers, reported per row), and a byte-order mark note."""
    try:
        with path.open("rb") as file:
            raw = file.read(PATIENT_FILE.value + 1)
    except OSError as error:
        raise PatientFileError(f"cannot read {path.name}: {error.strerror}") from None
    if len(raw) > PATIENT_FILE.value:
        raise PatientFileError(f"{path.name}: the file is larger than {PATIENT_FILE}; split it into smaller lists")
    problems = []
    if raw.startswith(b"\xef\xbb\xbf"):
        raw = raw[3:]
        message = "the file starts with a byte-order mark (Excel's 'CSV UTF-8' adds one); it was ignored"
        problems.append(RowProblem(1, "", message, fatal=False))
    return raw.decode("utf-8", errors="surrogateescape"), problems


def _header(first: tuple[int, list[str] | str] | None, name: str) -> list[str]:
    """The column names (lower case); raises PatientFileError naming every column problem in the header."""
    if first is None:
        raise PatientFileError(f"{name}: the file is empty; row 1 must name the columns: {', '.join(COLUMNS)}")
    _, values = first
    if isinstance(values, str):
        raise PatientFileError(f"{name}: row 1 (the header): {values.removesuffix(SKIPPED)}")
    columns = [value.strip().lower() for value in values]
    problems, suggested = _column_problems(columns)
    missing = [column for column in REQUIRED if column not in columns and column not in suggested]
    if missing and not _wrong_separator(columns):
        problems.append(f"row 1 (the header) has no column {', '.join(missing)}; the columns are: {', '.join(COLUMNS)}")
    if problems:
        raise PatientFileError("\n".join(f"{name}: {problem}" for problem in problems))
    return columns


def _column_problems(columns: list[str]) -> tuple[list[str], set[str]]:
    """Unknown, unnamed and repeated columns, by spreadsheet letter (a header cell is never repeated back),
    and the columns suggested for the unknown ones (not to be reported missing as well)."""
    separator = _wrong_separator(columns)
    if separator:
        return [
            f"row 1 (the header): the columns are separated by {separator}; save the list as CSV with commas"
        ], set()
    problems, suggested = [], set()
    first_seen: dict[str, int] = {}
    for number, column in enumerate(columns, start=1):
        where = f"row 1 (the header), column {_letter(number)}"
        if not column:
            problems.append(f"{where}: has no name; name it or delete the column")
        elif NOT_UTF8.search(column):
            problems.append(f"{where}: not UTF-8 text; save the file as 'CSV UTF-8'")
        elif column in first_seen:
            problems.append(f"{where}: repeats column {_letter(first_seen[column])}; keep one of the two")
        elif column not in COLUMNS:
            close = difflib.get_close_matches(column[:40], COLUMNS, n=1, cutoff=0.7)
            hint = f"did you mean {close[0]}? " if close else ""
            suggested.update(close)
            problems.append(f"{where}: not a column of the list; {hint}the columns are: {', '.join(COLUMNS)}")
        first_seen.setdefault(column, number)
    return problems, suggested


def _wrong_separator(columns: list[str]) -> str:
    """ "';'" or "tabs" when the header is one cell holding the columns another way (a European Excel export)."""
    if len(columns) != 1:
        return ""
    return "';'" if ";" in columns[0] else "tabs" if "\t" in columns[0] else ""


def _letter(number: int) -> str:
    """A column's letter as a spreadsheet shows it: 1 -> A, 27 -> AA."""
    letters = ""
    while number:
        number, remainder = divmod(number - 1, 26)
        letters = chr(ord("A") + remainder) + letters
    return letters


def _check_row(
    row: int,
    header: list[str],
    values: list[str],
    leaflet_ids: Collection[str],
    languages: Collection[str],
    seen: dict[str, int],
) -> tuple[Patient | None, list[RowProblem]]:
    if NOT_UTF8.search("".join(values)):
        return None, [RowProblem(row, "", "not UTF-8 text; save the file as 'CSV UTF-8'")]
    if len(values) != len(header):
        return None, [RowProblem(row, "", f"has {len(values)} values but the header has {len(header)} columns")]
    cells = {name: value.strip() for name, value in zip(header, values, strict=True)}
    record = cells["record_id"]
    known = record if RECORD_ID.fullmatch(record) else ""
    problems = [
        RowProblem(row, name, message, record_id=known)
        for name, message in _cell_problems(cells, leaflet_ids, languages)
    ]
    if record in seen and not any(p.column == "record_id" for p in problems):
        problems.append(RowProblem(row, "record_id", f"the same record id as row {seen[record]}", record_id=known))
    if problems:
        return None, problems
    return Patient(
        row,
        record,
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


def _cell_problems(
    cells: dict[str, str], leaflet_ids: Collection[str], languages: Collection[str]
) -> list[tuple[str, str]]:
    problems = [(name, "is empty") for name in REQUIRED if not cells[name]]
    if not _plain_row(cells):
        problems += [(name, message) for name, value in cells.items() for message in _text_problems(name, value)]
    bad = {name for name, _ in problems}
    checks: dict[str, tuple[Callable[[str], object], str]] = {
        "record_id": (RECORD_ID.fullmatch, "use letters, digits and hyphens only (at most 40)"),
        "procedure_date": (_is_date, "is not a date written as YEAR-MONTH-DAY, like 2026-11-25"),
        "followup_date": (_is_date, "is not a date written as YEAR-MONTH-DAY, like 2026-12-09"),
        "followup_time": (TIME.fullmatch, "is not a time written as HOUR:MINUTE, like 14:30"),
    }
    problems += [(name, message) for name, (ok, message) in checks.items() if name not in bad and not ok(cells[name])]
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


def _is_date(value: str) -> bool:
    try:
        _date(value)
    except ValueError:
        return False
    return True


def _date(value: str) -> datetime.date:
    if not DATE.fullmatch(value):
        raise ValueError("not YEAR-MONTH-DAY")  # no value in the message: it may be read out somewhere
    return datetime.date.fromisoformat(value)
