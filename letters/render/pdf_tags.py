"""Finish the PDF's tags: page furniture becomes pagination artifacts, out of the structure.

WeasyPrint tags the text of the page-margin boxes (the footer, "Page 1 of 3", the security
marking) as Spans whose structure elements hang outside the structure tree but are still
listed in its parent tree, so an assistive technology may read the footer between the
pages' text. PDF 1.7 (ISO 32000-1, 14.8.2.2) asks for such running furniture to be an
artifact of type Pagination. This runs as WeasyPrint's finisher, on its objects before they
are written: each margin box's marked content becomes
`/Artifact <</Type /Pagination /Subtype /Header>> BDC` (or /Footer, by the margin it lies
in), its entry in the parent tree becomes null, and its orphaned structure elements are
emptied. The DRAFT mark, the page's background, becomes a Pagination artifact of subtype
Watermark.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pydyf

from .internals import page_box

#: PDF points in a CSS pixel (72 to the inch against 96).
_POINTS_PER_PX = 0.75
#: Which margins of the page hold headers and which footers (CSS page-margin boxes).
_SUBTYPE = {"top": "/Header", "bottom": "/Footer"}


def mark_pagination(document: Any, pdf: pydyf.PDF, watermarked: bool) -> None:
    """Turn the page furniture WeasyPrint tagged as text into pagination artifacts."""
    root_ref = pdf.catalog.get("StructTreeRoot")
    if root_ref is None:  # an untagged PDF: nothing to mend
        return
    root = _object(pdf, root_ref)
    reachable = _reachable(pdf, root)
    nums = _object(pdf, root["ParentTree"])["Nums"]
    page_arrays = {int(nums[i]): nums[i + 1] for i in range(0, len(nums), 2)}
    for index, page in enumerate(document.pages):
        page_dict = _object(pdf, pdf.page_references[index])
        stream = _object(pdf, page_dict["Contents"])
        refs = page_arrays.get(index)
        if isinstance(refs, list):
            furniture = _furniture_mcids(pdf, refs, reachable)
            subtypes = _margin_subtypes(page_box(page))
            if len(subtypes) != len(furniture):  # not as expected: mark them, but unnamed
                subtypes = [None] * len(furniture)
            by_mcid = dict(zip(furniture, subtypes, strict=True))
            _rewrite(stream.stream, by_mcid)
            for mcid in furniture:
                _empty_orphans(pdf, refs[mcid], reachable)
                refs[mcid] = "null"
            while refs and refs[-1] == "null":  # the furniture comes last: no slot left for it
                refs.pop()
        if watermarked:
            _watermark(stream.stream)


def mend_structure(document: Any, pdf: pydyf.PDF) -> None:
    """Mend what WeasyPrint's tags leave for a reader: links, header cells, figure boxes.

    Each link's annotation is described by the link's words rather than its address; each
    header cell says whether it heads a row or a column (/Scope, which some readers use
    rather than /Headers); each figure's /BBox is given in the page's own coordinates
    (WeasyPrint writes CSS pixels from the top of the page).
    """
    from .internals import boxes

    def visit(box: Any) -> None:
        annotation = getattr(box, "link_annotation", None)
        if isinstance(annotation, pydyf.Dictionary) and box.element is not None:
            words = " ".join("".join(box.element.itertext()).split())
            if words:
                annotation["Contents"] = pydyf.String(words)
        mark = getattr(box, "mark", None)
        if isinstance(box, boxes.TableCellBox) and isinstance(mark, pydyf.Dictionary):
            if box.element is not None and box.element_tag == "th":
                scope = "/Row" if box.element.get("scope") == "row" else "/Column"
                mark["A"]["Scope"] = scope
        for child in getattr(box, "children", ()):
            visit(child)

    for page in document.pages:
        visit(page_box(page))
    # WeasyPrint draws each page flipped: a point is 0.75 CSS px, y runs up from the foot
    heights = {
        str(reference): page.height * _POINTS_PER_PX
        for reference, page in zip(pdf.page_references, document.pages, strict=True)
    }
    for item in pdf.objects:
        if isinstance(item, pydyf.Dictionary) and item.get("S") == "/Figure":
            layout = item.get("A")
            if isinstance(layout, pydyf.Dictionary) and "BBox" in layout:
                height = heights[str(item["Pg"])]
                x1, y1, x2, y2 = (float(value) * _POINTS_PER_PX for value in layout["BBox"])
                layout["BBox"] = pydyf.Array((x1, height - y2, x2, height - y1))


def _object(pdf: pydyf.PDF, reference: Any) -> Any:
    """Return the object a reference ('12 0 R') names."""
    text = reference.decode() if isinstance(reference, bytes) else str(reference)
    return pdf.objects[int(text.split()[0])]


def _is_reference(item: Any) -> bool:
    """Say whether an item of an array is an indirect reference."""
    text = item.decode() if isinstance(item, bytes) else item
    return isinstance(text, str) and text.endswith(" R")


def _reachable(pdf: pydyf.PDF, root: Any) -> set[int]:
    """Collect the object numbers of every structure element the tree's root reaches."""
    seen: set[int] = set()
    stack = [item for item in root.get("K", []) if _is_reference(item)]
    while stack:
        element = _object(pdf, stack.pop())
        if not isinstance(element, pydyf.Dictionary) or element.number in seen:
            continue
        seen.add(element.number)
        kids = element.get("K", [])
        stack.extend(
            item for item in (kids if isinstance(kids, list) else [kids]) if _is_reference(item)
        )
    return seen


def _furniture_mcids(pdf: pydyf.PDF, refs: list[Any], reachable: set[int]) -> list[int]:
    """List a page's marked contents whose element is outside the tree, in the tree's order.

    WeasyPrint makes the margin boxes' elements after the page's content, box by box, so
    the order of their elements is the order of the margin boxes and of their text.
    """
    outside = [
        (_object(pdf, ref).number, mcid)
        for mcid, ref in enumerate(refs)
        if _is_reference(ref) and _object(pdf, ref).number not in reachable
    ]
    return [mcid for _, mcid in sorted(outside)]


def _margin_subtypes(page_box: Any) -> list[str | None]:
    """Name, for each piece of text in the page's margin boxes in order, Header or Footer."""
    from .internals import boxes

    def texts(box: Any) -> Iterator[None]:
        for child in getattr(box, "children", ()):
            if isinstance(child, boxes.TextBox):
                yield None
            elif not isinstance(child, boxes.ReplacedBox):
                yield from texts(child)

    subtypes: list[str | None] = []
    for child in page_box.children:
        if isinstance(child, boxes.MarginBox):
            side = child.at_keyword.lstrip("@").split("-")[0]
            subtypes.extend(_SUBTYPE.get(side) for _ in texts(child))
    return subtypes


def _rewrite(operations: list[Any], subtypes: dict[int, str | None]) -> None:
    """Rewrite `/Span <</MCID n>> BDC` of each furniture MCID as a pagination artifact."""
    for i in range(len(operations) - 2):
        properties = operations[i + 1]
        if (
            operations[i + 2] == b"BDC"
            and isinstance(properties, dict)
            and properties.get("MCID") in subtypes
        ):
            subtype = subtypes[properties["MCID"]]
            artifact = pydyf.Dictionary({"Type": "/Pagination"})
            if subtype:
                artifact["Subtype"] = subtype
            operations[i : i + 2] = ["/Artifact", artifact]


def _watermark(operations: list[Any]) -> None:
    """Name the page's first artifact, its background (the DRAFT mark), a watermark."""
    for i in range(len(operations) - 1):
        if operations[i] == "/Artifact" and operations[i + 1] == b"BMC":
            mark = pydyf.Dictionary({"Type": "/Pagination", "Subtype": "/Watermark"})
            operations[i : i + 2] = ["/Artifact", mark, b"BDC"]
            return
        if operations[i + 1] in (b"BDC", b"BMC"):  # content came first: no background mark
            return


def _empty_orphans(pdf: pydyf.PDF, reference: Any, reachable: set[int]) -> None:
    """Empty a furniture element and its parents outside the tree: nothing refers to them."""
    element = _object(pdf, reference)
    while isinstance(element, pydyf.Dictionary) and element and element.number not in reachable:
        parent = element.get("P")
        element.clear()
        if parent is None:
            return
        element = _object(pdf, parent)
