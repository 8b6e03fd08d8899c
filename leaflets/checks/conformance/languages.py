"""Languages: every Lang is a language tag, and the language of all text, alternative text, annotation
contents and metadata can be determined (ISO 14289-1 7.2).

`language_of_parts` (rule 7.2:parts) is run when the caller knows which printed phrases are in another
language than the document's: each must sit under an element whose Lang says so.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from pathlib import Path

import pikepdf

from leaflets.checks.conformance.reader import Document, Element, Problem, marked_texts, page_annotations

RULES: dict[str, str] = {
    "7.2-2": "the language of the outline (bookmarks) can be determined (the catalog's Lang)",
    "7.2-21": "the language of ActualText can be determined",
    "7.2-22": "the language of Alt text can be determined",
    "7.2-24": "the language of annotation Contents can be determined",
    "7.2-29": "every Lang (catalog, structure element, marked content) is a language tag",
    "7.2-33": "the language of the XMP metadata can be determined (x-default text needs the catalog's Lang)",
    "7.2-34": "the language of all text can be determined (catalog Lang, or Lang on the text's elements)",
}
EXTRA_RULES: dict[str, str] = {
    "7.2:parts": "text in a language other than the document's sits under a structure element with that Lang",
}
LANGUAGE_TAG = re.compile(r"^[a-zA-Z]{1,8}(-[a-zA-Z0-9]{1,8})*$")
#: An XMP language alternative given in no language (xml:lang="x-default").
X_DEFAULT = re.compile(rb"""xml:lang\s*=\s*["']x-default["']""")


def check(document: Document) -> Iterator[Problem]:
    """7.2-2, 7.2-21, 7.2-22, 7.2-24, 7.2-29, 7.2-33, 7.2-34: every Lang is a tag, and every text's language is
    known."""
    tree = document.tree
    catalog = str(document.root.get("/Lang", "")).strip()
    if "/Lang" in document.root and not LANGUAGE_TAG.match(catalog):
        yield Problem("7.2-29", None, f"the catalog's Lang {catalog!r} is not a language tag")
    for element in tree.walk():
        if "/Lang" in element.obj and not LANGUAGE_TAG.match(str(element.obj.Lang)):
            yield Problem("7.2-29", element.page, f"/{element.type} has Lang {str(element.obj.Lang)!r}")
    if catalog:
        return
    metadata = document.root.get("/Metadata")
    if isinstance(metadata, pikepdf.Stream) and X_DEFAULT.search(metadata.read_bytes()):
        yield Problem(
            "7.2-33", None, "the XMP metadata is in x-default, and no Lang in the catalog says which language"
        )
    if isinstance(outlines := document.root.get("/Outlines"), pikepdf.Dictionary) and "/First" in outlines:
        yield Problem("7.2-2", None, "the outline (bookmarks) has no language: no Lang in the catalog")
    if not any(element.mcids for element in tree.walk()) or not all(
        inherited_language(element) for element in tree.walk() if element.mcids
    ):
        yield Problem("7.2-34", None, "the document's language is not set (no Lang in the catalog)")
    for element in tree.walk():
        if inherited_language(element):
            continue
        for key, rule in (("/ActualText", "7.2-21"), ("/Alt", "7.2-22")):
            if key in element.obj:
                yield Problem(rule, element.page, f"the language of {key[1:]} on /{element.type} cannot be determined")
    for number, page in document.pages:
        for annotation in page_annotations(page):
            if "/Contents" in annotation and "/Lang" not in annotation:
                yield Problem("7.2-24", number, "the language of an annotation's Contents cannot be determined")


def inherited_language(element: Element) -> str:
    """The Lang of the element or of the nearest element around it that has one; '' if none has."""
    node: Element | None = element
    while node is not None:
        if str(node.obj.get("/Lang", "")).strip():
            return str(node.obj.Lang)
        node = node.parent
    return ""


def language_of_parts(document: Document, path: Path, phrases: Mapping[str, str]) -> list[Problem]:
    """7.2:parts: each phrase (in a language other than the document's) sits under an element with its Lang.

    `document` is the file at `path`, open; its text is read from `path` with pdfplumber.
    """
    found = {phrase: False for phrase in phrases}
    catalog = str(document.root.get("/Lang", ""))
    texts = marked_texts(path)
    for element in document.tree.walk():
        text = " ".join(" ".join(texts.get(key, "") for key in e.mcids) for e in element.walk())
        text = " ".join(text.split())
        spoken_as = (inherited_language(element) or catalog).lower()
        for phrase, language in phrases.items():
            if phrase in text and spoken_as == language.lower():
                found[phrase] = True
    return [
        Problem("7.2:parts", None, f"{phrase!r} is in {phrases[phrase]} but no element around it says so (Lang)")
        for phrase, ok in found.items()
        if not ok
    ]
