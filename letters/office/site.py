"""The office's publication pages: `letters site` writes them from the letters it has sent.

Only what was sent goes in, as it was sent (letters.office.sent reads each version from the
snapshot store and checks it). Nothing is read from the working tree but the office's site
settings, the house style and the words of the pages; a draft, an approved letter not yet
sent, the sent copy's PDF or DOCX, a note or a signature image has no way in.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, replace
from pathlib import Path
from urllib.parse import urljoin

from ..build.output import (
    check_replaceable,
    named_language,
    output_name,
    replace_folder,
)
from ..build.project import Project
from ..compose.markdown import OwnTextError, parse_own
from ..compose.site import (
    Index,
    Link,
    Row,
    SiteWords,
    Words,
    Year,
    day_words,
    fill,
    iso,
    language_tag,
    load_words,
    size_words,
)
from ..render.site import (
    CHECKSUMS,
    atom_feed,
    fragment_html,
    index_html,
    response_page,
    rows_csv,
    site_css,
)
from ..source.copies import BY_AUDIENCE
from ..source.errors import LettersError
from ..source.frameworks import DEADLINE_IN_FORCE, last_day
from ..source.model import Letter, Office, SiteSettings
from ..source.validate import load_office
from .due import published_late
from .sent import SentVersion, sent_letters

#: Where `letters site` writes, under the project, one folder for each office.
SITE_FOLDER = Path("build") / "site"
#: Where the response pages and their PDFs go, in an office's folder.
RESPONSES = "responses"


@dataclass(frozen=True)
class Site:
    """What `letters site` wrote for one office: its folder and counts."""

    office: str
    folder: Path
    responses: int
    versions: int
    files: int


def site_settings(
    project: Project, versions: list[SentVersion]
) -> tuple[Office, Callable[[str], str]]:
    """Return an office's details for its pages: its file as it is now, else as last sent.

    Also return where each of its site settings is written ('intro_cy'), for a message.
    """
    office = versions[-1].office
    path = project.root / office
    if path.is_file():
        settings, source = load_office(path, project.root)
        return settings, lambda field: f"{source.locate(('site', field))}: site.{field}"
    as_sent = f"{office} (as sent; the file is gone: put it back to change its site)"
    return versions[-1].letter.office, lambda field: f"{as_sent}: site.{field}"


def make_sites(
    project: Project,
    out: Path,
    only: str | None = None,
    progress: Callable[[str], None] | None = None,
) -> list[Site]:
    """Write each office's publication pages (or only the office named) into out/<office>/.

    Every office's files are made, and every folder they replace checked, before any is
    written: a bad office file or someone else's folder leaves every folder as it was.
    """
    letters = sent_letters(project)
    by_office: dict[str, dict[str, list[SentVersion]]] = defaultdict(dict)
    for name, versions in letters.items():
        by_office[Path(versions[-1].office).stem][name] = versions
    if only is not None and only not in by_office:
        known = ", ".join(sorted(by_office)) or "none"
        raise LettersError(
            f"--office {only!r}: no letter of that office has been sent; offices with letters "
            f"sent: {known}"
        )
    words = load_words(project.templates, project.root)
    offices = [office for office in sorted(by_office) if only is None or office == only]
    for office in offices:
        check_replaceable(out / office, CHECKSUMS)
    made: dict[str, dict[str, bytes]] = {}
    for office in offices:  # every office's files made before any is written
        made[office] = site_files(project, by_office[office], words)
    sites = []
    for office, files in made.items():
        if progress:
            progress(office)
        folder = out / office
        replace_folder(folder, files, CHECKSUMS)
        responses = by_office[office]
        sites.append(
            Site(
                office,
                folder,
                len(responses),
                sum(len(v) for v in responses.values()),
                len(files),
            )
        )
    return sites


def site_files(
    project: Project, letters: dict[str, list[SentVersion]], words: SiteWords
) -> dict[str, bytes]:
    """Make every file of one office's pages: name in the folder -> bytes."""
    any_versions = next(iter(letters.values()))
    office, setting_at = site_settings(project, any_versions)
    settings = office.site
    stems = _stems(letters)
    codes = ["en", "cy"] if office.cy is not None and words.cy is not None else ["en"]
    files: dict[str, bytes] = {}
    for name, versions in letters.items():
        files |= _response_files(stems[name], versions, words, codes, settings, office)
    for code in codes:
        said = words.cy if code == "cy" else words.en
        assert said is not None
        index = _index(code, codes, said, letters, stems, office, setting_at)
        suffix = "" if code == "en" else f".{code}"
        files[_index_name(code)] = index_html(index).encode("utf-8")
        files[f"index{suffix}.fragment.html"] = fragment_html(index, settings.base_url).encode()
        files[f"responses{suffix}.csv"] = rows_csv(index, settings.base_url).encode("utf-8")
        files[f"feed{suffix}.atom"] = atom_feed(
            index, settings.base_url, _feed_id(index, office, settings.base_url)
        )
    files["site.css"] = site_css(project.style).encode("utf-8")
    files[CHECKSUMS] = "".join(
        f"{hashlib.sha256(data).hexdigest()}  {name}\n" for name, data in sorted(files.items())
    ).encode("ascii")
    return files


def _stems(letters: dict[str, list[SentVersion]]) -> dict[str, str]:
    """Name each letter's pages by its data file's name, each name once.

    Of two letters of one name (data/x.yaml, data/examples/x.yaml), the one sent first keeps
    x and the other is x-2: a page's name never changes when another letter is sent.
    """
    stems: dict[str, str] = {}
    taken = {Path(name).stem for name in letters}
    first_sent = sorted(letters, key=lambda name: (letters[name][0].day, name))
    for name in first_sent:
        stem = Path(name).stem
        if stem in stems.values():
            number = 2
            while f"{stem}-{number}" in taken:
                number += 1
            stem = f"{stem}-{number}"
            taken.add(stem)
        stems[name] = stem
    return stems


def _page(stem: str, version: int | None) -> str:
    """Name a response's page: the current one's, or an earlier version's."""
    return f"{RESPONSES}/{stem}" + (f".v{version}" if version else "") + ".html"


def _pdfs(stem: str, version: int | None, sent: SentVersion) -> dict[str, tuple[str, bytes]]:
    """Name a version's public PDFs in the site: language code ('' for one) -> (name, bytes)."""
    pdf = next(fmt for fmt in BY_AUDIENCE["public"].formats if fmt.renderer == "pdf")
    found = {}
    for code in sent.letter.languages:
        named = named_language(code, sent.letter.languages)
        kept = output_name(Path(sent.name).stem, pdf.suffix, named)
        at = f"{RESPONSES}/{stem}" + (f".v{version}" if version else "")
        found[named] = (at + (f".{named}" if named else "") + ".pdf", sent.files[kept])
    return found


def _html(sent: SentVersion) -> bytes:
    """Return a version's public HTML page as kept."""
    html = next(fmt for fmt in BY_AUDIENCE["public"].formats if fmt.renderer == "html")
    return sent.files[output_name(Path(sent.name).stem, html.suffix)]


def _response_files(
    stem: str,
    versions: list[SentVersion],
    words: SiteWords,
    codes: list[str],
    settings: SiteSettings,
    office: Office,
) -> dict[str, bytes]:
    """Write a letter's pages and PDFs: the current version's, then each earlier one's."""
    files: dict[str, bytes] = {}
    latest = versions[-1]
    for sent in versions:
        number = None if sent is latest else sent.approval.version
        code = sent.letter.languages[0]
        said = (words.cy if code == "cy" else None) or words.en
        title = _title(sent.letter, code if code in codes else "en")
        home = code if code in codes else codes[0]
        index, *others = [
            Link(f"../{_index_name(c)}", _site_title(c, words, settings), language_tag(c))
            for c in sorted(codes, key=lambda c: c != home)
        ]
        notes = _version_notes(sent, latest, versions, stem, said, code)
        nav = response_page(_html(sent), index, tuple(others), title, notes, said.breadcrumb)
        files[_page(stem, number)] = nav
        for name, data in _pdfs(stem, number, sent).values():
            files[name] = data
    return files


def _version_notes(
    sent: SentVersion,
    latest: SentVersion,
    versions: list[SentVersion],
    stem: str,
    words: Words,
    code: str,
) -> tuple[Link | str, ...]:
    """Say on a response's page how it stands among its versions: updated, or replaced."""
    if sent is not latest:
        replaced = day_words(latest.day, code, words)
        return (fill(words.superseded, day=replaced), Link(f"{stem}.html", words.current))
    if len(versions) == 1:
        return ()
    notes: list[Link | str] = [_updated(sent, code, words)]
    for earlier in versions[:-1]:
        # its page and its PDFs, as kept: nothing of the site is left without a link to it
        version = earlier.approval.version
        links = [_earlier(stem, earlier, code, words), *_pdf_links(stem, version, earlier, words)]
        notes.extend(replace(link, href=Path(link.href).name) for link in links)
    return tuple(notes)


def _updated(sent: SentVersion, code: str, words: Words) -> str:
    """Say when a letter sent again was last published, and why it was reopened."""
    return fill(words.updated, day=day_words(sent.day, code, words), reason=sent.approval.reason)


def _earlier(stem: str, earlier: SentVersion, code: str, words: Words) -> Link:
    """Link an earlier version's page, by its number and the day it was published."""
    version = earlier.approval.version
    said = fill(words.earlier, version=version, day=day_words(earlier.published, code, words))
    return Link(_page(stem, version), said)


def _pdf_links(
    stem: str,
    version: int | None,
    sent: SentVersion,
    words: Words,
    code: str = "",
    title: str = "",
) -> list[Link]:
    """Link a version's public PDFs with their sizes, `code`'s first; named for `title`, if given.

    A letter in one language has one PDF, linked as 'PDF, 84 KB'; in several, one each,
    named by its language.
    """
    pdfs = dict(sorted(_pdfs(stem, version, sent).items(), key=lambda item: item[0] != code))
    several = len(pdfs) > 1
    links = []
    for named, (path, data) in pdfs.items():
        size = size_words(len(data))
        said = words.pdf_in.get(named, words.pdf) if several else words.pdf
        label = fill(words.pdf_label, report=title, size=size) if title and not several else ""
        links.append(Link(path, fill(said, size=size), label=label, size=len(data)))
    return links


def _index_name(code: str) -> str:
    """Name the index page of a language: index.html, index.cy.html."""
    return "index.html" if code == "en" else f"index.{code}.html"


def _site_title(code: str, words: SiteWords, settings: SiteSettings) -> str:
    """Return the index's title in a language: the office's own, else the words'."""
    said = words.cy if code == "cy" and words.cy is not None else words.en
    own = settings.title_cy if code == "cy" else settings.title
    return own or said.title


def _title(letter: Letter, code: str) -> str:
    """Return a report's title in a language: its Welsh one where the letter gives it."""
    if code == "cy" and letter.cy is not None:
        return letter.cy.report_title
    return letter.report.title


def _index(
    code: str,
    codes: list[str],
    words: Words,
    letters: dict[str, list[SentVersion]],
    stems: dict[str, str],
    office: Office,
    setting_at: Callable[[str], str],
) -> Index:
    """Make one language's index: its years, newest first, each report's row in its words."""
    settings = office.site
    rows: dict[int, list[tuple[tuple[dt.date, str], Row]]] = defaultdict(list)
    for name, versions in letters.items():
        row = _row(code, words, versions, stems[name])
        latest = versions[-1].letter
        rows[latest.report.published.year].append(((latest.report.published, name), row))
    years = tuple(
        Year(
            year,
            fill(words.year, year=year),
            tuple(row for _, row in sorted(found, key=lambda r: r[0], reverse=True)),
        )
        for year, found in sorted(rows.items(), reverse=True)
    )
    own_intro = settings.intro_cy if code == "cy" else settings.intro
    try:
        intro = tuple(parse_own(own_intro or words.intro))
    except OwnTextError as exc:
        field = "intro" if code == "en" else f"intro_{code}"
        where = setting_at(field) if own_intro else f"templates/site/words.yaml: {code}.intro"
        raise LettersError(f"{where}: {exc}") from None
    alternates = tuple(
        Link(_index_name(other), words.other_language, language_tag(other))
        for other in codes
        if other != code
    )
    suffix = "" if code == "en" else f".{code}"
    names = office.cy if code == "cy" and office.cy is not None else office
    return Index(
        language=language_tag(code),
        title=(settings.title_cy if code == "cy" else settings.title) or words.title,
        intro=intro,
        words=words,
        years=years,
        alternates=alternates,
        feed=Link(f"feed{suffix}.atom", words.feed),
        office=names.name,
        show_deadline=settings.deadline_column,
        home=_index_name(code),
    )


def _row(code: str, words: Words, versions: list[SentVersion], stem: str) -> Row:
    """Say one report and the response to it in a language."""
    sent = versions[-1]
    letter = sent.letter
    title = _title(letter, code)
    title_lang = "" if code == "en" or letter.cy is not None else language_tag("en")
    force = letter.cy.force if code == "cy" and letter.cy is not None else letter.force.name
    first = versions[0]  # the law asks when the comments were first published
    deadline_key = _deadline(first)
    links = _pdf_links(stem, None, sent, words, code, title)
    updated = _updated(sent, code, words) if len(versions) > 1 else ""
    return Row(
        report=Link(letter.report.url, title, title_lang),
        force=force,
        force_lang="" if code == "en" or letter.cy is not None else language_tag("en"),
        published=day_words(letter.report.published, code, words),
        published_iso=letter.report.published.isoformat(),
        responded=day_words(first.published, code, words),
        responded_iso=iso(first.published),
        deadline=getattr(words, deadline_key),
        deadline_key=deadline_key,
        delay_reason=first.letter.letter.delay_reason if deadline_key == "no" else "",
        page=_page_link(stem, letter, words, title),
        files=tuple(links),
        updated=updated,
        updated_iso=sent.day.isoformat() if len(versions) > 1 else "",
        reason=sent.approval.reason if len(versions) > 1 else "",
        earlier=tuple(_earlier(stem, earlier, code, words) for earlier in versions[:-1]),
        last_published_iso=sent.day.isoformat(),
        first_published_iso=first.day.isoformat(),
    )


def _page_link(stem: str, letter: Letter, words: Words, title: str) -> Link:
    """Link a response's page by what it is: a letter's response, or a statement."""
    if letter.layout == "statement":
        label = fill(words.statement_label, report=title)
        return Link(_page(stem, None), words.statement, label=label)
    return Link(_page(stem, None), words.page, label=fill(words.page_label, report=title))


def _deadline(sent: SentVersion) -> str:
    """Say whether a response was published within the 56 days: yes, no, not_known, no_deadline.

    A report before the rule (2 May 2017), or under another statute, has no deadline. The
    first version's publication is the one the law asks for.
    """
    letter = sent.letter
    report = letter.report
    if report.published < DEADLINE_IN_FORCE or sent.loaded.framework.statute != "Police Act 1996":
        return "no_deadline"
    if sent.published is None:
        return "not_known"
    late = published_late(sent.published, last_day(report.published))
    return "not_known" if late is None else "no" if late else "yes"


def _feed_id(index: Index, office: Office, base_url: str) -> str:
    """Name the feed for ever: by the site's address, or a URN of its office and language.

    The English feed is named by the site's address, another language's by its own.
    """
    if base_url:
        return base_url if index.home == "index.html" else urljoin(base_url, index.feed.href)
    digest = hashlib.sha256(f"{office.name}\n{index.language}".encode()).hexdigest()
    return f"urn:sha256:{digest}"
