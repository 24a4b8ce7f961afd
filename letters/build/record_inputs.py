"""The inputs a record PDF embeds: each file by its path in the project, and a list of digests.

The archive's record carries its whole snapshot, so that a reader needs nothing else: the
letter's data as filed, its office's file, signature images, every template, the house style,
the fonts and the reference lists, each an associated file named by its path (`data/x.yaml`,
`templates/letters/peel.md.j2`), and `letters-record.json`, which names the letter's data
file and its language and lists each input's path and SHA-256.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from typing import Any

from ..compose.document import Attachment
from ..source.errors import UNPRINTABLE, ArchiveError
from ..source.inputs import ANY
from ..source.provenance import file_digest

#: The name of the list of inputs in a record PDF: no input's (every input lies in a folder).
LIST_NAME = "letters-record.json"
#: What the list calls its own layout, so that a later one can be told apart.
LIST_FORMAT = "letters record inputs 1"
#: The folders of a project an input may lie in.
INPUT_FOLDERS = ("data", "templates")
#: A part of an input's path: no hidden name (no input has one), no separator, no control.
_PART = re.compile(r"[^./\\\x00-\x1f\x7f][^/\\\x00-\x1f\x7f]{0,254}")
_DIGEST = re.compile(r"[0-9a-f]{64}")
#: The most inputs one record may list: a project has a few dozen.
MOST_INPUTS = 10_000


@dataclass(frozen=True)
class Embedded:
    """The inputs a record PDF carries, checked against its list: path -> content."""

    #: The letter's data file (data/x.yaml) and the language of the record (its code: en).
    letter: str
    language: str
    files: dict[str, bytes]


def record_attachments(
    files: dict[str, bytes], letter: str, language: str
) -> tuple[Attachment, ...]:
    """List what a record PDF embeds: each input by its path, and the list of their digests.

    In the order of their names (a PDF's list of embedded files is sorted by name).
    """
    listed = {
        "format": LIST_FORMAT,
        "letter": letter,
        "language": language,
        "inputs": {name: file_digest(data) for name, data in sorted(files.items())},
    }
    text = json.dumps(listed, indent=1, ensure_ascii=False) + "\n"
    described = "An input this letter was made from, as filed (letters)"
    attachments = [Attachment(name, data, described) for name, data in files.items()]
    attachments.append(
        Attachment(
            LIST_NAME,
            text.encode("utf-8"),
            "The path and SHA-256 of each input embedded in this record (letters)",
            relationship="Supplement",
        )
    )
    return tuple(sorted(attachments, key=lambda item: item.name.encode("utf-8")))


def read_embedded(pdf: bytes, shown: str) -> Embedded:
    """Read the inputs a record PDF embeds and check each against its list.

    Refused, naming the file: an input altered (its SHA-256 differs from the list's), listed
    but missing, embedded but not listed, or whose path is not a plain one inside data/ or
    templates/ (so none can be written outside the folder it is unpacked into).
    """
    files = _attachments(pdf, shown)
    if LIST_NAME not in files:
        raise ArchiveError(
            f"{shown}: not a record from letters' archive: it embeds no {LIST_NAME} listing "
            "its inputs (a letter as sent embeds only its data, as does a record filed by an "
            "older letters)"
        )
    letter, language, inputs = _read_list(files.pop(LIST_NAME), shown)
    problems = [
        f"{_printable(name)}: {problem}" for name in inputs if (problem := path_problem(name))
    ]
    for name, digest in inputs.items():
        if path_problem(name):
            continue
        if name not in files:
            problems.append(f"{name}: missing: listed in {LIST_NAME} but not embedded")
        elif file_digest(files[name]) != digest:
            problems.append(f"{name}: altered: its SHA-256 differs from the one {LIST_NAME} lists")
    problems += [
        f"{_printable(name)}: unlisted: embedded but not in {LIST_NAME}"
        for name in sorted(set(files) - set(inputs))
    ]
    if letter not in inputs and not problems:
        problems.append(f"{letter}: the letter's data file is not among its inputs")
    if problems:
        raise ArchiveError(f"{shown}: " + "; ".join(problems) + "; it cannot be reproduced")
    return Embedded(letter, language, {name: files[name] for name in inputs})


def path_problem(name: str) -> str:
    """Say what makes a name no path of an input inside a project ('' if nothing)."""
    parts = name.split("/")
    if len(parts) < 2 or parts[0] not in INPUT_FOLDERS or not all(map(_PART.fullmatch, parts)):
        return "not a path inside the project's data/ or templates/"
    return ""


def _attachments(pdf: bytes, shown: str) -> dict[str, bytes]:
    """Read every file a PDF embeds (with pypdfium2, PDFium's reader): name -> content."""
    import pypdfium2

    try:
        document = pypdfium2.PdfDocument(pdf)
    except pypdfium2.PdfiumError as exc:
        raise ArchiveError(f"{shown}: not a PDF that can be read ({exc})") from None
    files: dict[str, bytes] = {}
    try:
        count = document.count_attachments()
        if count > MOST_INPUTS:
            raise ArchiveError(f"{shown}: embeds {count} files, more than a record ever holds")
        for index in range(count):
            attachment = document.get_attachment(index)
            name = attachment.get_name()
            if name in files:
                raise ArchiveError(f"{shown}: {_printable(name)}: embedded twice")
            try:
                files[name] = bytes(attachment.get_data())
            except pypdfium2.PdfiumError:
                raise ArchiveError(f"{shown}: {_printable(name)}: cannot be read") from None
            if len(files[name]) > ANY.limit:
                raise ArchiveError(f"{shown}: {_printable(name)}: larger than any input may be")
    finally:
        document.close()
    return files


def _read_list(data: bytes, shown: str) -> tuple[str, str, dict[str, str]]:
    """Read the list of inputs: the letter's data file, its language, each path's digest."""
    try:
        tree: Any = json.loads(data.decode("utf-8"))
    except (UnicodeDecodeError, ValueError, RecursionError):
        tree = None
    if (
        not isinstance(tree, dict)
        or tree.get("format") != LIST_FORMAT
        or not isinstance(tree.get("letter"), str)
        or not isinstance(tree.get("language"), str)
        or not re.fullmatch(r"[a-z]{2,3}", tree["language"])
        or not isinstance(tree.get("inputs"), dict)
        or not all(isinstance(v, str) and _DIGEST.fullmatch(v) for v in tree["inputs"].values())
    ):
        raise ArchiveError(
            f"{shown}: {LIST_NAME}: not a list of inputs ({LIST_FORMAT}: the letter, its "
            "language, and each input's path and SHA-256); it cannot be reproduced"
        )
    letter = tree["letter"]
    if path_problem(letter) or not letter.startswith("data/") or not letter.endswith(".yaml"):
        raise ArchiveError(f"{shown}: {LIST_NAME}: the letter {_printable(letter)} is no data file")
    return letter, tree["language"], dict(tree["inputs"])


def _printable(name: str) -> str:
    """Show a name from a PDF with its control characters escaped."""
    return UNPRINTABLE.sub(lambda found: repr(found.group())[1:-1], name)
