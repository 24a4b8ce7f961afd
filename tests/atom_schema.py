"""Check an Atom document against RFC 4287: tests/schemas/atom.rng, then the rules it cannot say.

The RELAX NG grammar decides whether the document's structure and values are valid. libxml2
explains an interleave's failure poorly ("Invalid sequence in interleave"), so when the grammar
rejects a document the commonest causes are named here instead (a missing or repeated element,
an element the Atom namespace does not have, a date or id of the wrong form, a link without
href, a text construct of the wrong shape); libxml2's own messages are given only where none of
these is found. The rules beyond a grammar's reach are checked on every well-formed feed or
entry document, valid to the grammar or not.
"""

from __future__ import annotations

import base64
import binascii
import datetime as dt
import functools
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from lxml import etree

ATOM = "http://www.w3.org/2005/Atom"
XHTML = "http://www.w3.org/1999/xhtml"
SCHEMA = Path(__file__).resolve().parent / "schemas" / "atom.rng"
_RNG = "http://relaxng.org/ns/structure/1.0"
_XML = "{http://www.w3.org/XML/1998/namespace}"

#: RFC 4287 4.2.7.2: an absent rel means "alternate", and the IANA IRI is the same relation.
_ALTERNATE = {"alternate", "http://www.iana.org/assignments/relation/alternate"}

_TEXT_CONSTRUCTS = {"title", "subtitle", "rights", "summary"}
_FEED_METADATA = {"id", "title", "updated", "subtitle", "rights", "generator", "icon", "logo"}
_LISTS = {"link", "category", "author", "contributor"}

#: Per Atom element that holds Atom elements: what it needs once, may have once, and may repeat.
_CHILDREN: dict[str, tuple[set[str], set[str], set[str]]] = {
    "feed": ({"id", "title", "updated"}, _FEED_METADATA, _LISTS | {"entry"}),
    "source": (set(), _FEED_METADATA, _LISTS),
    "entry": (
        {"id", "title", "updated"},
        {"id", "title", "updated", "published", "summary", "content", "rights", "source"},
        _LISTS,
    ),
    "author": ({"name"}, {"name", "uri", "email"}, set()),
    "contributor": ({"name"}, {"name", "uri", "email"}, set()),
}


@functools.cache
def _schema() -> Any:
    return etree.RelaxNG(etree.parse(str(SCHEMA), _parser()))


@functools.cache
def _pattern(define: str) -> re.Pattern[str]:
    """Read a value pattern from the grammar, so the explanation and the schema agree."""
    found = etree.parse(str(SCHEMA), _parser()).xpath(
        "//r:define[@name=$name]//r:param[@name='pattern']", namespaces={"r": _RNG}, name=define
    )
    # The grammar's patterns are XML Schema regular expressions that Python reads the same way.
    return re.compile(found[0].text)


def _parser() -> Any:
    return etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False, huge_tree=False)


def atom_problems(data: bytes) -> list[str]:
    """Return what keeps an Atom feed or entry document from being valid; [] when it is."""
    try:
        root = etree.fromstring(data, _parser())
    except etree.XMLSyntaxError as exc:
        # The message ends with the line and column again: the line leads it here.
        said = re.sub(r", line \d+, column \d+$", "", exc.msg)
        return [f"line {exc.lineno}: not well-formed XML: {said}"]
    entities = [
        f"{_at(reference.getparent())}: the entity reference {reference.text} is left unread;"
        " no DTD is loaded, so write the character itself"
        for reference in root.iter(etree.Entity)
    ]
    if entities:
        return entities
    problems = _schema_problems(root)
    if root.tag in (_atom("feed"), _atom("entry")):
        problems += _rule_problems(root)
    return problems


# --- The grammar, and why it said no ---------------------------------------------------------


def _schema_problems(root: Any) -> list[str]:
    schema = _schema()
    if schema.validate(root.getroottree()):
        return []
    explained = list(_explain(root))
    if explained:
        return explained
    errors = list(schema.error_log)
    # An element that fails makes each of its ancestors fail too: say those only if alone.
    causes = [error for error in errors if error.type_name not in _ECHOES] or errors
    return [_reworded(error, root) for error in causes]


#: libxml2's errors that repeat, one level up, an error already given.
_ECHOES = {
    "RELAXNG_ERR_CONTENTVALID",
    "RELAXNG_ERR_INTERSEQ",
    "RELAXNG_ERR_INTEREXTRA",
    "RELAXNG_ERR_ATTRVALID",
    "RELAXNG_ERR_EXTRACONTENT",
    # Missing required elements are named by _explain; libxml2 says this of others when lost.
    "RELAXNG_ERR_NOELEM",
}


def _reworded(error: Any, root: Any) -> str:
    """Locate one of libxml2's messages by the element it names, and quote a refused value."""
    found = root.getroottree().xpath(error.path) if error.path else []
    if not found:
        return f"line {error.line}: {error.message} (schema)"
    element = found[0]
    message = error.message
    refused = re.fullmatch(r"Invalid attribute (\S+) for element \S+", message)
    if refused:
        name = refused.group(1)
        value = element.get(name)
        if value is None:
            value = element.get(_XML + name)  # libxml2 names xml:lang "lang"
        if value is not None:
            message += f": {value!r} is not allowed there"
    elif error.type_name == "RELAXNG_ERR_DATATYPE":
        message = f"{_name(element)} {element.text!r} is not of the form RFC 4287 asks for"
    return f"{_at(element)}: {message} (schema)"


def _explain(root: Any) -> Iterator[str]:
    if root.tag not in (_atom("feed"), _atom("entry")):
        yield f"{_at(root)}: the document element must be atom:feed or atom:entry"
        return
    yield from _explain_element(root)


def _explain_element(element: Any) -> Iterator[str]:
    name = _local(element)
    if name in _CHILDREN:
        yield from _explain_children(element, *_CHILDREN[name])
    if name in _TEXT_CONSTRUCTS:
        yield from _explain_text(element, element.get("type"))
    elif name == "content" and element.get("src") is None:
        if element.get("type") in (None, "text", "html", "xhtml"):
            yield from _explain_text(element, element.get("type"))
    elif name == "link" and element.get("href") is None:
        yield f"{_at(element)}: atom:link has no href attribute; RFC 4287 4.2.7.1 requires one"
    elif name == "category" and element.get("term") is None:
        yield f"{_at(element)}: atom:category has no term attribute; RFC 4287 4.2.2.1 requires one"
    elif name == "id":
        yield from _explain_value(
            element,
            "absolute-iri",
            "an absolute IRI: a scheme and a colon first, as https: or urn:",
        )
    elif name in ("updated", "published"):
        yield from _explain_value(
            element,
            "rfc3339-date-time",
            "an RFC 3339 date-time with a time zone, as 2024-03-01T10:00:00Z or"
            " 2024-03-01T10:00:00+01:00",
        )


def _explain_children(
    element: Any, needed: set[str], once: set[str], repeated: set[str]
) -> Iterator[str]:
    name = _local(element)
    seen: dict[str, int] = {}
    entry_seen = False
    for child in _elements(element):
        if child.tag == _atom("entry"):
            entry_seen = True
        elif entry_seen:
            yield (
                f"{_at(child)}: follows an atom:entry; RFC 4287 4.1.1 puts a feed's metadata"
                " (extensions too) before its entries"
            )
        if not child.tag.startswith("{" + ATOM + "}"):
            continue
        child_name = _local(child)
        if child_name not in once | repeated:
            yield f"{_at(child)}: atom:{name} has no child element atom:{child_name} in RFC 4287"
            continue
        seen[child_name] = seen.get(child_name, 0) + 1
        if child_name in once and seen[child_name] == 2:
            yield f"{_at(child)}: atom:{name} has more than one atom:{child_name}; it may have one"
        yield from _explain_element(child)
    for missing in sorted(needed - set(seen)):
        yield f"{_at(element)}: atom:{name} has no atom:{missing}; it needs exactly one"


def _explain_text(element: Any, kind: str | None) -> Iterator[str]:
    name = _local(element)
    children = list(_elements(element))
    if kind in (None, "text", "html"):
        if children:
            yield (
                f"{_at(children[0])}: atom:{name} of type {kind or 'text'} holds an element;"
                " markup belongs escaped in type html, or in one xhtml:div in type xhtml"
            )
    elif kind == "xhtml":
        around = (element.text or "") + "".join(child.tail or "" for child in children)
        if len(children) != 1 or children[0].tag != f"{{{XHTML}}}div" or around.strip():
            yield (
                f"{_at(element)}: atom:{name} of type xhtml must hold exactly one xhtml:div"
                " and nothing else (RFC 4287 3.1.1.3)"
            )
    elif name != "content":
        yield f"{_at(element)}: atom:{name} has type {kind!r}; expected text, html or xhtml"


def _explain_value(element: Any, define: str, expected: str) -> Iterator[str]:
    value = element.text or ""
    if list(_elements(element)) or not _pattern(define).fullmatch(value):
        yield f"{_at(element)}: atom:{_local(element)} {value!r} is not {expected}"


# --- Rules a grammar cannot say --------------------------------------------------------------


def _rule_problems(root: Any) -> list[str]:
    problems: list[str] = []
    entries = [root] if root.tag == _atom("entry") else _children(root, "entry")
    feed_has_author = root.tag == _atom("feed") and bool(_children(root, "author"))
    if root.tag == _atom("feed"):
        problems += _duplicate_alternates(root)
    first_entry_with_id: dict[str, Any] = {}
    for entry in entries:
        problems += _duplicate_alternates(entry)
        problems += _entry_author(entry, feed_has_author)
        problems += _entry_content(entry)
        problems += _calendar_dates(entry)
        # Stricter than RFC 4287 4.1.1, which lets entries share an id as versions of one entry:
        # a publication feed lists each response once, in its latest version.
        for id_element in _children(entry, "id")[:1]:
            value = id_element.text or ""
            if value in first_entry_with_id:
                earlier = first_entry_with_id[value].sourceline
                problems.append(
                    f"{_at(entry)}: atom:entry has the id {value!r} of the entry on line"
                    f" {earlier}; each entry of the feed must have its own id"
                )
            else:
                first_entry_with_id[value] = entry
    if root.tag == _atom("feed"):
        problems += _calendar_dates(root)
    return problems


def _duplicate_alternates(element: Any) -> list[str]:
    """RFC 4287 4.1.1 and 4.1.2: one alternate link per combination of type and hreflang."""
    problems = []
    first: dict[tuple[str | None, str | None], Any] = {}
    for link in _children(element, "link"):
        if link.get("rel", "alternate") not in _ALTERNATE:
            continue
        key = (link.get("type"), link.get("hreflang"))
        if key in first:
            problems.append(
                f"{_at(link)}: a second alternate atom:link with type {key[0]!r} and hreflang"
                f" {key[1]!r} (the first is on line {first[key].sourceline}); RFC 4287 allows one"
            )
        else:
            first[key] = link
    return problems


def _entry_author(entry: Any, feed_has_author: bool) -> list[str]:
    """RFC 4287 4.1.2: an author of the entry's own, or of its source, or of the feed."""
    sources = _children(entry, "source")
    if _children(entry, "author") or feed_has_author:
        return []
    if sources and _children(sources[0], "author"):
        return []
    if entry.getparent() is not None:
        elsewhere = "the feed nor the entry's atom:source"
    else:
        elsewhere = "the entry's atom:source"
    return [
        f"{_at(entry)}: atom:entry has no atom:author, and neither has {elsewhere};"
        " RFC 4287 4.1.2 requires one"
    ]


def _entry_content(entry: Any) -> list[str]:
    """RFC 4287 4.1.2 and 4.1.3: what an entry needs beside its content, and base64 content."""
    contents = _children(entry, "content")
    has_summary = bool(_children(entry, "summary"))
    if not contents:
        # RFC 4287 4.1.2 asks for the alternate link here; a summary does not stand in for it.
        alternates = [
            link for link in _children(entry, "link") if link.get("rel", "alternate") in _ALTERNATE
        ]
        if alternates:
            return []
        return [
            f"{_at(entry)}: atom:entry has no atom:content and no alternate atom:link;"
            " RFC 4287 4.1.2 requires the link where there is no content"
        ]
    content = contents[0]
    kind = content.get("type")
    if content.get("src") is not None:
        if has_summary:
            return []
        return [
            f"{_at(entry)}: atom:entry's atom:content refers out by src, and the entry has no"
            " atom:summary; RFC 4287 4.1.2 requires one"
        ]
    if kind is None or kind in ("text", "html", "xhtml") or _is_text_or_xml(kind):
        return []
    problems = []
    try:
        base64.b64decode("".join((content.text or "").split()), validate=True)
    except binascii.Error:
        problems.append(
            f"{_at(content)}: atom:content of type {kind} is not base64; RFC 4287 4.1.3.3"
            " asks for base64 where the type is neither text/* nor XML"
        )
    if not has_summary:
        problems.append(
            f"{_at(entry)}: atom:entry's atom:content is base64 ({kind}), and the entry has no"
            " atom:summary; RFC 4287 4.1.2 requires one"
        )
    return problems


def _is_text_or_xml(media_type: str) -> bool:
    essence = media_type.split(";")[0].strip().lower()
    return essence.startswith("text/") or essence.endswith(("/xml", "+xml"))


def _calendar_dates(element: Any) -> list[str]:
    """RFC 3339 5.7: a date the pattern lets through must still be on the calendar."""
    problems = []
    dates = [*_children(element, "updated"), *_children(element, "published")]
    for source in _children(element, "source"):
        dates += _children(source, "updated")
    for date in dates:
        value = date.text or ""
        if not _pattern("rfc3339-date-time").fullmatch(value):
            continue  # the schema has said so
        try:
            dt.date(int(value[0:4]), int(value[5:7]), int(value[8:10]))
        except ValueError:
            problems.append(f"{_at(date)}: atom:{_local(date)} {value!r} is not a calendar date")
    return problems


# --- Naming places ---------------------------------------------------------------------------


def _atom(name: str) -> str:
    return f"{{{ATOM}}}{name}"


def _local(element: Any) -> str:
    return str(etree.QName(element).localname)


def _elements(element: Any) -> Iterator[Any]:
    """Yield the element's child elements (not comments, processing instructions or entities)."""
    return (child for child in element if isinstance(child.tag, str))


def _children(element: Any, name: str) -> list[Any]:
    return [child for child in _elements(element) if child.tag == _atom(name)]


def _at(element: Any) -> str:
    """Name an element by its line and its path from the document element, as feed/entry[2]/id."""
    steps = []
    node = element
    while node is not None:
        step = _name(node).removeprefix("atom:")
        parent = node.getparent()
        if parent is not None:
            same = [child for child in _elements(parent) if child.tag == node.tag]
            if len(same) > 1:
                step += f"[{same.index(node) + 1}]"
        steps.append(step)
        node = parent
    return f"line {element.sourceline}: {'/'.join(reversed(steps))}"


def _name(element: Any) -> str:
    """Name an element as atom:title, xhtml:div, its own prefix's name, or {namespace}name."""
    qname = etree.QName(element)
    if qname.namespace == ATOM:
        return f"atom:{qname.localname}"
    if qname.namespace == XHTML:
        return f"xhtml:{qname.localname}"
    if element.prefix:
        return f"{element.prefix}:{qname.localname}"
    return str(qname.text)
