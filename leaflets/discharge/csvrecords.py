"""The records of a CSV export: its encoding and separator found, one broken record never taking the rest.

Encodings: UTF-8 (with or without the byte-order mark Excel's 'CSV UTF-8' adds) and UTF-16 with a byte-order
mark (Excel's 'Unicode Text'). A file in any other encoding is refused once, naming the encoding it most
likely is: its letters would otherwise be guessed into the handouts. A UTF-8 file with a few rows of other
bytes (a cell pasted from elsewhere) is read, and those rows fail. The separator (comma, semicolon or tab) is
the one that splits the header into the most known column names.

Python's csv module, given a quote that is never closed, reads every line
after it into one cell. Here each record is read on its own, at most
ROW_LINES lines long; a record that cannot be read, or that looks like an
open quote that ran into the rows below, is reported as its first line
alone (with the cells readable before the break), and reading resumes on
the next line. Rows are numbered as a spreadsheet numbers them: one per
record (the header is row 1), however many lines a quoted cell spans.
"""

from __future__ import annotations

import contextlib
import csv
import re
from collections.abc import Collection, Generator, Iterator

from leaflets.content.limits import CELL_READ, ROW_LINES
from leaflets.discharge.records import PatientFileError, Record

LINE = re.compile(r"[^\r\n]*(?:\r\n|\r|\n)|[^\r\n]+")  # the line endings csv knows, kept
NOT_UTF8 = re.compile("[\udc80-\udcff]")  # bytes that were not UTF-8, kept by errors="surrogateescape"
UTF8_LETTER = re.compile("[\x80-\ud7ff\ue000-\U0010ffff]")  # a character beyond ASCII that was decoded as UTF-8
SEPARATORS = {",": "commas", ";": "semicolons", "\t": "tabs"}
#: Byte-order marks: (bytes, codec, how the file is described).
BOMS = (
    (b"\xef\xbb\xbf", "utf-8", "UTF-8 with a byte-order mark"),
    (b"\xff\xfe", "utf-16-le", "UTF-16 (little-endian, Excel's 'Unicode Text')"),
    (b"\xfe\xff", "utf-16-be", "UTF-16 (big-endian)"),
)
#: The encodings Excel's plain 'CSV' writes, most common first: named first when the guess cannot tell them apart.
EXCEL_ENCODINGS = ("cp1252", "mac_roman", "cp1250", "cp1251", "cp1253", "cp1254", "cp1257", "cp932", "gb18030")
ENCODING_NAMES = {
    "cp1252": "Windows-1252 (Western European)",
    "mac_roman": "Mac Roman",
    "cp1250": "Windows-1250 (Central European)",
    "cp1251": "Windows-1251 (Cyrillic)",
    "cp1253": "Windows-1253 (Greek)",
    "cp1254": "Windows-1254 (Turkish)",
    "cp1257": "Windows-1257 (Baltic)",
    "cp932": "Shift JIS (Japanese)",
    "gb18030": "GB18030 (Chinese)",
    "utf_16_le": "UTF-16 without a byte-order mark",
    "utf_16_be": "UTF-16 without a byte-order mark",
    "utf_32": "UTF-32",
}
#: How to save a list so that it can be read.
SAVE_AS = "save it again: in Excel, File > Save As > 'CSV UTF-8 (Comma delimited)' (or 'Excel Workbook', .xlsx)"
GUESS_SAMPLE = 256 * 1024  # bytes the encoding guess reads: enough letters, and quick

QUOTES = (
    'the quotes in this row do not pair up: a cell that starts with " must end with " (a " inside a cell is written "")'
)
SKIPPED = "; this row was skipped and reading went on at the next line"


def read_csv(raw: bytes, name: str, columns: Collection[str]) -> tuple[str, Generator[Record, None, None]]:
    """How the file was read ("CSV in UTF-8, columns separated by commas") and its records, the header first.

    `columns`: the column names the header may hold (they decide the separator). Raises PatientFileError for a
    file in another encoding.
    """
    text, encoding = decode(raw, name)
    lines = LINE.findall(text)
    delimiter = separator(lines[0] if lines else "", columns)
    return f"CSV in {encoding}, columns separated by {SEPARATORS[delimiter]}", records(lines, delimiter)


def decode(raw: bytes, name: str) -> tuple[str, str]:
    """The file's text and its encoding in words; raises PatientFileError, once, for a file in another encoding.

    Bytes that are not UTF-8 in a file that is otherwise UTF-8 are kept as markers (NOT_UTF8): their rows fail.
    """
    codec, described, start = "utf-8", "UTF-8", 0
    for bom, bom_codec, bom_described in BOMS:
        if raw.startswith(bom):
            codec, described, start = bom_codec, bom_described, len(bom)
            break
    if codec == "utf-8":
        text = raw[start:].decode("utf-8", errors="surrogateescape")
        if NOT_UTF8.search(text) and not UTF8_LETTER.search(text):  # no UTF-8 letter anywhere: another encoding
            raise PatientFileError(_other_encoding(raw, name))
    else:
        try:
            text = raw[start:].decode(codec)
        except UnicodeDecodeError:
            raise PatientFileError(
                f"{name}: the file starts as UTF-16 text but is damaged further on; {SAVE_AS}"
            ) from None
    if "\x00" in text:  # UTF-16 without its byte-order mark, or not text at all
        raise PatientFileError(_other_encoding(raw, name))
    return text, described


def _other_encoding(raw: bytes, name: str) -> str:
    """The one message for a file that is not UTF-8: the encoding it most likely is, and how to save it."""
    likely = likely_encoding(raw)
    guess = f"; it is probably {ENCODING_NAMES.get(likely, likely)}" if likely else ""
    return f"{name}: the file is not UTF-8 text{guess}. None of it was read: {SAVE_AS}"


def likely_encoding(raw: bytes) -> str:
    """The codec name (e.g. 'cp1252') the bytes most likely are in, or "" when no encoding fits.

    A short list fits several single-byte encodings equally well: among the most likely, the one Excel
    writes most often is named.
    """
    from charset_normalizer import from_bytes  # late: only a refused file needs it

    matches = list(from_bytes(raw[:GUESS_SAMPLE]))
    if not matches:
        return ""
    least = min(match.chaos for match in matches)
    possible = {codec for match in matches if match.chaos == least for codec in match.could_be_from_charset}
    return next((codec for codec in EXCEL_ENCODINGS if codec in possible), str(matches[0].encoding))


def separator(header: str, columns: Collection[str]) -> str:
    """The separator that splits the header line into the most known column names (then the most frequent one,
    commas first on a tie)."""

    def named(delimiter: str) -> int:
        return sum(cell.strip().strip('"').strip().lower() in columns for cell in header.split(delimiter))

    return max(SEPARATORS, key=lambda delimiter: (named(delimiter), header.count(delimiter)))


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


def records(lines: list[str], delimiter: str = ",") -> Generator[Record, None, None]:
    """Each record in turn; a broken one is its first line alone, with the cells readable before the break.

    Reading resumes on the line after a broken record, so an open quote cannot swallow the rows below it.
    """
    source = _Lines(lines)
    reader = csv.reader(source, delimiter=delimiter, strict=True)  # strict: a stray quote is an error, not a guess
    row, columns = 0, 0
    with field_size_limit(CELL_READ.value):
        while source.next < len(lines):
            source.record_start = source.next
            row += 1
            try:
                values = next(reader)
            except csv.Error as error:
                source.next = source.record_start + 1
                yield _broken(row, lines[source.record_start], delimiter, _unreadable(str(error)))
                continue
            columns = columns or len(values)  # the header's
            continued = lines[source.record_start + 1 : source.next]
            if continued and _swallowed_rows(values, continued, columns, delimiter):
                source.next = source.record_start + 1
                yield _broken(row, lines[source.record_start], delimiter, QUOTES)
                continue
            yield Record(row, values)


def _broken(row: int, line: str, delimiter: str, why: str) -> Record:
    """A record that could not be read: its first line's cells up to the break, as csv would have read them."""
    return Record(row, readable_cells(line, delimiter), broken=why + SKIPPED)


def readable_cells(line: str, delimiter: str) -> list[str]:
    """The cells at the start of `line` that are certain: each plain or properly quoted, and ended by `delimiter`.

    A quote left open, or a stray one, ends them: what follows cannot be told apart from the cells after it.
    """
    separator_ = re.escape(delimiter)
    cell = re.compile(rf'(?:"((?:[^"]|"")*)"|([^"{separator_}\r\n]*)){separator_}')
    cells: list[str] = []
    position = 0
    while match := cell.match(line, position):
        quoted, plain = match.groups()
        cells.append(quoted.replace('""', '"') if quoted is not None else plain)
        position = match.end()
    return cells


def _unreadable(error: str) -> str:
    """Why a record could not be read, from csv's own message (which holds no cell value)."""
    if "field larger than field limit" in error:
        return f"a cell is longer than {CELL_READ}"
    return QUOTES


def _swallowed_rows(values: list[str], continued: list[str], columns: int, delimiter: str) -> bool:
    """True when a record over several lines looks like an open quote that ran into the rows below.

    A quoted note may hold line breaks; but a record with the wrong number of
    cells, or a continuation line with as many separators as a whole row, is far
    more likely the next patients read as one cell.
    """
    return len(values) != columns or any(line.count(delimiter) >= columns - 1 for line in continued)
