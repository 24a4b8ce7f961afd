"""Page furniture and metadata of the DOCX: marking, DRAFT mark, footer, properties, fixed dates."""

from __future__ import annotations

import datetime as dt
import io
import re
import zipfile
from typing import cast
from xml.sax.saxutils import quoteattr

import docx
from docx.text.paragraph import Paragraph as DocxParagraph

from ..compose.document import Document
from ..compose.style import HouseStyle
from .internals import OxmlElement, PackURI, paragraph_xml, parse_xml, qn, run_xml, write_package
from .wordmark import watermark_geometry

#: The header's paragraph style (defined in render.docx): the marking, bold and centred.
MARKING = "Marking"


#: The first and last days a ZIP entry's timestamp can hold (1980 to 2107).
_ZIP_FIRST, _ZIP_LAST = dt.date(1980, 1, 1), dt.date(2107, 12, 31)


def save_dated(doc: docx.document.Document, day: dt.date) -> bytes:
    """Save a Word document whose every zip entry is dated the letter's day.

    python-docx's own save stamps each entry with the clock, so the same letter would differ
    from one build to the next; this writes the same parts in the same order, dated `day`.
    A letter dated outside what a ZIP can hold (1980 to 2107) stamps its entries with the
    nearest day it can; the document's own properties keep the true date.
    """
    from .internals import PhysPkgWriter

    day = min(max(day, _ZIP_FIRST), _ZIP_LAST)
    package = doc.part.package
    parts = list(package.parts)
    for part in parts:
        part.before_marshal()
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        writer = cast(PhysPkgWriter, _DatedWriter(target, (day.year, day.month, day.day, 0, 0, 0)))
        # python-docx's PackageWriter.write, with this writer in place of its own
        write_package(writer, package, parts)
    return out.getvalue()


class _DatedWriter:
    """Write package parts into a zip with one fixed date (python-docx's PhysPkgWriter API)."""

    def __init__(self, target: zipfile.ZipFile, when: tuple[int, int, int, int, int, int]):
        self.target, self.when = target, when

    def write(self, pack_uri: PackURI, blob: bytes) -> None:
        """Add one part under its member name."""
        info = zipfile.ZipInfo(pack_uri.membername, date_time=self.when)
        info.compress_type = zipfile.ZIP_DEFLATED
        info.external_attr = 0o644 << 16
        self.target.writestr(info, blob)


def add_header(doc: docx.document.Document, document: Document, style: HouseStyle) -> None:
    """Put the security marking at the top of every page, and the DRAFT mark behind drafts."""
    if not (document.marking or document.draft_label):
        return
    header = doc.sections[0].header
    header.is_linked_to_previous = False
    paragraph = header.paragraphs[0]
    paragraph_xml(paragraph).style = doc.styles[MARKING].style_id  # by id: see render.docx._add
    if document.marking:
        paragraph.add_run(document.marking)
    if document.draft_label:
        shape = watermark_geometry(document.draft_label, style)
        mark = _WATERMARK.format(
            size=quoteattr(
                "position:absolute;margin-left:0;margin-top:0;"
                f"width:{shape.width * _PT_PER_MM:.1f}pt;height:{shape.height * _PT_PER_MM:.1f}pt;"
                f"rotation:{360 - shape.angle:.1f};z-index:-251654144;"
                "mso-position-horizontal:center;mso-position-horizontal-relative:page;"
                "mso-position-vertical:center;mso-position-vertical-relative:page"
            ),
            colour=quoteattr(style.marking.draft_colour),
            opacity=quoteattr(f"{style.marking.draft_opacity:g}"),
            style=quoteattr(f'font-family:"{style.font.docx}";font-size:1pt;font-weight:bold'),
            label=quoteattr(document.draft_label),
        )
        run_xml(paragraph.add_run()).append(parse_xml(mark))


_PT_PER_MM = 72 / 25.4

#: Word's own kind of watermark: a VML text path in the header, behind the text of every page,
#: sized and angled as the PDF's (render.wordmark.watermark_geometry).
_WATERMARK = (
    '<w:pict xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main" '
    'xmlns:v="urn:schemas-microsoft-com:vml"'
    ' xmlns:o="urn:schemas-microsoft-com:office:office">'
    '<v:shapetype id="_x0000_t136" coordsize="21600,21600" o:spt="136" adj="10800" '
    'path="m@7,l@8,m@5,21600l@6,21600e">'
    '<v:path textpathok="t" o:connecttype="custom"/><v:textpath on="t" fitshape="t"/><o:lock '
    'v:ext="edit" text="t" shapetype="t"/>'
    "</v:shapetype>"
    '<v:shape id="DraftWatermark" o:spid="_x0000_s1025" type="#_x0000_t136" o:allowincell="f"'
    ' fillcolor={colour} stroked="f" style={size} alt={label}>'
    "<v:fill opacity={opacity}/><v:textpath style={style} string={label}/>"
    "</v:shape></w:pict>"
)


def add_footer(doc: docx.document.Document, document: Document, style: HouseStyle) -> None:
    """Put the office address on the left and 'Page X of Y' (live fields) on the right."""
    paragraph = doc.sections[0].footer.paragraphs[0]
    paragraph_xml(paragraph).style = doc.styles["Footer"].style_id  # by id: see render.docx._add
    paragraph.add_run(document.footer)
    paragraph.add_run().add_tab()
    for piece in re.split(r"(\{pages?\})", document.page_label):
        if piece in ("{page}", "{pages}"):
            _field(paragraph, "PAGE" if piece == "{page}" else "NUMPAGES")
        elif piece:
            paragraph.add_run(piece)


def _field(paragraph: DocxParagraph, instruction: str) -> None:
    """Insert a field Word and LibreOffice update as they lay out the pages."""

    def field_char(kind: str) -> None:
        """Add a field character: begin, separate or end."""
        char = OxmlElement("w:fldChar")
        char.set(qn("w:fldCharType"), kind)
        run_xml(paragraph.add_run()).append(char)

    field_char("begin")
    instr = OxmlElement("w:instrText")
    instr.set(qn("xml:space"), "preserve")
    instr.text = f" {instruction} "
    run_xml(paragraph.add_run()).append(instr)
    field_char("separate")
    paragraph.add_run("1")  # shown until Word or LibreOffice updates the field
    field_char("end")


def _fit(text: str, limit: int = 255) -> str:
    """Shorten text to the length Word allows in a core property, ending with an ellipsis."""
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def set_properties(doc: docx.document.Document, document: Document) -> None:
    """Fill the core properties from the letter, never from the clock."""
    when = dt.datetime.combine(document.date, dt.time(), tzinfo=dt.UTC)
    props = doc.core_properties
    props.title, props.subject, props.author = (
        _fit(document.title),
        _fit(document.subject),
        _fit(document.author),
    )
    props.keywords = _fit(", ".join(document.keywords))
    props.language = document.language
    props.last_modified_by = document.author
    props.created = props.modified = when
    props.revision = 1
    props.category = document.marking
    facts = dict(document.properties)
    approval = (
        f" (approved by {facts['approvedBy']} on {facts['approvedOn']})"
        if "approvedBy" in facts
        else ""
    )
    props.content_status = _fit(facts.get("status", "") + approval)
    props.identifier = f"sha256:{facts['inputsSha256']}" if "inputsSha256" in facts else ""
    props.version = facts.get("letters", "")
    # Word allows 255 characters here: the tools and the inputs' digest fit.
    props.comments = "; ".join(
        f"{name} {facts[name]}"
        for name in ("letters", "WeasyPrint", "Pango", "HarfBuzz", "inputsSha256")
        if name in facts
    )
