"""Live preview: `generate.py preview` in real headless Chromium, and the renderer behind it."""

from __future__ import annotations

import http.client
import os
import signal
import socket
import subprocess
import sys
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from leaflets.pipeline import workers
from leaflets.pipeline.files import scratch_folder
from leaflets.preview.server import Board, Renderer, serve, stop
from tests.browser import Browser, chromium, environment_for, preview_url
from tests.conftest import ROOT, line_of

pytestmark = pytest.mark.pdf  # every test here makes PDFs (pytest -m 'not pdf' leaves them out)

OLD = "Stretching can help. It keeps"
NEW = "Gentle stretching can help. It keeps"
PAGE_TEXT = "[...document.querySelectorAll('#leaflet-scar-tissue .page-text')].map(e => e.textContent).join(' ')"
FIRST_IMAGE = "document.querySelector('#leaflet-scar-tissue img')?.getAttribute('src')"


@pytest.fixture
def renderer(tmp_path: Path) -> Iterator[Callable[..., Renderer]]:
    """A Renderer for a content file, its pages in a scratch folder removed afterwards."""
    with scratch_folder("preview-test", route_tempfile=True) as folder:
        yield lambda content, only: Renderer(content, None, only, folder)
        workers.unload()


def test_a_save_remakes_only_the_leaflets_it_changes(
    content_copy: Callable[..., Path], renderer: Callable[..., Renderer]
) -> None:
    content = content_copy()
    preview = renderer(content, ["scar-tissue", "failed-fusion"])
    first = {v.name: v for v in preview.refresh().leaflets}
    assert all(v.pages and not v.error for v in first.values())
    assert "Stretching can help" in first["scar-tissue"].pages[0].text

    content.write_text(content.read_text(encoding="utf-8").replace(OLD, NEW), encoding="utf-8")
    second = {v.name: v for v in preview.refresh().leaflets}
    assert second["failed-fusion"] is first["failed-fusion"], "a leaflet the edit does not touch is not laid out again"
    assert "Gentle stretching can help" in second["scar-tissue"].pages[0].text
    assert (
        second["scar-tissue"].pages[0].src != first["scar-tissue"].pages[0].src
    )  # a new address: the browser refetches

    content.write_text(content.read_text(encoding="utf-8").replace("week: 6\n", "week: six\n"), encoding="utf-8")
    broken = preview.refresh()
    assert broken.problems and broken.problems[0].startswith(f"{content}:{line_of(content, 'week: six')}:")
    assert "cause_leaflets[2].timeline[0].week" in broken.problems[0]
    assert {v.name: v for v in broken.leaflets} == second, "the last good pages stay"


def test_a_leaflet_that_cannot_be_made_keeps_its_last_pages(
    content_copy: Callable[..., Path], renderer: Callable[..., Renderer]
) -> None:
    content = content_copy()
    preview = renderer(content, ["scar-tissue"])
    (good,) = preview.refresh().leaflets
    long = " ".join(["The scar tissue can stick to the nerve roots inside the spinal canal."] * 25)
    content.write_text(content.read_text(encoding="utf-8").replace(OLD, long + " It keeps"), encoding="utf-8")
    (spilled,) = preview.refresh().leaflets
    assert "page" in spilled.error and spilled.pages == good.pages


@pytest.mark.skipif(chromium() is None and not os.environ.get("CI"), reason="Chromium not installed")
def test_live_preview_follows_saves_in_headless_chromium(content_copy: Callable[..., Path], tmp_path: Path) -> None:
    executable = chromium()
    assert executable, "CI must have Chromium (.ci/run installs it)"
    content = content_copy()
    scratch = tmp_path / "tmp"
    scratch.mkdir()
    command = [sys.executable, str(ROOT / "generate.py"), "preview", "--content", str(content), "--only", "scar-tissue"]
    preview = subprocess.Popen(
        command, cwd=tmp_path, env=environment_for(scratch), stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    )
    try:
        url = preview_url(preview, timeout=90)
        assert url.startswith("http://127.0.0.1:")
        with Browser(executable, tmp_path / "profile", url) as browser:
            browser.wait_for(f"{PAGE_TEXT}.includes('Stretching can help')", timeout=30)
            before = browser.evaluate(FIRST_IMAGE)

            content.write_text(content.read_text(encoding="utf-8").replace(OLD, NEW), encoding="utf-8")
            browser.wait_for(f"{PAGE_TEXT}.includes('Gentle stretching can help')", timeout=30)
            after = browser.evaluate(FIRST_IMAGE)
            assert after != before
            # The new page image arrives after the text: wait for it to load, then it must be a real image.
            image = "document.querySelector('#leaflet-scar-tissue img')"
            browser.wait_for(f"{image}.complete && {image}.naturalWidth > 0", timeout=30)

            content.write_text(
                content.read_text(encoding="utf-8").replace("week: 6\n", "week: six\n"), encoding="utf-8"
            )
            where = f"content.yaml:{line_of(content, 'week: six')}:"
            browser.wait_for(
                f"document.getElementById('problem-list').textContent.includes('{where}')"
                " && !document.getElementById('problems').hidden",
                timeout=30,
            )
            shown = browser.evaluate("document.getElementById('problem-list').textContent")
            assert "cause_leaflets[2].timeline[0].week: expected a whole number" in shown
            assert browser.evaluate(FIRST_IMAGE) == after, "the last good pages stay"
            assert "Gentle stretching can help" in browser.evaluate(PAGE_TEXT)
        assert_local_only(url)
    finally:
        if preview.poll() is None:
            preview.send_signal(signal.SIGINT)
        out, err = preview.communicate(timeout=30)
    assert preview.returncode == 0, err
    assert out.splitlines()[-1] == "Preview stopped." and err == "", (out, err)
    assert not (tmp_path / "output").exists(), "the preview never writes an output folder"
    assert list(scratch.iterdir()) == [], "its private folder is removed"


def assert_local_only(url: str) -> None:
    """Asked under another host name (a web page pointing its own name here), or for any other file: refused."""
    port = int(url.rstrip("/").rsplit(":", 1)[1])
    for path, host, status in [("/", "evil.example", 403), ("/page/../../etc/passwd", "127.0.0.1", 404)]:
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
        try:
            connection.request("GET", path, headers={"Host": host})
            assert connection.getresponse().status == status, path
        finally:
            connection.close()


@pytest.mark.parametrize(
    ("path", "message"),
    [
        ("/state?after=%C2%B2", "bad query: after must be a version number, like after=12"),  # int('²') raises
        ("/state?after=\u0663", "bad query: after must be a version number, like after=12"),  # Arabic-Indic 3, sent raw
        ("/state?after=" + "9" * 5_000, "bad query: after must be a version number, like after=12"),
        ("/state?after=9999999999999999", "bad query: after must be a version number, like after=12"),
        ("/state?after=1.5", "bad query: after must be a version number, like after=12"),
        ("/state?after=", "bad query: after must be a version number, like after=12"),
        ("/state?after=1&after=2", "bad query: after must be a version number, like after=12"),
        ("/state?after=1&before=2", "bad query: only /state takes one, after=VERSION"),
        ("/?after=1", "bad query: only /state takes one, after=VERSION"),
        ("/page/overview-1-0123456789abcdef.png?v=1", "bad query: only /state takes one, after=VERSION"),
    ],
    ids=[
        "superscript",
        "arabic-digit",
        "5000-digits",
        "16-digits",
        "decimal",
        "empty",
        "twice",
        "unknown",
        "page",
        "image",
    ],
)
def test_the_preview_answers_a_bad_request_with_400(
    path: str, message: str, capsys: pytest.CaptureFixture[str]
) -> None:
    board = Board("content.yaml")
    server, thread = serve(board, 0)
    try:
        port = server.server_address[1]
        assert get(port, path) == (400, message)
        assert get(port, "/state?after=-1")[0] == 200, "the server still answers"
    finally:
        stop(server, thread, board)
    assert capsys.readouterr().err == "", "no traceback"


def get(port: int, path: str) -> tuple[int, str]:
    """Status and body of GET `path`, its bytes sent as written (UTF-8), as any program on this computer could."""
    with socket.create_connection(("127.0.0.1", port), timeout=10) as connection:
        connection.sendall(f"GET {path} HTTP/1.0\r\nHost: 127.0.0.1\r\n\r\n".encode())
        reply = b"".join(iter(lambda: connection.recv(65536), b""))  # HTTP/1.0: the server closes when done
    head, _, body = reply.partition(b"\r\n\r\n")
    return int(head.split()[1]), body.decode()


def test_ctrl_c_stops_the_preview_and_removes_its_folder(content_copy: Callable[..., Path], tmp_path: Path) -> None:
    content = content_copy()
    scratch = tmp_path / "tmp"
    scratch.mkdir()
    command = [sys.executable, str(ROOT / "generate.py"), "preview", "--content", str(content), "--only", "scar-tissue"]
    preview = subprocess.Popen(
        command, cwd=tmp_path, env=environment_for(scratch), stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    )
    try:
        preview_url(preview, timeout=90)  # it has made the pages and follows saves
    finally:
        preview.send_signal(signal.SIGINT)
        out, err = preview.communicate(timeout=60)
    assert (preview.returncode, out.splitlines()[-1], err) == (0, "Preview stopped.", "")
    assert list(scratch.iterdir()) == [], "its private folder is removed"
