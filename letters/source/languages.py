"""The languages a letter can be published in: one row each, read wherever a language differs."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

#: A language's code, as the data may give it: each has its row in LANGUAGES below.
Code = Literal["en", "cy"]


@dataclass(frozen=True)
class Language:
    """A language a letter can be published in, and where its wording lives."""

    #: As a letter's `languages:` lists it, and as the name of its own PDF carries it: 'cy'.
    code: Code
    #: Its name in English, as messages name it: 'Welsh'.
    name: str
    #: Its tag with the region, as Word names its proofing languages: 'cy-GB'.
    tag: str
    #: The folder under templates/ that holds its wording templates.
    templates: str
    #: The field that holds the wording in this language: of the letter's data, of its office
    #: file and of a framework in data/reference/frameworks.yaml ('cy:'). Empty for the
    #: original language, which their own fields are written in.
    field: str = ""
    #: What ends the name of each data field holding a value in this language, beside the
    #: original's: 'text_cy', 'title_cy'. Empty for the original language.
    suffix: str = ""

    @property
    def translated(self) -> bool:
        """Say whether the language is a translation, which the office needs time to make."""
        return bool(self.field)


#: Every language, the original first. A new one needs its code in Code, its row, its fields
#: in the model (`field`, and each `<name><suffix>` beside a field of the original), its
#: templates, and its derived wording (letters.compose.facts).
LANGUAGES = (
    Language("en", "English", "en-GB", "letters"),
    Language("cy", "Welsh", "cy-GB", "letters/cy", field="cy", suffix="_cy"),
)
BY_CODE: dict[str, Language] = {language.code: language for language in LANGUAGES}
#: The language the data's own fields are written in; the checks read the letter in it.
ORIGINAL = LANGUAGES[0]


def region_tag(tag: str) -> str:
    """Write a language tag as Word names its proofing languages: 'cy' is 'cy-GB'."""
    language = BY_CODE.get(tag)
    return language.tag if language else tag
