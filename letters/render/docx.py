"""Render a `Document` to DOCX with named styles from the house style (python-docx)."""

from __future__ import annotations

import io
import sys
from collections import OrderedDict
from typing import cast

import docx
from docx.enum.style import WD_STYLE_TYPE
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_BREAK, WD_LINE_SPACING, WD_TAB_ALIGNMENT
from docx.shared import Mm, Pt, RGBColor
from docx.styles.style import ParagraphStyle
from docx.text.paragraph import Paragraph as DocxParagraph
from docx.text.run import Run

from ..compose import style as compose_style
from ..compose.document import (
    Address,
    Anchor,
    Block,
    BulletList,
    Document,
    Heading,
    Inline,
    Masthead,
    Paragraph,
    ReferenceBlock,
    Section,
    Signature,
    Table,
    inline_text,
)
from ..compose.style import PAGE_SIZES_MM, HouseStyle
from ..source import kept
from ..source.languages import region_tag
from .docx_furniture import MARKING, add_footer, add_header, save_dated, set_properties
from .docx_review import Bookmarks
from .internals import (
    RELATIONSHIP_TYPE,
    CT_Numbering,
    OxmlElement,
    _Cell,
    paragraph_xml,
    qn,
    row_xml,
    run_xml,
    table_xml,
)
from .wordmark import draw_wordmark

#: The DOCX paragraph styles this renderer uses; staff edit the letter through them.
#: The list styles: bullets and numbers.
LISTS = ("List Bullet", "List Number")
ADDRESS, REFERENCE, CLOSING, SIGNATORY, LETTERHEAD = (
    "Address",
    "Reference Block",
    "Closing",
    "Signatory",
    "Letterhead",
)
TABLE_TEXT, TABLE_HEADING = "Table Text", "Table Heading"


def render_docx(document: Document, style: HouseStyle) -> bytes:
    """Lay out the letter as a Word document: A4, named styles, page-number fields."""
    language = region_tag(document.language)
    base = style.made_once(("docx", language), lambda: _base(style, language))
    doc = docx.Document(io.BytesIO(base))
    _letterhead(doc, document, style)
    # a draft goes round for review: its paragraphs are bookmarked to find their way back
    marks = Bookmarks() if document.review_key else None
    _blocks(doc, document.blocks, style, marks)
    if marks:
        marks.write(doc, document.review_key)
    add_header(doc, document, style)
    add_footer(doc, document, style)
    set_properties(doc, document)
    return save_dated(doc, document.date)


def _kept_base(style: HouseStyle, language: str) -> bytes:
    """Return the styled empty document (`_styled_base`), kept under `.letters-cache/made/`.

    It is made from the house style's values and the language alone, by python-docx (whose
    template, parsed and trimmed, is most of the making) and the modules here: all of them
    name the entry (`kept`).
    """
    from lxml import etree

    from . import docx_furniture, internals

    here = sys.modules[__name__]
    made_by = kept.versions(docx, etree, here, docx_furniture, internals, compose_style)
    name = kept.entry_name("docx", made_by, [style.model_dump_json(), language])
    return kept.kept_or_made(style.root, name, lambda: _styled_base(style, language), bytes, bytes)


#: The empty documents letters start from (`_styled_base`), by the house style's values and
#: the language: the same for every project whose house style says the same (an approved
#: letter builds in a project of its own, its snapshot's). The oldest goes first.
_BASES: OrderedDict[tuple[str, str], bytes] = OrderedDict()
BASES_KEPT = 8


def _base(style: HouseStyle, language: str) -> bytes:
    """Return the empty document a letter in `language` starts from, made once."""
    key = (style.model_dump_json(), language)
    if key in _BASES:
        _BASES.move_to_end(key)
    else:
        _BASES[key] = _kept_base(style, language)
        while len(_BASES) > BASES_KEPT:
            _BASES.popitem(last=False)
    return _BASES[key]


def _styled_base(style: HouseStyle, language: str) -> bytes:
    """Make the empty document every letter starts from: its page and its named styles."""
    doc = docx.Document()
    _trim_template(doc)
    _page_setup(doc, style)
    define_styles(doc, style, language)
    _default_language(doc, language)
    out = io.BytesIO()
    doc.save(out)
    return out.getvalue()


#: The relationship to Word 2010's copy of the styles (python-docx names no constant for it).
_STYLES_WITH_EFFECTS = "http://schemas.microsoft.com/office/2007/relationships/stylesWithEffects"


def _trim_template(doc: docx.document.Document) -> None:
    """Leave out what python-docx's template holds that no letter uses or should carry.

    Its hundred table styles (other than the default every table here takes: Word offers its
    own built-in table styles whether or not a document defines them), Word 2010's second
    copy of all the styles (stylesWithEffects: 438 kB that every later Word ignores) and the
    thumbnail of the template's blank page, which a file browser would show for the letter.
    Together they were nine tenths of every letter's XML, parsed and written again for each.
    """
    styles = doc.styles.element
    for table_style in styles.findall(qn("w:style")):
        if table_style.get(qn("w:type")) == "table" and table_style.get(qn("w:default")) != "1":
            styles.remove(table_style)
    for rels, reltype in (
        (doc.part.rels, _STYLES_WITH_EFFECTS),
        (doc.part.package.rels, RELATIONSHIP_TYPE.THUMBNAIL),
    ):
        for key in [key for key, rel in rels.items() if rel.reltype == reltype]:
            del rels[key]


def _default_language(doc: docx.document.Document, language: str) -> None:
    """Make the letter's language every default Word has: no en-US left for the checker.

    python-docx's template says en-US in the document defaults (which every style without a
    language of its own inherits) and in the theme's font language; each now says the
    letter's language. (Word 2010's copy of the styles, which said it too, is left out.)
    """
    from lxml import etree

    def relabel(root: etree._Element) -> None:
        for lang in root.iter(qn("w:lang"), qn("w:themeFontLang")):
            for attr in ("w:val", "w:eastAsia", "w:bidi"):
                if lang.get(qn(attr)) is not None:
                    lang.set(qn(attr), language)

    defaults = doc.styles.element.find(qn("w:docDefaults"))
    if defaults is not None:
        relabel(defaults)
    relabel(doc.settings.element)


def _page_setup(doc: docx.document.Document, style: HouseStyle) -> None:
    """Set the page size, margins and header and footer distances."""
    page = style.page
    section = doc.sections[0]
    width, height = PAGE_SIZES_MM[page.size]
    section.page_width, section.page_height = Mm(width), Mm(height)
    section.top_margin = Pt(page.margin_top)
    section.right_margin = Pt(page.margin_right)
    section.bottom_margin = Pt(page.margin_bottom)
    section.left_margin = Pt(page.margin_left)
    section.header_distance = Pt(page.header_distance)
    section.footer_distance = Pt(page.footer_distance)


def _set_font(
    style: ParagraphStyle, name: str, size: float, colour: str, bold: bool = False
) -> None:
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


def _paragraph_style(
    doc: docx.document.Document, name: str, base: str = "Normal"
) -> ParagraphStyle:
    """Return a paragraph style, adding it (based on `base`) if the document lacks it."""
    styles = doc.styles
    if name in [s.name for s in styles]:
        return cast(ParagraphStyle, styles[name])
    created = cast(ParagraphStyle, styles.add_style(name, WD_STYLE_TYPE.PARAGRAPH))
    created.base_style = styles[base]
    created.quick_style = True
    return created


def define_styles(doc: docx.document.Document, style: HouseStyle, language: str) -> None:
    """Turn the house style into Word's named styles, in the document's language."""
    font, text = style.font.docx, style.text
    normal = doc.styles["Normal"]
    _set_font(normal, font, text.size, text.colour)
    lang = OxmlElement("w:lang")
    lang.set(qn("w:val"), language)
    normal.element.get_or_add_rPr().append(lang)
    fmt = normal.paragraph_format
    fmt.space_before, fmt.space_after = Pt(0), Pt(text.space_after)
    fmt.line_spacing_rule, fmt.line_spacing = (
        WD_LINE_SPACING.EXACTLY,
        Pt(text.size * text.line_height),
    )
    fmt.widow_control = True
    for name, size in (
        ("Heading 1", style.headings.subject_size),
        ("Heading 2", style.headings.section_size),
        ("Heading 3", style.text.size),
    ):
        heading = doc.styles[name]
        _set_font(heading, font, size, style.headings.colour, bold=True)
        heading.font.italic = False
        hfmt = heading.paragraph_format
        hfmt.space_before = Pt(text.space_after) if name in ("Heading 1", "Heading 3") else Pt(0)
        hfmt.space_after = Pt(
            style.headings.minor_space_after if name == "Heading 3" else text.space_after
        )
        hfmt.line_spacing_rule = WD_LINE_SPACING.EXACTLY
        hfmt.line_spacing = Pt(size * style.headings.line_height)
        hfmt.keep_with_next = True
    for name in LISTS:
        listed = doc.styles[name]
        listed.paragraph_format.space_after = Pt(style.lists.item_space)
        _indent_list(doc, style, name)
        contextual = (
            listed.element.pPr.find(qn("w:contextualSpacing"))
            if listed.element.pPr is not None
            else None
        )
        if contextual is not None:  # the default template drops the space between list items
            listed.element.pPr.remove(contextual)
    for name, space_after in ((ADDRESS, 0.0), (SIGNATORY, 0.0), (CLOSING, style.signature.space)):
        _paragraph_style(doc, name).paragraph_format.space_after = Pt(space_after)
    doc.styles[CLOSING].paragraph_format.keep_with_next = True
    doc.styles[SIGNATORY].paragraph_format.keep_with_next = True
    reference = _paragraph_style(doc, REFERENCE)
    _set_font(reference, font, style.reference.size, text.colour)
    rfmt = reference.paragraph_format
    rfmt.space_after = Pt(style.reference.row_space)
    rfmt.line_spacing = Pt(style.reference.size * text.line_height)
    rfmt.left_indent = Pt(style.reference.label_width)
    rfmt.first_line_indent = Pt(-style.reference.label_width)
    rfmt.tab_stops.add_tab_stop(Pt(style.reference.label_width))
    for name, bold in ((TABLE_TEXT, False), (TABLE_HEADING, True)):
        cell_style = _paragraph_style(doc, name)
        _set_font(cell_style, font, style.table.size, text.colour, bold=bold)
        cell_style.paragraph_format.space_after = Pt(0)
        cell_style.paragraph_format.line_spacing = Pt(style.table.size * text.line_height)
    marking = _paragraph_style(doc, MARKING, base="Header")
    _set_font(marking, font, style.marking.size, style.marking.colour, bold=True)
    marking.paragraph_format.alignment = WD_ALIGN_PARAGRAPH.CENTER
    letterhead = _paragraph_style(doc, LETTERHEAD)
    lfmt = letterhead.paragraph_format
    lfmt.line_spacing = 1.0
    letterhead.font.size = Pt(1)
    gap = style.address.top - style.page.margin_top - style.letterhead.height
    lfmt.space_after = Pt(max(0.0, gap))
    footer = doc.styles["Footer"]
    _set_font(footer, font, style.footer.size, style.colours.muted)
    footer.paragraph_format.tab_stops.add_tab_stop(Pt(style.content_width), WD_TAB_ALIGNMENT.RIGHT)


def _list_numbering(doc: docx.document.Document, name: str) -> tuple[CT_Numbering, int] | None:
    """Find a list style's numbering definition: the numbering part and its abstract number."""
    numbering = doc.part.numbering_part.element
    listed = doc.styles[name].element
    num_id = (
        listed.pPr.numPr.numId.val
        if listed.pPr is not None and listed.pPr.numPr is not None
        else None
    )
    num = next((n for n in numbering.num_lst if n.numId == num_id), None)
    return (numbering, int(num.abstractNumId.val)) if num is not None else None


def _number_from(doc: docx.document.Document, items: list[DocxParagraph], start: int) -> None:
    """Give a list's items numbers from `start`, whatever lists came before it."""
    found = _list_numbering(doc, "List Number")
    if found is None:
        return
    numbering, abstract_id = found
    num = numbering.add_num(abstract_id)  # type: ignore[no-untyped-call]
    override = num.add_lvlOverride(ilvl=0)
    override.add_startOverride(start)
    for item in items:
        paragraph_xml(item).get_or_add_pPr().get_or_add_numPr().get_or_add_numId().val = num.numId
        paragraph_xml(item).get_or_add_pPr().get_or_add_numPr().get_or_add_ilvl().val = 0


def _indent_list(doc: docx.document.Document, style: HouseStyle, name: str) -> None:
    """Indent a list's text as the house style says, the bullet or number hanging in the indent.

    Word takes a list's indent from its numbering definition, so set it there.
    """
    found = _list_numbering(doc, name)
    if found is None:
        return
    numbering, abstract_id = found
    indent, hanging = (
        str(round(length * 20)) for length in (style.lists.indent, style.lists.hanging)
    )
    for abstract in numbering.findall(qn("w:abstractNum")):
        if abstract.get(qn("w:abstractNumId")) != str(abstract_id):
            continue
        level = abstract.find(qn("w:lvl"))
        if level is None:
            return
        ppr = level.find(qn("w:pPr"))
        if ppr is None:
            ppr = OxmlElement("w:pPr")
            level.append(ppr)
        for old in ppr.findall(qn("w:ind")):
            ppr.remove(old)
        ind = OxmlElement("w:ind")
        ind.set(qn("w:left"), indent)  # in twentieths of a point
        ind.set(qn("w:hanging"), hanging)
        ppr.append(ind)


def _letterhead(doc: docx.document.Document, document: Document, style: HouseStyle) -> None:
    """Put the office's wordmark, with its alt text, at the top of page 1."""
    png = draw_wordmark(document.letterhead, style, "png")
    paragraph = _add(doc, LETTERHEAD)
    run = paragraph.add_run()
    run.add_picture(io.BytesIO(png), height=Pt(style.letterhead.height))
    doc_pr = run_xml(run).find(".//" + qn("wp:docPr"))
    if doc_pr is not None:
        doc_pr.set("name", "Letterhead")
        doc_pr.set("descr", document.letterhead.alt)


def _blocks(
    doc: docx.document.Document,
    blocks: tuple[Block, ...],
    style: HouseStyle,
    marks: Bookmarks | None,
) -> None:
    """Add each block in reading order; a Section on a new page moves the next paragraph there."""
    new_page = False
    previous: DocxParagraph | None = None
    language = ""
    for block in blocks:
        added: list[DocxParagraph] = []
        body_before = len(doc.element.body)
        if isinstance(block, Section):
            new_page = new_page or block.new_page
            language = block.language or language
        elif isinstance(block, Masthead):
            new_page = _break_before_table(doc, new_page)
            added = _masthead(doc, block, style)
        elif isinstance(block, Heading):
            heading = _add(doc, f"Heading {min(block.level, 3)}")
            added = [_inline(heading, block.content, style, block.anchor, marks)]
        elif isinstance(block, Paragraph):
            added = [_inline(doc.add_paragraph(), block.content, style, block.anchor, marks)]
        elif isinstance(block, BulletList):
            kind = "List Number" if block.numbered else "List Bullet"
            list_id = doc.styles[kind].style_id  # found once, not per item (see _add)
            added = [_styled(doc.add_paragraph(), list_id) for _ in block.items]
            anchors = block.anchors or (None,) * len(block.items)
            for paragraph, item, anchor in zip(added, block.items, anchors, strict=True):
                _inline(paragraph, item, style, anchor, marks)
            if block.numbered:
                _number_from(doc, added, block.start)
            # A list ends with a paragraph's space, as in the PDF.
            added[-1].paragraph_format.space_after = Pt(style.text.space_after)
        elif isinstance(block, Address):
            added = [_add(doc, ADDRESS, line) for line in block.lines]
            for index in block.apart:
                added[index].paragraph_format.space_before = Pt(style.text.space_after)
        elif isinstance(block, ReferenceBlock):
            added = [
                _reference_row(_add(doc, REFERENCE), label, value) for label, value in block.rows
            ]
        elif isinstance(block, Table):
            new_page = _break_before_table(doc, new_page)
            added = _table(doc, block, style, marks)
        elif isinstance(block, Signature):
            if previous is not None:
                previous.paragraph_format.keep_with_next = True
            added = _signature(doc, block, style)
        if added:
            if new_page:
                added[0].paragraph_format.page_break_before = True
                new_page = False
            previous = added[-1]
        if language:
            _mark_language(_added_since(doc, body_before), language)


def _signature(
    doc: docx.document.Document, block: Signature, style: HouseStyle
) -> list[DocxParagraph]:
    """Add the closing, then for each signer the room to sign (or the signature) and the name.

    The closing's own space after is the first signer's room; each later signer's room is
    space before their name. A signature image fills the room instead.
    """
    room = Pt(style.signature.space)
    added = [_add(doc, CLOSING, block.closing)]
    for index, signer in enumerate(block.signers):
        if signer.image:
            if index == 0:
                added[-1].paragraph_format.space_after = Pt(0)
            picture = _add(doc, SIGNATORY)
            # a line of exact height would clip the picture to a sliver
            picture.paragraph_format.line_spacing_rule = WD_LINE_SPACING.SINGLE
            run = picture.add_run()
            run.add_picture(io.BytesIO(signer.image), height=room)
            doc_pr = run_xml(run).find(".//" + qn("wp:docPr"))
            if doc_pr is not None:
                doc_pr.set("name", "Signature")
                doc_pr.set("descr", signer.alt)
            if index:
                picture.paragraph_format.space_before = Pt(style.text.space_after)
            added.append(picture)
        lines = [_add(doc, SIGNATORY, line) for line in signer.lines]
        if index and not signer.image and lines:
            lines[0].paragraph_format.space_before = room + Pt(style.text.space_after)
        added += lines
    added += [_add(doc, SIGNATORY, line) for line in block.after]
    if block.after:
        added[-len(block.after)].paragraph_format.space_before = Pt(style.text.space_after)
    for paragraph in added[:-1]:
        paragraph.paragraph_format.keep_with_next = True
    added[-1].paragraph_format.keep_with_next = False
    return added


def _break_before_table(doc: docx.document.Document, new_page: bool) -> bool:
    """Put a hairline paragraph before a table on a new page: Word ignores a break in a cell."""
    if new_page:
        spacer = _add(doc, LETTERHEAD)
        spacer.paragraph_format.page_break_before = True
        spacer.paragraph_format.space_after = Pt(0)
    return False


def _added_since(doc: docx.document.Document, count: int) -> list[object]:
    """List the body elements added since it held `count`; new ones go before the w:sectPr."""
    children = list(doc.element.body)
    if children and children[-1].tag == qn("w:sectPr"):
        return children[count - 1 : -1]
    return children[count:]


def _mark_language(elements: list[object], language: str) -> None:
    """Set Word's proofing language on every run (and paragraph mark) of some body elements."""
    tag = region_tag(language)
    for element in elements:
        for holder in element.iter(qn("w:r"), qn("w:pPr")):  # type: ignore[attr-defined]
            properties = holder.find(qn("w:rPr"))
            if properties is None:
                properties = OxmlElement("w:rPr")
                holder.insert(0, properties) if holder.tag == qn("w:r") else holder.append(
                    properties
                )
            for old in properties.findall(qn("w:lang")):
                properties.remove(old)
            mark = OxmlElement("w:lang")
            mark.set(qn("w:val"), tag)
            properties.append(mark)


def _masthead(
    doc: docx.document.Document, masthead: Masthead, style: HouseStyle
) -> list[DocxParagraph]:
    """Place the address (left, in the envelope window) beside the reference block (right)."""
    address, reference = masthead.address, masthead.reference
    table = doc.add_table(rows=1, cols=2)
    table.autofit = False
    spare = style.content_width - style.address.width - style.reference.width
    widths = (Pt(style.address.width + spare), Pt(style.reference.width))
    left, right = table.rows[0].cells
    for cell, width in zip((left, right), widths, strict=True):
        cell.width = width
    lines = _fill(doc, left, [(line, ADDRESS) for line in address.lines])
    for index in address.apart:  # another recipient's address, a line apart
        lines[index].paragraph_format.space_before = Pt(style.text.space_after)
    for paragraph, (label, value) in zip(
        _fill(doc, right, [("", REFERENCE) for _ in reference.rows]), reference.rows, strict=True
    ):
        _reference_row(paragraph, label, value)
    _cell_margins(table, 0, 0)
    return [_space_after_table(doc, style)]


def _table(
    doc: docx.document.Document, block: Table, style: HouseStyle, marks: Bookmarks | None
) -> list[DocxParagraph]:
    """Add a table ruled in the house style whose header row repeats on each page.

    The first column is as wide as the style says; the others share the rest equally.
    """
    columns = max(len(row) for row in (block.header, *block.rows))
    table = doc.add_table(rows=0, cols=columns)
    table.autofit = False
    first = style.table.first_column if columns > 1 else style.content_width
    rest = (style.content_width - first) / max(1, columns - 1)
    widths = [Pt(first), *[Pt(rest)] * (columns - 1)]
    for column, width in zip(table.columns, widths, strict=True):
        column.width = width
    _borders(table, style)
    _cell_margins(table, style.table.padding_y, style.table.padding_x)
    # Each style's id, found once for the whole table (see _add).
    heading_id, text_id = (doc.styles[name].style_id for name in (TABLE_HEADING, TABLE_TEXT))
    rows = (block.header, *block.rows) if block.header else block.rows
    for index, row in enumerate(rows):
        # a row's own cells: `_Row.cells` walks the whole table, which is quadratic in rows
        cells = [_Cell(tc, table) for tc in row_xml(table.add_row()).tc_lst]
        anchors = block.anchors[index] if index < len(block.anchors) else ()
        for column, (cell, content, width) in enumerate(zip(cells, row, widths, strict=False)):
            cell.width = width
            paragraph = cell.paragraphs[0]
            _styled(paragraph, heading_id if block.header and index == 0 else text_id)
            anchor = anchors[column] if column < len(anchors) else None
            _inline(paragraph, content, style, anchor, marks)
    if block.header:
        header_row = row_xml(table.rows[0]).get_or_add_trPr()
        repeat = OxmlElement("w:tblHeader")
        repeat.set(qn("w:val"), "true")
        header_row.append(repeat)
    return [_space_after_table(doc, style)]


def _add(doc: docx.document.Document, name: str, text: str = "") -> DocxParagraph:
    """Add a paragraph to the body in a named style.

    The style is set by its id: python-docx's own setter reads through every style in the
    document to find the default one each time, which made long letters slow.
    """
    return _styled(doc.add_paragraph(text), doc.styles[name].style_id)


def _styled(paragraph: DocxParagraph, style_id: str) -> DocxParagraph:
    """Give a paragraph a style by its id: no search through every style by name."""
    paragraph_xml(paragraph).style = style_id
    return paragraph


def _space_after_table(doc: docx.document.Document, style: HouseStyle) -> DocxParagraph:
    """Add an empty paragraph after a table: Word needs one between tables; it gives the space."""
    gap = _add(doc, ADDRESS)
    gap.paragraph_format.space_after = Pt(style.text.space_after)
    return gap


def _borders(table: docx.table.Table, style: HouseStyle) -> None:
    """Rule every cell of a table in the house style's colour and width."""
    borders = OxmlElement("w:tblBorders")
    for side in ("top", "left", "bottom", "right", "insideH", "insideV"):
        border = OxmlElement(f"w:{side}")
        border.set(qn("w:val"), "single")
        border.set(qn("w:sz"), str(round(style.table.rule_width * 8)))  # eighths of a point
        border.set(qn("w:space"), "0")
        border.set(qn("w:color"), style.table.rule.lstrip("#").upper())
        borders.append(border)
    table_xml(table).tblPr.append(borders)


def _fill(
    doc: docx.document.Document, cell: _Cell, lines: list[tuple[str, str]]
) -> list[DocxParagraph]:
    """Fill a table cell with lines, each in its paragraph style."""
    paragraphs = [cell.paragraphs[0]] + [cell.add_paragraph() for _ in lines[1:]]
    for paragraph, (text, style_name) in zip(paragraphs, lines, strict=True):
        _styled(paragraph, doc.styles[style_name].style_id)
        if text:
            paragraph.add_run(text)
    return paragraphs


def _cell_margins(table: docx.table.Table, vertical: float, horizontal: float) -> None:
    """Set the space inside every cell of a table, in points."""
    margins = OxmlElement("w:tblCellMar")
    for side, points in (
        ("top", vertical),
        ("left", horizontal),
        ("bottom", vertical),
        ("right", horizontal),
    ):
        element = OxmlElement(f"w:{side}")
        element.set(qn("w:w"), str(round(points * 20)))  # twentieths of a point
        element.set(qn("w:type"), "dxa")
        margins.append(element)
    table_xml(table).tblPr.append(margins)


def _reference_row(paragraph: DocxParagraph, label: str, value: str) -> DocxParagraph:
    """Write a reference row: its label, a tab, its value."""
    paragraph.add_run(label)
    paragraph.add_run().add_tab()
    if value:
        paragraph.add_run(value)
    return paragraph


def _inline(
    paragraph: DocxParagraph,
    content: Inline,
    style: HouseStyle,
    anchor: Anchor | None = None,
    marks: Bookmarks | None = None,
) -> DocxParagraph:
    """Add inline spans to a paragraph as runs, links in the house style's accent.

    With `marks`, the paragraph's anchor is bookmarked: its text, and each value within it.
    """
    placer = (marks or Bookmarks()).paragraph(anchor if marks else None, inline_text(content))
    element = paragraph_xml(paragraph)
    at = 0
    for span in content:
        for index, piece in enumerate(span.text.split("\n")):
            if index:
                placer.place(element, at)
                paragraph.add_run().add_break(WD_BREAK.LINE)
                at += 1
            for start, chunk in placer.cuts(at, piece):
                placer.place(element, start)
                if chunk:
                    run = (
                        _hyperlink_run(paragraph, span.href, style)
                        if span.href
                        else paragraph.add_run()
                    )
                    run.text = chunk
                    run.bold = span.bold or None
                    run.italic = span.italic or None
            at += len(piece)
    placer.finish(element)
    return paragraph


def _hyperlink_run(paragraph: DocxParagraph, href: str, style: HouseStyle) -> Run:
    """Add a run inside a link: python-docx has no API for links, so wrap it in w:hyperlink."""
    rel_id = paragraph.part.relate_to(href, RELATIONSHIP_TYPE.HYPERLINK, is_external=True)
    link = OxmlElement("w:hyperlink")
    link.set(qn("r:id"), rel_id)
    run_element = OxmlElement("w:r")
    link.append(run_element)
    paragraph_xml(paragraph).append(link)
    run = Run(run_element, paragraph)
    run.underline = True
    run.font.color.rgb = RGBColor.from_string(style.colours.accent.lstrip("#").upper())
    return run
