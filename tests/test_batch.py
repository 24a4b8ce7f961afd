"""`build_many` and `check_many`: a batch built or checked by the library, without the CLI."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from conftest import edit_yaml
from letters.build.batch import Outcome, build_many, check_many
from letters.build.build import Built
from letters.build.project import Project
from letters.source.errors import DataError, LettersError

LETTER = "lancashire-2020-peel.yaml"
SPOTLIGHT = "west-yorkshire-2024-spotlight.yaml"
BILINGUAL = "dyfed-powys-2025-peel-bilingual.yaml"


def _letters(scratch: Path) -> list[Path]:
    """Three letters in the scratch project's data/: the default, a spotlight, a bilingual."""
    for name in (SPOTLIGHT, BILINGUAL):
        shutil.copy(scratch / "data" / "examples" / name, scratch / "data" / name)
        edit_yaml(scratch / "data" / name, "office: ../offices/", "office: offices/")
    return [scratch / "data" / name for name in (LETTER, SPOTLIGHT, BILINGUAL)]


def _bytes(folder: Path) -> dict[str, bytes]:
    return {path.name: path.read_bytes() for path in sorted(folder.iterdir())}


def test_a_batch_writes_the_same_files_with_workers_as_without(scratch: Path) -> None:
    paths = _letters(scratch)
    project = Project(scratch)
    seen: list[tuple[str, str]] = []

    def each(outcome: Outcome[Built]) -> None:
        seen.append((outcome.path.name, outcome.state))

    one = build_many(paths, scratch / "one", ("html", "pdf"), 1, project=project, each=each)
    two = build_many(paths, scratch / "two", ("html", "pdf"), 2, project=project)
    assert seen == [(LETTER, "done"), (SPOTLIGHT, "done"), (BILINGUAL, "done")]
    assert [o.state for o in two.outcomes] == ["done", "done", "done"]
    assert sorted(_bytes(scratch / "one")) == [
        "dyfed-powys-2025-peel-bilingual.cy.pdf",
        "dyfed-powys-2025-peel-bilingual.en.pdf",
        "dyfed-powys-2025-peel-bilingual.html",
        "lancashire-2020-peel.html",
        "lancashire-2020-peel.pdf",
        "west-yorkshire-2024-spotlight.html",
        "west-yorkshire-2024-spotlight.pdf",
    ]
    assert _bytes(scratch / "one") == _bytes(scratch / "two")
    assert one.summary().startswith("built 3, skipped 0 (up to date), held 0, failed 0 of 3 ")


def test_a_batch_goes_on_past_a_bad_letter_and_skips_what_is_up_to_date(scratch: Path) -> None:
    paths = _letters(scratch)[:2]
    project = Project(scratch)
    out = scratch / "out"
    edit_yaml(paths[1], "kind: spotlight", "kind: spotlite")
    first = build_many(paths, out, ("html",), 1, project=project)
    assert [o.state for o in first.outcomes] == ["done", "failed"]
    error = first.outcomes[1].error
    assert isinstance(error, DataError)
    assert "report.kind" in str(error) and "spotlight" in str(error)
    assert sorted(p.name for p in out.iterdir()) == ["lancashire-2020-peel.html"]
    again = build_many(paths[:1], out, ("html",), 1, project=project)
    assert [o.state for o in again.outcomes] == ["up to date"]
    forced = build_many(paths[:1], out, ("html",), 1, project=project, force=True)
    assert [o.state for o in forced.outcomes] == ["done"]
    assert forced.count("done") == 1 and forced.count("failed") == 0


def test_two_letters_that_would_write_the_same_file_are_not_both_built(scratch: Path) -> None:
    project = Project(scratch)
    other = scratch / "data" / "examples" / LETTER
    shutil.copy(scratch / "data" / LETTER, other)
    edit_yaml(other, "office: offices/", "office: ../offices/")
    batch = build_many(
        [scratch / "data" / LETTER, other], scratch / "out", ("html",), 1, project=project
    )
    assert [o.state for o in batch.outcomes] == ["done", "failed"]
    assert "has the same name, so both would be written (and filed) as lancashire-2020-peel" in str(
        batch.outcomes[1].error
    )


def test_a_batch_refuses_an_output_folder_among_the_inputs(scratch: Path) -> None:
    with pytest.raises(LettersError, match="lies in the project's templates/ folder"):
        build_many(
            [scratch / "data" / LETTER], scratch / "templates" / "out", project=Project(scratch)
        )


def test_checking_a_batch_gives_each_letter_its_results_in_order(scratch: Path) -> None:
    paths = _letters(scratch)
    edit_yaml(paths[0], "date: 2020-03-30", "date: 2020-13-30")
    outcomes = check_many(paths, Project(scratch))
    assert [o.path.name for o in outcomes] == [LETTER, SPOTLIGHT, BILINGUAL]
    assert [o.state for o in outcomes] == ["failed", "done", "done"]
    assert isinstance(outcomes[0].error, DataError)
    assert "letter.date" in str(outcomes[0].error)
    notes = [str(r) for r in outcomes[1].result or () if r.severity == "note"]
    assert any("section 55 deadline met" in note for note in notes), notes
