"""Read a tagged PDF as a screen reader does: its structure tree, marked contents, artifacts.

Written against the PDF itself (pikepdf for the objects and content streams, pdfplumber for
the text of each marked content), never against the code that made it.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path

import pdfplumber
import pikepdf

from conftest import normalise

#: Text-showing operators of a content stream.
_SHOWS_TEXT = {"Tj", "TJ", "'", '"'}


@dataclass
class Element:
    """A structure element, as read back: its role, attributes, children and own text."""

    role: str
    identifier: str | None
    alt: str | None
    lang: str | None
    attributes: dict[str, str]
    children: list[Element] = field(default_factory=list)
    #: (page, MCID) of each marked content the element holds itself, in order.
    contents: list[tuple[int, int]] = field(default_factory=list)
    parent: Element | None = None


@dataclass
class Page:
    """What one page's content stream holds: marked contents, artifacts, stray text."""

    mcids: list[int] = field(default_factory=list)
    #: The /Type and /Subtype of each artifact, and the MCIDs of text inside one.
    artifacts: list[tuple[str, str]] = field(default_factory=list)
    text_outside_marks: int = 0


@dataclass
class Read:
    """A PDF read as a screen reader would."""

    tree: list[Element]
    pages: list[Page]
    text: dict[tuple[int, int], str]
    parent_tree: dict[tuple[int, int], int]
    language: str
    #: The whole text of each page, artifacts included.
    page_text: list[str]


def read(path: Path) -> Read:
    """Read a PDF's structure tree, its content streams and the text of each marked content."""
    text: dict[tuple[int, int], str] = defaultdict(str)
    with pdfplumber.open(path) as plumbed:
        page_text = [page.extract_text() or "" for page in plumbed.pages]
        for number, page in enumerate(plumbed.pages):
            for char in page.chars:
                if char.get("mcid") is not None:
                    text[number, char["mcid"]] += char["text"]
    with pikepdf.open(path) as pdf:
        numbers = {_objgen(page): index for index, page in enumerate(pdf.pages)}
        pages = [_page(page) for page in pdf.pages]
        root = pdf.Root.StructTreeRoot
        parent_tree = _parent_tree(root.ParentTree)
        tree = [_element(kid, None, numbers, 0) for kid in _kids(root)]
        language = str(pdf.Root.get("/Lang", ""))
    return Read(tree, pages, dict(text), parent_tree, language, page_text)


def _kids(element: pikepdf.Object) -> list[pikepdf.Object]:
    kids = element.get("/K")
    if kids is None:
        return []
    return list(kids) if isinstance(kids, pikepdf.Array) else [kids]


def _element(
    obj: pikepdf.Object, parent: Element | None, numbers: dict[tuple[int, int], int], page: int
) -> Element:
    if "/Pg" in obj:
        page = numbers[obj.Pg.objgen]
    attributes = {}
    if "/A" in obj:
        owners = obj.A if isinstance(obj.A, pikepdf.Array) else [obj.A]
        for owner in owners:
            if isinstance(owner, pikepdf.Dictionary):
                attributes.update({str(k): str(v) for k, v in owner.items()})
    element = Element(
        role=str(obj.get("/S", "")).lstrip("/"),
        identifier=str(obj.ID) if "/ID" in obj else None,
        alt=str(obj.Alt) if "/Alt" in obj else None,
        lang=str(obj.Lang) if "/Lang" in obj else None,
        attributes=attributes,
        parent=parent,
    )
    for kid in _kids(obj):
        if isinstance(kid, int):
            element.contents.append((page, int(kid)))
        elif isinstance(kid, pikepdf.Dictionary) and kid.get("/Type") == "/MCR":
            element.contents.append((numbers[kid.Pg.objgen], int(kid.MCID)))
        elif isinstance(kid, pikepdf.Dictionary) and "/S" in kid:
            element.children.append(_element(kid, element, numbers, page))
    return element


def _parent_tree(tree: pikepdf.Object) -> dict[tuple[int, int], int]:
    """Map (page, MCID) to the object number of the element the parent tree names."""
    mapping = {}
    nums = list(tree.Nums)
    for key, value in zip(nums[::2], nums[1::2], strict=True):
        if isinstance(value, pikepdf.Array):
            for mcid, ref in enumerate(value):
                if isinstance(ref, pikepdf.Dictionary):
                    mapping[int(key), mcid] = ref.objgen[0]
    return mapping


def _objgen(page: pikepdf.Page) -> tuple[int, int]:
    """Return a page's object and generation numbers, as structure elements name pages."""
    number, generation = page.objgen
    return int(number), int(generation)


def _page(page: pikepdf.Page) -> Page:
    """Walk a page's content stream: which text is marked, and how."""
    found = Page()
    stack: list[tuple[str, pikepdf.Object | None]] = []
    for instruction in pikepdf.parse_content_stream(page):
        operands, operator = instruction.operands, instruction.operator
        name = str(operator)
        if name in ("BDC", "BMC"):
            tag = str(operands[0])
            properties = operands[1] if name == "BDC" else None
            stack.append((tag, properties))
            if tag == "/Artifact":
                kind = str(properties.get("/Type", "")) if properties is not None else ""
                subtype = str(properties.get("/Subtype", "")) if properties is not None else ""
                found.artifacts.append((kind, subtype))
            elif isinstance(properties, pikepdf.Dictionary) and "/MCID" in properties:
                found.mcids.append(int(properties.MCID))
        elif name == "EMC":
            stack.pop()
        elif name in _SHOWS_TEXT and not stack:
            found.text_outside_marks += 1
    return found


def walk(elements: list[Element], leaving_out: str = "") -> list[Element]:
    """Every element in reading order (depth first), less any of role `leaving_out` and within."""
    order: list[Element] = []
    for element in elements:
        if element.role != leaving_out:
            order.append(element)
            order.extend(walk(element.children, leaving_out))
    return order


def spoken(pdf: Read) -> list[str]:
    """List what a screen reader says, in order: each figure's alt text, each element's text."""
    said = []
    for element in walk(pdf.tree):
        if element.role == "Figure":
            said.append(f"[image: {element.alt}]")
        words = normalise(" ".join(pdf.text.get(key, "") for key in element.contents))
        if words:
            said.append(words)
    return said
