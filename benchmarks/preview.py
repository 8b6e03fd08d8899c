"""Benchmark: live preview, from saving the content file to the browser showing the new text.

    python benchmarks/preview.py [--edits 5] [--only scar-tissue]

Starts `generate.py preview` on a copy of content.yaml, opens the page in headless Chromium (kept open
and read over the DevTools protocol, as tests/test_preview.py does), then saves a changed sentence
again and again. For each save it prints the seconds from the moment the file was written to the moment
the page's text (read back from the re-rendered PDF page) holds the new sentence: watching, re-rendering,
the page images, the long poll and the browser's redraw, end to end. The target is 1.5 s for one
leaflet. Numbers, not assertions: machines are shared and noisy. Needs Chromium and `.[test]`.
"""

from __future__ import annotations

import argparse
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.browser import Browser, chromium, environment_for, preview_url  # noqa: E402

SENTENCE = "Stretching can help. It keeps"
TARGET = 1.5  # seconds


def main() -> int:
    """Measure and print; exit 1 if Chromium is missing."""
    options = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    options.add_argument("--edits", type=int, default=5, help="saves to measure (default 5)")
    options.add_argument("--only", default="scar-tissue", help="the leaflet to preview and edit (default scar-tissue)")
    args = options.parse_args()
    executable = chromium()
    if executable is None:
        print("Chromium is not installed (apt-get install chromium)", file=sys.stderr)
        return 1
    with tempfile.TemporaryDirectory(prefix="preview-bench-") as folder:
        work = Path(folder)
        content = copy_content(work)
        (work / "tmp").mkdir()
        command = [sys.executable, str(ROOT / "generate.py"), "preview", "--content", str(content), "--only", args.only]
        started = time.perf_counter()
        preview = subprocess.Popen(
            command,
            cwd=work,
            env=environment_for(work / "tmp"),
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        try:
            url = preview_url(preview, timeout=120)
            with Browser(executable, work / "profile", url) as browser:
                browser.wait_for(f"{page_text(args.only)}.includes('Stretching can help')", timeout=60)
                print(f"first pages in the browser {time.perf_counter() - started:.2f} s after starting the preview")
                seconds = [edit(browser, content, args.only, number) for number in range(1, args.edits + 1)]
        finally:
            preview.send_signal(signal.SIGINT)
            preview.communicate(timeout=30)
    print(
        f"save to browser: median {statistics.median(seconds):.2f} s, best {min(seconds):.2f} s, "
        f"worst {max(seconds):.2f} s over {len(seconds)} saves (target {TARGET} s)"
    )
    return 0


def copy_content(work: Path) -> Path:
    """content.yaml and what it names (logo, medical terms, its translation) copied into `work`."""
    shutil.copytree(ROOT / "assets", work / "assets")
    for name in ("medical_terms.txt", "content.es.yaml", "medical_terms.es.txt", "content.es.master.json"):
        shutil.copy(ROOT / name, work / name)  # what content.yaml names, its translation too
    shutil.copy(ROOT / "content.yaml", work / "content.yaml")
    return work / "content.yaml"


def page_text(leaflet: str) -> str:
    """JavaScript: the text of every page of the leaflet, as the preview page shows it."""
    return f"[...document.querySelectorAll('#leaflet-{leaflet} .page-text')].map(e => e.textContent).join(' ')"


def edit(browser: Browser, content: Path, leaflet: str, number: int) -> float:
    """Save a new sentence; the seconds until the browser shows it."""
    text = content.read_text(encoding="utf-8")
    marker = f"Stretching can help, edit {number}."
    changed = text.replace(SENTENCE, f"{marker} It keeps", 1) if SENTENCE in text else None
    if changed is None:  # after the first edit: replace the previous marker
        changed = text.replace(f"Stretching can help, edit {number - 1}.", marker, 1)
    time.sleep(0.5)  # let the previous refresh settle, as a person typing would
    content.write_text(changed, encoding="utf-8")
    saved = time.perf_counter()
    browser.wait_for(f"{page_text(leaflet)}.replace(/\\s+/g, ' ').includes('{marker}')", timeout=30)
    seconds = time.perf_counter() - saved
    print(f"  save {number}: {seconds:.2f} s")
    return seconds


if __name__ == "__main__":
    sys.exit(main())
