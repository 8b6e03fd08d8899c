"""Declared limits on every input, each with its reason, in one table.

A limit keeps every run finishing (or refusing) within seconds whatever a
file holds, and is far above what a real leaflet or discharge list needs.
The docs' "Limits" page is made from `LIMITS` when the site is built (leaflets/reference.py).
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Limit:
    """One bound on the input: what it applies to, how much, and why."""

    applies_to: str
    value: int
    unit: str
    reason: str

    def __str__(self) -> str:
        return f"{self.value:,} {self.unit}"


# --- the content file -------------------------------------------------------------------------
CONTENT_FILE = Limit(
    "content file",
    128 * 1024,
    "bytes",
    "the shipped file is 9 KB for 11 leaflets; a bigger one takes seconds to read and its leaflets "
    "would break their page budgets anyway",
)
TEXT = Limit(
    "one text value in the content",
    2_000,
    "characters",
    "a paragraph; the longest shipped one has 169, and 2,000 fill most of a one-page leaflet",
)
LIST = Limit(
    "items in one list (causes, glossary, paragraphs...)",
    100,
    "items",
    "the longest shipped list has 12; each item is laid out on a page with a budget of 1 or 2 pages",
)
WORD = Limit(
    "one word (letters without a space or hyphen; a line breaks between any two Chinese, Japanese or Korean "
    "characters, so they never make one)",
    40,
    "characters",
    "a tri-fold panel holds about 40 characters a line; a longer word cannot be broken and runs off the page "
    "(web addresses and emails have their own fields: brand.booking_url, brand.email)",
)
DEPTH = Limit(
    "nesting of groups and lists",
    12,
    "levels",
    "the schema needs 6; deeper YAML only exhausts the reader",
)
ALIASES = Limit(
    "YAML aliases (`*name`), each to a single value",
    50,
    "aliases",
    "an alias to a list or group is refused: nested ones multiply (a 'billion laughs' file)",
)
DIGITS = Limit(
    "digits in a number",
    15,
    "digits",
    "no field needs more; Python refuses to read numbers of over 4,300 digits",
)
BOOKING_URL = Limit(
    "brand.booking_url",
    500,
    "bytes",
    "the whole address goes in the QR code (the printed one is its host); 500 bytes make a version 17 code "
    "(85 squares a side, error correction M), printed 37 mm wide with its margin so each square is 0.4 mm, "
    "which phones read at arm's length",
)
PROBLEMS_SHOWN = Limit(
    "problems printed on the terminal",
    20,
    "problems",
    "the first ones are the ones to fix; the rest are counted (discharge: all are in problems.txt)",
)

# --- pictures: the logo and the sections' figures --------------------------------------------------
SVG_IMAGE = Limit(
    "SVG picture file (the logo, a figure)",
    256 * 1024,
    "bytes",
    "the shipped logo is 1 KB and a diagram a few KB; DOCTYPE and ENTITY declarations are refused (they can "
    "expand without end)",
)
SVG_ELEMENTS = Limit(
    "SVG picture elements, counting each `<use>` and `url(#...)` as a copy of what it refers to",
    10_000,
    "elements",
    "references to references multiply like entities do, and each copy is drawn",
)
PNG_IMAGE = Limit(
    "PNG picture file (the logo, a figure)",
    2 * 1024 * 1024,
    "bytes",
    "a logo at 600 dpi, or a figure filling a column at 300 dpi, fits in far less",
)
PNG_PIXELS = Limit(
    "PNG picture pixels",
    16_000_000,
    "pixels",
    "a small file can hold a huge image, and every pixel is decoded (at most 8,192 a side)",
)
PNG_SIDE = 8_192

# --- the patient list -------------------------------------------------------------------------
PATIENT_FILE = Limit(
    "patient list file (an .xlsx workbook: also its parts unpacked)",
    32 * 1024 * 1024,
    "bytes",
    "20,000 rows of the longest allowed cells; split a bigger list",
)
PATIENT_ROWS = Limit(
    "rows in a patient list",
    20_000,
    "rows",
    "a hospital's daily discharges are hundreds; 20,000 handouts take hours to make",
)
CELL = Limit(
    "one cell of the patient list",
    120,
    "characters",
    "names, procedures, places: one line of the handout",
)
NOTE = Limit("the note column", 400, "characters", "a short note from the care team: a few lines of the handout")
CELL_READ = Limit(
    "one cell as read (csv field size)",
    4_096,
    "characters",
    "a longer cell fails its row unread, instead of the reader holding it all in memory",
)
SHEET_COLUMNS = Limit(
    "columns of one workbook row (cells with a value or formatting)",
    1_000,
    "columns",
    "a list has 11 columns; a row reaching further is a stray value or formatting far to the right, and each "
    "cell would be looked at: its row fails",
)
ROW_LINES = Limit(
    "physical lines in one row (line breaks inside a quoted note)",
    20,
    "lines",
    "a row that goes on longer is a quote left open: its row fails and reading resumes on the next line",
)

# --- the handout service (leaflets serve): one patient's fields are held to the list's limits above ---------
REQUEST_BODY = Limit(
    "one request to the handout service (a patient as JSON, or a FHIR Bundle)",
    1024 * 1024,
    "bytes",
    "one patient's fields fit in 2 KB; a records system's Bundle adds narratives and extensions, tens of KB",
)
BUNDLE_ENTRIES = Limit(
    "entries in one FHIR Bundle sent to the handout service",
    200,
    "entries",
    "a handout needs a Patient, a Procedure or Encounter, an Appointment, a Practitioner and a Location",
)
REQUEST_SECONDS = Limit(
    "one handout request: its body and its wait for a worker; then, apart, its rendering",
    60,
    "seconds",
    "a handout renders in about a second: a request not served within a minute is told to come back (503), "
    "and a worker silent for a minute is taken to hang, replaced, and its request answered with 500",
)

LIMITS = (
    CONTENT_FILE,
    TEXT,
    LIST,
    WORD,
    DEPTH,
    ALIASES,
    DIGITS,
    BOOKING_URL,
    SVG_IMAGE,
    SVG_ELEMENTS,
    PNG_IMAGE,
    PNG_PIXELS,
    PATIENT_FILE,
    PATIENT_ROWS,
    CELL,
    NOTE,
    CELL_READ,
    ROW_LINES,
    SHEET_COLUMNS,
    REQUEST_BODY,
    BUNDLE_ENTRIES,
    REQUEST_SECONDS,
    PROBLEMS_SHOWN,
)


def limits_table() -> list[str]:
    """Markdown rows for the docs' table of limits."""
    rows = ["| what | at most | why |", "|---|---|---|"]
    rows += [f"| {limit.applies_to} | {limit} | {limit.reason} |" for limit in LIMITS]
    return rows
