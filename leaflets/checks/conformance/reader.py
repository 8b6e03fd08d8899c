"""The PDF as every rule family reads it, read once with pikepdf: the structure tree, the ParentTree that maps
content back to it, the pages and their parsed content streams.

`Document` is made once per check; each family reads what it needs from it. Structure elements are listed
in tree (reading) order once, and each content stream is parsed once, however many families walk it.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path

import pikepdf

#: The standard structure types of ISO 32000-1, 14.8.4.
_STANDARD = (
    "Document Part Art Sect Div BlockQuote Caption TOC TOCI Index NonStruct Private P H H1 H2 H3 H4 H5 H6 "
    "L LI Lbl LBody Table TR TH TD THead TBody TFoot Span Quote Note Reference BibEntry Code Link Annot "
    "Ruby RB RT RP Warichu WT WP Figure Formula Form"
)
STANDARD_TYPES = frozenset(_STANDARD.split())
HEADING = re.compile(r"^H([1-6])$")
#: The end of a message about something the leaflet generator itself does wrong: nothing in the content causes it.
REPORT_IT = "a fault in the leaflet generator, not in the content: report it"
#: One parsed instruction of a content stream (an inline image is one too).
Instruction = pikepdf.ContentStreamInstruction | pikepdf.ContentStreamInlineImage


@dataclass(frozen=True)
class Problem:
    """One rule broken: the rule's id, the page (1-based; None for the whole document) and what is wrong."""

    rule: str
    page: int | None
    message: str

    def __str__(self) -> str:
        where = f"page {self.page}" if self.page is not None else "document"
        return f"{self.rule} ({where}): {self.message}"


@dataclass(frozen=True)
class Report:
    """What was checked and what failed."""

    checked: tuple[str, ...]
    problems: tuple[Problem, ...]

    @property
    def passed(self) -> bool:
        """True when no checked rule failed."""
        return not self.problems


@dataclass(eq=False)
class Element:
    """A structure element as the checks see it."""

    obj: pikepdf.Object  # the structure element dictionary
    type: str  # the /S name, without the slash
    standard: str | None  # the standard type it is (or maps to); None if it maps to none
    parent: Element | None
    page: int | None  # 1-based
    kids: list[Element] = field(default_factory=list)
    mcids: list[tuple[int | None, int]] = field(default_factory=list)  # (page, MCID)
    objrs: list[pikepdf.Object] = field(default_factory=list)  # annotations (or other objects) it tags

    def walk(self) -> Iterator[Element]:
        """This element and every descendant, in tree (reading) order."""
        yield self
        for kid in self.kids:
            yield from kid.walk()


class StructureTree:
    """The structure tree read from StructTreeRoot, with the ParentTree that maps content back to it.

    An element met twice, or without a parent (P), is a problem of rule 7.1-12, kept in `problems`.
    """

    def __init__(self, pdf: pikepdf.Pdf) -> None:
        self.pages = {page.obj.objgen: number for number, page in enumerate(pdf.pages, start=1)}
        root = pdf.Root.get("/StructTreeRoot")
        self.root = root if isinstance(root, pikepdf.Dictionary) else None
        role_map = self.root.get("/RoleMap") if self.root is not None else None
        self.role_map: pikepdf.Object = role_map if isinstance(role_map, pikepdf.Dictionary) else pikepdf.Dictionary()
        self.problems: list[Problem] = []
        self.elements: list[Element] = []  # top level, in order
        self._seen: set[tuple[int, int]] = set()
        if self.root is not None:
            self.elements = list(self._kids(self.root.get("/K"), None, None))
        self.parent_tree = number_tree(self.root.get("/ParentTree")) if self.root is not None else {}
        self._everything = [e for top in self.elements for e in top.walk()]
        self._by_object = {e.obj.objgen: e for e in self._everything if e.obj.is_indirect}

    def walk(self) -> Iterator[Element]:
        """Every element, in tree order."""
        return iter(self._everything)

    def element(self, obj: object) -> Element | None:
        """The element whose dictionary is the indirect object `obj`, if any (e.g. a ParentTree entry)."""
        if not isinstance(obj, pikepdf.Object) or not obj.is_indirect:
            return None
        return self._by_object.get(obj.objgen)

    def standard(self, name: str) -> str | None:
        """The standard type `name` is or maps to through the RoleMap; None if none (or a cycle)."""
        seen = set()
        while name not in STANDARD_TYPES:
            if name in seen or f"/{name}" not in self.role_map:
                return None
            seen.add(name)
            name = str(self.role_map[f"/{name}"])[1:]
        return name

    def _kids(self, k: object, parent: Element | None, page: int | None) -> Iterator[Element]:
        items = list(k) if isinstance(k, pikepdf.Array) else [] if k is None else [k]
        for item in items:
            if isinstance(item, int):  # a bare MCID on the parent's page
                if parent is not None:
                    parent.mcids.append((page, int(item)))
            elif isinstance(item, pikepdf.Dictionary):
                kind = item.get("/Type")
                if kind == "/MCR" and parent is not None:
                    parent.mcids.append((self._page(item, page), int(item.MCID)))
                elif kind == "/OBJR" and parent is not None:
                    parent.objrs.append(item.get("/Obj", pikepdf.Dictionary()))
                elif "/S" in item:
                    element = self._element(item, parent, page)
                    if element is not None:
                        yield element

    def _element(self, obj: pikepdf.Object, parent: Element | None, page: int | None) -> Element | None:
        if obj.is_indirect:
            if obj.objgen in self._seen:
                self.problems.append(Problem("7.1-12", page, f"structure element {obj.objgen} appears twice"))
                return None
            self._seen.add(obj.objgen)
        name = str(obj.S)[1:]
        element = Element(obj, name, self.standard(name), parent, self._page(obj, page))
        if "/P" not in obj:
            self.problems.append(Problem("7.1-12", element.page, f"a /{name} element has no parent (P)"))
        element.kids = list(self._kids(obj.get("/K"), element, element.page))
        return element

    def _page(self, obj: pikepdf.Object, inherited: int | None) -> int | None:
        page = obj.get("/Pg")
        return self.pages.get(page.objgen, inherited) if isinstance(page, pikepdf.Dictionary) else inherited


class Document:
    """An open PDF as the rule families read it: its structure tree, pages and content streams, each read once."""

    def __init__(self, pdf: pikepdf.Pdf) -> None:
        self.pdf = pdf
        self.root = pdf.Root
        self.tree = StructureTree(pdf)
        #: (1-based number, page dictionary) of every page.
        self.pages = [(number, page.obj) for number, page in enumerate(pdf.pages, start=1)]
        self._parsed: dict[tuple[int, int], list[Instruction]] = {}

    @cached_property
    def xmp(self) -> pikepdf.models.PdfMetadata | None:
        """The XMP metadata, parsed once; None when the catalog has no Metadata stream."""
        return self.pdf.open_metadata() if "/Metadata" in self.root else None

    @cached_property
    def archival(self) -> bool:
        """True when the XMP metadata says the file is PDF/A (pdfaid:part)."""
        return self.xmp is not None and self.xmp.get("pdfaid:part") is not None

    def instructions(self, stream: pikepdf.Object) -> list[Instruction]:
        """A page's (all its content streams) or a form XObject's instructions, parsed once."""
        key = stream.objgen
        if key == (0, 0):
            return list(pikepdf.parse_content_stream(stream))
        if key not in self._parsed:
            self._parsed[key] = list(pikepdf.parse_content_stream(stream))
        return self._parsed[key]


def page_annotations(page: pikepdf.Object) -> list[pikepdf.Object]:
    """A page's annotations."""
    return list(page.get("/Annots", pikepdf.Array()))


def resources(found: pikepdf.Object, seen: set[tuple[int, int]] | None = None) -> Iterator[pikepdf.Object]:
    """A resource dictionary and those of every form XObject (and Type 3 font) under it."""
    seen = set() if seen is None else seen
    yield found
    inner = [
        *found.get("/XObject", pikepdf.Dictionary()).values(),
        *found.get("/Font", pikepdf.Dictionary()).values(),
    ]
    for item in inner:
        if "/Resources" in item and (item.objgen not in seen or item.objgen == (0, 0)):
            seen.add(item.objgen)
            yield from resources(item.Resources, seen)


def page_resources(page: pikepdf.Object) -> Iterator[pikepdf.Object]:
    """The resource dictionaries a page draws with: its own and those of the forms and fonts under it."""
    return resources(page.get("/Resources", pikepdf.Dictionary()))


def is_true(value: object) -> bool:
    """A PDF boolean that is true (pikepdf gives Python's True), not merely something truthy."""
    return value is True


def same(first: object, second: object) -> bool:
    """The same indirect object (identity, not a deep comparison of two trees that point at each other)."""
    return (
        isinstance(first, pikepdf.Object)
        and isinstance(second, pikepdf.Object)
        and first.is_indirect
        and second.is_indirect
        and first.objgen == second.objgen
    )


def number_tree(node: object) -> dict[int, pikepdf.Object]:
    """A number tree (ParentTree) as a dict, following /Kids."""
    found: dict[int, pikepdf.Object] = {}
    if not isinstance(node, pikepdf.Dictionary):
        return found
    nums = node.get("/Nums", pikepdf.Array())
    for index in range(0, len(nums) - 1, 2):
        found[int(nums[index])] = nums[index + 1]
    for kid in node.get("/Kids", pikepdf.Array()):
        found.update(number_tree(kid))
    return found


def path(element: Element) -> str:
    """Where an element sits, e.g. 'Document > Sect > L', for messages."""
    names = []
    node: Element | None = element
    while node is not None:
        names.append(node.type)
        node = node.parent
    return " > ".join(reversed(names))


def kid_types(element: Element) -> list[str]:
    """The standard types (or, unmapped, the types) of an element's kids, in order."""
    return [kid.standard or kid.type for kid in element.kids]


def marked_texts(path: Path) -> dict[tuple[int | None, int], str]:
    """The text of each marked-content sequence, by (page, MCID), in the order it is painted."""
    import pdfplumber  # late: only reading order and language checks need the text itself

    texts: dict[tuple[int | None, int], str] = {}
    with pdfplumber.open(path) as pdf:
        for number, page in enumerate(pdf.pages, start=1):
            for char in page.chars:
                if char.get("mcid") is not None:
                    key = (number, int(char["mcid"]))
                    texts[key] = texts.get(key, "") + char["text"]
    return texts
