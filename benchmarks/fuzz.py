"""Fuzz campaign: thousands of machine-mutated content files and patient lists through the command line.

    python benchmarks/fuzz.py [--cases 1000] [--seed 1] [--timeout 10] [--show 5] [--render N]

Each content file goes through `generate.py --list` (load and validate, no
rendering); each patient list through `generate.py discharge` with rendering
replaced by a stand-in (the reading, checking and reporting are real). The
mutations are those of tests/fuzzing.py, which tests/test_fuzz.py runs a few
dozen of in the suite. Prints, for each kind of input: cases tried, built
(exit 0), located errors (every message names FILE:LINE:COL or a row), of
which refused by a declared limit, unlocated errors, tracebacks, "unexpected
failure", hangs (over --timeout seconds), patient values leaked, and the
slowest case. With --render N, the first N content files that pass are also
rendered (`--check`: every leaflet made in memory and checked; about 20 s
each). Numbers, not assertions; the first few bad cases are shown.
"""

from __future__ import annotations

import argparse
import random
import signal
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT), str(ROOT / "tests")]

import fuzzing  # noqa: E402  (tests/fuzzing.py: the mutations and the judge)


class Hang(Exception):
    pass


def _alarm(signum: int, frame: Any) -> None:
    raise Hang


def campaign(
    name: str,
    source: str,
    mutations: dict[str, fuzzing.Mutation],
    run: Callable[[str, Path], fuzzing.Outcome],
    args: argparse.Namespace,
) -> None:
    """Run `args.cases` mutated copies of `source` and print the figures."""
    rng = random.Random(f"{args.seed}-{name}")
    counts: Counter[str] = Counter()
    slowest = (0.0, "")
    bad: list[str] = []
    started = time.perf_counter()
    for _ in range(args.cases):
        case = fuzzing.random_case(rng, mutations)
        text = fuzzing.apply(source, case, mutations)
        counts["tried"] += 1
        with tempfile.TemporaryDirectory(prefix="leaflets-fuzz-") as folder:
            signal.alarm(args.timeout)
            try:
                outcome = run(text, Path(folder))
            except Hang:
                counts["hangs"] += 1
                bad.append(f"hang: {case}")
                continue
            finally:
                signal.alarm(0)
            if outcome.code == 0 and counts["rendered"] < args.render and run is fuzzing.run_content_case:
                rendered = render(Path(folder))
                counts["rendered"] += 1
                counts[f"rendered, exit {rendered.code}"] += 1
                if rendered.traceback or rendered.unexpected:
                    counts["render failures"] += 1
                    bad.append(f"render: {case}: {rendered.stderr[-300:]}")
        slowest = max(slowest, (outcome.seconds, str(case)))
        counts["built" if outcome.code == 0 else "errors"] += 1
        counts[f"exit {outcome.code}"] += 1
        problems = {
            "unlocated": bool(outcome.unlocated),
            "tracebacks": outcome.traceback,
            "unexpected": outcome.unexpected,
            "leaks": bool(outcome.leaks),
            "bad exit code": outcome.code not in (0, 1, 4),
        }
        counts.update(kind for kind, found in problems.items() if found)
        if outcome.code != 0 and not any(problems.values()):
            counts["located"] += 1
            counts["refused by a limit"] += outcome.refused
        if any(problems.values()):
            bad.append(f"{[k for k, v in problems.items() if v]} {case}: {(outcome.unlocated or [outcome.stderr])[:2]}")
    report(name, counts, slowest, time.perf_counter() - started, bad[: args.show])


def render(folder: Path) -> fuzzing.Outcome:
    """`generate.py --check` on a content file that passed: every leaflet made in memory and checked."""
    argv = ["--check", "--content", str(folder / "content.yaml"), "--out", str(folder / "out")]
    return fuzzing.Outcome(*fuzzing.run_cli(argv))


def report(name: str, counts: Counter[str], slowest: tuple[float, str], seconds: float, bad: list[str]) -> None:
    """The figures for one kind of input."""
    print(f"\n{name}: {counts['tried']} cases in {seconds:.0f} s")
    exits = ", ".join(f"{k.split()[1]}: {counts[k]}" for k in sorted(counts) if k.startswith("exit "))
    print(f"  {'exit codes':<22} {exits}")
    for key in ("built", "errors", "located", "refused by a limit", "unlocated", "tracebacks", "unexpected"):
        print(f"  {key:<22} {counts[key]}")
    for key in ("hangs", "leaks", "bad exit code"):
        print(f"  {key:<22} {counts[key]}")
    for key in sorted(k for k in counts if k.startswith("render")):
        print(f"  {key:<22} {counts[key]}")
    print(f"  {'slowest case':<22} {slowest[0]:.2f} s  {slowest[1][:100]}")
    for line in bad:
        print(f"  ! {line[:300]}")


def main() -> None:
    """Parse options and run both campaigns."""
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--cases", type=int, default=1000, help="cases of each kind (default 1000)")
    parser.add_argument("--seed", default="1", help="seed of the whole campaign (default 1)")
    parser.add_argument("--timeout", type=int, default=10, help="seconds after which a case counts as a hang")
    parser.add_argument("--show", type=int, default=5, help="bad cases to print of each kind")
    parser.add_argument("--only", choices=["content", "patients"], help="run one campaign")
    parser.add_argument(
        "--render", type=int, default=0, metavar="N", help="also render the first N content files that pass (slow)"
    )
    args = parser.parse_args()
    signal.signal(signal.SIGALRM, _alarm)
    if args.only != "patients":
        content = fuzzing.CONTENT.read_text(encoding="utf-8")
        campaign("content files", content, fuzzing.CONTENT_MUTATIONS, fuzzing.run_content_case, args)
    if args.only != "content":
        patients = fuzzing.PATIENTS.read_text(encoding="utf-8")
        campaign("patient lists", patients, fuzzing.PATIENT_MUTATIONS, fuzzing.run_patient_case, args)


if __name__ == "__main__":
    main()
