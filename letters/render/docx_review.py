"""What a DOCX carries so that a reviewed copy can come back: bookmarks and a map of sources.

Each anchored paragraph (`compose.document.Anchor`) gets a hidden bookmark (Word hides those
whose names start with an underscore) around its text, and each data value within it one
around the value's runs. A custom XML part (`customXml/itemN.xml`, the next free name) names
the letter, its
version and the digest of its inputs, and for each bookmark the source of its text and the
text as it was written, so a change can be placed by its text where a bookmark was lost.
Nothing here shows or prints: the pages are those of the same letter without them.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field

import docx
from docx.opc.part import Part
from lxml import etree

from ..compose.document import REVIEW_MAP, Anchor, Origin
from .internals import RELATIONSHIP_TYPE, OxmlElement, qn

#: Bookmark names: a paragraph's, and a value's within it.
PREFIX = "_Ltr"
_ITEM = "/customXml/item%d.xml"
_ITEM_PROPS = "/customXml/itemProps%d.xml"
_PROPS_TYPE = "application/vnd.openxmlformats-officedocument.customXmlProperties+xml"
_DATASTORE = "http://schemas.openxmlformats.org/officeDocument/2006/customXml"


@dataclass
class Bookmarks:
    """Bookmarks put in a document, numbered as Word wants them, and what each one marks."""

    ids: int = 0
    units: list[etree._Element] = field(default_factory=list)

    def paragraph(self, anchor: Anchor | None, text: str) -> Placer:
        """Start bookmarking one paragraph whose text is `text`; a placer puts the marks."""
        if anchor is None:
            return Placer({})
        number = len(self.units) + 1
        name = f"{PREFIX}{number}"
        unit = etree.Element(_tag("unit"), name=name)
        _describe(unit, anchor.origin)
        etree.SubElement(unit, _tag("text")).text = text
        self.units.append(unit)
        # where each mark goes, by the offset in the text: ends before starts
        marks: dict[int, list[etree._Element]] = {}
        ends: dict[int, list[etree._Element]] = {}
        whole = self._pair(name)
        marks.setdefault(0, []).append(whole[0])
        for index, (start, end, origin) in enumerate(anchor.values, 1):
            value_name = f"{name}v{index}"
            value = etree.SubElement(unit, _tag("value"), name=value_name)
            value.set("start", str(start))
            value.set("end", str(end))
            _describe(value, origin)
            begin, finish = self._pair(value_name)
            marks.setdefault(start, []).append(begin)
            ends.setdefault(end, []).insert(0, finish)
        ends.setdefault(len(text), []).append(whole[1])
        placed = {at: ends.get(at, []) + marks.get(at, []) for at in {*marks, *ends}}
        return Placer(placed)

    def _pair(self, name: str) -> tuple[etree._Element, etree._Element]:
        """Make a bookmark's start and end, with the next id."""
        self.ids += 1
        start = OxmlElement("w:bookmarkStart")
        start.set(qn("w:id"), str(self.ids))
        start.set(qn("w:name"), name)
        end = OxmlElement("w:bookmarkEnd")
        end.set(qn("w:id"), str(self.ids))
        return start, end

    def write(self, doc: docx.document.Document, key: tuple[tuple[str, str], ...]) -> None:
        """Add the map of sources as a custom XML part of the document, if it is reviewed."""
        if not key:
            return
        root = etree.Element(_tag("letter"), nsmap={None: REVIEW_MAP})
        for name, value in key:
            root.set(name, value)
        root.extend(self.units)
        blob = etree.tostring(root, xml_declaration=True, encoding="UTF-8", standalone=True)
        package = doc.part.package
        # the next free names: Word's own template holds a customXml/item1.xml already
        item = Part(package.next_partname(_ITEM), "application/xml", blob, package)
        guid = (
            "{"
            + str(uuid.uuid5(uuid.NAMESPACE_URL, REVIEW_MAP + dict(key).get("letter", ""))).upper()
            + "}"
        )
        props = etree.Element(f"{{{_DATASTORE}}}datastoreItem", nsmap={"ds": _DATASTORE})
        props.set(f"{{{_DATASTORE}}}itemID", guid)
        refs = etree.SubElement(props, f"{{{_DATASTORE}}}schemaRefs")
        etree.SubElement(refs, f"{{{_DATASTORE}}}schemaRef").set(f"{{{_DATASTORE}}}uri", REVIEW_MAP)
        props_blob = etree.tostring(props, xml_declaration=True, encoding="UTF-8", standalone=False)
        props_part = Part(package.next_partname(_ITEM_PROPS), _PROPS_TYPE, props_blob, package)
        item.relate_to(props_part, RELATIONSHIP_TYPE.CUSTOM_XML_PROPS)
        doc.part.relate_to(item, RELATIONSHIP_TYPE.CUSTOM_XML)


@dataclass(frozen=True)
class Placer:
    """The bookmarks of one paragraph, by the offset in its text where each goes."""

    marks: dict[int, list[etree._Element]]

    def cuts(self, start: int, text: str) -> Iterator[tuple[int, str]]:
        """Split a piece of the text that starts at `start` where marks go: (offset, piece)."""
        inside = sorted(at for at in self.marks if start < at < start + len(text))
        last = start
        for at in inside:
            yield last, text[last - start : at - start]
            last = at
        yield last, text[last - start :]

    def place(self, paragraph: etree._Element, at: int) -> None:
        """Put the marks that go at offset `at` at the paragraph's end, once."""
        for mark in self.marks.pop(at, []):
            paragraph.append(mark)

    def finish(self, paragraph: etree._Element) -> None:
        """Put any marks left (at the text's end) at the paragraph's end."""
        for at in sorted(self.marks):
            self.place(paragraph, at)


def _tag(name: str) -> str:
    return f"{{{REVIEW_MAP}}}{name}"


def _describe(element: etree._Element, origin: Origin) -> None:
    """Write where some text comes from as attributes: kind, file, line, field, part."""
    element.set("kind", origin.kind)
    for name, value in (("file", origin.file), ("field", origin.field)):
        if value:
            element.set(name, value)
    if origin.line:
        element.set("line", str(origin.line))
    if origin.part:
        element.set("part", str(origin.part))
    if origin.path:
        element.set("path", json.dumps(origin.path, ensure_ascii=False))
