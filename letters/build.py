"""Build letters: data file -> facts -> wording -> one Document -> DOCX, HTML and PDF files."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from .document import Document, Letterhead
from .errors import RenderError
from .examine import CheckError, examine
from .facts import LetterFacts, build_facts
from .output import FORMATS, safe_name, write_all
from .project import Project
from .style import render_css
from .to_html import css_page_label, css_string, render_html
from .validate import LoadedLetter, load_letter
from .wording import render_wording
from .wordmark import draw_wordmark


@dataclass(frozen=True)
class Built:
    """What building one letter wrote, and the warnings of its checks and of WeasyPrint."""

    paths: tuple[Path, ...]
    warnings: tuple[str, ...]


def compose(data_path: Path, project: Project) -> Document:
    """Read a letter's data and render its wording into the shared document model."""
    loaded = load_letter(data_path, project.root)
    return compose_letter(loaded, build_facts(loaded.letter, loaded.source.locate), project)


def compose_letter(loaded: LoadedLetter, facts: LetterFacts, project: Project) -> Document:
    """Render a validated letter's wording with its facts into the shared document model."""
    letter = loaded.letter
    context = {**{name: getattr(letter, name) for name in type(letter).model_fields}, "facts": facts}
    wording = render_wording(project.environment, f"letters/{letter.report.kind}.md.j2", context)
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
    )


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


def render(document: Document, project: Project, formats: tuple[str, ...]) -> tuple[dict[str, bytes], tuple[str, ...]]:
    """Render the document in each asked-for format, in memory."""
    files: dict[str, bytes] = {}
    warnings: tuple[str, ...] = ()
    if "html" in formats or "pdf" in formats:
        css = render_css(project.templates, project.style, footer_css=css_string(document.footer),
                         page_label_css=css_page_label(document.page_label))
        html = render_html(document, css)
        if "html" in formats:
            files["html"] = html.encode("utf-8")
        if "pdf" in formats:
            from .to_pdf import render_pdf

            pdf = render_pdf(html, project.style, project.templates)
            files["pdf"], warnings = pdf.data, pdf.warnings
    if "docx" in formats:
        from .to_docx import render_docx

        files["docx"] = render_docx(document, project.style)
    return files, warnings


def build_letter(data_path: Path, out_dir: Path, formats: tuple[str, ...] = FORMATS, project: Project | None = None,
                 strict: bool = False) -> Built:
    """Check and build one letter into `out_dir` as <stem>.<format>; write nothing if any step fails.

    Errors from the checks stop the letter; so do warnings, and WeasyPrint's, when `strict`.
    """
    project = project or Project.find(data_path.parent, Path.cwd())
    examined = examine(data_path, project)
    failures = examined.failures(strict)
    if failures:
        raise CheckError(failures)
    document = compose_letter(examined.loaded, examined.facts, project)
    files, render_warnings = render(document, project, formats)
    if strict and render_warnings:
        raise RenderError(f"{data_path}: WeasyPrint warned (--strict makes this an error): " + "; ".join(render_warnings))
    targets = {safe_name(out_dir, f"{data_path.stem}.{fmt}"): files[fmt] for fmt in formats}
    write_all(targets)
    warnings = tuple(str(f) for f in examined.findings if f.severity == "warning") + tuple(f"{data_path}: warning: {w}" for w in render_warnings)
    return Built(tuple(targets), warnings)
