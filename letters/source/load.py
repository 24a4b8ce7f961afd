"""Read a YAML data file into a plain tree of text, keeping where each value came from."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Union

import yaml

from .errors import DataError, Location, Problem
from .inputs import DATA, Kind, read_input

FieldPath = tuple[str | int, ...]
Tree = Union[str, None, list["Tree"], dict[str, "Tree"]]  # noqa: UP007 (a recursive alias needs Union)

#: Tags a data file may carry; every scalar stays text until the model parses it.
_PLAIN_TAGS = {
    "tag:yaml.org,2002:" + name
    for name in ("str", "int", "float", "bool", "null", "timestamp", "seq", "map")
}
_NULL = "tag:yaml.org,2002:null"
#: The budget of a data file, checked while it is read: far above what any real letter needs
#: (the largest PEEL reports have a few dozen findings; a letter runs to a few pages). Its
#: size in bytes is bounded before it is read (`inputs.DATA_BYTES`).
MAX_DEPTH = 20
MAX_ITEMS = 500
MAX_TEXT = 20_000


@dataclass
class Source:
    """A loaded file: its tree and the location of every value and key in it."""

    path: Path
    tree: Tree
    locations: dict[FieldPath, Location] = field(default_factory=dict)
    key_locations: dict[FieldPath, Location] = field(default_factory=dict)

    def locate(self, path: FieldPath, *, key: bool = False) -> Location:
        """Find the nearest known location of a field path (the key itself if asked)."""
        table = self.key_locations if key else self.locations
        probe = tuple(path)
        while probe:
            if probe in table:
                return table[probe]
            if not key and probe in self.key_locations:
                return self.key_locations[probe]
            probe = probe[:-1]
        return self.locations.get((), Location(self.path))

    def problems(self, errors: Iterable[Mapping[str, Any]]) -> list[Problem]:
        """Place each of a validator's errors (pydantic's 'loc' and 'msg') at its line here."""
        return [
            Problem(self.locate(tuple(e["loc"])), str(e["msg"]), dotted(tuple(e["loc"])))
            for e in errors
        ]

    @property
    def files(self) -> list[Path]:
        """Every file this source was read from: the data file first, then those grafted in."""
        return list(dict.fromkeys([self.path, *(loc.path for loc in self.locations.values())]))

    def graft(self, at: FieldPath, other: Source) -> None:
        """Place another file's tree under a field path, keeping its own locations."""
        node: Any = self.tree
        for part in at[:-1]:
            node = node[part]
        node[at[-1]] = other.tree
        for table, theirs in (
            (self.locations, other.locations),
            (self.key_locations, other.key_locations),
        ):
            for sub, loc in theirs.items():
                table[at + sub] = loc


#: The YAML errors about a quote or bracket opened and never closed.
_UNCLOSED = re.compile(r"quoted scalar|flow sequence|flow mapping")


def yaml_in_plain_words(exc: yaml.MarkedYAMLError) -> str:
    """Say what a YAML syntax error means, in plain words, with a hint for the usual causes."""
    problem, context = exc.problem or "", exc.context or ""
    opened = f" (opened on line {exc.context_mark.line + 1})" if exc.context_mark else ""
    if "'\\t'" in problem or "\\t" in problem or "tab" in problem:
        return "a tab: YAML indents with spaces only; replace the tab with spaces"
    if "quoted scalar" in context:
        return "a quote opened here is never closed; close it at the end of the value"
    if "flow sequence" in context:
        return "a [ opened here is never closed with ]; or put text holding [ or ] in quotes"
    if "flow mapping" in context:
        return "a { opened here is never closed with }; or put text holding { or } in quotes"
    if "<stream end>" in problem:
        return (
            "the file ends in the middle of a value: a bracket or quote before here is not "
            "closed, or a field has nothing after its colon"
        )
    if "mapping values are not allowed" in problem:
        return (
            "a colon followed by a space inside a value: put the value in quotes if it holds "
            "': ' (title: \"Police performance: Getting a grip\"), or check this line's indent"
        )
    if "expected <block end>" in problem or "expected <block mapping start>" in problem:
        return (
            "this line is indented differently from the lines around it: a field lines up with "
            "the fields beside it, and a list item ('- ') with the other items of its list"
        )
    if "could not find expected ':'" in problem:
        return (
            f"a line{opened} that is not 'name: value': a colon is missing, or a quote or "
            "bracket on it is not closed"
        )
    if "found character" in problem and "cannot start any token" in problem:
        return f"{problem}: a value that starts with @ or ` must be in quotes"
    reason = problem or context or "not valid YAML"
    return f"not valid YAML here: {reason}"


def load_source(path: Path, root: Path, kind: Kind = DATA) -> Source:
    """Read a YAML file of the project at `root` as text-only values with their marks.

    The file is read through `inputs.read_input`, as an input of this `kind`.
    """
    problems: list[Problem] = []
    where = Location(path)
    raw = read_input(path, root, kind)
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise DataError(
            [
                Problem(
                    where,
                    f"the file is not UTF-8 text (byte {exc.start + 1} cannot be decoded); save it "
                    "as UTF-8",
                )
            ]
        ) from exc
    try:
        node = _compose(text)
    except RecursionError:
        raise DataError([Problem(where, _too_deep())]) from None
    except _AliasFound as exc:
        raise DataError(
            [
                Problem(
                    _at(path, exc.mark),
                    "anchors and aliases (&name, *name) are not allowed; write the value out",
                )
            ]
        ) from None
    except yaml.MarkedYAMLError as exc:
        # an unclosed quote or bracket is shown where it opened, not where the file ran out
        mark = (
            (exc.context_mark if _UNCLOSED.search(exc.context or "") else None)
            or exc.problem_mark
            or exc.context_mark
        )
        loc = _at(path, mark) if mark else where
        raise DataError([Problem(loc, yaml_in_plain_words(exc))]) from None
    except yaml.YAMLError as exc:
        raise DataError([Problem(where, "YAML error: " + " ".join(str(exc).split()))]) from None
    if node is None:
        raise DataError([Problem(where, "the file is empty; expected the fields of a letter")])
    source = Source(path, None)
    source.tree = _convert(node, (), source, problems, text)
    if not problems and not isinstance(source.tree, dict):
        problems.append(
            Problem(
                source.locate(()),
                "expected a mapping of field names to values at the top of the file",
            )
        )
    if problems:
        raise DataError(problems)
    return source


def _compose(text: str) -> yaml.Node | None:
    """Compose a file's nodes with libyaml where it can, else with PyYAML's own composer.

    libyaml is some twenty times faster. PyYAML's composer stops at the first alias and
    words the errors that yaml_in_plain_words explains, so a file libyaml finds a fault in,
    or in which it shares a node between two places (an alias), is composed again by it.
    """
    fast = getattr(yaml, "CSafeLoader", None)
    if fast is not None:
        try:
            node = yaml.compose(text, Loader=fast)
        except (yaml.YAMLError, RecursionError):
            node = None
        else:
            if not _shares_nodes(node):
                return node
    return yaml.compose(text, Loader=_Loader)


def _shares_nodes(node: yaml.Node | None) -> bool:
    """Say whether a composed tree reaches one node twice: the mark of an alias."""
    seen: set[int] = set()
    stack = [node] if node is not None else []
    while stack:
        current = stack.pop()
        if id(current) in seen:
            return True
        seen.add(id(current))
        if isinstance(current, yaml.SequenceNode):
            stack.extend(current.value)
        elif isinstance(current, yaml.MappingNode):
            stack.extend(item for pair in current.value for item in pair)
    return False


def _too_deep() -> str:
    """Say that the data nests too deeply."""
    return f"lists and mappings nest more than {MAX_DEPTH} deep; a letter's data needs far fewer"


class _AliasFound(Exception):
    """Raised by the loader at the first alias, with where it is."""

    def __init__(self, mark: Any):
        self.mark = mark


class _Loader(yaml.SafeLoader):
    """Compose nodes, stopping at the first alias: no shared nodes, no alias bombs."""

    def compose_node(self, parent: yaml.Node | None, index: object) -> yaml.Node | None:
        """Compose the next node, or raise _AliasFound at an alias."""
        if self.check_event(yaml.AliasEvent):
            event: yaml.Event = self.peek_event()  # type: ignore[no-untyped-call]
            raise _AliasFound(event.start_mark)
        return super().compose_node(parent, index)  # type: ignore[arg-type]


def _at(path: Path, mark: Any) -> Location:
    return Location(path, mark.line + 1, mark.column + 1)


def _convert(
    node: yaml.Node, path: FieldPath, source: Source, problems: list[Problem], text: str
) -> Tree:
    """Turn a composed YAML node into a tree of text, recording locations."""
    loc = _at(source.path, node.start_mark)
    source.locations[path] = loc
    if len(path) > MAX_DEPTH:
        problems.append(Problem(loc, _too_deep()))
        return None
    if isinstance(node, yaml.ScalarNode) and len(node.value) > MAX_TEXT:
        problems.append(
            Problem(
                loc,
                f"{len(node.value):,} characters; a value holds at most {MAX_TEXT:,}",
                dotted(path),
            )
        )
        return None
    if isinstance(node, yaml.SequenceNode | yaml.MappingNode) and len(node.value) > MAX_ITEMS:
        problems.append(
            Problem(
                loc,
                f"{len(node.value):,} entries; a list or mapping holds at most {MAX_ITEMS}",
                dotted(path),
            )
        )
        return None
    if node.tag not in _PLAIN_TAGS:
        tag = node.tag.replace("tag:yaml.org,2002:", "!!")
        problems.append(
            Problem(
                loc,
                f"the tag {tag!r} is not allowed; data files hold plain text, lists and mappings",
            )
        )
        return None
    if isinstance(node, yaml.ScalarNode):
        if node.tag == _NULL and not node.style:  # plain: None from PyYAML, '' from libyaml
            return None
        folded = node.style in (">", None, "")  # plain: None from PyYAML, "" from libyaml
        value = _unfold_list_items(node, text) if folded else str(node.value)
        # one spelling of each text: 'é' typed as one character or as 'e' and an accent
        return unicodedata.normalize("NFC", value)
    if isinstance(node, yaml.SequenceNode):
        return [
            _convert(item, path + (i,), source, problems, text) for i, item in enumerate(node.value)
        ]
    mapping: dict[str, Tree] = {}
    for key_node, value_node in node.value:
        key_loc = _at(source.path, key_node.start_mark)
        if not isinstance(key_node, yaml.ScalarNode):
            problems.append(Problem(key_loc, "a key must be a plain name"))
            continue
        key = unicodedata.normalize("NFC", str(key_node.value))
        if key in mapping:
            first = source.key_locations[path + (key,)]
            problems.append(
                Problem(
                    key_loc,
                    f"duplicate key {key!r} (first given on line {first.line})",
                    dotted(path + (key,)),
                )
            )
            continue
        source.key_locations[path + (key,)] = key_loc
        mapping[key] = _convert(value_node, path + (key,), source, problems, text)
    return mapping


#: A line that starts a Markdown list item: '- ', '* ', '+ ', or '1. ' (a number other than
#: 1 starts one only after another item, as in CommonMark: '2016. The force' does not).
_LIST_ITEM = re.compile(r"[-*+]\s|1[.)]\s")
_NEXT_ITEM = re.compile(r"[-*+]\s|\d{1,9}[.)]\s")


def _unfold_list_items(node: yaml.ScalarNode, text: str) -> str:
    """Read a folded (>) or plain scalar as written where its lines are Markdown list items.

    YAML folds every line break of `>` and of a plain scalar into a space, so two bullets
    written on two lines would print as one. A line that starts a list item keeps its line
    break; the rest of the scalar is folded as YAML folds it.
    """
    lines = text[node.start_mark.index : node.end_mark.index].split("\n")
    if node.style == ">":  # the first line holds the '>' and its indicators
        lines = lines[1:]
    out = ""
    in_list = broken = False
    for line in (line.strip() for line in lines):
        starts = bool((_NEXT_ITEM if in_list else _LIST_ITEM).match(line))
        if not line:  # a blank line ends the list or paragraph, as in Markdown
            out = out.rstrip("\n") + "\n\n" if out else out
        elif not out or out.endswith("\n"):
            out += line
        else:
            out += ("\n" if starts else " ") + line
            broken = broken or starts
        in_list = (in_list and bool(line)) or starts
    if not broken:  # no item after a line of its own: YAML's reading is the writer's
        return str(node.value)
    return out.strip("\n") + ("\n" if str(node.value).endswith("\n") else "")  # its chomping


def dotted(path: FieldPath) -> str:
    """Write a field path the way a user reads it: report.grades.efficiency, areas[2]."""
    text = ""
    for part in path:
        text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else part)
    return text
