"""Render a `Document` to a standalone HTML page styled by the house CSS."""

from __future__ import annotations

import base64
import re
from collections.abc import Sequence
from html import escape

from ..compose.document import (
    Address,
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
    Signer,
    Table,
)
from ..compose.style import CssText, HouseStyle, render_css
from .wordmark import draw_wordmark, watermark_svg


def css_string(text: str) -> CssText:
    """Quote text as a CSS string, every character that could end it or its element escaped."""
    return CssText('"' + "".join(_css_char(char) for char in text) + '"')


def _css_char(char: str) -> str:
    """Write one character of a CSS string: letters, digits and safe punctuation as they are."""
    if char.isalnum() or char in " .,:;'!?()[]-_/+@|=*~^$%#&":
        return char
    return f"\\{ord(char):x} "


def css_page_label(template: str) -> CssText:
    """Turn 'Page {page} of {pages}' into CSS content with page counters."""
    parts = []
    for piece in re.split(r"(\{pages?\})", template):
        if piece in ("{page}", "{pages}"):
            parts.append(f"counter({piece[1:-1]})")
        elif piece:
            parts.append(css_string(piece))
    return CssText(" ".join(parts) or '""')


def page_css(document: Document, style: HouseStyle) -> str:
    """Write the house CSS for a document: its footer, page label, marking and DRAFT mark."""
    watermark = ""
    if document.draft_label:
        svg = watermark_svg(document.draft_label, style)
        watermark = "data:image/svg+xml;base64," + base64.b64encode(svg).decode("ascii")
    return render_css(
        style,
        footer_css=css_string(document.footer),
        page_label_css=css_page_label(document.page_label),
        marking_css=css_string(document.marking) if document.marking else CssText(""),
        watermark=CssText(watermark),
    )


def pdf_pages(documents: Sequence[Document], style: HouseStyle) -> list[tuple[str, str]]:
    """Write each document's page as WeasyPrint lays it out: its HTML, and its CSS apart."""
    return [
        (render_html(document, style, inline_css=False), page_css(document, style))
        for document in documents
    ]


def render_html(document: Document, style: HouseStyle, *, inline_css: bool = True) -> str:
    """Render the whole letter as one HTML page with its CSS (`page_css`) inlined.

    Without `inline_css` the page leaves its CSS out, for a renderer that applies it itself.
    """
    svg = draw_wordmark(document.letterhead, style, "svg")
    logo = base64.b64encode(svg).decode("ascii")
    day = document.date.isoformat()
    head = [
        "<!DOCTYPE html>",
        f'<html lang="{escape(document.language)}">',
        "<head>",
        '<meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        f"<title>{escape(document.title)}</title>",
        f'<meta name="author" content="{escape(document.author)}">',
        f'<meta name="description" content="{escape(document.subject)}">',
        f'<meta name="keywords" content="{escape(", ".join(document.keywords))}">',
        f'<meta name="dcterms.created" content="{day}">',
        f'<meta name="dcterms.modified" content="{day}">',
        *([f"<style>\n{page_css(document, style)}</style>"] if inline_css else []),
        "</head>",
        "<body>",
        *([f'<p class="marking">{escape(document.marking)}</p>'] if document.marking else []),
        *([f'<p class="draft">{escape(document.draft_label)}</p>'] if document.draft_label else []),
        '<header class="letterhead">',
        f'<img src="data:image/svg+xml;base64,{logo}" alt="{escape(document.letterhead.alt)}">',
        "</header>",
        "<main>",
    ]
    body = _sections(document.blocks)
    tail = [
        "</main>",
        f"<footer><p>{escape(document.footer)}</p></footer>",
        "</body>",
        "</html>",
        "",
    ]
    return "\n".join(head + body + tail)


def render_blocks(blocks: tuple[Block, ...]) -> str:
    """Render blocks that are not Sections (a page's own paragraphs and lists), a line each."""
    return "".join(_block(block) + "\n" for block in blocks)


def _sections(blocks: tuple[Block, ...]) -> list[str]:
    """Render blocks, each Section opening an HTML section marked with its kind and language."""
    out: list[str] = []
    opened = False
    for block in blocks:
        if isinstance(block, Section):
            if opened:
                out.append("</section>")
            lang = f' lang="{escape(block.language)}"' if block.language else ""
            out.append(f'<section class="{block.kind}"{lang}>')
            opened = True
        else:
            out.append(_block(block))
    if opened:
        out.append("</section>")
    return out


def _block(block: Block) -> str:
    """Render one block that is not a Section."""
    if isinstance(block, Heading):
        return f"<h{block.level}>{_inline(block.content)}</h{block.level}>"
    if isinstance(block, Paragraph):
        return f"<p>{_inline(block.content)}</p>"
    if isinstance(block, BulletList):
        items = "".join(f"<li>{_inline(item)}</li>" for item in block.items)
        if block.numbered:
            start = f' start="{block.start}"' if block.start != 1 else ""
            return f"<ol{start}>{items}</ol>"
        return f"<ul>{items}</ul>"
    if isinstance(block, Masthead):
        return f'<div class="masthead">\n{_block(block.address)}\n{_block(block.reference)}\n</div>'
    if isinstance(block, Address):  # a block of lines, read as one: a P for each in a Div
        lines = "".join(
            f'<p class="apart">{escape(line)}</p>'
            if index in block.apart
            else f"<p>{escape(line)}</p>"
            for index, line in enumerate(block.lines)
        )
        return f'<div class="recipient">{lines}</div>'
    if isinstance(block, ReferenceBlock):
        rows = "".join(
            f'<tr><th scope="row">{escape(label)}</th><td>{escape(value)}</td></tr>'
            for label, value in block.rows
        )
        return f'<table class="reference"><tbody>{rows}</tbody></table>'
    if isinstance(block, Table):
        return _table(block)
    if isinstance(block, Signature):
        signers = "".join(_signer(signer) for signer in block.signers)
        after = "".join(f'<p class="copies">{escape(line)}</p>' for line in block.after)
        return (
            f'<div class="signature"><p class="closing">{escape(block.closing)}</p>'
            f"{signers}{after}</div>"
        )
    raise TypeError(f"no HTML for {type(block).__name__}")


def _signer(signer: Signer) -> str:
    """Render one signer: the signature (or the room to sign above), the name and title.

    Each line is a paragraph of its own; the room to sign is the signer's space above, so
    that no empty element is left for a screen reader to announce.
    """
    lines = "".join(f'<p class="signatory">{escape(line)}</p>' for line in signer.lines)
    if signer.image:
        data = base64.b64encode(signer.image).decode("ascii")
        signed = (
            f'<img class="signed" src="data:image/png;base64,{data}" '
            f'alt="{escape(signer.alt, quote=True)}">'
        )
        return f'<div class="signer">{signed}{lines}</div>'
    return f'<div class="signer to-sign">{lines}</div>'


def _table(block: Table) -> str:
    """Render a table of findings with its header row."""
    head = "".join(f'<th scope="col">{_inline(cell)}</th>' for cell in block.header)
    body = "".join(
        "<tr>" + "".join(f"<td>{_inline(cell)}</td>" for cell in row) + "</tr>"
        for row in block.rows
    )
    thead = f"<thead><tr>{head}</tr></thead>" if head else ""
    return f'<table class="findings">{thead}<tbody>{body}</tbody></table>'


def _inline(content: Inline) -> str:
    """Render inline spans with their emphasis and links."""
    html = []
    for span in content:
        text = escape(span.text).replace("\n", "<br>")
        # The link goes innermost: a link broken across lines is then a Link element in the
        # PDF's tags for each part, each holding its annotation (PDF/UA), never an <em>'s.
        if span.href:
            text = f'<a href="{escape(span.href)}">{text}</a>'
        if span.italic:
            text = f"<em>{text}</em>"
        if span.bold:
            text = f"<strong>{text}</strong>"
        html.append(text)
    return "".join(html)
