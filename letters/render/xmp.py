"""XMP metadata for archival PDFs: the PDF/UA identification and the letter's provenance.

PDF/A allows only XMP properties it predefines or that the file declares in a
PDF/A extension schema, so both added namespaces are declared here too. The elements are
made with lxml, never by pasting text: a value holding markup stays a value.
"""

from __future__ import annotations

from lxml import etree

PDFUAID = "http://www.aiim.org/pdfua/ns/id/"
LETTERS = "urn:letters:ns:provenance:1.0#"
_RDF = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"
_DC = "http://purl.org/dc/elements/1.1/"
_EXTENSION = "http://www.aiim.org/pdfa/ns/extension/"
_SCHEMA = "http://www.aiim.org/pdfa/ns/schema#"
_PROPERTY = "http://www.aiim.org/pdfa/ns/property#"
_PREFIXES = {
    "rdf": _RDF,
    "dc": _DC,
    "pdfuaid": PDFUAID,
    "letters": LETTERS,
    "pdfaExtension": _EXTENSION,
    "pdfaSchema": _SCHEMA,
    "pdfaProperty": _PROPERTY,
}


def _name(qualified: str) -> str:
    """Write 'prefix:local' as lxml's '{namespace}local'."""
    prefix, local = qualified.split(":")
    return f"{{{_PREFIXES[prefix]}}}{local}"


def _add(parent: etree._Element, qualified: str, text: str | None = None) -> etree._Element:
    """Add a child element (with text, if given) and return it."""
    child = etree.SubElement(parent, _name(qualified))
    if text is not None:
        child.text = text
    return child


def _resource(parent: etree._Element) -> etree._Element:
    """Add an rdf:li that is a resource of its own (rdf:parseType="Resource")."""
    item = _add(parent, "rdf:li")
    item.set(_name("rdf:parseType"), "Resource")
    return item


def _description(*prefixes: str) -> etree._Element:
    """Make an rdf:Description about the document, declaring rdf and these namespaces."""
    element = etree.Element(
        _name("rdf:Description"),
        nsmap={prefix: _PREFIXES[prefix] for prefix in ("rdf", *prefixes)},
    )
    element.set(_name("rdf:about"), "")
    return element


def _schema(
    parent: etree._Element,
    name: str,
    uri: str,
    prefix: str,
    properties: list[tuple[str, str, str, str]],
) -> None:
    """Declare a namespace's properties as a PDF/A extension schema."""
    item = _resource(parent)
    _add(item, "pdfaSchema:schema", name)
    _add(item, "pdfaSchema:namespaceURI", uri)
    _add(item, "pdfaSchema:prefix", prefix)
    rows = _add(_add(item, "pdfaSchema:property"), "rdf:Seq")
    for prop, kind, category, text in properties:
        row = _resource(rows)
        _add(row, "pdfaProperty:name", prop)
        _add(row, "pdfaProperty:valueType", kind)
        _add(row, "pdfaProperty:category", category)
        _add(row, "pdfaProperty:description", text)


def letters_descriptions(properties: dict[str, str], language: str) -> bytes:
    """Describe PDF/UA-1, dc:language and the letter's properties, with their schemas, in rdf."""
    part = _description("pdfuaid")
    _add(part, "pdfuaid:part", "1")
    dublin = _description("dc")
    _add(_add(_add(dublin, "dc:language"), "rdf:Bag"), "rdf:li", language)
    own = _description("letters")
    for name, value in properties.items():
        _add(own, f"letters:{name}", value)
    extension = _description("pdfaExtension", "pdfaSchema", "pdfaProperty")
    schemas = _add(_add(extension, "pdfaExtension:schemas"), "rdf:Bag")
    _schema(
        schemas,
        "PDF/UA identification schema",
        PDFUAID,
        "pdfuaid",
        [("part", "Integer", "internal", "Part of ISO 14289 the file conforms to")],
    )
    _schema(
        schemas,
        "letters provenance and record-keeping",
        LETTERS,
        "letters",
        [(name, "Text", "external", f"letters: {name}") for name in properties],
    )
    return b"".join(etree.tostring(element) for element in (part, dublin, own, extension))


def add_to_packet(packet: bytes, descriptions: bytes) -> bytes:
    """Insert descriptions into an XMP packet's rdf:RDF element.

    Each description declares the namespaces it uses, rdf included (WeasyPrint may bind rdf
    to a prefix of its own), so it reads the same wherever it is put.
    """
    closing = b"</rdf:RDF>"
    if closing not in packet:
        raise ValueError("the XMP packet has no rdf:RDF element")
    return packet.replace(closing, descriptions + closing, 1)
