"""Templates see plain data only, and data cannot end the web page's <style> element."""

from __future__ import annotations

from pathlib import Path

import pytest

from conftest import DEFAULT_LETTER, SLOWDOWN, edit_yaml
from letters.build.build import build_letter, compose
from letters.build.project import Project
from letters.source.errors import TemplateError

#: Known ways out of Jinja's sandbox through the objects a template is handed.
ESCAPES = [
    "{{ office.parse_raw('x', proto='pickle', allow_pickle=True) }}",
    "{{ office.parse_file('/etc/passwd') }}",
    "{{ office.model_dump() }}",
    "{{ letter.model_copy() }}",
    "{{ facts.framework.rank('good') }}",
    "{{ facts.__class__.__init__.__globals__ }}",
    "{{ ''.__class__.__mro__[1].__subclasses__() }}",
    "{{ cycler.__init__.__globals__ }}",
    "{{ self._TemplateReference__context }}",
    "{{ '{0.__class__.__init__.__globals__}'.format(office) }}",
]


def _insert(template: Path, anchor: str, line: str) -> int:
    """Put a line before `anchor` in a template; return its line number."""
    text = template.read_text(encoding="utf-8")
    assert anchor in text
    template.write_text(text.replace(anchor, f"{line}\n\n{anchor}", 1), encoding="utf-8")
    return template.read_text(encoding="utf-8").splitlines().index(line) + 1


@pytest.mark.parametrize("escape", ESCAPES)
def test_a_letter_template_cannot_reach_methods_or_internals(scratch: Path, escape: str) -> None:
    template = scratch / "templates" / "letters" / "integrated-peel-2018.md.j2"
    line = _insert(template, "{% for paragraph in facts.body %}", escape)
    with pytest.raises(TemplateError) as caught:
        compose(scratch / "data" / DEFAULT_LETTER.name, Project(scratch))
    assert str(caught.value).startswith(f"{template}:{line}: ")


@pytest.mark.parametrize(
    "escape",
    [
        "{{ style.parse_raw('x', proto='pickle', allow_pickle=True) }}",
        "{{ style.parse_file('/etc/passwd') }}",
        "{{ style.model_dump() }}",
        "{{ style.file('house-style.yaml') }}",
        "{{ style.__class__.__mro__ }}",
    ],
)
def test_the_house_style_css_cannot_reach_methods_or_internals(scratch: Path, escape: str) -> None:
    css = scratch / "templates" / "house-style.css.j2"
    line = _insert(css, ":root {", f"/* {escape} */")
    with pytest.raises(TemplateError) as caught:
        build_letter(
            scratch / "data" / DEFAULT_LETTER.name, scratch / "out", ("html",), Project(scratch)
        )
    assert str(caught.value).startswith(f"templates/house-style.css.j2:{line}: ")
    assert not (scratch / "out").exists()


def test_a_marking_cannot_close_the_style_element(scratch: Path) -> None:
    data = scratch / "data" / DEFAULT_LETTER.name
    edit_yaml(data, "status:\n", "marking: '</style><script>alert(1)</script><style>'\nstatus:\n")
    built = build_letter(data, scratch / "out", ("html",), Project(scratch))
    html = built.paths[0].read_text(encoding="utf-8")
    style = html[html.index("<style>") + len("<style>") : html.index("</style>")]
    assert "<" not in style
    assert '@top-center { content: "\\3c /style\\3e \\3c script\\3e alert(1)' in style
    assert html.count("<script") == 0
    assert "&lt;/style&gt;&lt;script&gt;alert(1)&lt;/script&gt;&lt;style&gt;" in html


def test_an_office_address_cannot_close_the_style_element(scratch: Path) -> None:
    office = scratch / "data" / "offices" / "lancashire-pcc.yaml"
    edit_yaml(office, "  - County Hall\n", "  - County Hall</style><script>alert(2)</script>\n")
    built = build_letter(
        scratch / "data" / DEFAULT_LETTER.name, scratch / "out", ("html",), Project(scratch)
    )
    html = built.paths[0].read_text(encoding="utf-8")
    assert "<" not in html[html.index("<style>") + len("<style>") : html.index("</style>")]
    assert html.count("<script") == 0


def test_a_house_style_value_that_is_not_plain_cannot_reach_the_css(scratch: Path) -> None:
    style = scratch / "templates" / "house-style.yaml"
    edit_yaml(style, "  pdf: Liberation Sans ", '  pdf: "Liberation Sans\\"; } body { x: y" ')
    with pytest.raises(TemplateError) as caught:
        build_letter(
            scratch / "data" / DEFAULT_LETTER.name, scratch / "out", ("html",), Project(scratch)
        )
    assert "cannot go into the CSS: a house-style value holds letters, digits, spaces" in str(
        caught.value
    )


@pytest.mark.parametrize(
    ("line", "message"),
    [
        ("{{ range(10**9) | list }}", "Range too big"),
        ("{{ 'x' * 10**9 }}", "repeating a text or list 1000000000 times makes it too long"),
        ("{{ [1] * 10**7 }}", "repeating a text or list 10000000 times makes it too long"),
        ("{{ 9**(9**9) }}", "9 ** 387420489 is too large a number for a letter"),
        (
            "{% macro f() %}{{ f() }}{% endmacro %}{{ f() }}",
            "calls itself too deeply (a macro or include loop?)",
        ),
    ],
    ids=["huge range", "huge text", "huge list", "huge power", "recursion"],
)
def test_a_template_cannot_make_huge_values_or_recurse(
    scratch: Path, line: str, message: str
) -> None:
    template = scratch / "templates" / "letters" / "integrated-peel-2018.md.j2"
    at = _insert(template, "{% for paragraph in facts.body %}", line)
    with pytest.raises(TemplateError) as caught:
        compose(scratch / "data" / DEFAULT_LETTER.name, Project(scratch))
    assert str(caught.value).startswith(f"{template}:{at}: ")
    assert message in str(caught.value)


def test_a_template_that_runs_too_long_is_stopped(
    scratch: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import select
    import time
    from types import SimpleNamespace

    import letters.compose.sandbox

    monkeypatch.setattr(letters.compose.sandbox, "CPU_SECONDS", 1)
    # A render also has a wall-clock budget, twice its CPU time (2 s here), which a busy machine
    # reaches first, giving the render a small share of a core. This test is about the CPU limit:
    # the sandbox's clock and its wait run slow here (10 times SLOWDOWN), out of its way.
    stretch = 10 * SLOWDOWN
    slow = SimpleNamespace(
        monotonic=lambda: time.monotonic() / stretch,
        select=lambda read, write, error, wait: select.select(read, write, error, wait * stretch),
    )
    monkeypatch.setattr(letters.compose.sandbox, "time", slow)
    monkeypatch.setattr(letters.compose.sandbox, "select", slow)
    template = scratch / "templates" / "letters" / "integrated-peel-2018.md.j2"
    loops = "{% for i in range(100000) %}{% for j in range(100000) %}{% endfor %}{% endfor %}"
    _insert(template, "{% for paragraph in facts.body %}", loops)
    with pytest.raises(TemplateError) as caught:
        compose(scratch / "data" / DEFAULT_LETTER.name, Project(scratch))
    assert str(caught.value) == (
        "templates/letters/integrated-peel-2018.md.j2: used more than 1 s of CPU to render"
    )


def test_a_template_that_takes_too_much_memory_is_stopped(
    scratch: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import letters.compose.sandbox

    monkeypatch.setattr(letters.compose.sandbox, "MEMORY_BYTES", 100 * 2**20)
    template = scratch / "templates" / "letters" / "integrated-peel-2018.md.j2"
    grow = (
        "{% set ns = namespace(s='x' * 50000) %}{% for i in range(40) %}"
        "{% set ns.s = ns.s ~ ns.s %}{% endfor %}"
    )
    _insert(template, "{% for paragraph in facts.body %}", grow)
    with pytest.raises(TemplateError) as caught:
        compose(scratch / "data" / DEFAULT_LETTER.name, Project(scratch))
    assert str(caught.value) == (
        "templates/letters/integrated-peel-2018.md.j2: used more than 100 MB to render"
    )


def test_the_css_template_is_bounded_too(scratch: Path) -> None:
    css = scratch / "templates" / "house-style.css.j2"
    line = _insert(css, ":root {", "/* {{ 'x' * 10**9 }} */")
    with pytest.raises(TemplateError) as caught:
        build_letter(
            scratch / "data" / DEFAULT_LETTER.name, scratch / "out", ("html",), Project(scratch)
        )
    assert str(caught.value) == (
        f"templates/house-style.css.j2:{line}: repeating a text or list 1000000000 times makes "
        "it too long"
    )


def test_no_letter_sees_what_a_template_kept_while_rendering_another(scratch: Path) -> None:
    # an imported template's module is cached by Jinja: what a render stores in it must die
    # with that render, or one letter's data would reach the next letter of a batch
    (scratch / "templates" / "common" / "kept.md.j2").write_text(
        '{% set ns = namespace(n=0, seen="") %}{% set c = cycler("c1", "c2") %}',
        encoding="utf-8",
    )
    template = scratch / "templates" / "letters" / "integrated-peel-2018.md.j2"
    _insert(
        template,
        "{% for paragraph in facts.body %}",
        '{% import "common/kept.md.j2" as kept %}{% set ns = kept.ns %}{% set ns.n = ns.n + 1 %}'
        '{% set ns.seen = ns.seen ~ "|" ~ force.name %}KEPT[{{ ns.n }} {{ kept.c.next() }}'
        " {{ ns.seen }}]",
    )
    project = Project(scratch)
    letter = scratch / "data" / DEFAULT_LETTER.name
    for _ in range(3):
        texts = [
            "".join(span.text for span in block.content)
            for block in compose(letter, project).blocks
            if hasattr(block, "content") and isinstance(block.content, tuple)
        ]
        assert "KEPT[1 c1 |Lancashire Constabulary]" in texts
