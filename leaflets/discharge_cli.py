"""`python generate.py discharge`: personalised handouts for a list of patients."""

from __future__ import annotations

import argparse
import sys
import time
import traceback
from collections.abc import Sequence
from pathlib import Path

from tqdm import tqdm

from .build import DEFAULT_CONTENT, DEFAULT_OUTPUT, load_content
from .cli import interrupted_code
from .content import display_path
from .discharge import Made, Settings, Stopped, check_patients, default_jobs, listed_record_ids, make_handouts
from .errors import EXIT_BUILD, EXIT_CONTENT, EXIT_OK, EXIT_PARTIAL, LeafletError
from .patients import PatientFileError, RowProblem
from .schema import PAPERS

EPILOG = """\
The CSV needs these columns (header row first, UTF-8):
  record_id, patient_name, procedure, procedure_date (YYYY-MM-DD), clinician,
  followup_date (YYYY-MM-DD), followup_time (HH:MM), followup_place,
  leaflets (cause leaflet names, separated by ';'), and optionally note.

Each handout is named by its record id. Problems name the row and column,
never what is in them. Do not commit patient lists to git.

exit codes: 0 every row made, 1 the list or content cannot be used,
            2 wrong command line, 3 a failure, 4 some rows were not made (see the list),
            130 interrupted (Ctrl-C; 143 for a kill): the summary still says which rows were made
"""
INTERRUPTED = "Interrupted: the handouts made are complete; rows not made have no handout (run them again)."


def parser() -> argparse.ArgumentParser:
    """Options of the discharge command."""
    p = argparse.ArgumentParser(
        prog="generate.py discharge",
        epilog=EPILOG,
        description="Make one personalised discharge handout (PDF/A) per patient.",
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    p.add_argument("--patients", type=Path, required=True, metavar="CSV", help="the list of patients")
    p.add_argument("--content", type=Path, default=DEFAULT_CONTENT, metavar="PATH", help="content file")
    p.add_argument(
        "--out",
        type=Path,
        default=DEFAULT_OUTPUT / "discharge",
        metavar="DIR",
        help="folder for the handouts (default: output/discharge/; created owner-only)",
    )
    p.add_argument("--paper", choices=PAPERS, help="paper size; overrides `paper:` in the content file")
    p.add_argument(
        "--jobs",
        type=int,
        default=default_jobs(),
        metavar="N",
        help=f"worker processes (default: one per core, here {default_jobs()})",
    )
    p.add_argument("--fillable", action="store_true", help="a fillable box for the patient's questions")
    p.add_argument("--debug", action="store_true", help="show the full traceback when something fails")
    return p


def main(argv: Sequence[str]) -> int:
    """Run the discharge command; return the exit code."""
    args = parser().parse_args(argv)
    try:
        return run(args)
    except KeyboardInterrupt as interrupt:
        print(INTERRUPTED, file=sys.stderr)
        return interrupted_code(interrupt)
    except (LeafletError, PatientFileError) as error:
        if args.debug:
            traceback.print_exc()
        print(f"Error: {error}", file=sys.stderr)
        return getattr(error, "exit_code", EXIT_CONTENT)
    except Exception as error:  # a bug: never print the traceback's values without --debug
        if args.debug:
            traceback.print_exc()
        print(
            f"Error: unexpected failure ({type(error).__name__}). Run again with --debug and report it "
            "(the output may contain patient data: do not share it outside the care team).",
            file=sys.stderr,
        )
        return EXIT_BUILD


def run(args: argparse.Namespace) -> int:
    """Check the list, make the handouts, print a summary that names rows, not people."""
    started = time.perf_counter()
    content = load_content(args.content)
    patients, problems = check_patients(args.patients, content)
    name = args.patients.name
    for problem in problems:
        print(f"{name}: {problem}", file=sys.stderr)
    settings = Settings(args.content.resolve(), args.paper or content.paper, args.out.resolve(), args.fillable)
    replaced = listed_record_ids(args.patients, patients)
    stopped: BaseException | None = None
    with tqdm(total=len(patients), unit="handout", file=sys.stderr, disable=None, leave=False) as bar:
        try:
            results = make_handouts(content, settings, patients, max(1, args.jobs), bar.update, replaced)
        except Stopped as stop:  # the summary below still says which rows were made
            results, stopped = stop.results, stop.cause
    made = [r for r in results if isinstance(r, Made)]
    failed = [r for r in results if isinstance(r, RowProblem)] + [p for p in problems if p.fatal]
    for problem in (r for r in results if isinstance(r, RowProblem)):
        print(f"{name}: {problem}", file=sys.stderr)
    tried = {r.row for r in results}
    unreached = [RowProblem(p.row, "", "not reached") for p in patients if p.row not in tried]
    if unreached:
        print(f"{name}: {len(unreached)} row(s) not reached: the run stopped before them", file=sys.stderr)
        failed += unreached
    seconds = time.perf_counter() - started
    print(
        f"Made {len(made)} handout{'s' if len(made) != 1 else ''} in {display_path(args.out)} "
        f"({seconds:.1f} s, {len(made) / seconds:.0f} per second)."
    )
    if failed:
        rows = ", ".join(str(r) for r in sorted({p.row for p in failed}))
        print(f"Not made: {len(set(p.row for p in failed))} row(s) of {name}: {rows} (problems listed above).")
    if stopped is not None:
        raise stopped  # after the summary: Ctrl-C or the error still decides the exit code
    return EXIT_PARTIAL if failed else EXIT_OK
