"""Each report kind's findings read right in English for any number and mix (hypothesis)."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from conftest import COUNT_WORDS, ROOT
from letters.build.build import compose
from letters.build.project import Project
from letters.compose.document import Heading, text_lines


@pytest.fixture(scope="module")
def project_root(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("findings-project")
    shutil.copytree(ROOT / "templates", root / "templates")
    for folder in ("offices", "reference"):
        shutil.copytree(ROOT / "data" / folder, root / "data" / folder)
    return root


def _letter(
    kind: str, findings: list[dict[str, str]], grades: dict[str, str] | None = None
) -> dict[str, object]:
    return {
        "office": "offices/lancashire-pcc.yaml",
        "recipient": {
            "name": "A Person",
            "title": "Home Secretary",
            "address": ["Home Office", "2 Marsham Street", "London", "SW1P 4DF"],
        },
        "letter": {"date": "2024-03-01"},
        "force": {"name": "Lancashire Constabulary", "chief_officer": "Chief Constable"},
        "report": {
            "inspectorate": "HMICFRS",
            "title": "A report",
            "kind": kind,
            "published": "2024-02-01",
            "grades": grades or {},
            "findings": findings,
        },
    }


def _lines(root: Path, letter: dict[str, object]) -> list[str]:
    path = root / "data" / "letter.yaml"
    path.write_text(yaml.safe_dump(letter, sort_keys=False), encoding="utf-8")
    return text_lines(compose(path, Project(root)))


recommendation_sets = st.lists(
    st.sampled_from(["chief constables", "the Home Office", "police and crime commissioners"]),
    min_size=1,
    max_size=12,
)


@pytest.mark.slow
@settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(recommendation_sets, st.sampled_from(["thematic", "spotlight", "joint"]))
def test_a_thematic_response_counts_its_recommendations(
    project_root: Path, addressed: list[str], kind: str
) -> None:
    findings = [
        {
            "kind": "recommendation",
            "number": str(n),
            "addressed_to": to,
            "text": f"Recommendation text {n}.",
            "response": f"Response {n}.",
        }
        for n, to in enumerate(addressed, start=1)
    ]
    lines = _lines(project_root, _letter(kind, findings))
    total, chiefs = len(addressed), addressed.count("chief constables")
    sentence = next(line for line in lines if line.startswith("The report makes "))
    noun = f"{COUNT_WORDS[total]} {'recommendation' if total == 1 else 'recommendations'}"
    if chiefs == 0:
        assert sentence.startswith(f"The report makes {noun}. Below I set out")
    elif chiefs == total:
        assert sentence.startswith(f"The report makes {noun}, all of them for chief constables.")
    else:
        which = "which is" if chiefs == 1 else "which are"
        assert sentence.startswith(
            f"The report makes {noun}, {COUNT_WORDS[chiefs]} of {which} for chief constables."
        )
    assert [line for line in lines if line.startswith("Response: ")] == [
        f"Response: Response {n}." for n in range(1, total + 1)
    ]


@pytest.mark.slow
@settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(st.integers(0, 3), st.integers(0, 8), st.integers(0, 2))
def test_a_peel_response_reads_right_for_any_mix_of_findings(
    project_root: Path, causes: int, afis: int, practice: int
) -> None:
    findings: list[dict[str, str]] = []
    for c in range(1, causes + 1):
        findings.append({"kind": "cause of concern", "number": str(c), "text": f"Concern {c}."})
        findings.append(
            {
                "kind": "recommendation",
                "number": str(c),
                "cause": str(c),
                "text": f"Do {c}.",
                "response": f"Done {c}.",
            }
        )
    findings += [
        {"kind": "area for improvement", "text": f"Improve {a}.", "response": f"Improving {a}."}
        for a in range(1, afis + 1)
    ]
    findings += [
        {"kind": "promising practice", "text": f"Practice {p}."} for p in range(1, practice + 1)
    ]
    letter = _letter(
        "peel-2023", findings, {"preventing crime": "good", "investigating crime": "adequate"}
    )
    path = project_root / "data" / "letter.yaml"
    path.write_text(yaml.safe_dump(letter, sort_keys=False), encoding="utf-8")
    document = compose(path, Project(project_root))
    lines = text_lines(document)
    headings = [block for block in document.blocks if isinstance(block, Heading)]
    assert ("Causes of concern" in lines) == bool(causes)
    if causes:
        noun = "cause of concern" if causes == 1 else "causes of concern"
        their = "its" if causes == 1 else "their"
        assert (
            f"The inspectors raised {COUNT_WORDS[causes]} {noun}."
            f" I set out below the response to each of {their} recommendations." in lines
        )
        assert sum(1 for h in headings if h.level == 3) == causes
    if afis == 0:  # none listed and no count given: the letter says nothing of them
        assert "Areas for improvement" not in lines
        assert not any("no areas for improvement" in line for line in lines)
    elif afis <= 3:
        noun = "area for improvement" if afis == 1 else "areas for improvement"
        assert f"The report sets out {COUNT_WORDS[afis]} {noun}:" in lines
        assert all(f"Improve {a}. Response: Improving {a}." in lines for a in range(1, afis + 1))
    else:
        assert any(
            line.startswith(
                f"The report sets out {COUNT_WORDS[afis]} areas for improvement. The annex lists"
                " each"
            )
            for line in lines
        )
        assert "Areas for improvement and planned activity" in lines
    assert ("Practice worth sharing" in lines) == bool(practice)
    assert ("The inspectors found practice worth sharing:" in lines) == bool(practice)
    assert all(f"Practice {p}." in lines for p in range(1, practice + 1))
    assert (
        # two of the framework's areas, and no count of the report's: not the whole list
        "The grades the inspectors gave Lancashire Constabulary include 'good' at preventing"
        " crime and 'adequate' at investigating crime." in lines
    )
