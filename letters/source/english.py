"""British English for derived wording: lists, plurals, articles, dates, money, percentages."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from decimal import ROUND_HALF_UP, Decimal

MONTHS = (
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
)


def join_words(items: Sequence[str], conjunction: str = "and") -> str:
    """Join items as prose, without a serial comma: 'a', 'a and b', 'a, b and c'."""
    if not items:
        return ""
    if len(items) == 1:
        return items[0]
    return f"{', '.join(items[:-1])} {conjunction} {items[-1]}"


def nobreak(text: str) -> str:
    """Keep words on one line: '2 February 2023' never breaks after the 2 (no-break spaces)."""
    return text.replace(" ", "\u00a0")


def join_names(names: Sequence[str]) -> str:
    """Join names that may hold 'and' themselves, with a comma before the last where one does.

    'preventing crime, and police powers and public treatment'; otherwise as join_words.
    """
    if len(names) > 1 and any(" and " in name for name in names):
        return f"{', '.join(names[:-1])}, and {names[-1]}"
    return join_words(names)


#: Counts written as words, by their value: the one table for writing and reading them.
NUMBER_WORDS = (
    "zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten",
    "eleven", "twelve", "thirteen", "fourteen", "fifteen", "sixteen", "seventeen", "eighteen",
    "nineteen", "twenty",
)  # fmt: skip
#: Counts up to this one are written in words, larger ones in figures, unless the house style's
#: `numbers.words_up_to` says otherwise.
WORDS_UP_TO = 9


def number_word(count: int, words_up_to: int = WORDS_UP_TO) -> str:
    """Write a count as the house style does: in words up to `words_up_to`, else in figures."""
    return NUMBER_WORDS[count] if 0 <= count <= min(words_up_to, 20) else f"{count:,}"


def read_count(word: str) -> int | None:
    """Read a count written in figures or words ('12', 'twelve', 'no'); None if it is neither."""
    text = word.strip().lower().replace(",", "")
    if text.isdigit():
        return int(text)
    if text == "no":
        return 0
    return NUMBER_WORDS.index(text) if text in NUMBER_WORDS else None


def plural(count: int, singular: str, plural_form: str = "") -> str:
    """Choose the form of a noun for a count: 'area for improvement' or 'areas ...'."""
    return singular if count == 1 else (plural_form or singular + "s")


def count_noun(count: int, singular: str, plural_form: str = "") -> str:
    """Write a count with its noun: '1 area for improvement', '11 areas for improvement'."""
    return f"{count} {plural(count, singular, plural_form)}"


def count_words(
    count: int, singular: str, plural_form: str = "", words_up_to: int = WORDS_UP_TO
) -> str:
    """Write a count in house style with its noun: 'one cause of concern', '12 areas'."""
    return f"{number_word(count, words_up_to)} {plural(count, singular, plural_form)}"


def indefinite_article(phrase: str) -> str:
    """Choose 'a' or 'an' by the sound of the phrase's first letter (quotes ignored)."""
    first = phrase.lstrip("'\"‘“").lower()[:1]
    return "an" if first and first in "aeiou" else "a"


def uk_date(day: dt.date, months: Sequence[str] = MONTHS) -> str:
    """Write a date the British way, '7 February 2020', with these months' names."""
    return f"{day.day} {months[day.month - 1]} {day.year}"


def uk_month(year: int, month: int, months: Sequence[str] = MONTHS) -> str:
    """Write a month the British way, 'March 2024', for a letter dated by its month alone."""
    return f"{months[month - 1]} {year}"


def money(amount: Decimal | int, symbol: str = "£") -> str:
    """Write a sum as UK public bodies do: '£86m', '£1.2bn', '£450,000', '£12.50'."""
    value = Decimal(amount)
    for size, suffix in ((Decimal(10) ** 9, "bn"), (Decimal(10) ** 6, "m")):
        if abs(value) >= size:
            return f"{symbol}{_trim(value / size, 1)}{suffix}"
    if value == value.to_integral_value():
        return f"{symbol}{int(value):,}"
    return f"{symbol}{value.quantize(Decimal('0.01'), ROUND_HALF_UP):,}"


def percent(value: Decimal | int | float) -> str:
    """Write a percentage: '28%', '12.5%'."""
    return f"{_trim(Decimal(str(value)), 1)}%"


def _trim(value: Decimal, places: int) -> str:
    """Round to at most `places` decimals and drop a trailing '.0'."""
    rounded = value.quantize(Decimal(1).scaleb(-places), ROUND_HALF_UP)
    text = f"{rounded:,f}"
    return text.rstrip("0").rstrip(".") if "." in text else text
