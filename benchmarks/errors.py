"""Benchmark: how fast a typo in the content comes back, against the command doing nothing at all.

    python benchmarks/errors.py [--repeat 7] [--jobs N]

The shipped content with one typo (a week written as a word), built three ways, each a fresh process timed
from outside (wall clock, until its output closes), interleaved, and the median of `--repeat` runs of each:

- content error, default jobs: `generate.py` as a clinic runs it (`--jobs N`, default the cores);
- content error, `--jobs 1`: the build in its own process only;
- `generate.py --help`: starting Python and the command, nothing else.

A content error must never wait for WeasyPrint to load (in the build or in the worker runtime): with the
default jobs it should take about as long as with one. Numbers, not assertions: machines are shared and noisy.
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from leaflets.pipeline.processes import cores  # noqa: E402

#: The typo: a week written as a word where the content needs a number.
TYPO = ("week: 6\n", "week: six\n")
#: What the error names: the field, so the run is known to have failed on the typo and nothing else.
NAMED = "timeline[0].week: expected a whole number"


def content_with_typo(folder: Path) -> Path:
    """The shipped content (its translation and term lists beside it) with one typo, in `folder`."""
    folder.mkdir(parents=True)
    for name in (
        "content.yaml",
        "medical_terms.txt",
        "content.es.yaml",
        "medical_terms.es.txt",
        "content.es.master.json",
    ):
        shutil.copy(ROOT / name, folder / name)
    shutil.copytree(ROOT / "assets", folder / "assets")
    content = folder / "content.yaml"
    text = content.read_text(encoding="utf-8")
    if TYPO[0] not in text:
        raise SystemExit(f"the benchmark is out of date: {TYPO[0]!r} is not in the content")
    content.write_text(text.replace(TYPO[0], TYPO[1], 1), encoding="utf-8")
    return content


def timed(command: list[str], code: int, named: str = "") -> float:
    """Wall-clock seconds of one command, which must exit with `code` and print `named` on stderr."""
    started = time.perf_counter()
    done = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, check=False)
    seconds = time.perf_counter() - started
    if done.returncode != code or named not in done.stderr:
        raise SystemExit(f"unexpected result of {' '.join(command)} (exit {done.returncode}):\n{done.stderr}")
    return seconds


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--repeat", type=int, default=7, help="runs of each measurement (the median is shown)")
    p.add_argument("--jobs", type=int, default=cores(), help="--jobs of the default run (default: the cores)")
    args = p.parse_args()

    with tempfile.TemporaryDirectory(prefix="leaflets-bench-") as temp:
        content = content_with_typo(Path(temp) / "clinic")
        generate = [sys.executable, str(ROOT / "generate.py")]
        build = [*generate, "--content", str(content), "--out", str(Path(temp) / "out")]
        runs: dict[str, list[float]] = {"jobs": [], "one": [], "help": []}
        for _ in range(args.repeat):  # interleaved, so a busy spell on the machine hits every figure alike
            runs["jobs"].append(timed([*build, "--jobs", str(args.jobs)], 1, NAMED))
            runs["one"].append(timed([*build, "--jobs", "1"], 1, NAMED))
            runs["help"].append(timed([*generate, "--help"], 0))
    m = {name: statistics.median(values) for name, values in runs.items()}
    print(f"a typo in the content, median of {args.repeat} runs (wall clock)")
    print(f"  {f'content error, --jobs {args.jobs}':<36} {m['jobs']:6.2f} s")
    print(f"  {'content error, --jobs 1':<36} {m['one']:6.2f} s")
    print(f"  {'generate.py --help':<36} {m['help']:6.2f} s")
    print("ratios (same run):")
    print(f"  {f'--jobs {args.jobs} / --help':<36} {m['jobs'] / m['help']:6.2f}x")
    print(f"  {'--jobs 1 / --help':<36} {m['one'] / m['help']:6.2f}x")
    met = "met" if m["jobs"] / m["one"] <= 1.2 else "NOT met"
    print(f"  {f'--jobs {args.jobs} / --jobs 1':<36} {m['jobs'] / m['one']:6.2f}x  target <= 1.2  {met}")


if __name__ == "__main__":
    main()
