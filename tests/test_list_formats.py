"""Real exports of the patient list: CSV with commas, semicolons or tabs, in UTF-8 (with or without a
byte-order mark) or UTF-16, and Excel workbooks (.xlsx), each read as the same patients; a file in
another encoding is refused once. No message holds a patient value (every value holds 'Secret').

Rendering is left out here (tests/test_discharge.py renders each export once): a handout depends
only on the patient read.
"""

from __future__ import annotations

import csv
import datetime
import io
import zipfile
from pathlib import Path

import openpyxl
import pytest

from leaflets.cli import discharge as discharge_cli
from leaflets.discharge.csvrecords import readable_cells
from leaflets.discharge.handouts import Made
from leaflets.discharge.patients import REQUIRED, Patient, PatientList, read_patients
from leaflets.discharge.records import PatientFileError
from tests.test_patient_list import LEAFLETS, discharge

COLUMNS = [*REQUIRED, "note"]
#: Fictional rows with letters beyond ASCII, a ';' in a place and a ',' in a note: every separator is quoted somewhere.
ROWS = [
    [
        "SEC-0002",
        "Secret José Núñez",
        "Laminectomía",
        "2026-11-20",
        "Dr Secret",
        "2026-12-09",
        "14:30",
        "Clínica 3; planta baja",
        "scar-tissue;rehabilitation",
        "Secret: walk, then rest.",
    ],
    [
        "SEC-0003",
        "Secret Zoë",
        "Fusion",
        "2026-11-18",
        "Dr Secret",
        "2026-12-16",
        "09:15",
        "Clinic 1",
        "failed-fusion",
        "",
    ],
]
SAVE_AS = "save it again: in Excel, File > Save As > 'CSV UTF-8 (Comma delimited)' (or 'Excel Workbook', .xlsx)"


def export(delimiter: str = ",", encoding: str = "utf-8", bom: bytes = b"", rows: list[list[str]] = ROWS) -> bytes:
    """The list as a spreadsheet program saves it: quoted where needed, CRLF line ends."""
    buffer = io.StringIO()
    csv.writer(buffer, delimiter=delimiter, lineterminator="\r\n").writerows([COLUMNS, *rows])
    return bom + buffer.getvalue().encode(encoding)


def workbook(path: Path, rows: list[list[object]] | None = None) -> Path:
    """ROWS as Excel keeps them: dates as date cells, times as time cells."""
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(COLUMNS)
    for cells in rows if rows is not None else ROWS:
        typed = [_typed(column, value) for column, value in zip(COLUMNS, cells, strict=False)]
        sheet.append(typed + list(cells[len(COLUMNS) :]))
    book.save(path)
    return path


def _typed(column: str, value: object) -> object:
    """A date or time written in ISO form as the cell Excel makes of it; anything else as it is."""
    if not isinstance(value, str) or not (column.endswith("_date") or column == "followup_time"):
        return value
    try:
        return (
            datetime.time.fromisoformat(value) if column == "followup_time" else datetime.datetime.fromisoformat(value)
        )
    except ValueError:
        return value


def read(path: Path, data: bytes | None = None) -> PatientList:
    if data is not None:
        path.write_bytes(data)
    return read_patients(path, LEAFLETS)


EXPORTS = {
    "semicolons": (export(";"), "CSV in UTF-8, columns separated by semicolons"),
    "tabs": (export("\t"), "CSV in UTF-8, columns separated by tabs"),
    "utf-8-bom": (export(bom=b"\xef\xbb\xbf"), "CSV in UTF-8 with a byte-order mark, columns separated by commas"),
    "unicode-text": (  # Excel's "Unicode Text": UTF-16 little-endian with its byte-order mark, tabs
        export("\t", "utf-16-le", b"\xff\xfe"),
        "CSV in UTF-16 (little-endian, Excel's 'Unicode Text'), columns separated by tabs",
    ),
    "utf-16-be": (export(";", "utf-16-be", b"\xfe\xff"), "CSV in UTF-16 (big-endian), columns separated by semicolons"),
}


@pytest.mark.parametrize("kind", EXPORTS)
def test_every_csv_export_reads_as_the_comma_csv(tmp_path: Path, kind: str) -> None:
    comma = read(tmp_path / "comma.csv", export())
    assert comma.read_as == "CSV in UTF-8, columns separated by commas"
    assert comma.problems == [] and [p.patient_name for p in comma.patients] == ["Secret José Núñez", "Secret Zoë"]
    data, read_as = EXPORTS[kind]
    listed = read(tmp_path / "list.csv", data)
    assert listed.read_as == read_as
    assert listed.problems == []
    assert listed.patients == comma.patients


def test_a_workbook_reads_as_the_comma_csv(tmp_path: Path) -> None:
    comma = read(tmp_path / "comma.csv", export())
    listed = read(workbook(tmp_path / "list.xlsx"))
    assert listed.read_as == "an Excel workbook"
    assert listed.problems == []
    assert listed.patients == comma.patients


def test_the_command_says_how_it_read_the_list(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    def pretend(content: object, settings: object, chosen: list[Patient], *rest: object) -> list[Made]:
        return [Made(p.row, f"{p.record_id}.pdf", 1, "0" * 64) for p in chosen]  # rendering is not tested here

    monkeypatch.setattr(discharge_cli, "make_handouts", pretend)
    (tmp_path / "list.csv").write_bytes(EXPORTS["semicolons"][0])
    code, out, err = discharge(capsys, tmp_path / "list.csv", tmp_path / "out")
    assert (code, err) == (0, [])
    assert out[0] == "Read list.csv as CSV in UTF-8, columns separated by semicolons."
    code, out, err = discharge(capsys, workbook(tmp_path / "list.xlsx"), tmp_path / "out")
    assert (code, err, out[0]) == (0, [], "Read list.xlsx as an Excel workbook.")


@pytest.mark.parametrize(
    ("encoding", "named"),
    [
        ("cp1252", "Windows-1252 (Western European)"),  # Excel's plain "CSV" on a Western European Windows
        ("utf-16-le", "UTF-16 without a byte-order mark"),
    ],
)
def test_a_file_in_another_encoding_is_refused_once_naming_it(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], encoding: str, named: str
) -> None:
    (tmp_path / "list.csv").write_bytes(export(encoding=encoding))
    code, out, err = discharge(capsys, tmp_path / "list.csv", tmp_path / "out")
    assert code == 1
    assert err == [
        f"Error: list.csv: the file is not UTF-8 text; it is probably {named}. None of it was read: {SAVE_AS}"
    ]
    assert out == []
    assert not (tmp_path / "out").exists(), "nothing was made or removed"


def test_a_damaged_utf16_file_is_refused_once(tmp_path: Path) -> None:
    with pytest.raises(PatientFileError) as refused:
        read(tmp_path / "list.csv", export("\t", "utf-16-le", b"\xff\xfe") + b"\x00\xdc")  # half a surrogate pair
    assert str(refused.value) == f"list.csv: the file starts as UTF-16 text but is damaged further on; {SAVE_AS}"


def test_a_few_rows_of_other_bytes_in_a_utf8_file_fail_alone(tmp_path: Path) -> None:
    data = export().replace("Zoë".encode(), "Zoë".encode("cp1252"))  # one cell pasted from a Windows-1252 file
    listed = read(tmp_path / "list.csv", data)
    assert [p.row for p in listed.patients] == [2]
    assert [str(p) for p in listed.problems] == [
        "row 3, column patient_name: holds bytes that are not UTF-8 text (pasted from another program?); retype "
        "the cell"
    ]
    assert listed.problems[0].record == "SEC-0003", "the row's record is known: its earlier handout is removed"


def test_the_cells_of_a_broken_line_are_read_up_to_the_break() -> None:
    assert readable_cells('SEC-1,"Smith, J",x"y,"open', ",") == ["SEC-1", "Smith, J"]
    assert readable_cells('"SEC-1";"a ""quoted"" word";"open\n', ";") == ["SEC-1", 'a "quoted" word']
    assert readable_cells('"SEC-1,Smith', ",") == []


# --- workbooks ----------------------------------------------------------------------------------------


def test_workbook_cells_become_text_strictly_and_are_never_repeated(tmp_path: Path) -> None:
    good, text_date = ROWS[1], [*ROWS[1][:3], "03/04/2026", *ROWS[1][4:]]
    with_time = [*ROWS[1][:5], datetime.datetime(2026, 12, 16, 9, 15), *ROWS[1][6:]]
    seconds = [*ROWS[1][:6], datetime.time(9, 15, 30), *ROWS[1][7:]]
    error = [*ROWS[1][:4], "#N/A", *ROWS[1][5:]]  # openpyxl writes a formula error's value as an error cell
    rows: list[list[object]] = [
        ["SEC-0002", *good[1:]],
        ["SEC-0003", *text_date[1:]],
        ["SEC-0004", *with_time[1:]],
        ["SEC-0005", *seconds[1:]],
        ["SEC-0006", *error[1:]],
        [12345, *good[1:]],  # a record id kept as a number, shown with leading zeros (format 000000)
        [2.5, *good[1:]],
        [],  # an empty row: the rows below keep the numbers the spreadsheet shows
        ["SEC-0010", *good[1:], "Secret"],  # a value in column K, right of the last named column (J)
    ]
    path = workbook(tmp_path / "list.xlsx", rows)
    book = openpyxl.load_workbook(path)
    book.active["A7"].number_format = "000000"
    book.save(path)
    listed = read(path)
    assert [(p.row, p.record_id) for p in listed.patients] == [(2, "SEC-0002"), (7, "012345")]
    assert [str(p) for p in listed.problems] == [
        "row 3, column procedure_date: is not a date written as YYYY-MM-DD, e.g. 2026-03-14 (another order of day "
        "and month is never guessed)",
        "row 4, column followup_date: holds a date and a time of day in one cell; keep the date (YYYY-MM-DD) and "
        "the time in their columns",
        "row 5, column followup_time: holds a time with seconds, or not within one day; write the time as HH:MM, "
        "e.g. 14:30",
        "row 6, column clinician: holds a formula error (such as #N/A or #REF!); correct the formula or type the value",
        "row 8, column record_id: holds a number with decimals or a number format that is not copied; format the "
        "column as Text and retype it",
        "row 10: has a value in column K, right of the last named column; delete it",
    ]
    assert [p.record for p in listed.problems] == ["SEC-0003", "SEC-0004", "SEC-0005", "SEC-0006", None, "SEC-0010"]
    assert listed.patients[0].followup_time == "09:15" and listed.patients[0].followup_date == datetime.date(
        2026, 12, 16
    )


def test_the_list_may_be_on_any_one_sheet(tmp_path: Path) -> None:
    path = workbook(tmp_path / "list.xlsx")
    book = openpyxl.load_workbook(path)
    book.move_sheet(book.active, offset=1)
    book.create_sheet("Notes", 0)  # an empty sheet first
    book.save(path)
    listed = read(path)
    assert listed.read_as == "an Excel workbook, sheet 2 (the other sheets are empty)"
    assert [p.row for p in listed.patients] == [2, 3]


def test_values_on_two_sheets_stop_everything(tmp_path: Path) -> None:
    path = workbook(tmp_path / "list.xlsx")
    book = openpyxl.load_workbook(path)
    book.create_sheet("Empty")
    book.create_sheet("Secret ward")["C9"] = "Secret"
    book.save(path)
    with pytest.raises(PatientFileError) as refused:
        read(path)
    assert str(refused.value) == (
        "list.xlsx: the workbook has values on sheets 1, 3 (counted from the left); keep the patient list alone "
        "on one sheet, or save that sheet as 'CSV UTF-8'"
    )


def test_a_workbook_that_unpacks_too_large_is_refused_before_it_is_read(tmp_path: Path) -> None:
    path = workbook(tmp_path / "list.xlsx")
    with zipfile.ZipFile(path, "a", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("xl/media/filler.bin", bytes(40 * 1024 * 1024))  # 40 MB of zeros: about 40 KB packed
    assert path.stat().st_size < 1024 * 1024
    with pytest.raises(PatientFileError) as refused:
        read(path)
    assert (
        str(refused.value)
        == "list.xlsx: the workbook unpacks to more than 33,554,432 bytes; split it into smaller lists"
    )


UNREADABLE = (
    "cannot be read as an Excel workbook (.xlsx); open it in Excel and save it again as 'Excel Workbook' or 'CSV UTF-8'"
)


@pytest.mark.parametrize(
    ("name", "data", "message"),
    [
        ("list.xlsx", b"PK\x03\x04 damaged", f"list.xlsx: {UNREADABLE}"),
        ("list.csv", b"PK\x03\x04 damaged", f"list.csv: {UNREADABLE}"),  # known by its bytes, whatever its name
        ("list.xlsx", b"record_id,patient_name\n", f"list.xlsx: {UNREADABLE}"),
        (
            "list.xls",
            b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(500),
            f"list.xls: an Excel 97-2003 workbook (.xls) or another older Office file; {SAVE_AS}",
        ),
    ],
    ids=["damaged", "renamed", "not-a-workbook", "xls"],
)
def test_a_file_that_is_not_a_readable_workbook_is_refused_once(
    tmp_path: Path, name: str, data: bytes, message: str
) -> None:
    with pytest.raises(PatientFileError) as refused:
        read(tmp_path / name, data)
    assert str(refused.value) == message


def test_a_zip_that_is_not_a_workbook_is_refused(tmp_path: Path) -> None:
    with zipfile.ZipFile(tmp_path / "list.xlsx", "w") as archive:
        archive.writestr("list.csv", export())
    with pytest.raises(PatientFileError) as refused:
        read(tmp_path / "list.xlsx")
    assert str(refused.value) == f"list.xlsx: {UNREADABLE}"


def test_a_row_reaching_far_right_fails_without_each_cell_being_looked_at(tmp_path: Path) -> None:
    path = workbook(tmp_path / "list.xlsx")
    book = openpyxl.load_workbook(path)
    book.active.cell(row=2, column=1001).font = openpyxl.styles.Font(bold=True)  # formatting, no value
    book.active.cell(row=3, column=1000, value="Secret")
    book.save(path)
    listed = read(path)
    assert listed.patients == []
    assert [str(p) for p in listed.problems] == [
        "row 2: has cells as far right as column ALM (a value or formatting), more than 1,000 columns; delete the "
        "columns right of the list",
        "row 3: has a value in column ALL, right of the last named column; delete it",
    ]
    assert [p.record for p in listed.problems] == ["SEC-0002", "SEC-0003"]


def test_a_workbook_over_the_row_limit_is_refused(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from leaflets.content.limits import Limit
    from leaflets.discharge import patients, xlsxrecords

    for module in (patients, xlsxrecords):
        monkeypatch.setattr(module, "PATIENT_ROWS", Limit("rows", 1, "rows", "test"))
    with pytest.raises(PatientFileError, match=r"^list\.xlsx: has more than 1 rows; split it into smaller lists$"):
        read(workbook(tmp_path / "list.xlsx"))
