"""Build letters: data file -> facts -> wording -> one Document -> DOCX, HTML and PDF files."""

from __future__ import annotations

import base64
import datetime as dt
from dataclasses import dataclass
from pathlib import Path

from .archive import ArchiveError, Record
from .document import Document, Letterhead, combine
from .errors import RenderError
from .examine import CheckError, Examined, examine, language_facts
from .facts import LetterFacts
from .model import Letter, public_copy
from .output import FORMATS, SUFFIXES, safe_name, write_all
from .project import Project
from .provenance import inputs_digest, tool_versions
from .style import render_css
from .to_html import css_page_label, css_string, render_html
from .to_pdf import Attached
from .validate import LoadedLetter, load_letter
from .wording import render_wording
from .wordmark import draw_wordmark, watermark_svg


@dataclass(frozen=True)
class Built:
    """What building one letter wrote, and the warnings of its checks and of WeasyPrint."""

    paths: tuple[Path, ...]
    warnings: tuple[str, ...]


def compose(data_path: Path, project: Project) -> Document:
    """Read a letter's data and render its wording into the shared document model."""
    loaded = load_letter(data_path, project.root)
    return combine([compose_letter(loaded, facts, project, language=language) for language, facts in language_facts(loaded).items()])


def compose_letter(loaded: LoadedLetter, facts: LetterFacts, project: Project, *, public: bool = False, language: str = "en") -> Document:
    """Render a validated letter's wording in one language with its facts into the shared document model.

    The public copy (`public`) leaves out every field the model marks internal. Welsh wording
    comes from templates/letters/cy/.
    """
    letter = public_copy(loaded.letter) if public else loaded.letter
    assert isinstance(letter, Letter)
    context = {**{name: getattr(letter, name) for name in type(letter).model_fields}, "facts": facts}
    folder = "letters" if language == "en" else f"letters/{language}"
    wording = render_wording(project.environment, f"{folder}/{loaded.framework.template}.md.j2", context)
    meta = wording.meta
    office_name = letter.office.cy.name if language == "cy" and letter.office.cy else letter.office.name
    return Document(
        title=meta.get("title", ""),
        author=letter.office.signatory.name,
        subject=meta.get("subject", ""),
        keywords=tuple(k.strip() for k in meta.get("keywords", "").split(",") if k.strip()),
        language=meta.get("language", "en-GB"),
        date=letter.letter.date.isoformat(),
        page_label=meta.get("page_label", "Page {page} of {pages}"),
        letterhead=_letterhead(loaded, project),
        footer=", ".join((office_name, *letter.office.address)),
        blocks=wording.blocks,
        marking=letter.marking,
        draft=letter.status.state == "draft",
        properties=_properties(loaded, project, "public" if public else "record"),
    )


def _properties(loaded: LoadedLetter, project: Project, copy: str) -> tuple[tuple[str, str], ...]:
    """What the files' metadata records: the tools, a digest of every input, the letter's status."""
    status = loaded.letter.status
    facts = [*tool_versions(), ("inputsSha256", inputs_digest([*loaded.source.files, *project.template_files], project.root)),
             ("copy", copy), ("status", status.state)]
    if status.approved_by:
        facts += [("approvedBy", status.approved_by), ("approvedOn", str(status.approved_on))]
    if loaded.letter.marking:
        facts.append(("marking", loaded.letter.marking))
    return tuple(facts)


def _letterhead(loaded: LoadedLetter, project: Project) -> Letterhead:
    """Draw the office's wordmark in the house style."""
    office, style = loaded.letter.office, project.style
    subtitles = {"en": office.letterhead.subtitle, "cy": office.cy.letterhead_subtitle if office.cy else ""}
    subtitle = " · ".join(subtitles[language] for language in loaded.letter.languages if subtitles[language])
    alt = f"{office.letterhead.title} {subtitle}"
    svg, png = draw_wordmark(
        office.letterhead.title, subtitle, style.letterhead.height.mm,
        bold=project.template_file(style.font.files.bold),
        regular=project.template_file(style.font.files.regular),
        accent=style.colours.accent, rule=style.colours.rule, muted=style.colours.muted, alt=alt,
    )
    return Letterhead(svg=svg, png=png, alt=alt)


def render(document: Document, project: Project, formats: tuple[str, ...],
           attachments: tuple[Attached, ...] = ()) -> tuple[dict[str, bytes], tuple[str, ...]]:
    """Render the document in each asked-for format ('docx', 'pdf', 'html'), in memory."""
    files: dict[str, bytes] = {}
    warnings: tuple[str, ...] = ()
    if "html" in formats or "pdf" in formats:
        html = render_html(document, _css(document, project))
        if "html" in formats:
            files["html"] = html.encode("utf-8")
        if "pdf" in formats:
            from .to_pdf import render_pdf

            midnight = dt.datetime.fromisoformat(document.date).replace(tzinfo=dt.UTC)
            pdf = render_pdf(html, project.style, project.templates, when=midnight, attachments=attachments,
                             properties=dict(document.properties), language=document.language)
            files["pdf"], warnings = pdf.data, pdf.warnings
    if "docx" in formats:
        from .to_docx import render_docx

        files["docx"] = render_docx(document, project.style)
    return files, warnings


def _css(document: Document, project: Project) -> str:
    """The house CSS for this document: its footer, page label, marking and, for drafts, the DRAFT mark."""
    style = project.style
    watermark = ""
    if document.draft:
        svg = watermark_svg("DRAFT", project.template_file(style.font.files.bold), style.marking.draft_colour)
        watermark = "data:image/svg+xml;base64," + base64.b64encode(svg).decode("ascii")
    return render_css(project.templates, style, footer_css=css_string(document.footer),
                      page_label_css=css_page_label(document.page_label),
                      marking_css=css_string(document.marking) if document.marking else "", watermark=watermark)


def build_letter(data_path: Path, out_dir: Path, formats: tuple[str, ...] = FORMATS, project: Project | None = None,
                 strict: bool = False) -> Built:
    """Check and build one letter into `out_dir`; write nothing if any step fails.

    The record copy (DOCX, and a PDF/A-3 with the letter's sources inside) is what is sent and
    archived; the public copy (HTML page and PDF) leaves out internal fields and embeds nothing.
    Errors from the checks stop the letter; so do warnings, and WeasyPrint's, when `strict`.
    """
    project = project or Project.find(data_path.parent, Path.cwd())
    examined = _checked(data_path, project, strict)
    loaded = examined.loaded
    languages = loaded.letter.languages
    attachments = sources(loaded)
    files: dict[tuple[str, str], bytes] = {}  # (format, language) -> bytes; language '' for every language at once
    render_warnings: tuple[str, ...] = ()
    for public, whole, pdf in ((False, "docx", "pdf"), (True, "html", "public-pdf")):
        if whole not in formats and pdf not in formats:
            continue
        versions = {language: compose_letter(loaded, examined.facts[language], project, public=public, language=language) for language in languages}
        if whole in formats:  # one file holds every language
            rendered, _ = render(combine(list(versions.values())), project, (whole,))
            files[whole, ""] = rendered[whole]
        if pdf in formats:  # a PDF tags one language: one PDF each
            for language, document in versions.items():
                rendered, warned = render(document, project, ("pdf",), () if public else attachments)
                files[pdf, language if len(languages) > 1 else ""] = rendered["pdf"]
                render_warnings += tuple(w for w in warned if w not in render_warnings)
    if strict and render_warnings:
        raise RenderError(f"{data_path}: WeasyPrint warned (--strict makes this an error): " + "; ".join(render_warnings))
    targets = {safe_name(out_dir, data_path.stem + (f".{language}" if language else "") + SUFFIXES[fmt]): data
               for (fmt, language), data in files.items()}
    write_all(targets)
    warnings = tuple(str(f) for f in examined.findings if f.severity == "warning") + tuple(f"{data_path}: warning: {w}" for w in render_warnings)
    return Built(tuple(targets), warnings)


def _checked(data_path: Path, project: Project, strict: bool) -> Examined:
    """Validate and check a letter; raise its errors (and, when strict, its warnings)."""
    examined = examine(data_path, project)
    failures = examined.failures(strict)
    if failures:
        raise CheckError(failures)
    return examined


def sources(loaded: LoadedLetter) -> tuple[Attached, ...]:
    """The letter's data files, to embed in its record PDF."""
    return tuple(Attached(path.name, path.read_bytes(), "The data this letter was made from (letters)") for path in loaded.source.files)


def archive_records(data_path: Path, project: Project, strict: bool = False) -> list[Record]:
    """Check a letter and render its record PDF (one per language) for the archive; drafts are refused."""
    examined = _checked(data_path, project, strict)
    loaded = examined.loaded
    letter = loaded.letter
    if letter.status.state == "draft":
        raise ArchiveError(f"{data_path}: the letter is a draft; only approved or sent letters can be archived (set status.state)")
    attachments = sources(loaded)
    records = []
    for language, facts in examined.facts.items():
        document = compose_letter(loaded, facts, project, language=language)
        files, _ = render(document, project, ("pdf",), attachments)
        status = letter.status
        particulars = {
            "title": document.title,
            "language": document.language,
            "recipient": f"{facts.addressee}, {letter.recipient.title}" if letter.recipient else "(published statement)",
            "letter_date": letter.letter.date.isoformat(),
            "report": f"{letter.report.inspectorate} {letter.report.title}, {letter.force.name}, published {letter.report.published.isoformat()}",
            "status": status.state,
            "approved_by": status.approved_by,
            "approved_on": status.approved_on.isoformat() if status.approved_on else "",
            "marking": letter.marking,
            "inputs_sha256": dict(document.properties)["inputsSha256"],
        }
        letter_id = data_path.stem if len(examined.facts) == 1 else f"{data_path.stem}.{language}"
        records.append(Record(letter_id, files["pdf"], {item.name: item.data for item in attachments},
                              particulars, letter.letter.date, letter.office.retention_years))
    return records
