"""Render the letter's HTML to PDF with WeasyPrint, fetching nothing outside templates/."""

from __future__ import annotations

import logging
import mimetypes
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import unquote, urlparse

from .errors import RenderError
from .style import HouseStyle


@dataclass(frozen=True)
class PdfResult:
    """A rendered PDF and the warnings WeasyPrint gave while making it."""

    data: bytes
    warnings: tuple[str, ...]


def font_face_css(style: HouseStyle) -> str:
    """Declare the embedded font from the files the house style names (under templates/)."""
    faces = []
    for attr, weight, italic in (("regular", "normal", "normal"), ("bold", "bold", "normal"),
                                 ("italic", "normal", "italic"), ("bold_italic", "bold", "italic")):
        faces.append(
            f'@font-face {{ font-family: "{style.font.pdf}"; src: url("{getattr(style.font.files, attr)}"); '
            f"font-weight: {weight}; font-style: {italic}; }}"
        )
    return "\n".join(faces)


def make_url_fetcher(templates: Path):  # type: ignore[no-untyped-def]
    """A WeasyPrint URL fetcher that serves data: URLs and files inside `templates` only."""
    from weasyprint.urls import URLFetcher, URLFetcherResponse

    root = templates.resolve()

    class ProjectURLFetcher(URLFetcher):
        """Refuse the network, redirects and every file outside the templates folder."""

        def __init__(self) -> None:
            super().__init__(allowed_protocols=("data", "file"), allow_redirects=False)

        def fetch(self, url: str, headers: object = None) -> URLFetcherResponse:
            parsed = urlparse(url)
            if parsed.scheme == "data":
                return super().fetch(url, headers)
            if parsed.scheme != "file" or parsed.netloc not in ("", "localhost"):
                raise ValueError(f"refused to fetch {url}: only files inside {root} and data: URLs are allowed")
            path = Path(unquote(parsed.path)).resolve()
            if not path.is_relative_to(root) or not path.is_file():
                raise ValueError(f"refused to fetch {url}: not a file inside {root}")
            mime = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
            return URLFetcherResponse(url, body=path.read_bytes(), headers={"Content-Type": mime})

    return ProjectURLFetcher()


@contextmanager
def _captured_warnings() -> Iterator[list[str]]:
    """Collect what WeasyPrint logs (it warns rather than raises) for the caller to report."""
    logger = logging.getLogger("weasyprint")
    messages: list[str] = []

    class Collect(logging.Handler):
        def emit(self, record: logging.LogRecord) -> None:
            messages.append(record.getMessage())

    handler = Collect(level=logging.WARNING)
    logger.addHandler(handler)
    previous = logger.propagate
    logger.propagate = False
    try:
        yield messages
    finally:
        logger.removeHandler(handler)
        logger.propagate = previous


def render_pdf(html: str, style: HouseStyle, templates: Path) -> PdfResult:
    """Lay out the HTML on A4 pages and return the PDF bytes with any warnings."""
    try:
        import weasyprint
    except OSError as exc:  # Pango or its friends missing
        raise RenderError(f"WeasyPrint cannot start: {exc}. Install Pango (see README: system libraries)") from None
    from weasyprint.text.fonts import FontConfiguration

    fetcher = make_url_fetcher(templates)
    base_url = templates.resolve().as_uri() + "/"
    font_config = FontConfiguration()
    with _captured_warnings() as warnings:
        document = weasyprint.HTML(string=html, base_url=base_url, url_fetcher=fetcher, media_type="print")
        fonts = weasyprint.CSS(string=font_face_css(style), base_url=base_url, url_fetcher=fetcher, font_config=font_config)
        data = document.write_pdf(stylesheets=[fonts], font_config=font_config, pdf_tags=True)
    return PdfResult(data, tuple(warnings))
