"""Discharge handouts: right PDFs for good rows, bad rows named by row and column, no patient data leaks."""

from __future__ import annotations

import contextlib
import csv
import datetime
import io
import os
import stat
from pathlib import Path

import openpyxl
import pikepdf
import pytest

from leaflets.cli import main
from tests.conftest import ROOT
from tests.pdfread import page_texts

FIXTURE = ROOT / "tests" / "fixtures" / "patients.csv"
NAMES = ["Alex Testperson", "Jordan Fictional", "Riley Madeup", "Casey Duplicate", "Morgan Fakename"]
PROBLEMS = [
    "patients.csv: row 4, column followup_date: is not a date written as YYYY-MM-DD, e.g. 2026-03-14 (another "
    "order of day and month is never guessed)",
    "patients.csv: row 4, column followup_time: is not a time written as HOUR:MINUTE, like 14:30",
    "patients.csv: row 5, column patient_name: is empty",
    "patients.csv: row 5, column leaflets: item 1 is not a leaflet name; choose from: failed-fusion, "
    "failed-decompression, scar-tissue, rehabilitation (separate several with ';')",
    "patients.csv: row 6, column record_id: the same record id as row 5 (upper and lower case do not count: on "
    "Windows and macOS both handouts would be one file); neither row's handout is made",
]


@pytest.fixture(scope="module")
def handouts(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, int, str, str]:
    """The fixture list run once through the command line in this process: (folder, exit code, stdout, stderr)."""
    out = tmp_path_factory.mktemp("discharge") / "handouts"
    capture = tmp_path_factory.mktemp("capture")
    with open(capture / "out", "w+") as stdout, open(capture / "err", "w+") as stderr:
        with contextlib.redirect_stdout(stdout), contextlib.redirect_stderr(stderr):
            code = main(["discharge", "--patients", str(FIXTURE), "--out", str(out), "--jobs", "1"])
        stdout.seek(0)
        stderr.seek(0)
        return out, code, stdout.read(), stderr.read()


@pytest.mark.pdf
def test_good_rows_are_made_and_bad_rows_named(handouts: tuple[Path, int, str, str]) -> None:
    out, code, stdout, stderr = handouts
    assert code == 4
    assert sorted(p.name for p in out.iterdir()) == ["EXS-0001.pdf", "EXS-0002.pdf", "EXS-0006.pdf"]
    assert stderr.splitlines() == PROBLEMS
    lines = stdout.splitlines()
    assert lines[0] == "Read patients.csv as CSV in UTF-8, columns separated by commas."
    assert lines[1].startswith(f"Made 3 handouts in {out} (")
    assert lines[2] == "Not made: 3 row(s) of patients.csv: 4, 5, 6 (problems listed above)."


def test_no_patient_value_in_file_names_terminal_or_metadata(handouts: tuple[Path, int, str, str]) -> None:
    out, _, stdout, stderr = handouts
    for name in NAMES:
        assert name not in stdout and name not in stderr
        for word in name.split():
            assert not any(word.lower() in p.name.lower() for p in out.iterdir())
    for path in out.iterdir():
        with pikepdf.open(path) as pdf:
            metadata = str(dict(pdf.docinfo)) + str(pdf.open_metadata())
        assert not any(name in metadata or name.split()[1] in metadata for name in NAMES), path.name
        assert "Alex" not in metadata and "Testperson" not in metadata


def test_handouts_are_owner_only(handouts: tuple[Path, int, str, str]) -> None:
    out, *_ = handouts
    assert stat.S_IMODE(out.stat().st_mode) == 0o700
    for path in out.iterdir():
        assert stat.S_IMODE(path.stat().st_mode) == 0o600


def test_header_note_and_chosen_leaflets_are_on_the_page(handouts: tuple[Path, int, str, str]) -> None:
    out, *_ = handouts
    text = " ".join(page_texts(out / "EXS-0001.pdf"))
    for phrase in [
        "Your discharge information",
        "Alex Testperson",
        "EXS-0001",
        "Lumbar laminectomy, 20 November 2026",
        "Dr Sam Example",
        "9 December 2026, 14:30",
        "Clinic 3 (ground floor)",
        "A note from your care team",
        "Walk a little more each day as we discussed.",
        "Who to call",
        "call us on 555-0134",
        "When scar tissue causes pain",
        "Rehab after back surgery",
        "Your questions for your next appointment",
    ]:
        assert phrase in text, phrase
    assert "When fusion surgery does not work" not in text
    second = " ".join(page_texts(out / "EXS-0002.pdf"))
    assert "When fusion surgery does not work" in second and "A note from your care team" not in second


def test_handouts_are_tagged_pdf_a(handouts: tuple[Path, int, str, str]) -> None:
    out, *_ = handouts
    with pikepdf.open(out / "EXS-0001.pdf") as pdf:
        meta = pdf.open_metadata()
        assert (meta.get("pdfaid:part"), meta.get("pdfaid:conformance")) == ("2", "A")
        assert "/StructTreeRoot" in pdf.Root and str(pdf.Root.Lang) == "en"
        assert str(pdf.Root.OutputIntents[0].S) == "/GTS_PDFA1"


@pytest.mark.pdf
def test_the_pool_gives_the_same_bytes_and_leaves_no_font_folders(
    handouts: tuple[Path, int, str, str], tmp_path: Path, temp_folder: Path, worker_runtime: Path
) -> None:
    out, *_ = handouts
    assert main(["discharge", "--patients", str(FIXTURE), "--out", str(tmp_path / "pool"), "--jobs", "2"]) == 4
    assert list(temp_folder.iterdir()) == [], "the run's scratch folder (the workers' font folders in it) is removed"
    assert not list(worker_runtime.rglob("weasyprint-*")), "the workers made their font folders in that folder"
    for path in out.iterdir():
        assert path.read_bytes() == (tmp_path / "pool" / path.name).read_bytes(), path.name


def _workbook(path: Path, rows: list[list[str]]) -> Path:
    """The rows as an Excel workbook, dates and times as Excel's own date and time cells."""
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(rows[0])
    for cells in rows[1:]:
        typed: list[object] = list(cells)
        for column in (3, 5):
            typed[column] = datetime.datetime.fromisoformat(cells[column])
        typed[6] = datetime.time.fromisoformat(cells[6])
        sheet.append(typed)
    book.save(path)
    return path


def _export(path: Path, rows: list[list[str]], delimiter: str, encoding: str) -> Path:
    buffer = io.StringIO()
    csv.writer(buffer, delimiter=delimiter, lineterminator="\r\n").writerows(rows)
    path.write_bytes(buffer.getvalue().encode(encoding))
    return path


EXPORTS = {
    "semicolons": lambda path, rows: _export(path / "list.csv", rows, ";", "utf-8"),
    "tabs": lambda path, rows: _export(path / "list.txt", rows, "\t", "utf-8"),
    "utf-8-bom": lambda path, rows: _export(path / "list.csv", rows, ",", "utf-8-sig"),
    "unicode-text": lambda path, rows: _export(path / "list.txt", rows, "\t", "utf-16"),  # Excel's: UTF-16 LE, BOM
    "xlsx": lambda path, rows: _workbook(path / "list.xlsx", rows),
}


@pytest.mark.pdf
@pytest.mark.parametrize("kind", EXPORTS)
def test_every_export_makes_the_same_handout_as_the_comma_csv(
    handouts: tuple[Path, int, str, str], tmp_path: Path, capsys: pytest.CaptureFixture[str], kind: str
) -> None:
    with FIXTURE.open(encoding="utf-8", newline="") as stream:
        rows = list(csv.reader(stream))[:2]  # the header and EXS-0001, whose note and leaflets hold ',' and ';'
    source = EXPORTS[kind](tmp_path, rows)
    assert main(["discharge", "--patients", str(source), "--out", str(tmp_path / "out"), "--jobs", "1"]) == 0
    assert capsys.readouterr().err == ""
    assert [p.name for p in (tmp_path / "out").iterdir()] == ["EXS-0001.pdf"]
    assert page_texts(tmp_path / "out" / "EXS-0001.pdf") == page_texts(handouts[0] / "EXS-0001.pdf")


def test_a_missing_column_stops_before_anything_is_made(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    source = tmp_path / "list.csv"
    source.write_text("record_id,patient_name\nEXS-1,Someone\n")
    assert main(["discharge", "--patients", str(source), "--out", str(tmp_path / "out")]) == 1
    assert capsys.readouterr().err == (
        "Error: list.csv: row 1 (the header) has no column procedure, procedure_date, clinician, followup_date, "
        "followup_time, followup_place, leaflets; the columns are: record_id, patient_name, procedure, "
        "procedure_date, clinician, followup_date, followup_time, followup_place, leaflets, note, language\n"
    )
    assert not (tmp_path / "out").exists()


@pytest.mark.pdf
def test_fillable_questions_box(tmp_path: Path) -> None:
    lines = FIXTURE.read_text().splitlines(keepends=True)
    source = tmp_path / "one.csv"
    source.write_text(lines[0] + lines[1])
    assert main(["discharge", "--patients", str(source), "--out", str(tmp_path / "out"), "--fillable"]) == 0
    with pikepdf.open(tmp_path / "out" / "EXS-0001.pdf") as pdf:
        fields = list(pdf.Root.AcroForm.Fields)
        assert [str(f.FT) for f in fields] == ["/Tx"]
        assert pdf.open_metadata().get("pdfaid:part") == "2"


def test_csv_files_are_kept_out_of_git() -> None:
    ignored = (ROOT / ".gitignore").read_text().splitlines()
    assert {"*.csv", "*.xlsx", "*.xlsm", "*.xls", "!tests/fixtures/*.csv"} <= set(ignored)
    assert os.access(FIXTURE, os.R_OK)
