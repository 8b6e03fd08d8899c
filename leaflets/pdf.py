"""Stage 3: HTML -> tagged PDF through WeasyPrint, written atomically.

WeasyPrint only sees files through `AssetFetcher`, which serves the
template folders, the installed font and the logo, and nothing else: no
other local file, no network. Any WeasyPrint warning (a font that did
not load, a blocked file, bad CSS) fails the build instead of quietly
printing a worse leaflet.
"""

from __future__ import annotations

import contextlib
import logging
import os
import tempfile
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import unquote, urlsplit

import font_source_sans_pro
import weasyprint
from weasyprint.text.fonts import FontConfiguration
from weasyprint.urls import FatalURLFetchingError, URLFetcher

from .errors import BuildError

FONT_DIR = Path(font_source_sans_pro.font_directory).resolve()
#: The one font family, from a pip-installed OFL package: never the machine's fonts.
FONT_FACES = {400: "SourceSansPro-Regular.ttf", 600: "SourceSansPro-Semibold.ttf", 700: "SourceSansPro-Bold.ttf"}
#: Tagged for screen readers (PDF/UA-1); sets PDF 1.7 and the structure tree.
PDF_VARIANT = "pdf/ua-1"
#: WeasyPrint falls back to fontTools when the system lacks libharfbuzz-subset;
#: the PDF is still correct, only slower to make, so this notice is not fatal.
BENIGN_WARNING = "Using fontTools instead of HarfBuzz-Subset"


class AssetFetcher(URLFetcher):  # type: ignore[misc]
    """Serves `file://` URLs under the allowed folders or files; refuses everything else."""

    def __init__(self, allowed: Sequence[Path]):
        super().__init__(allowed_protocols=("file",), allow_redirects=False, fail_on_errors=True)
        self.allowed = tuple(Path(p).resolve() for p in allowed)

    def fetch(self, url, headers=None):  # type: ignore[no-untyped-def]
        """Fetch `url` if it is an allowed local file, else stop the render."""
        parts = urlsplit(url)
        path = Path(unquote(parts.path)).resolve() if parts.scheme == "file" and not parts.netloc else None
        if path is None or not any(path == root or path.is_relative_to(root) for root in self.allowed):
            raise FatalURLFetchingError(f"blocked {url[:80]!r}: leaflets may only use the project's own files")
        return super().fetch(path.as_uri(), headers)


def font_css() -> str:
    """@font-face rules for the shipped font; fails the build if a face is missing."""
    rules = []
    for weight, name in FONT_FACES.items():
        path = FONT_DIR / name
        if not path.is_file():
            raise BuildError(f"font file {path} is missing: reinstall with `pip install -e .`")
        rules.append(
            f'@font-face {{ font-family: "Source Sans Pro"; font-weight: {weight}; src: url("{path.as_uri()}"); }}'
        )
    return "\n".join(rules)


@dataclass(frozen=True)
class Rendered:
    """A finished PDF in memory."""

    data: bytes
    pages: int


class PdfWriter:
    """Renders HTML to PDF, reusing one font configuration and parsed stylesheets."""

    def __init__(self, stylesheets: dict[str, Sequence[Path]], assets: Sequence[Path], base_url: Path):
        self.fetcher = AssetFetcher([*assets, FONT_DIR])
        self.base_url = base_url.as_uri() + "/"
        self.font_config = FontConfiguration()
        with weasyprint_warnings_fail():
            fonts = weasyprint.CSS(string=font_css(), font_config=self.font_config, url_fetcher=self.fetcher)
            self.stylesheets = {paper: [fonts, *(self._css(p) for p in paths)] for paper, paths in stylesheets.items()}

    def _css(self, path: Path) -> weasyprint.CSS:
        return weasyprint.CSS(filename=path, font_config=self.font_config, url_fetcher=self.fetcher)

    def render(self, html: str, paper: str, max_pages: int, name: str) -> Rendered:
        """Render one leaflet; fail if it needs more pages than `max_pages`."""
        with weasyprint_warnings_fail():
            document = weasyprint.HTML(string=html, base_url=self.base_url, url_fetcher=self.fetcher).render(
                font_config=self.font_config, stylesheets=self.stylesheets[paper]
            )
            pages = len(document.pages)
            if pages > max_pages:
                raise BuildError(
                    f"{name} ({paper}) needs {pages} pages but may have {max_pages}: "
                    "shorten its text in the content file"
                )
            data = document.write_pdf(pdf_variant=PDF_VARIANT)
        return Rendered(data, pages)


class _Collector(logging.Handler):
    def __init__(self, level: int):
        super().__init__(level)
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)


@contextlib.contextmanager
def weasyprint_warnings_fail() -> Iterator[None]:
    """Turn WeasyPrint's warnings and a blocked file into one BuildError."""
    handler = _Collector(logging.WARNING)
    logger = logging.getLogger("weasyprint")
    logger.addHandler(handler)
    try:
        yield
    except FatalURLFetchingError as error:
        raise BuildError(str(error)) from None
    finally:
        logger.removeHandler(handler)
    messages = dict.fromkeys(r.getMessage() for r in handler.records)  # unique, in order
    problems = [m for m in messages if not m.startswith(BENIGN_WARNING)]
    if problems:
        raise BuildError("WeasyPrint: " + "; ".join(problems))


def write_atomically(path: Path, data: bytes) -> None:
    """Write `data` to `path` so that readers see the old file or the whole new one, never half."""
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".part")
    try:
        with os.fdopen(handle, "wb") as stream:
            stream.write(data)
            stream.flush()
            os.fsync(stream.fileno())
        os.chmod(temporary, 0o644)
        os.replace(temporary, path)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(temporary)
        raise
