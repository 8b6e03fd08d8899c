"""The handout service as a test meets it: `generate.py serve` in a process of its own, on a free loopback port."""

from __future__ import annotations

import os
import re
import secrets
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx

from tests.conftest import ROOT

#: Starting takes seconds (WeasyPrint, the content, a warm-up handout per language); a busy machine, more.
START_SECONDS = 240


class Server:
    """A running service: its address, token, files (logs, audit, temp folder) and process."""

    def __init__(self, folder: Path, published: Path, *options: str, workers: int = 1):
        self.folder = folder
        self.token = secrets.token_urlsafe(32)
        self.secret = secrets.token_hex(32)
        (folder / "tokens.txt").write_text(f"# callers\ntests:{self.token}\n")
        (folder / "audit.key").write_text(self.secret + "\n")
        self.hold = folder / "hold"
        self.temp = folder / "temp"
        self.hold.mkdir()
        self.temp.mkdir()
        self.audit_file = folder / "audit.jsonl"
        env = {
            **os.environ,
            "PYTHONPATH": str(ROOT),
            "TMPDIR": str(self.temp),
            "LEAFLETS_SERVICE_TEST_HOLD": str(self.hold),
        }
        command = [sys.executable, "generate.py", "serve", "--port", "0", "--token-file", str(folder / "tokens.txt")]
        command += ["--out", str(published), "--workers", str(workers), "--audit", str(self.audit_file)]
        command += ["--audit-secret-file", str(folder / "audit.key"), *options]
        with open(folder / "stdout.txt", "wb") as out, open(folder / "stderr.txt", "wb") as err:
            self.process = subprocess.Popen(command, cwd=ROOT, env=env, stdout=out, stderr=err)
        self.url = self._address()
        self.client = httpx.Client(base_url=self.url, timeout=120, headers={"Authorization": f"Bearer {self.token}"})

    def _address(self) -> str:
        """The address from the first line it prints ('Serving on http://127.0.0.1:PORT')."""
        for _ in self._until("it prints its address"):
            found = re.search(r"Serving on (http://127\.0\.0\.1:\d+)", self.stdout())
            if found:
                return found.group(1)
        raise AssertionError("unreachable")

    def wait_ready(self) -> None:
        """Poll /readyz until the workers are warm."""
        for _ in self._until("/readyz says ready"):
            if httpx.get(f"{self.url}/readyz", timeout=30).status_code == 200:
                return

    def _until(self, what: str) -> Iterator[None]:
        deadline = time.monotonic() + START_SECONDS
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise AssertionError(f"the service ended ({self.process.returncode}): {self.stderr()[-3000:]}")
            yield
            time.sleep(0.05)
        raise AssertionError(f"the service did not get as far as: {what}")

    def stdout(self) -> str:
        return (self.folder / "stdout.txt").read_text(encoding="utf-8", errors="replace")

    def stderr(self) -> str:
        return (self.folder / "stderr.txt").read_text(encoding="utf-8", errors="replace")

    def audit(self) -> str:
        return self.audit_file.read_text(encoding="utf-8") if self.audit_file.exists() else ""

    def held(self) -> int:
        """Wait until a worker holds a finished handout (the hook in leaflets/service/worker.py); its pid."""
        for _ in self._until("a worker holds a handout"):
            found = list(self.hold.glob("held-*"))
            if found:
                return int(found[0].name.removeprefix("held-"))
        raise AssertionError("unreachable")

    def arm(self) -> None:
        """Make the next handout wait, once made, until `release`."""
        os.mkfifo(self.hold / "release")
        (self.hold / "hold").touch()

    def release(self) -> None:
        """Let the held handout go (opening the FIFO blocks until the worker has it open too)."""
        with open(self.hold / "release", "wb") as fifo:
            fifo.write(b"x")
        for held in self.hold.glob("held-*"):
            held.unlink()
        (self.hold / "release").unlink()

    def disarm(self) -> None:
        """Forget a hold whose worker was killed (nobody will open the FIFO)."""
        for leftover in self.hold.iterdir():
            leftover.unlink()

    def kill(self) -> None:
        """End it whatever state it is in (a failed test's cleanup)."""
        if self.process.poll() is None:
            self.process.kill()
            self.process.wait(timeout=60)
        self.client.close()
