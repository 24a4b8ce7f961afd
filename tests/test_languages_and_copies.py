"""The tables of languages and copies: every row has what the code reads from it."""

from __future__ import annotations

import dataclasses
from typing import get_args

import pytest
from pydantic import BaseModel

from conftest import ROOT
from letters.compose.facts import DERIVED_WORDING
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
    assert [region_tag(language.code) for language in LANGUAGES] == ["en-GB", "cy-GB"]
    assert region_tag("en-GB") == "en-GB"
    assert region_tag("fr") == "fr"
