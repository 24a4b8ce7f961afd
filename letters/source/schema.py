"""The JSON Schema of the data files, for editors with a YAML language server."""

from __future__ import annotations

from typing import Any

from .frameworks import NOT_GRADED, Framework
from .model import Letter, Office

SCHEMA_FILES = {"letter": "letter.schema.json", "office": "office.schema.json"}


def json_schema(kind: str, frameworks: dict[str, Framework]) -> dict[str, Any]:
    """Make the schema of a letter's data file, or an office file ('office'), for the frameworks."""
    if kind == "office":
        schema = Office.model_json_schema()
        schema["title"] = "letters: an office file"
        return schema
    schema = Letter.model_json_schema()
    schema["title"] = "letters: a letter's data file"
    grades = sorted({grade for framework in frameworks.values() for grade in framework.grades})
    report = schema["$defs"]["Report"]["properties"]
    report["kind"] = {"title": "Kind", "enum": sorted(frameworks)}
    scale = {"enum": [*grades, NOT_GRADED]}
    # an area's grade is the grade alone, or the grade with its history
    report["grades"]["additionalProperties"] = _either(scale, "GradeHistory")
    history = schema["$defs"]["GradeHistory"]["properties"]
    history["grade"] = {"title": "Grade", **scale}
    history["previously"] = {"title": "Previously", **_either(scale, "EarlierGrade")}
    earlier = schema["$defs"]["EarlierGrade"]["properties"]
    earlier["grade"] = {"title": "Grade", **scale}
    earlier["kind"] = {
        "title": "Kind",
        "enum": sorted(kind for kind, framework in frameworks.items() if framework.grades),
    }
    # grades given by count: a grade of some framework's scale -> how many areas
    schema["$defs"]["ReportCounts"]["properties"]["grades"]["propertyNames"] = {"enum": grades}
    report["grades"]["propertyNames"] = {
        "enum": sorted({area for framework in frameworks.values() for area in framework.names})
    }
    schema["properties"]["target_grade"] = {
        "title": "Target Grade",
        "anyOf": [{"enum": grades}, {"type": "null"}],
        "default": None,
    }
    # In the file, `office` names the office's own file; the model holds what that file says.
    schema["properties"]["office"] = {
        "title": "Office",
        "description": "The office's file, relative to this one (for example "
        "offices/lancashire-pcc.yaml), or its fields written out here.",
        "anyOf": [{"type": "string"}, {"$ref": "#/$defs/Office"}],
    }
    return schema


def _either(scale: dict[str, Any], fields: str) -> dict[str, Any]:
    """Let a value be a grade on the scale (a typo named as one) or a mapping of `fields`."""
    return {"if": {"type": "string"}, "then": scale, "else": {"$ref": f"#/$defs/{fields}"}}
