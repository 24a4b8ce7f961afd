"""Render a letter's wording templates with its facts into one `Document`.

Templates are Markdown inside Jinja. Every value from the data is escaped for
Markdown before it reaches the page, so data can never add emphasis, links or
structure; only template text can. Containers mark the letter's furniture:
`::: address`, `::: reference`, `::: signature`, and `::: annex` (a new page).
An address followed by a reference block is the letter's masthead.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import functools
import re
import traceback
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import jinja2
import pydantic
from markdown_it import MarkdownIt
from markdown_it.token import Token
from mdit_py_plugins.container import container_plugin

from . import english, welsh
from .document import (
    Address,
    Block,
    BulletList,
    Heading,
    Inline,
    Masthead,
    Paragraph,
    ReferenceBlock,
    Section,
    Signature,
    Span,
    Table,
)
from .errors import Location, TemplateError, did_you_mean
from .sandbox import BoundedEnvironment, at_render_time, run_bounded

CONTAINERS = ("address", "reference", "signature", "annex")
_MARKDOWN_PUNCTUATION = re.compile(r"([!-/:-@\[-`{-~])")
#: What a template's front matter may set.
FRONT_MATTER = ("title", "subject", "keywords", "language", "page_label", "draft_label")
_FRONT_MATTER = re.compile(r"\A---\n(.*?)\n---\n", re.S)


def escape_markdown(value: object) -> str:
    """Make a data value print exactly as written: no emphasis, links or new blocks.

    A value that is not there (None) is refused: a letter never prints "None".
    """
    if value is None:
        raise ValueError(
            "the template prints a fact this letter does not have (None); "
            "test it with {% if ... %} first"
        )
    text = " ".join(str(value).split())
    return _MARKDOWN_PUNCTUATION.sub(r"\\\1", text)


def template_data(value: object) -> Any:
    """Turn a value into plain data for a template: namespaces of fields, tuples, text, numbers.

    Templates are edited by office staff, so they never see a live object: a pydantic
    model's methods (`parse_raw`, `parse_file`, `model_*`) reach parsing, files and pickle,
    and a dataclass's methods are code. Only fields are kept; anything else is refused.
    """
    if value is None or isinstance(value, str | bool | int | float | Decimal | dt.date):
        return value
    if isinstance(value, pydantic.BaseModel):
        names = list(type(value).model_fields)
    elif dataclasses.is_dataclass(value) and not isinstance(value, type):
        names = [field.name for field in dataclasses.fields(value)]
    else:
        names = []
    if names:
        fields = {name: template_data(getattr(value, name)) for name in names}
        kind = type(value)
        return _namespace_like(kind.__name__, kind.__module__)(**fields)
    if isinstance(value, list | tuple):
        return tuple(template_data(item) for item in value)
    if isinstance(value, Mapping):
        return {str(key): template_data(item) for key, item in value.items()}
    raise TypeError(f"{type(value).__name__} is not plain data a template may see")


#: The longest template, and the longest text a render may give: far above any letter's.
MAX_TEMPLATE = 200_000
MAX_RENDERED = 300_000


class _InsideLoader(jinja2.FileSystemLoader):
    """Load templates from templates/, refusing any (through a link) from elsewhere."""

    def get_source(
        self, environment: jinja2.Environment, template: str
    ) -> tuple[str, str, Callable[[], bool]]:
        """Return a template's source, if its file really lies inside the templates folder."""
        source, filename, uptodate = super().get_source(environment, template)
        if len(source) > MAX_TEMPLATE:
            raise TemplateError(
                f"templates/{template} is {len(source):,} characters; a template holds at most "
                f"{MAX_TEMPLATE:,}"
            )
        root = Path(self.searchpath[0]).resolve()
        if not Path(filename).resolve().is_relative_to(root):
            raise TemplateError(f"templates/{template} is a link to a file outside templates/")
        return source, filename, uptodate


@functools.cache
def _namespace_like(name: str, module: str) -> type[SimpleNamespace]:
    """Make a plain namespace class named as a model class, so messages name what a value is."""
    return type(name, (SimpleNamespace,), {"__module__": module, "__slots__": ()})


def make_environment(
    templates: Path, finalize: Callable[[Any], Any] = escape_markdown
) -> jinja2.Environment:
    """Make a Jinja environment for templates/: sandboxed, strict about undefined names.

    Every template (the letters' wording and the house style's CSS) is rendered by an
    environment from here; `finalize` escapes each printed value for where it lands.
    """
    env = BoundedEnvironment(
        loader=_InsideLoader(str(templates)),
        # No constant folding: a filter on literals would otherwise run while the template
        # compiles, outside the render's time and memory budget.
        optimized=False,
        undefined=jinja2.StrictUndefined,
        finalize=finalize,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
        autoescape=False,
    )
    # lipsum draws random words: the same inputs must give the same bytes.
    env.globals.pop("lipsum", None)
    env.filters.update(
        uk_date=english.uk_date,
        money=english.money,
        percent=english.percent,
        join_words=english.join_words,
        join_names=english.join_names,
        number_word=english.number_word,
        plural=english.plural,
        count_noun=english.count_noun,
        count_words=english.count_words,
        cy_count=welsh.cy_count,
        cy_number=welsh.cy_number,
        cy_join=welsh.cy_join,
        cy_date=welsh.cy_date,
        yn=welsh.yn,
        soft=welsh.soft,
    )
    env.filters.update({name: at_render_time(f) for name, f in env.filters.items()})
    env.tests.update({name: at_render_time(test) for name, test in env.tests.items()})
    return env


@dataclass(frozen=True)
class Wording:
    """A rendered template: its metadata fields and its blocks."""

    meta: dict[str, str]
    blocks: tuple[Block, ...]


def render_wording(env: jinja2.Environment, template_name: str, context: dict[str, Any]) -> Wording:
    """Render a template with the letter's facts and parse the result into blocks.

    The template is compiled here and run within the sandbox's time and memory budget.
    """
    template = load_template(env, template_name)
    data = template_data(context)
    text = run_bounded(lambda: render_template(template, data), f"templates/{template_name}")
    if len(text) > MAX_RENDERED:
        raise TemplateError(
            f"templates/{template_name} gives {len(text):,} characters; a letter is at most "
            f"{MAX_RENDERED:,}"
        )
    meta, body = _split_front_matter(text, template_name)
    return Wording(meta, tuple(parse_blocks(body, template_name)))


def load_template(env: jinja2.Environment, template_name: str) -> jinja2.Template:
    """Compile a template, naming its file and line when it cannot be."""
    try:
        return env.get_template(template_name)
    except jinja2.TemplateSyntaxError as exc:
        raise TemplateError(
            f"templates/{exc.name or template_name}:{exc.lineno}: template syntax error: "
            f"{exc.message}"
        ) from None
    except jinja2.TemplateNotFound as exc:
        raise TemplateError(f"templates/{exc.name}: no such template") from None


def render_template(template: jinja2.Template, data: dict[str, Any]) -> str:
    """Render a compiled template, turning what it does wrong into a message at its line."""
    try:
        return template.render(data)
    except jinja2.TemplateNotFound as exc:
        raise TemplateError(f"templates/{exc.name}: no such template") from None
    except (
        jinja2.UndefinedError,
        jinja2.exceptions.SecurityError,
        TypeError,
        ValueError,
        OverflowError,
        LookupError,
        AttributeError,
        ArithmeticError,
    ) as exc:
        name = template.name or ""
        raise TemplateError(f"{_template_line(exc, name)}: {exc}") from None
    except RecursionError as exc:
        name = template.name or ""
        raise TemplateError(
            f"{_template_line(exc, name)}: calls itself too deeply (a macro or include loop?)"
        ) from None


#: The kinds of address a link in a letter may lead to: the web, mail and the telephone.
LINK_SCHEMES = ("https:", "http:", "mailto:", "tel:")


def _check_links(blocks: list[Block], template_name: str) -> None:
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


def _mastheads(blocks: list[Block]) -> list[Block]:
    """Join an address and the reference block that follows it into the letter's masthead."""
    joined: list[Block] = []
    for block in blocks:
        previous = joined[-1] if joined else None
        if isinstance(block, ReferenceBlock) and isinstance(previous, Address):
            joined[-1] = Masthead(previous, block)
        else:
            joined.append(block)
    return joined


def template_frame(exc: BaseException) -> tuple[Path, int] | None:
    """Find the template file and line a rendering error came from, if it came from one."""
    for frame in reversed(traceback.extract_tb(exc.__traceback__)):
        if frame.filename.endswith(".j2"):
            return Path(frame.filename), frame.lineno or 0
    return None


def _template_line(exc: BaseException, template_name: str) -> str:
    """Name the template file and line a rendering error came from."""
    found = template_frame(exc)
    return str(Location(*found)) if found else f"templates/{template_name}"


def _split_front_matter(text: str, template_name: str) -> tuple[dict[str, str], str]:
    """Read the `key: value` lines between the opening `---` lines."""
    match = _FRONT_MATTER.match(text)
    if not match:
        return {}, text
    meta = {}
    for line in match.group(1).splitlines():
        if not line.strip():
            continue
        key, sep, value = line.partition(":")
        if not sep:
            raise TemplateError(
                f"templates/{template_name}: front matter line {line!r} is not 'name: value'"
            )
        name = key.strip()
        if name not in FRONT_MATTER:
            hint = did_you_mean(name, FRONT_MATTER)
            raise TemplateError(
                f"templates/{template_name}: the front matter names {name!r}{hint}; it may name "
                + ", ".join(FRONT_MATTER)
            )
        meta[name] = _plain(value.strip())
    if not meta.get("title"):
        raise TemplateError(f"templates/{template_name}: the front matter needs a title")
    label = re.sub(r"\{pages?\}", "", meta.get("page_label", ""))
    if "{" in label or "}" in label:
        raise TemplateError(
            f"templates/{template_name}: the page label {meta['page_label']!r} may name "
            "{page} and {pages} only"
        )
    return meta, text[match.end() :]


_MARKDOWN = (
    MarkdownIt("commonmark", {"html": False, "typographer": False}).disable("image").enable("table")
)
for _name in CONTAINERS:
    _MARKDOWN.use(container_plugin, _name)


def _plain(markdown: str) -> str:
    """Return the text of one line of Markdown, escapes resolved."""
    tokens = _MARKDOWN.parseInline(markdown)
    return "".join(_spans_text(_inline(tokens[0].children or []))) if tokens else ""


def _spans_text(content: Inline) -> list[str]:
    """List the texts of some spans."""
    return [span.text for span in content]


def parse_blocks(markdown: str, template_name: str = "") -> list[Block]:
    """Turn Markdown with the letter's containers into document blocks."""
    tokens = _MARKDOWN.parse(markdown)
    blocks: list[Block] = []
    container = ""
    held: list[list[str]] = []  # a container's paragraphs, as lines, until it closes
    i = 0
    while i < len(tokens):
        token = tokens[i]
        kind = token.type
        if kind.startswith("container_") and kind.endswith("_open"):
            container = kind[len("container_") : -len("_open")]
            if container == "annex":
                blocks.append(Section("annex", new_page=True))
                container = ""
        elif kind.startswith("container_") and kind.endswith("_close"):
            if container:
                blocks.append(_furniture(container, held, template_name))
            container, held = "", []
        elif kind == "heading_open":
            blocks.append(Heading(int(token.tag[1]), _inline(tokens[i + 1].children or [])))
            i += 2
        elif kind == "paragraph_open":
            children = tokens[i + 1].children or []
            if container:
                text = "".join(_spans_text(_inline(children, softbreak="\n")))
                held.append([line.strip() for line in text.split("\n")])
            else:
                blocks.append(Paragraph(_inline(children)))
            i += 2
        elif kind == "bullet_list_open":
            items, i = _list_items(tokens, i)
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
    _check_links(blocks, template_name)
    return _mastheads(blocks)


def _furniture(container: str, paragraphs: list[list[str]], template_name: str) -> Block:
    """Build an address, reference block or signature from its container's paragraphs."""
    lines = [line for paragraph in paragraphs for line in paragraph]
    if container == "address":
        return Address(tuple(lines))
    if container == "signature":
        if len(paragraphs) < 2:
            raise TemplateError(
                f"templates/{template_name}: a signature is a closing ('Yours sincerely'), a blank "
                "line, then the name and title"
            )
        after = tuple(line for paragraph in paragraphs[2:] for line in paragraph)
        return Signature(" ".join(paragraphs[0]), tuple(paragraphs[1]), after)
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


def _list_items(tokens: list[Token], i: int) -> tuple[tuple[Inline, ...], int]:
    """Collect a bullet list's items; return them and the index of its closing token."""
    items: list[Inline] = []
    depth = 0
    while True:
        token = tokens[i]
        if token.type == "bullet_list_open":
            depth += 1
        elif token.type == "bullet_list_close":
            depth -= 1
            if depth == 0:
                return tuple(items), i
        elif token.type == "inline":
            items.append(_inline(token.children or []))
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
