"""Build letters: data file -> facts -> wording -> one Document -> DOCX, HTML and PDF files."""

from __future__ import annotations

import base64
import datetime as dt
from dataclasses import dataclass
from pathlib import Path

from .archive import ArchiveError, Record
from .document import Document, Letterhead
from .errors import RenderError
from .examine import CheckError, Examined, examine
from .facts import LetterFacts, build_facts
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
    return compose_letter(loaded, build_facts(loaded.letter, loaded.source.locate, loaded.framework), project)


def compose_letter(loaded: LoadedLetter, facts: LetterFacts, project: Project, *, public: bool = False) -> Document:
    """Render a validated letter's wording with its facts into the shared document model.

    The public copy (`public`) leaves out every field the model marks internal.
    """
    letter = public_copy(loaded.letter) if public else loaded.letter
    assert isinstance(letter, Letter)
    context = {**{name: getattr(letter, name) for name in type(letter).model_fields}, "facts": facts}
    wording = render_wording(project.environment, f"letters/{loaded.framework.template}.md.j2", context)
    meta = wording.meta
    return Document(
        title=meta.get("title", ""),
        author=letter.office.signatory.name,
        subject=meta.get("subject", ""),
        keywords=tuple(k.strip() for k in meta.get("keywords", "").split(",") if k.strip()),
        language=meta.get("language", "en-GB"),
        date=letter.letter.date.isoformat(),
        page_label=meta.get("page_label", "Page {page} of {pages}"),
        letterhead=_letterhead(loaded, project),
        footer=", ".join((letter.office.name, *letter.office.address)),
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
    alt = f"{office.letterhead.title} {office.letterhead.subtitle}"
    svg, png = draw_wordmark(
        office.letterhead.title, office.letterhead.subtitle, style.letterhead.height.mm,
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
    files: dict[str, bytes] = {}
    render_warnings: tuple[str, ...] = ()
    for public, copy_formats in ((False, {"docx": "docx", "pdf": "pdf"}), (True, {"html": "html", "public-pdf": "pdf"})):
        wanted = {fmt: rendered for fmt, rendered in copy_formats.items() if fmt in formats}
        if not wanted:
            continue
        document = compose_letter(loaded, examined.facts, project, public=public)
        rendered, warned = render(document, project, tuple(wanted.values()), () if public else sources(loaded))
        files.update({fmt: rendered[as_format] for fmt, as_format in wanted.items()})
        render_warnings += tuple(w for w in warned if w not in render_warnings)
    if strict and render_warnings:
        raise RenderError(f"{data_path}: WeasyPrint warned (--strict makes this an error): " + "; ".join(render_warnings))
    targets = {safe_name(out_dir, data_path.stem + SUFFIXES[fmt]): files[fmt] for fmt in formats}
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


def archive_record(data_path: Path, project: Project, strict: bool = False) -> Record:
    """Check a letter and render its record PDF for the archive; drafts are refused."""
    examined = _checked(data_path, project, strict)
    loaded = examined.loaded
    letter = loaded.letter
    if letter.status.state == "draft":
        raise ArchiveError(f"{data_path}: the letter is a draft; only approved or sent letters can be archived (set status.state)")
    document = compose_letter(loaded, examined.facts, project)
    attachments = sources(loaded)
    files, _ = render(document, project, ("pdf",), attachments)
    status = letter.status
    particulars = {
        "title": document.title,
        "recipient": f"{examined.facts.addressee}, {letter.recipient.title}" if letter.recipient else "(published statement)",
        "letter_date": letter.letter.date.isoformat(),
        "report": f"{letter.report.inspectorate} {letter.report.title}, {letter.force.name}, published {letter.report.published.isoformat()}",
        "status": status.state,
        "approved_by": status.approved_by,
        "approved_on": status.approved_on.isoformat() if status.approved_on else "",
        "marking": letter.marking,
        "inputs_sha256": dict(document.properties)["inputsSha256"],
    }
    return Record(data_path.stem, files["pdf"], {item.name: item.data for item in attachments},
                  particulars, letter.letter.date, letter.office.retention_years)
