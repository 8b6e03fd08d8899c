"""The patient list read strictly: every column checked, rows numbered as a spreadsheet does, one bad row fails alone.

No message ever holds a patient value: problems name the row and the column.
"""

from __future__ import annotations

import csv
import stat
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from leaflets.cli import discharge as discharge_cli
from leaflets.cli import main
from leaflets.content.limits import Limit
from leaflets.discharge import patients
from leaflets.discharge.handouts import Made
from leaflets.discharge.patients import COLUMNS, REQUIRED, RowProblem, read_patients
from leaflets.errors import BuildError
from tests.conftest import ROOT

FIXTURE = ROOT / "tests" / "fixtures" / "patients.csv"
HEADER = ",".join([*REQUIRED, "note"])  # the optional language column left out, as most lists will
ALL_COLUMNS = ", ".join(COLUMNS)
LEAFLETS = ["failed-fusion", "failed-decompression", "scar-tissue", "rehabilitation"]


def row(number: int, note: str = "", place: str = "Clinic 3", name: str | None = None) -> str:
    """One good CSV row for a fictional patient; every value holds 'Secret' so a leak can be seen."""
    name = name if name is not None else f"Secret Person{number}"
    return f"SEC-{number:04d},{name},Laminectomy,2026-11-20,Dr Secret,2026-12-09,14:30,{place},scar-tissue,{note}\n"


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "list.csv"
    path.write_text(text, encoding="utf-8", newline="")
    return path


def read(path: Path) -> tuple[list[patients.Patient], list[RowProblem]]:
    """The good rows and the problems of a list, read as the discharge command reads it."""
    listed = read_patients(path, LEAFLETS)
    return listed.patients, listed.problems


def discharge(capsys: pytest.CaptureFixture[str], source: Path, out: Path) -> tuple[int, list[str], list[str]]:
    """The discharge command in this process: (exit code, stdout lines, stderr lines); never a patient value."""
    code = main(["discharge", "--patients", str(source), "--out", str(out), "--jobs", "1"])
    captured = capsys.readouterr()
    assert "Secret" not in captured.out + captured.err and "SEC-" not in captured.out + captured.err
    assert "Traceback" not in captured.err and "unexpected failure" not in captured.err
    return code, captured.out.splitlines(), captured.err.splitlines()


@pytest.fixture
def no_rendering(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[int]]:
    """Replace rendering by a stand-in that 'makes' every patient it is given; yields the rows it was given."""
    given: list[int] = []

    def pretend(content: Any, settings: Any, chosen: Any, jobs: int, progress: Any, *rest: Any) -> list[Made]:
        given.extend(p.row for p in chosen)
        return [Made(p.row, f"{p.record_id}.pdf", 1, "0" * 64) for p in chosen]

    monkeypatch.setattr(discharge_cli, "make_handouts", pretend)
    yield given


@pytest.mark.parametrize(
    ("header", "message"),
    [
        (
            HEADER.replace(",note", ",notes"),
            f"list.csv: row 1 (the header), column J: not a column of the list; did you mean note? "
            f"the columns are: {ALL_COLUMNS}",
        ),
        (HEADER + ",Note", "list.csv: row 1 (the header), column K: repeats column J; keep one of the two"),
        (HEADER + ",", "list.csv: row 1 (the header), column K: has no name; name it or delete the column"),
        (
            HEADER.replace("patient_name", "Patient Name"),
            "list.csv: row 1 (the header), column B: not a column of the list; did you mean patient_name? "
            f"the columns are: {ALL_COLUMNS}",
        ),
    ],
)
def test_a_header_that_would_lose_or_confuse_a_column_stops_everything(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], header: str, message: str
) -> None:
    source = write(tmp_path, header + "\n" + row(2))
    code, out, err = discharge(capsys, source, tmp_path / "out")
    assert code == 1
    assert err == [f"Error: {message}"]
    assert out == []
    assert not (tmp_path / "out").exists()


def test_a_header_with_an_open_quote_stops_everything(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    source = write(tmp_path, '"' + HEADER + "\n" + row(2))
    code, _, err = discharge(capsys, source, tmp_path / "out")
    assert code == 1
    assert err == [
        'Error: list.csv: row 1 (the header): the quotes in this row do not pair up: a cell that starts with " '
        'must end with " (a " inside a cell is written "")'
    ]


def test_a_header_cell_is_never_repeated_back(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    source = write(tmp_path, row(1) + row(2))  # no header: the first patient's row is read as one
    code, _, err = discharge(capsys, source, tmp_path / "out")
    assert code == 1
    assert err[0] == (
        f"Error: list.csv: row 1 (the header), column A: not a column of the list; the columns are: {ALL_COLUMNS}"
    )


def test_a_line_break_inside_a_quoted_note_does_not_shift_the_rows_below(tmp_path: Path) -> None:
    text = HEADER + "\n" + row(2, note='"Walk a little.\nThen rest."') + row(3) + row(4, place="")
    found, problems = read(write(tmp_path, text))
    assert [p.row for p in found] == [2, 3]
    assert found[0].note == "Walk a little.\nThen rest."
    assert [str(p) for p in problems] == ["row 4, column followup_place: is empty"]


def test_a_line_break_in_any_other_cell_is_named(tmp_path: Path) -> None:
    text = HEADER + "\n" + row(2, place='"Clinic 3\nGround floor"') + row(3)
    found, problems = read(write(tmp_path, text))
    assert [p.row for p in found] == [3]
    assert [str(p) for p in problems] == [
        "row 2, column followup_place: has a line break or a tab inside it; keep it on one line"
    ]


def test_an_open_quote_fails_its_row_and_reading_goes_on(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], no_rendering: list[int]
) -> None:
    rows = [row(n) for n in range(2, 10)]
    rows[1] = rows[1].replace("Clinic 3", '"Clinic 3')  # row 3: a quote opened and never closed
    code, out, err = discharge(capsys, write(tmp_path, HEADER + "\n" + "".join(rows)), tmp_path / "out")
    assert code == 4
    assert no_rendering == [2, 4, 5, 6, 7, 8, 9]
    assert err == [
        'list.csv: row 3: the quotes in this row do not pair up: a cell that starts with " must end with " '
        '(a " inside a cell is written ""); this row was skipped and reading went on at the next line'
    ]
    assert out[0] == "Read list.csv as CSV in UTF-8, columns separated by commas."
    assert out[2] == "Not made: 1 row(s) of list.csv: 3 (problems listed above)."


def test_an_open_quote_cannot_carry_the_next_patient_into_a_note(tmp_path: Path) -> None:
    # Row 2's note opens a quote and row 3's note ends with one: read naively, row 3 is part of row 2's note.
    text = HEADER + "\n" + row(2, note='"Rest') + row(3, note='height 5"') + row(4)
    found, problems = read(write(tmp_path, text))
    assert [(p.row, p.note) for p in found] == [(3, 'height 5"'), (4, "")]
    assert [(p.row, p.column) for p in problems] == [(2, "")]


def test_a_huge_cell_fails_its_row_and_the_batch_goes_on(tmp_path: Path) -> None:
    text = HEADER + "\n" + row(2) + row(3, place="x" * 200_000) + row(4)
    before = csv.field_size_limit()
    found, problems = read(write(tmp_path, text))
    assert csv.field_size_limit() == before, "csv's global limit is restored"
    assert [p.row for p in found] == [2, 4]
    assert [str(p) for p in problems] == [
        "row 3: a cell is longer than 4,096 characters; this row was skipped and reading went on at the next line"
    ]


@pytest.mark.parametrize(
    ("name", "message"),
    [
        (
            "Secret\x1bPerson",
            "contains a character no typeface prints (an invisible control or reordering character, or one "
            "damaged in copying); retype the cell",
        ),
        (
            "Secret\u202ePerson",
            "contains a character no typeface prints (an invisible control or reordering character, or one "
            "damaged in copying); retype the cell",
        ),
        (
            "Secret" + "x" * 41,
            "has a word longer than 40 characters, which would run off the page; add a space or a hyphen",
        ),
        ("Secret" + " x" * 100, "is longer than 120 characters"),
    ],
)
def test_a_cell_that_cannot_print_is_named_without_its_value(tmp_path: Path, name: str, message: str) -> None:
    found, problems = read(write(tmp_path, HEADER + "\n" + row(2, name=name) + row(3)))
    assert [p.row for p in found] == [3]
    assert [str(p) for p in problems] == [f"row 2, column patient_name: {message}"]


def test_many_problems_are_summarised_and_all_written_down(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], no_rendering: list[int]
) -> None:
    text = HEADER + "\n" + "".join(row(n, place="") for n in range(2, 32)) + row(32)
    out_dir = tmp_path / "out"
    code, out, err = discharge(capsys, write(tmp_path, text), out_dir)
    assert code == 4
    assert err[:20] == [f"list.csv: row {n}, column followup_place: is empty" for n in range(2, 22)]
    assert err[20:] == [f"... and 10 more problems; all are in {out_dir / 'problems.txt'}"]
    rows = ", ".join(str(n) for n in range(2, 22))
    assert (
        out[2]
        == f"Not made: 30 row(s) of list.csv: {rows} and 10 more (the first above, all in {out_dir / 'problems.txt'})."
    )
    written = (out_dir / "problems.txt").read_text().splitlines()
    assert written == [f"list.csv: row {n}, column followup_place: is empty" for n in range(2, 32)]
    assert stat.S_IMODE((out_dir / "problems.txt").stat().st_mode) == 0o600
    discharge(capsys, write(tmp_path, HEADER + "\n" + row(2)), out_dir)
    assert not (out_dir / "problems.txt").exists(), "a list of an older run's problems is not left behind"


def test_the_rows_kept_out_are_named_even_when_rendering_stops(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    def fail(*args: Any) -> list[Made]:
        raise BuildError("a font did not load")

    monkeypatch.setattr(discharge_cli, "make_handouts", fail)
    code, out, err = discharge(capsys, write(tmp_path, HEADER + "\n" + row(2, place="") + row(3)), tmp_path / "out")
    assert code == 3
    assert err == [
        "list.csv: row 2, column followup_place: is empty",
        "list.csv: 1 row(s) not reached: the run stopped before them",
        "Error: a font did not load",
    ]
    assert out[1].startswith(f"Made 0 handouts in {tmp_path / 'out'} (")
    assert out[2:] == ["Not made: 2 row(s) of list.csv: 2, 3 (problems listed above)."]


def test_a_list_over_the_row_limit_is_refused(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(patients, "PATIENT_ROWS", Limit("rows", 3, "rows", "test"))
    with pytest.raises(
        patients.PatientFileError, match=r"^list\.csv: has more than 3 rows; split it into smaller lists$"
    ):
        read_patients(write(tmp_path, HEADER + "\n" + "".join(row(n) for n in range(2, 7))), LEAFLETS)


def test_the_fixture_is_read_as_before() -> None:
    found, problems = read(FIXTURE)
    assert [p.row for p in found] == [2, 3, 7]
    assert sorted({p.row for p in problems}) == [4, 5, 6]


# --- a failed row leaves no earlier handout -----------------------------------------------------------


def duplicate(row: int) -> str:
    return (
        f"the same record id as row {row} (upper and lower case do not count: on Windows and macOS both handouts "
        "would be one file); neither row's handout is made"
    )


@pytest.fixture
def stand_in(monkeypatch: pytest.MonkeyPatch) -> None:
    """Rendering replaced by a stand-in that writes a small file per patient, holding its follow-up date: the
    folder (earlier handouts removed, new ones written) works as in a real run, in a fraction of the time."""

    def pretend(content: Any, settings: Any, chosen: Any, jobs: int, progress: Any, *rest: Any) -> list[Made]:
        for patient in chosen:
            (settings.out_dir / f"{patient.record_id}.pdf").write_text(f"follow-up {patient.followup_date}")
        return [Made(p.row, f"{p.record_id}.pdf", 1, "0" * 64) for p in chosen]

    monkeypatch.setattr(discharge_cli, "make_handouts", pretend)


def write_bytes(tmp_path: Path, data: bytes) -> Path:
    path = tmp_path / "list.csv"
    path.write_bytes(data)
    return path


def handouts(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir())


#: Today's list: row 2 is made (its name is UTF-8 beyond ASCII, so the file is UTF-8), row 3 fails.
ROW_2 = (HEADER + "\n" + row(2, name="Secret José")).encode()
GOOD = ROW_2.decode() + row(3)
NOT_UTF8_CELL = "holds bytes that are not UTF-8 text (pasted from another program?); retype the cell"


@pytest.mark.parametrize(
    ("row_3", "problem"),
    [
        (
            row(3).encode().replace(b"Person3", b"P\xe9rson3"),  # a name pasted in Windows-1252
            f"row 3, column patient_name: {NOT_UTF8_CELL}",
        ),
        (
            row(3, place='"Clinic 3').encode(),
            'row 3: the quotes in this row do not pair up: a cell that starts with " must end with " (a " inside a '
            'cell is written ""); this row was skipped and reading went on at the next line',
        ),
        (
            row(3).replace("2026-12-09", "09/12/2026").encode(),
            "row 3, column followup_date: is not a date written as YYYY-MM-DD, e.g. 2026-03-14 (another order of "
            "day and month is never guessed)",
        ),
    ],
    ids=["encoding", "quotes", "value"],
)
def test_a_row_that_fails_now_leaves_no_handout_from_the_last_run(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], stand_in: None, row_3: bytes, problem: str
) -> None:
    out = tmp_path / "out"
    assert discharge(capsys, write(tmp_path, GOOD), out)[0] == 0
    assert handouts(out) == ["SEC-0002.pdf", "SEC-0003.pdf"]
    code, lines, err = discharge(capsys, write_bytes(tmp_path, ROW_2 + row_3), out)
    assert code == 4
    assert err == [f"list.csv: {problem}"]
    assert handouts(out) == ["SEC-0002.pdf"], "row 3's handout, with last run's appointment, is gone"
    assert lines[2:] == [
        "Not made: 1 row(s) of list.csv: 3 (problems listed above).",
        "Removed the earlier handout(s) of row(s) 3: none is left with last time's details.",
    ]
    assert "José" not in "".join(lines + err)


@pytest.mark.parametrize(
    "broken",
    [
        b'"SEC-0003,Secret Person3,Laminectomy',  # a quote opened in the record id itself
        b"SEC-\xe90003,Secret Person3,Laminectomy",  # the record id is not UTF-8
        b",Secret Person3,Laminectomy",  # no record id
    ],
    ids=["quote", "encoding", "empty"],
)
def test_a_failed_row_whose_record_cannot_be_read_leaves_no_earlier_handout_at_all(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], stand_in: None, broken: bytes
) -> None:
    out = tmp_path / "out"
    assert discharge(capsys, write(tmp_path, HEADER + "\n" + row(9)), out)[0] == 0  # another day's list
    assert discharge(capsys, write(tmp_path, GOOD), out)[0] == 0
    (out / "notes.txt").write_text("not a handout")
    assert handouts(out) == ["SEC-0002.pdf", "SEC-0003.pdf", "SEC-0009.pdf", "notes.txt"]
    today = ROW_2 + row(3).encode().replace(b"SEC-0003,Secret Person3,Laminectomy", broken)
    code, lines, err = discharge(capsys, write_bytes(tmp_path, today), out)
    assert code == 4
    assert err[0].startswith("list.csv: row 3")
    # Row 3 might be SEC-0009's, or anyone's: no handout that cannot be ruled out as its is kept.
    assert handouts(out) == ["SEC-0002.pdf", "notes.txt"]
    assert lines[-1] == (
        f"Removed every earlier handout in {out} (3): the record id of row(s) 3 could not be read, so no earlier "
        "handout could be ruled out as theirs."
    )


def test_an_earlier_handout_is_found_whatever_the_case_of_its_name(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], stand_in: None
) -> None:
    out = tmp_path / "out"
    assert discharge(capsys, write(tmp_path, HEADER + "\n" + row(3).replace("SEC-", "sec-")), out)[0] == 0
    assert handouts(out) == ["sec-0003.pdf"]
    code, lines, _ = discharge(capsys, write(tmp_path, HEADER + "\n" + row(2) + row(3, place="")), out)
    assert code == 4
    assert handouts(out) == ["SEC-0002.pdf"]
    assert lines[-1] == "Removed the earlier handout(s) of row(s) 3: none is left with last time's details."


@pytest.mark.parametrize(("first", "second"), [("UPPER-1", "upper-1"), ("Sec-0002", "sEC-0002")])
def test_record_ids_that_differ_only_in_case_are_one_record_and_neither_is_made(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], stand_in: None, first: str, second: str
) -> None:
    out = tmp_path / "out"
    assert discharge(capsys, write(tmp_path, HEADER + "\n" + row(2).replace("SEC-0002", first)), out)[0] == 0
    assert handouts(out) == [f"{first}.pdf"]
    text = HEADER + "\n" + row(2).replace("SEC-0002", first) + row(3).replace("SEC-0003", second)
    code, lines, err = discharge(capsys, write(tmp_path, text), out)
    assert code == 4
    assert err == [
        f"list.csv: row 2, column record_id: {duplicate(3)}",
        f"list.csv: row 3, column record_id: {duplicate(2)}",
    ]
    assert handouts(out) == []  # which row's appointment is right cannot be told: last run's is gone too
    for value in (first, second):
        assert value not in "".join(lines + err)


@pytest.mark.parametrize("record_id", ["Jos\u00e9-1", "Jose\u0301-1", "\uff21\uff22-1", "a b", "../x", "-x"])
def test_a_record_id_that_is_not_a_safe_file_name_fails_its_row_unrepeated(tmp_path: Path, record_id: str) -> None:
    found, problems = read(write(tmp_path, HEADER + "\n" + row(2).replace("SEC-0002", record_id)))
    assert found == []
    assert [str(p) for p in problems] == [
        "row 2, column record_id: use the letters A to Z, digits and hyphens only (at most 40): it names the "
        "handout's file"
    ]


def test_a_failed_row_with_the_id_of_a_later_one_stops_both(tmp_path: Path) -> None:
    # Which of two rows with one record id is right cannot be known when the first fails: neither is made.
    text = HEADER + "\n" + row(2, place="") + row(3).replace("SEC-0003", "sec-0002")
    found, problems = read(write(tmp_path, text))
    assert found == []
    assert [str(p) for p in problems] == [
        "row 2, column followup_place: is empty",
        f"row 3, column record_id: {duplicate(2)}",
    ]


def test_the_pace_of_a_run_is_said_sensibly() -> None:
    assert discharge_cli.pace(0, 1.3) == "1.3 s"
    assert discharge_cli.pace(1, 5.7) == "5.7 s, 5.7 s each"
    assert discharge_cli.pace(3, 12.0) == "12.0 s, 4.0 s each"
    assert discharge_cli.pace(10, 2.0) == "2.0 s, 5 per second"
