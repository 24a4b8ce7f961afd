"""Each office's Atom feed is valid (RFC 4287, tests/schemas/atom.rng) and lists its responses."""

from __future__ import annotations

from pathlib import Path

import pytest
from lxml import etree

from atom_schema import atom_problems
from conftest import ROOT
from letters.build.project import Project
from letters.office.site import make_sites

ATOM = "{http://www.w3.org/2005/Atom}"


@pytest.fixture(scope="module")
def sites(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("site")
    make_sites(Project(ROOT), out)
    return out


def test_every_feed_the_examples_make_is_valid_atom(sites: Path) -> None:
    feeds = sorted(sites.glob("*/feed*.atom"))
    assert [f"{feed.parent.name}/{feed.name}" for feed in feeds] == [
        "durham-pcvc/feed.atom",
        "dyfed-powys-pcc/feed.atom",
        "dyfed-powys-pcc/feed.cy.atom",
        "lancashire-pcc/feed.atom",
        "staffordshire-pfcc/feed.atom",
        "surrey-pcc/feed.atom",
        "warwickshire-pcc/feed.atom",
        "west-mercia-pcc/feed.atom",
        "west-yorkshire-mayor/feed.atom",
    ]
    for feed in feeds:
        assert atom_problems(feed.read_bytes()) == [], feed


def test_a_feed_lists_the_responses_newest_first_with_full_links_where_the_site_has_an_address(
    sites: Path,
) -> None:
    feed = etree.fromstring((sites / "west-mercia-pcc" / "feed.atom").read_bytes())
    base = "https://www.example.gov.uk/west-mercia-pcc/hmicfrs/"
    assert feed.findtext(f"{ATOM}id") == base
    assert feed.findtext(f"{ATOM}title") == "HMICFRS inspection reports and our responses"
    assert feed.findtext(f"{ATOM}updated") == "2024-10-31T00:00:00+00:00"
    entries = [
        (
            entry.findtext(f"{ATOM}title"),
            entry.findtext(f"{ATOM}updated"),
            entry.find(f"{ATOM}link").get("href"),
        )
        for entry in feed.iter(f"{ATOM}entry")
    ]
    assert entries == [
        (
            "An inspection into activism and impartiality in policing",
            "2024-10-31T00:00:00+00:00",
            base + "responses/west-mercia-2024-activism-thematic.html",
        ),
        (
            "An inspection of how well the police tackle serious youth violence",
            "2023-04-26T00:00:00+00:00",
            base + "responses/west-mercia-2023-youth-violence.html",
        ),
    ]


def test_a_feed_with_no_address_links_relatively_and_names_itself_for_good(sites: Path) -> None:
    data = (sites / "durham-pcvc" / "feed.atom").read_bytes()
    feed = etree.fromstring(data)
    assert (feed.findtext(f"{ATOM}id") or "").startswith("urn:sha256:")
    hrefs = [link.get("href") for link in feed.iter(f"{ATOM}link")]
    assert hrefs == [
        "index.html",
        "responses/durham-2023-peel.html",
        "responses/durham-2023-peel-statement.html",
    ]
    welsh = etree.fromstring((sites / "dyfed-powys-pcc" / "feed.cy.atom").read_bytes())
    assert welsh.get("{http://www.w3.org/XML/1998/namespace}lang") == "cy-GB"
    assert welsh.findtext(f"{ATOM}entry/{ATOM}title") == (
        "PEEL 2023–25: Arolygiad o Heddlu Dyfed-Powys"
    )
