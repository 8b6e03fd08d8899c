"""Translations: content files in other languages that mirror the master and know when it has moved on.

The master lists them (`translations: [content.es.yaml]`). Each is a whole content file in its language that
says which version of the master it translates (`translation: {version: "1.0"}`) and has, beside it, a record
of the master's text it was made from (`content.es.master.json`: one fingerprint per field, written by
`python generate.py translated content.es.yaml`). Then:

- a leaflet, section or entry of the master that the translation lacks (or one it adds) is an error naming it;
- a field whose master text has changed since the record is named as out of date (a warning; `--strict` stops);
- without a record, the translation's freshness is reported as not checked, never as up to date.

Fields that are each language's own are not compared: the language itself, paper, fonts, wording file,
governance (its own reference and dates), quality settings, the words that bring a glossary entry in (`also`),
and the logo's path.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from leaflets.content.schema import Content
from leaflets.content.yamltree import FieldPath, dotted, shown

#: Top-level fields that belong to each language, never compared with the master.
OWN = frozenset({"language", "paper", "fonts", "strings", "translations", "translation", "governance", "quality"})
#: Fields, at any depth, that belong to each language.
OWN_ANYWHERE = frozenset({"also", "logo"})
RECORD_SUFFIX = ".master.json"


def record_path(translation: Path) -> Path:
    """Where a translation's record of the master's text lives: `content.es.yaml` -> `content.es.master.json`."""
    return translation.with_name(translation.stem + RECORD_SUFFIX)


def mirrored(content: Content) -> dict[str, str]:
    """Every field a translation mirrors, by dotted path, with its value as text."""
    found: dict[str, str] = {}

    def walk(value: Any, path: FieldPath) -> None:
        if isinstance(value, dict):
            for key, item in value.items():
                if key not in OWN_ANYWHERE and not (not path and key in OWN):
                    walk(item, (*path, key))
        elif isinstance(value, list):
            for index, item in enumerate(value):
                walk(item, (*path, index))
        elif value is not None:
            found[dotted(path)] = str(value)

    walk(content.model_dump(mode="json"), ())
    return found


def fingerprint(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:16]


def missing_parts(master: Content, translation: Content, master_shown: str) -> Iterator[tuple[FieldPath, str]]:
    """What the translation lacks (or adds) compared with the master: leaflets, sections, entries, fields."""
    ours, theirs = master.model_dump(mode="json"), translation.model_dump(mode="json")
    master_ids = [leaflet["id"] for leaflet in ours["cause_leaflets"]]
    their_ids = [leaflet["id"] for leaflet in theirs["cause_leaflets"]]
    lacking = [i for i in master_ids if i not in their_ids]
    for leaflet in lacking:
        yield ("cause_leaflets",), f"lacks the leaflet {leaflet!r} of {master_shown}; translate it"
    for leaflet in [i for i in their_ids if i not in master_ids]:
        index = their_ids.index(leaflet)
        yield ("cause_leaflets", index, "id"), f"{master_shown} has no leaflet {leaflet!r}; use its leaflet ids"
    if lacking or set(their_ids) != set(master_ids):
        return  # the rest is compared leaflet by leaflet once the leaflets match
    if their_ids != master_ids:
        yield ("cause_leaflets",), f"the leaflets are in another order than in {master_shown}; keep its order"
        return
    yield from _compare(ours, theirs, (), master_shown)


def _compare(ours: Any, theirs: Any, path: FieldPath, master_shown: str) -> Iterator[tuple[FieldPath, str]]:
    if isinstance(ours, dict):
        for key, value in ours.items():
            if value is None or key in OWN_ANYWHERE or (not path and key in OWN):
                continue
            if not isinstance(theirs, dict) or theirs.get(key) is None:
                yield (*path, key), f"missing: {master_shown} has {_what(key, value)} here; translate it"
            else:
                yield from _compare(value, theirs[key], (*path, key), master_shown)
    elif isinstance(ours, list) and isinstance(theirs, list):
        if len(ours) == len(theirs):
            for index, value in enumerate(ours):
                yield from _compare(value, theirs[index], (*path, index), master_shown)
            return
        # Which one is missing (or added) cannot be told by position: name the master's, in its order.
        kind = _kind(ours[0] if ours else None)
        named = "; ".join(_name(value) for value in ours[:6]) + ("; ..." if len(ours) > 6 else "")
        if len(theirs) < len(ours):
            yield (
                path,
                (
                    f"lacks {_count(len(ours) - len(theirs), kind)}: it has {len(theirs)} where {master_shown} has "
                    f"{len(ours)} ({named}); translate each, in the same order"
                ),
            )
        else:
            yield (
                path,
                (
                    f"has {_count(len(theirs), kind)} where {master_shown} has {len(ours)} ({named}); "
                    "keep the master's, in its order (add new ones there first)"
                ),
            )


def _kind(value: Any) -> str:
    if isinstance(value, dict) and "heading" in value:
        return "section"
    if isinstance(value, dict) and "term" in value:
        return "glossary entry"
    return "entry"


def _count(number: int, kind: str) -> str:
    """'a section', 'an entry', '3 entries'."""
    if number == 1:
        return f"an {kind}" if kind[0] in "aeiou" else f"a {kind}"
    return f"{number} {kind[:-1]}ies" if kind.endswith("y") else f"{number} {kind}s"


def _name(value: Any) -> str:
    if isinstance(value, dict):
        value = value.get("heading") or value.get("term") or value.get("name") or value.get("when") or ""
    return shown(value, 40)


def _what(name: str, value: Any) -> str:
    """How a message names a part of the master: the section 'How scar tissue ...', the entry 'Adhesion'."""
    if isinstance(value, dict) and "heading" in value:
        return f"the section {shown(value['heading'], 50)}"
    if isinstance(value, dict) and "term" in value:
        return f"the glossary entry {shown(value['term'], 40)}"
    if isinstance(value, dict):
        return f"the {name} group"
    if isinstance(value, str):
        return f"the entry {shown(value, 50)}"
    return f"the field {name!r}"


def stale_fields(
    master: Content,
    translation: Content,
    master_shown: str,
    translation_shown: str,
    record: dict[str, Any] | None,
    record_file: Path,
) -> Iterator[tuple[FieldPath, str]]:
    """Each mirrored field whose master text changed since the translation's record (or: not checked)."""
    recorded = translation.translation.version if translation.translation else None
    command = f"python generate.py translated {translation_shown}"
    if master_shown != "content.yaml":
        command += f" --content {master_shown}"
    record_shown = record_file.name
    if record is None:
        yield (
            ("translation",),
            f"not checked: there is no record of the {master_shown} text it was made from ({record_shown}); "
            f"once the translation matches {master_shown}, run `{command}`",
        )
        return
    version = record.get("version", "?")
    fields = record.get("fields", {})
    if recorded != version:
        yield (
            ("translation", "version"),
            (
                f"says it translates version {recorded} but its record is of version {version}; check the translation, "
                f"then run `{command}`"
            ),
        )
    for where, text in mirrored(master).items():
        if fields.get(where) != fingerprint(text):
            yield (
                _path(where),
                (
                    f"out of date: {master_shown} changed this text after version {version}, which this translation "
                    f"translates; translate the change, then run `{command}`"
                ),
            )


def _path(where: str) -> FieldPath:
    """`causes[2].summary` -> ('causes', 2, 'summary')."""
    path: list[str | int] = []
    for part in where.replace("[", ".").replace("]", "").split("."):
        path.append(int(part) if part.isdigit() else part)
    return tuple(path)


def read_record(path: Path) -> dict[str, Any] | None:
    """The translation's record, or None when there is none (or it is not a record this program wrote)."""
    try:
        record = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return record if isinstance(record, dict) and isinstance(record.get("fields"), dict) else None


def record_bytes(master: Content, master_shown: str) -> bytes:
    """The record of the master's text as it is now, for a translation that matches it."""
    record = {
        "master": master_shown,
        "version": master.governance.version,
        "fields": {where: fingerprint(text) for where, text in mirrored(master).items()},
    }
    return (json.dumps(record, indent=1, ensure_ascii=False) + "\n").encode("utf-8")
