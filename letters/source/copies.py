"""The copies of a letter: one row each, saying whom it is for, its files and what it holds."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

#: The marks on the model's fields ({"internal": mark}) that say how far a field may travel:
#: a field marked OFFICE_ONLY_MARK never leaves the office (the notes); one marked
#: NOT_PUBLIC_MARK goes to the recipients but never to the public (a direct line).
OFFICE_ONLY_MARK, NOT_PUBLIC_MARK = "office", "public"
#: Who a copy of the letter is for: the archive, the recipients, or the public (a row each in
#: COPIES below).
Audience = Literal["record", "sent", "public"]


@dataclass(frozen=True)
class Format:
    """A file a copy is written as."""

    #: As `letters build --format` names it, and as a build keys the files it renders.
    name: str
    #: What renders it: 'docx', 'html' or 'pdf'.
    renderer: str
    #: The end of its file's name, after the data file's stem (and a language's code).
    suffix: str

    @property
    def per_language(self) -> bool:
        """Say whether a letter in several languages has one file each, not one for all.

        A PDF tags one language, so each language has its own; a DOCX and an HTML page hold
        every language, each from a new page.
        """
        return self.renderer == "pdf"


@dataclass(frozen=True)
class Copy:
    """A copy of a letter: whom it is for, its files, its signature, what it embeds and omits."""

    #: Whom it is for; its metadata's `copy`.
    audience: Audience
    #: The files `letters build` writes of it, in order. None for the record, which
    #: `letters archive` renders as a PDF and files.
    formats: tuple[Format, ...]
    #: Whether it shows the signers' signature images (a copied signature invites fraud).
    signed: bool
    #: What its PDF embeds: the letter's source files byte for byte, its data as sent (no notes,
    #: no comments) or nothing.
    embeds: Literal["sources", "data", "nothing"]
    #: The marks of the fields it empties, at any depth of the data (see the marks above).
    leaves_out: tuple[str, ...]


#: Every copy: the archive's, the recipients', the public's.
COPIES = (
    Copy("record", (), signed=True, embeds="sources", leaves_out=()),
    Copy(
        "sent",
        (Format("docx", "docx", ".docx"), Format("pdf", "pdf", ".pdf")),
        signed=True,
        embeds="data",
        leaves_out=(OFFICE_ONLY_MARK,),
    ),
    Copy(
        "public",
        (Format("html", "html", ".html"), Format("public-pdf", "pdf", ".public.pdf")),
        signed=False,
        embeds="nothing",
        leaves_out=(OFFICE_ONLY_MARK, NOT_PUBLIC_MARK),
    ),
)
BY_AUDIENCE: dict[str, Copy] = {copy.audience: copy for copy in COPIES}
#: Every format `letters build` writes, in the order of the copies and their formats.
FORMATS = tuple(fmt for copy in COPIES for fmt in copy.formats)
