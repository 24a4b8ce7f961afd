"""Every private internal the renderers use (letters.render.internals) is still there.

A new release of python-docx, WeasyPrint, pydyf or cffi may drop any of them without notice;
each test here names the one that is gone.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from typing import Any

import docx
import pytest

from letters.render import internals
from letters.render.engine import import_weasyprint

LIBRARY = {
    "docx": "python-docx",
    "weasyprint": "WeasyPrint",
    "pydyf": "pydyf",
    "cffi": "cffi",
}


def _library(module: str) -> str:
    return LIBRARY[module.partition(".")[0]]


def _weasyprint_page() -> Any:
    return import_weasyprint().HTML(string="<p>x</p>").render().pages[0]


def _font_configuration() -> Any:
    import_weasyprint()
    return internals.FontConfiguration()


#: How to make an instance of each class whose private attribute is set on the instance.
MAKE: dict[tuple[str, str], Callable[[], Any]] = {
    ("docx.text.paragraph", "Paragraph"): lambda: docx.Document().add_paragraph(),
    ("docx.text.run", "Run"): lambda: docx.Document().add_paragraph().add_run(),
    ("docx.table", "Table"): lambda: docx.Document().add_table(rows=1, cols=1),
    ("docx.table", "_Row"): lambda: docx.Document().add_table(rows=1, cols=1).rows[0],
    ("weasyprint.document", "Page"): _weasyprint_page,
    ("weasyprint.text.fonts", "FontConfiguration"): _font_configuration,
    ("cffi.api", "FFI"): lambda: internals.ffi,
    ("weasyprint.pdf.stream", "Stream"): lambda: _stream(),
}


def _stream() -> Any:
    import_weasyprint()
    from weasyprint.pdf.stream import Stream

    return Stream({}, (0, 0, 1, 1), {"ExtGState": {}}, {}, None, {}, None)


def _import(module: str) -> Any:
    if module.partition(".")[0] == "weasyprint":
        import_weasyprint()  # as the renderers import it
    try:
        return importlib.import_module(module)
    except ImportError:
        pytest.fail(f"{_library(module)} no longer has the module {module}")


@pytest.mark.parametrize("given", sorted(internals.NAMES))
def test_each_name_is_still_there(given: str) -> None:
    module, path = internals.NAMES[given]
    found = _import(module)
    for part in path.split(".") if path else ():
        if not hasattr(found, part):
            pytest.fail(f"{_library(module)} no longer has {module}.{path}")
        found = getattr(found, part)
    assert getattr(internals, given) is found


@pytest.mark.parametrize(
    ("module", "owner", "attribute"), internals.ATTRIBUTES, ids=lambda part: str(part)
)
def test_each_private_attribute_is_still_there(module: str, owner: str, attribute: str) -> None:
    cls = getattr(_import(module), owner, None)
    if cls is None:
        pytest.fail(f"{_library(module)} no longer has {module}.{owner}")
    if hasattr(cls, attribute):  # a method, or a default the class gives
        return
    make = MAKE.get((module, owner))
    if make is None:
        pytest.fail(f"{module}.{owner}.{attribute}: say in MAKE how to make one to look at")
    instance = make()
    assert isinstance(instance, cls)
    if not hasattr(instance, attribute):
        pytest.fail(f"{_library(module)} no longer has {module}.{owner}.{attribute}")


def test_the_accessors_give_what_the_renderers_expect() -> None:
    document = docx.Document()
    paragraph = document.add_paragraph("x")
    table = document.add_table(rows=1, cols=1)
    assert internals.paragraph_xml(paragraph).tag == internals.qn("w:p")
    assert internals.run_xml(paragraph.runs[0]).tag == internals.qn("w:r")
    assert internals.table_xml(table).tag == internals.qn("w:tbl")
    assert internals.row_xml(table.rows[0]).tag == internals.qn("w:tr")
    assert isinstance(internals.page_box(_weasyprint_page()), internals.boxes.PageBox)
    assert type(internals.parsed_types(internals.ffi)) is not dict  # the faster cache is in
    assert internals.has_array_types(internals.ffi)
