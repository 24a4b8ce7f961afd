"""The private internals of python-docx, WeasyPrint, pydyf and cffi that the renderers use.

Each of these libraries promises only its documented API; everything listed here may change
or vanish in any release, so the renderers reach them only through this module, and
tests/test_internals.py imports each one and names whichever is gone.

Names, given by this module (imported from the library only when first asked for, so that a
DOCX-only build still never imports WeasyPrint or pydyf):

python-docx (its `docx.oxml` and `docx.opc` layers are undocumented):
- `OxmlElement`, `parse_xml` (docx.oxml), `qn` (docx.oxml.ns): make and name raw WordprocessingML
  elements where python-docx has no API: hyperlinks, list numbering, table borders and cell
  margins, languages, fields, tracked changes (office.redline), the DRAFT watermark.
- `CT_Numbering` (docx.oxml.numbering): the numbering part's element, to start a numbered list
  again from any number and to indent lists as the house style says.
- `RELATIONSHIP_TYPE` (docx.opc.constants): the relationship types, to drop the template's
  thumbnail and to relate a hyperlink.
- `PackURI` (docx.opc.packuri), `PhysPkgWriter` (docx.opc.phys_pkg) and the private static
  methods `PackageWriter._write_content_types_stream`, `_write_pkg_rels` and `_write_parts`
  (docx.opc.pkgwriter), through `write_package`: the package is written as python-docx writes
  it, but with every zip entry dated the letter's day, so that a letter is reproducible.
- `_Cell` (docx.table): a table row's own cells made from its `w:tc` elements; `_Row.cells`
  walks the whole table, which is quadratic in rows.

WeasyPrint (imported only after `engine.import_weasyprint`):
- `ffi` (weasyprint.text.ffi): WeasyPrint's cffi instance, given a faster cache of C types.
- `boxes` (weasyprint.formatting_structure.boxes): the laid-out box tree (MarginBox, TextBox,
  ReplacedBox, TableCellBox and their `children`, `element`, `element_tag`, `at_keyword`,
  `link_annotation`, `mark`), to tag page furniture as artifacts and mend the structure tree.
- `SVG` (weasyprint.svg): the class that draws an SVG image onto a PDF stream; its method
  `draw` is wrapped by render.pdf to draw an image of shapes once and write its operators
  again (`_SvgDrawings`).
- `FontConfiguration` (weasyprint.text.fonts), `URLFetcher` and `URLFetcherResponse`
  (weasyprint.urls): documented in WeasyPrint's API reference, but reached by module paths
  the top-level package does not give, which WeasyPrint has moved before.

pydyf:
- `to_bytes` (`pydyf._to_bytes`): serialises one stream item exactly as pydyf 0.13 does, for
  render.pdf's copy of `Stream.data` that ends a stream safely.

Private attributes, read or set through the functions below:
- python-docx: `Paragraph._p`, `Run._r`, `Table._tbl`, `_Row._tr`: the XML element behind
  each, to set a style by id (the setter searches every style), to append raw elements, to
  name a picture for assistive technology, and to add table borders and margins.
- WeasyPrint: `Page._page_box`, the page's laid-out boxes; `FontConfiguration._folder`, the
  folder of fonts a configuration copies, removed when a process ends without its finaliser;
  a PDF stream's (`weasyprint.pdf.stream.Stream`) `_resources`, `_fonts`, `_images`, `_tags`,
  `_ctm_stack` and the state of what it drew last (`_current_color`, `_current_alpha`,
  `_current_font` and the like), to see what drawing an SVG image did and do it again.
- cffi (WeasyPrint's `ffi`): `FFI._parsed_types`, its cache of parsed C types, and
  `FFI._backend.new_array_type`, to make an array type without parsing its name.

`NAMES` and `ATTRIBUTES` hold the same lists for the test.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from docx.opc.constants import RELATIONSHIP_TYPE as RELATIONSHIP_TYPE
    from docx.opc.package import OpcPackage
    from docx.opc.packuri import PackURI as PackURI
    from docx.opc.part import Part
    from docx.opc.phys_pkg import PhysPkgWriter as PhysPkgWriter
    from docx.oxml import OxmlElement as OxmlElement
    from docx.oxml import parse_xml as parse_xml
    from docx.oxml.ns import qn as qn
    from docx.oxml.numbering import CT_Numbering as CT_Numbering
    from docx.oxml.table import CT_Row, CT_Tbl
    from docx.oxml.text.paragraph import CT_P
    from docx.oxml.text.run import CT_R
    from docx.table import Table, _Row
    from docx.table import _Cell as _Cell
    from docx.text.paragraph import Paragraph
    from docx.text.run import Run
    from pydyf import _to_bytes
    from weasyprint.formatting_structure import boxes as boxes
    from weasyprint.svg import SVG as SVG
    from weasyprint.text.ffi import ffi as ffi
    from weasyprint.text.fonts import FontConfiguration as FontConfiguration
    from weasyprint.urls import URLFetcher as URLFetcher
    from weasyprint.urls import URLFetcherResponse as URLFetcherResponse

    to_bytes = _to_bytes

#: Each name this module gives: the library's module, and the name there (dotted for an
#: attribute of a class). A module itself (`boxes`) is given by an empty name.
NAMES: dict[str, tuple[str, str]] = {
    "OxmlElement": ("docx.oxml", "OxmlElement"),
    "parse_xml": ("docx.oxml", "parse_xml"),
    "qn": ("docx.oxml.ns", "qn"),
    "CT_Numbering": ("docx.oxml.numbering", "CT_Numbering"),
    "RELATIONSHIP_TYPE": ("docx.opc.constants", "RELATIONSHIP_TYPE"),
    "PackURI": ("docx.opc.packuri", "PackURI"),
    "PhysPkgWriter": ("docx.opc.phys_pkg", "PhysPkgWriter"),
    "_Cell": ("docx.table", "_Cell"),
    "ffi": ("weasyprint.text.ffi", "ffi"),
    "boxes": ("weasyprint.formatting_structure.boxes", ""),
    "FontConfiguration": ("weasyprint.text.fonts", "FontConfiguration"),
    "URLFetcher": ("weasyprint.urls", "URLFetcher"),
    "URLFetcherResponse": ("weasyprint.urls", "URLFetcherResponse"),
    "SVG": ("weasyprint.svg", "SVG"),
    "to_bytes": ("pydyf", "_to_bytes"),
}

#: Each private attribute used on a library's objects: (module, class, attribute). Those
#: the class itself has (methods, class defaults) are checked on it; the others on an
#: instance the test makes.
ATTRIBUTES: tuple[tuple[str, str, str], ...] = (
    ("docx.opc.pkgwriter", "PackageWriter", "_write_content_types_stream"),
    ("docx.opc.pkgwriter", "PackageWriter", "_write_pkg_rels"),
    ("docx.opc.pkgwriter", "PackageWriter", "_write_parts"),
    ("docx.text.paragraph", "Paragraph", "_p"),
    ("docx.text.run", "Run", "_r"),
    ("docx.table", "Table", "_tbl"),
    ("docx.table", "_Row", "_tr"),
    ("weasyprint.document", "Page", "_page_box"),
    ("weasyprint.text.fonts", "FontConfiguration", "_folder"),
    ("weasyprint.svg", "SVG", "draw"),
    ("weasyprint.pdf.stream", "Stream", "_resources"),
    ("weasyprint.pdf.stream", "Stream", "_fonts"),
    ("weasyprint.pdf.stream", "Stream", "_images"),
    ("weasyprint.pdf.stream", "Stream", "_tags"),
    ("weasyprint.pdf.stream", "Stream", "_ctm_stack"),
    ("weasyprint.pdf.stream", "Stream", "_current_color"),
    ("weasyprint.pdf.stream", "Stream", "_current_color_stroke"),
    ("weasyprint.pdf.stream", "Stream", "_current_alpha"),
    ("weasyprint.pdf.stream", "Stream", "_current_alpha_stroke"),
    ("weasyprint.pdf.stream", "Stream", "_current_font"),
    ("weasyprint.pdf.stream", "Stream", "_current_font_size"),
    ("weasyprint.pdf.stream", "Stream", "_old_font"),
    ("weasyprint.pdf.stream", "Stream", "_old_font_size"),
    ("cffi.api", "FFI", "_parsed_types"),
    ("cffi.api", "FFI", "_backend"),
)


def __getattr__(name: str) -> Any:
    """Import a listed name from its library the first time it is asked for."""
    if name not in NAMES:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    module, path = NAMES[name]
    found: Any = importlib.import_module(module)
    for part in path.split(".") if path else ():
        found = getattr(found, part)
    globals()[name] = found
    return found


def write_package(writer: PhysPkgWriter, package: OpcPackage, parts: list[Part]) -> None:
    """Write a package's parts as python-docx's `PackageWriter.write` does, with `writer`."""
    from docx.opc.pkgwriter import PackageWriter

    PackageWriter._write_content_types_stream(writer, parts)  # type: ignore[no-untyped-call]
    PackageWriter._write_pkg_rels(writer, package.rels)  # type: ignore[no-untyped-call]
    PackageWriter._write_parts(writer, parts)


def paragraph_xml(paragraph: Paragraph) -> CT_P:
    """Give the `w:p` element behind a python-docx paragraph (`Paragraph._p`)."""
    return paragraph._p


def run_xml(run: Run) -> CT_R:
    """Give the `w:r` element behind a python-docx run (`Run._r`)."""
    return run._r


def table_xml(table: Table) -> CT_Tbl:
    """Give the `w:tbl` element behind a python-docx table (`Table._tbl`)."""
    return table._tbl


def row_xml(row: _Row) -> CT_Row:
    """Give the `w:tr` element behind a python-docx table row (`_Row._tr`)."""
    return row._tr


def page_box(page: Any) -> Any:
    """Give the laid-out page box of a WeasyPrint page (`Page._page_box`)."""
    return page._page_box


def font_folder(config: Any) -> Any:
    """Give the folder a WeasyPrint font configuration copied its fonts to, if any (`_folder`)."""
    return getattr(config, "_folder", None)


def forget_font_folder(config: Any) -> None:
    """Tell a font configuration its folder is gone, so its finaliser leaves it alone."""
    config._folder = None


def stream_resources(stream: Any) -> Any:
    """Give the resources a WeasyPrint stream names what it draws in (`Stream._resources`)."""
    return stream._resources


def stream_ctm(stream: Any) -> Any:
    """Give a WeasyPrint stream's stack of transformation matrices (`Stream._ctm_stack`)."""
    return stream._ctm_stack


def stream_shared(stream: Any) -> tuple[Any, Any, Any]:
    """Give what a WeasyPrint stream shares with its PDF: fonts, images, tags (or None)."""
    return stream._fonts, stream._images, stream._tags


def parsed_types(ffi: Any) -> Any:
    """Give the cache of C types cffi has parsed (`FFI._parsed_types`), if it has one."""
    return getattr(ffi, "_parsed_types", None)


def has_array_types(ffi: Any) -> bool:
    """Say whether cffi's backend is there to make array types (`FFI._backend`)."""
    return hasattr(ffi, "_backend")


def replace_parsed_types(ffi: Any, cache: dict[str, Any]) -> None:
    """Give cffi another cache of parsed C types (`FFI._parsed_types`)."""
    ffi._parsed_types = cache


def new_array_type(ffi: Any, pointer: Any, length: int) -> Any:
    """Make the C array type of `length` items of `pointer`'s type (`FFI._backend`)."""
    return ffi._backend.new_array_type(pointer, length)
