"""Turn a loaded data file into a typed `Letter`, reporting every problem at its line."""

from __future__ import annotations

import datetime as dt
import io
import re
import typing
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pydantic

from .english import indefinite_article, join_words, uk_date
from .errors import DataError, InputError, Location, Problem, did_you_mean
from .frameworks import NOT_GRADED, Framework, frameworks_of
from .inputs import SIGNATURE, read_input
from .load import FieldPath, Source, dotted, load_source
from .model import (
    HISTORY_TAG,
    LIFTED_DAY,
    PLAIN_TAG,
    EarlierGrade,
    Letter,
    Office,
    Signatory,
    lifted_day,
    normalise_grade,
)
from .names import name_problem

#: The largest side in pixels of a signature image (its bytes: `inputs.SIGNATURE_BYTES`).
MAX_SIGNATURE_SIDE = 4000
_PNG = b"\x89PNG\r\n\x1a\n"


@dataclass(frozen=True)
class Signer:
    """One who signs the letter, as its data says, with the PNG of their signature if any."""

    signatory: Signatory
    image: bytes = b""
    image_file: Path | None = None


@dataclass(frozen=True)
class LoadedLetter:
    """A validated letter and the source it came from, to point at its lines later."""

    letter: Letter
    source: Source
    framework: Framework
    #: Who signs, in order: the letter's signatories, or the office's signatory.
    signers: tuple[Signer, ...] = ()
    #: The frameworks, by report kind, of earlier grades given on another framework's scale.
    scales: dict[str, Framework] = field(default_factory=dict)

    @property
    def files(self) -> list[Path]:
        """Every file the letter is made from: its data, its office's, the signatures."""
        images = [s.image_file for s in self.signers if s.image_file is not None]
        return list(dict.fromkeys([*self.source.files, *images]))


def load_office(path: Path, root: Path) -> tuple[Office, Source]:
    """Load and validate an office's file on its own (as a letter names it, less the letter)."""
    source = load_source(path, root)
    try:
        return Office.model_validate(source.tree), source
    except pydantic.ValidationError as exc:
        errors = exc.errors(include_url=False)
        raise DataError(_in_order([_problem(source, e, Office) for e in errors])) from None


def load_letter(path: Path, root: Path) -> LoadedLetter:
    """Load, merge and validate a letter's data file and the office file it names, under `root`."""
    root = root.resolve()
    if not path.resolve().is_relative_to(root):  # said before a byte of it is read
        message = (
            f"the letter lies outside the project folder {root}; keep it under data/ (its "
            "provenance and the archive name every input by its place in the project)"
        )
        raise DataError([Problem(Location(path), message)])
    named = name_problem(path.stem, "the data file")
    if named:
        raise DataError([Problem(Location(path), f"{named}; rename the file")])
    source = load_source(path, root)
    problems: list[Problem] = []
    tree = source.tree
    assert isinstance(tree, dict)
    office_ref = tree.get("office")
    if isinstance(office_ref, str):
        if _CONTROL.search(office_ref):
            raise DataError(
                [
                    Problem(
                        source.locate(("office",)),
                        f"{office_ref!r} holds a control character; name the office's file plainly",
                        "office",
                    )
                ]
            )
        office_path = (path.parent / office_ref).resolve()
        if not office_path.is_relative_to(root):
            raise DataError(
                [
                    Problem(
                        source.locate(("office",)),
                        f"{office_ref!r} lies outside the project folder {root}",
                        "office",
                    )
                ]
            )
        if office_path.exists() and not office_path.is_file():
            raise DataError(
                [
                    Problem(
                        source.locate(("office",)),
                        f"{office_ref!r} is not a regular file; an office's file is a YAML file",
                        "office",
                    )
                ]
            )
        if not office_path.is_file():
            raise DataError(
                [
                    Problem(
                        source.locate(("office",)),
                        f"no office file at {office_ref!r} (looked for {office_path})",
                        "office",
                    )
                ]
            )
        named = name_problem(office_path.stem, "the office's file")
        if named:
            raise DataError([Problem(source.locate(("office",)), f"{named}; rename it", "office")])
        source.graft(("office",), load_source(office_path, root))
    frameworks = frameworks_of(root)
    problems.extend(_framework_problems(source, frameworks))
    try:
        letter = Letter.model_validate(source.tree)
    except pydantic.ValidationError as exc:
        problems.extend(_problem(source, error) for error in exc.errors(include_url=False))
        raise DataError(_in_order(problems)) from None
    signers = _signers(letter, source, root, problems)
    problems.extend(history_problems(letter, source))
    problems.extend(_form_problems(letter, source))
    if problems:
        raise DataError(_in_order(problems))
    scales = {
        earlier.kind: frameworks[earlier.kind]
        for earlier in letter.report.earlier_grades.values()
        if isinstance(earlier, EarlierGrade) and earlier.kind
    }
    return LoadedLetter(letter, source, frameworks[letter.report.kind], signers, scales)


def _form_problems(letter: Letter, source: Source) -> list[Problem]:
    """Find what the letter's form does not allow: whom it greets, its voice, its quotations."""
    found: list[tuple[FieldPath, str]] = []
    if letter.recipient is not None and letter.recipients:
        found.append((("recipients",), "give recipient: (one) or recipients: (several), not both"))
    elif len(letter.recipients) == 1:
        found.append(
            (("recipients",), "recipients: lists several; write a single one under recipient:")
        )
    if (letter.salutation or letter.salutation_cy) and not letter.recipients:
        found.append(
            (
                ("salutation",),
                "salutation: here greets several recipients together; a single one's goes "
                "under recipient: (salutation:)",
            )
        )
    if letter.layout == "letter" and letter.voice == "third":
        found.append(
            (
                ("voice",),
                "voice: third is for a statement (set layout: statement); a letter is signed in "
                "the first person",
            )
        )
    if letter.layout == "letter" and letter.quotes:
        found.append(
            (
                ("quotes",),
                "quotes are printed in a statement (set layout: statement); a letter speaks in "
                "its signatory's own words",
            )
        )
    speakers = list(dict.fromkeys((q.name, q.title) for q in letter.quotes))
    if len(speakers) > 2:
        found.append(
            (
                ("quotes", [q.name for q in letter.quotes].index(speakers[2][0]), "name"),
                f"a statement quotes at most two speakers; this is a third, {speakers[2][0]}",
            )
        )
    if letter.office.salutation == "surname":
        at: FieldPath = ("recipient",) if letter.recipient is not None else ("recipients",)
        for i, recipient in enumerate(letter.addressed_to):
            if not (recipient.salutation or recipient.courtesy_title):
                found.append(
                    (
                        at if letter.recipient is not None else (*at, i),
                        f"the office file greets by surname (salutation: surname): give "
                        f"{recipient.name}'s courtesy_title (Mr, Mrs, Ms, Dr) or a salutation",
                    )
                )
    return [Problem(source.locate(path), message, dotted(path)) for path, message in found]


def _signers(
    letter: Letter, source: Source, root: Path, problems: list[Problem]
) -> tuple[Signer, ...]:
    """Read who signs and each signature image, which must be a PNG under data/."""
    listed: list[tuple[FieldPath, Signatory]] = (
        [(("signatories", i), s) for i, s in enumerate(letter.signatories)]
        if letter.signatories
        else [(("office", "signatory"), letter.office.signatory)]
    )
    signers = []
    data = (root / "data").resolve()
    for at, signatory in listed:
        if signatory.signature is None:
            signers.append(Signer(signatory))
            continue
        path = (*at, "signature", "file")
        name = signatory.signature.file
        file = (data / name).resolve()
        problem = ""
        image = b""
        if not file.is_relative_to(data):
            problem = f"{name!r} lies outside data/; keep signatures there"
        elif not file.exists():
            problem = f"no image at data/{name} (give its path under data/)"
        else:
            try:
                image = read_input(file, root, SIGNATURE)
            except InputError as exc:
                problem = f"data/{name}: {exc.reason}"
            else:
                problem = _png_problem(image, name)
        if problem:
            problems.append(Problem(source.locate(path), problem, dotted(path)))
            continue
        signers.append(Signer(signatory, image, file))
    return tuple(signers)


def _png_problem(image: bytes, name: str) -> str:
    """Say what is wrong with a signature image, if anything: it must be a PNG of sane size."""
    if not image.startswith(_PNG) or image[12:16] != b"IHDR":
        return f"data/{name} is not a PNG image; save the signature as PNG"
    width, height = int.from_bytes(image[16:20], "big"), int.from_bytes(image[20:24], "big")
    if not (0 < width <= MAX_SIGNATURE_SIDE and 0 < height <= MAX_SIGNATURE_SIDE):
        return (
            f"data/{name} is {width} x {height} pixels; a signature image is at most "
            f"{MAX_SIGNATURE_SIDE} pixels a side"
        )
    # its bit depth, after the size: WeasyPrint prints a 16-bit grey image as a black box
    if len(image) > 24 and image[24] == 16:
        return f"data/{name} has 16 bits a channel; save the signature as an 8-bit PNG"
    if _damaged(image):
        return (
            f"data/{name} is a damaged PNG image (it cannot be read whole); save the "
            "signature as PNG again"
        )
    return ""


def _damaged(image: bytes) -> bool:
    """Say whether a PNG cannot be read whole: a chunk cut short, garbled or missing.

    Its header may be sound and its body not: Word's reader and the PDF's would then fail
    half way through a build, or print a blank. Pillow reads every chunk (their checksums)
    and then every pixel.
    """
    import warnings

    from PIL import Image, ImageFile

    # WeasyPrint, once imported, lets Pillow pass a file cut short: not while checking one
    lenient = ImageFile.LOAD_TRUNCATED_IMAGES
    ImageFile.LOAD_TRUNCATED_IMAGES = False
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # a large image: its sides are bounded already
            with Image.open(io.BytesIO(image), formats=["PNG"]) as probe:
                probe.verify()
            with Image.open(io.BytesIO(image), formats=["PNG"]) as probe:
                probe.load()
    # Pillow's reader raises what the damage leads it to (OSError, SyntaxError, IndexError,
    # zlib's and struct's errors, among others): any of them means the file is damaged.
    except Exception:
        return True
    finally:
        ImageFile.LOAD_TRUNCATED_IMAGES = lenient
    return False


_CONTROL = re.compile(r"[\x00-\x1f\x7f]")


def _in_order(problems: list[Problem]) -> list[Problem]:
    """Sort problems by file, line and column, as a compiler would list them."""
    return sorted(problems, key=lambda p: p.location)


def _framework_problems(source: Source, frameworks: dict[str, Framework]) -> list[Problem]:
    """Check the values that only make sense against the report's framework.

    Reads the raw tree, so these problems are found alongside the model's own.
    """
    tree: dict[str, Any] = source.tree if isinstance(source.tree, dict) else {}
    report: dict[str, Any] = tree["report"] if isinstance(tree.get("report"), dict) else {}
    kind = report.get("kind")
    if not isinstance(kind, str):
        return []
    framework = frameworks.get(kind.strip())
    if framework is None:
        return [
            _at(
                source,
                ("report", "kind"),
                f"{kind!r} is not a report kind of data/reference/frameworks.yaml; expected "
                f"{_or(sorted(frameworks))}{_kind_hint(kind.strip(), frameworks)}",
            )
        ]
    problems = []
    grades = report.get("grades")
    if isinstance(grades, dict) and grades and not framework.grades:
        problems.append(
            _at(
                source,
                ("report", "grades"),
                f"a {framework.name} report has no grades; remove report.grades",
                key=True,
            )
        )
    elif isinstance(grades, dict):
        seen: dict[str, str] = {}
        for area, grade in grades.items():
            name = framework.canonical(area)
            if name is None:
                problems.append(
                    _at(
                        source,
                        ("report", "grades", area),
                        f"{area!r} is not {indefinite_article(framework.area_noun)} "
                        f"{framework.area_noun} of the {framework.name} framework; expected "
                        f"{_or(framework.areas)}{did_you_mean(area, framework.names)}",
                        key=True,
                    )
                )
            elif name in seen:
                problems.append(
                    _at(
                        source,
                        ("report", "grades", area),
                        f"{area!r} is {seen[name]!r} again, under another name; grade it once",
                        key=True,
                    )
                )
            else:
                seen[name] = area
                at: FieldPath = ("report", "grades", area)
                if isinstance(grade, dict):  # {grade:, previously:}: the model checks its fields
                    problems.extend(_history_problems(source, at, grade, framework, frameworks))
                    grade = grade.get("grade")
                    at = (*at, "grade")
                problems.extend(_scale_problems(source, at, grade, framework, frameworks))
        named = {framework.canonical(area) for area in grades}
        missing = [area for area in framework.areas if area not in named]
        if missing and framework.every_area_graded:
            problems.append(
                _at(
                    source,
                    ("report", "grades"),
                    f"no grade for {_or(missing, 'and')}; the {framework.name} framework grades "
                    f"every {framework.area_noun}",
                    key=True,
                )
            )
    problems.extend(_counted_grade_problems(source, report, framework))
    earlier = [name for name in ("revisit_of", "amends") if report.get(name) is not None]
    if earlier and framework.template == "annual-assessment":
        problems.append(
            _at(
                source,
                ("report", earlier[0]),
                f"{framework.name} is a new assessment each year, not a revisit or an amended "
                "report; name an earlier one in the letter's own text instead",
                key=True,
            )
        )
    target = tree.get("target_grade")
    if isinstance(target, str) and normalise_grade(target) not in framework.grades:
        problems.append(_grade_problem(source, ("target_grade",), target, framework, frameworks))
    return problems


#: The report kinds' templates that print grades given by count (report.counts.grades).
COUNTED_GRADES_TEMPLATES = ("peel",)


def _counted_grade_problems(
    source: Source, report: dict[str, Any], framework: Framework
) -> list[Problem]:
    """Check grades given by count: each on the scale once, given one way, and as many as said.

    A count that is not a whole number of at least one the model reports.
    """
    counts = report.get("counts")
    counted = counts.get("grades") if isinstance(counts, dict) else None
    if not isinstance(counts, dict) or not isinstance(counted, dict) or not counted:
        return []
    at: FieldPath = ("report", "counts", "grades")
    if not framework.grades:
        return [_at(source, at, f"a {framework.name} report has no grades; remove it", key=True)]
    if framework.template not in COUNTED_GRADES_TEMPLATES:
        return [
            _at(
                source,
                at,
                f"the {framework.name} letter names each grade's areas; give them in "
                "report.grades instead",
                key=True,
            )
        ]
    problems = []
    seen: dict[str, str] = {}
    for given in counted:
        grade = str(normalise_grade(given))
        if grade == NOT_GRADED:
            problems.append(
                _at(
                    source,
                    (*at, given),
                    f"{given!r} is no grade to count; name an area inspected but not graded in "
                    "report.grades as 'not graded'",
                    key=True,
                )
            )
        elif grade not in framework.grades:
            problems.append(
                _at(
                    source,
                    (*at, given),
                    f"{given!r} is not a grade of the {framework.name} framework; expected "
                    f"{_or(framework.grades)}{did_you_mean(str(given), list(framework.grades))}",
                    key=True,
                )
            )
        elif grade in seen:
            problems.append(
                _at(
                    source,
                    (*at, given),
                    f"{given!r} is {seen[grade]!r} again; count each grade once",
                    key=True,
                )
            )
        else:
            seen[grade] = given
    grades = report.get("grades")
    named = (
        [
            area
            for area, grade in grades.items()
            if normalise_grade(grade.get("grade") if isinstance(grade, dict) else grade)
            != NOT_GRADED
        ]
        if isinstance(grades, dict)
        else []
    )
    if named:
        problems.append(
            _at(
                source,
                at,
                f"the grades are given both by area (report.grades names {_or(named, 'and')}) "
                "and by count; give them one way: in report.grades where the letter names "
                "each area, else by count here (an area inspected but not graded may stay in "
                "report.grades as 'not graded')",
                key=True,
            )
        )
    total = _whole(counts.get("graded_areas"))
    values = [_whole(value) for value in counted.values()]
    if total is not None and all(value is not None for value in values):
        counted_total = sum(value or 0 for value in values)
        if total != counted_total:
            problems.append(
                _at(
                    source,
                    ("report", "counts", "graded_areas"),
                    f"the report's graded areas are given as {total}, but "
                    f"report.counts.grades counts {counted_total}; give the same number, or "
                    "leave graded_areas out",
                )
            )
    return problems


def _whole(value: object) -> int | None:
    """Read a whole number as the data file gives it (the model checks its range), else None."""
    text = str(value).strip() if isinstance(value, str | int) else ""
    return int(text) if text.isdigit() else None


def _scale_problems(
    source: Source,
    at: FieldPath,
    grade: object,
    framework: Framework,
    frameworks: dict[str, Framework],
) -> list[Problem]:
    """Check a grade is on the framework's scale; a blank one the model reports, once."""
    if not isinstance(grade, str) or not grade.strip():
        return []
    if _allowed(str(normalise_grade(grade)), framework):
        return []
    return [_grade_problem(source, at, grade, framework, frameworks)]


def _history_problems(
    source: Source,
    at: FieldPath,
    given: dict[str, Any],
    framework: Framework,
    frameworks: dict[str, Framework],
) -> list[Problem]:
    """Check an area's earlier grade is on its framework's scale: this report's or its kind's."""
    previously = given.get("previously")
    if isinstance(previously, str):
        return _scale_problems(source, (*at, "previously"), previously, framework, frameworks)
    if not isinstance(previously, dict):
        return []
    kind = previously.get("kind")
    scale = framework
    if isinstance(kind, str) and kind.strip():
        found = frameworks.get(kind.strip())
        if found is None or not found.grades:
            graded = sorted(name for name, other in frameworks.items() if other.grades)
            hint = _kind_hint(kind.strip(), {name: frameworks[name] for name in graded})
            return [
                _at(
                    source,
                    (*at, "previously", "kind"),
                    f"{kind!r} is not a graded report kind of data/reference/frameworks.yaml; "
                    f"expected {_or(graded)}{hint}",
                )
            ]
        scale = found
    return _scale_problems(
        source, (*at, "previously", "grade"), previously.get("grade"), scale, frameworks
    )


def history_problems(letter: Letter, source: Source) -> list[Problem]:
    """Check a report's history is possible: what came before it was published before it.

    An earlier grade, or the report this one revisits or amends, published on or after this
    report; a cause of concern lifted after the letter's date.
    """
    report = letter.report
    problems = []
    published = uk_date(report.published)
    for name in ("revisit_of", "amends"):
        earlier = getattr(report, name)
        verb = "revisits" if name == "revisit_of" else "amends"
        if earlier is not None and earlier.published >= report.published:
            problems.append(
                _at(
                    source,
                    ("report", name, "published"),
                    f"{uk_date(earlier.published)} is not before this report's publication "
                    f"({published}); the report it {verb} came out before it",
                )
            )
    for area, previously in report.earlier_grades.items():
        if isinstance(previously, EarlierGrade) and previously.published is not None:
            if previously.published >= report.published:
                problems.append(
                    _at(
                        source,
                        ("report", "grades", area, "previously", "published"),
                        f"{uk_date(previously.published)} is not before this report's "
                        f"publication ({published}); an earlier grade comes from an earlier report",
                    )
                )
    for index, finding in enumerate(report.findings):
        if not finding.lifted:
            continue
        at = ("report", "findings", index, "lifted")
        if LIFTED_DAY.fullmatch(finding.lifted) is None:
            continue  # it names the report that lifted it
        day = lifted_day(finding.lifted)
        if day is None:
            problems.append(
                _at(
                    source,
                    at,
                    f"{finding.lifted!r} is not a date; write the day the cause was lifted as "
                    "YYYY-MM-DD, or name the report that lifted it",
                )
            )
            continue
        dated = letter.letter
        latest = dated.latest_day
        if latest is not None and day > latest:
            when = uk_date(dated.day) if dated.day else dated.date_text
            problems.append(
                _at(
                    source,
                    at,
                    f"{uk_date(day)} is after the letter's date ({when}); "
                    "a letter can only say a cause of concern has been lifted once it has",
                )
            )
    return problems


def _kind_hint(kind: str, frameworks: dict[str, Framework]) -> str:
    """Suggest the report kind meant: one whose name holds what was typed, else the nearest."""
    holding = [name for name in sorted(frameworks) if kind and kind.lower() in name]
    return (
        f" (did you mean {holding[0]!r}?)" if len(holding) == 1 else did_you_mean(kind, frameworks)
    )


def _allowed(grade: str, framework: Framework) -> bool:
    """Say whether a grade is on the framework's scale (or 'not graded', where it allows that)."""
    return grade in framework.grades or (grade == NOT_GRADED and not framework.every_area_graded)


def _or(words: typing.Iterable[str], conjunction: str = "or") -> str:
    """List choices for a message: 'a, b or c'."""
    return join_words(list(words), conjunction)


def _grade_problem(
    source: Source,
    path: FieldPath,
    grade: str,
    framework: Framework,
    frameworks: dict[str, Framework],
) -> Problem:
    """Say a grade is not on the framework's scale; name its frameworks, or the nearest grade."""
    if not framework.grades:
        return _at(source, path, f"a {framework.name} report has no grades")
    expected = [*framework.grades, *([NOT_GRADED] if not framework.every_area_graded else [])]
    elsewhere = sorted(
        {other.name for other in frameworks.values() if normalise_grade(grade) in other.grades}
    )
    hint = (
        f" ({grade!r} is a grade of the {_or(elsewhere, 'and')} "
        f"framework{'s' if len(elsewhere) > 1 else ''})"
        if elsewhere
        else did_you_mean(grade, expected)
    )
    return _at(
        source,
        path,
        f"{grade!r} is not a grade of the {framework.name} framework; expected "
        f"{_or(expected)}{hint}",
    )


def _at(source: Source, path: FieldPath, message: str, *, key: bool = False) -> Problem:
    """Place a problem at a field's value (or its key) in the source."""
    return Problem(source.locate(path, key=key), message, dotted(path))


_TYPE_NAMES = {
    "dict_type": "a mapping of fields",
    "model_type": "a mapping of fields",
    "list_type": "a list",
    "string_type": "text",
    "int_parsing": "a whole number",
    "decimal_parsing": "a number",
}


#: Pydantic's bound errors: how to say each, and the name of its limit.
_BOUNDS = {
    "less_than": ("a number less than", "lt"),
    "less_than_equal": ("a number of at most", "le"),
    "greater_than": ("a number greater than", "gt"),
    "greater_than_equal": ("a number of at least", "ge"),
}


def _problem(source: Source, error: Any, model: type[pydantic.BaseModel] = Letter) -> Problem:
    """Describe one pydantic error in the user's terms, at the right line.

    `model` is the model the data's paths start at: a letter's, or an office file's alone.
    """
    # a grade's form (the grade alone, or with its history) is no field of the data
    path: FieldPath = tuple(p for p in error["loc"] if p not in (PLAIN_TAG, HISTORY_TAG))
    kind = error["type"]
    value = error.get("input")
    if kind == "extra_forbidden":
        allowed = _field_names(path[:-1], model)
        hint = did_you_mean(str(path[-1]), allowed)
        if hint and len(allowed) > 8:  # a long list helps less than the nearest name
            return _at(source, path, f"unknown field {path[-1]!r}{hint}", key=True)
        return _at(
            source, path, f"unknown field {path[-1]!r}; expected {_or(allowed)}{hint}", key=True
        )
    if kind == "missing":
        return _at(source, path, "this field is required but missing", key=True)
    if kind == "string_too_short":
        return _at(source, path, "must not be empty")
    if kind == "too_short":
        return _at(source, path, "must list at least one line")
    if kind.startswith("date"):
        return _at(
            source,
            path,
            f"{value!r} is not a date; expected a real date written YYYY-MM-DD, for example "
            f"2020-03-30{_date_hint(value)}",
        )
    if kind in _TYPE_NAMES:
        got = (
            "a list"
            if isinstance(value, list)
            else "a mapping"
            if isinstance(value, dict)
            else "nothing"
            if value is None
            else repr(value)
        )
        return _at(source, path, f"expected {_TYPE_NAMES[kind]}, got {got}")
    if kind == "value_error":
        return _at(source, path, str(error["ctx"]["error"]))
    if kind == "finite_number":
        return _at(source, path, f"{value} is not a number; expected a finite sum")
    if kind in _BOUNDS:
        limit = error["ctx"][_BOUNDS[kind][1]]
        return _at(source, path, f"{value} is out of range; expected {_BOUNDS[kind][0]} {limit:,}")
    if kind in ("too_long", "string_too_long"):
        unit = "lines" if isinstance(value, list) else "characters"
        return _at(source, path, f"{len(value):,} {unit}; at most {error['ctx']['max_length']:,}")
    return _at(
        source, path, error["msg"].replace("Input", "the value").replace("input", "the value")
    )


def _date_hint(value: object) -> str:
    """Suggest the ISO form of a date written the British way or without leading zeros."""
    text = str(value).strip()
    british = re.fullmatch(r"(\d{1,2})[/.-](\d{1,2})[/.-](\d{4})", text)
    loose = re.fullmatch(r"(\d{4})-(\d{1,2})-(\d{1,2})", text)
    day, month, year = (
        (british.group(1), british.group(2), british.group(3))
        if british
        else (loose.group(3), loose.group(2), loose.group(1))
        if loose
        else ("", "", "")
    )
    try:
        return (
            f" (did you mean {dt.date(int(year), int(month), int(day)).isoformat()}?)"
            if year
            else ""
        )
    except ValueError:
        return ""


def _field_names(path: FieldPath, top: type[pydantic.BaseModel] = Letter) -> list[str]:
    """Name the fields the model allows at a path of the data (from a letter's, or `top`)."""
    model: Any = top
    for part in path:
        if isinstance(part, int):
            continue
        annotation = model.model_fields[part].annotation
        model = next(
            (
                a
                for a in (annotation, *typing.get_args(annotation))
                if isinstance(a, type) and issubclass(a, pydantic.BaseModel)
            ),
            None,
        )
        if model is None:
            return []
    return list(model.model_fields)
