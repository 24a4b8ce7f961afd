"""Render the publication pages: the index (whole, and as a CMS fragment), CSV, Atom, CSS.

Every word comes from the `Index` (letters.compose.site); every colour, font and size from
the house style. Pages are static and stand alone: relative links, no script, nothing
fetched. A response's page is its public HTML page as kept when sent, byte for byte, with
the site's style sheet linked and a breadcrumb put in at the top of its body.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from html import escape
from urllib.parse import urljoin

from ..compose.site import Index, Link, Row, fill
from ..compose.style import HouseStyle
from ..source.errors import LettersError
from ..source.findings import FORMULA_STARTS
from .html import css_string, render_blocks

#: The checksum file of a site's folder, which also marks it as one letters wrote.
CHECKSUMS = "SHA256SUMS"
#: Where the public page's head ends and its body begins, as render.html writes it.
_HEAD_END = "</head>\n<body>\n"
#: The name of the site's style sheet, at the top of its folder.
STYLE_SHEET = "site.css"


def index_html(index: Index) -> str:
    """Write an index page: the office, the title, the introduction, each year's reports."""
    head = [
        f'<link rel="alternate" hreflang="{escape(link.lang)}" href="{escape(link.href)}">\n'
        for link in index.alternates
    ]
    switch = "".join(
        f'<a href="{escape(link.href)}" hreflang="{escape(link.lang)}" lang="{escape(link.lang)}">'
        f"{escape(link.text)}</a>"
        for link in index.alternates
    )
    languages = (
        f'<nav class="site-languages" aria-label="{escape(index.words.languages)}">{switch}</nav>'
        if switch
        else ""
    )
    feed = escape(index.feed.href)
    return "".join(
        [
            "<!DOCTYPE html>\n",
            f'<html lang="{escape(index.language)}">\n<head>\n<meta charset="utf-8">\n',
            '<meta name="viewport" content="width=device-width, initial-scale=1">\n',
            f"<title>{escape(index.title)} | {escape(index.office)}</title>\n",
            f'<link rel="stylesheet" href="{STYLE_SHEET}">\n',
            f'<link rel="alternate" type="application/atom+xml" href="{feed}" '
            f'title="{escape(index.feed.text)}">\n',
            *head,
            '</head>\n<body class="site">\n',
            f'<header class="site-header"><p class="site-office">{escape(index.office)}</p>',
            f"{languages}</header>\n<main>\n",
            f"<h1>{escape(index.title)}</h1>\n",
            render_blocks(index.intro),
            f'<p class="site-feed"><a href="{feed}" type="application/atom+xml">',
            f"{escape(index.feed.text)}</a></p>\n",
            listing(index, ""),
            "</main>\n</body>\n</html>\n",
        ]
    )


def fragment_html(index: Index, base_url: str) -> str:
    """Write the list alone, for a CMS page; its links full where the site's address is given."""
    return listing(index, base_url)


def listing(index: Index, base_url: str) -> str:
    """Write each year's reports as a table, newest year first."""
    if not index.years:
        return f'<p class="site-none">{escape(index.words.none_yet)}</p>\n'
    words = index.words
    named = {
        "report": words.report,
        "force": words.force,
        "published": words.report_published,
        "responded": words.responded,
        "deadline": words.deadline,
        "response": words.response,
    }
    if not index.show_deadline:
        del named["deadline"]
    columns = list(named.values())
    head = "".join(
        f'<th scope="col" class="site-col-{key}">{escape(column)}</th>'
        for key, column in named.items()
    )
    out = []
    for year in index.years:
        anchor = f"y{year.year}"
        rows = "".join(_row(row, index, base_url, columns) for row in year.rows)
        out.append(
            f'<section class="site-year" aria-labelledby="{anchor}">\n'
            f'<h2 id="{anchor}">{escape(year.heading)}</h2>\n'
            f'<table class="site-responses"><thead><tr>{head}</tr></thead>\n'
            f"<tbody>\n{rows}</tbody></table>\n</section>\n"
        )
    return "".join(out)


def _row(row: Row, index: Index, base_url: str, columns: list[str]) -> str:
    """Write one report's row; each cell names its column for a narrow screen's layout."""
    labels = iter(columns)

    def cell(content: str, header: bool = False, lang: str = "") -> str:
        tag = "th" if header else "td"
        scope = ' scope="row"' if header else ""
        language = f' lang="{escape(lang)}"' if lang else ""
        return f'<{tag}{scope}{language} data-label="{escape(next(labels))}">{content}</{tag}>'

    title = escape(row.report.text)
    if row.report.href:
        title = f'<a href="{escape(row.report.href)}">{title}</a>'
    responded = _time(row.responded, row.responded_iso)
    if row.updated:
        earlier = "".join(f"<li>{_link(link, base_url)}</li>" for link in row.earlier)
        responded += (
            f'<p class="site-updated">{escape(row.updated)}</p>'
            f'<p class="site-earlier">{escape(index.words.earlier_heading)}:</p><ul>{earlier}</ul>'
        )
    cells = [
        cell(title, header=True, lang=row.report.lang),
        cell(escape(row.force), lang=row.force_lang),
        cell(_time(row.published, row.published_iso)),
        cell(responded),
    ]
    if index.show_deadline:
        said = (
            f'<span class="site-{row.deadline_key.replace("_", "-")}">{escape(row.deadline)}</span>'
        )
        if row.delay_reason:
            reason = fill(index.words.delay, reason=row.delay_reason)
            said += f'<p class="site-reason">{escape(reason)}</p>'
        cells.append(cell(said))
    files = "".join(f"<li>{_link(link, base_url)}</li>" for link in (row.page, *row.files))
    cells.append(cell(f'<ul class="site-files">{files}</ul>'))
    return "<tr>" + "".join(cells) + "</tr>\n"


def _address(href: str, base_url: str) -> str:
    """Return a link within the site: full where the site's address is given, else relative."""
    return urljoin(base_url, href) if base_url else href


def _time(text: str, when: str) -> str:
    """Write a date as a <time> element where it is known."""
    if not when:
        return escape(text)
    return f'<time datetime="{escape(when)}">{escape(text)}</time>'


def _link(link: Link, base_url: str) -> str:
    """Write a link to a page or file of the site (full, where the site's address is given)."""
    href = _address(link.href, base_url)
    kind = ' type="application/pdf"' if link.size else ""
    label = f' aria-label="{escape(link.label)}"' if link.label else ""
    lang = f' lang="{escape(link.lang)}"' if link.lang else ""
    return f'<a href="{escape(href)}"{kind}{label}{lang}>{escape(link.text)}</a>'


def response_page(
    page: bytes,
    index: Link,
    others: tuple[Link, ...],
    title: str,
    notes: tuple[Link | str, ...],
    label: str,
) -> bytes:
    """Put the site's breadcrumb (and any version notes) at the top of a kept public page.

    The breadcrumb leads to the index in the page's language; `others` are the indexes in
    the site's other languages, linked beside it.
    """
    try:
        text = page.decode("utf-8")
    except UnicodeDecodeError:
        text = ""
    if text.count(_HEAD_END) != 1:
        raise LettersError("the kept public page is not one letters wrote (no head and body found)")
    said = "".join(
        f"<p>{_link(note, '')}</p>" if isinstance(note, Link) else f"<p>{escape(note)}</p>"
        for note in notes
    )
    other = " ".join(_link(link, "") for link in others)
    nav = (
        f'<nav class="site-nav" aria-label="{escape(label)}"><ol><li>{_link(index, "")}</li>'
        f'<li><span aria-current="page">{escape(title)}</span></li></ol>'
        + (f'<p class="site-other">{other}</p>' if other else "")
        + (f'<div class="site-versions">{said}</div>' if said else "")
        + "</nav>\n"
    )
    head, body = text.split(_HEAD_END)
    sheet = f'<link rel="stylesheet" href="../{STYLE_SHEET}">\n'
    return (head + sheet + _HEAD_END + nav + body).encode("utf-8")


def rows_csv(index: Index, base_url: str) -> str:
    """Write the index's rows as CSV: one a report, dates in ISO 8601, links as on the site."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(
        [
            "year",
            "report",
            "report_url",
            "force",
            "report_published",
            "response_published",
            "within_56_days",
            "delay_reason",
            "response_page",
            "response_pdf",
            "pdf_bytes",
            "updated_on",
            "update_reason",
        ]
    )
    for year in index.years:
        for row in year.rows:
            cells: list[object] = [
                year.year,
                row.report.text,
                row.report.href,
                row.force,
                row.published_iso,
                row.responded_iso,
                row.deadline_key,
                row.delay_reason,
                _address(row.page.href, base_url),
                " ".join(_address(f.href, base_url) for f in row.files),
                " ".join(str(f.size) for f in row.files),
                row.updated_iso,
                row.reason,
            ]
            writer.writerow([_not_formula(cell) for cell in cells])
    return out.getvalue()


def _not_formula(cell: object) -> object:
    """Keep a cell a spreadsheet would take for a formula as text, a ' before it (as findings)."""
    if isinstance(cell, str) and cell.startswith(FORMULA_STARTS):
        return "'" + cell
    return cell


def atom_feed(index: Index, base_url: str, feed_id: str) -> bytes:
    """Write the index as an Atom feed (feedgen), newest response first, the same each time."""
    from feedgen.feed import FeedGenerator  # only `letters site` needs it

    rows = sorted(
        (row for year in index.years for row in year.rows),
        key=lambda row: (row.last_published_iso, row.page.href),
        reverse=True,
    )
    feed = FeedGenerator()
    feed.id(feed_id)
    feed.title(index.title)
    feed.author({"name": index.office})
    feed.language(index.language)
    feed.link(href=_address(index.home, base_url), rel="alternate")
    if base_url:
        feed.link(href=urljoin(base_url, index.feed.href), rel="self")
    feed.generator("letters")
    newest = rows[0].last_published_iso if rows else "2000-01-01"
    feed.updated(_midnight(newest))
    for row in reversed(rows):  # feedgen puts each entry it is given first
        entry = feed.add_entry()
        page = _address(row.page.href, base_url)
        entry.id(page if base_url else f"{feed_id}:{row.page.href}")
        entry.title(row.report.text)
        # One link, the page (which links the PDFs): feedgen 1.0 writes an entry's links with
        # their href alone (lkiesow/python-feedgen#135), so a second, the PDF, would be a
        # second 'alternate' link of the same type, which RFC 4287 forbids.
        entry.link(href=page, rel="alternate", type="text/html")
        entry.published(_midnight(row.first_published_iso))
        entry.updated(_midnight(row.last_published_iso))
        entry.summary(f"{row.force}. {index.words.report_published}: {row.published}.")
    return bytes(feed.atom_str(pretty=True))


def _midnight(day: str) -> dt.datetime:
    """Return the start of a day in UTC, as Atom dates it."""
    return dt.datetime.combine(dt.date.fromisoformat(day), dt.time(), tzinfo=dt.UTC)


def site_css(style: HouseStyle) -> str:
    """Write the site's style sheet from the house style: its font, colours and sizes."""
    font = (
        f"{css_string(style.font.pdf)}, {css_string(style.font.docx)}, Arial, Helvetica, sans-serif"
    )
    text, accent, rule, muted = (
        style.text.colour,
        style.colours.accent,
        style.colours.rule,
        style.colours.muted,
    )
    return f"""/* The publication pages' style, from templates/house-style.yaml. */
body.site {{ font-family: {font}; font-size: {style.text.size.css()};
  line-height: {style.text.line_height}; color: {text}; background: #ffffff;
  max-width: 60rem; margin: 0 auto; padding: 1rem; }}
.site h1, .site h2 {{ color: {style.headings.colour}; line-height: {style.headings.line_height}; }}
.site h1 {{ font-size: 1.6rem; margin: 0.5rem 0 1rem; }}
.site h2 {{ font-size: {style.headings.section_size.css()}; margin: 2rem 0 0.5rem; }}
.site a, .site-nav a {{ color: {accent}; }}
.site-header {{ display: flex; flex-wrap: wrap; justify-content: space-between; gap: 0.5rem;
  border-bottom: 0.75pt solid {rule}; padding-bottom: 0.5rem; }}
.site-office {{ margin: 0; font-weight: bold; color: {accent}; }}
.site-responses {{ border-collapse: collapse; width: 100%; table-layout: fixed; }}
.site-col-report {{ width: 32%; }} .site-col-force {{ width: 14%; }}
.site-col-published, .site-col-responded {{ width: 13%; }}
.site-col-deadline {{ width: 10%; }} .site-col-response {{ width: 18%; }}
.site-responses th, .site-responses td {{ border-bottom: {style.table.rule_width.css()} solid
  {style.table.rule}; padding: 0.4rem 0.5rem 0.4rem 0; text-align: left; vertical-align: top; }}
.site-responses thead th {{ font-size: {style.table.size.css()}; color: {muted}; }}
.site-responses ul {{ margin: 0; padding: 0; list-style: none; }}
.site-responses p {{ margin: 0.25rem 0 0; }}
.site-reason, .site-updated, .site-earlier {{ font-size: {style.table.size.css()};
  color: {muted}; }}
.site-no {{ font-weight: bold; }}
.site-nav {{ font-family: {font}; font-size: {style.table.size.css()}; color: {muted};
  border-bottom: 0.75pt solid {rule}; margin: 0 0 1rem; padding: 0 0 0.5rem; }}
.site-nav ol {{ margin: 0; padding: 0; list-style: none; }}
.site-nav li {{ display: inline; }}
.site-nav li + li::before {{ content: " \\203A  "; }}
.site-versions p {{ margin: 0.25rem 0 0; }}
@media (max-width: 40rem) {{
  .site-responses thead {{ position: absolute; width: 1px; height: 1px; overflow: hidden;
    clip: rect(0 0 0 0); }}
  .site-responses tr, .site-responses th, .site-responses td {{ display: block; }}
  .site-responses tr {{ border-bottom: 0.75pt solid {rule}; padding: 0.5rem 0; }}
  .site-responses th, .site-responses td {{ border: none; padding: 0.1rem 0; }}
  .site-responses td::before {{ content: attr(data-label) ": "; color: {muted}; }}
}}
@media print {{
  body.site {{ max-width: none; padding: 0; font-size: {style.table.size.css()}; }}
  .site-nav, .site-feed, .site-languages {{ display: none; }}
  .site-responses tr {{ break-inside: avoid; }}
  .site-responses a[href^="http"]::after {{ content: " (" attr(href) ")"; font-size: 0.85em;
    overflow-wrap: anywhere; }}
}}
"""
