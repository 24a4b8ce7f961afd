"""Any mutation of the real data files is a letter or a message: never a traceback (hypothesis).

The project's own data files are changed structurally (keys dropped, types changed, odd
Unicode, numbers and dates, lists emptied or repeated), then checked and built through the
command line: the answer is exit 0 or 1, a failure names the file, and nothing is a traceback
or an internal error, in bounded time.
"""

from __future__ import annotations

import shutil
import time
from pathlib import Path
from typing import Any

import pytest
import yaml
from click.testing import CliRunner
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from conftest import ROOT, copy_of_project
from letters.cli import main

LETTERS = sorted(
    [ROOT / "data" / "lancashire-2020-peel.yaml", *(ROOT / "data" / "examples").glob("*.yaml")]
)

ODD_TEXT = [
    "",
    " ",
    "0",
    "-1",
    "1e400",
    "nan",
    "inf",
    "0x1F",
    "١٢٣",
    "0000-00-00",
    "2020-02-30",
    "1899-12-31",
    "9999-12-31",
    "2020-13-01",
    "yes",
    "~",
    "\u202egnirts",
    "a\u0000b",
    "e\u0301\u0301\u0301",
    "\U0001f600 \u0627\u0644 \u4e2d",
    "x" * 25_000,
    "{savings.amount} {nope} {{",
    "<script>alert(1)</script>",
]
odd_values = st.one_of(
    st.sampled_from(ODD_TEXT),
    st.text(alphabet=st.characters(blacklist_categories=["Cs"]), max_size=40),
    st.lists(st.sampled_from(ODD_TEXT[:8]), max_size=3),
    st.dictionaries(
        st.sampled_from(["a", "kind", "text"]), st.sampled_from(ODD_TEXT[:8]), max_size=2
    ),
    st.none(),
)


def _paths(tree: Any, prefix: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    """List every path into a tree of mappings and lists."""
    found = [prefix] if prefix else []
    if isinstance(tree, dict):
        for key, value in tree.items():
            found += _paths(value, (*prefix, key))
    elif isinstance(tree, list):
        for index, value in enumerate(tree):
            found += _paths(value, (*prefix, index))
    return found


def _mutate(tree: Any, data: st.DataObject) -> Any:
    """Apply one structural change at a path hypothesis draws."""
    paths = _paths(tree)
    path = data.draw(st.sampled_from(paths))
    parent: Any = tree
    for part in path[:-1]:
        parent = parent[part]
    key = path[-1]
    how = data.draw(
        st.sampled_from(["drop", "replace", "replace", "text", "text", "empty", "repeat"])
    )
    if how == "drop":
        del parent[key]
    elif how == "replace":
        parent[key] = data.draw(odd_values)
    elif how == "text":  # the same value with odd text around it: it may well still be valid
        parent[key] = f"{data.draw(st.sampled_from(ODD_TEXT[14:]))} {parent[key]}"
    elif how == "empty":
        parent[key] = (
            [] if isinstance(parent[key], list) else {} if isinstance(parent[key], dict) else ""
        )
    elif isinstance(parent[key], list):
        parent[key] = parent[key] * data.draw(st.sampled_from([2, 3, 200]))
    else:
        parent[key] = [parent[key], parent[key]]
    return tree


@pytest.fixture(scope="module")
def project(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("mutated")
    copy_of_project(root)
    return root


@pytest.mark.slow
@settings(
    max_examples=200,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
@given(data=st.data())
def test_any_mutation_checks_and_builds_or_is_a_message(project: Path, data: st.DataObject) -> None:
    original = data.draw(st.sampled_from(LETTERS))
    relative = original.relative_to(ROOT)
    target = project / relative
    office = project / "data" / "offices"
    shutil.copytree(ROOT / "data" / "offices", office, dirs_exist_ok=True)
    which = data.draw(st.sampled_from(["letter", "letter", "office"]))
    source = original
    if which == "office":
        tree = yaml.load(original.read_text(encoding="utf-8"), Loader=yaml.BaseLoader)
        source = office / Path(str(tree["office"])).name
        target.write_bytes(original.read_bytes())
    tree = yaml.load(source.read_text(encoding="utf-8"), Loader=yaml.BaseLoader)
    for _ in range(data.draw(st.integers(1, 3))):
        if _paths(tree):
            tree = _mutate(tree, data)
    written = target if which == "letter" else source
    written.write_text(yaml.safe_dump(tree, allow_unicode=True), encoding="utf-8")
    formats = data.draw(st.sampled_from(["docx,html"] * 4 + ["pdf,public-pdf"]))
    for args in (
        ["check", str(target)],
        ["build", str(target), "--out", str(project / "out"), "--format", formats],
    ):
        start = time.monotonic()
        result = CliRunner().invoke(main, args)
        event(f"{args[0]} exit {result.exit_code}")
        assert time.monotonic() - start < 30
        assert result.exit_code in (0, 1), (args, result.output, result.exception)
        assert "Traceback" not in result.output
        assert "internal error" not in result.output, result.output
        if result.exit_code == 1 and args[0] == "build":
            assert (
                relative.name in result.output
                or "office" in result.output
                or (written.name in result.output)
            ), result.output
