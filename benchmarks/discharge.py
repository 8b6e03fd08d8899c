"""Benchmark: discharge handouts end to end through the CLI, against WeasyPrint's own best rate.

    python benchmarks/discharge.py [--patients 1000] [--jobs 2]

Prints patients per second for `generate.py discharge` (a fresh process, CSV
to PDF files on disk), WeasyPrint's best rate on the very same handout HTML
(warm worker processes that reuse one FontConfiguration and the parsed CSS,
render and write_pdf to memory, nothing else), the ratio between them, and
the peak memory of the largest process for a small and a large batch, and
what the runs left in their temp folder.
Numbers, not assertions: machines are shared and noisy.
"""

from __future__ import annotations

import argparse
import contextlib
import csv
import ctypes
import os
import random
import resource
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
DEFAULT_CONTENT = ROOT / "content.yaml"  # the shipped sample clinic

from leaflets.content.sources import load_content  # noqa: E402
from leaflets.discharge.handouts import DISCHARGE_VARIANT, HANDOUT, handout_html  # noqa: E402
from leaflets.discharge.patients import OPTIONAL, REQUIRED, read_patients  # noqa: E402
from leaflets.render.html import booking_qr, environment  # noqa: E402
from leaflets.theme import TEMPLATES  # noqa: E402

LEAFLETS = ["failed-fusion", "failed-decompression", "scar-tissue", "rehabilitation"]
PR_SET_CHILD_SUBREAPER = 36  # Linux prctl(2): orphaned descendants become this process's children


def fictional_patients(path: Path, count: int) -> None:
    """A CSV of made-up patients (no real names), one or two leaflets each."""
    rng = random.Random(7)
    with path.open("w", newline="", encoding="utf-8") as stream:
        writer = csv.DictWriter(stream, fieldnames=[*REQUIRED, *OPTIONAL])  # optional columns left empty
        writer.writeheader()
        for number in range(1, count + 1):
            chosen = ";".join(rng.sample(LEAFLETS, rng.choice([1, 1, 2])))
            writer.writerow(
                {
                    "record_id": f"BENCH-{number:05d}",
                    "patient_name": f"Test Patient {number}",
                    "procedure": "Lumbar laminectomy",
                    "procedure_date": "2026-11-20",
                    "clinician": "Dr Sam Example",
                    "followup_date": "2026-12-09",
                    "followup_time": "14:30",
                    "followup_place": "Clinic 3",
                    "leaflets": chosen,
                    "note": "Walk a little more each day." if number % 3 == 0 else "",
                }
            )


def cli_run(csv_path: Path, out: Path, jobs: int, temp: Path) -> tuple[float, float]:
    """(seconds, peak RSS in MB of the largest process) for one `generate.py discharge` run, with `temp` as its
    temp folder.

    Its workers are forked by the worker runtime's server, which ends just after the command: this process takes
    it in as it ends (a child subreaper, Linux) and waits for it, so the workers' memory is counted too."""
    ctypes.CDLL(None).prctl(PR_SET_CHILD_SUBREAPER, 1)
    before = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    command = [sys.executable, str(ROOT / "generate.py"), "discharge", "--patients", str(csv_path)]
    command += ["--out", str(out), "--jobs", str(jobs)]
    started = time.perf_counter()
    done = subprocess.run(command, env={**os.environ, "TMPDIR": str(temp)}, capture_output=True, text=True, check=False)
    seconds = time.perf_counter() - started
    if done.returncode != 0:
        sys.exit(f"discharge run failed ({done.returncode}):\n{done.stderr[-2000:]}")
    with contextlib.suppress(ChildProcessError):
        while True:  # the server and multiprocessing's resource tracker, ended with the command
            os.waitpid(-1, 0)
    peak = max(before, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)
    return seconds, peak / 1024


_baseline: dict[str, Any] = {}


def _baseline_worker(logo: str) -> None:
    from weasyprint import CSS
    from weasyprint.text.fonts import FontConfiguration

    from leaflets.content.fonts import FONT_DIR, SHIPPED
    from leaflets.render.pdf import AssetFetcher

    content = load_content(DEFAULT_CONTENT)
    fetcher = AssetFetcher([TEMPLATES, Path(logo), FONT_DIR], booking_qr(content))
    fonts = FontConfiguration()
    css = [CSS(string=SHIPPED.css(), font_config=fonts, url_fetcher=fetcher)]
    css += [
        CSS(filename=TEMPLATES / "css" / name, font_config=fonts, url_fetcher=fetcher)
        for name in HANDOUT.stylesheets("a4")
    ]
    _baseline.update(fonts=fonts, css=css, fetcher=fetcher, base=TEMPLATES.as_uri() + "/")


def _baseline_render(html: str) -> int:
    from weasyprint import HTML

    document = HTML(string=html, base_url=_baseline["base"], url_fetcher=_baseline["fetcher"]).render(
        font_config=_baseline["fonts"], stylesheets=_baseline["css"]
    )
    return len(document.write_pdf(pdf_variant=DISCHARGE_VARIANT, pdf_tags=True))


def weasyprint_best(htmls: list[str], jobs: int, logo: Path) -> float:
    """Documents per second: warm workers, fonts and CSS reused, render + write_pdf to memory, nothing else."""
    with ProcessPoolExecutor(jobs, initializer=_baseline_worker, initargs=(str(logo),)) as pool:
        list(pool.map(_baseline_render, htmls[: jobs * 4]))  # warm up every worker
        started = time.perf_counter()
        list(pool.map(_baseline_render, htmls, chunksize=8))
        return len(htmls) / (time.perf_counter() - started)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--patients", type=int, default=1000)
    parser.add_argument("--jobs", type=int, default=2)
    args = parser.parse_args()
    content = load_content(DEFAULT_CONTENT)
    logo = (DEFAULT_CONTENT.parent / content.brand.logo).resolve()
    with tempfile.TemporaryDirectory(prefix="leaflets-bench-") as scratch:
        folder = Path(scratch)
        small, large = folder / "small.csv", folder / "large.csv"
        fictional_patients(small, max(50, args.patients // 10))
        fictional_patients(large, args.patients)
        temp = folder / "temp"  # the runs' own temp folder: anything left there is theirs
        temp.mkdir()
        small_seconds, small_peak = cli_run(small, folder / "small", args.jobs, temp)
        seconds, peak = cli_run(large, folder / "large", args.jobs, temp)
        left = list(temp.iterdir())
        patients = read_patients(large, LEAFLETS).patients
        env = environment()
        htmls = [handout_html(content, p, "a4", logo.as_uri(), False, env) for p in patients]
        best = weasyprint_best(htmls, args.jobs, logo)
    rate = args.patients / seconds
    print(f"patients                      {args.patients} (fictional), {args.jobs} worker processes")
    print(f"end to end through the CLI    {rate:6.1f} patients/s  ({seconds:.1f} s, process start included)")
    print(f"WeasyPrint best, same HTML    {best:6.1f} documents/s (warm workers, fonts and CSS reused)")
    print(f"ratio                         {rate / best:6.0%}  (target: at least 80%)")
    print(
        f"peak memory, largest process  {small_peak:6.0f} MB for {max(50, args.patients // 10)} patients, "
        f"{peak:.0f} MB for {args.patients}"
    )
    print(f"small batch                   {max(50, args.patients // 10) / small_seconds:6.1f} patients/s")
    print(f"temporary files left          {len(left)}  (WeasyPrint's font folders included)")


if __name__ == "__main__":
    main()
