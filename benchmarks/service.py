"""Benchmark: the handout service (`generate.py serve`) against the discharge batch, on loopback only.

    python benchmarks/service.py [--requests 500] [--rounds 3] [--memory-requests 2000] [--workers 2] [--seconds 900]

Makes the same fictional patients' handouts three ways in one run and prints:
- the CLI batch (`generate.py discharge`, a fresh process, CSV in, PDF files out): handouts per second,
  and CPU time per handout (all its processes);
- the service, warm, at 1, 4 and 16 concurrent clients (each a thread with its own HTTP connection):
  handouts per second and p50/p95/p99 latency, the ratio to the batch (target: 0.9 at 4 clients), and
  CPU time per handout (server, the worker runtime's server and workers). On a shared machine the rates move with
  everything else running, so the batch and the service at 4 clients take turns, --rounds times, and each
  round is compared on its own; the CPU per handout moves less, and compares the work each way takes;
- the memory of the service (server, runtime server and workers: RSS and PSS summed) after 100 requests and
  after --memory-requests, which should be flat.
Every request goes to 127.0.0.1; each phase stops after its count or after --seconds, whichever is first.
Numbers, not assertions: machines are shared and noisy.
"""

from __future__ import annotations

import argparse
import csv
import importlib.util
import os
import re
import resource
import secrets
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import httpx

ROOT = Path(__file__).resolve().parent.parent


def fictional_patients(path: Path, count: int) -> list[dict[str, Any]]:
    """The discharge benchmark's made-up patients (one CSV for the batch), and the same as JSON bodies."""
    spec = importlib.util.spec_from_file_location("benchmark_discharge", ROOT / "benchmarks" / "discharge.py")
    assert spec is not None and spec.loader is not None
    discharge = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(discharge)
    discharge.fictional_patients(path, count)
    with path.open(encoding="utf-8", newline="") as stream:
        rows = list(csv.DictReader(stream))
    return [{**{k: v for k, v in row.items() if v}, "leaflets": row["leaflets"].split(";")} for row in rows]


def batch(csv_path: Path, out: Path, workers: int) -> tuple[float, float]:
    """Handouts per second of one `generate.py discharge` run, process start included, and CPU seconds per
    handout of all its processes."""
    before = _children_cpu()
    started = time.perf_counter()
    command = [sys.executable, str(ROOT / "generate.py"), "discharge", "--patients", str(csv_path)]
    pipe = subprocess.PIPE
    process = subprocess.Popen(
        [*command, "--out", str(out), "--jobs", str(workers)], stdout=pipe, stderr=pipe, text=True
    )
    # Its workers are forked from the worker runtime's server, which the command never waits for: their CPU is
    # not in the command's own, so each is read from /proc while it lives (its highest reading kept).
    below: dict[int, float] = {}
    while process.poll() is None:
        for pid in descendants(process.pid):
            below[pid] = max(below.get(pid, 0.0), cpu_of(pid))
        time.sleep(0.05)
    _, err = process.communicate()
    seconds = time.perf_counter() - started
    if process.returncode != 0:
        sys.exit(f"discharge run failed ({process.returncode}):\n{err[-2000:]}")
    made = len(list(out.glob("*.pdf")))
    return made / seconds, (_children_cpu() - before + sum(below.values())) / made


def cpu_of(pid: int) -> float:
    """CPU seconds a live process has used (0 once it has gone)."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")  # utime, stime


def _children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


class Service:
    """`generate.py serve` on a free loopback port, with a token of its own; stopped with SIGTERM."""

    def __init__(self, folder: Path, workers: int):
        self.token = secrets.token_urlsafe(32)
        (folder / "tokens.txt").write_text(f"bench:{self.token}\n")
        command = [sys.executable, str(ROOT / "generate.py"), "serve", "--port", "0", "--workers", str(workers)]
        command += ["--token-file", str(folder / "tokens.txt"), "--queue", "64", "--audit", str(folder / "audit")]
        self.log = folder / "service.log"
        with self.log.open("wb") as log:
            self.process = subprocess.Popen(command, cwd=ROOT, stdout=log, stderr=subprocess.STDOUT)
        self.url = self._wait(r"Serving on (http://127\.0\.0\.1:\d+)")
        while httpx.get(f"{self.url}/readyz", timeout=60).status_code != 200:
            time.sleep(0.1)

    def _wait(self, pattern: str) -> str:
        for _ in range(3000):
            found = re.search(pattern, self.log.read_text())
            if found:
                return found.group(1)
            if self.process.poll() is not None:
                sys.exit(f"the service ended:\n{self.log.read_text()[-2000:]}")
            time.sleep(0.1)
        sys.exit("the service did not start")

    def memory(self) -> tuple[float, float]:
        """(RSS, PSS) in MB of the service and every process under it."""
        rss = pss = 0
        for pid in [self.process.pid, *descendants(self.process.pid)]:
            try:
                rollup = Path(f"/proc/{pid}/smaps_rollup").read_text()
            except OSError:
                continue
            rss += int(re.search(r"^Rss:\s+(\d+)", rollup, re.M).group(1))  # type: ignore[union-attr]
            pss += int(re.search(r"^Pss:\s+(\d+)", rollup, re.M).group(1))  # type: ignore[union-attr]
        return rss / 1024, pss / 1024

    def cpu(self) -> float:
        """CPU seconds used so far by the service and every process under it."""
        return sum(cpu_of(pid) for pid in [self.process.pid, *descendants(self.process.pid)])

    def stop(self) -> int:
        self.process.send_signal(signal.SIGTERM)
        return self.process.wait(timeout=120)


def descendants(pid: int) -> list[int]:
    """Every process below `pid` (children, their children...), from /proc."""
    parents: dict[int, list[int]] = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        parents.setdefault(int(fields[1]), []).append(int(stat.parent.name))
    found, todo = [], [pid]
    while todo:
        children = parents.get(todo.pop(), [])
        found += children
        todo += children
    return found


def load(service: Service, bodies: list[dict[str, Any]], clients: int, count: int, seconds: float) -> dict[str, Any]:
    """`count` handouts (or as many as `seconds` allow) from `clients` threads: rate and latency percentiles."""
    latencies: list[float] = []
    failures = [0]
    issued = iter(range(count))
    lock = threading.Lock()
    deadline = time.monotonic() + seconds

    def client() -> None:
        headers = {"Authorization": f"Bearer {service.token}"}
        with httpx.Client(base_url=service.url, headers=headers, timeout=120) as http:
            while time.monotonic() < deadline:
                with lock:
                    number = next(issued, None)
                if number is None:
                    return
                started = time.perf_counter()
                answer = http.post("/handouts", json=bodies[number % len(bodies)])
                with lock:
                    latencies.append(time.perf_counter() - started)
                    failures[0] += answer.status_code != 200

    started, cpu = time.perf_counter(), service.cpu()
    with ThreadPoolExecutor(clients) as pool:
        for future in [pool.submit(client) for _ in range(clients)]:
            future.result()
    wall, cpu = time.perf_counter() - started, service.cpu() - cpu
    done = max(len(latencies), 1)
    cuts = statistics.quantiles(latencies, n=100) if len(latencies) > 1 else [0.0] * 99
    return {"done": len(latencies), "rate": len(latencies) / wall, "p50": cuts[49], "p95": cuts[94], "p99": cuts[98],
            "failed": failures[0], "cpu": cpu / done}  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--requests", type=int, default=500, help="handouts per phase (and per batch run)")
    parser.add_argument("--rounds", type=int, default=3, help="batch runs, each followed by the service at 4 clients")
    parser.add_argument("--memory-requests", type=int, default=2000, help="handouts before the second memory reading")
    parser.add_argument("--workers", type=int, default=len(os.sched_getaffinity(0)), help="service and batch")
    parser.add_argument("--seconds", type=float, default=900, help="each phase stops after this long")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="leaflets-bench-service-") as scratch:
        folder = Path(scratch)
        bodies = fictional_patients(folder / "patients.csv", args.requests)
        service = Service(folder, args.workers)
        try:
            made = load(service, bodies, 4, 100, args.seconds)["done"]
            early, early_made = service.memory(), made
            rounds = []
            for number in range(args.rounds):  # the machine's other work drifts: compare side by side, each round
                rounds.append((batch(folder / "patients.csv", folder / f"batch-{number}", args.workers),
                               load(service, bodies, 4, args.requests, args.seconds)))  # fmt: skip
            others = {clients: load(service, bodies, clients, args.requests, args.seconds) for clients in (1, 16)}
            made += sum(r["done"] for _, r in rounds) + sum(r["done"] for r in others.values())
            made += load(service, bodies, 4, max(0, args.memory_requests - made), args.seconds)["done"]
            late = service.memory()
        finally:
            code = service.stop()
    report(args, rounds, others, [(early_made, early), (made, late)], code)


def report(
    args: argparse.Namespace,
    rounds: list[tuple[tuple[float, float], dict[str, Any]]],
    others: dict[int, dict[str, Any]],
    memory: list[tuple[int, tuple[float, float]]],
    code: int,
) -> None:
    """Print the numbers (see the module's docstring)."""
    rate = statistics.mean(b[0] for b, _ in rounds)
    cpu = statistics.mean(b[1] for b, _ in rounds)
    print(f"patients                 {args.requests} (fictional), {args.workers} worker processes, loopback")
    for number, ((batch_rate, batch_cpu), result) in enumerate(rounds, start=1):
        print(f"round {number}: CLI batch     {batch_rate:6.2f} handouts/s, CPU {batch_cpu * 1000:.0f} ms/handout "
              "(generate.py discharge, process start included)")  # fmt: skip
        line(" service,  4 clients", result, batch_rate, batch_cpu)
    ratios = [result["rate"] / batch_rate for (batch_rate, _), result in rounds]
    print(f"4 clients / batch        {statistics.median(ratios):4.2f}x (median of the rounds; target: at least 0.9x)")
    for clients, result in others.items():
        line(f"service, {clients:2d} client{'s' if clients > 1 else ' '}", result, rate, cpu)
    (early_made, early), (made, late) = memory
    where = "(server, forkserver, workers)"
    print(f"memory after {early_made:5d}       RSS {early[0]:6.0f} MB, PSS {early[1]:6.0f} MB {where}")
    print(f"memory after {made:5d}       RSS {late[0]:6.0f} MB, PSS {late[1]:6.0f} MB ({late[1] / early[1]:4.2f}x)")
    print(f"service exit code        {code} (SIGTERM)")


def line(label: str, result: dict[str, Any], batch_rate: float, batch_cpu: float) -> None:
    """One load phase: rate (and against the batch), latency, CPU per handout (and against the batch)."""
    print(
        f"{label:<24} {result['rate']:6.2f} handouts/s ({result['rate'] / batch_rate:4.2f}x the batch), "
        f"p50 {result['p50']:.2f} s, p95 {result['p95']:.2f} s, p99 {result['p99']:.2f} s, "
        f"CPU {result['cpu'] * 1000:.0f} ms/handout ({batch_cpu / result['cpu']:4.2f}x the batch's efficiency), "
        f"{result['done']} made, {result['failed']} failed"
    )


if __name__ == "__main__":
    main()
