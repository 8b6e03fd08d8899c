"""The command line, run in-process: options, output lines and exit codes."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pikepdf
import pytest

from leaflets.cli import main
from tests.conftest import ROOT


def test_help_lists_the_commands_and_examples(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exited:
        main(["--help"])
    assert exited.value.code == 0
    text = capsys.readouterr().out
    for command in ("build", "check", "preview", "discharge", "translated", "changes", "approve", "new"):
        assert re.search(rf"^    {command}\b", text, re.M), command
    assert "leaflets build --paper letter" in text
    assert "`python generate.py` does the same as `leaflets`" in text


def test_build_help_lists_options_and_exit_codes(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exited:
        main(["build", "--help"])
    assert exited.value.code == 0
    text = capsys.readouterr().out
    for option in ("--content PATH", "--out DIR", "--paper {a4,letter}", "--only NAME", "--list", "--debug"):
        assert option in text
    assert "exit codes: 0 built, 1 the content needs fixing (or failed the quality gate), 2 wrong command line," in text


def test_a_misspelt_command_is_named_with_the_commands_there_are(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exited:
        main(["bulid"])
    assert exited.value.code == 2
    assert "invalid choice: 'bulid' (choose from 'build', 'check', 'preview', 'discharge'," in capsys.readouterr().err


def test_help_and_a_typo_load_nothing_of_the_pipeline() -> None:
    script = (
        "import sys\nfrom leaflets.cli import main\n"
        "for argv in (['--help'], ['bulid']):\n"
        "    try:\n        main(argv)\n    except SystemExit:\n        pass\n"
        "heavy = ('weasyprint', 'pydantic', 'jinja2', 'yaml', 'leaflets.pipeline', 'leaflets.checks')\n"
        "print(sorted(name for name in sys.modules if name.startswith(heavy)))\n"
    )
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=True, timeout=120)
    assert done.stdout.splitlines()[-1] == "[]"


@pytest.mark.pdf
def test_python_m_leaflets_is_the_same_command_line() -> None:
    done = subprocess.run(
        [sys.executable, "-m", "leaflets", "build", "--list"], capture_output=True, text=True, check=False, timeout=120
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith("overview ")


@pytest.mark.pdf
def test_check_is_build_with_only_the_quality_report(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "out"
    assert main(["check", "--only", "scar-tissue", "--language", "en", "--out", str(out)]) == 0
    assert sorted(p.name for p in out.iterdir()) == ["quality.json"]
    assert capsys.readouterr().out.splitlines()[-1].startswith("Checked 1 leaflet in ")


def test_list_names_every_leaflet(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--list"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert [line.split()[0] for line in lines] == [
        "overview",
        "trifold",
        "failed-fusion",
        "failed-decompression",
        "scar-tissue",
        "rehabilitation",
        "overview-large-print",
        "failed-fusion-large-print",
        "failed-decompression-large-print",
        "scar-tissue-large-print",
        "rehabilitation-large-print",
    ]
    assert lines[0].split()[1:3] == ["2", "pages"]
    assert lines[4].split()[1:3] == ["1", "page"]
    assert lines[6].split()[1:3] == ["6", "pages"]


@pytest.mark.pdf
def test_only_and_paper_build_just_what_was_asked(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "out"
    assert (
        main(
            ["--only", "overview", "--only", "scar-tissue", "--paper", "letter", "--language", "en", "--out", str(out)]
        )
        == 0
    )
    assert sorted(p.name for p in out.iterdir()) == [
        "index.html",
        "manifest.json",
        "overview-en-letter.pdf",
        "quality.json",
        "scar-tissue-en-letter.pdf",
        "thumbnails",
    ]
    lines = capsys.readouterr().out.splitlines()
    assert re.fullmatch(r"  \S+/overview-en-letter\.pdf +2 pages, \d+ KB", lines[0]), lines[0]
    assert re.fullmatch(r"  \S+/scar-tissue-en-letter\.pdf +1 page, \d+ KB", lines[1]), lines[1]
    assert lines[-1].startswith("Built 2 leaflets in ")
    assert lines[-1].endswith(f"s; list and checksums in {out / 'manifest.json'}")
    with pikepdf.open(out / "overview-en-letter.pdf") as pdf:
        assert [float(v) for v in pdf.pages[0].MediaBox] == pytest.approx([0, 0, 612, 792], abs=0.01)


@pytest.mark.pdf
def test_the_summary_counts_what_was_built_and_what_was_kept(
    content_copy: Callable[..., Path], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    content = content_copy()
    args = ["--content", str(content), "--out", str(tmp_path / "out"), "--only", "scar-tissue", "--jobs", "1"]
    summaries = []
    for more in ([], ["--only", "overview"], ["--only", "overview"]):
        assert main([*args, *more]) == 0
        summaries.append(capsys.readouterr().out.splitlines()[-1].split(" in ")[0])
    assert summaries == ["Built 1 leaflet", "Built 1 leaflet, 1 unchanged,", "Built 0 leaflets, 2 unchanged,"]


@pytest.mark.pdf
def test_paper_setting_in_content_is_the_default(content_copy: Callable[..., Path], tmp_path: Path) -> None:
    content = content_copy(("paper: a4 ", "paper: letter "))
    assert main(["--content", str(content), "--out", str(tmp_path / "out"), "--only", "rehabilitation"]) == 0
    assert (tmp_path / "out" / "rehabilitation-en-letter.pdf").exists()


def test_unknown_leaflet_name_is_a_usage_error(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--only", "scar", "--out", str(tmp_path / "out")]) == 2
    assert capsys.readouterr().err == (
        "Error: no leaflet called 'scar'; choose from: overview, trifold, failed-fusion, failed-decompression, "
        "scar-tissue, rehabilitation, overview-large-print, failed-fusion-large-print, "
        "failed-decompression-large-print, scar-tissue-large-print, rehabilitation-large-print\n"
    )
    assert not (tmp_path / "out").exists()


def test_bad_paper_is_rejected_by_the_parser(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exited:
        main(["--paper", "a5"])
    assert exited.value.code == 2
    assert "argument --paper: invalid choice: 'a5' (choose from 'a4', 'letter')" in capsys.readouterr().err


@pytest.mark.pdf
def test_generate_py_is_a_thin_entry_point(tmp_path: Path) -> None:
    done = subprocess.run(
        [sys.executable, "generate.py", "--list"], cwd=ROOT, capture_output=True, text=True, check=False, timeout=120
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith("overview ")
    assert len((ROOT / "generate.py").read_text().splitlines()) < 10


@pytest.mark.pdf
def test_workers_run_the_code_of_the_command_started_from_another_folder(tmp_path: Path) -> None:
    # Another `leaflets` where the command is typed: the command and its workers both take the one beside
    # generate.py (the worker runtime's server must not look in its current folder first, as `python -c` does).
    (tmp_path / "leaflets").mkdir()
    (tmp_path / "leaflets" / "__init__.py").write_text("raise RuntimeError('not this leaflets')\n")
    (tmp_path / "temp").mkdir()
    command = [
        sys.executable,
        str(ROOT / "generate.py"),
        "--content",
        str(ROOT / "content.yaml"),
        "--only",
        "scar-tissue",
    ]
    command += ["--out", str(tmp_path / "out")]
    command += ["--language", "en", "--jobs", "2"]
    env = {**os.environ, "TMPDIR": str(tmp_path / "temp")}
    done = subprocess.run(command, cwd=tmp_path, env=env, capture_output=True, text=True, timeout=300, check=False)
    assert done.returncode == 0, done.stderr
    assert (tmp_path / "out" / "scar-tissue-en-a4.pdf").is_file()
    assert list((tmp_path / "temp").iterdir()) == []


@pytest.mark.pdf
def test_a_deep_temp_folder_does_not_stop_the_workers(tmp_path: Path) -> None:
    # The worker runtime's socket lives in the temp folder; a UNIX socket's path is short (107 bytes on Linux).
    deep = tmp_path / ("t" * 60) / "temp"
    deep.mkdir(parents=True)
    command = [
        sys.executable,
        str(ROOT / "generate.py"),
        "--content",
        str(ROOT / "content.yaml"),
        "--only",
        "scar-tissue",
    ]
    command += ["--language", "en", "--jobs", "2", "--out", str(tmp_path / "out")]
    env = {**os.environ, "TMPDIR": str(deep)}
    done = subprocess.run(command, env=env, capture_output=True, text=True, timeout=300, check=False)
    assert done.returncode == 0, done.stderr
    assert (tmp_path / "out" / "scar-tissue-en-a4.pdf").is_file()
