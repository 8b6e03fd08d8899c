"""The fixed wording the templates print ("Key points", "Page 1 of 2"), one block per language.

The shipped table is `templates/strings.yaml`. A clinic changes wording, or adds a language, in a file of its
own beside the content (`strings: strings.yaml`), never in the project: a block for a language the project
ships may replace any of its entries; a block for a new language must give every entry but those in DEFAULTS.
"""

from __future__ import annotations

import difflib
from functools import cache
from pathlib import Path
from typing import Any

import yaml

from leaflets.content import yamltree
from leaflets.content.load import display_path, read_text
from leaflets.errors import BuildError, ContentError, Problem

SHIPPED = Path(__file__).resolve().parents[2] / "templates" / "strings.yaml"
#: The language whose block names every entry (the others must match it).
REFERENCE = "en"
#: Entries a new language may leave out (added after a clinic's files were written), and what it then gets.
DEFAULTS = {"colon": ":"}


@cache
def shipped() -> dict[str, dict[str, Any]]:
    """The project's table: `shipped()['en']['book']`."""
    try:
        table: dict[str, dict[str, Any]] = yaml.safe_load(SHIPPED.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as error:
        raise BuildError(f"cannot read the fixed wording in {SHIPPED}: {error}") from None
    keys = set(table[REFERENCE])
    for language, strings in table.items():
        if set(strings) != keys:
            missing = ", ".join(sorted(keys ^ set(strings)))
            raise BuildError(f"{SHIPPED}: language {language!r} does not have the same keys as 'en': {missing}")
    return table


def table(clinic_file: Path | None = None) -> dict[str, dict[str, Any]]:
    """The shipped table with the clinic's file (if any) laid over it; raises ContentError naming file, line
    and entry for a block that is not a group of texts, an entry the project does not know, or a new
    language that lacks entries."""
    merged = {language: dict(block) for language, block in shipped().items()}
    if clinic_file is None:
        return merged
    shown = display_path(clinic_file)
    node, raw = yamltree.parse(read_text(clinic_file, shown), shown)
    marks = yamltree.Marks(shown, raw)
    problems = marks.walk(node)
    data = {} if marks.structural else yamltree.construct(node, shown)
    if not problems and not isinstance(data, dict):
        problems.append(Problem(shown, 1, 1, "(file)", "must be one block per language, like `es:` or `fr:`"))
        data = {}
    known = merged[REFERENCE]
    for language, block in data.items():
        if not isinstance(block, dict):
            problems.append(marks.at((language,), language, "must be a group of entries, like `book: Pida cita`"))
            continue
        for key, value in block.items():
            if key not in known:
                near = difflib.get_close_matches(key, known, n=1)
                hint = f"; did you mean {near[0]!r}?" if near else f"; the entries are those of {SHIPPED.name}"
                problems.append(marks.at((language, key), f"{language}.{key}", f"is not an entry of the wording{hint}"))
            elif not isinstance(value, type(known[key])):
                kind = "a list of words" if isinstance(known[key], list) else "text"
                problems.append(marks.at((language, key), f"{language}.{key}", f"must be {kind}"))
        if language not in merged:
            missing = [key for key in known if key not in block and key not in DEFAULTS]
            if missing:
                listed = ", ".join(missing[:8]) + (f" and {len(missing) - 8} more" if len(missing) > 8 else "")
                message = f"a new language needs every entry of the wording; missing: {listed}"
                problems.append(marks.at((language,), language, message))
            merged[language] = dict(DEFAULTS)
        merged[language].update(block)
    if problems:
        raise ContentError(sorted(problems, key=lambda p: (p.line, p.column)))
    return merged


def base(language: str) -> str:
    """The block a language tag uses: `en-US` and `en-GB` share `en`."""
    return language.split("-")[0].lower()
