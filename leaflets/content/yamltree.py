"""The content file's YAML, read within declared limits, keeping where each field sits.

PyYAML builds a tree of nodes (with line and column) before it builds Python
values. Everything that could make reading slow or fail is checked on that
tree first: depth and aliases while the tree is built, then one walk for
field names, text, numbers and list lengths. Values are built only from a
tree that passed, with constructors that never fail on odd text.
"""

from __future__ import annotations

import bisect
import re
import unicodedata
from collections.abc import Callable, Iterator
from typing import Any

import yaml
from yaml.constructor import SafeConstructor

from leaflets.content.limits import ALIASES, DEPTH, DIGITS, LIST, TEXT, WORD
from leaflets.content.printable import first_long_word, first_unprintable
from leaflets.errors import ContentError, Problem

FieldPath = tuple[str | int, ...]

STR, INT, FLOAT, MERGE, VALUE = (f"tag:yaml.org,2002:{name}" for name in ("str", "int", "float", "merge", "value"))
#: Fields holding a web address, an email or a file name: not prose, so not held to the word limit.
NOT_PROSE = frozenset({"booking_url", "email", "logo"})
#: Characters YAML itself refuses (PyYAML's Reader.NON_PRINTABLE); see `RawControls`.
NON_PRINTABLE = re.compile("[^\x09\x0a\x0d\x20-\x7e\x85\xa0-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")
STAND_IN = "\ufffd"


class RawControls:
    """Characters YAML refuses, replaced by U+FFFD so the file can be read, remembered by position.

    The walk then names the field that holds one, instead of PyYAML stopping
    at the first with no field at all.
    """

    def __init__(self, text: str):
        found = [(m.start(), m.group()) for m in NON_PRINTABLE.finditer(text)]  # in order of position
        self.positions = [position for position, _ in found]
        self.characters = [character for _, character in found]
        self.text = NON_PRINTABLE.sub(STAND_IN, text) if found else text

    def between(self, start: int, end: int) -> str | None:
        """The first replaced character in text[start:end], if any."""
        first = bisect.bisect_left(self.positions, start)
        return self.characters[first] if first < len(self.positions) and self.positions[first] < end else None


class _Refused(yaml.MarkedYAMLError):
    """A limit broken while the tree is built: reported like a syntax error, at its place."""

    def __init__(self, mark: Any, field: str, message: str):
        super().__init__(problem=message, problem_mark=mark)
        self.field = field


class _BoundedLoader(yaml.SafeLoader):
    """PyYAML's safe loader, refusing deep nesting and aliases that expand."""

    def __init__(self, text: str):
        super().__init__(text)
        self.path: list[str | int] = []  # the field being built, for messages
        self.depth = 0  # nodes being built, one inside the other (the root is 1)
        self.aliases = 0

    def compose_node(self, parent: yaml.Node | None, index: Any) -> yaml.Node | None:
        """Build one node, counting depth and checking aliases before PyYAML follows them.

        PyYAML builds nested nodes by recursion: without this check a few
        hundred `[` exhaust Python's stack, and an alias to a list could
        repeat that list without end.
        """
        named = isinstance(index, (yaml.ScalarNode, int))  # a mapping value or a list item (keys: None)
        if named:
            self.path.append(str(index.value) if isinstance(index, yaml.ScalarNode) else index)
        self.depth += 1
        try:
            self._check(self.peek_event())  # type: ignore[no-untyped-call]
            return super().compose_node(parent, index)
        finally:
            self.depth -= 1
            if named:
                self.path.pop()

    def _check(self, event: yaml.Event) -> None:
        field = dotted(tuple(self.path[: DEPTH.value]))
        if isinstance(event, yaml.AliasEvent):
            target = self.anchors.get(event.anchor)
            if target is None:
                message = f"*{event.anchor} repeats nothing: no &{event.anchor} comes before it; write the value out"
                raise _Refused(event.start_mark, field, message)
            if not isinstance(target, yaml.ScalarNode):
                message = (
                    f"*{event.anchor} repeats a list or group; an alias may only repeat a single value "
                    "(write the list or group out here)"
                )
                raise _Refused(event.start_mark, field, message)
            self.aliases += 1
            if self.aliases > ALIASES.value:
                raise _Refused(event.start_mark, field, f"more than {ALIASES} in the file; write the values out")
        elif self.depth > DEPTH.value + 1:
            message = f"nested more than {DEPTH} deep; no field of the content goes this deep"
            raise _Refused(event.start_mark, field, message)


def _tolerant(construct: Callable[..., Any]) -> Callable[[SafeConstructor, yaml.Node], Any]:
    """A constructor that returns the text as written when it cannot build the value.

    PyYAML raises plain ValueError (or KeyError...) on `2026-02-30`, `!!bool maybe`
    or a 5,000-digit number; the text then reaches validation, which says what is wrong.
    """

    def construct_or_text(loader: SafeConstructor, node: yaml.Node) -> Any:
        try:
            return construct(loader, node)
        except (ValueError, KeyError, AttributeError, TypeError, OverflowError):
            return node.value

    return construct_or_text


for _tag, _construct in (
    ("int", SafeConstructor.construct_yaml_int),
    ("float", SafeConstructor.construct_yaml_float),
    ("bool", SafeConstructor.construct_yaml_bool),
    ("timestamp", SafeConstructor.construct_yaml_timestamp),
):
    _BoundedLoader.add_constructor(f"tag:yaml.org,2002:{_tag}", _tolerant(_construct))  # type: ignore[type-var]


def parse(text: str, shown: str) -> tuple[yaml.Node, RawControls]:
    """The node tree of `text`; raises ContentError on a syntax error or a broken limit while reading."""
    raw = RawControls(text)
    loader = _BoundedLoader(raw.text)
    try:
        node = loader.get_single_node()
        if node is None:
            raise ContentError([Problem(shown, 1, 1, "(file)", "the file is empty")])
        return node, raw
    except _Refused as error:
        mark = error.problem_mark
        raise ContentError([_at(shown, mark, error.field, str(error.problem))]) from None
    except yaml.MarkedYAMLError as error:
        raise ContentError([_syntax(shown, error)]) from None
    finally:
        loader.dispose()


def construct(node: yaml.Node, shown: str) -> Any:
    """Python values from a tree that passed the walk."""
    loader = _BoundedLoader("")
    try:
        return loader.construct_document(node)
    except yaml.MarkedYAMLError as error:  # e.g. `!!binary` that is not base64, or an unknown !tag
        raise ContentError([_syntax(shown, error)]) from None
    finally:
        loader.dispose()


def _syntax(shown: str, error: yaml.MarkedYAMLError) -> Problem:
    mark = error.problem_mark or error.context_mark
    message = f"YAML syntax: {error.problem or error.context}; check the indentation and colons here"
    return _at(shown, mark, "(syntax)", message)


def _at(shown: str, mark: yaml.Mark | None, field: str, message: str) -> Problem:
    line, column = (mark.line + 1, mark.column + 1) if mark else (1, 1)
    return Problem(shown, line, column, field, message)


class Marks:
    """Where each field sits in the file, and what the walk found wrong on the way."""

    def __init__(self, shown: str, raw: RawControls):
        self.shown = shown
        self.raw = raw
        self.values: dict[FieldPath, yaml.Mark] = {}
        self.keys: dict[FieldPath, yaml.Mark] = {}
        self.found: list[tuple[FieldPath, str]] = []  # (field, what is wrong), in walk order
        self.covered: set[FieldPath] = set()  # fields whose value the walk has explained already
        self.structural = False  # a problem that leaves no values worth validating

    def walk(self, root: yaml.Node) -> list[Problem]:
        """Record positions and check limits below `root`; return the problems found."""
        stack: list[tuple[yaml.Node, FieldPath]] = [(root, ())]
        while stack:  # a loop, not recursion: cheap, and safe whatever the depth
            node, path = stack.pop()
            self.values.setdefault(path, node.start_mark)
            if node.tag not in _BoundedLoader.yaml_constructors:
                self._structural(path, node.start_mark, _unknown_tag(node.tag))
                continue
            stack += reversed(list(self._children(node, path)))
        return [self.at(path, dotted(path), message) for path, message in self.found]

    def _children(self, node: yaml.Node, path: FieldPath) -> Iterator[tuple[yaml.Node, FieldPath]]:
        if isinstance(node, yaml.ScalarNode):
            self._value_problem(path, self._scalar_problem(node, path))
        elif isinstance(node, yaml.SequenceNode):
            if len(node.value) > LIST.value:
                self._value_problem(path, f"has {len(node.value):,} items; at most {LIST} are allowed")
            for index, item in enumerate(node.value[: LIST.value]):
                yield item, (*path, index)
        elif isinstance(node, yaml.MappingNode):
            for key_node, value_node in node.value:
                name = self._key(key_node, path)
                if name is not None:
                    yield value_node, (*path, name)

    def _key(self, key: yaml.Node, path: FieldPath) -> str | None:
        """The field name, or None (and a problem) when the key is not a plain name."""
        if key.tag == MERGE:
            self._structural(path, key.start_mark, "'<<' (a YAML merge) is not used here; write the fields out")
            return None
        if not isinstance(key, yaml.ScalarNode) or key.tag != STR:
            what = "a list or group" if not isinstance(key, yaml.ScalarNode) else shown(key.value, 30)
            self._structural(path, key.start_mark, f"a field name must be a word followed by ':', not {what}")
            return None
        child = (*path, str(key.value))
        if child in self.keys:  # filed at this key's own place: a third one must not point at the second
            message = "this field appears twice; the second one would replace the first"
            self.found.append(((*child, f"@{key.start_mark.line}:{key.start_mark.column}"), message))
            self.keys[self.found[-1][0]] = key.start_mark
        self.keys[child] = key.start_mark
        return str(key.value)

    def _structural(self, path: FieldPath, mark: yaml.Mark, message: str) -> None:
        self.structural = True
        place = (*path, f"@{mark.line}:{mark.column}")  # its own place: there is no field name to file it under
        self.keys[place] = mark
        self.found.append((place, message))

    def _value_problem(self, path: FieldPath, message: str | None) -> None:
        if message:
            self.found.append((path, message))
            self.covered.add(path)

    def _scalar_problem(self, node: yaml.ScalarNode, path: FieldPath) -> str | None:
        value = str(node.value)
        if node.tag in (INT, FLOAT) and sum(ch.isdigit() for ch in value) > DIGITS.value:
            return f"this number has more than {DIGITS}; no field needs a number this long"
        if node.tag != STR:
            return None
        name = str(path[-1]) if path else ""
        if len(value) > TEXT.value and name != "booking_url":  # that one has its own, shorter limit
            return f"is {len(value):,} characters long; at most {TEXT} are allowed (split it, or shorten it)"
        bad = first_unprintable(value)
        if bad == STAND_IN:
            bad = self.raw.between(node.start_mark.index, node.end_mark.index) or bad
        if bad is not None:
            return unprintable_message(bad)
        word = None if name in NOT_PROSE else first_long_word(value)
        if word is not None:
            return (
                f"the word {shown(word, 24)} has {len(word):,} characters; a word longer than {WORD} "
                "does not fit on a line: add a space or a hyphen, or shorten it"
            )
        return None

    def at(self, path: FieldPath, field: str, message: str) -> Problem:
        """A problem at the key of `path` (or its list item), else at the nearest enclosing field."""
        while path not in self.values and path not in self.keys and path:
            path = path[:-1]
        mark = self.keys.get(path) or self.values[path]
        return Problem(self.shown, mark.line + 1, mark.column + 1, field, message)

    def explained(self, path: FieldPath) -> bool:
        """True when the walk has already said what is wrong with `path` or a field around it."""
        return any(path[:length] in self.covered for length in range(len(path) + 1))


def _unknown_tag(tag: str) -> str:
    if tag == VALUE:
        return "'=' alone has a special meaning in YAML; put it in quotes: '='"
    written = tag.replace("tag:yaml.org,2002:", "!!")
    return f"{shown(written, 40)} is not a kind of value the content uses; remove it"


def unprintable_message(ch: str) -> str:
    """Why a character of the content cannot be printed, naming it (content is not patient data)."""
    code = f"U+{ord(ch):04X}"
    if ch == STAND_IN:
        return f"contains {code}, the sign of text damaged when it was copied or converted; retype the text around it"
    if unicodedata.category(ch) in ("Co", "Cn"):
        return f"contains {code}, a private or unassigned character that no typeface prints; delete it"
    return f"contains an invisible control character ({code}); delete it (your editor may not show it)"


def shown(value: Any, width: int = 60) -> str:
    """A value as messages quote it: repr, cut to `width` characters so a huge value cannot flood the terminal."""
    text = repr(value)
    return text if len(text) <= width else text[: width - 1] + "…"


def dotted(path: FieldPath) -> str:
    """A field path as written in messages: `causes[2].title`."""
    text = ""
    for part in path:
        if isinstance(part, int):
            text += f"[{part}]"
        elif part.startswith("@"):  # the place of a key that is not a name (see Marks._structural)
            continue
        else:
            text += "." + (part if part.isprintable() and len(part) <= 40 else shown(part, 40))
    return text.lstrip(".") or "(top level)"
