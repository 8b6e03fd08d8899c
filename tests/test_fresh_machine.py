"""A fresh machine has Python and Pango only: no HarfBuzz-Subset library.

WeasyPrint then subsets fonts with fontTools, which stamps the clock into each
font's `head` table unless SOURCE_DATE_EPOCH is set. The build must still give
the same bytes every time, on either path.
"""

from __future__ import annotations

import ctypes.util
import datetime
import io
import os
import subprocess
import sys
from pathlib import Path

import pikepdf
import pytest
from fontTools.misc.timeTools import epoch_diff
from fontTools.ttLib import TTFont

from tests.conftest import CONTENT

pytestmark = pytest.mark.pdf  # every test here makes PDFs (pytest -m 'not pdf' leaves them out)

# Builds one leaflet in a fresh interpreter, in its own process (one job: the one whose WeasyPrint is changed);
# HIDE=1 hides HarfBuzz-Subset from WeasyPrint as if the system library were not installed.
SCRIPT = """
import sys
from pathlib import Path
if sys.argv[3] == "1":
    import weasyprint.pdf.fonts
    weasyprint.pdf.fonts.harfbuzz_subset = None
from leaflets.pipeline.plan import build
build(Path(sys.argv[1]), Path(sys.argv[2]), only=["scar-tissue"], force=True, languages=["en"], jobs=1)
"""


def _build(content: Path, out: Path, hide: bool) -> bytes:
    temp = out.with_name(f"{out.name}-temp")  # its own temp folder: what it leaves there is its
    temp.mkdir()
    env = {**os.environ, "TMPDIR": str(temp)}
    subprocess.run([sys.executable, "-c", SCRIPT, str(content), str(out), "1" if hide else "0"], env=env, check=True)
    assert list(temp.iterdir()) == [], "WeasyPrint's font folders are removed with the build's scratch folder"
    return (out / "scar-tissue-en-a4.pdf").read_bytes()


def _font_dates(data: bytes) -> set[datetime.datetime]:
    """The `modified` stamp of every embedded font, as a date and time."""
    stamps = set()
    with pikepdf.open(io.BytesIO(data)) as pdf:
        for obj in pdf.objects:
            if isinstance(obj, pikepdf.Dictionary) and obj.get("/Type") == "/FontDescriptor" and "/FontFile2" in obj:
                font = TTFont(io.BytesIO(obj.FontFile2.read_bytes()))
                seconds = font["head"].modified + epoch_diff
                stamps.add(datetime.datetime.fromtimestamp(seconds, datetime.UTC))
    return stamps


@pytest.mark.parametrize(
    "hide",
    [
        True,
        pytest.param(
            False,
            marks=pytest.mark.skipif(
                ctypes.util.find_library("harfbuzz-subset") is None, reason="HarfBuzz-Subset is not installed here"
            ),
        ),
    ],
    ids=["fonttools", "harfbuzz"],
)
def test_same_bytes_every_time_on_either_subsetter(tmp_path: Path, hide: bool) -> None:
    first = _build(CONTENT, tmp_path / "one", hide)
    second = _build(CONTENT, tmp_path / "two", hide)
    assert first == second
    assert len(first) > 10_000


def test_fonttools_stamps_the_publication_date_not_the_clock(tmp_path: Path) -> None:
    data = _build(CONTENT, tmp_path / "out", hide=True)
    stamps = _font_dates(data)
    assert stamps, "no embedded TrueType font found"
    published = datetime.datetime(2026, 11, 2, tzinfo=datetime.UTC)
    assert stamps == {published}
