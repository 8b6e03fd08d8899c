"""Machine-made mistakes in a content file and a patient list, and a judge of the answers.

Used by tests/test_fuzz.py (a few dozen cases) and benchmarks/fuzz.py (thousands).

Each mutation takes the text and a random.Random and returns the text
changed the way a hurried edit, a bad export or a hostile file would change
it. A case is a list of (mutation name, seed) pairs, so Hypothesis can draw
and shrink cases and the benchmark can make thousands from one seed.
Everything a mutation inserts into the patient list contains SECRET, so a
test can check that no inserted value ever comes back in a message.
"""

from __future__ import annotations

import contextlib
import io
import random
import re
import shutil
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from unittest import mock

Mutation = Callable[[str, random.Random], str]

SECRET = "Qzsecret"
CONTROLS = ["\x00", "\x01", "\x0b", "\x0c", "\x1b", "\x7f", "\x85", "\x9b", "\u2028", "\u202e", "\ufeff", "\ufffe"]
ODD = [*CONTROLS, "中", "😀", "\u0301", "\t", '"', "'", ":", ": ", "- ", "#", "&a", "*a", "!", "%", "@", "`", "|", ">"]
YAML_BITS = [
    "{",
    "[",
    "}",
    "]",
    "? ",
    "&x ",
    "*x",
    "*undefined",
    "!!python/object:os.system ",
    "!!binary ",
    "!!set ",
    "!!omap ",
    "!!timestamp ",
    "!!bool ",
    "!!int ",
    "!!float ",
    "!custom ",
    "=",
    "<<: ",
    "---\n",
    "...\n",
    "%YAML 1.1\n",
    "\\",
]
DATES = [
    "2026-02-30",
    "2026-13-01",
    "0000-01-01",
    "'2026-11-02'",
    "'2026-02-30'",
    "2026-1-1",
    "2026-11-02 10:00",
    "9999-12-31",
]
LAUGHS = "lol0: &l0 [lol]\n" + "".join(f"lol{i}: &l{i} [{', '.join([f'*l{i - 1}'] * 9)}]\n" for i in range(1, 10))


def _lines(text: str) -> list[str]:
    return text.splitlines(keepends=True) or [""]


def _at_random_line(text: str, rng: random.Random, change: Callable[[str], str]) -> str:
    lines = _lines(text)
    index = rng.randrange(len(lines))
    lines[index] = change(lines[index])
    return "".join(lines)


def _insert(text: str, rng: random.Random, piece: str) -> str:
    at = rng.randrange(len(text) + 1)
    return text[:at] + piece + text[at:]


def delete_line(text: str, rng: random.Random) -> str:
    lines = _lines(text)
    del lines[rng.randrange(len(lines))]
    return "".join(lines)


def duplicate_line(text: str, rng: random.Random) -> str:
    lines = _lines(text)
    index = rng.randrange(len(lines))
    lines[index:index] = [lines[index]] * rng.choice([1, 1, 2, 150])
    return "".join(lines)


def swap_lines(text: str, rng: random.Random) -> str:
    lines = _lines(text)
    a, b = rng.randrange(len(lines)), rng.randrange(len(lines))
    lines[a], lines[b] = lines[b], lines[a]
    return "".join(lines)


def odd_character(text: str, rng: random.Random) -> str:
    return _insert(text, rng, rng.choice(ODD) + (SECRET if rng.random() < 0.3 else ""))


def escaped_control(text: str, rng: random.Random) -> str:
    """A control character written as a YAML escape, inside double quotes: it gets past YAML's own reader."""
    code = rng.choice(["\\x01", "\\x0b", "\\e", "\\x7f", "\\x9b", "\\u2028", "\\ud800", "\\x00", "\\N", "\\L"])
    values = list(re.finditer(r"^(\s*[\w-]+): ([^\n\"'\[{&*!|>]+)$", text, flags=re.M))
    if not values:
        return text
    match = rng.choice(values)
    return text[: match.start()] + f'{match[1]}: "{match[2]}{code}"' + text[match.end() :]


def yaml_piece(text: str, rng: random.Random) -> str:
    return _insert(text, rng, rng.choice(YAML_BITS))


def huge_number(text: str, rng: random.Random) -> str:
    digits = "9" * rng.choice([16, 400, 5_000, 50_000])
    return re.sub(r"\b\d+\b", digits, text, count=rng.randint(1, 3))


def bad_date(text: str, rng: random.Random) -> str:
    return re.sub(r"\d{4}-\d{2}-\d{2}", rng.choice(DATES), text, count=1)


def alias(text: str, rng: random.Random) -> str:
    kind = rng.choice(["laughs", "recursive", "scalar", "many", "merge", "undefined"])
    if kind == "laughs":
        return LAUGHS + text
    if kind == "recursive":
        return text.replace("causes:\n", "causes: &loop [*loop]\nold_causes:\n", 1) or text + "x: &a [*a]\n"
    if kind == "scalar":
        return text.replace("  phone: ", "  phone: &phone ", 1) + "\nsecond_phone: *phone\n"
    if kind == "many":
        return "v: &v text\n" + "".join(f"k{i}: *v\n" for i in range(rng.choice([10, 60, 500]))) + text
    if kind == "merge":
        return "base: &base {a: 1}\n" + text.replace("brand:\n", "brand:\n  <<: *base\n", 1)
    return text + "\nlink: *nowhere\n"


def deep_nesting(text: str, rng: random.Random) -> str:
    depth = rng.choice([13, 100, 1_000, 20_000])
    opening, closing = ("[" * depth, "]" * depth) if rng.random() < 0.5 else ("{a: " * depth, "}" * depth)
    return _at_random_line(text, rng, lambda line: line.rstrip("\n") + f" {opening}{closing}\n")


def long_word(text: str, rng: random.Random) -> str:
    word = "x" * rng.choice([41, 300, 10_000, 100_000])
    return _at_random_line(text, rng, lambda line: line.rstrip("\n") + f" {word}\n")


def many_words(text: str, rng: random.Random) -> str:
    return _at_random_line(text, rng, lambda line: line.rstrip("\n") + " word" * rng.choice([300, 30_000]) + "\n")


def long_list(text: str, rng: random.Random) -> str:
    count = rng.choice([101, 10_000])
    entries = "".join(f"  - term: T{i}\n    meaning: M\n" for i in range(count))
    return text.replace("glossary:\n", "glossary:\n" + entries, 1)


def indentation(text: str, rng: random.Random) -> str:
    return _at_random_line(
        text, rng, lambda line: (" " * rng.choice([1, 2, 4]) + line) if rng.random() < 0.5 else line.lstrip()
    )


def truncate(text: str, rng: random.Random) -> str:
    return text[: rng.randrange(len(text) + 1)]


def booking_url(text: str, rng: random.Random) -> str:
    url = rng.choice(
        [
            "https://evil.example/example.org/",
            "https://www.example.org@evil.example/book",
            "https://example.org\\@evil.example/",
            "https://" + "a" * 300 + ".example/",
            "https://www.example.org/" + "b" * 500,  # past the limit (500 bytes)
            "https://bücher.example/",
            "https://exa mple.org/",
            "https://example.org:99999/",
            "https://..example/",
            "https://localhost/",
        ]
    )
    return re.sub(r"booking_url: .*", f"booking_url: {url}", text, count=1)


def line_endings(text: str, rng: random.Random) -> str:
    return text.replace("\n", rng.choice(["\r\n", "\r", "\n\n"]))


def bad_bytes(text: str, rng: random.Random) -> str:
    """Bytes that are not UTF-8 (kept as surrogates; encode with errors='surrogateescape')."""
    return _insert(text, rng, rng.choice(["\udcff", "\udce9", "\udcc3("]))


def big_file(text: str, rng: random.Random) -> str:
    return text + "#" + " padding" * rng.choice([20_000, 200_000]) + "\n"


CONTENT_MUTATIONS: dict[str, Mutation] = {
    f.__name__: f
    for f in (
        delete_line,
        duplicate_line,
        swap_lines,
        odd_character,
        escaped_control,
        yaml_piece,
        huge_number,
        bad_date,
        alias,
        deep_nesting,
        long_word,
        many_words,
        long_list,
        indentation,
        truncate,
        booking_url,
        line_endings,
        bad_bytes,
        big_file,
    )
}

# --- the patient list -------------------------------------------------------------------------


def header_typo(text: str, rng: random.Random) -> str:
    header, _, rest = text.partition("\n")
    columns = header.split(",")
    index = rng.randrange(len(columns))
    change = rng.choice(["notes", "Note", "", "patient name", columns[index].upper(), columns[index] + "s"])
    if rng.random() < 0.3:
        columns.append(change or "note")  # a repeated or extra column
    else:
        columns[index] = change
    return ",".join(columns) + "\n" + rest


def quote(text: str, rng: random.Random) -> str:
    lines = _lines(text)
    index = rng.randrange(len(lines))
    cells = lines[index].split(",")
    cell = rng.randrange(len(cells))
    cells[cell] = rng.choice(['"', '""', '"x"y', 'a"b']) + cells[cell]
    lines[index] = ",".join(cells)
    return "".join(lines)


def line_break_in_cell(text: str, rng: random.Random) -> str:
    lines = _lines(text)
    index = rng.randrange(1, len(lines)) if len(lines) > 1 else 0
    cells = lines[index].rstrip("\n").split(",")
    cell = rng.randrange(len(cells))
    cells[cell] = f'"{SECRET} line one\n{SECRET} line two"'
    lines[index] = ",".join(cells) + "\n"
    return "".join(lines)


def long_cell(text: str, rng: random.Random) -> str:
    size = rng.choice([121, 401, 5_000, 200_000])
    return _at_random_line(text, rng, lambda line: line.replace(",", f",{SECRET}{'w' * size} ", 1))


def odd_cell(text: str, rng: random.Random) -> str:
    return _at_random_line(text, rng, lambda line: line.replace(",", f",{SECRET}{rng.choice(ODD)}", 1))


def commas(text: str, rng: random.Random) -> str:
    return _at_random_line(text, rng, lambda line: line.replace(",", rng.choice([",,", "", ";"]), 1))


def blank_lines(text: str, rng: random.Random) -> str:
    return _insert(text, rng, rng.choice(["\n", "\n\n", ",,,,,,,,,\n"]))


def many_rows(text: str, rng: random.Random) -> str:
    lines = _lines(text)
    return "".join(lines + lines[1:] * rng.choice([10, 200]))


PATIENT_MUTATIONS: dict[str, Mutation] = {
    f.__name__: f
    for f in (
        delete_line,
        duplicate_line,
        swap_lines,
        header_typo,
        quote,
        line_break_in_cell,
        long_cell,
        odd_cell,
        commas,
        blank_lines,
        many_rows,
        line_endings,
        bad_bytes,
        truncate,
    )
}


#: Mutations that copy lines can compound into gigabytes; past this the text is cut (still over every file limit).
MAX_TEXT = 40 * 1024 * 1024


def apply(text: str, case: Sequence[tuple[str, int]], mutations: dict[str, Mutation]) -> str:
    """The text after each (mutation, seed) of the case, in order."""
    for name, seed in case:
        text = mutations[name](text, random.Random(seed))[:MAX_TEXT]
    return text


def random_case(rng: random.Random, mutations: dict[str, Mutation]) -> list[tuple[str, int]]:
    """One to four mutations, for the benchmark (the test draws its cases with Hypothesis)."""
    return [(rng.choice(sorted(mutations)), rng.randrange(2**32)) for _ in range(rng.randint(1, 4))]


# --- running a case and judging the answer ----------------------------------------------------

ROOT = Path(__file__).resolve().parent.parent
CONTENT = ROOT / "content.yaml"
PATIENTS = ROOT / "tests" / "fixtures" / "patients.csv"
#: Patient values of the fixture that must never come back in a message (with everything inserted: SECRET).
PATIENT_VALUES = [SECRET, "Testperson", "Fictional", "Madeup", "Duplicate", "Fakename", "EXS-000", "as we discussed"]
LIMIT_WORDS = ("at most", "more than", "longer than", "larger than", "nested", "alias", "repeats a list")


@dataclass
class Outcome:
    """What one run answered, and what is wrong with the answer (empty lists: nothing)."""

    code: int
    stdout: str
    stderr: str
    seconds: float
    unlocated: list[str] = field(default_factory=list)  # error lines that name no file:line:col or row
    leaks: list[str] = field(default_factory=list)  # patient values found in the output

    @property
    def traceback(self) -> bool:
        return "Traceback" in self.stdout + self.stderr

    @property
    def unexpected(self) -> bool:
        return "unexpected failure" in self.stdout + self.stderr

    @property
    def refused(self) -> bool:
        """An error from a declared limit (see leaflets/content/limits.py)."""
        return self.code != 0 and any(word in self.stderr for word in LIMIT_WORDS)


def run_cli(argv: list[str]) -> tuple[int, str, str, float]:
    """The command line in this process: (exit code, stdout, stderr, seconds)."""
    from leaflets.cli import main

    out, err = io.StringIO(), io.StringIO()
    started = time.perf_counter()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = main(argv)
    return code, out.getvalue(), err.getvalue(), time.perf_counter() - started


def run_content_case(text: str, folder: Path) -> Outcome:
    """`generate.py --list` on the text (it loads and validates, and renders nothing); the answer judged."""
    (folder / "assets").mkdir(exist_ok=True)
    shutil.copy(ROOT / "assets" / "logo.svg", folder / "assets" / "logo.svg")
    for name in ("medical_terms.txt", "content.es.yaml", "medical_terms.es.txt", "content.es.master.json"):
        shutil.copy(ROOT / name, folder / name)  # the files content.yaml names (terms, its translation)
    path = folder / "content.yaml"
    path.write_bytes(text.encode("utf-8", errors="surrogateescape"))
    outcome = Outcome(*run_cli(["--list", "--content", str(path)]))
    if outcome.code != 0:
        outcome.unlocated = content_unlocated(outcome.stderr, path)
    return outcome


def content_unlocated(stderr: str, path: Path) -> list[str]:
    """The lines of a failed run's error that do not name FILE:LINE:COL: field (the heading aside)."""
    located = re.compile(rf"  {re.escape(str(path))}:\d+:\d+: .+?: .+|  \.\.\. and [\d,]+ more; fix these first.*")
    lines = stderr.splitlines()
    heading_ok = bool(lines) and re.fullmatch(r"Error: [\d,]+ problems? in the content:", lines[0]) is not None
    return ([] if heading_ok else lines[:1] or ["(no message)"]) + [
        line for line in lines[1:] if not located.fullmatch(line)
    ]


def run_patient_case(text: str, folder: Path) -> Outcome:
    """`generate.py discharge` on the list, with rendering replaced by a stand-in; the answer judged."""
    from leaflets.cli import discharge as discharge_cli
    from leaflets.discharge.handouts import Made

    def pretend(content: Any, settings: Any, patients: Any, jobs: int, progress: Any, *rest: Any) -> list[Any]:
        return [Made(p.row, f"{p.record_id}.pdf", 1, "0" * 64) for p in patients]

    path = folder / "list.csv"
    path.write_bytes(text.encode("utf-8", errors="surrogateescape"))
    argv = ["discharge", "--patients", str(path), "--out", str(folder / "out"), "--jobs", "1"]
    with mock.patch.object(discharge_cli, "make_handouts", pretend):
        outcome = Outcome(*run_cli(argv))
    outcome.unlocated = patient_unlocated(outcome.stderr)
    outcome.leaks = leaks(outcome.stdout + outcome.stderr + _read_all(folder / "out"))
    return outcome


def patient_unlocated(stderr: str) -> list[str]:
    """The lines of the error output that name neither a row of list.csv nor the file as a whole."""
    located = re.compile(
        r"(Error: )?list\.csv: row \d+( \(the header\))?(, column [A-Za-z_]+)?[: ].+"
        r"|Error: (cannot read )?list\.csv[: ].+"
        r"|\.\.\. and [\d,]+ more problems; all are in .+"
    )
    return [line for line in stderr.splitlines() if not located.fullmatch(line)]


def leaks(written: str) -> list[str]:
    """The patient values found in `written`."""
    return [value for value in PATIENT_VALUES if value.lower() in written.lower()]


def _read_all(folder: Path) -> str:
    """Every file name, and every text file, the run left in `folder`."""
    if not folder.is_dir():
        return ""
    return "".join(p.name + (p.read_text() if p.suffix == ".txt" else "") for p in folder.iterdir())
