"""Faults lose nothing: Ctrl-C, kills, a full disk, a read-only folder, two builds at once.

Builds and discharge runs are real processes here, stopped with real signals at a moment the test chose:
the process waits at a named pause point (processes.pause_point) until the test has acted, never after a
guessed delay. Each gets a temp directory of its own (TMPDIR), so what it leaves there is exactly what this
test can see.
"""

from __future__ import annotations

import ctypes
import errno
import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pikepdf
import pytest

from leaflets.cli import main
from leaflets.cli.build import INTERRUPTED
from leaflets.cli.discharge import INTERRUPTED as DISCHARGE_INTERRUPTED
from leaflets.discharge import handouts as discharge
from leaflets.pipeline import processes
from leaflets.pipeline.files import socket_folder
from tests.conftest import ROOT
from tests.folders import assert_consistent, snapshot

pytestmark = pytest.mark.pdf  # every test here makes PDFs (pytest -m 'not pdf' leaves them out)

ONLY = ["--only", "overview", "--only", "scar-tissue", "--language", "en"]
FIXTURE = ROOT / "tests" / "fixtures" / "patients.csv"
PATIENT_NAMES = ["Alex", "Testperson", "Jordan", "Riley", "Casey", "Morgan"]
MakeContent = Callable[..., Path]


def start(args: list[str], temp: Path, script: str | None = None, pause: str | None = None) -> subprocess.Popen[str]:
    """`generate.py ARGS` (or `python -c SCRIPT ARGS`) in its own process group, with its own TMPDIR; with `pause`,
    it waits at that pause point for the test (see `paused`)."""
    temp.mkdir(exist_ok=True)
    command = [sys.executable, "-c", script, *args] if script else [sys.executable, "generate.py", *args]
    env = {**os.environ, "PYTHONPATH": str(ROOT), "TMPDIR": str(temp)}
    if pause:
        env |= {processes.PAUSE_AT: pause, processes.PAUSE_FILE: str(pause_file(temp))}
    pipe = subprocess.PIPE
    return subprocess.Popen(
        command, cwd=ROOT, env=env, stdin=pipe, stdout=pipe, stderr=pipe, text=True, start_new_session=True
    )


def pause_file(temp: Path) -> Path:
    """The file a process started by `start(..., temp, pause=...)` creates at its pause point (beside its TMPDIR)."""
    return temp.with_name(f"{temp.name}-paused")


def paused(process: subprocess.Popen[str], temp: Path) -> None:
    """Return once the process waits at its pause point (it stays there until `go`, or a signal)."""
    wait_until(pause_file(temp).exists, process)


def go(temp: Path) -> None:
    """Let a paused process go on."""
    pause_file(temp).write_text(processes.GO)


def wait_until(reached: Callable[[], bool], process: subprocess.Popen[str]) -> None:
    """Poll until `reached()`, a state the process is certain to reach; fail (with its output) if it ends first."""
    deadline = time.monotonic() + 300  # a guard against hanging, not a measure of speed
    while not reached():
        if process.poll() is not None:
            out, err = process.communicate()
            pytest.fail(f"the process ended (exit {process.returncode}) before the point to stop it:\n{out}\n{err}")
        assert time.monotonic() < deadline, "never reached the point to stop it"
        time.sleep(0.02)


def workers_of(pid: int) -> list[int]:
    """The pool workers of the command `pid`: forked by the worker runtime's server, a child of the command."""
    return [worker for child in children(pid) for worker in children(child)]


def children(pid: int) -> list[int]:
    """The processes whose parent is `pid` (Linux /proc)."""
    found = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[1]) == pid:
            found.append(int(stat.parent.name))
    return found


def alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"


def all_ended(pids: list[int]) -> bool:
    """Wait, within a generous bound, for every process in `pids` to end."""
    deadline = time.monotonic() + 60
    while any(alive(pid) for pid in pids) and time.monotonic() < deadline:
        time.sleep(0.05)
    return not any(alive(pid) for pid in pids)


def left_by_a_kill(temp: Path) -> list[str]:
    """The kinds of folder a killed command left in its temp folder, each marked as a dead run's, so the next run
    removes them: its scratch folder, and the worker runtime's socket folder (multiprocessing's `pymp-*`), which is
    there unless the folder's path is too deep for a socket (files.socket_folder; as under pytest-xdist): then it
    is counted as there, for this test cannot look in the machine's shared temp folder."""
    kinds = sorted(p.name.rsplit("-", 1)[0] for p in temp.iterdir())
    return kinds if socket_folder(str(temp)) == str(temp) else sorted([*kinds, "pymp"])


def visible(out: Path) -> dict[str, bytes]:
    """What a person sees in the folder: every file but hidden ones and the last run's report."""
    return {name: data for name, data in snapshot(out).items() if not any(p.startswith(".") for p in name.split("/"))}


@pytest.fixture
def approved(tmp_path: Path) -> Path:
    """An output folder holding a published set (overview and scar-tissue)."""
    out = tmp_path / "out"
    assert main(["--out", str(out), *ONLY]) == 0
    assert_consistent(out)
    return out


# --- the leaflet build ------------------------------------------------------------------------


@pytest.mark.parametrize(("signal_number", "code"), [(signal.SIGINT, 130), (signal.SIGTERM, 143)])
def test_ctrl_c_or_kill_mid_build_leaves_the_previous_set(
    approved: Path, tmp_path: Path, signal_number: int, code: int
) -> None:
    before = snapshot(approved)
    temp = tmp_path / "temp"
    build = start(["--out", str(approved), "--force", *ONLY], temp, pause="rendering")
    paused(build, temp)  # its workers are rendering into the staging folder
    assert len(list(approved.glob(".staging-*"))) == 1
    os.killpg(build.pid, signal_number)  # as a terminal (or a service manager) does: the command and its workers
    _, err = build.communicate(timeout=300)
    assert build.returncode == code
    assert err == INTERRUPTED + "\n"
    assert snapshot(approved) == before
    assert_consistent(approved)
    assert list(temp.iterdir()) == [], "its temporary folders (WeasyPrint's, the worker runtime's) are removed"


def test_a_killed_build_is_swept_and_recovered_by_the_next_run(approved: Path, tmp_path: Path) -> None:
    before = snapshot(approved)
    temp = tmp_path / "temp"
    build = start(["--out", str(approved), "--force", *ONLY], temp, pause="rendering")
    paused(build, temp)
    workers = workers_of(build.pid)
    os.kill(build.pid, signal.SIGKILL)
    build.communicate(timeout=300)
    assert all_ended(workers), "workers outlived the build"
    assert visible(approved) == before, "the published set is untouched"
    assert left_by_a_kill(temp) == ["leaflets-build", "pymp"]
    rerun = start(["--out", str(approved), *ONLY], temp)
    out, err = rerun.communicate(timeout=300)
    assert rerun.returncode == 0, err
    assert "Built 0 leaflets, 2 unchanged, in " in out, "recovered without --force"
    assert snapshot(approved) == before
    assert_consistent(approved)
    assert list((tmp_path / "temp").iterdir()) == [], "the dead run's temporary folder is swept"


KILL_WHILE_PUBLISHING = """\
import os, signal, sys
from leaflets.pipeline import publish
from leaflets.cli import main
rename = os.replace
def replace(source, target):
    rename(source, target)
    if publish.PUBLISHING in str(source):  # the first file of the new set is in place: die here
        os.kill(os.getpid(), signal.SIGKILL)
os.replace = replace
main(sys.argv[1:])
"""


def test_a_build_killed_while_publishing_is_finished_by_the_next_run(content_copy: MakeContent, tmp_path: Path) -> None:
    out, temp = tmp_path / "out", tmp_path / "temp"
    assert main(["--content", str(content_copy()), "--out", str(out), *ONLY]) == 0
    draft = content_copy(('  version: "1.0"', '  version: "1.1"'), name="new.yaml")
    args = ["--content", str(draft), "--out", str(out), *ONLY]
    killed = start(args, temp, script=KILL_WHILE_PUBLISHING)
    killed.communicate(timeout=300)
    assert killed.returncode == -signal.SIGKILL
    assert len(list(out.glob(".publish-*"))) == 1, "killed after the new set was committed"
    rerun = start(args, temp)
    stdout, err = rerun.communicate(timeout=300)
    assert rerun.returncode == 0, err
    assert "Built 0 leaflets, 2 unchanged, in " in stdout, "the committed set is finished, not made again"
    assert_consistent(out)
    assert '"content_version": "1.1"' in (out / "manifest.json").read_text()
    assert list(temp.iterdir()) == []


HOLD_THE_FOLDER = """\
import sys
from pathlib import Path
from leaflets.pipeline.files import locked_folder
with locked_folder(Path(sys.argv[1]), "busy"):
    print("held", flush=True)
    sys.stdin.read()
"""


def test_one_build_at_a_time_per_folder(approved: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    before = snapshot(approved)
    holder = start([str(approved)], tmp_path / "temp", script=HOLD_THE_FOLDER)
    try:
        assert holder.stdout is not None and holder.stdout.readline() == "held\n"
        assert main(["--out", str(approved), "--force", *ONLY]) == 3
        assert capsys.readouterr().err == (
            f"Error: another build is writing to {approved} right now; wait for it to finish, "
            "or choose another folder with --out\n"
        )
        assert snapshot(approved) == before
    finally:
        holder.communicate(input="", timeout=60)  # let it go
    assert main(["--out", str(approved), *ONLY]) == 0


def test_a_full_disk_is_reported_and_changes_nothing(
    approved: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    before = snapshot(approved)
    calls: list[int] = []
    real_fsync = os.fsync

    def full_after_the_first_file(handle: int) -> None:
        calls.append(handle)
        if len(calls) > 1:
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
        real_fsync(handle)

    monkeypatch.setattr(os, "fsync", full_after_the_first_file)
    assert main(["--out", str(approved), "--force", *ONLY]) == 3
    assert capsys.readouterr().err == (
        f"Error: cannot write to {approved}: the disk is full; free some space and run again "
        f"(no leaflet in {approved} was changed)\n"
    )
    monkeypatch.undo()
    assert snapshot(approved) == before
    assert_consistent(approved)


def _without_permission_override() -> None:
    """In the child: give up root's power to ignore permissions (the bounding set is kept across exec)."""
    libc = ctypes.CDLL(None, use_errno=True)
    for capability in (1, 2):  # CAP_DAC_OVERRIDE, CAP_DAC_READ_SEARCH
        if libc.prctl(24, capability, 0, 0, 0) != 0:  # PR_CAPBSET_DROP
            raise OSError(ctypes.get_errno(), "prctl")


def test_a_read_only_output_folder_is_reported_and_changes_nothing(
    approved: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    before = snapshot(approved)
    args = ["--out", str(approved), "--force", *ONLY]
    approved.chmod(0o555)
    try:
        if os.geteuid() != 0:
            code, err = main(args), capsys.readouterr().err
        else:  # root ignores permissions: run the build as root without that power
            temp = tmp_path / "temp"
            temp.mkdir()
            env = {**os.environ, "PYTHONPATH": str(ROOT), "TMPDIR": str(temp)}
            try:
                done = subprocess.run(
                    [sys.executable, "generate.py", *args],
                    cwd=ROOT,
                    env=env,
                    capture_output=True,
                    text=True,
                    timeout=300,
                    preexec_fn=_without_permission_override,
                    check=False,
                )
            except subprocess.SubprocessError as error:
                pytest.skip(f"cannot drop CAP_DAC_OVERRIDE here: {error}")
            code, err = done.returncode, done.stderr
    finally:
        approved.chmod(0o755)
    assert code == 3
    assert err == (
        f"Error: cannot write to {approved}: permission denied; check the folder's permissions or choose "
        f"another folder (no leaflet in {approved} was changed)\n"
    )
    assert snapshot(approved) == before


@pytest.mark.parametrize(
    ("where", "reason"),
    [
        ("out", "a file is where the folder should be; move it away or choose another folder"),
        ("out/leaflets", "a file is where a folder should be; move it away or choose another folder"),
    ],
)
def test_a_file_where_the_folder_should_be(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], where: str, reason: str
) -> None:
    (tmp_path / "out").write_text("notes")
    assert main(["--out", str(tmp_path / where), "--only", "scar-tissue"]) == 3
    assert capsys.readouterr().err == f"Error: cannot write to {tmp_path / where}: {reason}\n"
    assert (tmp_path / "out").read_text() == "notes"


# --- discharge handouts -----------------------------------------------------------------------


def patient_list(path: Path, count: int, first: int = 1) -> Path:
    """`count` good rows (fixture row 2 with record ids EXS-1001...), fictional like the fixture."""
    header, row = FIXTURE.read_text().splitlines()[:2]
    rows = [row.replace("EXS-0001", f"EXS-{1000 + n}", 1) for n in range(first, first + count)]
    path.write_text("\n".join([header, *rows]) + "\n")
    return path


def run_discharge(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = main(["discharge", *args])
    captured = capsys.readouterr()
    for name in PATIENT_NAMES:
        assert name not in captured.out and name not in captured.err
    return code, captured.out, captured.err


def test_a_row_that_fails_now_leaves_no_handout_from_an_earlier_run(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "handouts"
    lines = FIXTURE.read_text().splitlines()
    earlier = tmp_path / "earlier.csv"
    good_row_4 = lines[3].replace("not a date,25:00", "2026-12-01,10:00")
    earlier.write_text("\n".join([lines[0], good_row_4, lines[1].replace("EXS-0001", "EXS-0099")]) + "\n")
    assert run_discharge(capsys, "--patients", str(earlier), "--out", str(out), "--jobs", "1")[0] == 0
    assert sorted(p.name for p in out.iterdir()) == ["EXS-0003.pdf", "EXS-0099.pdf"]
    code, _, _ = run_discharge(capsys, "--patients", str(FIXTURE), "--out", str(out), "--jobs", "1")
    assert code == 4
    # Row 4 (EXS-0003) fails today: last run's handout, with its old appointment, is gone.
    # EXS-0099 is not in today's list and is kept; row 6 repeats row 5's record id (in lower case): neither is made.
    assert sorted(p.name for p in out.iterdir()) == ["EXS-0001.pdf", "EXS-0002.pdf", "EXS-0006.pdf", "EXS-0099.pdf"]


def test_ctrl_c_in_discharge_gives_the_summary_and_one_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    source, out = patient_list(tmp_path / "list.csv", 3), tmp_path / "handouts"
    real = discharge._render_one

    def interrupt_the_second(patient: Any) -> Any:
        if patient.row == 3:
            raise KeyboardInterrupt
        return real(patient)

    monkeypatch.setattr(discharge, "_render_one", interrupt_the_second)
    code, stdout, stderr = run_discharge(capsys, "--patients", str(source), "--out", str(out), "--jobs", "1")
    assert code == 130
    assert stdout.splitlines()[1].startswith(f"Made 1 handout in {out} (")
    assert stdout.splitlines()[2] == "Not made: 2 row(s) of list.csv: 3, 4 (problems listed above)."
    assert stderr.splitlines() == ["list.csv: 2 row(s) not reached: the run stopped before them", DISCHARGE_INTERRUPTED]
    assert sorted(p.name for p in out.iterdir()) == ["EXS-1001.pdf"]


def test_a_full_disk_in_discharge_is_reported_with_the_summary(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    source, out = patient_list(tmp_path / "list.csv", 2), tmp_path / "handouts"

    def full(handle: int) -> None:
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    monkeypatch.setattr(os, "fsync", full)
    code, stdout, stderr = run_discharge(capsys, "--patients", str(source), "--out", str(out), "--jobs", "1")
    assert code == 3
    assert stdout.splitlines()[2] == "Not made: 2 row(s) of list.csv: 2, 3 (problems listed above)."
    assert stderr.splitlines()[-1] == f"Error: cannot write to {out}: the disk is full; free some space and run again"
    assert list(out.iterdir()) == []


def test_the_handout_folder_is_made_owner_only_and_links_are_replaced(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    source, out = patient_list(tmp_path / "list.csv", 1), tmp_path / "handouts"
    out.mkdir()
    out.chmod(0o777)
    elsewhere = tmp_path / "elsewhere.pdf"
    elsewhere.write_text("not a handout")
    (out / "EXS-1001.pdf").symlink_to(elsewhere)
    assert run_discharge(capsys, "--patients", str(source), "--out", str(out), "--jobs", "1")[0] == 0
    assert out.stat().st_mode & 0o777 == 0o700
    assert elsewhere.read_text() == "not a handout"
    assert not (out / "EXS-1001.pdf").is_symlink() and (out / "EXS-1001.pdf").stat().st_mode & 0o777 == 0o600


@contextmanager
def discharge_run(tmp_path: Path, rows: int) -> Iterator[tuple[subprocess.Popen[str], Path, list[int]]]:
    """A real `discharge --jobs 2` run, yielded with its workers' ids once a worker has written a handout and
    waits (at the pause point; each waits there after its first handout until the run stops, or `go`)."""
    source, out, temp = patient_list(tmp_path / "list.csv", rows), tmp_path / "handouts", tmp_path / "temp"
    args = ["discharge", "--patients", str(source), "--out", str(out), "--jobs", "2"]
    run = start(args, temp, pause="handout written")
    try:
        paused(run, temp)
        wait_until(lambda: len(workers_of(run.pid)) == 2, run)  # the second is forked, if not yet
        yield run, out, workers_of(run.pid)
    finally:
        if run.poll() is None:
            os.killpg(run.pid, signal.SIGKILL)
            run.communicate(timeout=300)


def test_ctrl_c_stops_a_discharge_pool_cleanly(tmp_path: Path) -> None:
    with discharge_run(tmp_path, 40) as (run, out, workers):
        os.killpg(run.pid, signal.SIGINT)  # as a terminal does: the parent and its workers
        stdout, stderr = run.communicate(timeout=300)
    assert run.returncode == 130
    assert "Traceback" not in stderr
    assert stderr.splitlines()[-1] == DISCHARGE_INTERRUPTED
    made = sorted(out.iterdir())
    assert len(made) in (1, 2), "each worker stops after the handout it was writing"
    assert stdout.splitlines()[1].startswith(f"Made {len(made)} handout{'s' if len(made) > 1 else ''} in ")
    assert stdout.splitlines()[2].startswith(f"Not made: {40 - len(made)} row(s) of list.csv: ")
    for path in made:
        assert path.suffix == ".pdf"
        with pikepdf.open(path) as pdf:
            assert len(pdf.pages) >= 1
    assert all_ended(workers)
    assert list((tmp_path / "temp").iterdir()) == []


def test_killed_discharge_workers_end_with_it_and_the_next_run_sweeps(tmp_path: Path) -> None:
    with discharge_run(tmp_path, 40) as (run, out, workers):
        os.kill(run.pid, signal.SIGKILL)  # the parent only, as the OOM killer would
        run.communicate(timeout=300)
    assert all_ended(workers), "workers outlived their parent"
    assert left_by_a_kill(tmp_path / "temp") == ["leaflets-discharge", "pymp"]
    source = patient_list(tmp_path / "again.csv", 1, first=900)
    rerun = start(["discharge", "--patients", str(source), "--out", str(out), "--jobs", "1"], tmp_path / "temp")
    _, err = rerun.communicate(timeout=300)
    assert rerun.returncode == 0, err
    assert list((tmp_path / "temp").iterdir()) == []
    assert not [p for p in out.iterdir() if p.suffix != ".pdf"], "no .part file is left"


def test_a_worker_that_dies_stops_the_run_with_a_true_summary(tmp_path: Path) -> None:
    with discharge_run(tmp_path, 40) as (run, out, workers):
        os.kill(workers[0], signal.SIGKILL)  # as the OOM killer would
        go(tmp_path / "temp")
        stdout, stderr = run.communicate(timeout=300)
    assert run.returncode == 3
    assert stderr.splitlines()[-1] == "Error: a worker process stopped unexpectedly (was it killed, or out of memory?)"
    made = int(stdout.splitlines()[1].split()[1])  # "Made N handouts ...", after the line on how the list was read
    assert len(list(out.glob("*.pdf"))) == made, "the folder holds exactly the rows the summary calls made"
    assert [p for p in out.iterdir() if p.suffix != ".pdf"] == []
    assert all_ended(workers)
    assert list((tmp_path / "temp").iterdir()) == []
