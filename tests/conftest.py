"""Shared fixtures: one real build per paper size, and editable copies of the content."""

from __future__ import annotations

import re
import shutil
import signal
import tempfile
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from leaflets.pipeline import processes
from leaflets.pipeline.plan import Output, build

ROOT = Path(__file__).resolve().parent.parent
CONTENT = ROOT / "content.yaml"
#: The lines of content.yaml that list its translations.
TRANSLATIONS = re.search(r"^translations:.*\n(?:  - .*\n)+", CONTENT.read_text(encoding="utf-8"), re.M).group(0)  # type: ignore[union-attr]


def pytest_configure(config: pytest.Config) -> None:
    """Let the processes the tests start see Ctrl-C. A test run started in the background of a script (`pytest &`)
    has SIGINT ignored, and every process it starts would inherit that: the tests that stop a build or the preview
    with Ctrl-C would test nothing (the build finishes, the preview never stops). A handler, unlike an ignored
    signal, is reset to the default in a new program."""
    if signal.getsignal(signal.SIGINT) == signal.SIG_IGN:
        signal.signal(signal.SIGINT, signal.default_int_handler)


@pytest.fixture(scope="session", autouse=True)
def worker_runtime(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The worker runtime's server (processes.py), started first, with a temp folder of the session's, which is
    returned: its socket folder is there, and its workers' temporary files unless they are told where else, never
    the machine's temp folder. It lives as long as the test run, so it never shows in a test's own temp folder."""
    folder = tmp_path_factory.mktemp("runtime")
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(tempfile, "tempdir", str(folder))
        patch.setenv("TMPDIR", str(folder))
        processes.start()
    return folder


@pytest.fixture
def temp_folder(tmp_path: Path, worker_runtime: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """A temp folder of this test's own, where the code it runs in this process makes its temporary files: what
    is left there is this test's, whatever else the machine runs."""
    folder = tmp_path / "temp"
    folder.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(folder))
    yield folder


@pytest.fixture(autouse=True)
def from_the_repository(monkeypatch: pytest.MonkeyPatch) -> None:
    """Every test runs from the repository, as `leaflets` runs from a clinic's folder: a command given no --content
    reads the sample clinic's content.yaml, wherever pytest was started."""
    monkeypatch.chdir(ROOT)


@pytest.fixture(scope="session", params=["a4", "letter"])
def built(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> tuple[str, Path, list[Output]]:
    """Every English leaflet built once per paper size: (paper, output folder, outputs)."""
    out = tmp_path_factory.mktemp(f"out-{request.param}")
    return request.param, out, build(CONTENT, out, paper=request.param, languages=["en"])


@pytest.fixture
def content_copy(tmp_path: Path) -> Callable[..., Path]:
    """Copy content.yaml and its logo into tmp_path, applying text replacements.

    `content_copy(("old", "new"), ...)` fails if an `old` text is not found,
    so a test cannot silently stop testing what it claims to.
    """

    def make(*replacements: tuple[str, str], name: str = "content.yaml", translated: bool = False) -> Path:
        text = CONTENT.read_text(encoding="utf-8")
        if translated:  # the Spanish translation beside it, with its term list and its record of the master
            for extra in ("content.es.yaml", "content.es.master.json", "medical_terms.es.txt"):
                shutil.copy(ROOT / extra, tmp_path / extra)
        else:  # English alone: most tests are about one language
            text = text.replace(TRANSLATIONS, "", 1)
        for old, new in replacements:
            assert old in text, f"test fixture out of date: {old!r} not in content.yaml"
            text = text.replace(old, new, 1)
        (tmp_path / "assets").mkdir(exist_ok=True)
        shutil.copy(ROOT / "assets" / "logo.svg", tmp_path / "assets" / "logo.svg")
        shutil.copy(ROOT / "medical_terms.txt", tmp_path / "medical_terms.txt")
        path = tmp_path / name
        path.write_text(text, encoding="utf-8")
        return path

    return make


def line_of(path: Path, needle: str) -> int:
    """1-based line number of the first line containing `needle`."""
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if needle in line:
            return number
    raise AssertionError(f"{needle!r} not in {path}")


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """A test that shares a PDF-making fixture of its module or of the session with a `pdf` test is one too: run
    alone (`pytest -m 'not pdf'`) it would make those PDFs. Autouse fixtures (the worker runtime) do not count."""
    pdf = pytest.mark.pdf

    def scoped(item: pytest.Item) -> set[str]:
        info = getattr(item, "_fixtureinfo", None)
        if info is None:
            return set()
        autouse = set(info.initialnames) - set(info.argnames)
        return {
            name
            for name in info.names_closure
            if name not in autouse
            and (defs := info.name2fixturedefs.get(name))
            and defs[-1].scope in ("module", "session")
            and not defs[-1].func.__module__.startswith("_pytest")  # pytest's own (tmp_path_factory) make nothing
        }

    heavy = {name for item in items if item.get_closest_marker("pdf") for name in scoped(item)}
    for item in items:
        if not item.get_closest_marker("pdf") and scoped(item) & heavy:
            item.add_marker(pdf)
