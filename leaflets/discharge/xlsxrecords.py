"""The rows of an Excel workbook (.xlsx) as the spreadsheet shows them, read without trusting the file.

A workbook is a zip of XML parts. Before anything is unpacked, the sizes its parts declare are added up
against the patient list's size limit: zipfile stops each part at its declared size (and then fails its
checksum), so a small file cannot unpack into gigabytes. openpyxl then reads it in read-only mode, its XML
through defusedxml (no entity expansion), following the cells themselves rather than the size the sheet
declares. The list must be alone on its sheet: values on two sheets stop the run.

Cells become text strictly, as the spreadsheet shows them: a date cell becomes YYYY-MM-DD, a time cell
HH:MM, a whole number its digits (a '000000' format's leading zeros kept), a formula its last computed value.
A formula error, a date with a time of day, a time with seconds, a number with decimals or another number
format fails its cell; a text cell is never read as a date (03/04/2026 fails as any text date does).
"""

from __future__ import annotations

import datetime
import io
import operator
import warnings
import zipfile
from collections.abc import Iterator, Sequence
from typing import Any

from leaflets.content.limits import PATIENT_FILE, PATIENT_ROWS, SHEET_COLUMNS
from leaflets.discharge.records import PatientFileError, Record, column_letter

ZIP = b"PK\x03\x04"  # how a workbook (a zip) starts
UNREADABLE = (
    "{name}: cannot be read as an Excel workbook (.xlsx); open it in Excel and save it again as 'Excel Workbook' "
    "or 'CSV UTF-8'"
)
FORMULA_ERROR = "holds a formula error (such as #N/A or #REF!); correct the formula or type the value"
DATE_AND_TIME = "holds a date and a time of day in one cell; keep the date (YYYY-MM-DD) and the time in their columns"
CLOCK = "holds a time with seconds, or not within one day; write the time as HH:MM, e.g. 14:30"
NUMBER = "holds a number with decimals or a number format that is not copied; format the column as Text and retype it"
OTHER = "holds a value that is not text, a number, a date or a time; type it as text"
TEXT_FORMATS = ("General", "0", "@")  # number formats that show a whole number as its plain digits
value_of = operator.attrgetter("value")  # in C: a row can be 16,384 cells wide


def read_workbook(raw: bytes, name: str) -> tuple[str, list[Record]]:
    """How the file was read ("an Excel workbook, ...") and its rows, the header first; raises PatientFileError
    for a workbook that cannot be read, unpacks too large, or has values on more than one sheet."""
    _check_unpacked(raw, name)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # openpyxl warns of parts it drops (data validation, extensions): unused here
        workbook = _open(raw, name)
        try:
            sheets = workbook.worksheets
            used = [number for number, sheet in enumerate(sheets, start=1) if _has_values(sheet, name)]
            if len(used) > 1:
                raise PatientFileError(
                    f"{name}: the workbook has values on sheets {', '.join(map(str, used))} (counted from the left); "
                    "keep the patient list alone on one sheet, or save that sheet as 'CSV UTF-8'"
                )
            rows = _sheet_records(sheets[used[0] - 1], name) if used else []
        finally:
            workbook.close()
    where = f", sheet {used[0]} (the other sheets are empty)" if len(sheets) > 1 and used else ""
    return f"an Excel workbook{where}", rows


def _check_unpacked(raw: bytes, name: str) -> None:
    """Refuse a workbook whose parts, unpacked, would be larger than the list's size limit (a 'zip bomb')."""
    try:
        with zipfile.ZipFile(io.BytesIO(raw)) as archive:
            unpacked = sum(info.file_size for info in archive.infolist())
    except (zipfile.BadZipFile, ValueError, OSError, EOFError):
        raise PatientFileError(UNREADABLE.format(name=name)) from None
    if unpacked > PATIENT_FILE.value:
        raise PatientFileError(f"{name}: the workbook unpacks to more than {PATIENT_FILE}; split it into smaller lists")


def _open(raw: bytes, name: str) -> Any:
    """The workbook, read-only, formulas as their last computed values."""
    import openpyxl  # late: only a workbook needs it

    try:
        return openpyxl.load_workbook(io.BytesIO(raw), read_only=True, data_only=True, keep_links=False)
    except Exception:  # a damaged or foreign file raises many kinds (KeyError, ParseError, ...): none is a bug here
        raise PatientFileError(UNREADABLE.format(name=name)) from None


def _rows(sheet: Any, name: str) -> Iterator[Sequence[Any]]:
    """The sheet's rows from row 1 (an empty tuple for a row the file leaves out), each up to its last cell."""
    sheet.reset_dimensions()  # the size a sheet declares may be wrong, or huge: follow the cells themselves
    rows = sheet.iter_rows()
    while True:
        try:
            cells = next(rows, None)
        except Exception:  # as in _open: the sheet's XML is damaged
            raise PatientFileError(UNREADABLE.format(name=name)) from None
        if cells is None:
            return
        yield cells


def _filled(cells: Sequence[Any]) -> set[Any]:
    """The values among `cells` that are not empty."""
    return set(map(value_of, cells)) - {None, ""}


def _has_values(sheet: Any, name: str) -> bool:
    return any(_filled(cells) for cells in _rows(sheet, name))


def _sheet_records(sheet: Any, name: str) -> list[Record]:
    """The header (up to its last named column) and the rows below it, until one past the row limit."""
    rows = _rows(sheet, name)
    header = [_cell_text(cell)[0].strip() for cell in next(rows, ())]
    while header and not header[-1]:
        header.pop()
    records = [Record(1, header)]
    for number, cells in enumerate(rows, start=2):
        records.append(_record(number, cells, len(header)))
        if number > PATIENT_ROWS.value + 1:
            break  # read_patients refuses the list: no need to read on
    return records


def _record(number: int, cells: Sequence[Any], width: int) -> Record:
    """One row as text, `width` cells wide; a value right of the header's last column fails the row, and so does
    a row reaching past SHEET_COLUMNS (its cells are not looked at: a far cell would cost a look at every one)."""
    refused: dict[int, str] = {}
    beyond = _filled(cells[width:]) if len(cells) <= SHEET_COLUMNS.value else set()
    if len(cells) > SHEET_COLUMNS.value:
        refused[width] = (
            f"has cells as far right as column {column_letter(len(cells))} (a value or formatting), more than "
            f"{SHEET_COLUMNS}; delete the columns right of the list"
        )
    elif beyond:
        values = list(map(value_of, cells[width:]))
        first = width + min(values.index(value) for value in beyond)
        refused[first] = f"has a value in column {column_letter(first + 1)}, right of the last named column; delete it"
    texts = [""] * width
    for column, cell in enumerate(cells[:width]):
        texts[column], why = _cell_text(cell)
        if why:
            refused[column] = why
    return Record(number, texts, refused=refused)


def _cell_text(cell: Any) -> tuple[str, str]:
    """(the cell as the list's text, "") or ("", why it cannot be taken)."""
    value = cell.value
    if value is None:
        return "", ""
    if cell.data_type == "e":
        return "", FORMULA_ERROR
    if isinstance(value, str):
        return value, ""
    if isinstance(value, bool):
        return ("TRUE" if value else "FALSE"), ""
    if isinstance(value, datetime.datetime):
        return (value.date().isoformat(), "") if value.time() == datetime.time() else ("", DATE_AND_TIME)
    if isinstance(value, datetime.date):
        return value.isoformat(), ""
    if isinstance(value, datetime.time | datetime.timedelta):
        return _clock(value)
    if isinstance(value, int | float):
        return _number(value, str(cell.number_format))
    return "", OTHER


def _clock(value: datetime.time | datetime.timedelta) -> tuple[str, str]:
    """A time of day as HH:MM; Excel keeps times as fractions of a day, so they are rounded to the second."""
    if isinstance(value, datetime.time):
        seconds = value.hour * 3600 + value.minute * 60 + value.second + value.microsecond / 1e6
    else:
        seconds = value.total_seconds()
    whole = round(seconds)
    if whole % 60 or not 0 <= whole < 24 * 3600:
        return "", CLOCK
    return f"{whole // 3600:02d}:{whole % 3600 // 60:02d}", ""


def _number(value: float, number_format: str) -> tuple[str, str]:
    """A whole number as the cell shows it: its digits, with the leading zeros of a '000000' format."""
    if (isinstance(value, float) and not value.is_integer()) or abs(value) >= 10**15:  # Excel keeps 15 digits
        return "", NUMBER
    whole = int(value)
    if number_format in TEXT_FORMATS:
        return str(whole), ""
    if set(number_format) == {"0"} and whole >= 0:
        return str(whole).zfill(len(number_format)), ""
    return "", NUMBER
