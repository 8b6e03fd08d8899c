"""The reference tables of the documentation, made from the code when the site is built.

A page of `docs/` asks for a table with a marker such as `<!-- generated: fields -->`; `docs/hooks.py`
hands each page to `fill`, so the site never holds a pasted copy that drifts from the program.
"""

from __future__ import annotations

import argparse
import ast
import re
from collections.abc import Callable, Iterator
from pathlib import Path

from leaflets import cli
from leaflets.checks.quality import COLUMNS
from leaflets.checks.readability import formulas_table
from leaflets.content import limits
from leaflets.content.schema import field_reference


def commands() -> dict[str, argparse.ArgumentParser]:
    """Every command of the command line, as typed (`leaflets build`), with its parser: the one the program uses."""
    top = cli.parser(prog="leaflets")
    subparsers = next(a for a in top._actions if isinstance(a, argparse._SubParsersAction))
    return {"leaflets": top, **{f"leaflets {name}": sub for name, sub in subparsers.choices.items()}}


MARKER = re.compile(r"<!-- generated: ([a-z-]+) -->")
PACKAGE = Path(__file__).parent


class UnknownTable(ValueError):
    """A page asks for a table this module does not make."""


def fields_table() -> str:
    """Every field of a content file: its path, kind, whether it is required, and what it is for."""
    return "\n".join(["| field | kind | | what it is |", "|---|---|---|---|", *field_reference()])


def limits_table() -> str:
    """Every limit on the input, with its reason (`leaflets/content/limits.py`)."""
    return "\n".join(limits.limits_table())


def options_table() -> str:
    """Each command's description and options, then the examples and exit codes its `--help` prints."""
    return "\n\n".join(_command(typed, parser) for typed, parser in commands().items())


def _command(typed: str, parser: argparse.ArgumentParser) -> str:
    formatter = parser._get_formatter()
    rows = ["| option | value | what it does |", "|---|---|---|"]
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):  # the commands, each with its summary
            rows[:2] = ["| command | | what it does |", "|---|---|---|"]
            rows += [f"| `{choice.dest}` | | {_cell(choice.help or '')} |" for choice in action._choices_actions]
            continue
        if action.help == argparse.SUPPRESS or isinstance(action, argparse._HelpAction):
            continue
        names = ", ".join(f"`{name}`" for name in action.option_strings) or f"`{action.metavar or action.dest}`"
        rows.append(f"| {names} | {_value(action)} | {_cell(formatter._expand_help(action))} |")
    parts = [f"## `{typed}`", parser.description or "", "\n".join(rows)]
    if parser.epilog:
        parts.append(f"```text\n{parser.epilog.rstrip()}\n```")
    return "\n\n".join(part for part in parts if part)


def _value(action: argparse.Action) -> str:
    """What the option takes: its choices, its placeholder name, or nothing for a switch."""
    if action.nargs == 0 or not action.option_strings:  # a switch, or a positional argument named in the first column
        return ""
    if action.choices:
        return " or ".join(f"`{choice}`" for choice in action.choices)
    required = " (required)" if action.required else ""
    return f"`{action.metavar or action.dest.upper()}`{required}"


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def check_names() -> dict[str, list[str]]:
    """Each quality check, named as the report names it, with the modules that report it.

    Read from the source: a check is the first argument of every `Finding("...", ...)` in the package.
    """
    found: dict[str, list[str]] = {}
    for path in sorted(PACKAGE.rglob("*.py")):
        for name in _findings(ast.parse(path.read_text(encoding="utf-8"))):
            module = path.relative_to(PACKAGE).as_posix()
            found.setdefault(name, [])
            if module not in found[name]:
                found[name].append(module)
    return found


def _findings(tree: ast.AST) -> Iterator[str]:
    for node in ast.walk(tree):
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id == "Finding" and node.args:
            first = node.args[0]
            if isinstance(first, ast.Constant) and isinstance(first.value, str):
                yield first.value


def checks_table() -> str:
    """Every check of the quality gate: the column of the summary table that shows it, and where it is made."""
    from leaflets.pipeline.plan import PAGE_CHECKS  # late: the build plan imports the whole pipeline

    headings = dict(COLUMNS)
    rows = ["| check | summary column | made on | reported by |", "|---|---|---|---|"]
    found = check_names()
    in_table = [name for name, _ in COLUMNS if name in found]  # the summary table's order, then the others
    for name in [*in_table, *sorted(set(found) - set(in_table))]:
        modules = found[name]
        made_on = "the laid-out pages and the PDF" if name in PAGE_CHECKS else "the content, before rendering"
        where = ", ".join(f"`leaflets/{module}`" for module in modules)
        rows.append(f"| {name} | {headings.get(name, '-')} | {made_on} | {where} |")
    return "\n".join(rows)


def pdf_rules_table() -> str:
    """Every rule the pdf/ua check runs (`leaflets/checks/conformance/`): its id, the standard, what it requires and
    the module that checks it; then the PDF/UA-1 rules it does not check, and why."""
    from leaflets.checks import conformance  # late: only the site needs it

    kinds = (
        ("PDF/UA-1", conformance.RULES),
        ("PDF/UA-1, beyond veraPDF's tests", conformance.EXTRA_RULES),
        ("PDF/A-2, handouts only", conformance.PDFA_RULES),
    )
    rows = ["| rule | standard | what it requires | checked in |", "|---|---|---|---|"]
    for kind, rules in kinds:
        for rule, requires in rules.items():
            module = f"`leaflets/checks/conformance/{conformance.CHECKED_IN[rule]}.py`"
            rows.append(f"| `{rule}` | {kind} | {_cell(requires)} | {module} |")
    skipped = ["| PDF/UA-1 rules not checked | why |", "|---|---|"]
    skipped += [f"| {rule} | {_cell(why)} |" for rule, why in conformance.NOT_CHECKED.items()]
    return "\n".join(rows) + "\n\n" + "\n".join(skipped)


def reading_table() -> str:
    """Each language's reading-level formula, its target and their sources (`leaflets/checks/readability.py`)."""
    return "\n".join(formulas_table())


def modules_table() -> str:
    """Every module of the package, stage by stage, with the first line of its docstring: the house's map, never
    out of date."""
    rows = ["| module | what it is |", "|---|---|"]
    for path in sorted(PACKAGE.rglob("*.py"), key=lambda p: (p.parent != PACKAGE, p.relative_to(PACKAGE).parts)):
        if "starter" in path.parts or "templates" in path.parts:
            continue
        doc = ast.get_docstring(ast.parse(path.read_text(encoding="utf-8"))) or ""
        first = " ".join(doc.split("\n\n", 1)[0].split())
        rows.append(f"| `{path.relative_to(PACKAGE.parent).as_posix()}` | {_cell(first)} |")
    return "\n".join(rows)


TABLES: dict[str, Callable[[], str]] = {
    "modules": modules_table,
    "fields": fields_table,
    "limits": limits_table,
    "options": options_table,
    "checks": checks_table,
    "pdf-rules": pdf_rules_table,
    "reading": reading_table,
}


def fill(markdown: str) -> str:
    """Replace each `<!-- generated: NAME -->` marker with the table NAME (an unknown name is an error)."""

    def table(marker: re.Match[str]) -> str:
        name = marker.group(1)
        if name not in TABLES:
            raise UnknownTable(f"no generated table {name!r}; there are: {', '.join(TABLES)}")
        return TABLES[name]()

    return MARKER.sub(table, markdown)
