"""Build letters: data file -> facts -> wording -> one Document -> DOCX, HTML and PDF files."""

from __future__ import annotations

import re
import signal
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING

import yaml

from ..compose.document import Attachment, Block, Document, Letterhead, Signature, combine
from ..compose.facts import LetterFacts
from ..source.copies import BY_AUDIENCE, COPIES, Audience, Format
from ..source.errors import (
    ArchiveError,
    CheckError,
    RenderError,
    TemplateError,
    display_path,
)
from ..source.inputs import ANY, read_input
from ..source.languages import BY_CODE, ORIGINAL
from ..source.model import Letter, copy_for, office_names
from ..source.provenance import file_digest, inputs_digest, tool_versions
from ..source.validate import LoadedLetter, load_letter
from .output import FORMATS, SUFFIXES, named_language, output_name, safe_name, write_all
from .prepare import Prepared, Wordings, language_facts, prepare, template_name
from .project import Project

if TYPE_CHECKING:  # the archive's record is made by `letters archive` alone
    from .archive import Record
    from .snapshot import Frozen

#: A UK postcode, kept on one line in the footer (a no-break space between its halves).
_POSTCODE = re.compile(r"\b([A-Z]{1,2}[0-9][A-Z0-9]?) ([0-9][A-Z]{2})\b")
#: A language tag as BCP 47 writes it: en, en-GB, cy, cy-GB.
_LANGUAGE_TAG = re.compile(r"[A-Za-z]{2,3}(-[A-Za-z0-9]{2,8})*")


@dataclass(frozen=True)
class Built:
    """What building one letter wrote, and the warnings of its checks and of WeasyPrint."""

    paths: tuple[Path, ...]
    warnings: tuple[str, ...]
    #: Every file the letter was made from: its data, its office's, signatures, templates.
    inputs: tuple[Path, ...] = ()
    #: What the build says that is no warning (an approved letter not taking a change).
    notes: tuple[str, ...] = ()


def build_in_worker(
    data_path: Path, out_dir: Path, formats: tuple[str, ...], root: Path, strict: bool
) -> Built:
    """Build one letter in a worker process, keeping its project loaded for the next."""
    from .workers import loaded_project, settle

    try:
        return build_letter(data_path, out_dir, formats, loaded_project(root), strict=strict)
    finally:
        settle()


def compose(data_path: Path, project: Project) -> Document:
    """Read a letter's data and render its wording into the shared document model."""
    loaded = load_letter(data_path, project.root)
    versions = [
        compose_letter(loaded, facts, project, language=language)
        for language, facts in language_facts(loaded, project).items()
    ]
    return combine(versions, every_footer=project.style.footer.every_language)


def compose_letter(
    loaded: LoadedLetter,
    facts: LetterFacts,
    project: Project,
    *,
    copy: Audience = "sent",
    language: str = ORIGINAL.code,
    wordings: Wordings | None = None,
) -> Document:
    """Render a validated letter's wording in one language with its facts into the document model.

    `copy` says who the document is for. The archive's record embeds the letter's source files
    byte for byte; the letter that is sent leaves out what is for the office only (its notes)
    and embeds its data without them, or any comment; the public copy also leaves out what
    only the recipients may see (a direct line) and embeds nothing (letters.source.copies).
    Each language's wording comes from its templates' folder (letters.source.languages).
    `wordings` holds what was rendered already for the same letter.
    """
    letter = copy_for(loaded.letter, copy)
    assert isinstance(letter, Letter)
    template = template_name(loaded, language)
    wording = (wordings or Wordings()).render(letter, facts, project, template, loaded)
    meta = wording.meta
    draft = letter.status.state == "draft"
    if draft and not meta.get("draft_label"):
        raise TemplateError(
            f"templates/{template}: the front matter needs a draft_label (such as DRAFT) "
            "for the mark across every page of a draft"
        )
    # a template's front matter names its language; one that does not is tagged as the original
    tag = meta.get("language", ORIGINAL.tag)
    if not _LANGUAGE_TAG.fullmatch(tag):
        raise TemplateError(
            f"templates/{template}: the front matter's language {tag!r} is not a "
            "language tag such as en-GB or cy"
        )
    # the office as this language names it: its name and its address, in the footer
    names = office_names(letter.office, BY_CODE[language])
    office_name = names.name if names else letter.office.name
    address = names.address if names else tuple(letter.office.address)
    properties = _properties(loaded, project, copy)
    return Document(
        title=meta.get("title", ""),
        author=letter.office.signatory.name,
        subject=meta.get("subject", ""),
        keywords=tuple(k.strip() for k in meta.get("keywords", "").split(",") if k.strip()),
        language=tag,
        # the metadata's day: the letter's, or the last it can bear when its date is partial
        date=letter.record_day,
        page_label=meta.get("page_label", "Page {page} of {pages}"),
        letterhead=_letterhead(loaded, language),
        footer=_POSTCODE.sub("\\1\u00a0\\2", ", ".join((office_name, *address))),
        blocks=_signed(wording.blocks, loaded, copy),
        marking=letter.marking,
        draft_label=meta["draft_label"] if draft else "",
        properties=properties,
        attachments=_attachments(loaded, letter, copy, project, language),
        review_key=_review_key(loaded, project, dict(properties)["inputsSha256"]) if draft else (),
    )


def _review_key(loaded: LoadedLetter, project: Project, digest: str) -> tuple[tuple[str, str], ...]:
    """Say what a reviewed DOCX must match to come back: the letter, its version, its inputs.

    Only a draft's DOCX goes round for review: an approved letter's is as it was approved.
    """
    from ..compose.origins import project_path

    status = loaded.letter.status
    return (
        ("letter", project_path(loaded.source.path, project.root)),
        ("version", str(status.version or "")),
        ("state", status.state),
        ("inputsSha256", digest),
    )


def _signed(blocks: tuple[Block, ...], loaded: LoadedLetter, copy: Audience) -> tuple[Block, ...]:
    """Put each signer's signature image in the room to sign, in the copies that are signed."""
    if not BY_AUDIENCE[copy].signed:
        return blocks
    signed: list[Block] = []
    for block in blocks:
        if isinstance(block, Signature):
            signers = tuple(
                replace(shown, image=signer.image, alt=signer.signatory.signature.alt)
                if signer.image and signer.signatory.signature
                else shown
                for shown, signer in zip(block.signers, loaded.signers, strict=False)
            )
            block = replace(block, signers=signers)
        signed.append(block)
    return tuple(signed)


def _properties(loaded: LoadedLetter, project: Project, copy: str) -> tuple[tuple[str, str], ...]:
    """Say what the files' metadata records: the tools, a digest of the inputs, the status."""
    status = loaded.letter.status
    digest = inputs_digest(letter_inputs(loaded, project), project.root)
    facts = [*tool_versions(), ("inputsSha256", digest), ("copy", copy), ("status", status.state)]
    if status.approved_by:
        facts += [("approvedBy", status.approved_by), ("approvedOn", str(status.approved_on))]
    if loaded.letter.marking:
        facts.append(("marking", loaded.letter.marking))
    return tuple(facts)


def _letterhead(loaded: LoadedLetter, language: str) -> Letterhead:
    """Name the office's wordmark: its title in `language`, its subtitle in each of the letter's.

    The title is the office file's in that language (cy.letterhead_title), else its own.
    """
    office = loaded.letter.office
    names = [office_names(office, BY_CODE[code]) for code in loaded.letter.languages]
    own = office_names(office, BY_CODE[language])
    shown = [found.letterhead_subtitle for found in names if found and found.letterhead_subtitle]
    subtitle = " · ".join(shown)
    # Read aloud, the parts are a list, not joined by a dot; a title the subtitle already
    # says ("West Yorkshire", "Mayor of West Yorkshire") is not said twice.
    parts = [part for line in shown for part in re.split(r"\s*·\s*", line) if part]
    title = own.letterhead_title if own else office.letterhead.title
    said = ", ".join(parts)
    alt = said if parts and title in parts[0] else f"{title} {said}".strip()
    return Letterhead(title, subtitle, alt=alt)


def render(
    document: Document, project: Project, formats: tuple[str, ...]
) -> tuple[dict[str, bytes], tuple[str, ...]]:
    """Render the document in each asked-for format ('docx', 'pdf', 'html'), in memory."""
    files: dict[str, bytes] = {}
    warnings: tuple[str, ...] = ()
    style = project.style
    if "html" in formats:
        from ..render.html import render_html

        files["html"] = render_html(document, style).encode("utf-8")
    if "pdf" in formats:
        from ..render.pdf import render_pdf

        pdf = render_pdf(document, style)
        files["pdf"], warnings = pdf.data, pdf.warnings
    if "docx" in formats:
        from ..render.docx import render_docx

        files["docx"] = render_docx(document, style)
    return files, warnings


@dataclass(frozen=True)
class Made:
    """A letter checked and rendered in memory, not yet written."""

    #: Each file by (format, language): language '' for a file holding every language.
    files: dict[tuple[str, str], bytes]
    warnings: tuple[str, ...]
    #: Every file the letter was made from.
    inputs: tuple[Path, ...]
    #: The letter's languages, in the order it is published.
    languages: tuple[str, ...]
    #: What the build says that is no warning.
    notes: tuple[str, ...] = ()
    #: The wording templates it was made with, under templates/ (includes too).
    wording: frozenset[str] = frozenset()


def make_letter(
    data_path: Path, formats: tuple[str, ...], project: Project, strict: bool = False
) -> Made:
    """Check and render one letter in memory, as `build_letter` writes it (the preview's way).

    A draft is made from the project as it is. An approved or sent letter is made from its
    approval's snapshot (`snapshot.frozen`): a later change to a template, the house style
    or a reference list leaves it as approved, and a change to its own data holds it
    (HeldError). Errors from the checks stop the letter; so do warnings, the renderer's
    included, when `strict`.
    """
    from .snapshot import frozen

    approved = frozen(data_path, project.root)
    if approved is None:
        return made_here(data_path, formats, project, strict)
    return _from_snapshot(data_path, approved, formats, strict, project)


def made_here(
    data_path: Path, formats: tuple[str, ...], project: Project, strict: bool = False
) -> Made:
    """Check and render a letter from the project's files as they are, approved or not."""
    prepared = _checked(data_path, project, strict)
    with _stops_held():
        files, render_warnings = render_letter(prepared, project, formats)
    if strict and render_warnings:
        raise RenderError(
            f"{data_path}: the renderer warned (--strict makes this an error): "
            + "; ".join(render_warnings)
        )
    warnings = letter_warnings(data_path, prepared, render_warnings)
    from ..compose.wording import templates_used

    wording = frozenset(
        f"templates/{name}"
        for language in prepared.facts
        for name in templates_used(project.environment, template_name(prepared.loaded, language))
    )
    inputs = letter_inputs(prepared.loaded, project)
    return Made(files, warnings, inputs, tuple(prepared.facts), wording=wording)


def _from_snapshot(
    data_path: Path, approved: Frozen, formats: tuple[str, ...], strict: bool, project: Project
) -> Made:
    """Make an approved letter from its snapshot; where its files were kept, write those.

    A newer letters (or renderer) that would make a file differently is reported, and the
    file as approved is written. A shared file changed since (a template) is noted.
    """
    from .snapshot import shared_since

    inside = str(approved.data_path)
    made = approved.run(lambda path, there: made_here(path, formats, there, strict), data_path)
    kept = approved.approval.outputs.get(approved.state, {})
    files = dict(made.files)
    said: list[str] = []
    for (fmt, language), data in made.files.items():
        name = output_name(data_path.stem, SUFFIXES[fmt], language)
        digest = kept.get(name)
        if digest is not None and digest != file_digest(data):
            files[fmt, language] = approved.store.get(digest, name)
            said.append(
                f"{data_path}: warning: letters {approved.approval.letters} made {name} when "
                f"the letter was {approved.state}; this version of letters makes it "
                "differently, so the file as then is written"
            )
    warnings = tuple(
        warning.replace(display_path(approved.data_path), display_path(data_path)).replace(
            inside, str(data_path)
        )
        for warning in made.warnings
    )
    shared = [*project.template_files, *project.reference_files]
    # the shared files too: after a change to one, the next build says the letter keeps out of it
    objects = {approved.store.object_path(d) for d in approved.approval.inputs.values()}
    inputs = (data_path, approved.record, *shared, *sorted(objects))
    # a wording template of another kind of letter is none of this one's
    changed = [
        name
        for name in shared_since(approved.approval, project.root, shared)
        if not name.endswith(".md.j2") or name in made.wording
    ]
    notes = (
        (
            f"{display_path(data_path)}: note: built as approved (version "
            f"{approved.approval.version}); {_some(changed)} changed since, which it does not "
            "take: `letters diff --all` shows what that would change if it were reopened",
        )
        if changed
        else ()
    )
    return Made(files, (*warnings, *said), inputs, made.languages, notes)


def _some(names: list[str]) -> str:
    """Name a few files: 'a, b and 3 more'."""
    shown = ", ".join(names[:2])
    return shown + (f" and {len(names) - 2} more" if len(names) > 2 else "")


def build_letter(
    data_path: Path,
    out_dir: Path,
    formats: tuple[str, ...] = FORMATS,
    project: Project | None = None,
    strict: bool = False,
) -> Built:
    """Check and build one letter into `out_dir`; write nothing if any step fails.

    The letter to send (DOCX, and a PDF/A-3 with its data as sent inside) leaves out what is
    for the office only; the public copy (HTML page and PDF) also what only the recipients may
    see, and embeds nothing. The archive's record is made by `archive_records`.
    """
    project = project or Project.find(data_path.parent, Path.cwd())
    made = make_letter(data_path, formats, project, strict)
    targets = {
        safe_name(out_dir, output_name(data_path.stem, SUFFIXES[fmt], language)): data
        for (fmt, language), data in made.files.items()
    }
    write_all(targets)
    return Built(tuple(targets), made.warnings, made.inputs, made.notes)


def letter_inputs(loaded: LoadedLetter, project: Project) -> tuple[Path, ...]:
    """List every file a letter is made from: its own, the templates, the reference lists."""
    return (*loaded.files, *project.template_files, *project.reference_files)


def letter_warnings(
    data_path: Path, prepared: Prepared, more: tuple[str, ...] = ()
) -> tuple[str, ...]:
    """List a letter's warnings as a build reports them: its checks', then `more` of its own."""
    checked = tuple(str(r) for r in prepared.results if r.severity == "warning")
    return checked + tuple(f"{data_path}: warning: {warning}" for warning in more)


@contextmanager
def _stops_held() -> Iterator[None]:
    """Hold Ctrl-C (and SIGTERM) until the letter is rendered, then stop before it is written.

    WeasyPrint draws each image inside `except BaseException`: a Ctrl-C that came then would
    be swallowed and a PDF finished with its letterhead half drawn. Held, it stops the build
    between letters. Only the main thread can take signals; a signal ignored stays ignored.
    """
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    came: list[int] = []
    kept = {
        number: handler
        for number in (signal.SIGINT, signal.SIGTERM)
        if (handler := signal.getsignal(number)) is not signal.SIG_IGN
    }
    for number in kept:
        signal.signal(number, lambda signum, _frame: came.append(signum))
    try:
        yield
    finally:
        for number, handler in kept.items():
            signal.signal(number, handler)
    if came:
        signal.raise_signal(came[0])


def render_letter(
    prepared: Prepared, project: Project, formats: tuple[str, ...], *, lay_out: bool = True
) -> tuple[dict[tuple[str, str], bytes], tuple[str, ...]]:
    """Render a checked letter's files in memory: each copy's that `formats` names.

    Return (format, language) -> bytes, language '' for a file holding every language (or
    the only one), and the renderer's warnings. Without `lay_out`, its PDFs are not laid out
    (`warm_letter`): only what laying them out would first make is made.
    """
    from ..render.fonts import missing_characters

    loaded = prepared.loaded
    languages = loaded.letter.languages
    files: dict[tuple[str, str], bytes] = {}
    pdfs: dict[tuple[str, str], Document] = {}  # (language, format) -> the document it shows
    missing: set[str] = set()  # each character no house font has: 'U+0627 ARABIC LETTER ALEF'
    wholes: list[tuple[Format, Document]] = []  # the files that hold every language
    for copy in COPIES:
        wanted = [fmt for fmt in copy.formats if fmt.name in formats]
        if not wanted:
            continue
        versions = {
            language: compose_letter(
                loaded,
                prepared.facts[language],
                project,
                copy=copy.audience,
                language=language,
                wordings=prepared.wordings,
            )
            for language in languages
        }
        for document in versions.values():
            missing.update(missing_characters(document, project.style))
        for fmt in wanted:
            if fmt.per_language:  # a PDF tags one language: one PDF each
                pdfs.update(
                    ((language, fmt.name), document) for language, document in versions.items()
                )
            else:  # one file holds every language
                whole = combine(
                    list(versions.values()), every_footer=project.style.footer.every_language
                )
                wholes.append((fmt, whole))
    # one warning for the letter, whichever copy or language shows each character
    render_warnings = _unprintable(tuple(sorted(missing, key=_code_point)))
    named = {character.split()[0] for character in missing}  # U+0627
    if pdfs and not lay_out:
        from ..render.pdf import warm_pdfs

        warm_pdfs(list(pdfs.values()), project.style)
        pdfs = {}
    # in order of language, so that the two copies of one language, laid out alike, are laid
    # out once
    order = [str(language) for language in languages]
    keys = sorted(pdfs, key=lambda key: order.index(key[0]))
    # the PDFs are started first: in a process beside (`pdf_beside`), they are laid out as
    # the rest is made
    from .pdf_beside import lay_out_pdfs

    laid_out = lay_out_pdfs([pdfs[key] for key in keys], project.style)
    for fmt, whole in wholes:
        rendered, _ = render(whole, project, (fmt.renderer,))
        files[fmt.name, ""] = rendered[fmt.renderer]
    for (language, pdf), result in zip(keys, laid_out(), strict=True):
        files[pdf, named_language(language, languages)] = result.data
        render_warnings += tuple(
            w for w in result.warnings if w not in render_warnings and not _said(w, named)
        )
    return files, render_warnings


#: WeasyPrint's warning of a character no font has, which the letter's own warning names.
_NO_GLYPH = re.compile(r"\.notdef glyph rendered for Unicode string unsupported by fonts")
_CODE_POINT = re.compile(r"U\+[0-9A-F]{4,6}")


def _code_point(character: str) -> int:
    """Read the code point a missing character's name starts with ('U+0627 ...')."""
    return int(character.split()[0][2:], 16)


def _said(warning: str, named: set[str]) -> bool:
    """Say whether WeasyPrint warns only of characters the letter's own warning named."""
    codes = set(_CODE_POINT.findall(warning))
    return bool(_NO_GLYPH.match(warning) and codes and codes <= named)


def _unprintable(missing: tuple[str, ...]) -> tuple[str, ...]:
    """Warn of the characters no house font has (`missing_characters`): each prints as a box."""
    if not missing:
        return ()
    shown = ", ".join(missing[:5]) + (f" and {len(missing) - 5} more" if len(missing) > 5 else "")
    return (
        f"no house font (templates/fonts) has {shown}; the PDF would show a blank box for "
        "each: add a font that has them to the house style, or write the text another way",
    )


def warm_letter(data_path: Path, project: Project, formats: tuple[str, ...]) -> bool:
    """Render a draft letter in memory, but for laying out its PDFs, and keep nothing of it.

    What the process made for it that every letter of the project needs (its wording
    templates compiled, the house fonts checked, the Word styles, the page CSS, WeasyPrint
    imported) stays made: a process that forks build workers does this first
    (`batch.build_many`), so that their first letters cost what their second do. Return
    whether the letter was rendered: an approved letter builds in its snapshot's project,
    and is not; one that does not check is not, and says nothing (its build says why).
    """
    if load_letter(data_path, project.root).letter.status.state != "draft":
        return False
    from .snapshot import frozen

    if frozen(data_path, project.root) is not None:  # as `make_letter` asks, first
        return False
    prepared = prepare(data_path, project)
    if prepared.failures(False):
        return False
    render_letter(prepared, project, formats, lay_out=False)
    return True


def _checked(data_path: Path, project: Project, strict: bool) -> Prepared:
    """Validate and check a letter; raise its errors (and, when strict, its warnings)."""
    prepared = prepare(data_path, project)
    failures = prepared.failures(strict)
    if failures:
        raise CheckError(failures)
    return prepared


def _attachments(
    loaded: LoadedLetter, letter: Letter, copy: Audience, project: Project, language: str
) -> tuple[Attachment, ...]:
    """List the files a copy's PDF embeds: every input, the data as sent, or nothing.

    The record embeds its whole snapshot (`record_inputs`): each input by its path in the
    project, the letter's data as it is when filed, and the list of their digests.
    """
    embeds = BY_AUDIENCE[copy].embeds
    if embeds == "sources":
        from .record_inputs import record_attachments

        root = project.root.resolve()
        return record_attachments(
            record_files(loaded, project),
            loaded.source.path.resolve().relative_to(root).as_posix(),
            language,
        )
    if embeds == "data":
        data = letter.model_dump(mode="json", exclude_defaults=True)
        # libyaml's emitter where PyYAML has it: the same text, ten times faster
        dumper = getattr(yaml, "CSafeDumper", yaml.SafeDumper)
        text = yaml.dump(data, Dumper=dumper, allow_unicode=True, sort_keys=False, width=100)
        description = "The data this letter states, office file included (letters)"
        name = loaded.source.path.name
        return (Attachment(name, text.encode("utf-8"), description, relationship="Data"),)
    return ()


def record_files(loaded: LoadedLetter, project: Project) -> dict[str, bytes]:
    """Read every input of a letter, by its path in the project, as its record embeds it.

    The signature images as they were read and checked; the other files read again through
    `read_input`, the letter's data as it is now.
    """
    root = project.root.resolve()
    images = {s.image_file.resolve(): s.image for s in loaded.signers if s.image_file is not None}
    files = {}
    for path in sorted({path.resolve() for path in letter_inputs(loaded, project)}):
        name = path.relative_to(root).as_posix()
        files[name] = images[path] if path in images else read_input(path, root, ANY)
    return files


def archive_records(data_path: Path, project: Project, strict: bool = False) -> list[Record]:
    """Check a letter and render its record PDF (one per language) to archive; refuse drafts.

    The record is made from the letter's approval snapshot, as its sent files are.
    """
    from .snapshot import frozen

    approved = frozen(data_path, project.root)
    if approved is None:
        raise ArchiveError(
            f"{data_path}: the letter is a draft; only approved or sent letters can be archived "
            "(approve it: letters approve)"
        )
    records = approved.run(lambda path, there: _records(path, there, strict), data_path)
    versions = {
        "letter_version": approved.approval.version,
        "supersedes": approved.approval.supersedes,
    }
    return [replace(r, particulars={**r.particulars, **versions}) for r in records]


def remade_record(data_path: Path, project: Project, language: str) -> Record | None:
    """Render a letter's record PDF in one language again; None if it has no such language.

    As `letters archive` renders it from the letter's snapshot: given the same files, in a
    project of its own, it gives the same bytes.
    """
    found = _records(data_path, project, strict=False, only=language)
    return found[0] if found else None


def _records(
    data_path: Path, project: Project, strict: bool, only: str | None = None
) -> list[Record]:
    """Render the record PDF of a letter (one per language, or `only` one) with its particulars."""
    from .archive import Record
    from .record_inputs import LIST_NAME

    prepared = _checked(data_path, project, strict)
    loaded = prepared.loaded
    letter = loaded.letter
    records = []
    status = letter.status
    for language, facts in prepared.facts.items():
        if only is not None and language != only:
            continue
        document = compose_letter(
            loaded, facts, project, copy="record", language=language, wordings=prepared.wordings
        )
        files, _ = render(document, project, ("pdf",))
        recipient = (
            "; ".join(
                f"{a.addressee}, {r.title}"
                for a, r in zip(facts.recipients, letter.addressed_to, strict=True)
            )
            if facts.recipients
            else "(published statement)"
        )
        report = letter.report
        particulars = {
            "title": document.title,
            "language": document.language,
            "recipient": recipient,
            "letter_date": letter.letter.date_text,
            "report": f"{report.inspectorate} {report.title}, {letter.force.name}, published "
            f"{report.published.isoformat()}",
            "kind": report.kind,
            "force": letter.force.name,
            "status": status.state,
            "sent_on": status.sent_on.isoformat() if status.sent_on else "",
            "approved_by": status.approved_by,
            "approved_on": status.approved_on.isoformat() if status.approved_on else "",
            "marking": letter.marking,
            "inputs_sha256": dict(document.properties)["inputsSha256"],
        }
        letter_id = output_name(data_path.stem, "", named_language(language, list(prepared.facts)))
        records.append(
            Record(
                letter_id,
                files["pdf"],
                {item.name: item.data for item in document.attachments if item.name != LIST_NAME},
                particulars,
                letter.record_day,
                letter.office.retention_years,
            )
        )
    return records
