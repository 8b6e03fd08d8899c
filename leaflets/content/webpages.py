"""Where each leaflet's web page lives in the web edition, and at which address the clinic publishes it.

Kept apart from the rendering so the print stage can put the address in a QR code without loading the web
edition: a printed leaflet (any of its editions: standard, large print, tri-fold) opens the web page that
tells the same story.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any
from urllib.parse import urlsplit

from leaflets.content.editions import Edition
from leaflets.content.schema import Content
from leaflets.errors import BuildError

#: The web edition's front page, at the top of the folder.
INDEX = "index.html"


def page_name(edition: Edition) -> str | None:
    """The web page that carries an edition's text: the overview's for the overview and the tri-fold, the cause
    leaflet's for its standard and large-print editions; None for anything else (a discharge handout)."""
    if edition.kind in ("overview", "trifold"):
        return "overview"
    if edition.kind == "cause" and edition.cause is not None:
        return edition.cause.id
    return None


def page_path(language: str, name: str) -> str:
    """A page's path in the web folder, relative to its top: `es/scar-tissue.html`."""
    return f"{language}/{name}.html"


def page_address(content: Content, edition: Edition) -> str | None:
    """The web address of the edition's page (`brand.web_url` + its path), or None when the content has no
    `web_url` or the edition has no page."""
    name = page_name(edition)
    if content.brand.web_url is None or name is None:
        return None
    return content.brand.web_url + page_path(content.language, name)


def printed_link(content: Content, edition: Edition, strings: Mapping[str, Any]) -> str | None:
    """`page_address`, for a printed leaflet: its wording must have the line printed with the QR code."""
    address = page_address(content, edition)
    if address is not None:
        needed(strings, "web_read_online", content.language, "brand.web_url is set")
    return address


def needed(strings: Mapping[str, Any], key: str, language: str, why: str) -> str:
    """The wording entry `key`; a BuildError if the language's wording leaves it out (wording.DEFAULTS)."""
    value = strings.get(key)
    if not value:
        raise BuildError(
            f"{why}, but the fixed wording for {language!r} has no `{key}` entry: add it to that language's "
            "block in the file named in `strings:` (docs/web-and-braille.md)"
        )
    return str(value)


def qr_codes(content: Content, editions: list[Edition]) -> dict[str, str]:
    """The address each QR code to a web page opens, keyed by the URL templates find the code at (`qr_url`)."""
    found = {page_address(content, edition): page_name(edition) for edition in editions}
    return {qr_url(name): address for address, name in found.items() if address is not None and name is not None}


def qr_url(name: str) -> str:
    """Where templates find the QR code to the page `name` (served by the PDF stage's fetcher)."""
    return f"generated:web-page-qr-{name}.svg"


def printed_address(url: str) -> str:
    """A web page's address as printed: host (as browsers send it), port and path, without `https://`.

    Made from the URL's parts, so the host printed first is the host the link and the QR code open; `web_url`
    has no query, fragment, `user@` or backslash (content checks), and the path after it is ours.
    """
    parts = urlsplit(url)
    host = (parts.hostname or "").encode("idna").decode("ascii")
    port = f":{parts.port}" if parts.port else ""
    return f"{host}{port}{parts.path}"
