"""Benchmark: the quality gate's pdf/ua check, in milliseconds per PDF, against reading the same PDF bare.

    python benchmarks/conformance.py [--repeat 5] [--code DIR] [FOLDER ...]

Times `leaflets.checks.pages.check_accessibility`, what the gate runs on every PDF it makes, on each PDF
in the folders given; given none, on the shipped leaflets (`generate.py`) and the fixture list's discharge
handouts, plain and `--fillable`, made first in a temporary folder. Beside it, in the same run, a bare
read: pikepdf opens the file and parses every page's content streams, the least a check of the tags
and content must do. Each PDF is checked once to warm up, then `--repeat` times; the figures are the
median per PDF of each folder, and the check's ratio to the bare read. Times are this process's CPU time
(the file is read from memory either way), so other work on a shared machine does not count.

`--code DIR` times the `leaflets` package of another checkout (e.g. an earlier commit, unpacked with
`git archive`), for a before-and-after on the same PDFs. Numbers, not assertions: machines are shared.
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def make_pdfs(folder: Path) -> list[Path]:
    """The shipped leaflets and the fixture list's handouts (plain, fillable), made in `folder`: one folder each."""
    patients = str(ROOT / "tests" / "fixtures" / "patients.csv")
    commands = {
        "leaflets": ["generate.py", "--jobs", "1"],
        "handouts": ["generate.py", "discharge", "--patients", patients, "--jobs", "1"],
        "fillable handouts": ["generate.py", "discharge", "--patients", patients, "--jobs", "1", "--fillable"],
    }
    made = []
    for name, command in commands.items():
        out = folder / name
        # A discharge list with bad rows exits 1 after making the good rows' handouts: what is made is timed.
        subprocess.run([sys.executable, *command, "--out", str(out)], cwd=ROOT, capture_output=True, check=False)
        if not list(out.glob("*.pdf")):
            raise SystemExit(f"no PDF was made by: {' '.join(command)}")
        made.append(out)
    return made


def bare_read(path: Path) -> None:
    """Open the PDF and parse every page's content streams: the floor for any check of its tags and content."""
    import pikepdf

    with pikepdf.open(path) as pdf:
        for page in pdf.pages:
            pikepdf.parse_content_stream(page)


def median_ms(run: Callable[[Path], object], files: list[Path], repeat: int) -> float:
    """The median over `files` of each file's median time (ms) over `repeat` runs, after one to warm up."""
    per_file = []
    for path in files:
        run(path)
        times = []
        for _ in range(repeat):
            started = time.process_time()
            run(path)
            times.append(time.process_time() - started)
        per_file.append(statistics.median(times) * 1000)
    return statistics.median(per_file)


def measure(folders: list[Path], repeat: int) -> list[tuple[str, int, float, float]]:
    """(folder, PDFs, check ms, bare read ms) per folder, the check as the quality gate runs it."""
    from leaflets.checks.pages import check_accessibility

    def check(path: Path) -> None:
        findings = check_accessibility(path, path.stem)
        if any(finding.level != "pass" for finding in findings):
            raise SystemExit(f"{path}: the check did not pass, so its time is not the gate's usual: {findings[0]}")

    rows = []
    for folder in folders:
        files = sorted(folder.glob("*.pdf"))
        rows.append((folder.name, len(files), median_ms(check, files, repeat), median_ms(bare_read, files, repeat)))
    return rows


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("folders", nargs="*", type=Path, metavar="FOLDER", help="folders of PDFs to check")
    parser.add_argument("--repeat", type=int, default=5, help="timed runs per PDF (default 5)")
    parser.add_argument("--code", type=Path, default=ROOT, help="checkout whose leaflets package is timed")
    arguments = parser.parse_args(argv)
    sys.path.insert(0, str(arguments.code.resolve()))
    import leaflets

    print(f"timing {Path(leaflets.__file__).parent}")
    with tempfile.TemporaryDirectory(prefix="conformance-bench-") as scratch:
        folders = arguments.folders or make_pdfs(Path(scratch))
        rows = measure(folders, arguments.repeat)
    print(f"{'PDFs':<20} {'files':>5} {'check ms':>9} {'bare read ms':>13} {'ratio':>6}")
    for name, count, check, bare in rows:
        print(f"{name:<20} {count:>5} {check:>9.1f} {bare:>13.1f} {check / bare:>6.1f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
