"""Reading the discharge list (CSV) without ever repeating a patient's details.

Every problem names the row (as a spreadsheet numbers it: the header is
row 1) and the column, never the value in it: these are patient data and
must not reach a terminal, a log or an error message.
"""

from __future__ import annotations

import csv
import datetime
import io
import re
from collections.abc import Callable, Collection
from dataclasses import dataclass
from pathlib import Path

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
OPTIONAL = ("note",)
RECORD_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9-]{0,39}")
TIME = re.compile(r"([01]?\d|2[0-3]):[0-5]\d")
MAX_TEXT, MAX_NOTE = 120, 400


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


@dataclass(frozen=True)
class RowProblem:
    """What is wrong in one row, without the value: `row 7, column followup_date: ...`."""

    row: int
    column: str
    message: str
    fatal: bool = True  # False: reported, but the row (or file) is still used

    def __str__(self) -> str:
        where = f"row {self.row}" + (f", column {self.column}" if self.column else "")
        return f"{where}: {self.message}"


class PatientFileError(Exception):
    """The file cannot be used at all (unreadable, or a required column is missing)."""


def read_patients(path: Path, leaflet_ids: Collection[str]) -> tuple[list[Patient], list[RowProblem]]:
    """The good rows and every problem, row by row; raises PatientFileError if no row can be read."""
    try:
        raw = path.read_bytes()
    except OSError as error:
        raise PatientFileError(f"cannot read {path.name}: {error.strerror}") from None
    problems = []
    if raw.startswith(b"\xef\xbb\xbf"):
        raw = raw[3:]
        problems.append(
            RowProblem(
                1,
                "",
                "the file starts with a byte-order mark (Excel's 'CSV UTF-8' adds one); it was ignored",
                fatal=False,
            )
        )
    reader = csv.reader(io.StringIO(raw.decode("utf-8", errors="surrogateescape"), newline=""))
    header = [name.strip().lower() for name in next(reader, [])]
    missing = [name for name in REQUIRED if name not in header]
    if missing:
        raise PatientFileError(
            f"{path.name}: row 1 (the header) has no column {', '.join(missing)}; "
            f"the columns are: {', '.join(REQUIRED + OPTIONAL)}"
        )
    patients: list[Patient] = []
    seen: dict[str, int] = {}
    for values in reader:
        row = reader.line_num
        if not any(v.strip() for v in values):
            continue
        patient, row_problems = _check_row(row, header, values, leaflet_ids, seen)
        problems += row_problems
        if patient is not None:
            seen[patient.record_id] = row
            patients.append(patient)
    return patients, problems


def _check_row(
    row: int, header: list[str], values: list[str], leaflet_ids: Collection[str], seen: dict[str, int]
) -> tuple[Patient | None, list[RowProblem]]:
    if any("\udc80" <= ch <= "\udcff" for value in values for ch in value):
        return None, [RowProblem(row, "", "not UTF-8 text; save the file as 'CSV UTF-8'")]
    if len(values) != len(header):
        return None, [RowProblem(row, "", f"has {len(values)} values but the header has {len(header)} columns")]
    cells = {name: value.strip() for name, value in zip(header, values, strict=True)}
    problems = [RowProblem(row, name, message) for name, message in _cell_problems(cells, leaflet_ids)]
    record = cells["record_id"]
    if record in seen and not any(p.column == "record_id" for p in problems):
        problems.append(RowProblem(row, "record_id", f"the same record id as row {seen[record]}"))
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
    ), []


def _cell_problems(cells: dict[str, str], leaflet_ids: Collection[str]) -> list[tuple[str, str]]:
    problems = [(name, "is empty") for name in REQUIRED if not cells[name]]
    empty = {name for name, _ in problems}
    checks: dict[str, tuple[Callable[[str], object], str]] = {
        "record_id": (RECORD_ID.fullmatch, "use letters, digits and hyphens only (at most 40)"),
        "procedure_date": (_is_date, "is not a date written as YEAR-MONTH-DAY, like 2026-11-25"),
        "followup_date": (_is_date, "is not a date written as YEAR-MONTH-DAY, like 2026-12-09"),
        "followup_time": (TIME.fullmatch, "is not a time written as HOUR:MINUTE, like 14:30"),
    }
    problems += [(name, message) for name, (ok, message) in checks.items() if name not in empty and not ok(cells[name])]
    for name in ("patient_name", "procedure", "clinician", "followup_place"):
        if len(cells[name]) > MAX_TEXT:
            problems.append((name, f"is longer than {MAX_TEXT} characters"))
    if len(cells.get("note", "")) > MAX_NOTE:
        problems.append(("note", f"is longer than {MAX_NOTE} characters"))
    if "leaflets" not in empty:
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


def _leaflets(value: str) -> tuple[str, ...]:
    return tuple(part.strip() for part in re.split(r"[;,]", value) if part.strip())


def _is_date(value: str) -> bool:
    try:
        _date(value)
    except ValueError:
        return False
    return True


def _date(value: str) -> datetime.date:
    if not re.fullmatch(r"\d{4}-\d{2}-\d{2}", value):
        raise ValueError(value)
    return datetime.date.fromisoformat(value)
