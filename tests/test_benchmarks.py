"""The benchmark scripts still set up what they time (nothing here is timed: their numbers are theirs).

A module move or a new column once broke benchmarks/discharge.py unseen; these run each script's setup on
a small scale, and one WeasyPrint render of its baseline, so a change that breaks a benchmark fails here.
"""

from __future__ import annotations

import importlib.util
import re
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from types import ModuleType

import pytest

from leaflets.content.sources import load_content, load_sources, select
from leaflets.discharge.patients import read_patients
from leaflets.errors import ContentError
from leaflets.pipeline.plan import build
from leaflets.render.html import environment
from tests.conftest import CONTENT, ROOT

pytestmark = pytest.mark.pdf  # every test here makes PDFs (pytest -m 'not pdf' leaves them out)


def script(name: str) -> ModuleType:
    path = ROOT / "benchmarks" / f"{name}.py"
    spec = importlib.util.spec_from_file_location(f"benchmark_{name}", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_the_build_benchmark_writes_every_leaflet_the_build_makes(tmp_path: Path) -> None:
    bench = script("build")
    content = bench.copy_content(tmp_path / "content")
    count = bench.write_leaflets(content, tmp_path / "html")
    expected = [e.label for source in load_sources(content) for e in select(source.content)]
    assert count == len(expected) == 22
    assert sorted(p.stem for p in (tmp_path / "html").glob("*.html")) == sorted(expected)
    for listed in (tmp_path / "html").glob("*.css-list"):
        assert all(Path(name).is_file() for name in listed.read_text().split()), listed.name
    # The bare loop renders what was written: one leaflet is enough to know it still runs.
    for html in (tmp_path / "html").glob("*.html"):
        if html.stem != "scar-tissue-en":
            html.unlink()
    done = subprocess.run([sys.executable, "-c", bench.BARE_LOOP, str(tmp_path / "html")], capture_output=True)
    assert done.returncode == 0, done.stderr.decode()[-2000:]
    bench.edit(content, *bench.SENTENCE)  # the sentence the edit benchmark changes is still in the content


def test_the_discharge_benchmark_makes_a_valid_list_and_renders_its_baseline(tmp_path: Path) -> None:
    bench = script("discharge")
    path = tmp_path / "patients.csv"
    bench.fictional_patients(path, 12)
    listed = read_patients(path, bench.LEAFLETS)
    assert listed.problems == [] and len(listed.patients) == 12
    patients = listed.patients
    content = load_content(CONTENT)
    logo = (CONTENT.parent / content.brand.logo).resolve()
    html = bench.handout_html(content, patients[0], "a4", logo.as_uri(), False, environment())
    bench._baseline_worker(str(logo))  # WeasyPrint's best rate: fonts and CSS set up as the benchmark does
    assert bench._baseline_render(html) > 10_000  # the bytes of one handout's PDF


def test_the_headroom_script_measures_room_left_and_room_missing(content_copy: Callable[..., Path]) -> None:
    bench = script("headroom")
    ((name, cells),) = bench.measure(CONTENT, ["a4"], ["scar-tissue"])
    room, pages = cells["a4"].split()
    assert name == "scar-tissue" and pages == "(1/1)" and int(room) > 20
    # Past its budget a leaflet is measured, not stopped: how much it is too long, as a negative number.
    long_text = " ".join(["Stretching keeps the nerves moving so they are less likely to stick."] * 20)
    content = content_copy(("      - Stretching can help.", f"      - {long_text}\n      - Stretching can help."))
    ((_, cells),) = bench.measure(content, ["a4"], ["scar-tissue"])
    room, pages = cells["a4"].split()
    assert pages == "(2/1)" and int(room) < 0


def test_the_errors_benchmark_times_a_content_error_on_the_typo_it_names(tmp_path: Path) -> None:
    bench = script("errors")
    content = bench.content_with_typo(tmp_path / "clinic")
    with pytest.raises(ContentError) as caught:
        load_sources(content)
    assert bench.NAMED in str(caught.value)


def test_the_conformance_benchmark_times_the_gates_check_on_each_folder(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    bench = script("conformance")
    build(CONTENT, tmp_path / "made", languages=["en"], only=["scar-tissue"])
    assert bench.main(["--repeat", "1", str(tmp_path / "made")]) == 0
    printed = capsys.readouterr().out
    assert re.search(r"^made +1 +\d+\.\d +\d+\.\d +\d+\.\d$", printed, re.M), printed
