"""Headless Chromium that stays open, driven over the DevTools protocol (for the live preview).

`--dump-dom` loads a page once; following a page that updates itself needs a browser that keeps it
open, so this launches Chromium with `--remote-debugging-port=0`, reads the port it chose from
`DevToolsActivePort` in its profile folder and evaluates JavaScript in the page over a WebSocket.
Also used by benchmarks/preview.py.
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import subprocess
import time
import urllib.request
from pathlib import Path
from typing import Any

from websockets.sync.client import connect

#: Headless Chromium as this machine runs it (no sandbox as root; no background networking: it has none).
HEADLESS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
FLAGS = [
    *HEADLESS,
    "--window-size=1200,1400",
    "--remote-debugging-port=0",
]


def chromium() -> str | None:
    """The Chromium executable, if installed."""
    return shutil.which("chromium") or shutil.which("chromium-browser")


class Browser:
    """One headless Chromium showing `url`; `evaluate` runs JavaScript in that page."""

    def __init__(self, executable: str, profile: Path, url: str, timeout: float = 30) -> None:
        profile.mkdir(parents=True, exist_ok=True)
        self._log = (profile / "chromium.log").open("wb")
        self.process = subprocess.Popen(
            [executable, *FLAGS, f"--user-data-dir={profile}", url],
            stdout=self._log,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
        )
        self._id = 0
        self._connection = contextlib.ExitStack()
        try:
            port = self._port(profile / "DevToolsActivePort", timeout)
            address = self._page_socket(port, url, timeout)
            self.socket = self._connection.enter_context(connect(address, max_size=None, open_timeout=timeout))
        except BaseException:
            self._stop_process()
            raise

    def _port(self, active: Path, timeout: float) -> int:
        """The port Chromium chose, once it has written it (first line of DevToolsActivePort)."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"Chromium exited with {self.process.returncode}")
            lines = active.read_text().splitlines() if active.is_file() else []
            if lines and lines[0].isdigit():
                return int(lines[0])
            time.sleep(0.05)
        raise TimeoutError("Chromium did not open its DevTools port")

    def _page_socket(self, port: int, url: str, timeout: float) -> str:
        """The DevTools WebSocket of the tab showing `url`."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/json/list", timeout=timeout) as response:
                targets = json.load(response)
            for target in targets:
                if target.get("type") == "page" and target.get("url", "").startswith(url):
                    return str(target["webSocketDebuggerUrl"])
            time.sleep(0.05)
        raise TimeoutError(f"no Chromium tab shows {url}")

    def evaluate(self, expression: str, timeout: float = 10) -> Any:
        """The value of a JavaScript expression in the page (JSON-able)."""
        self._id += 1
        message = {"id": self._id, "method": "Runtime.evaluate", "params": {"expression": expression}}
        message["params"]["returnByValue"] = True
        self.socket.send(json.dumps(message))
        while True:  # skip events; the answer carries our id
            reply = json.loads(self.socket.recv(timeout=timeout))
            if reply.get("id") == self._id:
                break
        if "exceptionDetails" in reply.get("result", {}) or "error" in reply:
            raise RuntimeError(f"JavaScript failed: {reply}")
        return reply["result"]["result"].get("value")

    def wait_for(self, expression: str, timeout: float) -> float:
        """Seconds until `expression` is true in the page; TimeoutError (with the page's text) if never."""
        started = time.perf_counter()
        while time.perf_counter() - started < timeout:
            if self.evaluate(f"Boolean({expression})"):
                return time.perf_counter() - started
            time.sleep(0.02)
        shown = self.evaluate("document.body ? document.body.innerText.slice(0, 2000) : ''")
        raise TimeoutError(f"after {timeout} s, still not true: {expression}\npage says: {shown}")

    def close(self) -> None:
        """Close the connection and end Chromium (and wait for it, so nothing is left running)."""
        try:
            self._connection.close()
        finally:
            self._stop_process()

    def _stop_process(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait(timeout=15)
        self._log.close()

    def __enter__(self) -> Browser:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def preview_url(process: subprocess.Popen[str], timeout: float) -> str:
    """The address `generate.py preview` prints on its first line, waiting at most `timeout` seconds."""
    import selectors

    assert process.stdout is not None
    with selectors.DefaultSelector() as selector:
        selector.register(process.stdout, selectors.EVENT_READ)
        if not selector.select(timeout):
            raise TimeoutError(f"the preview printed nothing in {timeout} s")
    line = process.stdout.readline()
    if "http://" not in line:
        raise RuntimeError(f"the preview did not start: {line!r}")
    return line[line.index("http://") :].split()[0]


def environment_for(tmp: Path) -> dict[str, str]:
    """The environment for a preview subprocess: its scratch folders in `tmp`, the project importable."""
    root = str(Path(__file__).resolve().parent.parent)
    path = os.pathsep.join(p for p in (root, os.environ.get("PYTHONPATH", "")) if p)
    return {**os.environ, "TMPDIR": str(tmp), "PYTHONPATH": path}
