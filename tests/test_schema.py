"""The shipped JSON Schema is the model's; every data file, as an editor reads it, satisfies it."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any

import jsonschema
import pytest
import yaml
from click.testing import CliRunner

from conftest import ROOT
from letters.cli import main
from letters.source.frameworks import frameworks_of
from letters.source.schema import SCHEMA_FILES, json_schema

FRAMEWORKS = frameworks_of(ROOT)


@pytest.mark.parametrize("kind", SCHEMA_FILES)
def test_the_shipped_schema_is_up_to_date(kind: str) -> None:
    shipped = json.loads((ROOT / "data" / SCHEMA_FILES[kind]).read_text(encoding="utf-8"))
    assert shipped == json_schema(kind, FRAMEWORKS), "run `make schema`"


def test_letters_schema_prints_it() -> None:
    result = CliRunner().invoke(main, ["schema"])
    assert result.exit_code == 0
    assert json.loads(result.output) == json_schema("letter", FRAMEWORKS)


def _as_an_editor_reads(value: Any) -> Any:
    """YAML as a language server sees it: dates as strings, numbers as numbers."""
    if isinstance(value, dict):
        return {k: _as_an_editor_reads(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_as_an_editor_reads(v) for v in value]
    return value.isoformat() if isinstance(value, dt.date) else value


@pytest.mark.parametrize(
    "path",
    sorted((ROOT / "data").glob("*.yaml")) + sorted((ROOT / "data" / "offices").glob("*.yaml")),
    ids=lambda p: p.name,
)
def test_each_data_file_names_its_schema_and_satisfies_it(path: Path) -> None:
    first = path.read_text(encoding="utf-8").splitlines()[0]
    kind = "office" if path.parent.name == "offices" else "letter"
    schema_path = (path.parent / first.split("$schema=", 1)[1]).resolve()
    assert (
        first.startswith("# yaml-language-server: $schema=")
        and schema_path == ROOT / "data" / SCHEMA_FILES[kind]
    )
    jsonschema.validate(
        _as_an_editor_reads(yaml.safe_load(path.read_text(encoding="utf-8"))),
        json_schema(kind, FRAMEWORKS),
    )


def test_the_schema_catches_a_grade_typo_in_the_editor() -> None:
    data = _as_an_editor_reads(
        yaml.safe_load((ROOT / "data" / "lancashire-2020-peel.yaml").read_text(encoding="utf-8"))
    )
    data["report"]["grades"]["efficiency"] = "outstandin"
    with pytest.raises(jsonschema.ValidationError, match="'outstandin' is not one of"):
        jsonschema.validate(data, json_schema("letter", FRAMEWORKS))
