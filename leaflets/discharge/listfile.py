"""The patient list file: its size checked, its form (CSV export or Excel workbook) known by its first bytes."""

from __future__ import annotations

from collections.abc import Collection, Generator
from pathlib import Path

from leaflets.content.limits import PATIENT_FILE
from leaflets.discharge.csvrecords import SAVE_AS, read_csv
from leaflets.discharge.records import PatientFileError, Record
from leaflets.discharge.xlsxrecords import UNREADABLE, ZIP, read_workbook

OLE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # how an Excel 97-2003 workbook (.xls) starts


def read_rows(path: Path, columns: Collection[str]) -> tuple[str, Generator[Record, None, None]]:
    """How the file is read (e.g. "an Excel workbook") and its rows, the header first; raises PatientFileError for
    a file that cannot be used at all. `columns`: the names the header may hold (they tell a CSV's separator)."""
    return _rows(_read_bytes(path), path.name, columns)


def _read_bytes(path: Path) -> bytes:
    """The whole file, once its size is known to be within the limit."""
    try:
        with path.open("rb") as file:
            raw = file.read(PATIENT_FILE.value + 1)
    except OSError as error:
        raise PatientFileError(f"cannot read {path.name}: {error.strerror}") from None
    if len(raw) > PATIENT_FILE.value:
        raise PatientFileError(f"{path.name}: the file is larger than {PATIENT_FILE}; split it into smaller lists")
    return raw


def _rows(raw: bytes, name: str, columns: Collection[str]) -> tuple[str, Generator[Record, None, None]]:
    """How the file is read, and its records: a workbook is known by its first bytes, whatever its name."""
    if raw.startswith(ZIP):
        read_as, rows = read_workbook(raw, name)
        return read_as, (row for row in rows)
    if raw.startswith(OLE):
        raise PatientFileError(f"{name}: an Excel 97-2003 workbook (.xls) or another older Office file; {SAVE_AS}")
    if Path(name).suffix.lower() in (".xlsx", ".xlsm"):
        raise PatientFileError(UNREADABLE.format(name=name))
    return read_csv(raw, name, columns)
