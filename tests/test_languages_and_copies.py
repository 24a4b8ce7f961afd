"""The tables of languages and copies: every row has what the code reads from it."""

from __future__ import annotations

import dataclasses
from typing import get_args

import pytest
from pydantic import BaseModel

from conftest import ROOT
from letters.build.output import FORMATS, SUFFIXES, named_language, output_name, output_names
from letters.compose.facts import DERIVED_WORDING
from letters.source.copies import BY_AUDIENCE, COPIES, Audience
from letters.source.frameworks import Framework
from letters.source.languages import LANGUAGES, ORIGINAL, Code, Language, region_tag
from letters.source.model import (
    ChiefOfficerComments,
    Finding,
    Letter,
    Office,
    OwnSection,
    Signatory,
)

TRANSLATED = [language for language in LANGUAGES if language.translated]


def test_each_code_has_its_row_and_each_row_its_code() -> None:
    assert get_args(Code) == tuple(language.code for language in LANGUAGES)
    assert not ORIGINAL.translated
    assert all(language.translated == bool(language.suffix) for language in LANGUAGES)


@pytest.mark.parametrize("language", LANGUAGES, ids=lambda language: language.code)
def test_each_language_has_its_templates_and_derived_wording(language: Language) -> None:
    assert (ROOT / "templates" / language.templates).is_dir()
    assert language.code in DERIVED_WORDING


@pytest.mark.parametrize("language", TRANSLATED, ids=lambda language: language.code)
def test_each_translation_has_its_fields_in_the_model(language: Language) -> None:
    field, suffix = language.field, language.suffix
    assert field in Letter.model_fields and field in Office.model_fields
    assert field in {f.name for f in dataclasses.fields(Framework)}
    beside: dict[type[BaseModel], tuple[str, ...]] = {
        Finding: ("text", "theme", "response", "action"),
        Signatory: ("title",),
        OwnSection: ("heading", "text"),
        ChiefOfficerComments: ("paragraphs", "reply"),
    }
    for model, names in beside.items():
        assert {name + suffix for name in names} <= set(model.model_fields), model


def test_word_names_each_language_with_its_region() -> None:
    assert (region_tag("en"), region_tag("cy")) == ("en-GB", "cy-GB")
    assert all(region_tag(language.tag) == language.tag for language in LANGUAGES)
    assert region_tag("fr") == "fr"


def test_each_audience_has_its_copy_and_each_copy_its_audience() -> None:
    assert get_args(Audience) == tuple(copy.audience for copy in COPIES)


def _marks(model: type[BaseModel], seen: set[type[BaseModel]]) -> set[str]:
    """Gather the `internal` marks on a model's fields, at any depth."""
    marks: set[str] = set()
    seen.add(model)
    for field in model.model_fields.values():
        extra = field.json_schema_extra
        if isinstance(extra, dict) and isinstance(extra.get("internal"), str):
            marks.add(str(extra["internal"]))
        for inner in (field.annotation, *_args(field.annotation)):
            if isinstance(inner, type) and issubclass(inner, BaseModel) and inner not in seen:
                marks |= _marks(inner, seen)
    return marks


def _args(annotation: object) -> tuple[object, ...]:
    """List the types inside an annotation, at any depth."""
    found: list[object] = []
    for arg in get_args(annotation):
        found += [arg, *_args(arg)]
    return tuple(found)


def test_every_mark_in_the_model_is_left_out_of_some_copy_and_none_other() -> None:
    left_out = {mark for copy in COPIES for mark in copy.leaves_out}
    assert _marks(Letter, set()) == left_out
    assert BY_AUDIENCE["record"].leaves_out == ()


def test_the_formats_are_the_copies_in_order() -> None:
    assert FORMATS == ("docx", "pdf", "html", "public-pdf")
    assert SUFFIXES == {
        "docx": ".docx",
        "pdf": ".pdf",
        "html": ".html",
        "public-pdf": ".public.pdf",
    }
    assert BY_AUDIENCE["record"].formats == ()


def test_an_output_names_its_language_only_beside_others() -> None:
    assert output_name("x", ".pdf", named_language("cy", ["en", "cy"])) == "x.cy.pdf"
    assert output_name("x", ".pdf", named_language("cy", ["cy"])) == "x.pdf"
    assert output_name("x", "", named_language("en", ["cy", "en"])) == "x.en"  # an archive id
    assert output_name("x", ".public.pdf") in output_names("x")
