"""The web edition in headless Chromium: served from a local static server, with the DevTools calls its tests
need (every request the page makes, the viewport's width, a screenshot, axe-core).

axe-core is an npm package: `.ci/run` installs it into `.ci/axe/`; elsewhere set AXE_CORE_JS to its
`axe.min.js`. Without it the accessibility test is skipped locally (never in CI).
"""

from __future__ import annotations

import base64
import contextlib
import functools
import http.server
import json
import os
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from tests.browser import Browser

ROOT = Path(__file__).resolve().parent.parent
#: The axe-core rule tags for WCAG 2.2 level AA (with the A and AA rules of 2.0 and 2.1 it builds on).
WCAG22_AA = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]


def axe_source() -> Path | None:
    """axe.min.js: AXE_CORE_JS, else the copy .ci/run installs; None if neither is there."""
    given = os.environ.get("AXE_CORE_JS")
    path = Path(given) if given else ROOT / ".ci" / "axe" / "node_modules" / "axe-core" / "axe.min.js"
    return path if path.is_file() else None


@contextlib.contextmanager
def served(folder: Path) -> Iterator[str]:
    """A static server on 127.0.0.1 rooted at `folder`, as any static host would serve it: its address."""

    class Quiet(http.server.SimpleHTTPRequestHandler):
        def log_message(self, format: str, *args: Any) -> None:
            pass

    handler = functools.partial(Quiet, directory=str(folder))
    with http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler) as server:
        thread = threading.Thread(target=server.serve_forever, daemon=True)
        thread.start()
        try:
            yield f"http://127.0.0.1:{server.server_address[1]}/"
        finally:
            server.shutdown()
            thread.join()


class WebPage(Browser):
    """One Chromium tab, opened blank; `open` loads a page and records every request it makes."""

    def __init__(self, executable: str, profile: Path) -> None:
        super().__init__(executable, profile, "about:blank")
        self.requests: list[str] = []
        self.call("Network.enable")
        self.call("Page.enable")

    def call(self, method: str, params: dict[str, Any] | None = None, timeout: float = 30) -> dict[str, Any]:
        """A DevTools command's result; the events that arrive meanwhile are kept (requests are recorded)."""
        self._id += 1
        self.socket.send(json.dumps({"id": self._id, "method": method, "params": params or {}}))
        while True:
            reply = json.loads(self.socket.recv(timeout=timeout))
            if reply.get("method") == "Network.requestWillBeSent":
                self.requests.append(reply["params"]["request"]["url"])
            if reply.get("id") == self._id:
                break
        if "error" in reply:
            raise RuntimeError(f"{method} failed: {reply['error']}")
        return dict(reply.get("result", {}))

    def evaluate(self, expression: str, timeout: float = 30) -> Any:
        """The value of a JavaScript expression in the page (a promise is awaited)."""
        params = {"expression": expression, "returnByValue": True, "awaitPromise": True}
        result = self.call("Runtime.evaluate", params, timeout)
        if "exceptionDetails" in result:
            raise RuntimeError(f"JavaScript failed: {result['exceptionDetails']}")
        return result["result"].get("value")

    def open(self, url: str, width: int = 1024) -> None:
        """Load `url` in a viewport `width` CSS px wide and wait until it and its fonts are loaded."""
        self.call(
            "Emulation.setDeviceMetricsOverride",
            {"width": width, "height": 800, "deviceScaleFactor": 1, "mobile": False},
        )
        self.call("Page.navigate", {"url": url})
        self.wait_for(f"location.href === {json.dumps(url)} && document.readyState === 'complete'", 30)
        self.evaluate("document.fonts.ready.then(() => true)")

    def screenshot(self, path: Path) -> None:
        """The whole page, as a PNG."""
        shot = self.call("Page.captureScreenshot", {"format": "png", "captureBeyondViewport": True})
        path.write_bytes(base64.b64decode(shot["data"]))

    def axe_violations(self, source: Path) -> list[dict[str, Any]]:
        """axe-core's violations of WCAG 2.2 AA on the page: rule, impact and the first failing element."""
        self.evaluate(source.read_text(encoding="utf-8") + "\ntrue")
        run = f"axe.run(document, {{runOnly: {{type: 'tag', values: {json.dumps(WCAG22_AA)}}}}})"
        found: list[dict[str, Any]] = self.evaluate(
            f"{run}.then(r => r.violations.map(v => ({{id: v.id, impact: v.impact, help: v.help, "
            "where: v.nodes.slice(0, 3).map(n => n.target.join(' ') + ': ' + n.failureSummary)})))",
            timeout=120,
        )
        return found
