"""A made-up report kind, added as a newcomer would add one, builds, checks and starts letters.

A copy of the project (its templates, reference lists and offices) is given only what a new
kind needs: an entry in data/reference/frameworks.yaml and a wording template under
templates/letters/; no Python changes. A letter of the kind is then built through the library
and through `letters build`, and read back from the DOCX, the PDF and the HTML page.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import jsonschema
import pytest
import yaml

from conftest import ROOT, output_texts, position, run_in
from letters.build.build import build_letter
from letters.build.project import Project

NAME = "durham-2025-custody"
DATA = f"data/{NAME}.yaml"

#: The kind's entry, appended to data/reference/frameworks.yaml: one area, three grades.
ENTRY = """
custody-2026:
  # Made up for tests/test_new_kind.py: no such inspection exists.
  name: custody review
  statute: Police Act 1996
  template: custody
  area_noun: area
  preposition: in
  every_area_graded: true
  areas: [detention conditions]
  grades: [sound, patchy, wanting]
  years: {first: 2024-01-01}
  sources:
    - https://www.justiceinspectorates.gov.uk/
"""

#: The kind's wording: templates/letters/custody.md.j2, its sections named as the others name
#: theirs, the address, recommendations and sign-off from templates/common/.
TEMPLATE = """\
{#- The response to a custody review: one area graded, each recommendation answered. Each
    `:::: section NAME` is a standard section a letter may leave out, replace or move. -#}
---
title: Response to the {{ report.inspectorate }} report {{ report.title }}
subject: The {{ office.signatory.title }}'s comments on the {{ facts.framework.name }} of \
{{ force.name }}
keywords: {{ report.inspectorate }}, {{ facts.framework.name }}, {{ force.name }}, section 55
language: en-GB
page_label: Page {page} of {pages}
draft_label: DRAFT
---
:::: section masthead
{% include "common/front.md.j2" %}
::::
:::: section subject
# Response to the {{ facts.framework.name }} of {{ force.name }}
::::
:::: section opening
I write in response to the {{ report.inspectorate }} report *{{ report.title }}*, published on \
{{ facts.report_published }}. The reviewers visited every cell at night, unannounced.
::::
:::: section grades
The inspectors graded {{ force.name }} {{ facts.grades_by_area }}.

::::
:::: section body
{% for paragraph in facts.body %}
{{ paragraph }}
{% endfor %}
::::
:::: section recommendations
{% for a in facts.findings.loose_answers %}
{% include "common/recommendation.md.j2" %}
{% endfor %}
::::
:::: section closing
I will ask the {{ force.chief_officer }} to report the next review's findings to me.
::::
:::: section sign-off
{% include "common/sign-off.md.j2" %}
::::
"""

#: A draft letter of the kind, as its writer would fill in `letters new`'s skeleton.
LETTER = """\
office: offices/durham-pcvc.yaml

recipient:
  honorific: Rt Hon
  name: Yvette Cooper
  post_nominals: MP
  title: Home Secretary
  address: [Home Office, 2 Marsham Street, London, SW1P 4DF]

letter:
  date: 2025-03-20

force:
  name: Durham Constabulary
  chief_officer: Chief Constable

report:
  inspectorate: HMICFRS
  title: A custody review of Durham Constabulary
  kind: custody-2026
  published: 2025-03-03
  grades:
    detention conditions: patchy
  findings:
    - kind: recommendation
      number: "1"
      addressed_to: the chief constable
      text: The force should check each detained person's welfare every hour.
      response: The custody system now records each hourly check.

paragraphs:
  body:
    - The custody suite at Peterlee reopened in January.

status: {state: draft}
"""

#: What the letter must say, in every format: the grade and area in the framework's words
#: (with its own preposition), and a sentence only the new template has.
SAID = (
    "Response to the custody review of Durham Constabulary",
    "The inspectors graded Durham Constabulary 'patchy' in detention conditions.",
    "The reviewers visited every cell at night, unannounced.",
    "Recommendation 1 (to the chief constable): The force should check each detained person's"
    " welfare every hour. Response: The custody system now records each hourly check.",
    "I will ask the Chief Constable to report the next review's findings to me.",
)


def _project(root: Path, *, entry: bool = True) -> Path:
    """Copy the project's templates, reference lists and offices; add the kind and a letter."""
    for part in ("templates", "data/reference", "data/offices"):
        shutil.copytree(ROOT / part, root / part)
    if entry:
        frameworks = root / "data" / "reference" / "frameworks.yaml"
        frameworks.write_text(frameworks.read_text(encoding="utf-8") + ENTRY, encoding="utf-8")
    (root / "templates" / "letters" / "custody.md.j2").write_text(TEMPLATE, encoding="utf-8")
    (root / DATA).write_text(LETTER, encoding="utf-8")
    return root


@pytest.fixture(scope="module")
def project_with_kind(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Copy the project, teach it the custody review and give it a letter answering one."""
    return _project(tmp_path_factory.mktemp("new-kind"))


def _reads_as_said(paths: list[Path]) -> None:
    """Assert the DOCX, the PDF and the HTML page each say every sentence in SAID."""
    texts = output_texts(paths)
    assert sorted(texts) == ["docx", "html", "pdf"]
    for form, text in texts.items():
        for sentence in SAID:
            assert sentence in text, (form, sentence)


def test_the_library_builds_a_letter_of_the_new_kind(project_with_kind: Path) -> None:
    root = project_with_kind
    built = build_letter(root / DATA, root / "library", project=Project(root))
    assert built.warnings == ()
    assert sorted(path.name for path in built.paths) == [
        f"{NAME}.docx", f"{NAME}.html", f"{NAME}.pdf", f"{NAME}.public.pdf",
    ]  # fmt: skip
    _reads_as_said(list(built.paths))


def test_letters_check_and_build_take_the_new_kind(
    project_with_kind: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = project_with_kind
    status, out, err = run_in(root, monkeypatch, "check", "--strict", DATA)
    assert (status, err) == (0, "")
    assert out == (  # the 56 days are counted, as the kind's statute is the Police Act 1996
        f"{DATA}:{position(root / DATA, '2025-03-20')}: note: letter.date: section 55 deadline"
        " met: comments published 20 March 2025 (the letter's date); the 56 days from the"
        " report's publication on 3 March 2025 end on 27 April 2025 (38 days to spare)\n"
        f"{DATA}: ok: 0 errors, 0 warnings, 1 note\n"
    )
    status, out, err = run_in(root, monkeypatch, "build", "--strict", DATA, "--out", "cli")
    assert (status, err) == (0, "")
    assert out.splitlines() == [
        f"wrote cli/{NAME}.docx", f"wrote cli/{NAME}.html", f"wrote cli/{NAME}.pdf",
        f"wrote cli/{NAME}.public.pdf",
    ]  # fmt: skip
    _reads_as_said(sorted((root / "cli").iterdir()))


def test_letters_new_starts_a_letter_of_the_new_kind(
    project_with_kind: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = project_with_kind
    status, out, err = run_in(
        root, monkeypatch,
        "new", "cleveland-2026-custody", "--kind", "custody-2026",
        "--office", "offices/durham-pcvc.yaml",
    )  # fmt: skip
    assert (status, err) == (0, "")
    assert out.startswith("wrote data/cleveland-2026-custody.yaml")
    text = (root / "data" / "cleveland-2026-custody.yaml").read_text(encoding="utf-8")
    assert text.startswith(
        "# yaml-language-server: $schema=letter.schema.json\n# A new custody review letter."
    )
    assert (
        '  kind: "custody-2026"\n'
        '  published: ""            # YYYY-MM-DD: the 56 days begin on this day\n'
        "  # url: https://...       # its page on the inspectorate's website (letters site)\n"
        "  # Grades: sound, patchy, wanting\n"
        "  grades:\n"
        '    detention conditions: ""\n'
    ) in text
    status, out, err = run_in(root, monkeypatch, "check", "data/cleveland-2026-custody.yaml")
    assert (status, out) == (1, "data/cleveland-2026-custody.yaml: fails: 6 errors\n")
    blanks = [line for line in text.splitlines() if ': ""' in line.split("#")[0]]  # not the sample
    assert len(err.splitlines()) == len(blanks) == 6
    assert err.splitlines()[-1] == (
        "data/cleveland-2026-custody.yaml:28:27: report.grades.detention conditions:"
        " must not be empty"
    )


def test_the_schema_learns_the_new_kind_from_its_entry(
    project_with_kind: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """`letters schema` (make schema) knows the kind; the shipped schema, made before, does not."""
    letter = yaml.load(LETTER, Loader=yaml.BaseLoader)  # as an editor reads it: text throughout
    status, out, _ = run_in(project_with_kind, monkeypatch, "schema")
    assert status == 0
    jsonschema.validate(letter, json.loads(out))
    shipped = json.loads((ROOT / "data" / "letter.schema.json").read_text(encoding="utf-8"))
    with pytest.raises(jsonschema.ValidationError, match="'custody-2026' is not one of"):
        jsonschema.validate(letter, shipped)


def test_without_its_entry_a_letter_of_the_kind_is_refused_by_name(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = _project(tmp_path, entry=False)
    status, out, err = run_in(root, monkeypatch, "build", DATA, "--out", "cli")
    assert (status, out) == (1, "")
    assert err.startswith(
        f"{DATA}:{position(root / DATA, 'custody-2026')}: report.kind: 'custody-2026' is not a"
        " report kind of data/reference/frameworks.yaml; expected annual-assessment, "
        "force-inspection, hmic-thematic, integrated-peel-2018, "
    )
    assert len(err.splitlines()) == 1 and "Traceback" not in err
    assert not (root / "cli").exists()
