"""XMP metadata for archival PDFs: the PDF/UA identification and the letter's provenance.

PDF/A allows only XMP properties it predefines or that the file declares in a
PDF/A extension schema, so both added namespaces are declared here too.
"""

from __future__ import annotations

from xml.sax.saxutils import escape

PDFUAID = "http://www.aiim.org/pdfua/ns/id/"
LETTERS = "urn:letters:ns:provenance:1.0#"
_RDF = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"
_EXTENSION = (
    'xmlns:pdfaExtension="http://www.aiim.org/pdfa/ns/extension/" '
    'xmlns:pdfaSchema="http://www.aiim.org/pdfa/ns/schema#" '
    'xmlns:pdfaProperty="http://www.aiim.org/pdfa/ns/property#"'
)


def _schema(name: str, uri: str, prefix: str, properties: list[tuple[str, str, str, str]]) -> str:
    """Declare a namespace's properties as a PDF/A extension schema."""
    rows = "".join(
        '<rdf:li rdf:parseType="Resource">'
        f"<pdfaProperty:name>{prop}</pdfaProperty:name><pdfaProperty:valueType>{kind}</pdfaProperty:valueType>"
        f"<pdfaProperty:category>{category}</pdfaProperty:category><pdfaProperty:description>{escape(text)}</pdfaProperty:description>"
        "</rdf:li>"
        for prop, kind, category, text in properties
    )
    return (
        '<rdf:li rdf:parseType="Resource">'
        f"<pdfaSchema:schema>{escape(name)}</pdfaSchema:schema><pdfaSchema:namespaceURI>{uri}</pdfaSchema:namespaceURI>"
        f"<pdfaSchema:prefix>{prefix}</pdfaSchema:prefix><pdfaSchema:property><rdf:Seq>{rows}</rdf:Seq></pdfaSchema:property>"
        "</rdf:li>"
    )


def letters_descriptions(properties: dict[str, str], language: str) -> bytes:
    """Describe PDF/UA-1, dc:language and the letter's properties, with their schemas, in rdf."""
    fields = "".join(
        f"<letters:{name}>{escape(value)}</letters:{name}>" for name, value in properties.items()
    )
    schemas = _schema(
        "PDF/UA identification schema",
        PDFUAID,
        "pdfuaid",
        [("part", "Integer", "internal", "Part of ISO 14289 the file conforms to")],
    )
    schemas += _schema(
        "letters provenance and record-keeping",
        LETTERS,
        "letters",
        [(name, "Text", "external", f"letters: {name}") for name in properties],
    )
    return (
        '<rdf:Description rdf:about="" '
        f'xmlns:pdfuaid="{PDFUAID}"><pdfuaid:part>1</pdfuaid:part></rdf:Description>'
        '<rdf:Description rdf:about="" '
        f'xmlns:dc="http://purl.org/dc/elements/1.1/"><dc:language><rdf:Bag><rdf:li>{escape(language)}</rdf:li></rdf:Bag></dc:language></rdf:Description>'
        f'<rdf:Description rdf:about="" xmlns:letters="{LETTERS}">{fields}</rdf:Description>'
        '<rdf:Description rdf:about="" '
        f"{_EXTENSION}><pdfaExtension:schemas><rdf:Bag>{schemas}</rdf:Bag></pdfaExtension:schemas></rdf:Description>"
    ).encode()


def add_to_packet(packet: bytes, descriptions: bytes) -> bytes:
    """Insert descriptions into an XMP packet's rdf:RDF element."""
    closing = b"</rdf:RDF>"
    if closing not in packet:
        raise ValueError("the XMP packet has no rdf:RDF element")
    # WeasyPrint may bind rdf to a generated prefix: name the namespace in each added element.
    if b'xmlns:rdf="' + _RDF.encode() + b'"' not in packet:
        descriptions = descriptions.replace(
            b"<rdf:Description ", f'<rdf:Description xmlns:rdf="{_RDF}" '.encode()
        )
    return packet.replace(closing, descriptions + closing, 1)
