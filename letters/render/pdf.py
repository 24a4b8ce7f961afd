"""Render a `Document` to PDF with WeasyPrint, through its HTML, fetching nothing else."""

from __future__ import annotations

import datetime as dt
import io
import logging
import mimetypes
import re
import shutil
import zlib
from collections import OrderedDict
from collections.abc import Callable, Hashable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from functools import cached_property, partial
from pathlib import Path
from types import ModuleType
from typing import Any, cast
from urllib.parse import unquote, urlparse

import pydyf

from ..compose.document import Document
from ..compose.style import CSS_TEMPLATE, HouseStyle
from ..source.errors import InputError, RenderError, TemplateError
from ..source.inputs import FONT, read_input
from .engine import import_weasyprint
from .fonts import house_fonts, use_only_house_fonts
from .html import pdf_pages
from .internals import (
    font_folder,
    forget_font_folder,
    page_box,
    stream_ctm,
    stream_resources,
    stream_shared,
    to_bytes,
)
from .pdf_tags import mark_pagination, mend_structure
from .xmp import add_to_packet, letters_descriptions

#: PDF/A-3 (level A, which tags the structure) for archiving; PDF/UA-1 is declared in the XMP.
PDF_VARIANT = "pdf/a-3a"


#: How hard each stream of a PDF is compressed: zlib's own default. pydyf's 9 took twice as
#: long (14 against 6 ms a letter) to make the default letter's PDF 1 % smaller.
COMPRESSION = 6

#: The media type of each kind of file a PDF embeds, by the end of its name: the same on
#: every machine (WeasyPrint asks the system's list, which differs from one to the next).
MEDIA_TYPES = {
    ".yaml": "application/yaml",  # RFC 9512
    ".json": "application/json",
    ".j2": "text/plain",
    ".md": "text/markdown",
    ".txt": "text/plain",
    ".css": "text/css",
    ".ttf": "font/ttf",
    ".otf": "font/otf",
    ".woff": "font/woff",
    ".woff2": "font/woff2",
    ".png": "image/png",
    ".jpg": "image/jpeg",
    ".jpeg": "image/jpeg",
    ".svg": "image/svg+xml",
}


def embedded_media_type(name: str) -> str:
    """Name the media type of an embedded file by the end of its name, as PDF/A-3 asks."""
    suffix = name[name.rfind(".") :].lower() if "." in name.rsplit("/", 1)[-1] else ""
    return MEDIA_TYPES.get(suffix, "application/octet-stream")


#: How many of WeasyPrint's warnings a build reports, each cut to 200 characters.
WARNINGS_SHOWN = 10


@dataclass(frozen=True)
class PdfResult:
    """A rendered PDF and the warnings WeasyPrint gave while making it."""

    data: bytes
    warnings: tuple[str, ...]


def font_face_css(style: HouseStyle) -> str:
    """Declare the embedded font from the files the house style names (under templates/)."""
    faces = []
    for attr, weight, italic in (
        ("regular", "normal", "normal"),
        ("bold", "bold", "normal"),
        ("italic", "normal", "italic"),
        ("bold_italic", "bold", "italic"),
    ):
        faces.append(
            f'@font-face {{ font-family: "{style.font.pdf}"; src: '
            f'url("{getattr(style.font.files, attr)}"); '
            f"font-weight: {weight}; font-style: {italic}; }}"
        )
    return "\n".join(faces)


def make_url_fetcher(templates: Path):  # type: ignore[no-untyped-def]
    """Make a WeasyPrint URL fetcher that serves data: URLs and files inside `templates` only.

    A file is read through `inputs.read_input`, as a house font: the house CSS names no
    other file (only data: URLs), and its @font-face rules name the fonts.
    """
    from .internals import URLFetcher, URLFetcherResponse

    root = templates.resolve()
    project = root.parent  # templates/ lies directly in the project

    class ProjectURLFetcher(URLFetcher):  # type: ignore[misc]
        """Refuse the network, redirects and every file outside the templates folder."""

        def __init__(self) -> None:
            super().__init__(allowed_protocols=("data", "file"), allow_redirects=False)

        def fetch(self, url: str, headers: object = None) -> URLFetcherResponse:
            """Serve a data: URL, or a file inside the templates folder; refuse anything else."""
            parsed = urlparse(url)
            if parsed.scheme == "data":
                return super().fetch(url, headers)
            if parsed.scheme != "file" or parsed.netloc not in ("", "localhost"):
                raise ValueError(
                    f"refused to fetch {url}: only files inside {root} and data: URLs are allowed"
                )
            path = Path(unquote(parsed.path)).resolve()
            if not path.is_relative_to(root) or not path.is_file():
                raise ValueError(f"refused to fetch {url}: not a file inside {root}")
            try:
                body = read_input(path, project, FONT)
            except InputError as exc:
                raise ValueError(f"refused to fetch {url}: {exc.reason}") from None
            mime = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
            return URLFetcherResponse(url, body=body, headers={"Content-Type": mime})

    return ProjectURLFetcher()


@contextmanager
def _captured_warnings() -> Iterator[list[str]]:
    """Collect what WeasyPrint logs (it warns rather than raises) for the caller to report."""
    logger = logging.getLogger("weasyprint")
    messages: list[str] = []

    class Collect(logging.Handler):
        """Keep each warning's message."""

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
        shown = list(dict.fromkeys(message[:200] for message in messages))
        messages[:] = shown[:WARNINGS_SHOWN]
        if len(shown) > WARNINGS_SHOWN:
            messages.append(f"and {len(shown) - WARNINGS_SHOWN} more warnings like these")


def render_pdf(document: Document, style: HouseStyle) -> PdfResult:
    """Lay out the letter as PDF/A-3a declaring PDF/UA-1; return its bytes and any warnings.

    The document's attachments are embedded, dated the letter's day; its properties go into the XMP.
    """
    return render_pdfs([document], style)[0]


def render_pdfs(
    documents: Sequence[Document],
    style: HouseStyle,
    pages: Sequence[tuple[str, str]] | None = None,
) -> list[PdfResult]:
    """Render several documents as PDFs, laying out each distinct page only once.

    `pages` are their pages as `html.pdf_pages` writes them, when they are written already
    (by a process that has no WeasyPrint, for one that has: `build.pdf_beside`).

    A document whose HTML is the same as the one before it (the public copy of a letter
    that shows the same words as the copy sent) is not laid out again: the same pages are
    written with its own attachments and properties. When it embeds nothing and the one
    before did, they are not even painted again: its PDF is made from the objects WeasyPrint
    made for the one before, less its attachments (`_Deriving`).
    """
    use_only_house_fonts(style)
    weasyprint = _weasyprint()
    _draw_svg_images_once()
    from .internals import FontConfiguration

    templates = style.folder
    fetcher = make_url_fetcher(templates)
    base_url = templates.resolve().as_uri() + "/"

    def stylesheet(css: str, font_config: Any) -> tuple[Any, tuple[str, ...]]:
        """Parse CSS (loading any font it declares) once; keep what WeasyPrint warned."""

        def parse(text: str) -> Any:
            return weasyprint.CSS(
                string=text, base_url=base_url, url_fetcher=fetcher, font_config=font_config
            )

        with _captured_warnings() as warnings:
            try:
                sheet = parse(css)
            except _CSS_FAULTS as exc:  # WeasyPrint stumbles on some malformed rules
                raise TemplateError(_css_fault(css, parse, exc)) from None
        return sheet, tuple(warnings)

    # The fonts are loaded once for each set of font files, and each page's house CSS is
    # parsed once for them; both are given to WeasyPrint as its stylesheets, and the page it
    # lays out leaves its CSS out. Projects with the same fonts (an approved letter builds in
    # a project of its own: its snapshot's) share them.
    faces = font_face_css(style)

    def load_faces() -> tuple[Any, tuple[Any, tuple[str, ...]]]:
        config = FontConfiguration()
        return config, stylesheet(faces, config)

    # the fonts as checked (`use_only_house_fonts` read them), which WeasyPrint then fetches
    key = (faces, tuple(font.digest for font in house_fonts(style)))
    font_config, fonts, sheets = _loaded_fonts(key, load_faces)

    def parsed(css: str, sheet: Hashable) -> tuple[Any, tuple[str, ...]]:
        """Parse a page's house CSS, or take it as `warm_pdfs` parsed it ahead."""
        return _PARSED.pop(sheet, None) or stylesheet(css, font_config)

    results = []
    laid_out: tuple[tuple[str, str], Any, tuple[str, ...]] | None = None
    htmls = list(pages) if pages is not None else pdf_pages(documents, style)
    # the PDF just written, less its attachments: the next, of the same pages, if it has none
    derived: _Derived | None = None
    for index, (document, html) in enumerate(zip(documents, htmls, strict=True)):
        css = html[1]
        finish = partial(
            _finish, dict(document.properties), document.language, bool(document.draft_label)
        )
        if derived is not None and laid_out is not None and laid_out[0] == html:
            if not document.attachments and (written := derived.write(finish)) is not None:
                results.append(PdfResult(written, laid_out[2] + derived.warnings))
                derived = None
                continue
        derived = None
        if laid_out is None or laid_out[0] != html:
            sheet = _sheet_key(css, base_url)
            house = sheets.get(sheet, partial(parsed, css, sheet))
            with _captured_warnings() as warnings:
                page = weasyprint.HTML(
                    string=html[0], base_url=base_url, url_fetcher=fetcher, media_type="print"
                )
                pages = page.render(
                    font_config=font_config,
                    stylesheets=[house[0], fonts[0]],
                    pdf_variant=PDF_VARIANT,
                )
            laid_out = (html, pages, (*house[1], *fonts[1], *warnings))
        when = dt.datetime.combine(document.date, dt.time(), tzinfo=dt.UTC)
        following = documents[index + 1] if index + 1 < len(documents) else None
        deriving = (
            _Deriving(len(document.attachments), laid_out[1])
            if following is not None
            and document.attachments
            and not following.attachments
            and htmls[index + 1] == html
            else None
        )
        with _captured_warnings() as warnings:
            files = [
                weasyprint.Attachment(
                    string=item.data,
                    name=item.name,
                    description=item.description,
                    relationship=item.relationship,
                    created=when,
                    modified=when,
                )
                for item in document.attachments
            ]
            data = laid_out[1].write_pdf(
                pdf_variant=PDF_VARIANT,
                attachments=files,
                finisher=finish if deriving is None else deriving.finisher(finish),
            )
        if deriving is not None:
            derived = deriving.derived(tuple(warnings))
        results.append(PdfResult(data, laid_out[2] + tuple(warnings)))
    return results


class _Deriving:
    """Keep the objects of a PDF as WeasyPrint made them, less its attachments, as it writes.

    The public copy of a letter shows the same pages as the copy sent, and embeds nothing:
    what WeasyPrint makes of it is what it made of the copy sent, less the objects of its
    attachments (a block of them: each file, its description, the list of them) and their
    mention in the catalog, every object after them numbered that many lower. Made from
    them (`_Derived`), it is not painted, tagged or subset again.
    """

    def __init__(self, attachments: int, document: Any) -> None:
        self.attachments = attachments
        self.document = document
        self.objects: tuple[pydyf.PDF, dict[int, Any]] | None = None
        self.pdf: _WrittenAndNoted | None = None

    def finisher(self, finish: Callable[[Any, pydyf.PDF], None]) -> Callable[..., None]:
        """Wrap a finisher: first keep the objects (`_without_attachments`), then finish."""

        def finishing(document: Any, pdf: pydyf.PDF) -> None:
            self.objects = _without_attachments(pdf, self.attachments)
            finish(document, pdf)
            pdf.__class__ = _WrittenAndNoted
            self.pdf = cast(_WrittenAndNoted, pdf)

        return finishing

    def derived(self, warnings: tuple[str, ...]) -> _Derived | None:
        """Give what the next PDF of the same pages, with no attachment, can be written from."""
        if self.objects is None or self.pdf is None or self.pdf.noted is None:
            return None
        return _Derived(*self.objects, self.document, self.pdf.noted, warnings)


@dataclass(frozen=True)
class _Derived:
    """A PDF's objects less its attachments, and how it was written (`_Deriving`)."""

    objects: pydyf.PDF
    #: The copy of each dictionary, by the original's id.
    copies: dict[int, Any]
    document: Any
    #: The arguments WeasyPrint wrote the PDF with: the version, identifier, compression.
    written: tuple[tuple[Any, ...], dict[str, Any]]
    #: What WeasyPrint warned of as it made the PDF.
    warnings: tuple[str, ...]

    def write(self, finish: Callable[[Any, pydyf.PDF], None]) -> bytes | None:
        """Finish the objects as another copy's and write them as WeasyPrint would.

        Meanwhile each laid-out box names its copies of the objects WeasyPrint made for it
        (its link's annotation, its structure element), as it would have for a PDF of its
        own: the finisher mends them through the boxes. None if that fails.
        """
        kept = _rebound(self.document, self.copies)
        try:
            finish(self.document, self.objects)
            output = io.BytesIO()
            args, kwargs = self.written
            self.objects.write(output, *args, **kwargs)
        except Exception:  # not as expected after all: WeasyPrint writes it itself
            return None
        finally:
            for box, name, value in kept:
                setattr(box, name, value)
        return output.getvalue()


#: What WeasyPrint keeps on a laid-out box of the objects it made for it, writing a PDF.
_BOX_OBJECTS = ("mark", "link_annotation", "widget_annotation")


def _rebound(document: Any, copies: dict[int, Any]) -> list[tuple[Any, str, Any]]:
    """Point each box at the copies of its objects; return what each pointed at before."""
    kept = []
    stack = [page_box(page) for page in document.pages]
    while stack:
        box = stack.pop()
        for name in _BOX_OBJECTS:
            value = getattr(box, name, None)
            if value is not None and id(value) in copies:
                kept.append((box, name, value))
                setattr(box, name, copies[id(value)])
        stack.extend(getattr(box, "children", ()))
    return kept


def _without_attachments(
    pdf: pydyf.PDF, attachments: int
) -> tuple[pydyf.PDF, dict[int, Any]] | None:
    """Copy a PDF's objects as WeasyPrint made them, less `attachments` embedded files.

    Return the copy, and the copy of each dictionary by the original's id. None where they
    are not as `_Deriving` expects: that many files, their objects in one block, and
    nothing else naming them.
    """
    specs: list[Any] = [
        item for item in pdf.objects if isinstance(item, dict) and _is_filespec(item)
    ]
    names = pdf.catalog.get("Names")
    listed = names.get("EmbeddedFiles") if isinstance(names, dict) else None
    if len(specs) != attachments or not isinstance(listed, bytes):
        return None
    try:
        dropped = {_number(listed)}
        for spec in specs:
            dropped |= {spec.number, _number(spec["EF"]["F"])}
    except (KeyError, TypeError, ValueError):
        return None
    first = min(dropped)
    if sorted(dropped) != list(range(first, first + len(dropped))):
        return None

    def renumbered(number: int) -> int:
        if number in dropped:
            raise _Unexpected(number)
        return number if number < first else number - len(dropped)

    objects: list[Any] = []
    copies: dict[int, Any] = {}
    try:
        for item in pdf.objects:
            if item.number in dropped:
                continue
            if item is pdf.catalog:
                kept = pydyf.Dictionary(
                    (key, value) for key, value in item.items() if key not in ("AF", "Names")
                )
                if isinstance(names, dict) and len(names) > 1:
                    rest = [(k, v) for k, v in names.items() if k != "EmbeddedFiles"]
                    # where the list of attachments was: no other entry came between them
                    kept = _placed(kept, item, "Names", pydyf.Dictionary(rest))
                copy = _copied(kept, renumbered, copies)
            else:
                copy = _copied(item, renumbered, copies)
            copy.number = renumbered(item.number)
            copy.generation, copy.free, copy.offset = item.generation, item.free, 0
            objects.append(copy)
        derived = pydyf.PDF.__new__(pydyf.PDF)
        derived.objects = objects
        derived.pages = objects[renumbered(pdf.pages.number)]
        derived.catalog = objects[renumbered(pdf.catalog.number)]
        derived.info = _copied(pdf.info, renumbered, copies)
    except _Unexpected:
        return None
    derived.current_position = 0
    derived.xref_position = None
    return derived, copies


class _Unexpected(Exception):
    """An object of a PDF is not as `_without_attachments` expects."""


def _is_filespec(item: dict[str, Any]) -> bool:
    """Say whether a PDF dictionary describes an embedded file."""
    return item.get("Type") == "/Filespec"


def _number(reference: Any) -> int:
    """Read the number of the object a reference (b'12 0 R') names."""
    number, generation, kind = reference.split()
    if generation != b"0" or kind != b"R":
        raise ValueError(reference)
    return int(number)


def _placed(kept: Any, catalog: dict[str, Any], name: str, value: Any) -> Any:
    """Put `name` back into a copy of the catalog where the catalog has it."""
    items = list(kept.items())
    position = sum(1 for key in list(catalog)[: list(catalog).index(name)] if key in kept)
    items.insert(position, (name, value))
    return pydyf.Dictionary(items)


#: A reference to an indirect object, as pydyf writes one.
_REFERENCE = re.compile(rb"([0-9]+) 0 R")


#: A header cell's identifier in the structure tree, as WeasyPrint names it: the number of
#: its table's element, its row and its column.
_HEADER_ID = re.compile(r"([0-9]+)-([0-9]+)-([0-9]+)")


def _copied(
    item: Any, renumbered: Callable[[int], int], copies: dict[int, Any], named: bool = False
) -> Any:
    """Copy a PDF object, each reference to another object renumbered.

    `copies` notes, by the original's id, the copy of each dictionary. `named`: the item
    is a header cell's identifier (or a list of them), which names its table's element by
    its number (`_HEADER_ID`).
    """
    kind = type(item)
    if kind is bytes:
        found = _REFERENCE.fullmatch(item)
        return f"{renumbered(int(found[1]))} 0 R".encode() if found else item
    if kind in (str, int, float, bool) or item is None:
        return item
    if kind is pydyf.String:
        header = _HEADER_ID.fullmatch(item.string) if named else None
        if header:
            return pydyf.String(f"{renumbered(int(header[1]))}-{header[2]}-{header[3]}")
        return pydyf.String(item.string)
    if kind is pydyf.Dictionary or kind is dict:
        copy = kind(
            (key, _copied(value, renumbered, copies, key in ("ID", "Headers")))
            for key, value in item.items()
        )
        copies[id(item)] = copy
        return copy
    if kind is pydyf.Array or kind is list or kind is tuple:
        return kind(_copied(value, renumbered, copies, named) for value in item)
    if isinstance(item, pydyf.Stream) and kind.data is pydyf.Stream.data:
        return pydyf.Stream(
            [_copied(part, renumbered, copies) for part in item.stream],
            _copied(item.extra, renumbered, copies),
            item.compress,
        )
    if kind is pydyf.Object and item.free == "f":
        return pydyf.Object()
    raise _Unexpected(kind)


def warm_pdfs(documents: Sequence[Document], style: HouseStyle) -> None:
    """Make now what laying out these documents first needs, short of starting fontconfig.

    For a process that forks workers to render letters like these (`build.preload`): each
    then starts with WeasyPrint imported, its C types parsed, the house fonts read and
    checked and these pages' HTML and CSS written, and their house CSS parsed. Nothing here
    uses Pango or fontconfig, or starts a thread, so forking after it is as safe as before.
    """
    weasyprint = _weasyprint()
    warm_c_types()
    house_fonts(style)  # read, checked and hashed before the fork
    from .internals import URLFetcherResponse

    # a fetched font's headers are kept as an email message: the first imports its policies
    URLFetcherResponse("data:,", body=b"", headers={"Content-Type": "font/ttf"})
    base_url = style.folder.resolve().as_uri() + "/"
    for _, css in pdf_pages(documents, style):
        key = _sheet_key(css, base_url)
        if key != css or key in _PARSED:
            continue  # a file it names is fetched as it is laid out
        # Without an @font-face rule (which names a file), CSS is parsed the same with a font
        # configuration or without: none is made here.
        try:
            with _captured_warnings() as warnings:
                sheet = weasyprint.CSS(
                    string=css, base_url=base_url, url_fetcher=make_url_fetcher(style.folder)
                )
        except Exception:  # laying the page out says what is wrong with it
            continue
        _PARSED[key] = (sheet, tuple(warnings))


#: House stylesheets parsed by `warm_pdfs`, each given to the first font configuration
#: that needs it (`_Sheets`).
_PARSED: dict[Hashable, tuple[Any, tuple[str, ...]]] = {}


def _weasyprint() -> ModuleType:
    """Import WeasyPrint, saying what to install when its system libraries are missing."""
    try:
        return import_weasyprint()
    except OSError as exc:  # Pango or its friends missing
        raise RenderError(
            f"WeasyPrint cannot start: {exc}. Install Pango (see README: system libraries)"
        ) from None


#: The C types WeasyPrint 70 asks cffi for the first time a process lays out and writes a
#: page. cffi parses each name with pycparser (15 ms each) and keeps it; a process that
#: forks workers parses them once for all (`warm_c_types`). A name WeasyPrint no longer
#: uses costs one parse and nothing else.
C_TYPES = (
    "PangoFcFontMap *",
    "FcChar8 **",
    "char[]",
    "PangoRectangle *",
    "PangoLogAttr[]",
    "unsigned int *",
    "hb_tag_t *",
    "char *",
    "hb_codepoint_t *",
)


def warm_c_types() -> None:
    """Have cffi parse the C types WeasyPrint asks for as it lays out (`C_TYPES`) now."""
    from .internals import ffi

    for name in C_TYPES:
        try:
            ffi.typeof(name)
        except Exception:  # cffi's CDefError: a type another WeasyPrint names otherwise
            continue


#: The state a WeasyPrint stream keeps of what it drew last, which decides what drawing
#: more writes (a colour or opacity already set is not set again): an SVG drawing is drawn
#: again (`_SvgDrawings`) only onto a stream in the same state, which it leaves as it found
#: it or as the first drawing left it.
_DRAWING_STATE = (
    "_current_color",
    "_current_color_stroke",
    "_current_alpha",
    "_current_alpha_stroke",
    "_current_font",
    "_current_font_size",
    "_old_font",
    "_old_font_size",
)
#: What SVG drawings `_SvgDrawings` keeps are made of: shapes alone (no text, which would
#: use fonts; no images, patterns or links to other drawings).
_SHAPES = frozenset(
    {"svg", "g", "path", "rect", "circle", "ellipse", "line", "polyline", "polygon"}
    | {"title", "desc"}
)


@dataclass(frozen=True)
class _Drawn:
    """What drawing an SVG image onto a stream wrote and changed, to do again elsewhere."""

    #: The operators it added to the stream, in order.
    operators: tuple[bytes | str, ...]
    #: The graphics states (opacities) it named in the stream's resources, by name.
    states: tuple[tuple[str, tuple[tuple[str, Any], ...]], ...]
    #: The stream's drawing state (`_DRAWING_STATE`) it left.
    after: tuple[Any, ...]


class _SvgDrawings:
    """Draw each SVG image of shapes once; draw it again by writing what it wrote.

    WeasyPrint draws an SVG image (the DRAFT mark on every page, the letterhead) by reading
    its tree and writing each path's operators (some 10 ms of a draft's 200 ms), and writes
    the same every time for the same image at the same size onto a stream in the same state.
    What the first drawing wrote is kept, and written again instead. Only an image given
    whole in a data: URL, of shapes alone (`_SHAPES`), is kept, and only when drawing it
    changed nothing but the stream's operators, its drawing state and the opacities named in
    its resources (and WeasyPrint warned of nothing): anything else is drawn every time.
    """

    KEPT = 32

    def __init__(self, draw: Callable[..., None]) -> None:
        self.draw = draw
        self.kept: OrderedDict[Hashable, _Drawn | None] = OrderedDict()
        self.shapes: dict[str, bool] = {}

    def __get__(self, svg: Any, owner: Any = None) -> Any:
        """Stand, on WeasyPrint's SVG class, for its method `draw`."""
        return self if svg is None else partial(self, svg)

    def __call__(
        self,
        svg: Any,
        stream: Any,
        concrete_width: Any,
        concrete_height: Any,
        base_url: Any,
        context: Any,
    ) -> None:
        """Draw `svg` onto `stream` as WeasyPrint would: from what is kept, if it can be."""
        args = (svg, stream, concrete_width, concrete_height, base_url, context)
        key = self._key(stream, concrete_width, concrete_height, base_url)
        if key is None:
            return self.draw(*args)
        if key in self.kept:
            self.kept.move_to_end(key)
            drawn = self.kept[key]
            if drawn is None:
                return self.draw(*args)
            return self._again(drawn, stream)
        before = _Before(stream)
        with _captured_warnings() as warnings:
            self.draw(*args)
        self.kept[key] = None if warnings else before.drawn(stream)
        while len(self.kept) > self.KEPT:
            self.kept.popitem(last=False)
        return None

    def _key(self, stream: Any, width: Any, height: Any, url: Any) -> Hashable | None:
        """Say what decides what drawing this image writes; None if it is never kept."""
        if not isinstance(url, str) or not self._of_shapes(url):
            return None
        state = tuple(getattr(stream, name, None) for name in _DRAWING_STATE)
        try:
            return (
                url,
                width,
                height,
                state,
                _ctm(stream),
                stream.compress,
                # a state, group, pattern or shading is named by their count
                _shared_counts(stream)[:4],
                tuple(sorted(stream_resources(stream))),
            )
        except TypeError:  # something unhashable in the state: not kept
            return None

    def _of_shapes(self, url: str) -> bool:
        """Say whether a data: URL gives a whole SVG image of shapes alone."""
        if url not in self.shapes:
            self.shapes[url] = _svg_of_shapes(url)
            if len(self.shapes) > self.KEPT:
                del self.shapes[next(iter(self.shapes))]
        return self.shapes[url]

    @staticmethod
    def _again(drawn: _Drawn, stream: Any) -> None:
        """Write what a drawing wrote onto another stream in the same state."""
        stream.stream.extend(drawn.operators)
        states = stream_resources(stream)["ExtGState"]
        for name, items in drawn.states:
            if name not in states:
                states[name] = pydyf.Dictionary(dict(items))
        for name, value in zip(_DRAWING_STATE, drawn.after, strict=True):
            setattr(stream, name, value)


def _svg_of_shapes(url: str) -> bool:
    """Say whether a data: URL holds, base64-encoded, an SVG image of shapes alone."""
    import base64
    import binascii
    from xml.etree import ElementTree

    head, _, data = url.partition(",")
    if head != "data:image/svg+xml;base64":
        return False
    try:
        tree = ElementTree.fromstring(base64.b64decode(data, validate=True))
    except (binascii.Error, ElementTree.ParseError, ValueError):
        return False
    for element in tree.iter():
        tag = element.tag.rpartition("}")[2] if isinstance(element.tag, str) else ""
        if tag not in _SHAPES or any("href" in name for name in element.attrib):
            return False
    return True


def _shared_counts(stream: Any) -> tuple[int, ...]:
    """Count what a stream shares with the rest of its PDF: resources, fonts, images, tags."""
    resources = stream_resources(stream)
    fonts, images, tags = stream_shared(stream)
    return (
        *(len(resources.get(kind) or ()) for kind in ("ExtGState", "XObject", "Pattern")),
        len(resources.get("Shading") or ()),
        len(fonts),
        len(images),
        -1 if tags is None else len(tags),
    )


class _Before:
    """A stream as it was before an SVG image was drawn onto it, to see what drawing did."""

    def __init__(self, stream: Any) -> None:
        self.attributes = dict(vars(stream))
        self.written = len(stream.stream)
        self.last = stream.stream[-1] if self.written else None
        self.resources = {
            kind: dict(value) if isinstance(value, dict) else value
            for kind, value in stream_resources(stream).items()
        }
        self.counts = _shared_counts(stream)
        self.ctm = _ctm(stream)

    def drawn(self, stream: Any) -> _Drawn | None:
        """Say what drawing wrote and changed; None if it did more than `_Drawn` holds."""
        operators = stream.stream[self.written :]
        if len(stream.stream) < self.written or (
            self.written and stream.stream[self.written - 1] is not self.last
        ):
            return None  # it took back what was written before it
        if not all(isinstance(item, bytes | str) for item in operators):
            return None
        now = vars(stream)
        if set(now) != set(self.attributes) or any(
            now[name] is not value
            for name, value in self.attributes.items()
            if name not in _DRAWING_STATE
        ):
            return None  # it changed more of the stream than its drawing state
        if _ctm(stream) != self.ctm or _shared_counts(stream)[1:] != self.counts[1:]:
            return None  # it left a transformation, or added an image, group, font or tag
        resources = stream_resources(stream)
        if set(resources) != set(self.resources):
            return None
        for kind, value in self.resources.items():
            if not isinstance(value, dict):
                if resources[kind] is not value:
                    return None
            elif kind != "ExtGState" and dict(resources[kind]) != value:
                return None
        states = resources["ExtGState"]
        named = self.resources["ExtGState"]
        if any(states.get(name) is not value for name, value in named.items()):
            return None
        added = {name: value for name, value in states.items() if name not in named}
        if not all(isinstance(value, dict) for value in added.values()):
            return None
        return _Drawn(
            tuple(operators),
            tuple((name, tuple(value.items())) for name, value in added.items()),
            tuple(getattr(stream, name, None) for name in _DRAWING_STATE),
        )


def _ctm(stream: Any) -> tuple[tuple[tuple[float, ...], ...], ...]:
    """Give a stream's stack of transformation matrices, as values."""
    return tuple(tuple(map(tuple, matrix)) for matrix in stream_ctm(stream))


def _draw_svg_images_once() -> None:
    """Have WeasyPrint draw each SVG image of shapes once (`_SvgDrawings`), from now on."""
    from .internals import SVG

    if not isinstance(SVG.draw, _SvgDrawings):
        SVG.draw = _SvgDrawings(SVG.draw)


#: What WeasyPrint's CSS reader has been seen to raise on rules it should only have ignored
#: (`src: local(), format()` in an @font-face, for one).
_CSS_FAULTS = (IndexError, KeyError, TypeError, ValueError, AttributeError, RecursionError)


def _css_fault(css: str, parse: Any, exc: Exception) -> str:
    """Say which rule of the house CSS WeasyPrint cannot read, trying each rule on its own."""
    import tinycss2

    culprit = ""
    for rule in tinycss2.parse_stylesheet(css, skip_comments=True, skip_whitespace=True):
        text = rule.serialize()
        try:
            with _captured_warnings():
                parse(text)
        except _CSS_FAULTS:
            culprit = " ".join(text.split())
            culprit = f": the rule {culprit[:80]}{'...' if len(culprit) > 80 else ''}"
            break
    return (
        f"templates/{CSS_TEMPLATE}: WeasyPrint cannot read the house CSS{culprit} "
        f"({type(exc).__name__}: {exc}); correct or remove that rule"
    )


class _Sheets:
    """The house stylesheets parsed for one font configuration, by their CSS; the oldest go."""

    KEPT = 16

    def __init__(self) -> None:
        self.parsed: OrderedDict[Hashable, tuple[Any, tuple[str, ...]]] = OrderedDict()

    def get(
        self, key: Hashable, parse: Callable[[], tuple[Any, tuple[str, ...]]]
    ) -> tuple[Any, tuple[str, ...]]:
        """Return the stylesheet for `key` and WeasyPrint's warnings, parsed once."""
        if key in self.parsed:
            self.parsed.move_to_end(key)
        else:
            self.parsed[key] = parse()
            while len(self.parsed) > self.KEPT:
                self.parsed.popitem(last=False)
        return self.parsed[key]


def _sheet_key(css: str, base_url: str) -> Hashable:
    """Say what decides what a page's house CSS parses to: its text, and where it lies.

    Where it lies matters only for a file the CSS names (by url(), @import...), which the
    house CSS does not (only data: URLs): without one, the projects of approved letters,
    each a project of its own, share it.
    """
    if css not in _NAMES_FILES:
        _NAMES_FILES[css] = _names_files(css)
        while len(_NAMES_FILES) > _Sheets.KEPT:
            del _NAMES_FILES[next(iter(_NAMES_FILES))]
    return (base_url, css) if _NAMES_FILES[css] else css


#: Whether each CSS text `_sheet_key` was asked of names a file.
_NAMES_FILES: dict[str, bool] = {}
#: The CSS functions that may name a file by a string as well as by url().
_FETCHING = frozenset({"url", "src", "image", "image-set", "-webkit-image-set", "cross-fade"})


def _names_files(css: str) -> bool:
    """Say whether CSS names a file to fetch (a URL that is not a data: URL), as read."""
    import tinycss2

    def names(tokens: Any) -> bool:
        for token in tokens or ():
            kind = getattr(token, "type", "")
            if kind == "url" and not token.value.startswith("data:"):
                return True
            if kind == "function" and token.lower_name in _FETCHING:
                strings = [item for item in token.arguments if item.type == "string"]
                if token.lower_name not in ("url", "src") or any(
                    not item.value.startswith("data:") for item in strings
                ):
                    return True
            if kind == "at-rule" and token.lower_at_keyword != "page":
                if token.lower_at_keyword in ("import", "font-face", "namespace"):
                    return True
            for part in ("prelude", "content", "arguments"):
                if names(getattr(token, part, None)):
                    return True
        return False

    return names(tinycss2.parse_stylesheet(css))


#: The font configurations this process has made, by the fonts they load, with the house
#: stylesheets parsed for each; the oldest goes first. WeasyPrint and Pango never give back
#: some of the native memory each one takes (0.2 MB), so a process that loads its project
#: again and again (the live preview, on every save), or a project of its own for each
#: letter (a batch of approved letters), reuses the one it made for the same font files.
_FONT_CONFIGS: OrderedDict[Hashable, tuple[Any, Any, _Sheets, Callable[[], object]]] = OrderedDict()
FONT_CONFIGS_KEPT = 4


def laid_out() -> bool:
    """Say whether this process has started fontconfig and Pango's font map.

    It has once it made a font configuration, which it does before laying out any page;
    forking it after that is unsafe (`build.workers`).
    """
    return _STARTED


#: Whether this process has made a font configuration (`laid_out`), even one dropped since.
_STARTED = False


def _loaded_fonts(key: Hashable, make: Callable[[], tuple[Any, Any]]) -> tuple[Any, Any, _Sheets]:
    """Return the font configuration and font stylesheet for `key`, made by `make` once.

    With them, the house stylesheets parsed for that configuration.
    """
    from multiprocessing.util import Finalize

    if key in _FONT_CONFIGS:
        _FONT_CONFIGS.move_to_end(key)
        config, fonts, sheets, _ = _FONT_CONFIGS[key]
        return config, fonts, sheets
    global _STARTED
    _STARTED = True
    config, fonts = make()
    # its font folder goes as the process ends (a build worker's end, which collects nothing,
    # included) or as the configuration is dropped, whichever is first
    remove = Finalize(None, _remove_font_folder, args=(config,), exitpriority=0)
    sheets = _Sheets()
    _FONT_CONFIGS[key] = (config, fonts, sheets, remove)
    while len(_FONT_CONFIGS) > FONT_CONFIGS_KEPT:
        _, (_, _, _, dropped) = _FONT_CONFIGS.popitem(last=False)
        dropped()
    return config, fonts, sheets


def _remove_font_folder(config: Any) -> None:
    """Remove the folder WeasyPrint copied a font configuration's fonts into.

    WeasyPrint removes it only when the configuration is garbage-collected, which a process
    ending by os._exit (a build worker) never does, and which during the interpreter's last
    teardown fails; a configuration kept for a whole process is cleaned up here instead.
    """
    folder = font_folder(config)
    if folder is not None:
        shutil.rmtree(folder, ignore_errors=True)
        forget_font_folder(config)  # nothing left for its finaliser to remove


def _finish(
    properties: dict[str, str], language: str, draft: bool, document: object, pdf: pydyf.PDF
) -> None:
    """Declare PDF/UA-1 and the provenance in the XMP (uncompressed); title the viewer window.

    The page furniture becomes pagination artifacts (render.pdf_tags).
    """
    mark_pagination(document, pdf, watermarked=draft)
    mend_structure(document, pdf)

    pdf.catalog["ViewerPreferences"] = pydyf.Dictionary({"DisplayDocTitle": "true"})
    if "AF" in pdf.catalog:  # WeasyPrint lists each associated file twice
        pdf.catalog["AF"] = pydyf.Array(dict.fromkeys(pdf.catalog["AF"]))
    for item in pdf.objects:
        if isinstance(item, dict) and item.get("Type") == "/Filespec":
            name = getattr(item.get("UF"), "string", "")
            media_type = embedded_media_type(name if isinstance(name, str) else name.decode())
            pdf.objects[int(item["EF"]["F"].split()[0])].extra["Subtype"] = (
                "/" + media_type.replace("/", "#2F")
            )
    metadata = pdf.objects[int(pdf.catalog["Metadata"].split()[0])]
    packet = b"".join(
        part if isinstance(part, bytes) else str(part).encode() for part in metadata.stream
    )
    metadata.stream = [add_to_packet(packet, letters_descriptions(properties, language))]
    metadata.compress = False  # some PDF/A validators reject a compressed metadata stream
    for item in pdf.objects:  # PDF/A forbids asking a viewer to smooth an image (a signature)
        if isinstance(item, pydyf.Stream) and item.extra.get("Subtype") == "/Image":
            item.extra["Interpolate"] = "false"
    pdf.__class__ = _WrittenOnce


class _WrittenOnce(pydyf.PDF):  # type: ignore[misc]
    """A PDF that serialises each of its objects once as it is written.

    To write the identifier PDF/A requires, pydyf 0.13 serialises every object a second
    time, to hash the file, compressing every stream again: a tenth of a letter's time.
    From the moment the PDF is written, each object keeps the bytes it gave first. Nothing
    changes an object once writing has begun, so the bytes are the same.
    """

    def write(self, *args: Any, **kwargs: Any) -> None:
        """Write the PDF as pydyf does, each object serialised once."""
        for item in self.objects:
            _serialised_once(item)
        super().write(*args, **kwargs)

    def add_object(self, item: Any) -> None:
        """Add an object (pydyf adds its object and cross-reference streams as it writes)."""
        _serialised_once(item)
        super().add_object(item)


class _WrittenAndNoted(_WrittenOnce):
    """A PDF written as `_WrittenOnce`, noting how (for `_Deriving`)."""

    noted: tuple[tuple[Any, ...], dict[str, Any]] | None = None

    def write(self, output: Any, *args: Any, **kwargs: Any) -> None:
        """Write the PDF as `_WrittenOnce` does, noting the arguments after the output."""
        self.noted = (args, kwargs)
        super().write(output, *args, **kwargs)


class _KeptData:
    """Mixed into a pydyf object's class: the object keeps the bytes it serialises to."""

    @cached_property
    def data(self) -> bytes:
        """Serialise the object the first time it is asked; give the same bytes after."""
        return super().data  # type: ignore[misc,no-any-return]


#: Each pydyf class, and the same class keeping its bytes.
_KEEPING: dict[type, type] = {}


def _serialised_once(item: Any) -> None:
    """Make a pydyf object keep its bytes once serialised (a free object has none).

    A stream as pydyf writes it is also ended safely (`_EndedStream`).
    """
    kind = type(item)
    if item.free == "f" or issubclass(kind, _KeptData):
        return
    if isinstance(item, pydyf.Stream) and kind.data is pydyf.Stream.data:
        kind = _EndedStream  # the same stream, ended safely
    if kind not in _KEEPING:
        _KEEPING[kind] = type(f"Kept{kind.__name__}", (_KeptData, kind), {})
    item.__class__ = _KEEPING[kind]


class _EndedStream(pydyf.Stream):  # type: ignore[misc]
    """A stream whose data is always followed by an end of line no reader can mistake.

    pydyf writes a line feed between a stream's data and `endstream`; when the data itself
    ends with a carriage return (a compressed font map may), the two read as one CRLF end of
    line, so the stream looks a byte shorter than its /Length and PDF/A validators refuse
    it. Such a stream is ended with CRLF instead. Otherwise this writes as pydyf does, but
    compressed at `COMPRESSION`.
    """

    @property
    def data(self) -> bytes:
        """Write the stream as pydyf 0.13 does, with a CRLF after data ending in CR."""
        stream = b"\n".join(to_bytes(item) for item in self.stream)
        extra = pydyf.Dictionary(self.extra.copy())
        if self.compress:
            extra["Filter"] = "/FlateDecode"
            compressor = zlib.compressobj(level=COMPRESSION)
            stream = compressor.compress(stream) + compressor.flush()
        extra["Length"] = len(stream)
        end = b"\r\n" if stream.endswith(b"\r") else b"\n"
        return bytes(extra.data) + b"\nstream\n" + stream + end + b"endstream"
