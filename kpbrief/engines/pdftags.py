"""Tagging: what a PDF/UA-1 book needs beyond the structure tree WeasyPrint writes.

`write_pdf` stands in for WeasyPrint's `Document.write_pdf` wherever a tagged PDF is written
(a whole book, and each part of a long book, so that the joined book has the same tree). It
works in two steps.

While WeasyPrint writes the PDF, two of its tagging functions are wrapped (for the time of
the call only):

- a structure element made for an HTML element with a `lang` attribute carries it as
  `/Lang`, so that a passage in another language than the book's is read in its own;
- every link annotation's `/Contents` (WeasyPrint writes the target's id or address) is a
  description a person can read, in the book's language: a format from the document's head
  (`<meta name="kpbrief:link">`, or `kpbrief:link.CLASS` for links of that class; the
  templates hold them), filled with the link's label (its `data-label`, else its text) and
  the page its target is on.

Then the written PDF is finished with pikepdf (`finish`):

- the content of margin boxes (page numbers, running heads), which WeasyPrint tags under
  elements that are not in the tree, is marked as pagination artifacts;
- each link is one Link element: Link elements within a Link (its `::before`, `::after`)
  and the spans within it give it their content and annotations, so that every link
  annotation's structure parent is a Link, and no link is in a link;
- a Link element left with no content (a fragment of a link at a line break) is removed
  with its annotation; other elements with no content at all are removed;
- an annotation of a Link that lies within another of its annotations, to the same target (a
  `::after` or a span of the link, which WeasyPrint gives an annotation of its own), is
  removed: one area a place to click, and one link a screen reader lists;
- a list item with no LBody gets one; an element that holds text (a paragraph, a heading, a
  link) holds the pieces of its text itself, not each in a Span of its own;
- each reference to an annotation is held by its element directly, not as an object;
- link annotations are printed (`/F 4`), as they are shown.
"""

from __future__ import annotations

import io
import re
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pikepdf
from pikepdf import Array, Dictionary, Name

LINK_FORMAT = "kpbrief:link"  # meta name; "kpbrief:link.CLASS" for links of that class
PRINT_FLAG = 4
MARKED = re.compile(rb"/(\w+)\s*<</MCID (\d+)>>\s*BDC")
# WeasyPrint ends a line broken in a word with U+2010 HYPHEN (CSS `hyphenate-character`);
# in a book whose text has none, a glyph that stands for it alone is such a break.
HYPHEN = "\u2010"
# Elements whose kids may be marked content (text) as well as elements.
TEXT_HOLDERS = frozenset(
    [
        "/P",
        "/H1",
        "/H2",
        "/H3",
        "/H4",
        "/H5",
        "/H6",
        "/Span",
        "/Link",
        "/Lbl",
        "/LBody",
        "/TD",
        "/TH",
    ]
    + ["/Caption"]
)
PIECE_KEYS = frozenset(["/Type", "/S", "/K", "/Pg", "/P"])
HYPHEN_GLYPH = re.compile(rb"(<[0-9a-fA-F]+>\s*)<2010>")


# On a link annotation of a part, to the place of another part whose page it does not
# print: [format, label, place]. The join writes the description from the place's page in
# the book, and takes this away (`pdfjoin.BookJoin`).
DESCRIBED_IN_BOOK = "/KPBriefDescribe"


def write_pdf(
    document: Any,
    options: dict[str, Any],
    first_page: int = 1,
    elsewhere: frozenset[str] = frozenset(),
) -> bytes:
    """The tagged PDF of a laid-out WeasyPrint `document`, finished; `first_page` is the
    number of its first page (a part of a long book starts further on); `elsewhere`: the
    places of other parts that it links to (a stand-in anchor holds each, on the link's own
    page): a link to one whose page it is not given (`data-page`) is described once the
    book is joined (`DESCRIBED_IN_BOOK`)."""
    with _extended_tagging(first_page, elsewhere):
        data: bytes = document.write_pdf(**options)
    if not options.get("pdf_tags"):
        return data
    root = _root_element(document)
    text = "".join(root.itertext()) if root is not None else HYPHEN
    return finish(data, soft_hyphens=HYPHEN not in text)


@contextmanager
def _extended_tagging(first_page: int, elsewhere: frozenset[str]) -> Iterator[None]:
    import pydyf
    from weasyprint import pdf as weasyprint_pdf
    from weasyprint.pdf import tags

    build_box_tree = tags._build_box_tree
    add_tags = weasyprint_pdf.add_tags

    def build_with_lang(box: Any, *args: Any) -> Iterator[Any]:
        for element in build_box_tree(box, *args):
            source = getattr(box, "element", None)
            lang = source.get("lang") if source is not None else None
            # html and body pass their children's elements up through their own calls (the
            # document's language is the catalog's /Lang); an element's own call comes first.
            passing = getattr(box, "element_tag", None) in ("html", "body")
            if lang and not passing and "Lang" not in element:
                element["Lang"] = pydyf.String(lang)
            yield element

    def add_tags_described(pdf: Any, document: Any, *args: Any) -> Any:
        for annotation, description, later in _descriptions(document, first_page, elsewhere):
            annotation["Contents"] = pydyf.String(description)
            if later is not None:
                annotation[DESCRIBED_IN_BOOK[1:]] = pydyf.Array(pydyf.String(t) for t in later)
        return add_tags(pdf, document, *args)

    tags._build_box_tree = build_with_lang
    weasyprint_pdf.add_tags = add_tags_described
    try:
        yield
    finally:
        tags._build_box_tree = build_box_tree
        weasyprint_pdf.add_tags = add_tags


def _descriptions(
    document: Any, first_page: int, elsewhere: frozenset[str] = frozenset()
) -> Iterator[tuple[Any, str, tuple[str, str, str] | None]]:
    """Each link annotation of a laid-out document, its description, and for a link whose
    place is `elsewhere` with no page given, what describes it once joined: (format,
    label, place)."""
    root = _root_element(document)
    if root is None:
        return
    formats = {
        str(meta.get("name")): str(meta.get("content") or "")
        for meta in root.iter("meta")
        if str(meta.get("name") or "").startswith(LINK_FORMAT)
    }
    # Pages laid out apart (a document made of several layouts' pages) hold elements of
    # other trees: each page's elements are found in its own tree.
    parents: dict[Any, Any] = {}
    roots: set[int] = set()
    pages: dict[str, int] = {}
    for index, page in enumerate(document.pages):
        for name in page.anchors:
            pages.setdefault(name, index + first_page)
    for index, page in enumerate(document.pages):
        page_root = _root_element(document, index)
        if page_root is not None and id(page_root) not in roots:
            roots.add(id(page_root))
            parents.update((child, parent) for parent in page_root.iter() for child in parent)
        for link_type, target, _rectangle, box in page.links:
            annotation = getattr(box, "link_annotation", None)
            element = box.element
            while element is not None and element.tag != "a":
                element = parents.get(element)
            if annotation is None or element is None:
                continue
            label = element.get("data-label") or " ".join("".join(element.itertext()).split())
            if link_type != "internal":
                yield annotation, label or str(target), None
                continue
            number = element.get("data-page")
            classes = (element.get("class") or "").split()
            chosen = next(
                (formats[f"{LINK_FORMAT}.{c}"] for c in classes if f"{LINK_FORMAT}.{c}" in formats),
                formats.get(LINK_FORMAT),
            )
            if number is None and str(target) in elsewhere:  # its page is the book's
                if chosen:
                    yield annotation, label or str(target), (chosen, label, str(target))
                elif label:
                    yield annotation, label, None
                continue
            number = number or pages.get(str(target))
            if chosen and number is not None:
                yield annotation, chosen.format(label=label, page=number), None
            elif label:
                yield annotation, label, None


def _root_element(document: Any, page: int = 0) -> Any:
    """The document's `<html>` element, found through a page's boxes."""
    if len(document.pages) <= page:
        return None
    boxes = [document.pages[page]._page_box]
    while boxes:
        box = boxes.pop(0)
        element = getattr(box, "element", None)
        if element is not None and element.tag == "html":
            return element
        boxes.extend(getattr(box, "children", None) or ())
    return None


def finish(data: bytes, soft_hyphens: bool = False) -> bytes:
    """A tagged PDF with pagination artifacts, one Link element per link, and no empty
    elements (see the module's account); with `soft_hyphens`, the hyphens of words broken
    at line ends read as soft hyphens (U+00AD), so that copy, search and speech find the
    word whole."""
    pdf = pikepdf.open(io.BytesIO(data))
    if "/StructTreeRoot" not in pdf.Root:
        return data
    if soft_hyphens:
        _soften_hyphens(pdf)
    tree = _Tree(pdf)
    tree.mark_artifacts()
    tree.join_links()
    tree.drop_covered_annotations()
    tree.drop_empty()
    tree.give_items_bodies()
    tree.fold_text_pieces()
    tree.hold_annotation_references()
    tree.save_parent_tree()
    for page in pdf.pages:
        for annotation in page.obj.get("/Annots", ()):
            if annotation.get("/Subtype") == "/Link":
                annotation.F = PRINT_FLAG
    out = io.BytesIO()
    pdf.save(out, deterministic_id=True, compress_streams=True)
    return out.getvalue()


def _soften_hyphens(pdf: pikepdf.Pdf) -> None:
    """In every font's ToUnicode map, the glyph mapped to U+2010 alone maps to U+00AD."""
    seen: set[tuple[int, int]] = set()
    for page in pdf.pages:
        for font in page.obj.get("/Resources", Dictionary()).get("/Font", Dictionary()).values():
            cmap = font.get("/ToUnicode")
            if not isinstance(cmap, pikepdf.Stream) or cmap.objgen in seen:
                continue
            seen.add(cmap.objgen)
            text = cmap.read_bytes()
            softened = HYPHEN_GLYPH.sub(rb"\1<00ad>", text)
            if softened != text:
                cmap.write(softened)


def _kids(element: pikepdf.Object) -> list[pikepdf.Object]:
    kids = element.get("/K")
    if kids is None:
        return []
    return list(kids) if isinstance(kids, Array) else [kids]


def _is_element(kid: pikepdf.Object) -> bool:
    return isinstance(kid, Dictionary) and kid.get("/Type", Name.StructElem) == "/StructElem"


def _is_text_piece(kid: pikepdf.Object) -> bool:
    """A Span that is only marked content: no attribute, language or text of its own."""
    if not (_is_element(kid) and kid.get("/S") == "/Span" and kid.keys() <= PIECE_KEYS):
        return False
    kids = _kids(kid)
    return bool(kids) and all(
        isinstance(inner, int) or (isinstance(inner, Dictionary) and inner.get("/Type") == "/MCR")
        for inner in kids
    )


def _is_annotation(kid: pikepdf.Object) -> bool:
    return isinstance(kid, Dictionary) and kid.get("/Type") == "/OBJR"


_Area = tuple[tuple[int, int], bytes, tuple[float, float, float, float]]


def _area(reference: pikepdf.Object) -> _Area:
    """Where an annotation is (its page and rectangle, left, bottom, right, top) and where it
    leads (its destination or action, as written)."""
    annotation = reference.Obj
    page = reference.get("/Pg", annotation.get("/P"))
    left, bottom, right, top = (float(value) for value in annotation.Rect)
    target = b" ".join(annotation[key].unparse() for key in ("/Dest", "/A") if key in annotation)
    return (
        page.objgen if page is not None else (0, 0),
        target,
        (min(left, right), min(bottom, top), max(left, right), max(bottom, top)),
    )


def _covers(outer: _Area, inner: _Area) -> bool:
    """Whether `outer` is on the same page as `inner`, leads to the same place, and holds
    its whole rectangle."""
    if outer[:2] != inner[:2]:
        return False
    (a_left, a_bottom, a_right, a_top), (b_left, b_bottom, b_right, b_top) = outer[2], inner[2]
    return a_left <= b_left and a_bottom <= b_bottom and a_right >= b_right and a_top >= b_top


class _Tree:
    """The structure tree and its parent tree, being finished."""

    def __init__(self, pdf: pikepdf.Pdf) -> None:
        self.pdf = pdf
        self.root = pdf.Root.StructTreeRoot
        nums = list(self.root.ParentTree.get("/Nums", ())) if "/ParentTree" in self.root else []
        self.parents: dict[int, pikepdf.Object] = {
            int(key): value for key, value in zip(nums[0::2], nums[1::2], strict=False)
        }
        self.page_keys = {
            page.obj.objgen: int(page.obj.StructParents)
            for page in pdf.pages
            if "/StructParents" in page.obj
        }

    def elements(self) -> Iterator[pikepdf.Object]:
        """Every structure element reachable from the root, parents before kids."""
        stack = list(reversed(_kids(self.root)))
        while stack:
            element = stack.pop()
            if _is_element(element):
                yield element
                stack.extend(reversed(_kids(element)))

    def mark_artifacts(self) -> None:
        """Marked content whose element is not in the tree becomes a pagination artifact."""
        reachable = {element.objgen for element in self.elements()}
        for page in self.pdf.pages:
            key = page.obj.get("/StructParents")
            entries = self.parents.get(int(key)) if key is not None else None
            if not isinstance(entries, Array):
                continue
            orphans = {
                mcid
                for mcid, element in enumerate(entries)
                if isinstance(element, Dictionary) and element.objgen not in reachable
            }
            if not orphans:
                continue
            for mcid in orphans:
                entries[mcid] = None
            streams = page.obj.Contents
            for stream in streams if isinstance(streams, Array) else [streams]:

                def artifact(match: re.Match[bytes], orphans: set[int] = orphans) -> bytes:
                    if int(match[2]) in orphans:
                        return b"/Artifact <</Type /Pagination>> BDC"
                    return match[0]

                stream.write(MARKED.sub(artifact, stream.read_bytes()))

    def join_links(self) -> None:
        """One Link element per link: what is within a Link, Links and annotations, is its."""
        for element in list(self.elements()):
            if element.get("/S") == "/Link" and not self._within_link(element):
                annotations: list[pikepdf.Object] = []
                kept = self._absorb(element, element, annotations)
                element.K = Array([*annotations, *kept])
                for annotation in annotations:
                    self.parents[int(annotation.Obj.StructParent)] = element
            elif any(_is_annotation(kid) for kid in _kids(element)) and not self._within_link(
                element
            ):
                element.S = Name.Link  # an annotation outside any link: its holder is one

    def drop_covered_annotations(self) -> None:
        """Each Link's annotations that lie within another of them on the same page and lead
        to the same place: removed (a click there already follows the link)."""
        for element in self.elements():
            if element.get("/S") != "/Link":
                continue
            kids = _kids(element)
            places = [index for index, kid in enumerate(kids) if _is_annotation(kid)]
            if len(places) < 2:
                continue
            areas = {index: _area(kids[index]) for index in places}
            covered = {
                index
                for index in places
                for other in places
                if other != index
                and _covers(areas[other], areas[index])
                and (not _covers(areas[index], areas[other]) or other < index)
            }
            if not covered:
                continue
            for index in covered:
                self._remove_annotation(kids[index])
            element.K = Array(kid for index, kid in enumerate(kids) if index not in covered)

    def _within_link(self, element: pikepdf.Object) -> bool:
        parent = element.get("/P")
        while isinstance(parent, Dictionary) and parent.get("/Type") != "/StructTreeRoot":
            if parent.get("/S") == "/Link":
                return True
            parent = parent.get("/P")
        return False

    def _absorb(
        self, link: pikepdf.Object, holder: pikepdf.Object, annotations: list[pikepdf.Object]
    ) -> list[pikepdf.Object]:
        """The kids `holder` keeps: Links within it give it their kids; annotations go to
        `annotations`, for the link."""
        kept: list[pikepdf.Object] = []
        for kid in _kids(holder):
            if _is_annotation(kid):
                annotations.append(kid)
            elif _is_element(kid) and kid.get("/S") == "/Link":
                for inner in self._absorb(link, kid, annotations):
                    kept.append(self._moved(inner, kid, holder))
            elif _is_element(kid):
                kid.K = Array(self._absorb(link, kid, annotations))
                kept.append(kid)
            else:
                kept.append(kid)
        return kept

    def _moved(
        self, kid: pikepdf.Object, old: pikepdf.Object, new: pikepdf.Object
    ) -> pikepdf.Object:
        """`kid` of element `old` given to element `new`: its parent entries follow it."""
        if _is_element(kid):
            kid.P = new
            return kid
        page = old.get("/Pg")
        if isinstance(kid, Dictionary):  # a marked-content reference with its own page
            page = kid.get("/Pg", page)
            mcid = int(kid.MCID)
        else:
            mcid = int(kid)
        if page is not None:
            entries = self.parents.get(self.page_keys.get(page.objgen, -1))
            if isinstance(entries, Array) and mcid < len(entries):
                entries[mcid] = new
            if new.get("/Pg") is None or new.Pg.objgen != page.objgen:
                return Dictionary(Type=Name.MCR, MCID=mcid, Pg=page)
        return kid

    def drop_empty(self) -> None:
        """Remove elements with no content; a Link with none is removed with its
        annotations."""
        for element in reversed(list(self.elements())):
            parent = element.get("/P")
            if not isinstance(parent, Dictionary) or "/Alt" in element or "/ActualText" in element:
                continue
            kids = _kids(element)
            if kids and not all(_is_annotation(kid) for kid in kids):
                continue
            for annotation in kids:
                self._remove_annotation(annotation)
            remaining = [
                kid
                for kid in _kids(parent)
                if not (_is_element(kid) and kid.objgen == element.objgen)
            ]
            parent.K = Array(remaining)

    def give_items_bodies(self) -> None:
        """A list item with no LBody (a list item with a marker, holding blocks: WeasyPrint
        puts them beside its Lbl) gets one, holding all but its Lbl."""
        for item in list(self.elements()):
            if item.get("/S") != "/LI":
                continue
            kids = _kids(item)
            if any(_is_element(kid) and kid.get("/S") == "/LBody" for kid in kids):
                continue
            labels = [kid for kid in kids if _is_element(kid) and kid.get("/S") == "/Lbl"]
            rest = [kid for kid in kids if not (_is_element(kid) and kid.get("/S") == "/Lbl")]
            if not rest:
                continue
            body = self.pdf.make_indirect(
                Dictionary(Type=Name.StructElem, S=Name.LBody, P=item, K=Array())
            )
            if "/Pg" in item:
                body.Pg = item.Pg
            body.K = Array([self._moved(kid, item, body) for kid in rest])
            item.K = Array([*labels, body])

    def fold_text_pieces(self) -> None:
        """An element that holds text holds its marked content itself: WeasyPrint wraps each
        piece of text (each line's part of it) in a Span of its own, with nothing to say but
        its content (a third of a long book's objects). Only the pieces before the element's
        first other element are folded: a reader that takes an element's own content before
        its elements' (as some checkers do) then still reads them in order. Kids go before
        their parents: a Span whose pieces are folded into it may be a piece itself."""
        for element in reversed(list(self.elements())):
            if element.get("/S") not in TEXT_HOLDERS:
                continue
            kids = _kids(element)
            leading = 0
            while leading < len(kids) and not (
                _is_element(kids[leading]) and not _is_text_piece(kids[leading])
            ):
                leading += 1
            if not any(_is_text_piece(kid) for kid in kids[:leading]):
                continue
            folded: list[pikepdf.Object] = []
            for kid in kids[:leading]:
                if _is_text_piece(kid):
                    folded.extend(self._moved(inner, kid, element) for inner in _kids(kid))
                else:
                    folded.append(kid)
            element.K = Array([*folded, *kids[leading:]])

    def hold_annotation_references(self) -> None:
        """Each reference to an annotation held by its element itself (a direct object, as
        the marked-content references are), not as an object of its own: WeasyPrint writes
        one object for each, a fifth of a long book's objects, which every reader of the
        file, and the join of a long book's parts, goes through one by one."""
        for element in self.elements():
            kids = element.get("/K")
            if isinstance(kids, Array):
                for index, kid in enumerate(kids):
                    if _is_annotation(kid) and kid.is_indirect:
                        kids[index] = Dictionary(dict(kid.items()))
            elif isinstance(kids, Dictionary) and _is_annotation(kids) and kids.is_indirect:
                element.K = Dictionary(dict(kids.items()))

    def _remove_annotation(self, reference: pikepdf.Object) -> None:
        annotation = reference.Obj
        self.parents.pop(int(annotation.get("/StructParent", -1)), None)
        page = reference.get("/Pg")
        if page is not None and "/Annots" in page:
            page.Annots = Array(a for a in page.Annots if a.objgen != annotation.objgen)

    def save_parent_tree(self) -> None:
        nums = Array()
        for key in sorted(self.parents):
            nums.append(key)
            nums.append(self.parents[key])
        self.root.ParentTree = self.pdf.make_indirect(Dictionary(Nums=nums))
