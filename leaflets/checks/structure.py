"""PDF/UA-1 checks on a written PDF, read with pikepdf, rule by rule as veraPDF numbers them.

veraPDF, the reference validator for PDF/UA-1 (ISO 14289-1), is a Java
program; this module re-implements the rules of its PDF/UA-1 profile that a
leaflet can break, from the rule texts, so the quality gate and the tests can
run them anywhere. Every problem names the rule (veraPDF's id, e.g.
"7.18.5-1"), the page and what is wrong; `RULES` lists what is checked and
`NOT_CHECKED` what is not (font-program internals, which no template or
stylesheet here can change). A file whose XMP metadata claims PDF/A (the
discharge handouts) is also checked against the PDF/A-2 rules in
`PDFA_RULES`, those WeasyPrint breaks unless leaflets/render/conformance.py
puts them right.

Where veraPDF's newest releases let `Div`, `NonStruct` and `Part` pass
through list and table checks, these checks do not: a list holds its items
directly, as earlier veraPDF releases and screen readers expect.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path

import pikepdf

from leaflets.checks import glyphs

#: veraPDF PDF/UA-1 rules checked here, with what each requires.
RULES: dict[str, str] = {
    "5-1": "the XMP metadata declares PDF/UA conformance (pdfuaid:part)",
    "5-2": "pdfuaid:part is 1",
    "7.1-1": "no Artifact inside tagged content",
    "7.1-2": "no tagged content inside an Artifact",
    "7.1-3": "all content is tagged (an MCID that the ParentTree maps to a structure element) or an Artifact",
    "7.1-4": "MarkInfo/Suspects is not true",
    "7.1-5": "every structure type is standard or role-mapped to a standard type",
    "7.1-7": "standard structure types are not remapped",
    "7.1-8": "the catalog has an XMP Metadata stream",
    "7.1-9": "the XMP metadata has a dc:title",
    "7.1-10": "ViewerPreferences/DisplayDocTitle is true",
    "7.1-11": "the catalog has a StructTreeRoot",
    "7.1-12": "every structure element has a parent (P)",
    "7.2-3": "a Table holds only TR, THead, TBody, TFoot and one Caption first or last",
    "7.2-4": "a TR sits in a Table, THead, TBody or TFoot",
    "7.2-8": "a TH sits in a TR",
    "7.2-9": "a TD sits in a TR",
    "7.2-10": "a TR holds only TH and TD",
    "7.2-17": "an LI sits in an L",
    "7.2-18": "an LBody (and an Lbl) sits in an LI",
    "7.2-19": "an L holds only LI and L, and at most one Caption, first",
    "7.2-20": "an LI holds only Lbl and LBody",
    "7.2-21": "the language of ActualText can be determined",
    "7.2-22": "the language of Alt text can be determined",
    "7.2-24": "the language of annotation Contents can be determined",
    "7.2-29": "every Lang (catalog, structure element, marked content) is a language tag",
    "7.2-34": "the language of all text can be determined (catalog Lang, or Lang on the text's elements)",
    "7.3-1": "every Figure has alternative text (Alt or ActualText)",
    "7.4.2-1": "numbered headings start at H1 and never skip a level going down",
    "7.4.4-1": "no element holds more than one H",
    "7.4.4-2": "a document does not mix H and H1-H6",
    "7.5-1": "table headers are determinable: every TH has a Scope, or every TD names its headers",
    "7.9-1": "every Note has an ID",
    "7.10-1": "every optional content configuration has a Name",
    "7.10-2": "no optional content configuration has an AS entry",
    "7.16-1": "an encrypted file lets assistive technology extract its text (P bit 10)",
    "7.18.1-1": "an annotation other than Link, Widget or Popup is tagged under an Annot",
    "7.18.1-2": "such an annotation has Contents or Alt",
    "7.18.1-3": "a form field has a TU (tooltip) or its widget an Alt",
    "7.18.2-1": "no TrapNet annotation",
    "7.18.3-1": "a page with annotations has Tabs /S",
    "7.18.4-1": "a Widget annotation is tagged under a Form",
    "7.18.5-1": "a Link annotation is tagged under a Link, through an OBJR",
    "7.18.5-2": "a Link annotation has a description in Contents",
    "7.18.8-1": "a PrinterMark annotation is not in the structure tree",
    "7.20-1": "no reference XObjects",
    "7.21.3.2-1": "an embedded CIDFontType2 has a CIDToGIDMap",
    "7.21.4.1-1": "every font used is embedded",
    "7.21.7-1": "every font maps every code it draws to Unicode text (ToUnicode; PDF/A-2 6.2.11.7.2-1 and -2)",
}

#: veraPDF PDF/A-2 rules (ISO 19005-2) checked when the XMP metadata claims PDF/A.
PDFA_RULES: dict[str, str] = {
    "6.2.8-3": "no image is marked for smoothing (Interpolate true)",
    "6.3.3-1": "every annotation but a Link or Popup (a form field too) has an appearance (AP with N)",
    "6.4.1-3": "the form does not ask viewers to draw its fields (NeedAppearances true)",
}
#: The end of a message about something the leaflet generator itself does wrong: nothing in the content causes it.
REPORT_IT = "a fault in the leaflet generator, not in the content: report it"

#: Rules beyond veraPDF's numbered tests (ISO 14289-1 requirements it does not test by number).
EXTRA_RULES: dict[str, str] = {
    "7.1:marked": "MarkInfo/Marked is true (ISO 14289-1 7.1; veraPDF tests it in PDF/A-2a)",
    "7.4:empty": "every heading has text (a blank entry in a screen reader's list of headings)",
    "7.2:parts": "text in a language other than the document's sits under a structure element with that Lang",
}

#: veraPDF PDF/UA-1 rules not checked here: they read font programs, glyphs and media clips.
NOT_CHECKED: dict[str, str] = {
    "7.2-2": "natural language of outline entries (no outlines are written)",
    "7.2-15": "tables are regular (no tables are written)",
    "7.11-1": "embedded file specifications (no files are embedded)",
    "7.15-1": "dynamic XFA forms (none are written)",
    "7.18.6.2-1/2": "media clip data (no media)",
    "7.20-2": "form XObjects with MCIDs used more than once",
    "7.21.3.1-1, 7.21.3.3-1/2/3": "CMaps other than Identity-H",
    "7.21.4.1-2, 7.21.4.2-1/2, 7.21.5-1, 7.21.6-1/2/3/4, 7.21.7-2, 7.21.8-1": "glyphs inside the font programs",
}

#: The standard structure types of ISO 32000-1, 14.8.4.
_STANDARD = (
    "Document Part Art Sect Div BlockQuote Caption TOC TOCI Index NonStruct Private P H H1 H2 H3 H4 H5 H6 "
    "L LI Lbl LBody Table TR TH TD THead TBody TFoot Span Quote Note Reference BibEntry Code Link Annot "
    "Ruby RB RT RP Warichu WT WP Figure Formula Form"
)
STANDARD_TYPES = frozenset(_STANDARD.split())
LANGUAGE_TAG = re.compile(r"^[a-zA-Z]{1,8}(-[a-zA-Z0-9]{1,8})*$")
TEXT_OPERATORS = frozenset(["Tj", "TJ", "'", '"'])
PAINT_OPERATORS = frozenset(["S", "s", "f", "F", "f*", "B", "B*", "b", "b*", "sh", "EI", "INLINE IMAGE"])
HEADING = re.compile(r"^H([1-6])$")


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


def check_file(path: Path, other_languages: Mapping[str, str] | None = None) -> Report:
    """Check a PDF file; `other_languages` maps phrases printed in another language to their language tag."""
    with pikepdf.open(path) as pdf:
        report = check(pdf)
    if other_languages:
        problems = language_of_parts(path, other_languages)
        report = Report((*report.checked, "7.2:parts"), (*report.problems, *problems))
    return report


def check(pdf: pikepdf.Pdf) -> Report:
    """Every rule in RULES and `7.1:marked`, on an open PDF; and PDFA_RULES if it claims PDF/A."""
    tree = StructureTree(pdf)
    archival = claims_pdf_a(pdf)
    problems = [
        *_identification(pdf),
        *_document(pdf),
        *tree.problems,
        *_content(pdf, tree),
        *_types(tree),
        *_lists(tree),
        *_tables(tree),
        *_figures_and_notes(tree),
        *_headings(tree),
        *_languages(pdf, tree),
        *_annotations(pdf, tree),
        *_fonts_and_xobjects(pdf),
        *_glyph_text(pdf, archival),
        *(_archival(pdf) if archival else ()),
    ]
    checked = (*RULES, *(rule for rule in EXTRA_RULES if rule != "7.2:parts"), *(PDFA_RULES if archival else ()))
    return Report(checked, _once(problems))


def claims_pdf_a(pdf: pikepdf.Pdf) -> bool:
    """True when the XMP metadata says the file is PDF/A (pdfaid:part)."""
    return "/Metadata" in pdf.Root and pdf.open_metadata().get("pdfaid:part") is not None


def _once(problems: list[Problem]) -> tuple[Problem, ...]:
    """Each problem once, in order, with how often it occurs: one cause tends to repeat for every list item."""
    counts = Counter(problems)
    return tuple(Problem(p.rule, p.page, f"{p.message} ({n} times)" if n > 1 else p.message) for p, n in counts.items())


# --- the structure tree ----------------------------------------------------------------------------------------


class StructureTree:
    """The structure tree read from StructTreeRoot, with the ParentTree that maps content back to it."""

    def __init__(self, pdf: pikepdf.Pdf) -> None:
        self.pdf = pdf
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
        self.parent_tree = _number_tree(self.root.get("/ParentTree")) if self.root is not None else {}

    def walk(self) -> Iterator[Element]:
        """Every element, in tree order."""
        for element in self.elements:
            yield from element.walk()

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


def _true(value: object) -> bool:
    """A PDF boolean that is true (pikepdf gives Python's True), not merely something truthy."""
    return value is True


def _number_tree(node: object) -> dict[int, pikepdf.Object]:
    """A number tree (ParentTree) as a dict, following /Kids."""
    found: dict[int, pikepdf.Object] = {}
    if not isinstance(node, pikepdf.Dictionary):
        return found
    nums = node.get("/Nums", pikepdf.Array())
    for index in range(0, len(nums) - 1, 2):
        found[int(nums[index])] = nums[index + 1]
    for kid in node.get("/Kids", pikepdf.Array()):
        found.update(_number_tree(kid))
    return found


def _path(element: Element) -> str:
    """Where an element sits, e.g. 'Document > Sect > L', for messages."""
    names = []
    node: Element | None = element
    while node is not None:
        names.append(node.type)
        node = node.parent
    return " > ".join(reversed(names))


def _kid_types(element: Element) -> list[str]:
    return [kid.standard or kid.type for kid in element.kids]


# --- document level ---------------------------------------------------------------------------------------------


def _identification(pdf: pikepdf.Pdf) -> Iterator[Problem]:
    """5-1, 5-2, 7.1-8, 7.1-9: the XMP metadata says PDF/UA-1 and names the document."""
    if "/Metadata" not in pdf.Root:
        yield Problem("7.1-8", None, "the catalog has no XMP Metadata stream")
        return
    metadata = pdf.open_metadata()
    part = metadata.get("pdfuaid:part")
    if part is None:
        yield Problem("5-1", None, "the XMP metadata does not declare PDF/UA (no pdfuaid:part)")
    elif str(part).strip() != "1":
        yield Problem("5-2", None, f"pdfuaid:part is {part!s}, not 1")
    if not str(metadata.get("dc:title") or "").strip():
        yield Problem("7.1-9", None, "the XMP metadata has no dc:title")


def _document(pdf: pikepdf.Pdf) -> Iterator[Problem]:
    """7.1-4, 7.1-10, 7.1-11, 7.1:marked, 7.10-1/2, 7.16-1."""
    root = pdf.Root
    preferences = root.get("/ViewerPreferences", pikepdf.Dictionary())
    if not _true(preferences.get("/DisplayDocTitle")):
        yield Problem("7.1-10", None, "ViewerPreferences/DisplayDocTitle is not true: viewers show the file name")
    if "/StructTreeRoot" not in root:
        yield Problem("7.1-11", None, "the catalog has no StructTreeRoot: the PDF is not tagged")
    mark_info = root.get("/MarkInfo", pikepdf.Dictionary())
    if not _true(mark_info.get("/Marked")):
        yield Problem("7.1:marked", None, "MarkInfo/Marked is not true")
    if _true(mark_info.get("/Suspects")):
        yield Problem("7.1-4", None, "MarkInfo/Suspects is true")
    properties = root.get("/OCProperties")
    if isinstance(properties, pikepdf.Dictionary):
        configs = [properties.get("/D"), *properties.get("/Configs", pikepdf.Array())]
        for config in (c for c in configs if isinstance(c, pikepdf.Dictionary)):
            if not str(config.get("/Name", "")):
                yield Problem("7.10-1", None, "an optional content configuration has no Name")
            if "/AS" in config:
                yield Problem("7.10-2", None, "an optional content configuration has an AS entry")
    if pdf.is_encrypted and not int(pdf.encryption.P) & 512:
        yield Problem("7.16-1", None, "the file is encrypted without permission to extract text for accessibility")


# --- content: tagged or artifact -------------------------------------------------------------------------------


def _content(pdf: pikepdf.Pdf, tree: StructureTree) -> Iterator[Problem]:
    """7.1-1, 7.1-2, 7.1-3: every painted thing is an Artifact or marked with an MCID the ParentTree maps."""
    for number, page in enumerate(pdf.pages, start=1):
        mapped = tree.parent_tree.get(int(page.obj.get("/StructParents", -1)))
        mcids = list(mapped) if isinstance(mapped, pikepdf.Array) else []
        yield from _stream(page.obj, page.obj.get("/Resources", pikepdf.Dictionary()), [], number, mcids, set())


def _stream(
    stream: pikepdf.Object,
    resources: pikepdf.Object,
    marks: list[tuple[str, int | None]],
    page: int,
    mcids: list[pikepdf.Object],
    reported: set[str],
) -> Iterator[Problem]:
    """Walk one content stream (a page or a form XObject) with the marked-content stack it starts under."""
    stack = list(marks)
    for instruction in pikepdf.parse_content_stream(stream):
        operator = str(instruction.operator)
        operands = getattr(instruction, "operands", [])
        if operator in ("BDC", "BMC"):
            tag = str(operands[0])[1:]
            mcid = _mcid(operands[1], resources) if operator == "BDC" else None
            yield from _mark(tag, mcid, stack, page, mcids)
            stack.append((tag, mcid))
        elif operator == "EMC" and stack:
            stack.pop()
        elif operator == "Do":
            xobject = resources.get("/XObject", pikepdf.Dictionary()).get(operands[0])
            if isinstance(xobject, pikepdf.Stream) and xobject.get("/Subtype") == "/Form":
                inner = xobject.get("/Resources", resources)
                yield from _stream(xobject, inner, stack, page, mcids, reported)
            else:
                yield from _painted("an image", stack, page, reported)
        elif operator in TEXT_OPERATORS:
            yield from _painted("text", stack, page, reported)
        elif operator in PAINT_OPERATORS or isinstance(instruction, pikepdf.ContentStreamInlineImage):
            yield from _painted("a drawing", stack, page, reported)


def _mcid(properties: object, resources: pikepdf.Object) -> int | None:
    if isinstance(properties, pikepdf.Name):
        properties = resources.get("/Properties", pikepdf.Dictionary()).get(properties)
    if isinstance(properties, pikepdf.Dictionary) and "/MCID" in properties:
        return int(properties.MCID)
    return None


def _mark(
    tag: str, mcid: int | None, stack: list[tuple[str, int | None]], page: int, mcids: list[pikepdf.Object]
) -> Iterator[Problem]:
    in_artifact = any(t == "Artifact" for t, _ in stack)
    in_tagged = any(m is not None for _, m in stack)
    if tag == "Artifact" and in_tagged:
        yield Problem("7.1-1", page, "an Artifact is marked inside tagged content")
    if mcid is not None:
        if in_artifact:
            yield Problem("7.1-2", page, f"tagged content (MCID {mcid}) is marked inside an Artifact")
        if mcid >= len(mcids) or not isinstance(mcids[mcid], pikepdf.Dictionary):
            yield Problem("7.1-3", page, f"MCID {mcid} has no structure element in the ParentTree")


def _painted(what: str, stack: list[tuple[str, int | None]], page: int, reported: set[str]) -> Iterator[Problem]:
    tagged = any(m is not None for _, m in stack) or any(t == "Artifact" for t, _ in stack)
    if not tagged and what not in reported:  # once per kind and page: one stray run is enough to act on
        reported.add(what)
        yield Problem("7.1-3", page, f"{what} is neither tagged nor marked as an Artifact")


# --- structure types, lists, tables, figures, headings -----------------------------------------------------------


def _types(tree: StructureTree) -> Iterator[Problem]:
    """7.1-5, 7.1-7: standard types, and no remapping of them."""
    for name in tree.role_map.keys() if isinstance(tree.role_map, pikepdf.Dictionary) else []:
        if name[1:] in STANDARD_TYPES:
            yield Problem("7.1-7", None, f"the RoleMap remaps the standard type {name[1:]}")
    for element in tree.walk():
        if element.standard is None:
            yield Problem("7.1-5", element.page, f"/{element.type} is not a standard type and maps to none")


def _lists(tree: StructureTree) -> Iterator[Problem]:
    """7.2-17 to 7.2-20: L > LI > Lbl/LBody and nothing else."""
    for element in tree.walk():
        parent = element.parent.standard if element.parent else None
        kind = element.standard
        if kind == "LI" and parent != "L":
            yield Problem("7.2-17", element.page, f"an LI sits in {parent} ({_path(element)})")
        if kind in ("LBody", "Lbl") and parent != "LI":
            yield Problem("7.2-18", element.page, f"an {kind} sits in {parent} ({_path(element)})")
        kids = _kid_types(element)
        if kind == "L":
            body = kids[1:] if kids[:1] == ["Caption"] else kids
            stray = sorted({k for k in body if k not in ("LI", "L")})
            if stray or element.mcids:
                what = ", ".join(stray) or "bare text"
                message = f"a list (L) holds {what}, not only list items ({_path(element)})"
                yield Problem("7.2-19", element.page, message)
        if kind == "LI":
            stray = sorted({k for k in kids if k not in ("Lbl", "LBody")})
            if stray or element.mcids:
                what = ", ".join(stray) or "bare text"
                yield Problem("7.2-20", element.page, f"a list item (LI) holds {what} ({_path(element)})")


def _tables(tree: StructureTree) -> Iterator[Problem]:
    """7.2-3, 7.2-4, 7.2-8 to 7.2-10 and 7.5-1: rows and cells where they belong, headers determinable."""
    rows = {"Table", "THead", "TBody", "TFoot"}
    for element in tree.walk():
        parent = element.parent.standard if element.parent else None
        kind, kids = element.standard, _kid_types(element)
        if kind == "Table":
            inner = kids[1:] if kids[:1] == ["Caption"] else kids[:-1] if kids[-1:] == ["Caption"] else kids
            if any(k not in ("TR", "THead", "TBody", "TFoot") for k in inner):
                yield Problem("7.2-3", element.page, f"a Table holds {', '.join(sorted(set(inner)))}")
            yield from _table_headers(element)
        elif kind == "TR" and parent not in rows:
            yield Problem("7.2-4", element.page, f"a TR sits in {parent}")
        elif kind in ("TH", "TD") and parent != "TR":
            yield Problem("7.2-8" if kind == "TH" else "7.2-9", element.page, f"a {kind} sits in {parent}")
        if kind == "TR" and any(k not in ("TH", "TD") for k in kids):
            yield Problem("7.2-10", element.page, f"a TR holds {', '.join(sorted(set(kids)))}")


def _table_headers(table: Element) -> Iterator[Problem]:
    """7.5-1: every TD names existing header IDs, or else every TH has a Scope."""
    cells = [e for e in table.walk() if e.standard in ("TH", "TD")]
    ids = {str(e.obj.get("/ID")) for e in cells if e.standard == "TH" and "/ID" in e.obj}
    data = [e for e in cells if e.standard == "TD"]
    by_headers = bool(data) and all(
        (headers := _attribute(e, "/Headers")) is not None and {str(h) for h in headers} <= ids and len(headers) > 0
        for e in data
    )
    if by_headers:
        return
    for header in (e for e in cells if e.standard == "TH"):
        if _attribute(header, "/Scope") is None:
            yield Problem("7.5-1", header.page, "a TH has no Scope and the table's cells do not name their headers")


def _attribute(element: Element, key: str) -> pikepdf.Object | None:
    """An attribute from the element's /A (a dictionary or an array of them)."""
    attributes = element.obj.get("/A")
    for attribute in attributes if isinstance(attributes, pikepdf.Array) else [attributes]:
        if isinstance(attribute, pikepdf.Dictionary) and key in attribute:
            return attribute[key]
    return None


def _figures_and_notes(tree: StructureTree) -> Iterator[Problem]:
    """7.3-1 and 7.9-1: Figures have alternative text; Notes have an ID."""
    for element in tree.walk():
        if element.standard == "Figure":
            alt, actual = str(element.obj.get("/Alt", "")).strip(), element.obj.get("/ActualText")
            if not alt and actual is None:
                yield Problem("7.3-1", element.page, f"a Figure has no alternative text ({_path(element)})")
        if element.standard == "Note" and not str(element.obj.get("/ID", "")):
            yield Problem("7.9-1", element.page, "a Note has no ID")


def _headings(tree: StructureTree) -> Iterator[Problem]:
    """7.4.2-1, 7.4.4-1, 7.4.4-2, 7.4:empty: headings start at H1, go down one level at a time, and have text."""
    previous = 0
    uses_h = uses_hn = False
    for element in tree.walk():
        kind = element.standard or ""
        if _kid_types(element).count("H") > 1:
            yield Problem("7.4.4-1", element.page, f"/{element.type} holds more than one H")
        uses_h = uses_h or kind == "H"
        match = HEADING.match(kind)
        if not match:
            continue
        uses_hn = True
        level = int(match.group(1))
        if not any(e.mcids for e in element.walk()) and "/ActualText" not in element.obj:
            yield Problem("7.4:empty", element.page, f"an H{level} has no text")
        if previous == 0 and level != 1:
            yield Problem("7.4.2-1", element.page, f"the first heading is H{level}, not H1")
        elif previous and level > previous + 1:
            yield Problem("7.4.2-1", element.page, f"H{level} follows H{previous}: a level is skipped")
        previous = level
    if uses_h and uses_hn:
        yield Problem("7.4.4-2", None, "the document uses both H and H1-H6")


# --- languages ---------------------------------------------------------------------------------------------------


def _languages(pdf: pikepdf.Pdf, tree: StructureTree) -> Iterator[Problem]:
    """7.2-21, 7.2-22, 7.2-24, 7.2-29, 7.2-34: every Lang is a language tag, and every text's language is known."""
    document = str(pdf.Root.get("/Lang", "")).strip()
    if "/Lang" in pdf.Root and not LANGUAGE_TAG.match(document):
        yield Problem("7.2-29", None, f"the catalog's Lang {document!r} is not a language tag")
    for element in tree.walk():
        if "/Lang" in element.obj and not LANGUAGE_TAG.match(str(element.obj.Lang)):
            yield Problem("7.2-29", element.page, f"/{element.type} has Lang {str(element.obj.Lang)!r}")
    if document:
        return
    if not any(element.mcids for element in tree.walk()) or not all(
        _inherited_language(element) for element in tree.walk() if element.mcids
    ):
        yield Problem("7.2-34", None, "the document's language is not set (no Lang in the catalog)")
    for element in tree.walk():
        if _inherited_language(element):
            continue
        for key, rule in (("/ActualText", "7.2-21"), ("/Alt", "7.2-22")):
            if key in element.obj:
                yield Problem(rule, element.page, f"the language of {key[1:]} on /{element.type} cannot be determined")
    for number, page in enumerate(pdf.pages, start=1):
        for annotation in page.obj.get("/Annots", pikepdf.Array()):
            if "/Contents" in annotation and "/Lang" not in annotation:
                yield Problem("7.2-24", number, "the language of an annotation's Contents cannot be determined")


def _inherited_language(element: Element) -> str:
    node: Element | None = element
    while node is not None:
        if str(node.obj.get("/Lang", "")).strip():
            return str(node.obj.Lang)
        node = node.parent
    return ""


def language_of_parts(path: Path, phrases: Mapping[str, str]) -> list[Problem]:
    """7.2:parts: each phrase (in a language other than the document's) sits under an element with its Lang."""
    found = {phrase: False for phrase in phrases}
    with pikepdf.open(path) as pdf:
        tree = StructureTree(pdf)
        document = str(pdf.Root.get("/Lang", ""))
        texts = marked_texts(path)
        for element in tree.walk():
            text = " ".join(" ".join(texts.get(key, "") for key in e.mcids) for e in element.walk())
            text = " ".join(text.split())
            spoken_as = (_inherited_language(element) or document).lower()
            for phrase, language in phrases.items():
                if phrase in text and spoken_as == language.lower():
                    found[phrase] = True
    return [
        Problem("7.2:parts", None, f"{phrase!r} is in {phrases[phrase]} but no element around it says so (Lang)")
        for phrase, ok in found.items()
        if not ok
    ]


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


# --- annotations -------------------------------------------------------------------------------------------------


def _annotations(pdf: pikepdf.Pdf, tree: StructureTree) -> Iterator[Problem]:
    """7.18.x: every annotation is tagged under the right element, described, and pages with them tab in order."""
    for number, page in enumerate(pdf.pages, start=1):
        annotations = list(page.obj.get("/Annots", pikepdf.Array()))
        if annotations and page.obj.get("/Tabs") != "/S":
            yield Problem("7.18.3-1", number, "the page has annotations but no Tabs /S (tab order = structure)")
        box = [float(v) for v in page.obj.get("/CropBox", page.obj.MediaBox)]
        for annotation in annotations:
            if int(annotation.get("/F", 0)) & 2 or _outside(annotation, box):
                continue  # hidden, or off the page: exempt
            yield from _annotation(annotation, tree, number)


def _same(first: object, second: object) -> bool:
    """The same indirect object (identity, not a deep comparison of two trees that point at each other)."""
    return (
        isinstance(first, pikepdf.Object)
        and isinstance(second, pikepdf.Object)
        and first.is_indirect
        and second.is_indirect
        and first.objgen == second.objgen
    )


def _outside(annotation: pikepdf.Object, box: list[float]) -> bool:
    left, bottom, right, top = (float(v) for v in annotation.get("/Rect", [0, 0, 0, 0]))
    return right < box[0] or left > box[2] or top < box[1] or bottom > box[3]


def _annotation(annotation: pikepdf.Object, tree: StructureTree, page: int) -> Iterator[Problem]:
    subtype = str(annotation.get("/Subtype", ""))[1:]
    parent = tree.parent_tree.get(int(annotation.get("/StructParent", -1)))
    element = next((e for e in tree.walk() if _same(e.obj, parent)), None)
    tagged_as = element.standard if element else None
    points_back = element is not None and any(_same(o, annotation) for o in element.objrs)
    where = f"a {subtype} annotation"
    if subtype == "Link":
        action = annotation.get("/A", pikepdf.Dictionary())
        target = str(action.get("/URI", "") or annotation.get("/Dest", ""))
        where = f"the link to {target!r}" if target else "a link"
        if tagged_as != "Link" or not points_back:
            found = f"under {_path(element)}" if element else "not in the structure tree"
            yield Problem("7.18.5-1", page, f"{where} is tagged {found}, not under a Link through an OBJR")
        if not str(annotation.get("/Contents", "")).strip():
            yield Problem("7.18.5-2", page, f"{where} has no description (Contents)")
    elif subtype == "Widget":
        if tagged_as != "Form" or not points_back:
            yield Problem("7.18.4-1", page, "a form field's widget is not tagged under a Form")
        field = annotation.get("/Parent", annotation)
        if not str(field.get("/TU", "")).strip() and not (element and str(element.obj.get("/Alt", "")).strip()):
            yield Problem("7.18.1-3", page, "a form field has no TU (name read aloud) and its widget no Alt")
    elif subtype == "TrapNet":
        yield Problem("7.18.2-1", page, "a TrapNet annotation")
    elif subtype == "PrinterMark":
        if element is not None:
            yield Problem("7.18.8-1", page, "a PrinterMark annotation is in the structure tree")
    elif subtype != "Popup":
        if tagged_as != "Annot":
            yield Problem("7.18.1-1", page, f"{where} is not tagged under an Annot")
        alt = str(element.obj.get("/Alt", "")) if element else ""
        if not str(annotation.get("/Contents", "")).strip() and not alt.strip():
            yield Problem("7.18.1-2", page, f"{where} has neither Contents nor Alt")


# --- fonts and XObjects ------------------------------------------------------------------------------------------


def _fonts_and_xobjects(pdf: pikepdf.Pdf) -> Iterator[Problem]:
    """7.20-1, 7.21.3.2-1, 7.21.4.1-1, 7.21.7-1 for every font and form XObject the pages use."""
    fonts: dict[tuple[int, int], tuple[int, pikepdf.Object]] = {}
    for number, page in enumerate(pdf.pages, start=1):
        for resources in _resources(page.obj.get("/Resources", pikepdf.Dictionary()), set()):
            for font in resources.get("/Font", pikepdf.Dictionary()).values():
                fonts.setdefault(font.objgen, (number, font))
            for xobject in resources.get("/XObject", pikepdf.Dictionary()).values():
                if xobject.get("/Subtype") == "/Form" and "/Ref" in xobject:
                    yield Problem("7.20-1", number, "a reference XObject")
    for number, font in fonts.values():
        yield from _font(font, number)


def _resources(resources: pikepdf.Object, seen: set[tuple[int, int]]) -> Iterator[pikepdf.Object]:
    """A resource dictionary and those of every form XObject (and Type 3 font) under it."""
    yield resources
    inner = [
        *resources.get("/XObject", pikepdf.Dictionary()).values(),
        *resources.get("/Font", pikepdf.Dictionary()).values(),
    ]
    for item in inner:
        if "/Resources" in item and (item.objgen not in seen or item.objgen == (0, 0)):
            seen.add(item.objgen)
            yield from _resources(item.Resources, seen)


def _font(font: pikepdf.Object, page: int) -> Iterator[Problem]:
    subtype = str(font.get("/Subtype", ""))[1:]
    name = str(font.get("/BaseFont", "?"))[1:]
    if subtype == "Type3":
        return
    program = font.DescendantFonts[0] if subtype == "Type0" else font
    descriptor = program.get("/FontDescriptor", pikepdf.Dictionary())
    embedded = any(key in descriptor for key in ("/FontFile", "/FontFile2", "/FontFile3"))
    if not embedded:
        yield Problem("7.21.4.1-1", page, f"the font {name} is not embedded")
    if embedded and program.get("/Subtype") == "/CIDFontType2" and "/CIDToGIDMap" not in program:
        yield Problem("7.21.3.2-1", page, f"the font {name} has no CIDToGIDMap")
    standard = str(font.get("/Encoding", "")) in ("/WinAnsiEncoding", "/MacRomanEncoding", "/MacExpertEncoding")
    if "/ToUnicode" not in font and not (subtype != "Type0" and standard):
        yield Problem("7.21.7-1", page, f"the font {name} has no ToUnicode map: its text cannot be read aloud")


def _glyph_text(pdf: pikepdf.Pdf, archival: bool) -> Iterator[Problem]:
    """7.21.7-1 (PDF/A-2 6.2.11.7.2-1 and -2): every code a font draws has text in the font's ToUnicode map."""
    also = "; PDF/A-2 6.2.11.7.2-1" if archival else ""
    for drawn in glyphs.drawn_fonts(pdf):
        mapping = glyphs.unicode_map(drawn.font)
        if mapping is None:
            continue  # no map at all: `_font` says so
        lost = sum(1 for code in drawn.codes if not glyphs.readable(mapping.get(code)))
        if lost:
            yield Problem(
                "7.21.7-1",
                drawn.page,
                f"the font {drawn.name} draws {lost} glyph(s) with no Unicode text (ToUnicode{also}): "
                "screen readers skip them, and copied or searched text loses those letters; if the font is one "
                f"the content names in `fonts:`, try another font file; otherwise this is {REPORT_IT}",
            )


# --- PDF/A-2: images, annotations, forms -------------------------------------------------------------------------


def _archival(pdf: pikepdf.Pdf) -> Iterator[Problem]:
    """6.2.8-3, 6.3.3-1, 6.4.1-3: images not smoothed, annotations drawn, the form drawn in the file."""
    form = pdf.Root.get("/AcroForm")
    if isinstance(form, pikepdf.Dictionary) and _true(form.get("/NeedAppearances")):
        yield Problem(
            "6.4.1-3",
            None,
            "the form asks each viewer to draw its fields (NeedAppearances true), which PDF/A-2 forbids: "
            f"archives may show them differently or refuse the file; {REPORT_IT}",
        )
    images: set[tuple[int, int]] = set()  # each once, on the first page that shows it
    for number, page in enumerate(pdf.pages, start=1):
        for resources in _resources(page.obj.get("/Resources", pikepdf.Dictionary()), set()):
            for image in resources.get("/XObject", pikepdf.Dictionary()).values():
                if image.objgen not in images or image.objgen == (0, 0):
                    images.add(image.objgen)
                    yield from _smoothed(image, number)
        for annotation in page.obj.get("/Annots", pikepdf.Array()):
            yield from _drawn(annotation, number)


def _smoothed(image: pikepdf.Object, page: int) -> Iterator[Problem]:
    """6.2.8-3: an image (or its soft mask) with Interpolate true."""
    if image.get("/Subtype") != "/Image":
        return
    mask = image.get("/SMask")
    if _true(image.get("/Interpolate")) or (isinstance(mask, pikepdf.Stream) and _true(mask.get("/Interpolate"))):
        size = f"{int(image.get('/Width', 0))} x {int(image.get('/Height', 0))} pixels"
        yield Problem(
            "6.2.8-3",
            page,
            f"an image of {size} (a logo?) is marked for smoothing (Interpolate true), which PDF/A-2 forbids: "
            f"archives may refuse the file; {REPORT_IT}",
        )


def _drawn(annotation: pikepdf.Object, page: int) -> Iterator[Problem]:
    """6.3.3-1: an annotation other than a Link or Popup, and not of zero size, has a normal appearance."""
    subtype = str(annotation.get("/Subtype", ""))[1:]
    left, bottom, right, top = (float(v) for v in annotation.get("/Rect", [0, 0, 0, 0]))
    if subtype in ("Link", "Popup") or (left == right and bottom == top):
        return
    if "/N" in annotation.get("/AP", pikepdf.Dictionary()):
        return
    field = annotation.get("/Parent", annotation)
    name = str(field.get("/TU", "") or field.get("/T", ""))
    what = f"the form field {name!r}" if subtype == "Widget" else f"a {subtype} annotation"
    yield Problem(
        "6.3.3-1",
        page,
        f"{what} has no appearance of its own (AP with N): PDF/A-2 needs it drawn in the file, so that every "
        f"viewer and archive shows it the same; {REPORT_IT}",
    )


# --- the tree as a screen reader walks it ------------------------------------------------------------------------


def outline(path: Path) -> list[tuple[int, str, str]]:
    """(depth, type, what is read) for headings, lists and their items, links and figures, in tree order.

    Depth counts only these landmarks, so the listing reads like a screen reader's
    element list: a list item sits one level under its list, a link under its item.
    """
    texts = marked_texts(path)
    with pikepdf.open(path) as pdf:
        tree = StructureTree(pdf)
        found: list[tuple[int, str, str]] = []
        for element in tree.elements:
            _landmarks(element, 0, texts, found)
    return found


def _landmarks(
    element: Element, depth: int, texts: dict[tuple[int | None, int], str], found: list[tuple[int, str, str]]
) -> None:
    kind = element.standard or element.type
    spoken = ""
    if HEADING.match(kind) or kind in ("LI", "Link"):
        spoken = " ".join(" ".join(texts.get(key, "") for e in element.walk() for key in e.mcids).split())
        if kind == "Link":
            target = next((str(o.get("/Contents", "")) for o in element.objrs), "")
            spoken = f"{spoken} ({target})"
    elif kind == "Figure":
        spoken = str(element.obj.get("/Alt", ""))
    elif kind == "L":
        spoken = f"{sum(1 for kid in element.kids if kid.standard == 'LI')} items"
    landmark = bool(spoken) or kind in ("L", "Figure")
    if landmark:
        found.append((depth, kind, spoken))
    for kid in element.kids:
        _landmarks(kid, depth + 1 if landmark else depth, texts, found)
