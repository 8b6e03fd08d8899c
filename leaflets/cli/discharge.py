"""`leaflets discharge`: personalised handouts for a list of patients."""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

from tqdm import tqdm

from leaflets.cli.common import DEFAULT_OUTPUT, Command, content_argument, positive
from leaflets.content import wording
from leaflets.content.limits import PROBLEMS_SHOWN
from leaflets.content.load import display_path
from leaflets.content.papers import PAPERS
from leaflets.content.schema import Content
from leaflets.content.sources import load_sources
from leaflets.discharge.handouts import (
    Made,
    Settings,
    Stopped,
    check_patients,
    handout_folder,
    make_handouts,
    remove_earlier,
)
from leaflets.discharge.patients import PatientList, RowProblem, record_key
from leaflets.errors import EXIT_OK, EXIT_PARTIAL, LeafletError
from leaflets.pipeline.files import write_atomically
from leaflets.pipeline.processes import cores

#: Every row's problem when there are more than the terminal shows (row and column only).
PROBLEMS_FILE = "problems.txt"

EPILOG = """\
The list, a CSV export or an Excel workbook (.xlsx), has a header row first,
naming these columns:
  record_id, patient_name, procedure, procedure_date (YYYY-MM-DD), clinician,
  followup_date (YYYY-MM-DD), followup_time (HH:MM), followup_place,
  leaflets (cause leaflet names, separated by ';'), and optionally note and
  language (the handout's language, e.g. es; empty: the content's own).
CSV: commas, semicolons or tabs between columns (found from the header), in
UTF-8 (Excel's "CSV UTF-8") or UTF-16 (Excel's "Unicode Text"); a file in
another encoding is refused: save it again as "CSV UTF-8". Workbook: the list
alone on one sheet; date and time cells are read as such. Dates written as
text must be YYYY-MM-DD: 03/04/2026 is never guessed.

Each handout is named by its record id (upper and lower case are the same id).
Problems name the row and the column, never what is in them. A run first
removes the earlier handouts of the list's records, so a row not made leaves
none; a failed row whose record id cannot be read removes every earlier
handout in the folder. Do not commit patient lists to git.

exit codes: 0 every row made, 1 the list or content cannot be used,
            2 wrong command line, 3 a failure, 4 some rows were not made (see the list),
            130 interrupted (Ctrl-C; 143 for a kill): the summary still says which rows were made
"""
INTERRUPTED = "Interrupted: the handouts made are complete; rows not made have no handout (run them again)."


def add_arguments(p: argparse.ArgumentParser) -> None:
    """Options of the discharge command."""
    p.add_argument("--patients", type=Path, required=True, metavar="LIST", help="the list of patients (.csv or .xlsx)")
    content_argument(p)
    p.add_argument(
        "--out",
        type=Path,
        default=DEFAULT_OUTPUT / "discharge",
        metavar="DIR",
        help="folder for the handouts (default: output/discharge/; created owner-only)",
    )
    p.add_argument("--paper", choices=PAPERS, help="paper size; overrides `paper:` in the content file")
    p.add_argument("--jobs", type=positive, metavar="N", help="worker processes (default: one per core)")
    p.add_argument("--fillable", action="store_true", help="a fillable box for the patient's questions")
    p.add_argument(
        "--braille",
        action="store_true",
        help="also a braille-ready file, RECORD_ID.brf, beside each handout (needs liblouis)",
    )


def run(args: argparse.Namespace) -> int:
    """Check the list, make the handouts, print a summary that names rows, not people."""
    started = time.perf_counter()
    sources = load_sources(args.content)
    content = sources[0].content
    languages = [wording.base(source.content.language) for source in sources]
    if args.braille:
        from leaflets.discharge.brf import tables  # late: only for this option

        tables(sources)  # liblouis and each language's table, before any handout is made
    listed = check_patients(args.patients, content, languages)
    print(f"Read {args.patients.name} as {listed.read_as}.")
    report = RowReport(args.patients.name, args.out)
    report.add(listed.problems)
    settings = Settings(args.content.resolve(), args.paper or content.paper, args.out.resolve(), args.fillable)
    results, removed, stopped = make(content, settings, listed, args.jobs or cores())
    report.add([r for r in results if isinstance(r, RowProblem)])
    made = [r for r in results if isinstance(r, Made)]
    if args.braille and stopped is None:
        from leaflets.discharge.brf import write_handouts

        report.add(write_handouts(sources, listed.patients, made, settings.paper, settings.out_dir))
    tried = {r.row for r in results}
    report.unreached([p.row for p in listed.patients if p.row not in tried])
    seconds = time.perf_counter() - started
    plural = "s" if len(made) != 1 else ""
    print(f"Made {len(made)} handout{plural} in {display_path(args.out)} ({pace(len(made), seconds)}).")
    report.finish()
    earlier = earlier_removed(listed, report, made, removed, display_path(args.out))
    if earlier:
        print(earlier)
    if stopped is not None:
        raise stopped  # after the summary: Ctrl-C or the error still decides the exit code
    return EXIT_PARTIAL if report.rows_not_made() else EXIT_OK


def make(
    content: Content, settings: Settings, listed: PatientList, jobs: int
) -> tuple[list[Made | RowProblem], set[str] | None, BaseException | None]:
    """Remove the earlier handouts of the list's records, then make the handouts, holding the folder:
    (the rows finished, the record keys of the handouts removed or None if the run stopped before, what stopped
    the run or None)."""
    removed: set[str] | None = None
    with tqdm(total=len(listed.patients), unit="handout", file=sys.stderr, disable=None, leave=False) as bar:
        try:
            with handout_folder(settings.out_dir):
                everything = bool(listed.unidentified_rows())
                removed = remove_earlier(settings.out_dir, listed.record_ids(), everything)
                return make_handouts(content, settings, listed.patients, jobs, bar.update), removed, None
        except Stopped as stop:  # the summary still says which rows were made
            return stop.results, removed, stop.cause
        except (LeafletError, OSError) as error:  # rendering could not go on at all: still name the rows
            return [], removed, error


def pace(made: int, seconds: float) -> str:
    """How long the run took, and per handout: "2.0 s, 3 per second" or "12.0 s, 4.0 s each"."""
    if made == 0:
        return f"{seconds:.1f} s"
    if made >= seconds:
        return f"{seconds:.1f} s, {made / seconds:.0f} per second"
    return f"{seconds:.1f} s, {seconds / made:.1f} s each"


def earlier_removed(
    listed: PatientList, report: RowReport, made: list[Made], removed: set[str] | None, folder: str
) -> str:
    """The summary's line on earlier handouts removed for rows not made this time (rows only, no record id)."""
    unidentified = listed.unidentified_rows()
    if removed is None:
        return ""
    if unidentified:
        return (
            f"Removed every earlier handout in {folder} ({len(removed):,}): the record id of row(s) "
            f"{rows_text(unidentified)} could not be read, so no earlier handout could be ruled out as theirs."
        )
    record_of = {p.row: p.record_id for p in listed.patients} | {p.row: p.record for p in report.problems}
    remade = {record_key(m.file.removesuffix(".pdf")) for m in made}
    rows = [
        row
        for row in report.rows_not_made()
        if (record := record_of.get(row)) is not None and record_key(record) in removed - remade
    ]
    if not rows:
        return ""
    return f"Removed the earlier handout(s) of row(s) {rows_text(rows)}: none is left with last time's details."


def rows_text(rows: list[int]) -> str:
    """Row numbers for the summary: the first PROBLEMS_SHOWN of them, and how many more."""
    shown = ", ".join(str(row) for row in rows[: PROBLEMS_SHOWN.value])
    more = len(rows) - PROBLEMS_SHOWN.value
    return shown + (f" and {more:,} more" if more > 0 else "")


class RowReport:
    """The rows' problems: the first few on the terminal, all of them in problems.txt when there are more.

    Only row numbers and column names are ever written: no patient value.
    """

    def __init__(self, list_name: str, out_dir: Path):
        self.list_name = list_name
        self.file = out_dir / PROBLEMS_FILE
        self.problems: list[RowProblem] = []
        self.not_reached: list[int] = []

    def add(self, problems: list[RowProblem]) -> None:
        """Record problems, printing each while fewer than PROBLEMS_SHOWN have been printed."""
        for problem in problems:
            if len(self.problems) < PROBLEMS_SHOWN.value:
                print(f"{self.list_name}: {problem}", file=sys.stderr)
            self.problems.append(problem)

    def unreached(self, rows: list[int]) -> None:
        """Rows the run stopped before: one line for them all, and counted as not made."""
        self.not_reached = rows
        if rows:
            print(f"{self.list_name}: {len(rows)} row(s) not reached: the run stopped before them", file=sys.stderr)

    def rows_not_made(self) -> list[int]:
        """The rows with a problem that stopped them, and those not reached, in order."""
        return sorted({p.row for p in self.problems} | set(self.not_reached))

    def finish(self) -> None:
        """Say how many were not shown (and write them all down), then which rows were not made."""
        hidden = len(self.problems) - PROBLEMS_SHOWN.value
        if hidden > 0:
            self._write_all()
            print(f"... and {hidden:,} more problems; all are in {display_path(self.file)}", file=sys.stderr)
        elif self.file.exists():  # an older run's list would describe another list
            self.file.unlink()
        rows = self.rows_not_made()
        if rows:
            where = f"the first above, all in {display_path(self.file)}" if hidden > 0 else "problems listed above"
            print(f"Not made: {len(rows):,} row(s) of {self.list_name}: {rows_text(rows)} ({where}).")

    def _write_all(self) -> None:
        self.file.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        text = "".join(f"{self.list_name}: {problem}\n" for problem in self.problems)
        write_atomically(self.file, text.encode(), mode=0o600)


DISCHARGE = Command(
    "discharge",
    "Make one personalised discharge handout (PDF/A) per patient.",
    add_arguments,
    run,
    epilog=EPILOG,
    interrupted=INTERRUPTED,
    private=True,
)
