"""The Atom checker the site's tests use: valid feeds pass, and each broken one is named."""

from __future__ import annotations

import pytest
from feedgen.feed import FeedGenerator
from lxml import etree

from atom_schema import SCHEMA, atom_problems

#: A publication feed as an office might write one by hand: relative links resolved against
#: xml:base, a language, every optional feed element, two entries and an extension element.
FEED = """\
<?xml version="1.0" encoding="utf-8"?>
<feed xmlns="http://www.w3.org/2005/Atom" xmlns:ext="https://example.org/ns/extension"
      xml:lang="en-GB" xml:base="https://pcc.example.org/publications/">
  <title type="text">Responses to inspection reports</title>
  <subtitle type="html">Letters under section 55 &lt;em&gt;Police Act 1996&lt;/em&gt;</subtitle>
  <id>https://pcc.example.org/publications/</id>
  <updated>2024-03-01T10:00:00Z</updated>
  <rights>Open Government Licence v3.0</rights>
  <generator uri="https://pcc.example.org/letters" version="1.0">letters</generator>
  <icon>icon.png</icon>
  <logo>logo.png</logo>
  <link rel="self" type="application/atom+xml" href="atom.xml"/>
  <link rel="alternate" type="text/html" hreflang="en-GB" href="./"/>
  <link rel="alternate" type="text/html" hreflang="cy" href="cy/"/>
  <category term="section-55" scheme="https://pcc.example.org/categories" label="Section 55"/>
  <author>
    <name>Office of the Police and Crime Commissioner</name>
    <uri>https://pcc.example.org/</uri>
    <email>enquiries@pcc.example.org</email>
  </author>
  <contributor><name>Chief Executive</name><ext:role>Monitoring officer</ext:role></contributor>
  <ext:office code="XX01">An extension element</ext:office>
  <entry>
    <id>tag:pcc.example.org,2024:letters/peel-2023</id>
    <title type="xhtml"><div xmlns="http://www.w3.org/1999/xhtml">PEEL <em>2023</em></div></title>
    <updated>2024-03-01T10:00:00+00:00</updated>
    <published>2024-02-28T09:30:00.25+01:00</published>
    <link href="peel-2023.html"/>
    <link rel="enclosure" type="application/pdf" length="48213" href="peel-2023.pdf"/>
    <summary>The Commissioner's response to the PEEL inspection.</summary>
    <content type="xhtml">
      <div xmlns="http://www.w3.org/1999/xhtml"><p>The response, in full.</p></div>
    </content>
    <category term="peel"/>
    <ext:grades scale="PEEL 2023-25">
      <ext:grade area="Investigating crime">good</ext:grade>
    </ext:grades>
  </entry>
  <entry xml:lang="cy">
    <id>urn:uuid:1225c695-cfb8-4ebb-aaaa-80da344efa6a</id>
    <title>Ymateb</title>
    <updated>2024-02-01T12:00:00Z</updated>
    <content type="html">&lt;p&gt;Yr ymateb.&lt;/p&gt;</content>
  </entry>
</feed>
"""


def _broken(old: str, new: str) -> str:
    assert FEED.count(old) == 1, f"{old!r} is not once in FEED"
    return FEED.replace(old, new)


def _line_of(text: str, marker: str) -> int:
    assert text.count(marker) == 1, f"{marker!r} is not once in the feed"
    return text[: text.index(marker)].count("\n") + 1


def _grammar_accepts(text: str) -> bool:
    schema = etree.RelaxNG(etree.parse(str(SCHEMA)))
    return bool(schema.validate(etree.fromstring(text.encode("utf-8")).getroottree()))


def test_a_hand_written_feed_with_two_entries_is_valid() -> None:
    assert atom_problems(FEED.encode("utf-8")) == []
    assert _grammar_accepts(FEED)


def test_an_entry_document_is_valid() -> None:
    entry = """\
<entry xmlns="http://www.w3.org/2005/Atom" xml:base="https://pcc.example.org/publications/">
  <id>https://pcc.example.org/publications/peel-2023</id>
  <title>PEEL 2023</title>
  <updated>2024-03-01T10:00:00Z</updated>
  <author><name>Office of the Police and Crime Commissioner</name></author>
  <content type="application/pdf" src="peel-2023.pdf"/>
  <summary>The Commissioner's response to the PEEL inspection.</summary>
</entry>
"""
    assert atom_problems(entry.encode("utf-8")) == []


def test_a_feed_made_by_feedgen_is_valid() -> None:
    feed = FeedGenerator()
    feed.id("https://pcc.example.org/publications/")
    feed.title("Responses to inspection reports")
    feed.updated("2024-03-01T10:00:00+00:00")
    feed.author({"name": "Office of the Police and Crime Commissioner"})
    feed.link(href="https://pcc.example.org/publications/", rel="alternate")
    feed.link(href="https://pcc.example.org/publications/atom.xml", rel="self")
    feed.language("en-GB")
    for slug, day in (("peel-2023", "2024-03-01"), ("custody-2024", "2024-02-01")):
        entry = feed.add_entry()
        entry.id(f"https://pcc.example.org/publications/{slug}")
        entry.title(f"Response: {slug}")
        entry.updated(f"{day}T10:00:00+00:00")
        entry.link(href=f"https://pcc.example.org/publications/{slug}.html")
        entry.summary("The Commissioner's response.")
    data = feed.atom_str(pretty=True)
    assert data.count(b"<entry>") == 2
    assert atom_problems(data) == []


#: (what is broken, text replaced, its replacement, where the message points, the message after
#: "line N: ", whether the RELAX NG grammar itself refuses it).
BROKEN = [
    (
        "missing feed id",
        "  <id>https://pcc.example.org/publications/</id>\n",
        "",
        'xml:lang="en-GB" xml:base=',  # libxml2 gives an element the line its start tag ends on
        "feed: atom:feed has no atom:id; it needs exactly one",
        True,
    ),
    (
        "missing entry updated",
        "  <updated>2024-02-01T12:00:00Z</updated>\n",
        "",
        '<entry xml:lang="cy">',
        "feed/entry[2]: atom:entry has no atom:updated; it needs exactly one",
        True,
    ),
    (
        "updated without a time zone",
        "<updated>2024-03-01T10:00:00Z</updated>",
        "<updated>2024-03-01T10:00:00</updated>",
        "<updated>2024-03-01T10:00:00</updated>",
        "feed/updated: atom:updated '2024-03-01T10:00:00' is not an RFC 3339 date-time with a"
        " time zone, as 2024-03-01T10:00:00Z or 2024-03-01T10:00:00+01:00",
        True,
    ),
    (
        "link without href",
        '<link href="peel-2023.html"/>',
        '<link rel="alternate" type="text/html"/>',
        '<link rel="alternate" type="text/html"/>',
        "feed/entry[1]/link[1]: atom:link has no href attribute; RFC 4287 4.2.7.1 requires one",
        True,
    ),
    (
        "id not an absolute IRI",
        "<id>urn:uuid:1225c695-cfb8-4ebb-aaaa-80da344efa6a</id>",
        "<id>publications/ymateb</id>",
        "<id>publications/ymateb</id>",
        "feed/entry[2]/id: atom:id 'publications/ymateb' is not an absolute IRI: a scheme and a"
        " colon first, as https: or urn:",
        True,
    ),
    (
        "xhtml text construct without a div",
        '<div xmlns="http://www.w3.org/1999/xhtml">PEEL <em>2023</em></div>',
        "PEEL <em>2023</em>",
        '<title type="xhtml">',
        "feed/entry[1]/title: atom:title of type xhtml must hold exactly one xhtml:div and"
        " nothing else (RFC 4287 3.1.1.3)",
        True,
    ),
    (
        "unknown element in the Atom namespace",
        '    <category term="peel"/>\n',
        '    <category term="peel"/>\n    <grade>good</grade>\n',
        "<grade>",
        "feed/entry[1]/grade: atom:entry has no child element atom:grade in RFC 4287",
        True,
    ),
    (
        "two titles",
        "<title>Ymateb</title>",
        "<title>Ymateb</title><title>Response</title>",
        "<title>Ymateb</title>",
        "feed/entry[2]/title[2]: atom:entry has more than one atom:title; it may have one",
        True,
    ),
    (
        "metadata after the entries",
        "</entry>\n</feed>",
        "</entry>\n  <contributor><name>Press office</name></contributor>\n</feed>",
        "<name>Press office</name>",
        "feed/contributor[2]: follows an atom:entry; RFC 4287 4.1.1 puts a feed's metadata"
        " (extensions too) before its entries",
        True,
    ),
    (
        "an element inside a text title",
        "<title>Ymateb</title>",
        "<title>Ymateb <b>2024</b></title>",
        "<b>2024</b>",
        "feed/entry[2]/title/b: atom:title of type text holds an element; markup belongs escaped"
        " in type html, or in one xhtml:div in type xhtml",
        True,
    ),
    (
        "a hreflang that is not a language tag",
        'hreflang="cy"',
        'hreflang="Welsh language"',
        'hreflang="Welsh language"',
        "feed/link[3]: Invalid attribute hreflang for element link: 'Welsh language' is not"
        " allowed there (schema)",
        True,
    ),
    (
        "duplicate entry ids",
        "<id>urn:uuid:1225c695-cfb8-4ebb-aaaa-80da344efa6a</id>",
        "<id>tag:pcc.example.org,2024:letters/peel-2023</id>",
        '<entry xml:lang="cy">',
        "feed/entry[2]: atom:entry has the id 'tag:pcc.example.org,2024:letters/peel-2023' of"
        " the entry on line {line_of_first_entry}; each entry of the feed must have its own id",
        False,
    ),
    (
        "two alternate links of one type and language",
        '<link rel="alternate" type="text/html" hreflang="cy" href="cy/"/>',
        '<link type="text/html" hreflang="en-GB" href="index.html"/>',
        'href="index.html"',
        "feed/link[3]: a second alternate atom:link with type 'text/html' and hreflang 'en-GB'"
        " (the first is on line {line_of_first_alternate}); RFC 4287 allows one",
        False,
    ),
    (
        "an entry with no content and no alternate link",
        '    <content type="html">&lt;p&gt;Yr ymateb.&lt;/p&gt;</content>\n',
        "",
        '<entry xml:lang="cy">',
        "feed/entry[2]: atom:entry has no atom:content and no alternate atom:link; RFC 4287"
        " 4.1.2 requires the link where there is no content",
        False,
    ),
    (
        "content by src and no summary",
        '<content type="html">&lt;p&gt;Yr ymateb.&lt;/p&gt;</content>',
        '<content type="application/pdf" src="ymateb.pdf"/>',
        '<entry xml:lang="cy">',
        "feed/entry[2]: atom:entry's atom:content refers out by src, and the entry has no"
        " atom:summary; RFC 4287 4.1.2 requires one",
        False,
    ),
    (
        "content of a binary type that is not base64",
        '<content type="html">&lt;p&gt;Yr ymateb.&lt;/p&gt;</content>',
        '<summary>Yr ymateb.</summary><content type="application/pdf">%PDF-1.7</content>',
        '<content type="application/pdf">',
        "feed/entry[2]/content: atom:content of type application/pdf is not base64; RFC 4287"
        " 4.1.3.3 asks for base64 where the type is neither text/* nor XML",
        False,
    ),
    (
        "a date not on the calendar",
        "<updated>2024-03-01T10:00:00Z</updated>",
        "<updated>2024-02-30T10:00:00Z</updated>",
        "<updated>2024-02-30T10:00:00Z</updated>",
        "feed/updated: atom:updated '2024-02-30T10:00:00Z' is not a calendar date",
        False,
    ),
]


@pytest.mark.parametrize(
    ("old", "new", "where", "message", "grammar_refuses"),
    [case[1:] for case in BROKEN],
    ids=[case[0] for case in BROKEN],
)
def test_a_broken_feed_is_named_by_its_problem(
    old: str, new: str, where: str, message: str, grammar_refuses: bool
) -> None:
    text = _broken(old, new)
    places = {
        "line_of_first_entry": _line_of(text, "<entry>"),
        "line_of_first_alternate": _line_of(text, 'hreflang="en-GB" href="./"'),
    }
    expected = f"line {_line_of(text, where)}: {message.format(**places)}"
    assert atom_problems(text.encode("utf-8")) == [expected]
    assert _grammar_accepts(text) is not grammar_refuses


def test_a_feed_with_no_author_anywhere_names_each_entry() -> None:
    text = _broken(
        "  <author>\n"
        "    <name>Office of the Police and Crime Commissioner</name>\n"
        "    <uri>https://pcc.example.org/</uri>\n"
        "    <email>enquiries@pcc.example.org</email>\n"
        "  </author>\n",
        "",
    )
    assert atom_problems(text.encode("utf-8")) == [
        f"line {_line_of(text, where)}: feed/entry[{number}]: atom:entry has no atom:author, and"
        " neither has the feed nor the entry's atom:source; RFC 4287 4.1.2 requires one"
        for number, where in ((1, "<entry>"), (2, '<entry xml:lang="cy">'))
    ]
    assert _grammar_accepts(text)


def test_an_entry_s_source_may_name_its_author() -> None:
    text = _broken(
        "  <author>\n"
        "    <name>Office of the Police and Crime Commissioner</name>\n"
        "    <uri>https://pcc.example.org/</uri>\n"
        "    <email>enquiries@pcc.example.org</email>\n"
        "  </author>\n",
        "",
    ).replace(
        '    <category term="peel"/>\n',
        '    <category term="peel"/>\n'
        "    <source><id>https://hmicfrs.example.org/</id><author><name>HMICFRS</name></author>"
        "</source>\n",
    )
    second_entry = _line_of(text, '<entry xml:lang="cy">')
    assert atom_problems(text.encode("utf-8")) == [
        f"line {second_entry}: feed/entry[2]: atom:entry has no"
        " atom:author, and neither has the feed nor the entry's atom:source; RFC 4287 4.1.2"
        " requires one"
    ]


def test_not_well_formed_xml_is_named_with_its_line() -> None:
    text = _broken("</summary>", "</sumary>")
    assert atom_problems(text.encode("utf-8")) == [
        f"line {_line_of(text, '</sumary>')}: not well-formed XML: Opening and ending tag"
        " mismatch: summary line {line} and sumary".format(line=_line_of(text, "<summary>"))
    ]


def test_an_entity_from_a_dtd_is_never_read() -> None:
    text = _broken(
        '<?xml version="1.0" encoding="utf-8"?>\n',
        '<?xml version="1.0" encoding="utf-8"?>\n'
        '<!DOCTYPE feed [<!ENTITY secret SYSTEM "file:///etc/hostname">]>\n',
    ).replace("<title>Ymateb</title>", "<title>&secret;</title>")
    assert atom_problems(text.encode("utf-8")) == [
        f"line {_line_of(text, '<title>&secret;')}: feed/entry[2]/title: the entity reference"
        " &secret; is left unread; no DTD is loaded, so write the character itself"
    ]


def test_a_document_of_another_kind_is_refused() -> None:
    text = '<rss version="2.0"><channel><title>Letters</title></channel></rss>'
    assert atom_problems(text.encode("utf-8")) == [
        "line 1: rss: the document element must be atom:feed or atom:entry"
    ]
