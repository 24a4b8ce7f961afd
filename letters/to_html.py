"""Render a `Document` to a standalone HTML page styled by the house CSS."""

from __future__ import annotations

import base64
import re
from html import escape

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


def css_string(text: str) -> str:
    """Quote text as a CSS string."""
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\A ") + '"'


def css_page_label(template: str) -> str:
    """Turn 'Page {page} of {pages}' into CSS content with page counters."""
    parts = []
    for piece in re.split(r"(\{pages?\})", template):
        if piece in ("{page}", "{pages}"):
            parts.append(f"counter({piece[1:-1]})")
        elif piece:
            parts.append(css_string(piece))
    return " ".join(parts) or '""'


def render_html(document: Document, css: str) -> str:
    """Render the whole letter as one HTML page with its CSS inlined."""
    svg = base64.b64encode(document.letterhead.svg).decode("ascii")
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
        f'<meta name="dcterms.created" content="{escape(document.date)}">',
        f'<meta name="dcterms.modified" content="{escape(document.date)}">',
        f"<style>\n{css}</style>",
        "</head>",
        "<body>",
        *([f'<p class="marking">{escape(document.marking)}</p>'] if document.marking else []),
        *(['<p class="draft">DRAFT</p>'] if document.draft else []),
        '<header class="letterhead">',
        f'<img src="data:image/svg+xml;base64,{svg}" alt="{escape(document.letterhead.alt)}">',
        "</header>",
        "<main>",
    ]
    body = _sections(document.blocks)
    tail = ["</main>", f"<footer><p>{escape(document.footer)}</p></footer>", "</body>", "</html>", ""]
    return "\n".join(head + body + tail)


def _sections(blocks: tuple[Block, ...]) -> list[str]:
    """Render blocks in sections: a Language block opens a language version (marked with lang),
    a page break an annex; both start on a new page in print."""
    out: list[str] = []
    language = ""
    opened = False
    i = 0
    while i < len(blocks):
        block = blocks[i]
        if isinstance(block, PageBreak) and i + 1 < len(blocks) and isinstance(blocks[i + 1], Language):
            i += 1  # the page break starts a language version
            block = blocks[i]
        if isinstance(block, (PageBreak, Language)):
            if isinstance(block, Language):
                language = block.code
            if opened:
                out.append("</section>")
            kind = "version" if isinstance(block, Language) else "annex"
            out.append(f'<section class="{kind}"' + (f' lang="{escape(language)}"' if language else "") + ">")
            opened = True
        elif isinstance(block, Address) and i + 1 < len(blocks) and isinstance(blocks[i + 1], ReferenceBlock):
            out.append('<div class="masthead">')
            out.append(_block(block))
            out.append(_block(blocks[i + 1]))
            out.append("</div>")
            i += 1
        else:
            out.append(_block(block))
        i += 1
    if opened:
        out.append("</section>")
    return out


def _block(block: Block) -> str:
    if isinstance(block, Heading):
        return f"<h{block.level}>{_inline(block.content)}</h{block.level}>"
    if isinstance(block, Paragraph):
        return f"<p>{_inline(block.content)}</p>"
    if isinstance(block, BulletList):
        items = "".join(f"<li>{_inline(item)}</li>" for item in block.items)
        return f"<ul>{items}</ul>"
    if isinstance(block, Address):
        return '<address class="recipient">' + "<br>".join(escape(line) for line in block.lines) + "</address>"
    if isinstance(block, ReferenceBlock):
        rows = "".join(
            f'<tr><th scope="row">{escape(label)}:</th><td>{escape(value)}</td></tr>' for label, value in block.rows
        )
        return f'<table class="reference"><tbody>{rows}</tbody></table>'
    if isinstance(block, Table):
        head = "".join(f'<th scope="col">{_inline(cell)}</th>' for cell in block.header)
        body = "".join("<tr>" + "".join(f"<td>{_inline(cell)}</td>" for cell in row) + "</tr>" for row in block.rows)
        return f'<table class="findings">{f"<thead><tr>{head}</tr></thead>" if head else ""}<tbody>{body}</tbody></table>'
    if isinstance(block, Signature):
        name = "<br>".join(escape(line) for line in block.lines)
        after = "".join(f'<p class="copies">{escape(line)}</p>' for line in block.after)
        return f'<div class="signature"><p class="closing">{escape(block.closing)}</p><p class="signatory">{name}</p>{after}</div>'
    raise TypeError(f"no HTML for {type(block).__name__}")


def _inline(content: Inline) -> str:
    html = []
    for span in content:
        text = escape(span.text).replace("\n", "<br>")
        if span.italic:
            text = f"<em>{text}</em>"
        if span.bold:
            text = f"<strong>{text}</strong>"
        if span.href:
            text = f'<a href="{escape(span.href)}">{text}</a>'
        html.append(text)
    return "".join(html)
