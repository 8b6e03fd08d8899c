"""Incremental builds: unchanged leaflets are kept (without WeasyPrint), changes and --force rebuild."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

from leaflets.pipeline.plan import Output, build
from tests.conftest import CONTENT, ROOT

pytestmark = pytest.mark.pdf  # every test here makes PDFs (pytest -m 'not pdf' leaves them out)

ONLY = ["overview", "scar-tissue"]


def run(content: Path, out: Path, force: bool = False) -> dict[str, bool]:
    """Build, returning {file: rebuilt?}."""
    fresh: dict[str, bool] = {}

    def report(output: Output, rebuilt: bool) -> None:
        fresh[output.file] = rebuilt

    build(content, out, only=ONLY, report=report, force=force, languages=["en"])
    return fresh


def test_nothing_changed_nothing_rebuilt(tmp_path: Path) -> None:
    assert run(CONTENT, tmp_path) == {"overview-en-a4.pdf": True, "scar-tissue-en-a4.pdf": True}
    stamps = {p.name: p.stat().st_mtime_ns for p in tmp_path.glob("*.pdf")}
    assert run(CONTENT, tmp_path) == {"overview-en-a4.pdf": False, "scar-tissue-en-a4.pdf": False}
    assert {p.name: p.stat().st_mtime_ns for p in tmp_path.glob("*.pdf")} == stamps
    assert run(CONTENT, tmp_path, force=True) == {"overview-en-a4.pdf": True, "scar-tissue-en-a4.pdf": True}


def test_a_change_to_the_content_or_a_lost_file_rebuilds(content_copy: Callable[..., Path], tmp_path: Path) -> None:
    content = content_copy()
    run(content, tmp_path / "out")
    (tmp_path / "out" / "scar-tissue-en-a4.pdf").unlink()
    assert run(content, tmp_path / "out") == {"overview-en-a4.pdf": False, "scar-tissue-en-a4.pdf": True}
    content.write_text(content.read_text().replace("Stretching can help.", "Gentle stretching can help."))
    assert run(content, tmp_path / "out") == {"overview-en-a4.pdf": True, "scar-tissue-en-a4.pdf": True}


def test_a_no_change_build_does_not_import_weasyprint(tmp_path: Path) -> None:
    run(CONTENT, tmp_path)
    script = (
        "import sys\nfrom leaflets.cli import main\n"
        f"code = main(['--out', {str(tmp_path)!r}, '--only', 'overview', '--only', 'scar-tissue', '--language', 'en'"
        "])\n"
        "heavy = ('weasyprint', 'pdfplumber', 'pikepdf', 'pypdfium2', 'wordfreq')\n"
        "print(code, sorted(m for m in heavy if m in sys.modules))\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", script], cwd=ROOT, capture_output=True, text=True, timeout=120, check=False
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.splitlines()[-1] == "0 []"
    assert "unchanged" in done.stdout


def test_an_edit_to_one_cause_leaflet_rebuilds_it_and_its_large_print_alone(
    content_copy: Callable[..., Path], tmp_path: Path
) -> None:
    only = ["overview", "trifold", "failed-fusion", "scar-tissue", "failed-fusion-large-print"]
    content = content_copy()
    fresh: dict[str, bool] = {}

    def report(output: Output, rebuilt: bool) -> None:
        fresh[output.edition] = rebuilt

    build(content, tmp_path / "out", only=only, report=report)
    assert all(fresh.values())
    edited = content.read_text().replace("do not grow together firmly.", "do not grow together well.")
    assert edited != content.read_text()
    thumbnails = tmp_path / "out" / "thumbnails"
    before = {p.name: p.read_bytes() for p in thumbnails.iterdir()}
    content.write_text(edited)
    build(content, tmp_path / "out", only=only, report=report)
    assert [name for name, rebuilt in fresh.items() if rebuilt] == ["failed-fusion", "failed-fusion-large-print"]
    # The gallery shows the edited pages, as a build from nothing would; the others' thumbnails are kept.
    build(content, tmp_path / "fresh", only=only)
    after = {p.name: p.read_bytes() for p in thumbnails.iterdir()}
    assert after == {p.name: p.read_bytes() for p in (tmp_path / "fresh" / "thumbnails").iterdir()}
    changed = sorted(name for name in after if after[name] != before[name])
    assert changed == ["failed-fusion-en-a4-1.png", "failed-fusion-large-print-en-a4-1.png"]


def test_two_jobs_make_the_same_files_as_one(tmp_path: Path) -> None:
    # Both languages: one session of workers makes them all, each worker with a writer per language.
    only = ["overview", "scar-tissue", "scar-tissue-large-print"]
    for jobs in (1, 2):
        build(CONTENT, tmp_path / str(jobs), only=only, jobs=jobs)
    made = sorted(p.name for p in (tmp_path / "1").iterdir() if p.is_file())
    assert made == sorted(p.name for p in (tmp_path / "2").iterdir() if p.is_file())
    assert "manifest.json" in made and "quality.json" in made and "scar-tissue-es-a4.pdf" in made
    for name in made:
        assert (tmp_path / "1" / name).read_bytes() == (tmp_path / "2" / name).read_bytes(), name


def test_the_command_makes_the_same_files_with_its_worker_runtime(tmp_path: Path) -> None:
    """Two jobs: the leaflets are made by workers forked from a server that loaded WeasyPrint while the build
    checked the words (processes.py)."""
    from leaflets.cli import main

    only = ["--only", "overview", "--only", "scar-tissue", "--only", "scar-tissue-large-print"]
    for jobs in ("1", "2"):
        assert main(["--out", str(tmp_path / jobs), "--jobs", jobs, *only]) == 0
    made = sorted(str(p.relative_to(tmp_path / "1")) for p in (tmp_path / "1").rglob("*") if p.is_file())
    assert made == sorted(str(p.relative_to(tmp_path / "2")) for p in (tmp_path / "2").rglob("*") if p.is_file())
    assert "thumbnails/overview-en-a4-2.png" in made
    for name in made:
        assert (tmp_path / "1" / name).read_bytes() == (tmp_path / "2" / name).read_bytes(), name
    assert main(["--out", str(tmp_path / "2"), "--jobs", "2", *only]) == 0  # nothing to make, no worker
