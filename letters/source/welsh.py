"""Welsh for derived wording: dates, numerals with singular nouns, and mutations.

The mutations that follow numerals and prepositions follow the standard rules; a
translator should review any template that uses them.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from .english import uk_date, uk_month

MONTHS = (
    "Ionawr",
    "Chwefror",
    "Mawrth",
    "Ebrill",
    "Mai",
    "Mehefin",
    "Gorffennaf",
    "Awst",
    "Medi",
    "Hydref",
    "Tachwedd",
    "Rhagfyr",
)

# Initial consonants and what each mutation makes of them; digraphs first.
_SOFT = (
    ("ll", "l"),
    ("rh", "r"),
    ("p", "b"),
    ("t", "d"),
    ("c", "g"),
    ("b", "f"),
    ("d", "dd"),
    ("g", ""),
    ("m", "f"),
)
_NASAL = (("p", "mh"), ("t", "nh"), ("c", "ngh"), ("b", "m"), ("d", "n"), ("g", "ng"))
_ASPIRATE = (("p", "ph"), ("t", "th"), ("c", "ch"))
_DIGRAPHS = ("ch", "dd", "ff", "ng", "ll", "ph", "rh", "th")


def _mutate(word: str, table: tuple[tuple[str, str], ...]) -> str:
    """Mutate a word's first consonant by a table of radicals and their mutated forms."""
    lower = word.lower()
    if lower[:2] in _DIGRAPHS and lower[:2] not in dict(table):
        return word  # ch, ff, th ... do not mutate (ll and rh do, softly)
    for radical, mutated in table:
        if lower.startswith(radical):
            rest = word[len(radical) :]
            if word[:1].isupper():
                return (
                    (mutated[:1].upper() + mutated[1:] + rest)
                    if mutated
                    else rest[:1].upper() + rest[1:]
                )
            return mutated + rest
    return word


def soft(word: str) -> str:
    """Mutate softly (treiglad meddal): 'Caerdydd' -> 'Gaerdydd', 'llys' -> 'lys'."""
    return _mutate(word, _SOFT)


def nasal(word: str) -> str:
    """Mutate nasally (treiglad trwynol): 'Caerdydd' -> 'Nghaerdydd', 'Powys' -> 'Mhowys'."""
    return _mutate(word, _NASAL)


def aspirate(word: str) -> str:
    """Mutate with aspiration (treiglad llaes): 'cath' -> 'chath', 'tîm' -> 'thîm'."""
    return _mutate(word, _ASPIRATE)


def yn(place: str) -> str:
    """Say 'in' before a place: 'yng Nghaerdydd', 'ym Mhowys', 'yn Abertawe', 'yn Llanelli'."""
    mutated = nasal(place)
    lower = mutated.lower()
    if lower.startswith("ng"):
        return f"yng {mutated}"
    if lower.startswith("m"):
        return f"ym {mutated}"
    return f"yn {mutated}"


def i(word: str) -> str:
    """Say 'to' with the soft mutation after it: 'i Gaerdydd', 'i bob heddlu'."""
    return f"i {soft(word)}"


def o(word: str) -> str:
    """Say 'of' or 'from' with the soft mutation after it: 'o Gaerdydd', 'o bryder'."""
    return f"o {soft(word)}"


def cy_date(day: dt.date) -> str:
    """Write a date the Welsh way: '30 Mawrth 2020', '7 Chwefror 2020'."""
    return uk_date(day, MONTHS)


def cy_month(year: int, month: int) -> str:
    """Write a month the Welsh way, 'Mawrth 2024', for a letter dated by its month alone."""
    return uk_month(year, month, MONTHS)


# Numerals before a noun: the form and the mutation each causes, by the noun's gender.
_MASCULINE = {
    1: ("un", None),
    2: ("dau", soft),
    3: ("tri", aspirate),
    4: ("pedwar", None),
    5: ("pum", None),
    6: ("chwe", aspirate),
    7: ("saith", None),
    8: ("wyth", None),
    9: ("naw", None),
    10: ("deg", None),
}
_FEMININE = {
    1: ("un", soft),
    2: ("dwy", soft),
    3: ("tair", None),
    4: ("pedair", None),
    **{n: _MASCULINE[n] for n in range(5, 11)},
}


def cy_number(count: int) -> str:
    """Write a number standing alone, in words to ten: 'un', 'dau', 'deg'; from 11 in figures."""
    return {
        1: "un",
        2: "dau",
        3: "tri",
        4: "pedwar",
        5: "pump",
        6: "chwech",
        7: "saith",
        8: "wyth",
        9: "naw",
        10: "deg",
    }.get(count, f"{count:,}")


def cy_count(count: int, noun: str, feminine: bool = False) -> str:
    """Write a count with its noun, which stays singular: 'tri argymhelliad', 'dwy bryder'.

    Nouns of more than one word mutate their first word only ('dau faes i'w wella'); from 11
    the number is written in figures.
    """
    table = _FEMININE if feminine else _MASCULINE
    if count not in table:
        return f"{count:,} {noun}"
    word, mutation = table[count]
    first, _, rest = noun.partition(" ")
    mutated = mutation(first) if mutation else first
    return f"{word} {mutated}{' ' + rest if rest else ''}"


def cy_join(items: Sequence[str]) -> str:
    """Join items with 'a' ('and'), 'ac' before a vowel: 'X, Y a Z', 'X ac Y'."""
    if not items:
        return ""
    if len(items) == 1:
        return items[0]
    last = items[-1]
    conjunction = "ac" if last[:1].lower() in "aeiouwyâêîôûŵŷ" else "a"
    return f"{', '.join(items[:-1])} {conjunction} {aspirate(last) if conjunction == 'a' else last}"
