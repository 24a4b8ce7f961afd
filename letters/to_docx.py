"""Render a `Document` to DOCX with named styles from the house style (python-docx)."""

from __future__ import annotations

import datetime as dt
import io

import docx
from docx.enum.style import WD_STYLE_TYPE
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_BREAK, WD_LINE_SPACING, WD_TAB_ALIGNMENT
from docx.opc.constants import RELATIONSHIP_TYPE
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Mm, Pt, RGBColor
from docx.styles.style import ParagraphStyle
from docx.table import _Cell
from docx.text.paragraph import Paragraph as DocxParagraph

from .document import (
    Address,
    Block,
    BulletList,
    Document,
    Heading,
    Inline,
    Language,
    PageBreak,
    Paragraph,
    ReferenceBlock,
    Signature,
    Table,
)
from .docx_furniture import MARKING, add_footer, add_header, content_width, restamp, set_properties
from .style import PAGE_SIZES_MM, HouseStyle

#: The DOCX paragraph styles this renderer uses; staff edit the letter through them.
ADDRESS, REFERENCE, CLOSING, SIGNATORY, LETTERHEAD = "Address", "Reference Block", "Closing", "Signatory", "Letterhead"
TABLE_TEXT, TABLE_HEADING = "Table Text", "Table Heading"


def render_docx(document: Document, style: HouseStyle) -> bytes:
    """Lay out the letter as a Word document: A4, named styles, page-number fields."""
    doc = docx.Document()
    _page_setup(doc, style)
    _define_styles(doc, style)
    _letterhead(doc, document, style)
    _blocks(doc, document.blocks, style)
    add_header(doc, document, style)
    add_footer(doc, document, style)
    set_properties(doc, document)
    out = io.BytesIO()
    doc.save(out)
    return restamp(out.getvalue(), dt.date.fromisoformat(document.date))


def _page_setup(doc: docx.document.Document, style: HouseStyle) -> None:
    width, height = PAGE_SIZES_MM[style.page.size]
    section = doc.sections[0]
    section.page_width, section.page_height = Mm(width), Mm(height)
    section.top_margin = Pt(style.page.margin_top)
    section.right_margin = Pt(style.page.margin_right)
    section.bottom_margin = Pt(style.page.margin_bottom)
    section.left_margin = Pt(style.page.margin_left)
    section.header_distance = Mm(8)
    section.footer_distance = Mm(14)


def _set_font(style: ParagraphStyle, name: str, size: float, colour: str, bold: bool = False) -> None:
    """Name the font outright: theme fonts (Calibri) in the default template would win otherwise."""
    style.font.name = name
    style.font.size = Pt(size)
    style.font.bold = bold
    style.font.color.rgb = RGBColor.from_string(colour.lstrip("#").upper())
    fonts = style.element.get_or_add_rPr().get_or_add_rFonts()
    for attr in ("w:asciiTheme", "w:hAnsiTheme", "w:eastAsiaTheme", "w:cstheme"):
        fonts.attrib.pop(qn(attr), None)
    for attr in ("w:ascii", "w:hAnsi", "w:cs", "w:eastAsia"):
        fonts.set(qn(attr), name)


def _paragraph_style(doc: docx.document.Document, name: str, base: str = "Normal") -> ParagraphStyle:
    styles = doc.styles
    if name in [s.name for s in styles]:
        return styles[name]
    created = styles.add_style(name, WD_STYLE_TYPE.PARAGRAPH)
    created.base_style = styles[base]
    created.quick_style = True
    return created


def _define_styles(doc: docx.document.Document, style: HouseStyle) -> None:
    """Turn the house style into Word's named styles."""
    font, text = style.font.docx, style.text
    normal = doc.styles["Normal"]
    _set_font(normal, font, text.size, text.colour)
    lang = OxmlElement("w:lang")
    lang.set(qn("w:val"), "en-GB")
    normal.element.get_or_add_rPr().append(lang)
    fmt = normal.paragraph_format
    fmt.space_before, fmt.space_after = Pt(0), Pt(text.space_after)
    fmt.line_spacing_rule, fmt.line_spacing = WD_LINE_SPACING.EXACTLY, Pt(text.size * text.line_height)
    fmt.widow_control = True
    for name, size in (("Heading 1", style.headings.subject_size), ("Heading 2", style.headings.section_size),
                       ("Heading 3", style.text.size)):
        heading = doc.styles[name]
        _set_font(heading, font, size, style.headings.colour, bold=True)
        heading.font.italic = False
        hfmt = heading.paragraph_format
        hfmt.space_before = Pt(text.space_after) if name == "Heading 1" else Pt(0)
        hfmt.space_after = Pt(text.space_after)
        hfmt.line_spacing_rule, hfmt.line_spacing = WD_LINE_SPACING.EXACTLY, Pt(size * 1.2)
        hfmt.keep_with_next = True
    bullet = doc.styles["List Bullet"]
    bullet.paragraph_format.space_after = Pt(4)
    contextual = bullet.element.pPr.find(qn("w:contextualSpacing")) if bullet.element.pPr is not None else None
    if contextual is not None:  # the default template drops the space between list items
        bullet.element.pPr.remove(contextual)
    for name, space_after in ((ADDRESS, 0.0), (SIGNATORY, 0.0), (CLOSING, style.signature.space)):
        _paragraph_style(doc, name).paragraph_format.space_after = Pt(space_after)
    doc.styles[CLOSING].paragraph_format.keep_with_next = True
    doc.styles[SIGNATORY].paragraph_format.keep_with_next = True
    reference = _paragraph_style(doc, REFERENCE)
    _set_font(reference, font, style.reference.size, text.colour)
    rfmt = reference.paragraph_format
    rfmt.space_after = Pt(1)
    rfmt.line_spacing = Pt(style.reference.size * text.line_height)
    rfmt.left_indent = Pt(style.reference.label_width)
    rfmt.first_line_indent = Pt(-style.reference.label_width)
    rfmt.tab_stops.add_tab_stop(Pt(style.reference.label_width))
    for name, bold in ((TABLE_TEXT, False), (TABLE_HEADING, True)):
        cell_style = _paragraph_style(doc, name)
        _set_font(cell_style, font, style.table.size, text.colour, bold=bold)
        cell_style.paragraph_format.space_after = Pt(2)
        cell_style.paragraph_format.line_spacing = Pt(style.table.size * text.line_height)
    marking = _paragraph_style(doc, MARKING, base="Header")
    marking.font.bold = True
    marking.font.size = Pt(style.marking.size)
    marking.paragraph_format.alignment = WD_ALIGN_PARAGRAPH.CENTER
    letterhead = _paragraph_style(doc, LETTERHEAD)
    lfmt = letterhead.paragraph_format
    lfmt.line_spacing = 1.0
    letterhead.font.size = Pt(1)
    gap = style.address.top - style.page.margin_top - style.letterhead.height
    lfmt.space_after = Pt(max(0.0, gap))
    footer = doc.styles["Footer"]
    _set_font(footer, font, style.footer.size, style.colours.muted)
    footer.paragraph_format.tab_stops.add_tab_stop(Pt(content_width(style)), WD_TAB_ALIGNMENT.RIGHT)


def _letterhead(doc: docx.document.Document, document: Document, style: HouseStyle) -> None:
    paragraph = doc.add_paragraph(style=LETTERHEAD)
    run = paragraph.add_run()
    run.add_picture(io.BytesIO(document.letterhead.png), height=Pt(style.letterhead.height))
    doc_pr = run._r.find(".//" + qn("wp:docPr"))
    if doc_pr is not None:
        doc_pr.set("name", "Letterhead")
        doc_pr.set("descr", document.letterhead.alt)


def _blocks(doc: docx.document.Document, blocks: tuple[Block, ...], style: HouseStyle) -> None:
    """Add each block in reading order; a page break moves the next paragraph to a new page."""
    new_page = False
    previous: DocxParagraph | None = None
    language = ""
    i = 0
    while i < len(blocks):
        block = blocks[i]
        added: list[DocxParagraph] = []
        body_before = len(doc.element.body)
        if isinstance(block, PageBreak):
            new_page = True
        elif isinstance(block, Language):
            language = block.code
        elif isinstance(block, Address) and i + 1 < len(blocks) and isinstance(blocks[i + 1], ReferenceBlock):
            new_page = _break_before_table(doc, new_page)
            added = _masthead(doc, block, blocks[i + 1], style)  # type: ignore[arg-type]
            i += 1
        elif isinstance(block, Heading):
            added = [_inline(doc.add_paragraph(style=f"Heading {min(block.level, 3)}"), block.content)]
        elif isinstance(block, Paragraph):
            added = [_inline(doc.add_paragraph(), block.content)]
        elif isinstance(block, BulletList):
            added = [_inline(doc.add_paragraph(style="List Bullet"), item) for item in block.items]
            added[-1].paragraph_format.space_after = Pt(style.text.space_after)  # a list ends like a paragraph
        elif isinstance(block, Address):
            added = [doc.add_paragraph(line, style=ADDRESS) for line in block.lines]
        elif isinstance(block, ReferenceBlock):
            added = [_reference_row(doc.add_paragraph(style=REFERENCE), label, value) for label, value in block.rows]
        elif isinstance(block, Table):
            new_page = _break_before_table(doc, new_page)
            added = _table(doc, block, style)
        elif isinstance(block, Signature):
            if previous is not None:
                previous.paragraph_format.keep_with_next = True
            added = [doc.add_paragraph(block.closing, style=CLOSING)]
            added += [doc.add_paragraph(line, style=SIGNATORY) for line in block.lines]
            added += [doc.add_paragraph(line, style=SIGNATORY) for line in block.after]
            added[-1].paragraph_format.keep_with_next = False
        if added:
            if new_page:
                added[0].paragraph_format.page_break_before = True
                new_page = False
            previous = added[-1]
        if language:
            _mark_language(_added_since(doc, body_before), language)
        i += 1


def _break_before_table(doc: docx.document.Document, new_page: bool) -> bool:
    """Word ignores a page break asked of a paragraph inside a table: put a hairline paragraph before it."""
    if new_page:
        spacer = doc.add_paragraph(style=LETTERHEAD)
        spacer.paragraph_format.page_break_before = True
        spacer.paragraph_format.space_after = Pt(0)
    return False


def _added_since(doc: docx.document.Document, count: int) -> list[object]:
    """The body elements added since the body held `count`; new ones go before the closing w:sectPr."""
    children = list(doc.element.body)
    if children and children[-1].tag == qn("w:sectPr"):
        return children[count - 1 : -1]
    return children[count:]


def _mark_language(elements: list[object], language: str) -> None:
    """Set Word's proofing language on every run (and paragraph mark) of some body elements."""
    tag = {"cy": "cy-GB", "en": "en-GB"}.get(language, language)
    for element in elements:
        for holder in element.iter(qn("w:r"), qn("w:pPr")):  # type: ignore[attr-defined]
            properties = holder.find(qn("w:rPr"))
            if properties is None:
                properties = OxmlElement("w:rPr")
                holder.insert(0, properties) if holder.tag == qn("w:r") else holder.append(properties)
            for old in properties.findall(qn("w:lang")):
                properties.remove(old)
            mark = OxmlElement("w:lang")
            mark.set(qn("w:val"), tag)
            properties.append(mark)


def _masthead(doc: docx.document.Document, address: Address, reference: ReferenceBlock, style: HouseStyle) -> list[DocxParagraph]:
    """Place the address (left, in the envelope window) beside the reference block (right)."""
    table = doc.add_table(rows=1, cols=2)
    table.autofit = False
    spare = content_width(style) - style.address.width - style.reference.width
    widths = (Pt(style.address.width + spare), Pt(style.reference.width))
    left, right = table.rows[0].cells
    for cell, width in zip((left, right), widths, strict=True):
        cell.width = width
    _fill(left, [(line, ADDRESS) for line in address.lines])
    for paragraph, (label, value) in zip(_fill(right, [("", REFERENCE) for _ in reference.rows]), reference.rows, strict=True):
        _reference_row(paragraph, label, value)
    _zero_cell_margins(table)
    return [_space_after_table(doc, style)]


def _table(doc: docx.document.Document, block: Table, style: HouseStyle) -> list[DocxParagraph]:
    """A bordered table whose header row repeats on each page; cells in the 'Table Text' style."""
    columns = max(len(row) for row in (block.header, *block.rows))
    table = doc.add_table(rows=0, cols=columns)
    table.style = doc.styles["Table Grid"]
    for index, row in enumerate((block.header, *block.rows) if block.header else block.rows):
        cells = table.add_row().cells
        for cell, content in zip(cells, row, strict=False):
            paragraph = cell.paragraphs[0]
            paragraph.style = TABLE_HEADING if block.header and index == 0 else TABLE_TEXT
            _inline(paragraph, content)
    if block.header:
        header_row = table.rows[0]._tr.get_or_add_trPr()
        repeat = OxmlElement("w:tblHeader")
        repeat.set(qn("w:val"), "true")
        header_row.append(repeat)
    return [_space_after_table(doc, style)]


def _space_after_table(doc: docx.document.Document, style: HouseStyle) -> DocxParagraph:
    """An empty paragraph after a table: Word needs one between tables, and it gives a paragraph's space."""
    gap = doc.add_paragraph(style=ADDRESS)
    gap.paragraph_format.space_after = Pt(style.text.space_after)
    return gap


def _fill(cell: _Cell, lines: list[tuple[str, str]]) -> list[DocxParagraph]:
    paragraphs = [cell.paragraphs[0]] + [cell.add_paragraph() for _ in lines[1:]]
    for paragraph, (text, style_name) in zip(paragraphs, lines, strict=True):
        paragraph.style = style_name
        if text:
            paragraph.add_run(text)
    return paragraphs


def _zero_cell_margins(table: docx.table.Table) -> None:
    tbl_pr = table._tbl.tblPr
    margins = OxmlElement("w:tblCellMar")
    for side in ("top", "left", "bottom", "right"):
        element = OxmlElement(f"w:{side}")
        element.set(qn("w:w"), "0")
        element.set(qn("w:type"), "dxa")
        margins.append(element)
    tbl_pr.append(margins)


def _reference_row(paragraph: DocxParagraph, label: str, value: str) -> DocxParagraph:
    paragraph.add_run(f"{label}:")
    paragraph.add_run().add_tab()
    if value:
        paragraph.add_run(value)
    return paragraph


def _inline(paragraph: DocxParagraph, content: Inline) -> DocxParagraph:
    for span in content:
        for index, piece in enumerate(span.text.split("\n")):
            if index:
                paragraph.add_run().add_break(WD_BREAK.LINE)
            if not piece:
                continue
            run = _hyperlink_run(paragraph, span.href) if span.href else paragraph.add_run()
            run.text = piece
            run.bold = span.bold or None
            run.italic = span.italic or None
    return paragraph


def _hyperlink_run(paragraph: DocxParagraph, href: str):  # type: ignore[no-untyped-def]
    """python-docx has no API for links: wrap a new run in a w:hyperlink element."""
    from docx.text.run import Run

    rel_id = paragraph.part.relate_to(href, RELATIONSHIP_TYPE.HYPERLINK, is_external=True)
    link = OxmlElement("w:hyperlink")
    link.set(qn("r:id"), rel_id)
    run_element = OxmlElement("w:r")
    link.append(run_element)
    paragraph._p.append(link)
    run = Run(run_element, paragraph)
    run.underline = True
    return run
