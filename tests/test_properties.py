"""Any letter the model accepts renders in every format, with the same text in each."""

from __future__ import annotations

import datetime as dt
import shutil

import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from conftest import ROOT, docx_lines, normalise
from letters.build import compose, render
from letters.document import text_lines
from letters.frameworks import frameworks_of
from letters.project import Project

PEEL = frameworks_of(ROOT)["integrated-peel-2018"]
# Printable text of any script, as office staff might paste it; no surrogates or control characters.
text = st.text(st.characters(exclude_categories=("Cs", "Cc", "Co", "Cn", "Zl", "Zp")), min_size=1, max_size=60).filter(lambda s: s.strip())
own_text = text.filter(lambda s: "{" not in s and "}" not in s)
days = st.dates(dt.date(2017, 5, 2), dt.date(2030, 12, 31))


@st.composite
def letters(draw: st.DrawFn) -> dict[str, object]:
    published = draw(days)
    return {
        "office": "offices/lancashire-pcc.yaml",
        "recipient": {"honorific": draw(st.sampled_from(["", "Rt Hon"])), "name": draw(text), "title": draw(text),
                      "address": draw(st.lists(text, min_size=1, max_size=5))},
        "letter": {"date": (published + dt.timedelta(days=draw(st.integers(0, 55)))).isoformat(), "our_ref": draw(st.sampled_from(["", "PCC/1"]))},
        "force": {"name": draw(text), "chief_officer": draw(st.sampled_from(["Chief Constable", "Commissioner"]))},
        "report": {
            "inspectorate": "HMICFRS", "title": draw(text), "kind": PEEL.kind, "published": published.isoformat(),
            "period": draw(st.sampled_from(["2018/2019", "2018/19"])),
            "grades": {area: draw(st.sampled_from(PEEL.grades)) for area in PEEL.areas},
            "areas_for_improvement": draw(st.lists(text, max_size=4)),
        },
        "target_grade": draw(st.sampled_from([*PEEL.grades, None])),
        "paragraphs": {"body": draw(st.lists(own_text, max_size=3)), "planned_activity": draw(st.lists(own_text, max_size=2))},
    }


@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(letters())
def test_any_valid_letter_renders_in_every_format(tmp_path_factory, letter: dict[str, object]) -> None:  # type: ignore[no-untyped-def]
    root = tmp_path_factory.mktemp("project")
    shutil.copytree(ROOT / "templates", root / "templates")
    shutil.copytree(ROOT / "data" / "offices", root / "data" / "offices")
    shutil.copytree(ROOT / "data" / "reference", root / "data" / "reference")
    path = root / "data" / "letter.yaml"
    path.write_text(yaml.safe_dump(letter, allow_unicode=True, sort_keys=False), encoding="utf-8")
    project = Project(root)
    document = compose(path, project)
    files, _ = render(document, project, ("docx", "pdf", "html"))
    assert files["pdf"].startswith(b"%PDF") and files["docx"].startswith(b"PK") and b"</html>" in files["html"]
    docx_path = root / "letter.docx"
    docx_path.write_bytes(files["docx"])
    assert docx_lines(docx_path) == [normalise(line) for line in text_lines(document, bullet="- ") if normalise(line)]
    for afi in letter["report"]["areas_for_improvement"]:  # type: ignore[index]
        assert normalise(afi) in text_lines(document)

