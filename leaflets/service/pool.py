"""Warm worker processes for the service (worker.py), from the project's one worker runtime
(pipeline/processes.py): each worker is a pool of one process forked from the runtime's server, which has
loaded WeasyPrint and the checks (the service's own process runs threads, the server's, which a plain fork
would copy mid-step). Each worker loads the content and its PDF writers once and is given one patient at a time.

A worker that dies or hangs is replaced, and the request it had is answered with an error, never left
open; one that died while idle is replaced and the request goes to another. Requests wait for a free
worker in a queue of bounded length; past it, or past the request's deadline, they are told to come back.
"""

from __future__ import annotations

import asyncio
import functools
import logging
import os
import signal
import threading
from concurrent.futures import Future, ProcessPoolExecutor, ThreadPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from multiprocessing.connection import Connection, wait
from typing import Any, TypeVar

from leaflets.discharge.patients import Patient
from leaflets.pipeline import processes
from leaflets.service.renderer import Busy, Failed, Handout, Unprintable
from leaflets.service.worker import WorkerSpec, make, start_worker, warm_up

log = logging.getLogger("leaflets.service")

T = TypeVar("T")

#: Loading and warming up on a busy machine takes seconds; a worker silent for this long is stopped.
STARTUP_SECONDS = 300


class WorkerLost(Exception):
    """The worker died or hung; `begun`: whether it had taken the request (else another worker may)."""

    def __init__(self, message: str, begun: bool):
        super().__init__(message)
        self.begun = begun


class _Worker:
    """The service's side of one worker: a pool of one process (processes.pool), the process's id (to stop it
    when it hangs), and the end of a pipe the process holds open while it lives (to see at once that it ended)."""

    def __init__(self, executor: ProcessPoolExecutor, alive: Connection):
        self.executor, self.alive_end, self.pid = executor, alive, 0

    @classmethod
    def launch(cls, spec: WorkerSpec, scratch: str) -> _Worker:
        """Start a worker's process and wait until it runs (in a thread: this blocks; a Ctrl-C or kill is the main
        thread's to handle, so it never cuts the start short, as processes.pool asks); raises Failed."""
        alive, held = processes.context().Pipe(duplex=False)
        worker = cls(processes.pool(1, start_worker, (spec, scratch, held)), alive)
        try:
            try:
                asked = worker.executor.submit(os.getpid)  # starts the process, which holds `held` from now on
            finally:
                held.close()
            worker.pid = worker.result(asked, STARTUP_SECONDS)
        except WorkerLost as lost:
            worker.stop()
            raise Failed(f"a worker could not start: {lost}") from None
        return worker

    def warm_up(self) -> None:
        """Load and warm up (in a thread: this blocks); raises Failed, the worker stopped."""
        try:
            reply = self.result(self.executor.submit(warm_up), STARTUP_SECONDS)
        except WorkerLost as lost:
            reply = ("failed", str(lost))
        if reply[0] != "ready":
            self.stop()
            raise Failed(f"a worker could not start: {reply[1]}")

    def call(self, patient: Patient, seconds: float) -> tuple[Any, ...]:
        """Give it one patient and wait up to `seconds` for the reply."""
        try:
            asked = self.executor.submit(make, patient)
        except (BrokenProcessPool, RuntimeError):  # it had ended (or been stopped): nothing was begun
            raise WorkerLost("the worker had stopped", begun=False) from None
        return self.result(asked, seconds)

    def result(self, asked: Future[T], seconds: float) -> T:
        """What the worker returns; raises WorkerLost if it ends first, or takes over `seconds` (then killed)."""
        try:
            return asked.result(timeout=seconds)
        except TimeoutError:
            self.kill()
            raise WorkerLost(f"the worker took longer than {seconds:.0f} s and was stopped", begun=True) from None
        except BrokenProcessPool:
            raise WorkerLost("the worker stopped unexpectedly (was it killed, or out of memory?)", begun=True) from None

    def alive(self) -> bool:
        """Whether the process still runs (without waiting)."""
        return not wait([self.alive_end], timeout=0)

    def kill(self) -> None:
        """End the process at once (its pool then fails the task it had)."""
        if self.pid and self.alive():  # while it runs, its id cannot be another process's
            os.kill(self.pid, signal.SIGKILL)

    def stop(self) -> None:
        """End the worker: it leaves once the task it has is done; killed if it has not ended within 5 s."""
        self.executor.shutdown(wait=False, cancel_futures=True)
        if not wait([self.alive_end], timeout=5):
            self.kill()
        if self.pid or not self.alive():  # (a process that never said its id cannot be waited for)
            self.executor.shutdown(wait=True)
        self.alive_end.close()


class WorkerPool:
    """The Renderer of renderer.py: `workers` warm processes, at most `queue` requests waiting for one."""

    def __init__(self, spec: WorkerSpec, workers: int, queue: int, scratch: str, render_seconds: float):
        self.spec, self.size, self.queue, self.scratch = spec, workers, queue, scratch
        self.render_seconds = render_seconds  # a worker silent for longer is taken to hang: killed and replaced
        self._threads = ThreadPoolExecutor(max_workers=2 * workers + 2, thread_name_prefix="leaflets-worker")
        self._idle: asyncio.Queue[_Worker] = asyncio.Queue()
        self._workers: set[_Worker] = set()  # running and warm, idle or busy
        self._starting: set[asyncio.Future[_Worker]] = set()
        self._lock = threading.Lock()  # guards the two below, which the starting threads read and change
        self._warming: set[_Worker] = set()  # running, warming up: killed if the service closes meanwhile
        self._closing = False
        self._waiting = 0
        self._warm = False

    @property
    def ready(self) -> bool:
        """True once every worker has warmed up, and while one runs."""
        self._reap()
        return self._warm and bool(self._workers) and not self._closing

    async def start(self) -> None:
        """Begin starting the workers (each warms up in its own time)."""
        for _ in range(self.size):
            self._launch()

    def _launch(self) -> None:
        future = asyncio.get_running_loop().run_in_executor(self._threads, self._boot)
        self._starting.add(future)
        future.add_done_callback(self._started)

    def _boot(self) -> _Worker:
        """Start a worker and wait until it is warm (in a thread: this blocks); raises Failed."""
        worker = _Worker.launch(self.spec, self.scratch)
        with self._lock:
            closing = self._closing
            if not closing:
                self._warming.add(worker)
        if closing:
            worker.stop()
            raise Failed("the service is closing")
        try:
            worker.warm_up()
        finally:
            with self._lock:
                self._warming.discard(worker)
        return worker

    def _started(self, future: asyncio.Future[_Worker]) -> None:
        self._starting.discard(future)
        if future.cancelled():
            return
        error = future.exception()
        if error is not None:
            if not self._closing:  # its words name the content or the library, never a patient value
                log.error("%s", error)
            return
        worker = future.result()
        if self._closing:
            self._threads.submit(worker.stop)
            return
        self._workers.add(worker)
        self._idle.put_nowait(worker)
        if not self._warm and len(self._workers) == self.size:
            self._warm = True
            log.info("Ready: %d worker%s warm.", self.size, "s" if self.size > 1 else "")

    def _retire(self, worker: _Worker) -> None:
        """A worker that died or hung: end it and start another (once, however often it is noticed)."""
        if worker not in self._workers:
            return
        self._workers.discard(worker)
        self._threads.submit(worker.stop)
        if not self._closing:
            log.warning("A worker stopped; starting another.")
            self._launch()

    def _reap(self) -> None:
        for worker in [w for w in self._workers if not w.alive()]:
            self._retire(worker)

    async def render(self, patient: Patient, deadline: float) -> Handout:
        """The patient's handout (see Renderer.render): a worker by `deadline`, then at most `render_seconds`."""
        loop = asyncio.get_running_loop()
        while True:
            worker = await self._free_worker(deadline)
            future = loop.run_in_executor(self._threads, worker.call, patient, self.render_seconds)
            try:
                reply = await asyncio.shield(future)
            except WorkerLost as lost:
                self._retire(worker)
                if not lost.begun:
                    continue  # it had died while idle: nothing was begun, another worker takes the request
                raise Failed(str(lost)) from None
            except asyncio.CancelledError:  # the request was given up: the worker comes back when it is done
                future.add_done_callback(functools.partial(self._settle, worker))
                raise
            self._idle.put_nowait(worker)
            return _handout(reply)

    def _settle(self, worker: _Worker, done: asyncio.Future[tuple[Any, ...]]) -> None:
        if done.exception() is None:
            self._idle.put_nowait(worker)
        else:
            self._retire(worker)

    async def _free_worker(self, deadline: float) -> _Worker:
        """The next idle worker, waiting in the queue until `deadline`; raises Busy."""
        self._reap()
        if self._closing or not (self._workers or self._starting):
            raise Busy("no worker is running")
        if self._waiting >= self.queue:
            raise Busy("every worker is busy and the queue is full")
        loop = asyncio.get_running_loop()
        self._waiting += 1
        try:
            while True:
                worker = await asyncio.wait_for(self._idle.get(), timeout=deadline - loop.time())
                if worker in self._workers and worker.alive():
                    return worker
                self._retire(worker)
        except TimeoutError:
            raise Busy("no worker was free in time") from None
        finally:
            self._waiting -= 1

    async def close(self) -> None:
        """End every worker: the running ones when idle (the server has drained its requests), the starting
        ones at once."""
        with self._lock:
            self._closing = True
            warming = list(self._warming)
        for worker in warming:
            worker.kill()
        await asyncio.gather(*self._starting, return_exceptions=True)
        loop = asyncio.get_running_loop()
        workers, self._workers = list(self._workers), set()
        await asyncio.gather(*(loop.run_in_executor(self._threads, w.stop) for w in workers))
        self._threads.shutdown(wait=True)


def _handout(reply: tuple[Any, ...]) -> Handout:
    if reply[0] == "made":
        return Handout(reply[1], reply[2], reply[3])
    if reply[0] == "unprintable":
        raise Unprintable(reply[1], reply[2])
    raise Failed(reply[1])
