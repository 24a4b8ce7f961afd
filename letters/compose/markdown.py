"""Read the letter's Markdown into document blocks: the templates' and the letter's own.

Templates write full Markdown with the letter's containers: `::: address`, `::: reference`,
`::: signature` (with `::: copies` after it for 'cc:' lines), `::: annex` (a new page),
`:::: section NAME` around each standard section, and `[](own:KEY)` where the letter's own
text goes. The letter's own text (its paragraphs
in the data) is a small Markdown: paragraphs, bullet and numbered lists, bold, italic and
links to https: and mailto: addresses. It never reaches the template's Markdown: it is read
on its own, so it cannot open a container, a table or a heading, and raw HTML prints as text.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, replace

from markdown_it import MarkdownIt
from markdown_it.token import Token
from mdit_py_plugins.container import container_plugin

from ..source.errors import TemplateError
from .document import (
    Address,
    Anchor,
    Block,
    BulletList,
    Heading,
    Inline,
    Masthead,
    Origin,
    Paragraph,
    ReferenceBlock,
    Section,
    Signature,
    Signer,
    Span,
    Table,
    inline_text,
)

CONTAINERS = ("address", "reference", "signature", "copies", "annex", "section")
#: Where the letter's own text goes, a link no data value can write (its brackets are escaped).
OWN_MARK = "own:"
#: The kinds of address a template's link may lead to: the web, mail and the telephone.
LINK_SCHEMES = ("https:", "http:", "mailto:", "tel:")
#: The kinds of address the letter's own text may link to.
OWN_LINK_SCHEMES = ("https:", "mailto:")
_MARKDOWN_PUNCTUATION = re.compile(r"([!-/:-@\[-`{-~])")
#: Whitespace that folds to one space: all of it but the no-break spaces.
_FOLDED = re.compile(r"[^\S\u00a0\u2007\u202f]+")

_MARKDOWN = (
    MarkdownIt("commonmark", {"html": False, "typographer": False}).disable("image").enable("table")
)
for _name in CONTAINERS:
    _MARKDOWN.use(container_plugin, _name)

#: The letter's own text: paragraphs, lists, emphasis and links; headings and images are
#: read only to refuse them with a message. No raw HTML, code, quotes, rules or tables.
_OWN = MarkdownIt("zero", {"html": False, "typographer": False}).enable(
    ["list", "heading", "lheading", "emphasis", "link", "image", "autolink", "escape", "newline"]
)


def escape_markdown(value: object) -> str:
    """Make a data value print exactly as written: no emphasis, links or new blocks.

    A value that is not there (None) is refused: a letter never prints "None".
    """
    if value is None:
        raise ValueError(
            "the template prints a fact this letter does not have (None); "
            "test it with {% if ... %} first"
        )
    return _MARKDOWN_PUNCTUATION.sub(r"\\\1", fold_whitespace(str(value)))


def fold_whitespace(text: str) -> str:
    """Print text's whitespace as a letter does: each run one space, none at either end.

    A no-break space (U+00A0, U+2007, U+202F) stays: it joins what it stands between
    ('10 000', 'PC Smith', a postcode's halves).
    """
    return _FOLDED.sub(" ", text).strip(" ")


class OwnTextError(ValueError):
    """The letter's own text uses Markdown a letter cannot print."""


@dataclass(frozen=True)
class Part:
    """A run of blocks and the standard section it belongs to ('' for none)."""

    section: str
    blocks: list[Block]


def parse_own(markdown: str) -> list[Block]:
    """Read the letter's own text (paragraphs, lists, bold, italic, links) into blocks.

    Raise OwnTextError for what a letter's own text may not hold: headings (a section's
    heading is its own field), images and links that are not https: or mailto:.
    """
    tokens = _OWN.parse(markdown)
    blocks: list[Block] = []
    i = 0
    while i < len(tokens):
        token = tokens[i]
        if token.type == "heading_open":
            raise OwnTextError(
                f"the text holds a heading ({token.markup} ...); the letter's own text has no "
                "headings: give a section its heading with heading:, or write \\# to print #"
            )
        if token.type == "paragraph_open":
            blocks.append(Paragraph(_own_inline(tokens[i + 1].children or [])))
            i += 2
        elif token.type in ("bullet_list_open", "ordered_list_open"):
            items, i = _list_items(tokens, i, _own_inline)
            numbered = token.type == "ordered_list_open"
            start = int(token.attrs.get("start", 1)) if numbered else 1
            if items:  # '-' alone is a list with nothing in it
                blocks.append(BulletList(items, numbered=numbered, start=start))
        i += 1
    return blocks


#: Where the paragraph numbered `part` of the own text `key` comes from.
OwnOrigin = Callable[[str, int], Origin]


def own_blocks(markdown: str, key: str, origin: OwnOrigin | None) -> list[Block]:
    """Read an own text into blocks, each paragraph anchored to its field if `origin` is given."""
    blocks = parse_own(markdown)
    if origin is None or not key:
        return blocks
    anchored: list[Block] = []
    part = 0
    for block in blocks:
        if isinstance(block, Paragraph):
            anchored.append(replace(block, anchor=Anchor(origin(key, part))))
            part += 1
        elif isinstance(block, BulletList):
            items = range(part, part + len(block.items))
            anchored.append(replace(block, anchors=tuple(Anchor(origin(key, i)) for i in items)))
            part += len(block.items)
    return anchored


def plain_text(markdown: str) -> str:
    """Return the words of the letter's own text as a reader sees them, one line per block."""
    lines = []
    for block in parse_own(markdown):
        if isinstance(block, Paragraph):
            lines.append(inline_text(block.content))
        elif isinstance(block, BulletList):
            lines.extend(inline_text(item) for item in block.items)
    return "\n".join(lines)


def _own_inline(children: list[Token]) -> Inline:
    """Read own text's inline tokens, refusing images and links a letter may not carry."""
    for child in children:
        if child.type == "image":
            raise OwnTextError(
                "the text holds an image (![...](...)); a letter's own text holds words only, "
                "and the letterhead is the house style's"
            )
        if child.type == "link_open":
            href = str(child.attrs.get("href", ""))
            if not href.lower().startswith(OWN_LINK_SCHEMES):
                raise OwnTextError(
                    f"the link {href!r} is not a web or mail address; the letter's own links "
                    "start https: or mailto:"
                )
    content = _inline(children)
    for span in content:
        if "[" in span.text and "](" in span.text and not span.href:
            raise OwnTextError(
                f"{span.text.strip()!r} looks like a link but is not one; the letter's own links "
                "are [words](https://...) or [words](mailto:...)"
            )
    return content


def parse_blocks(
    markdown: str,
    template_name: str = "",
    own: Mapping[str, str] | None = None,
    own_origin: OwnOrigin | None = None,
) -> list[Part]:
    """Turn a template's Markdown into blocks, in parts by the standard section they are in.

    `own` holds the letter's own texts by key, for the `[](own:KEY)` marks the template made;
    `own_origin` says where each of their paragraphs comes from.
    """
    tokens = _MARKDOWN.parse(markdown)
    parts = [Part("", [])]
    blocks = parts[0].blocks
    container = ""
    held: list[list[str]] = []  # a container's paragraphs, as lines, until it closes
    i = 0
    while i < len(tokens):
        token = tokens[i]
        kind = token.type
        if kind == "container_section_open":
            name = token.info.split()[1] if len(token.info.split()) > 1 else ""
            if not name or parts[-1].section:
                where = f"templates/{template_name}: line {(token.map or [0])[0] + 1}"
                raise TemplateError(
                    f"{where}: a section is ':::: section NAME' on its own, never inside another"
                )
            parts.append(Part(name, []))
            blocks = parts[-1].blocks
        elif kind == "container_section_close":
            parts.append(Part("", []))
            blocks = parts[-1].blocks
        elif kind.startswith("container_") and kind.endswith("_open"):
            container = kind[len("container_") : -len("_open")]
            if container == "annex":
                blocks.append(Section("annex", new_page=True))
                container = ""
        elif kind.startswith("container_") and kind.endswith("_close"):
            lines = tuple(line for paragraph in held for line in paragraph)
            if container == "copies" and blocks and isinstance(blocks[-1], Signature):
                # the copy lines ('cc: ...') stay with the signature above them
                blocks[-1] = replace(blocks[-1], after=(*blocks[-1].after, *lines))
            elif container == "copies":
                blocks.append(Paragraph(tuple(Span(line) for line in lines)))
            elif container:
                blocks.append(_furniture(container, held, template_name))
            container, held = "", []
        elif kind == "heading_open":
            blocks.append(Heading(int(token.tag[1]), _inline(tokens[i + 1].children or [])))
            i += 2
        elif kind == "paragraph_open":
            children = tokens[i + 1].children or []
            key = _own_key(children)
            if key is not None:
                if own is None or key not in own or container:
                    raise TemplateError(
                        f"templates/{template_name}: the letter's own text {key!r} can print "
                        "only as a paragraph of its own"
                    )
                blocks.extend(own_blocks(own[key], key, own_origin))
            elif container:
                text = "".join(_spans_text(_inline(children, softbreak="\n")))
                held.append([line.strip() for line in text.split("\n")])
            else:
                blocks.append(Paragraph(_inline(children)))
            i += 2
        elif kind == "bullet_list_open":
            items, i = _list_items(tokens, i, _inline)
            if items:
                blocks.append(BulletList(items))
        elif kind == "table_open":
            table, i = _table(tokens, i)
            blocks.append(table)
        elif kind in ("ordered_list_open", "fence", "code_block", "blockquote_open", "hr"):
            raise TemplateError(
                f"templates/{template_name}: line {(token.map or [0])[0] + 1}: "
                f"{kind.removesuffix('_open').replace('_', ' ')} is not part of the letter "
                "format; use paragraphs, headings and bullet lists"
            )
        i += 1
    for part in parts:
        check_links(part.blocks, template_name)
    return [part for part in parts if part.section or part.blocks]


def own_mark(key: str) -> str:
    """Mark where the letter's own text `key` goes: a paragraph of its own."""
    return f"\n\n[]({OWN_MARK}{key})\n\n"


def _own_key(children: list[Token]) -> str | None:
    """Return the key of an own-text mark, if these inline tokens are one."""
    if [child.type for child in children] != ["link_open", "link_close"]:
        return None
    href = str(children[0].attrs.get("href", ""))
    return href[len(OWN_MARK) :] if href.startswith(OWN_MARK) else None


class OwnText(str):
    """The letter's own Markdown text, with the key the wording finds it by."""

    key: str

    def __new__(cls, text: str, key: str) -> OwnText:
        """Hold the text and its key."""
        made = super().__new__(cls, text)
        made.key = key
        return made


def check_links(blocks: list[Block], template_name: str) -> None:
    """Refuse a link that is not a web, mail or telephone address (a file, a relative path)."""
    for block in blocks:
        contents: list[Inline] = []
        if isinstance(block, Heading | Paragraph):
            contents = [block.content]
        elif isinstance(block, BulletList):
            contents = list(block.items)
        elif isinstance(block, Table):
            contents = [cell for row in (block.header, *block.rows) for cell in row]
        for span in (span for content in contents for span in content if span.href):
            if not span.href.lower().startswith(LINK_SCHEMES):
                raise TemplateError(
                    f"templates/{template_name}: the link {span.href!r} is not a web, mail or "
                    "telephone address; a letter's links start https:, http:, mailto: or tel:"
                )


def join_mastheads(blocks: list[Block]) -> list[Block]:
    """Join an address and the reference block that follows it into the letter's masthead."""
    joined: list[Block] = []
    for block in blocks:
        previous = joined[-1] if joined else None
        if isinstance(block, ReferenceBlock) and isinstance(previous, Address):
            joined[-1] = Masthead(previous, block)
        else:
            joined.append(block)
    return joined


def plain_line(markdown: str) -> str:
    """Return the text of one line of Markdown, escapes resolved."""
    tokens = _MARKDOWN.parseInline(markdown)
    return "".join(_spans_text(_inline(tokens[0].children or []))) if tokens else ""


def _spans_text(content: Inline) -> list[str]:
    """List the texts of some spans."""
    return [span.text for span in content]


def _furniture(container: str, paragraphs: list[list[str]], template_name: str) -> Block:
    """Build an address, reference block or signature from its container's paragraphs."""
    lines = [line for paragraph in paragraphs for line in paragraph]
    if container == "address":
        # each paragraph of the container is one recipient's address
        starts = [sum(len(p) for p in paragraphs[:i]) for i in range(1, len(paragraphs))]
        return Address(tuple(lines), tuple(starts))
    if container == "signature":
        if len(paragraphs) < 2:
            raise TemplateError(
                f"templates/{template_name}: a signature is a closing ('Yours sincerely'), a blank "
                "line, then the name and title"
            )
        signers = tuple(Signer(tuple(paragraph)) for paragraph in paragraphs[1:])
        return Signature(" ".join(paragraphs[0]), signers)
    rows = []
    for line in lines:
        label, sep, value = line.partition(":")
        if not sep:
            raise TemplateError(
                f"templates/{template_name}: reference line {line!r} is not 'Label: value'"
            )
        rows.append((label.strip() + sep, value.strip()))
    return ReferenceBlock(tuple(rows))


def _table(tokens: list[Token], i: int) -> tuple[Table, int]:
    """Collect a table's header and body rows; return it and the index of its closing token."""
    rows: list[list[Inline]] = []
    header_rows = 0
    while tokens[i].type != "table_close":
        token = tokens[i]
        if token.type == "tr_open":
            rows.append([])
        elif token.type == "inline":
            rows[-1].append(_inline(token.children or []))
        elif token.type == "thead_close":
            header_rows = len(rows)
        i += 1
    header = tuple(rows[0]) if header_rows else ()
    return Table(header, tuple(tuple(row) for row in rows[header_rows:])), i


def _list_items(
    tokens: list[Token], i: int, inline: Callable[[list[Token]], Inline]
) -> tuple[tuple[Inline, ...], int]:
    """Collect a list's items (nested lists' items too); return them and its closing token."""
    items: list[Inline] = []
    depth = 0
    while True:
        token = tokens[i]
        if token.type in ("bullet_list_open", "ordered_list_open"):
            depth += 1
        elif token.type in ("bullet_list_close", "ordered_list_close"):
            depth -= 1
            if depth == 0:
                return tuple(item for item in items if inline_text(item).strip()), i
        elif token.type == "list_item_open":
            items.append(())  # an item may be empty ('-' alone): dropped when the list closes
        elif token.type == "inline":
            gap: Inline = (Span(" "),) if items[-1] else ()
            items[-1] += gap + inline(token.children or [])
        i += 1


def _inline(children: list[Token], softbreak: str = " ") -> Inline:
    """Turn inline tokens into spans, merging neighbours with the same emphasis."""
    spans: list[Span] = []
    bold = italic = 0
    href = ""
    for child in children:
        kind = child.type
        if kind == "strong_open":
            bold += 1
        elif kind == "strong_close":
            bold -= 1
        elif kind == "em_open":
            italic += 1
        elif kind == "em_close":
            italic -= 1
        elif kind == "link_open":
            href = str(child.attrs.get("href", ""))
        elif kind == "link_close":
            href = ""
        else:
            text = {"softbreak": softbreak, "hardbreak": "\n"}.get(kind, child.content)
            span = Span(text, bool(bold), bool(italic), href)
            if spans and (spans[-1].bold, spans[-1].italic, spans[-1].href) == (
                span.bold,
                span.italic,
                span.href,
            ):
                spans[-1] = Span(spans[-1].text + text, span.bold, span.italic, href)
            else:
                spans.append(span)
    return tuple(spans)
