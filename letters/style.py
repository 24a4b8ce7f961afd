"""The house style: read once from templates/house-style.yaml into typed lengths and colours."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Annotated

import pydantic
from pydantic import BaseModel, BeforeValidator, ConfigDict

from .errors import DataError, TemplateError
from .load import load_source

_LENGTH = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*(mm|pt)\s*$")
_POINTS_PER_MM = 72 / 25.4


class Length(float):
    """A length in points, written in the style file as '18mm' or '11pt'."""

    @property
    def mm(self) -> float:
        return float(self) / _POINTS_PER_MM

    def css(self) -> str:
        return f"{float(self):g}pt"


def _length(value: object) -> Length:
    match = _LENGTH.match(str(value))
    if not match:
        raise ValueError(f"expected a length such as 18mm or 11pt, got {value!r}")
    number, unit = float(match.group(1)), match.group(2)
    return Length(number * _POINTS_PER_MM if unit == "mm" else number)


def _colour(value: object) -> str:
    text = str(value)
    if not re.fullmatch(r"#[0-9a-fA-F]{6}", text):
        raise ValueError(f"expected a colour written #rrggbb, got {text!r}")
    return text.lower()


Len = Annotated[Length, BeforeValidator(_length)]
Colour = Annotated[str, BeforeValidator(_colour)]


class _Part(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, arbitrary_types_allowed=True)


class Page(_Part):
    size: str
    margin_top: Len
    margin_right: Len
    margin_bottom: Len
    margin_left: Len


class FontFiles(_Part):
    regular: str
    bold: str
    italic: str
    bold_italic: str


class Font(_Part):
    docx: str
    pdf: str
    files: FontFiles


class TextStyle(_Part):
    size: Len
    line_height: float
    space_after: Len
    colour: Colour


class Headings(_Part):
    subject_size: Len
    section_size: Len
    colour: Colour


class Colours(_Part):
    accent: Colour
    rule: Colour
    muted: Colour


class LetterheadStyle(_Part):
    height: Len


class AddressStyle(_Part):
    top: Len
    width: Len


class ReferenceStyle(_Part):
    width: Len
    label_width: Len
    size: Len


class SignatureStyle(_Part):
    space: Len


class TableStyle(_Part):
    size: Len
    rule: Colour


class FooterStyle(_Part):
    size: Len


class MarkingStyle(_Part):
    size: Len
    colour: Colour
    draft_colour: Colour


class HouseStyle(_Part):
    """Fonts, sizes, colours and page geometry shared by every output."""

    page: Page
    font: Font
    text: TextStyle
    headings: Headings
    colours: Colours
    letterhead: LetterheadStyle
    address: AddressStyle
    reference: ReferenceStyle
    signature: SignatureStyle
    table: TableStyle
    footer: FooterStyle
    marking: MarkingStyle


PAGE_SIZES_MM = {"A4": (210.0, 297.0)}


def load_style(path: Path) -> HouseStyle:
    """Read and check the house style file."""
    try:
        source = load_source(path)
        style = HouseStyle.model_validate(source.tree)
    except DataError as exc:
        raise TemplateError(str(exc)) from None
    except pydantic.ValidationError as exc:
        raise TemplateError("\n".join(map(str, source.problems(exc.errors(include_url=False))))) from None
    if style.page.size not in PAGE_SIZES_MM:
        raise TemplateError(f"{source.locate(('page', 'size'))}: page.size: {style.page.size!r} is not a page size this tool knows; expected A4")
    return style


CSS_TEMPLATE = "house-style.css.j2"


def render_css(templates: Path, style: HouseStyle, **extra: str) -> str:
    """Turn the house style into CSS through templates/house-style.css.j2."""
    from jinja2 import FileSystemLoader, StrictUndefined
    from jinja2 import TemplateError as JinjaError
    from jinja2.sandbox import ImmutableSandboxedEnvironment

    env = ImmutableSandboxedEnvironment(loader=FileSystemLoader(str(templates)), undefined=StrictUndefined,
                                        trim_blocks=True, lstrip_blocks=True)
    try:
        return env.get_template(CSS_TEMPLATE).render(style=style, **extra)
    except JinjaError as exc:
        line = getattr(exc, "lineno", None)
        raise TemplateError(f"templates/{CSS_TEMPLATE}{f':{line}' if line else ''}: {exc}") from None
