"""Structure types: every element is a standard type or role-mapped to one, and no standard type is remapped
(ISO 14289-1 7.1). Elements met twice or without a parent (7.1-12) are found as the tree is read (reader.py)."""

from __future__ import annotations

from collections.abc import Iterator

import pikepdf

from leaflets.checks.conformance.reader import STANDARD_TYPES, Document, Problem

RULES: dict[str, str] = {
    "7.1-5": "every structure type is standard or role-mapped to a standard type",
    "7.1-7": "standard structure types are not remapped",
    "7.1-12": "every structure element has a parent (P)",
}


def check(document: Document) -> Iterator[Problem]:
    """7.1-5, 7.1-7: standard types, and no remapping of them."""
    tree = document.tree
    for name in tree.role_map.keys() if isinstance(tree.role_map, pikepdf.Dictionary) else []:
        if name[1:] in STANDARD_TYPES:
            yield Problem("7.1-7", None, f"the RoleMap remaps the standard type {name[1:]}")
    for element in tree.walk():
        if element.standard is None:
            yield Problem("7.1-5", element.page, f"/{element.type} is not a standard type and maps to none")
