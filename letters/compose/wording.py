"""Render a letter's wording templates with its facts into one `Document`.

Templates are Markdown inside Jinja. Every value from the data is escaped for
Markdown before it reaches the page, so data can never add emphasis, links or
structure; only template text can. The letter's own text (its paragraphs, in a
small Markdown) is read on its own and put where the template prints it. The
markup the templates use is described in `letters.compose.markdown`; the letter's
sections are arranged as its data says (`letters.compose.sections`).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import functools
import hashlib
import json
import marshal
import os
import re
import sys
import traceback
import weakref
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from types import CodeType, SimpleNamespace
from typing import Any

import jinja2
import pydantic
from jinja2.loaders import split_template_path

from ..source import english, kept, welsh
from ..source.errors import InputError, Location, TemplateError, did_you_mean
from ..source.inputs import TEMPLATE, read_input
from ..source.load import FieldPath
from ..source.model import LONG_WORD, LONGEST_WORD
from ..source.names import refuse_hidden
from .document import Block, Origin, block_lines
from .markdown import OwnText, escape_markdown, join_mastheads, own_mark, parse_blocks, plain_line
from .origins import DataOrigins, Sourced, TemplateLines, anchored, has_marks, marked, unmarked
from .sandbox import BoundedEnvironment, at_render_time, run_bounded
from .sections import SectionPlan, arrange

#: What a template's front matter may set.
FRONT_MATTER = ("title", "subject", "keywords", "language", "page_label", "draft_label")
_FRONT_MATTER = re.compile(r"\A---\n(.*?)\n---\n", re.S)


def finalize_markdown(value: object) -> str:
    """Print a value in a template: the letter's own text where it goes, any other as written.

    A string from the letter's data prints between markers naming its place (`origins`).
    """
    if isinstance(value, OwnText):
        return own_mark(value.key)
    printed = escape_markdown(value)
    return marked(value, printed) if isinstance(value, Sourced) and printed else printed


def template_data(value: object, sourced: Callable[[str], str] | None = None) -> Any:
    """Turn a value into plain data for a template: namespaces of fields, tuples, text, numbers.

    Templates are edited by office staff, so they never see a live object: a pydantic
    model's methods (`parse_raw`, `parse_file`, `model_*`) reach parsing, files and pickle,
    and a dataclass's methods are code. Only fields are kept; anything else is refused.
    `sourced` turns each string into one that knows its place in the data, if it has one.
    """
    if isinstance(value, str) and sourced is not None and not isinstance(value, OwnText):
        return sourced(value)  # the letter's own text is anchored where it is read
    if value is None or isinstance(value, str | bool | int | float | Decimal | dt.date):
        return value
    if isinstance(value, pydantic.BaseModel):
        names = list(type(value).model_fields)
    elif dataclasses.is_dataclass(value) and not isinstance(value, type):
        names = [field.name for field in dataclasses.fields(value)]
    else:
        names = []
    if names:
        fields = {name: template_data(getattr(value, name), sourced) for name in names}
        kind = type(value)
        return _namespace_like(kind.__name__, kind.__module__)(**fields)
    if isinstance(value, list | tuple):
        return tuple(template_data(item, sourced) for item in value)
    if isinstance(value, Mapping):
        return {str(key): template_data(item, sourced) for key, item in value.items()}
    raise TypeError(f"{type(value).__name__} is not plain data a template may see")


#: The longest template, and the longest text a render may give: far above any letter's.
MAX_TEMPLATE = 200_000
MAX_RENDERED = 300_000


class _InsideLoader(jinja2.BaseLoader):
    """Load templates from templates/ through `inputs.read_input`, none from elsewhere."""

    def __init__(self, folder: Path):
        self.folder = folder
        #: The project: templates/ lies directly in it.
        self.root = folder.parent

    def get_source(
        self, environment: jinja2.Environment, template: str
    ) -> tuple[str, str, Callable[[], bool]]:
        """Return a template's source, if its file really lies inside the templates folder.

        A hidden file (`names.hidden`) is no template: it is no input of a letter. Nothing
        is read from a file refused for where it leads, what it is or how large it is.
        """
        refuse_hidden(template, "template")
        path = self.folder.joinpath(*split_template_path(template))
        if not path.exists():
            raise jinja2.TemplateNotFound(template)
        if not path.resolve().is_relative_to(self.folder.resolve()):
            raise TemplateError(f"templates/{template} is a link to a file outside templates/")
        modified = _modified(path)
        try:
            data = read_input(path, self.root, TEMPLATE)
        except InputError as exc:
            raise TemplateError(f"templates/{template}: {exc.reason}") from None
        try:
            source = data.decode("utf-8")
        except UnicodeDecodeError as exc:
            raise TemplateError(
                f"templates/{template}: the file is not UTF-8 text (byte {exc.start + 1} cannot "
                "be decoded); save it as UTF-8"
            ) from None
        if has_marks(source):
            found = next(c for c in source if has_marks(c))
            raise TemplateError(
                f"templates/{template}: holds U+{ord(found):04X}, a noncharacter that letters "
                "keeps for itself; delete it"
            )
        if len(source) > MAX_TEMPLATE:
            raise TemplateError(
                f"templates/{template} is {len(source):,} characters; a template holds at most "
                f"{MAX_TEMPLATE:,}"
            )

        return source, str(path), lambda: modified is not None and _modified(path) == modified


def _modified(path: Path) -> int | None:
    """Return when a file was last changed, or None if it cannot be looked at."""
    try:
        return os.stat(path).st_mtime_ns
    except OSError:
        return None


@functools.cache
def _namespace_like(name: str, module: str) -> type[SimpleNamespace]:
    """Make a plain namespace class named as a model class, so messages name what a value is."""
    return type(name, (SimpleNamespace,), {"__module__": module, "__slots__": ()})


#: How a template names the values it is given, by their kind: 'facts has no ...'.
_TEMPLATE_NAMES = {
    "LetterFacts": "facts",
    "LetterInfo": "letter",
    "Report": "report",
    "Force": "force",
    "Office": "office",
    "Recipient": "recipient",
    "Status": "status",
    "Finding": "the finding",
    "Answer": "the answer",
    "Totals": "facts.totals",
    "Findings": "facts.findings",
}


class PlainUndefined(jinja2.StrictUndefined):
    """A name a template uses that does not exist, said in plain words with a did-you-mean.

    Jinja says "'letters.source.model.Force object' has no attribute 'cheif_officer'"; this says
    "force has no 'cheif_officer' (did you mean 'chief_officer'?); it has name and
    chief_officer".
    """

    __slots__ = ()

    @property
    def _undefined_message(self) -> str:
        """Say what is missing, where, and what there is instead."""
        name = str(self._undefined_name)
        owner = self._undefined_obj
        if owner is jinja2.utils.missing:
            return f"the template names {name!r}, which is not a fact of the letter"
        fields = (
            [
                field
                for field in (list(owner) if isinstance(owner, dict) else list(vars(owner)))
                if not str(field).startswith("_")
            ]
            if isinstance(owner, dict | SimpleNamespace)
            else []
        )
        kind = type(owner).__name__
        what = (
            _TEMPLATE_NAMES.get(kind, kind) if isinstance(owner, SimpleNamespace) else "this value"
        )
        if isinstance(owner, dict):
            what = "this table"
        hint = did_you_mean(name, [str(f) for f in fields])
        # a very long list helps less than the nearest name
        listed = fields and not (hint and len(fields) > 16)
        has = f"; it has {english.join_words([str(f) for f in fields])}" if listed else ""
        return f"{what} has no {name!r}{hint}{has}"


def make_environment(
    templates: Path,
    finalize: Callable[[Any], Any] = finalize_markdown,
    words_up_to: int = english.WORDS_UP_TO,
) -> jinja2.Environment:
    """Make a Jinja environment for templates/: sandboxed, strict about undefined names.

    Every template (the letters' wording and the house style's CSS) is rendered by an
    environment from here; `finalize` escapes each printed value for where it lands.
    `number_word` and `count_words` write counts in words up to `words_up_to`.
    """
    env = BoundedEnvironment(
        loader=_InsideLoader(templates),
        # No constant folding: a filter on literals would otherwise run while the template
        # compiles, outside the render's time and memory budget.
        optimized=False,
        undefined=PlainUndefined,
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
        nobreak=english.nobreak,
        number_word=functools.partial(english.number_word, words_up_to=words_up_to),
        plural=english.plural,
        count_noun=english.count_noun,
        count_words=functools.partial(english.count_words, words_up_to=words_up_to),
        cy_count=welsh.cy_count,
        cy_number=welsh.cy_number,
        cy_join=welsh.cy_join,
        cy_date=welsh.cy_date,
        yn=welsh.yn,
        soft=welsh.soft,
    )
    env.filters.update({name: at_render_time(f) for name, f in env.filters.items()})
    env.tests.update({name: at_render_time(test) for name, test in env.tests.items()})
    env.bytecode_cache = _KeptCode(templates.parent, _compiling(env))
    return env


def _compiling(env: jinja2.Environment) -> bytes | None:
    """Say what decides the code Jinja compiles a template to, and the names it includes.

    The environment's class and settings, Jinja's version and the letters modules that set
    them up (`kept.versions`): compiled by any other, a template's code is not the one kept.
    """
    sandbox = sys.modules[BoundedEnvironment.__module__]
    made_by = kept.versions(jinja2, sys.modules[__name__], sandbox)
    if made_by is None:
        return None
    finalize = env.finalize
    settings = (
        type(env).__module__,
        type(env).__qualname__,
        env.block_start_string,
        env.block_end_string,
        env.variable_start_string,
        env.variable_end_string,
        env.comment_start_string,
        env.comment_end_string,
        env.line_statement_prefix,
        env.line_comment_prefix,
        env.trim_blocks,
        env.lstrip_blocks,
        env.newline_sequence,
        env.keep_trailing_newline,
        env.optimized,
        env.is_async,
        repr(env.autoescape) if not callable(env.autoescape) else _named(env.autoescape),
        _named(finalize) if finalize is not None else None,
        sorted(env.extensions),
        sorted(getattr(env, "intercepted_binops", ())),
        sorted(getattr(env, "intercepted_unops", ())),
    )
    return made_by + repr(settings).encode("utf-8")


def _named(function: Callable[..., Any]) -> str:
    """Name a function by its module and qualified name."""
    return f"{getattr(function, '__module__', '')}.{getattr(function, '__qualname__', function)}"


class _KeptCode(jinja2.BytecodeCache):
    """Jinja's compiled templates, kept between runs under `.letters-cache/made/`.

    Each is kept by its template's name and file, with the SHA-256 of the source it was
    compiled from; it is used only if its tag holds (`kept.read`) and that source is the
    template's now. Its code is read (marshal) only then; otherwise the template is compiled
    again and the entry replaced.
    """

    def __init__(self, root: Path, compiling: bytes | None) -> None:
        self.root, self.compiling = root, compiling

    def get_source_checksum(self, source: str) -> str:
        """Digest a template's source: SHA-256, as every digest in letters."""
        return hashlib.sha256(source.encode("utf-8")).hexdigest()

    def _entry(self, bucket: jinja2.bccache.Bucket) -> str | None:
        return kept.entry_name("template", self.compiling, [bucket.key])

    def load_bytecode(self, bucket: jinja2.bccache.Bucket) -> None:
        """Give the bucket the code kept for its template, if kept from the same source."""
        content = kept.read(self.root, self._entry(bucket))
        checksum = bucket.checksum.encode("ascii")
        if content is None or not content.startswith(checksum):
            return
        try:
            code = marshal.loads(content[len(checksum) :])
        except (ValueError, EOFError, TypeError):
            return
        if isinstance(code, CodeType):
            bucket.code = code

    def dump_bytecode(self, bucket: jinja2.bccache.Bucket) -> None:
        """Keep the code a template was just compiled to, with the digest of its source."""
        if bucket.code is not None:
            content = bucket.checksum.encode("ascii") + marshal.dumps(bucket.code)
            kept.write(self.root, self._entry(bucket), content)

    def clear(self) -> None:
        """Keep nothing more (Jinja's interface; entries are replaced, never cleared here)."""


def _referenced(env: jinja2.Environment, template_name: str, source: str) -> tuple[str, ...]:
    """Name the templates a template includes, imports or extends by a literal name.

    What is found in a source is kept (`kept`), by the source's digest: finding it means
    parsing the whole template.
    """
    from jinja2 import meta

    def find() -> tuple[str, ...]:
        found = meta.find_referenced_templates(env.parse(source, template_name))
        return tuple(name for name in found if name is not None)

    def load(content: bytes) -> tuple[str, ...]:
        names = json.loads(content)
        if not isinstance(names, list) or not all(isinstance(n, str) for n in names):
            raise ValueError("not a list of names")
        return tuple(names)

    cache = env.bytecode_cache
    compiling = cache.compiling if isinstance(cache, _KeptCode) else None
    digest = hashlib.sha256(source.encode("utf-8")).hexdigest()
    name = kept.entry_name("includes", compiling, [template_name, digest])
    root = cache.root if isinstance(cache, _KeptCode) else Path(".")
    return kept.kept_or_made(
        root, name, find, lambda names: json.dumps(list(names)).encode("utf-8"), load
    )


@dataclass(frozen=True)
class Wording:
    """A rendered template: its metadata fields and its blocks."""

    meta: dict[str, str]
    blocks: tuple[Block, ...]


def render_wording(
    env: jinja2.Environment,
    template_name: str,
    context: dict[str, Any],
    own: Mapping[str, str] | None = None,
    plan: SectionPlan | None = None,
    origins: Origins | None = None,
) -> Wording:
    """Render a template with the letter's facts and parse the result into blocks.

    The template is compiled here and run within the sandbox's time and memory budget.
    `own` holds the letter's own texts by key; `plan` arranges the template's sections.
    With `origins`, each paragraph is anchored to where its text comes from.
    """
    template = load_template(env, template_name)
    data = template_data(context, origins.data.sourced if origins else None)

    def render() -> str:
        # measured in the child: a text too long for a letter never reaches this process
        text = render_template(template, data)
        if len(text) > MAX_RENDERED:
            raise TemplateError(
                f"templates/{template_name} gives {len(text):,} characters; a letter is at "
                f"most {MAX_RENDERED:,}"
            )
        return text

    text = run_bounded(render, f"templates/{template_name}")
    meta, body = _split_front_matter(text, template_name)
    own_origin = origins.own if origins else None
    parts = parse_blocks(body, template_name, own, own_origin)
    blocks = join_mastheads(arrange(parts, plan or SectionPlan(), own_origin))
    if origins:
        # in name order: a set's order changes from process to process, and ties must not
        sources = {
            name: template_source(env, name) for name in sorted(templates_used(env, template_name))
        }
        blocks = anchored(blocks, origins.data, TemplateLines.of(sources))
    _refuse_long_words(tuple(blocks), template_name)
    return Wording(meta, tuple(blocks))


@dataclass(frozen=True)
class Origins:
    """Where the letter's text comes from: its data's strings, and its own texts' fields."""

    data: DataOrigins
    #: Each own text's field, by its key.
    own_fields: Mapping[str, FieldPath]

    def own(self, key: str, part: int) -> Origin:
        """Say where a paragraph of the letter's own text comes from: its field."""
        return self.data.field_origin(self.own_fields[key], part)


def _refuse_long_words(blocks: tuple[Block, ...], template_name: str) -> None:
    """Refuse a word too long for a line: laying one out takes time that grows as its square.

    The data's own words were measured when it was read, so a longer one is the template's,
    written so or made by joining values with no space between.
    """
    for line in block_lines(blocks):
        found = LONG_WORD.search(line)
        if found:
            word = found.group()
            raise TemplateError(
                f"templates/{template_name} prints a word of {len(word):,} characters with no "
                f"space ({word[:24]}...); a line holds at most {LONGEST_WORD}: put spaces in it, "
                "or between the values it joins"
            )


def template_source(env: jinja2.Environment, template_name: str) -> str:
    """Return a template's source text, naming it when there is no such template."""
    assert env.loader is not None
    try:
        return env.loader.get_source(env, template_name)[0]
    except jinja2.TemplateNotFound as exc:
        raise TemplateError(f"templates/{exc.name}: no such template") from None


def load_template(env: jinja2.Environment, template_name: str) -> jinja2.Template:
    """Compile a template and those it includes by name, naming the file and line of a fault.

    The included ones are compiled here, once, rather than in each render's child process,
    which would compile them again every time and forget them.
    """
    try:
        template = _compiled(env, template_name)
        _load_included(env, template_name, set())
        return template
    except jinja2.TemplateSyntaxError as exc:
        raise _syntax_error(env, exc, template_name) from None
    except jinja2.TemplateNotFound as exc:
        raise TemplateError(f"templates/{exc.name}: no such template") from None


def _syntax_error(
    env: jinja2.Environment, exc: jinja2.TemplateSyntaxError, template_name: str
) -> TemplateError:
    """Word a template's syntax error at its file and line (where a block opened, if unclosed)."""
    name = exc.name or template_name
    opened = _unclosed(env, exc.source or "", name) if exc.source else None
    if opened and "Unexpected end of template" in (exc.message or ""):
        tag, line = opened
        return TemplateError(
            f"templates/{name}:{line}: the {{% {tag} %}} opened here is never closed; close "
            f"it with {{% end{tag} %}}"
        )
    return TemplateError(f"templates/{name}:{exc.lineno}: template syntax error: {exc.message}")


#: The templates each compiled template names in an include, import or extends.
_REFERENCED: weakref.WeakKeyDictionary[jinja2.Template, tuple[str, ...]] = (
    weakref.WeakKeyDictionary()
)


def templates_used(env: jinja2.Environment, template_name: str) -> set[str]:
    """Name a wording template and every template it includes, imports or extends by name."""
    seen: set[str] = set()
    _load_included(env, template_name, seen)
    return seen


def _load_included(env: jinja2.Environment, template_name: str, seen: set[str]) -> None:
    """Compile every template a template includes, imports or extends by a literal name."""
    seen.add(template_name)
    template = _compiled(env, template_name)
    if template not in _REFERENCED:  # found once for each compiled version of the template
        source = template_source(env, template_name)
        _REFERENCED[template] = _referenced(env, template_name, source)
    for name in _REFERENCED[template]:
        if name not in seen:
            try:
                _load_included(env, name, seen)
            except jinja2.TemplateNotFound:  # the render says so, where it is included
                seen.add(name)


def _compiled(env: jinja2.Environment, name: str) -> jinja2.Template:
    """Compile a template, naming it if it nests too deep to compile.

    Jinja reads nested expressions and blocks by recursion, and Python compiles the code it
    writes with limits of its own: a template nesting some dozens of levels (80 brackets,
    say) stops one or the other.
    """
    try:
        return env.get_template(name)
    except (RecursionError, MemoryError, SyntaxError) as exc:
        if isinstance(exc, jinja2.TemplateSyntaxError):
            raise
        raise TemplateError(
            f"templates/{name}: its brackets or blocks lie too deep within one another (some "
            "dozens of levels) to be read; write it more simply"
        ) from None


#: The Jinja tags that open a block a matching end tag must close.
_BLOCK_TAGS = ("if", "for", "macro", "call", "filter", "with", "block", "raw", "autoescape")


def _unclosed(env: jinja2.Environment, source: str, name: str) -> tuple[str, int] | None:
    """Find the innermost block tag that a template opens and never closes, and its line."""
    stack: list[tuple[str, int]] = []
    expecting_name = False
    try:
        for line, kind, value in env.lex(source, name):
            if kind == "block_begin":
                expecting_name = True
            elif expecting_name and kind == "name":
                expecting_name = False
                if value in _BLOCK_TAGS:
                    stack.append((value, line))
                elif value.startswith("end") and stack and stack[-1][0] == value[3:]:
                    stack.pop()
                elif value == "set":  # {% set x %}...{% endset %} opens a block; {% set x = %} not
                    stack.append(("set?", line))
            elif kind == "block_end" and stack and stack[-1][0] == "set?":
                stack[-1] = ("set", stack[-1][1])  # a block {% set x %} ... {% endset %}
            elif kind == "operator" and value == "=" and stack and stack[-1][0] == "set?":
                stack.pop()
            elif kind not in ("whitespace",):
                expecting_name = False
    except jinja2.TemplateSyntaxError:
        return None
    return stack[-1] if stack else None


def render_template(template: jinja2.Template, data: dict[str, Any]) -> str:
    """Render a compiled template, turning what it does wrong into a message at its line."""
    try:
        return template.render(data)
    except jinja2.TemplateNotFound as exc:
        raise TemplateError(f"templates/{exc.name}: no such template") from None
    except jinja2.TemplateSyntaxError as exc:  # a template included by a name made as it runs
        raise _syntax_error(template.environment, exc, template.name or "") from None
    except jinja2.TemplateRuntimeError as exc:
        message = str(exc)
        missing = re.match(r"No (filter|test) named '(.+?)'", message)
        if missing:
            kind, name = missing.groups()
            known = sorted(template.environment.filters if kind == "filter" else
                            template.environment.tests)  # fmt: skip
            message = (
                f"no {kind} named {name!r}{did_you_mean(name, known)}; the {kind}s are "
                + ", ".join(known)
            )
        raise TemplateError(f"{_template_line(exc, template.name or '')}: {message}") from None
    except jinja2.UndefinedError as exc:
        message = str(exc)
        unknown = re.match(r"the template names '(.+)', which", message)
        if unknown:
            names = sorted(name for name in data if not name.startswith("_"))
            message += f"{did_you_mean(unknown.group(1), names)}; the facts are {', '.join(names)}"
        raise TemplateError(f"{_template_line(exc, template.name or '')}: {message}") from None
    except (
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
    if not match:  # without a title the PDF, the DOCX and the page would have none
        raise TemplateError(
            f"templates/{template_name}: the template starts with no front matter; begin it "
            "with the lines '---', 'title: ...' and '---' (see templates/README.md)"
        )
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
        meta[name] = plain_line(unmarked(value).strip())
    if not meta.get("title"):
        raise TemplateError(f"templates/{template_name}: the front matter needs a title")
    label = re.sub(r"\{pages?\}", "", meta.get("page_label", ""))
    if "{" in label or "}" in label:
        raise TemplateError(
            f"templates/{template_name}: the page label {meta['page_label']!r} may name "
            "{page} and {pages} only"
        )
    return meta, text[match.end() :]
