"""Benchmark: the leaflet build against plain WeasyPrint, on the shipped content, ratios from one run.

    python benchmarks/build.py [--repeat 3] [--jobs N] [--profile]

Every figure is the median of `--repeat` runs, each a fresh process timed from outside (wall clock):

- full build: `generate.py --force` (every leaflet rendered and checked, published);
- CLI loop: the same HTML and CSS, written to a temporary folder first, through one `weasyprint`
  command per leaflet, one after the other (what a plain shell loop does);
- bare warm loop: the same files in one process, one FontConfiguration and the parsed CSS reused,
  render and write_pdf to memory, no checks (the least WeasyPrint itself needs);
- one-sentence edit: one sentence of one cause leaflet changed (then changed back: both count);
- no change: a build with nothing to do, and whether it imported WeasyPrint.

It prints the figures, the ratios and which targets they meet. `--profile` adds where a full build's
time goes (cProfile, in this process, one job). Numbers, not assertions: machines are shared and noisy.
"""

from __future__ import annotations

import argparse
import cProfile
import io
import pstats
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
DEFAULT_CONTENT = ROOT / "content.yaml"  # the shipped sample clinic

from leaflets.content.sources import content_fonts, load_sources, select  # noqa: E402
from leaflets.pipeline.processes import cores  # noqa: E402
from leaflets.render.html import QR_URL, booking_qr, render_html  # noqa: E402
from leaflets.theme import TEMPLATES  # noqa: E402

#: A sentence printed only in the failed-fusion leaflet (and its large print), and what it becomes.
SENTENCE = ("do not grow together firmly.", "do not grow together well.")

#: The warm loop, run in a fresh process: arguments are the folder of leaflets written by `write_leaflets`.
BARE_LOOP = """
import sys, pathlib, weasyprint
from weasyprint.text.fonts import FontConfiguration
folder = pathlib.Path(sys.argv[1])
config, parsed = FontConfiguration(), {}
def css(path):
    if path not in parsed:
        parsed[path] = weasyprint.CSS(filename=path, font_config=config)
    return parsed[path]
for html in sorted(folder.glob("*.html")):
    sheets = [css(str(folder / name)) for name in html.with_suffix(".css-list").read_text().split()]
    document = weasyprint.HTML(filename=str(html)).render(font_config=config, stylesheets=sheets)
    document.write_pdf(pdf_variant="pdf/ua-1", pdf_tags=True)
"""

#: A build with nothing to do, in a fresh process: prints whether WeasyPrint was imported.
NO_CHANGE = """
import sys
from leaflets.cli import main
code = main(sys.argv[1:])
print("weasyprint imported:", "weasyprint" in sys.modules)
raise SystemExit(code)
"""


def copy_content(folder: Path) -> Path:
    """The shipped content with its logo and term list, in a folder the benchmark may edit."""
    folder.mkdir(parents=True)
    shutil.copy(DEFAULT_CONTENT, folder / "content.yaml")
    for name in ("medical_terms.txt", "content.es.yaml", "medical_terms.es.txt", "content.es.master.json"):
        shutil.copy(DEFAULT_CONTENT.parent / name, folder / name)  # what content.yaml names, its translation too
    shutil.copytree(DEFAULT_CONTENT.parent / "assets", folder / "assets")
    return folder / "content.yaml"


def write_leaflets(content_path: Path, folder: Path) -> int:
    """Each leaflet's HTML in every language the build makes, its stylesheets (fonts first) and the QR code as
    files, for WeasyPrint alone."""
    sources = load_sources(content_path)
    master = sources[0].content
    folder.mkdir(parents=True)
    (folder / "fonts.css").write_text(content_fonts(master, content_path).css(), encoding="utf-8")
    (folder / "booking-qr.svg").write_bytes(booking_qr(master)[QR_URL])
    count = 0
    for source in sources:
        content = source.content
        logo = (source.path.parent / content.brand.logo).resolve().as_uri()
        for edition in select(content):
            html = render_html(content, edition, master.paper, logo).replace(QR_URL, "booking-qr.svg")
            (folder / f"{edition.label}.html").write_text(html, encoding="utf-8")
            sheets = [
                str(folder / "fonts.css"),
                *(str(TEMPLATES / "css" / n) for n in edition.stylesheets(master.paper)),
            ]
            (folder / f"{edition.label}.css-list").write_text("\n".join(sheets), encoding="utf-8")
            count += 1
    return count


def timed(command: list[str]) -> float:
    """Wall-clock seconds of one command, which must succeed."""
    started = time.perf_counter()
    done = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, check=False)
    seconds = time.perf_counter() - started
    if done.returncode != 0:
        raise SystemExit(f"failed: {' '.join(command)}\n{done.stdout}\n{done.stderr}")
    return seconds


def cli_loop(folder: Path) -> float:
    """One `weasyprint` process per leaflet, one after the other."""
    started = time.perf_counter()
    for html in sorted(folder.glob("*.html")):
        sheets = [arg for name in html.with_suffix(".css-list").read_text().split() for arg in ("-s", name)]
        command = ["weasyprint", "--pdf-variant", "pdf/ua-1", "--pdf-tags", "-q", *sheets, str(html)]
        done = subprocess.run([*command, str(html.with_suffix(".pdf"))], capture_output=True, check=False)
        if done.returncode != 0:
            raise SystemExit(f"weasyprint failed on {html.name}: {done.stderr.decode()[-500:]}")
    return time.perf_counter() - started


def edit(content_path: Path, old: str, new: str) -> None:
    text = content_path.read_text(encoding="utf-8")
    if old not in text:
        raise SystemExit(f"the benchmark is out of date: {old!r} is not in the content")
    content_path.write_text(text.replace(old, new, 1), encoding="utf-8")


def median(runs: list[float]) -> float:
    return statistics.median(runs)


def profile_full_build(content_path: Path, out: Path) -> str:
    """The top of a cProfile of one full build in this process (one job, so every call is seen)."""
    from leaflets.pipeline.plan import build

    profiler = cProfile.Profile()
    profiler.runcall(build, content_path, out, force=True, jobs=1)
    text = io.StringIO()
    stats = pstats.Stats(profiler, stream=text)
    stats.sort_stats("cumulative").print_stats(r"leaflets/|weasyprint/(document|layout/__init__|__init__)", 25)
    return text.getvalue()


def verdict(met: bool) -> str:
    return "met" if met else "NOT met"


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--repeat", type=int, default=3, help="runs of each measurement (the median is shown)")
    p.add_argument("--jobs", type=int, default=cores(), help="--jobs for the builds (default: the cores)")
    p.add_argument("--profile", action="store_true", help="also profile one full build (one job)")
    args = p.parse_args()

    with tempfile.TemporaryDirectory(prefix="leaflets-bench-") as temp:
        work = Path(temp)
        content = copy_content(work / "clinic")
        count = write_leaflets(content, work / "plain")
        out = work / "out"
        generate = [sys.executable, str(ROOT / "generate.py"), "--content", str(content), "--out", str(out)]
        generate += ["--jobs", str(args.jobs)]
        runs: dict[str, list[float]] = {"full": [], "cli": [], "bare": [], "edit": [], "same": []}
        imported: list[str] = []
        timed(generate)  # the folder holds a set, so the later builds can keep leaflets
        for _ in range(args.repeat):  # interleaved, so a busy spell on the machine hits every figure alike
            runs["full"].append(timed([*generate, "--force"]))
            runs["cli"].append(cli_loop(work / "plain"))
            runs["bare"].append(timed([sys.executable, "-c", BARE_LOOP, str(work / "plain")]))
            for old, new in (SENTENCE, SENTENCE[::-1]):
                edit(content, old, new)
                runs["edit"].append(timed(generate))
            started = time.perf_counter()
            done = subprocess.run(
                [sys.executable, "-c", NO_CHANGE, *generate[2:]], cwd=ROOT, capture_output=True, text=True, check=True
            )
            runs["same"].append(time.perf_counter() - started)
            imported.append(done.stdout.splitlines()[-1])
        report(count, args, {name: median(values) for name, values in runs.items()}, imported)
        if args.profile:
            print("\nWhere a full build's time goes (cProfile, one job, cumulative seconds):")
            print(profile_full_build(content, work / "profiled"))


def report(count: int, args: argparse.Namespace, m: dict[str, float], imported: list[str]) -> None:
    """The figures, the ratios and the targets."""
    print(
        f"{count} leaflets (every language of the shipped content), --jobs {args.jobs}, "
        f"median of {args.repeat} runs (wall clock)"
    )
    rows: list[tuple[str, float]] = [
        ("full build (generate.py --force)", m["full"]),
        ("weasyprint CLI, one process per leaflet", m["cli"]),
        ("bare warm WeasyPrint loop, no checks", m["bare"]),
        ("one-sentence edit to one cause leaflet", m["edit"]),
        ("no-change build", m["same"]),
    ]
    for label, seconds in rows:
        print(f"  {label:<44} {seconds:6.2f} s")
    never = all(line.endswith("False") for line in imported)
    checks: list[tuple[str, float, Callable[[float], bool], str]] = [
        ("full build / CLI loop", m["full"] / m["cli"], lambda r: r <= 0.25, "<= 0.25"),
        ("full build / bare warm loop", m["full"] / m["bare"], lambda r: r <= 1.3, "<= 1.3"),
        ("one-sentence edit / full build", m["edit"] / m["full"], lambda r: r <= 0.35, "<= 0.35"),
    ]
    print("ratios (same run):")
    for label, ratio, ok, target in checks:
        print(f"  {label:<44} {ratio:6.2f}x  target {target:<8} {verdict(ok(ratio))}")
    print(
        f"  {'no-change build':<44} {m['same']:6.2f} s  target < 1 s, no WeasyPrint: "
        f"{verdict(m['same'] < 1)} (seconds), {verdict(never)} (WeasyPrint imported: {not never})"
    )


if __name__ == "__main__":
    main()
