"""The house style: read once from templates/house-style.yaml into typed lengths and colours."""

from __future__ import annotations

import re
import sys
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, TypeVar, cast

import pydantic
from pydantic import AfterValidator, BaseModel, BeforeValidator, ConfigDict, Field, PrivateAttr

from ..source import kept
from ..source.errors import DataError, Problem, TemplateError
from ..source.inputs import HOUSE_STYLE
from ..source.load import Source, dotted, load_source
from ..source.names import refuse_hidden

if TYPE_CHECKING:
    import jinja2

T = TypeVar("T")

_LENGTH = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*(mm|pt)\s*$")
_POINTS_PER_MM = 72 / 25.4


class Length(float):
    """A length in points, written in the style file as '18mm' or '11pt'."""

    @property
    def mm(self) -> float:
        """Return the length in millimetres."""
        return float(self) / _POINTS_PER_MM

    def css(self) -> str:
        """Write the length for CSS, in points."""
        return f"{float(self):g}pt"


#: The longest length the house style may give: an A4 page's height.
_LONGEST = 297 * _POINTS_PER_MM


def _length(value: object) -> Length:
    """Read a length written '18mm' or '11pt', at most a page's height."""
    match = _LENGTH.match(str(value))
    if not match:
        raise ValueError(f"expected a length such as 18mm or 11pt, got {value!r}")
    number, unit = float(match.group(1)), match.group(2)
    length = Length(number * _POINTS_PER_MM if unit == "mm" else number)
    if length > _LONGEST:
        raise ValueError(f"{value} is longer than the page; expected at most 297mm")
    return length


def _wordmark_height(value: Length) -> Length:
    """Refuse a wordmark too small to see or taller than a letterhead can be."""
    if not 5 * _POINTS_PER_MM <= value <= 60 * _POINTS_PER_MM:
        raise ValueError(f"{value.mm:g}mm is not a letterhead's height; expected 5mm to 60mm")
    return value


def _type_size(value: Length) -> Length:
    """Refuse a type size no letter could be read in."""
    if not 5 <= value <= 36:
        raise ValueError(
            f"{float(value):g}pt is not a type size for a letter; expected 5pt to 36pt"
        )
    return value


def _colour(value: object) -> str:
    """Read a colour written #rrggbb."""
    text = str(value)
    if not re.fullmatch(r"#[0-9a-fA-F]{6}", text):
        raise ValueError(f"expected a colour written #rrggbb, got {text!r}")
    return text.lower()


Len = Annotated[Length, BeforeValidator(_length)]
Size = Annotated[Length, BeforeValidator(_length), AfterValidator(_type_size)]
LineHeight = Annotated[float, Field(ge=0.8, le=3)]
Colour = Annotated[str, BeforeValidator(_colour)]


class _Part(BaseModel):
    """A part of the house style: unknown keys are errors, values are read-only."""

    model_config = ConfigDict(extra="forbid", frozen=True, arbitrary_types_allowed=True)


class Page(_Part):
    """The page: its size, margins and where the header and footer sit."""

    size: str
    margin_top: Len
    margin_right: Len
    margin_bottom: Len
    margin_left: Len
    header_distance: Len
    footer_distance: Len


class FontFiles(_Part):
    """The font files the PDF embeds, under templates/."""

    regular: str
    bold: str
    italic: str
    bold_italic: str


class Font(_Part):
    """The font Word names and the font the PDF embeds."""

    docx: str
    pdf: str
    files: FontFiles


class TextStyle(_Part):
    """Body text."""

    size: Size
    line_height: LineHeight
    space_after: Len
    colour: Colour


class Headings(_Part):
    """Headings: the subject line (level 1), sections (2) and subsections (3)."""

    subject_size: Size
    section_size: Size
    colour: Colour
    line_height: LineHeight
    minor_space_after: Len


class Colours(_Part):
    """The colours of the wordmark, links, rules and the footer."""

    accent: Colour
    rule: Colour
    muted: Colour


class LetterheadStyle(_Part):
    """The wordmark on page 1."""

    height: Annotated[Len, AfterValidator(_wordmark_height)]


class ListStyle(_Part):
    """Bulleted lists."""

    indent: Len
    hanging: Len
    item_space: Len


class AddressStyle(_Part):
    """The recipient's address, placed for a window envelope."""

    top: Len
    width: Len


class ReferenceStyle(_Part):
    """The reference block beside the address."""

    width: Len
    label_width: Len
    size: Size
    row_space: Len


class SignatureStyle(_Part):
    """The room left for a handwritten signature."""

    space: Len


class TableStyle(_Part):
    """Tables of findings."""

    size: Size
    rule: Colour
    rule_width: Len
    padding_y: Len
    padding_x: Len
    first_column: Len


class FooterStyle(_Part):
    """The page footer."""

    size: Size
    #: In a file holding several languages (the HTML page, the DOCX), name the office in each
    #: of them ("Swyddfa ... / Office of ..., its address"), not in the first alone. A style
    #: without it (an approved letter's snapshot from before) keeps the first language's.
    every_language: bool = False


class MarkingStyle(_Part):
    """The security marking at the top of every page and the DRAFT mark across drafts."""

    size: Size
    colour: Colour
    draft_colour: Colour
    draft_opacity: Annotated[float, Field(gt=0, le=1)]


class NumberStyle(_Part):
    """How counts are written, in templates and the letter's own {named} facts alike."""

    #: Counts up to this one in words ('nine'), larger ones in figures ('10'); 0 for figures.
    words_up_to: Annotated[int, Field(ge=0, le=20)] = 9


class HouseStyle(_Part):
    """Fonts, sizes, colours and page geometry shared by every output."""

    page: Page
    font: Font
    text: TextStyle
    headings: Headings
    colours: Colours
    letterhead: LetterheadStyle
    lists: ListStyle
    address: AddressStyle
    reference: ReferenceStyle
    signature: SignatureStyle
    table: TableStyle
    footer: FooterStyle
    marking: MarkingStyle
    numbers: NumberStyle = NumberStyle()
    #: The folder the style file is in (templates/): its CSS template and fonts lie there.
    _folder: Path = PrivateAttr(default=Path("templates"))
    #: The project the style is of: no file it names is read from outside it.
    _root: Path = PrivateAttr(default=Path("."))
    #: What renderers made from this style since it was loaded (its CSS for a page's
    #: furniture, its Word styles in a language), each made once per project loaded.
    _made: dict[tuple[object, ...], Any] = PrivateAttr(default_factory=dict)

    @property
    def folder(self) -> Path:
        """Return the folder the style's CSS template and font files lie in."""
        return self._folder

    @property
    def root(self) -> Path:
        """Return the folder of the project the style is of."""
        return self._root

    def made_once(self, key: tuple[object, ...], make: Callable[[], T]) -> T:
        """Return what `make` makes from this style for `key`, making it only the first time."""
        if key not in self._made:
            self._made[key] = make()
        return cast(T, self._made[key])

    def file(self, relative: str) -> Path:
        """Resolve a file the style names (a font, say), refusing any outside its folder.

        A hidden file (`hidden`) is refused too: it is no input of a letter.
        """
        refuse_hidden(relative, "input of a letter")
        root = self._folder.resolve()
        path = (root / relative).resolve()
        if not path.is_relative_to(root) or not path.is_file():
            raise TemplateError(f"templates/{relative}: no such file inside the templates folder")
        return path

    @property
    def page_size(self) -> tuple[Length, Length]:
        """Return the page's width and height."""
        width, height = PAGE_SIZES_MM[self.page.size]
        return Length(width * _POINTS_PER_MM), Length(height * _POINTS_PER_MM)

    @property
    def content_width(self) -> Length:
        """Return the width between the left and right margins."""
        return Length(self.page_size[0] - self.page.margin_left - self.page.margin_right)


PAGE_SIZES_MM = {"A4": (210.0, 297.0)}


def load_style(path: Path, root: Path) -> HouseStyle:
    """Read and check the house style file of the project at `root`."""
    try:
        source = load_source(path, root, HOUSE_STYLE)
        style = HouseStyle.model_validate(source.tree)
    except DataError as exc:
        raise TemplateError(str(exc)) from None
    except pydantic.ValidationError as exc:
        raise TemplateError(
            "\n".join(str(_style_problem(source, error)) for error in exc.errors(include_url=False))
        ) from None
    if style.page.size not in PAGE_SIZES_MM:
        raise TemplateError(
            f"{source.locate(('page', 'size'))}: page.size: {style.page.size!r} "
            "is not a page size this tool knows; expected A4"
        )
    page = style.page
    if style.content_width < 100 * _POINTS_PER_MM or (
        style.page_size[1] - page.margin_top - page.margin_bottom < 150 * _POINTS_PER_MM
    ):
        raise TemplateError(
            f"{source.locate(('page',))}: page: the margins leave too little room for a letter; "
            "keep at least 100mm across and 150mm down"
        )
    style._folder = path.parent
    style._root = root
    return style


def _style_problem(source: Source, error: Any) -> Problem:
    """Say what is wrong with one house-style value in plain words, at its line."""
    path = tuple(error["loc"])
    where = source.locate(path)
    if error["type"] == "missing":
        message = "this setting is required but missing"
    elif error.get("input") is None:
        message = (
            "is empty. In YAML a # starts a comment, so an unquoted colour such as #8b1e3f is "
            'read as nothing: write it in quotes, "#8b1e3f"'
        )
    elif error["type"] == "extra_forbidden":
        message = f"unknown setting {path[-1]!r}"
    elif error["type"] == "value_error":
        message = str(error["ctx"]["error"])
    else:
        message = str(error["msg"])
    return Problem(where, message, dotted(path))


CSS_TEMPLATE = "house-style.css.j2"


class CssText(str):
    """CSS already written safely (a quoted, escaped string): printed into the CSS as it is."""


#: CSS functions whose arguments a browser fetches.
_FETCHING = {"url", "src", "image", "image-set", "-webkit-image-set", "cross-fade",
             "-webkit-cross-fade"}  # fmt: skip


def _outside_url(css: str) -> tuple[int, str] | None:
    """Find the first thing in CSS a browser would fetch (an @import, a URL not data:)."""
    import tinycss2

    def walk(tokens: list[Any], fetching: bool) -> tuple[int, str] | None:
        for token in tokens:
            kind = token.type
            if kind == "at-rule" and token.lower_at_keyword == "import":
                return token.source_line, "@import"
            if kind == "url" or (fetching and kind == "string"):
                if not str(token.value).strip().lower().startswith("data:"):
                    return token.source_line, f"url({token.value})"
            if kind == "function":
                found = walk(token.arguments, fetching or token.lower_name in _FETCHING)
                if found:
                    return found
            for part in ("prelude", "content"):
                inner = getattr(token, part, None)
                if isinstance(inner, list):
                    found = walk(inner, fetching)
                    if found:
                        return found
        return None

    return walk(tinycss2.parse_stylesheet(css), False)


#: What a house-style value may hold when printed into the CSS: names, numbers, colours.
_PLAIN_CSS = re.compile(r"[\w .,#%()+-]*")


def render_css(style: HouseStyle, **extra: CssText) -> str:
    """Turn the house style into CSS through templates/house-style.css.j2.

    The CSS is inlined in an HTML <style> element, so it may never hold '</'. It is made
    once for each page furniture (`extra`) while the style is loaded.
    """
    return style.made_once(("css", *sorted(extra.items())), lambda: _make_css(style, extra))


def _make_css(style: HouseStyle, extra: dict[str, CssText]) -> str:
    """Render the house style's CSS template with the page's furniture, and check it.

    The CSS made is kept under `.letters-cache/made/` (`kept`), named by all it is made
    from: the style's values, the furniture, the templates' sources, the code.
    """
    import jinja2
    import tinycss2

    from . import sandbox, wording

    env = wording.make_environment(style.folder, finalize=_css_value)
    template = wording.load_template(env, CSS_TEMPLATE)
    sources = [
        (used, wording.template_source(env, used))
        for used in sorted(wording.templates_used(env, CSS_TEMPLATE))
    ]
    made_by = kept.versions(jinja2, tinycss2, sys.modules[__name__], wording, sandbox)
    key = [style.model_dump_json(), repr(sorted(extra.items())), repr(sources)]
    name = kept.entry_name("css", made_by, key)
    found = kept.read(style.root, name)
    if found is not None:
        try:
            return found.decode("utf-8")
        except UnicodeDecodeError:
            pass
    css = _checked_css(style, template, extra)
    kept.write(style.root, name, css.encode("utf-8"))
    return css


def _checked_css(style: HouseStyle, template: jinja2.Template, extra: dict[str, CssText]) -> str:
    """Render the compiled CSS template within the sandbox's budget, and check the CSS."""
    from jinja2 import TemplateError as JinjaError

    from .sandbox import run_bounded
    from .wording import template_data, template_frame

    data = {"style": template_data(style), **extra}

    def render() -> str:
        try:
            return template.render(data)
        except (
            JinjaError,
            ValueError,
            TypeError,
            OverflowError,
            RecursionError,
            LookupError,
            AttributeError,
            ArithmeticError,
        ) as exc:
            found = template_frame(exc)
            line = getattr(exc, "lineno", None) or (found[1] if found else 0)
            where = f"templates/{CSS_TEMPLATE}" + (f":{line}" if line else "")
            raise TemplateError(f"{where}: {exc}") from None

    css = run_bounded(render, f"templates/{CSS_TEMPLATE}")
    outside = _outside_url(css)
    if outside:
        line, asked = outside
        raise TemplateError(
            f"templates/{CSS_TEMPLATE}: line {line} of the CSS asks for {asked!r}; the "
            "web page stands alone, so its CSS may name data: URLs only (a visitor's browser "
            "would fetch anything else)"
        )
    if "</" in css:
        raise TemplateError(
            f"templates/{CSS_TEMPLATE}: the CSS holds '</', which would end the web page's "
            "<style> element; write it another way"
        )
    return css


def _css_value(value: object) -> object:
    """Print a value into the CSS: escaped text as it is, house-style values only when plain."""
    if value is None:
        raise ValueError("the template prints a value the house style does not have (None)")
    if isinstance(value, CssText) or not isinstance(value, str):
        return value
    if not _PLAIN_CSS.fullmatch(value):
        raise ValueError(
            f"{value!r} cannot go into the CSS: a house-style value holds letters, digits, "
            "spaces and . , # % ( ) + - only"
        )
    return value
