"""Draw an office's wordmark from its name, as SVG for the web and PDF and PNG for the DOCX.

Both drawings come from one layout (glyph positions read from the font files),
so the two outputs show the same letterhead. Text is drawn as outlines in the
SVG, so it looks the same on a machine without the font.
"""

from __future__ import annotations

import dataclasses
import io
import json
import math
import sys
from collections.abc import Callable
from dataclasses import dataclass
from functools import partial
from typing import Literal

import PIL
from fontTools.misc.transform import Transform
from fontTools.pens.basePen import BasePen
from fontTools.pens.boundsPen import BoundsPen
from fontTools.pens.transformPen import TransformPen
from fontTools.ttLib import TTFont
from PIL import Image, ImageDraw, ImageFont

from ..compose.document import Letterhead
from ..compose.style import PAGE_SIZES_MM, HouseStyle
from ..source import kept
from . import fonts
from .fonts import HouseFont, drawing, house_font

PNG_DPI = 400


@dataclass(frozen=True)
class Run:
    """A line of text in the wordmark: font, size (mm per em), position (mm), colour."""

    text: str
    font: HouseFont
    em: float
    x: float
    baseline: float
    colour: str


@dataclass(frozen=True)
class Layout:
    """Everything drawn, in millimetres from the top left."""

    width: float
    height: float
    square: float
    accent: str
    rule: str
    runs: tuple[Run, ...]


def _advances(run: Run) -> list[tuple[str, float]]:
    """Each character's glyph name and its x position in mm."""
    font = run.font.tables
    cmap, hmtx = font.getBestCmap(), font["hmtx"]
    scale = run.em / font["head"].unitsPerEm
    x, placed = run.x, []
    for char in run.text:
        glyph = cmap.get(ord(char), ".notdef")
        placed.append((glyph, x))
        x += hmtx[glyph][0] * scale
    return placed


def _width(run: Run) -> float:
    font = run.font.tables
    glyph = _advances(run)[-1][0] if run.text else ".notdef"
    last_x = _advances(run)[-1][1] if run.text else run.x
    return float(last_x + font["hmtx"][glyph][0] * run.em / font["head"].unitsPerEm - run.x)


def _em_for_cap_height(house: HouseFont, cap_height: float) -> float:
    font = house.tables
    with drawing(house):
        return float(cap_height * font["head"].unitsPerEm / _cap_height(font))


def _cap_height(font: TTFont) -> float:
    """Give a font's capital height in font units.

    Its OS/2 table says so from version 2 on; an older table (DejaVu's, for one) does not,
    and the height of its H is measured instead.
    """
    stated = getattr(font["OS/2"], "sCapHeight", 0) if "OS/2" in font else 0
    if stated > 0:
        return float(stated)
    glyphs = font.getGlyphSet()
    name = font.getBestCmap().get(ord("H"))
    if name is None:
        return 0.7 * float(font["head"].unitsPerEm)  # a font without an H: a typical capital
    pen = BoundsPen(glyphs)
    glyphs[name].draw(pen)
    return float(pen.bounds[3]) if pen.bounds else 0.7 * font["head"].unitsPerEm


def layout_wordmark(
    title: str,
    subtitle: str,
    height: float,
    bold: HouseFont,
    regular: HouseFont,
    accent: str,
    rule: str,
    muted: str,
) -> Layout:
    """Place the mark (a square with the title's initial) and the two lines of text."""
    initial_em = _em_for_cap_height(bold, height * 0.5)
    initial = Run(title[:1].upper(), bold, initial_em, 0.0, height * 0.7, "#ffffff")
    initial = Run(
        initial.text, bold, initial_em, (height - _width(initial)) / 2, initial.baseline, "#ffffff"
    )
    text_x = height + 4.0
    title_run = Run(
        title, bold, _em_for_cap_height(bold, height * 0.34), text_x, height * 0.46, accent
    )
    subtitle_run = Run(
        subtitle, regular, _em_for_cap_height(regular, height * 0.17), text_x, height * 0.80, muted
    )
    width = text_x + max(_width(title_run), _width(subtitle_run))
    return Layout(width, height, height, accent, rule, (initial, title_run, subtitle_run))


def wordmark_svg(layout: Layout, alt: str) -> bytes:
    """Draw the wordmark as a standalone SVG with its text as outlines."""
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {layout.width:.2f} '
        f'{layout.height:.2f}" '
        f'width="{layout.width:.2f}mm" height="{layout.height:.2f}mm" role="img" '
        f'aria-label="{_xml(alt)}">',
        f"<title>{_xml(alt)}</title>",
        f'<rect x="0" y="0" width="{layout.square:.2f}" height="{layout.square:.2f}" '
        f'fill="{layout.accent}"/>',
        f'<rect x="0" y="{layout.square * 0.9:.2f}" width="{layout.square:.2f}" '
        f'height="{layout.square * 0.1:.2f}" fill="{layout.rule}"/>',
    ]
    for run in layout.runs:
        font = run.font.tables
        glyphs = font.getGlyphSet()
        scale = run.em / font["head"].unitsPerEm
        pen = _OutlinePen(glyphs)
        with drawing(run.font):
            for glyph, x in _advances(run):
                glyphs[glyph].draw(TransformPen(pen, (scale, 0, 0, -scale, x, run.baseline)))
        parts.append(f'<path fill="{run.colour}" d="{"".join(pen.commands)}"/>')
    parts.append("</svg>\n")
    return "\n".join(parts).encode("utf-8")


class _OutlinePen(BasePen):  # type: ignore[misc]
    """Write glyph outlines as SVG path data, in millimetres to `places` decimal places.

    A quadratic curve whose control point mirrors the last one's is written as the shorter
    T: TrueType outlines are mostly such curves (between two control points it leaves the
    point on the curve implied), and WeasyPrint reads the path number by number each time
    it draws a letterhead. This halves the numbers of the letterhead's text.
    """

    def __init__(self, glyphs: object, places: int = 3) -> None:
        super().__init__(glyphs)
        self.places = places
        self.commands: list[str] = []
        self._control: tuple[float, float] | None = None  # the last curve's, for a T after it

    def _moveTo(self, pt: tuple[float, float]) -> None:
        self.commands.append("M" + self._point(pt))
        self._control = None

    def _lineTo(self, pt: tuple[float, float]) -> None:
        x, y = self._getCurrentPoint()
        if pt[1] == y:
            self.commands.append("H" + self._number(pt[0]))
        elif pt[0] == x:
            self.commands.append("V" + self._number(pt[1]))
        else:
            self.commands.append("L" + self._point(pt))
        self._control = None

    def _curveToOne(
        self, pt1: tuple[float, float], pt2: tuple[float, float], pt3: tuple[float, float]
    ) -> None:
        self.commands.append("C" + " ".join(map(self._point, (pt1, pt2, pt3))))
        self._control = None

    def _qCurveToOne(self, pt1: tuple[float, float], pt2: tuple[float, float]) -> None:
        x, y = self._getCurrentPoint()
        last = self._control
        if last and abs(2 * x - last[0] - pt1[0]) < 1e-6 and abs(2 * y - last[1] - pt1[1]) < 1e-6:
            self.commands.append("T" + self._point(pt2))
        else:
            self.commands.append("Q" + self._point(pt1) + " " + self._point(pt2))
        self._control = pt1

    def _closePath(self) -> None:
        self.commands.append("Z")
        self._control = None

    def _endPath(self) -> None:
        self._control = None

    def _number(self, value: float) -> str:
        """Write a coordinate to the pen's places, without trailing zeros."""
        return f"{value:.{self.places}f}".rstrip("0").rstrip(".")

    def _point(self, pt: tuple[float, float]) -> str:
        """Write a point as SVG path data does: x, a space, y."""
        return f"{self._number(pt[0])} {self._number(pt[1])}"


def wordmark_png(layout: Layout) -> bytes:
    """Draw the same wordmark as a PNG for the DOCX, which cannot hold SVG."""
    px = PNG_DPI / 25.4
    image = Image.new(
        "RGBA", (round(layout.width * px), round(layout.height * px)), (255, 255, 255, 0)
    )
    draw = ImageDraw.Draw(image)
    side = layout.square * px
    draw.rectangle((0, 0, side - 1, side - 1), fill=layout.accent)
    draw.rectangle((0, side * 0.9, side - 1, side - 1), fill=layout.rule)
    for run in layout.runs:
        # from the bytes read and checked (`fonts.house_font`), not the file again by its path
        with drawing(run.font):
            size = max(1, round(run.em * px))
            pil_font = ImageFont.truetype(io.BytesIO(run.font.data), size=size)
            for (_, x), char in zip(_advances(run), run.text, strict=True):
                draw.text(
                    (x * px, run.baseline * px), char, font=pil_font, fill=run.colour, anchor="ls"
                )
    out = io.BytesIO()
    # zlib's default level: optimize=True saves a twelfth of the bytes at four times the cost
    image.save(out, format="PNG", dpi=(PNG_DPI, PNG_DPI))
    return out.getvalue()


def _xml(text: str) -> str:
    return (
        text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace('"', "&quot;")
    )


def draw_wordmark(letterhead: Letterhead, style: HouseStyle, kind: Literal["svg", "png"]) -> bytes:
    """Draw an office's wordmark in the house style as 'svg' or 'png', once per style each.

    What is drawn is kept with the style loaded (`HouseStyle.made_once`), and goes with it,
    and on disk for the next run (`_kept_drawing`).
    """

    def drawn() -> bytes:
        layout = style.made_once(("wordmark", letterhead), partial(_layout, letterhead, style))
        return wordmark_svg(layout, letterhead.alt) if kind == "svg" else wordmark_png(layout)

    key = ("wordmark", kind, letterhead.title, letterhead.subtitle, letterhead.alt)
    return style.made_once(
        ("wordmark", letterhead, kind), partial(_kept_drawing, style, key, drawn)
    )


def _kept_drawing(
    style: HouseStyle,
    key: tuple[str, ...],
    draw: Callable[[], bytes],
    check: Callable[[bytes], object] = bytes,
) -> bytes:
    """Return a drawing kept under `.letters-cache/made/`, or draw it and keep it (`kept`).

    A drawing is made from the house style's values, the house fonts and the text drawn
    (`key`), by this module, fontTools and Pillow: all of them name the entry, so a change
    to any is a drawing not yet made. Reading the glyphs' outlines and widths from the fonts
    is what a cold build spends on its letterhead and DRAFT mark. `check` raises ValueError
    for a drawing that is not one (then drawn again).
    """
    import fontTools
    from PIL import features

    made_by = kept.versions(fontTools, PIL, sys.modules[__name__], sys.modules[fonts.__name__])
    fonts_read = [font.digest for font in fonts.house_fonts(style)]
    # a PNG's bytes are zlib's: Pillow's own, whose version its own does not say
    zlib = f"zlib {features.version('zlib')}"
    name = kept.entry_name("drawing", made_by, [*key, zlib, style.model_dump_json(), *fonts_read])

    def checked(content: bytes) -> bytes:
        check(content)
        return content

    return kept.kept_or_made(style.root, name, draw, bytes, checked)


def _layout(letterhead: Letterhead, style: HouseStyle) -> Layout:
    """Lay out an office's wordmark in the house style."""
    return layout_wordmark(
        letterhead.title,
        letterhead.subtitle,
        style.letterhead.height.mm,
        bold=house_font(style, style.font.files.bold),
        regular=house_font(style, style.font.files.regular),
        accent=style.colours.accent,
        rule=style.colours.rule,
        muted=style.colours.muted,
    )


@dataclass(frozen=True)
class Watermark:
    """Where the DRAFT mark lies: centred on the page along its diagonal, spanning half of it."""

    em: float  # the font size, in mm
    width: float  # the text's advance width, in mm
    height: float  # the capitals' height, in mm
    angle: float  # degrees anticlockwise from the horizontal


def watermark_geometry(text: str, style: HouseStyle) -> Watermark:
    """Size and angle the DRAFT mark: one geometry for the PDF's drawing and the DOCX's shape."""

    def measured() -> bytes:
        return json.dumps(dataclasses.astuple(_geometry(text, style))).encode("ascii")

    def read(content: bytes) -> Watermark:
        numbers = json.loads(content)
        if not isinstance(numbers, list) or [type(n) for n in numbers] != [float] * 4:
            raise ValueError("not a geometry")
        return Watermark(*numbers)

    def kept_geometry() -> Watermark:
        return read(_kept_drawing(style, ("watermark geometry", text), measured, read))

    return style.made_once(("watermark geometry", text), kept_geometry)


def _geometry(text: str, style: HouseStyle) -> Watermark:
    """Work out the DRAFT mark's geometry (`watermark_geometry`)."""
    bold = house_font(style, style.font.files.bold)
    ttf = bold.tables
    width, height = PAGE_SIZES_MM[style.page.size]
    probe = Run(text, bold, 1.0, 0.0, 0.0, "")
    em = 0.5 * (width**2 + height**2) ** 0.5 / max(_width(probe), 0.01)
    with drawing(bold):
        cap = _cap_height(ttf) / ttf["head"].unitsPerEm
    return Watermark(em, _width(probe) * em, cap * em, math.degrees(math.atan2(height, width)))


def watermark_svg(text: str, style: HouseStyle) -> bytes:
    """Draw a page-sized SVG with `text` large and diagonal, as outlines: the DRAFT mark.

    The rotation is applied to the outlines themselves, not left to an SVG transform. It is
    drawn once per style loaded.
    """
    drawn = partial(_watermark, text, style)
    return style.made_once(
        ("watermark", text), partial(_kept_drawing, style, ("watermark", text), drawn)
    )


def _watermark(text: str, style: HouseStyle) -> bytes:
    """Draw the DRAFT mark (`watermark_svg`)."""
    font = house_font(style, style.font.files.bold)
    colour, opacity = style.marking.draft_colour, style.marking.draft_opacity
    width, height = PAGE_SIZES_MM[style.page.size]
    mark = watermark_geometry(text, style)
    ttf = font.tables
    units = ttf["head"].unitsPerEm
    run = Run(text, font, mark.em, -mark.width / 2, mark.height / 2, colour)
    glyphs = ttf.getGlyphSet()
    pen = _OutlinePen(glyphs, places=2)
    scale = mark.em / units
    page = Transform().translate(width / 2, height / 2).rotate(-math.atan2(height, width))
    with drawing(font):
        for glyph, x in _advances(run):
            glyphs[glyph].draw(
                TransformPen(pen, page.transform((scale, 0, 0, -scale, x, run.baseline)))
            )
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width:g} {height:g}" '
        f'width="{width:g}mm" height="{height:g}mm">'
        f'<path fill="{colour}" fill-opacity="{opacity:g}" d="{"".join(pen.commands)}"/></svg>\n'
    ).encode()
