"""Join the PDFs WeasyPrint wrote for consecutive parts of one book into the book's PDF.

Each part is a tagged PDF (PDF/UA-1, or the press PDF's PDF/X-4) that WeasyPrint wrote for a
slice of the book's HTML, laid out as it is in the whole book (the part starts its page
counter where it should). The join is what WeasyPrint would have written for the whole book:

- the pages of all parts, in order;
- one structure tree: one `/Document` element whose kids are all parts' kids in order, one
  `/ParentTree` whose keys are renumbered with a running offset per part (pages'
  `/StructParents` and annotations' `/StructParent` shifted to match);
- one sorted name tree of destinations, each name's entry taken from the part that owns it
  (a part's entries for names it does not own are stand-ins for places in other parts,
  there only so that WeasyPrint kept the links to them);
- the outline rebuilt from all parts' bookmarks, nested and placed as WeasyPrint does it;
- the description of each link to a place in another part whose page the part was not given
  (`pdftags.DESCRIBED_IN_BOOK`), written with the place's page in the book;
- the first part's catalog entries (`/Lang`, `/MarkInfo`, `/ViewerPreferences`,
  `/Metadata`, a press PDF's `/OutputIntents`, …), document information and PDF version;
- one copy of each colour profile (ICC) that the parts embed alike: a press PDF's output
  profile, which every part carries, is in the book once;
- the same bytes for the same parts (no timestamps, a deterministic file identifier).

The work is done by qpdf (through pikepdf): it copies each part's objects once, keeping one
map from a part's objects to their copies, so that objects copied after the part's pages
(its structure tree, destinations) point to the copied pages.
"""

from __future__ import annotations

import hashlib
import io
import warnings
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path

import pikepdf
from pikepdf import Array, Dictionary, Name, Pdf

from kpbrief.engines.pdftags import DESCRIBED_IN_BOOK
from kpbrief.engines.press import steady_document_id

# 72 PDF points per inch / 96 CSS pixels per inch, as WeasyPrint's PDF writer scales.
SCALE = 0.75

# Catalog entries rebuilt from all parts rather than taken from the first one.
REBUILT = frozenset({"/Type", "/Pages", "/Outlines", "/StructTreeRoot", "/Names", "/AcroForm"})


@dataclass(frozen=True)
class Mark:
    """One bookmark, as WeasyPrint's `Page.bookmarks` gives it."""

    page: int  # 0-based page index within its part
    level: int  # 1 = h1, 2 = h2, ...
    label: str
    x: float  # CSS px from the page's top-left (as in page.bookmarks)
    y: float


@dataclass(frozen=True)
class PartPdf:
    """One part: its PDF, its bookmarks and the anchors really placed in it."""

    pdf: bytes  # what pdf.write_variant wrote of the part (tagged; PDF/UA-1, or PDF/X-4)
    marks: tuple[Mark, ...]  # the part's bookmarks, in order
    owned: frozenset[str]  # anchor names whose real place is in this part


def join_pdf(parts: Sequence[PartPdf], target: Path) -> None:
    """Write to `target` the one PDF of all `parts`, in order."""
    if not parts:
        raise ValueError("no parts to join")
    joining = BookJoin()
    try:
        for part in parts:
            joining.add(part)
        joining.write(target)
    finally:
        joining.close()


class BookJoin:
    """The book's PDF, joined one part at a time, in order, then written: a build adds each
    part as soon as it and those before it are laid out, while the others still are.

    Each part is opened, copied and closed in `add` (qpdf keeps what it needs of a closed
    part's streams until the book is written): with every part open, a 1,000-statement
    book's join took 2.2 GB, most of it the parts' own copies of what had been copied from
    them."""

    def __init__(self) -> None:
        self.out = Pdf.new()
        self.parts: list[PartPdf] = []
        self.offsets: list[int] = []
        # The book's pages, in order: listing `out.pages` lists every page again, each time.
        self.pages: list[pikepdf.Object] = []
        self.structure = _StructureJoin(self.out)
        self.names = Dictionary()
        self.dests: dict[bytes, tuple[pikepdf.String, pikepdf.Object]] = {}  # their copies
        self.form: pikepdf.Object | None = None
        self.fields = Array()
        self.version = "1.7"
        # Link annotations described once the book's pages are known: (annotation, format,
        # label, place), see `pdftags.DESCRIBED_IN_BOOK`.
        self.undescribed: list[tuple[pikepdf.Object, str, str, str]] = []

    def add(self, part: PartPdf) -> None:
        """The next part, after those added before it."""
        out = self.out
        index = len(self.parts)
        source = Pdf.open(io.BytesIO(part.pdf))
        try:
            # Pages first: what is copied later (structure, destinations) maps to these copies.
            first = len(self.pages)
            self.offsets.append(first)
            with warnings.catch_warnings():
                # It warns that named destinations and form fields stay behind: joined below.
                warnings.simplefilter("ignore", pikepdf.PageCopyWarning)
                out.pages.extend(source.pages)
            added = [page.obj for page in out.pages[first:]]
            self.pages.extend(added)
            if index == 0:
                self.version = source.pdf_version
                for key, value in source.Root.items():
                    if key not in REBUILT:
                        out.Root[key] = _copy(out, source, value)
                if "/Info" in source.trailer:
                    out.trailer.Info = _copy(out, source, source.trailer.Info)
                for key, value in source.Root.get("/Names", Dictionary()).items():
                    if key != "/Dests":
                        self.names[key] = _copy(out, source, value)
            self._keep_undescribed(added)
            self.structure.add(source, added)
            _add_destinations(out, source, part, self.dests)
            if "/AcroForm" in source.Root:
                if self.form is None:
                    self.form = _copy(out, source, source.Root.AcroForm)
                for form_field in source.Root.AcroForm.get("/Fields", ()):
                    self.fields.append(_copy(out, source, form_field))
        finally:
            source.close()
        self.parts.append(part)

    def _keep_undescribed(self, pages: Sequence[pikepdf.Object]) -> None:
        """The link annotations of `pages` that are described in the book."""
        for page in pages:
            for annotation in page.get("/Annots", ()):
                later = annotation.get(DESCRIBED_IN_BOOK)
                if later is not None:
                    form, label, place = (str(item) for item in later)
                    self.undescribed.append((annotation, form, label, place))
                    del annotation[DESCRIBED_IN_BOOK]

    def _describe(self) -> None:
        """Each link to a place of another part, described with the place's page in the book
        (the page counter counts every page from the cover on)."""
        numbers = {page.objgen: number for number, page in enumerate(self.pages, 1)}
        for annotation, form, label, place in self.undescribed:
            found = self.dests.get(bytes(pikepdf.String(place)))
            destination = found[1] if found else None
            if isinstance(destination, Dictionary):
                destination = destination.get("/D")
            page = destination[0] if isinstance(destination, Array) and destination else None
            number = numbers.get(page.objgen) if isinstance(page, Dictionary) else None
            if number is not None:
                annotation.Contents = pikepdf.String(form.format(label=label, page=number))

    def write(self, target: Path) -> None:
        """The book of the parts added, written to `target` (once)."""
        if not self.parts:
            raise ValueError("no parts to join")
        out, names = self.out, self.names
        self._describe()
        self.structure.finish()
        if self.dests:
            flat = Array()
            for _sort_key, (string, destination) in sorted(self.dests.items()):
                flat.append(string)
                flat.append(destination)
            names.Dests = Dictionary(Names=flat)
        if names:
            out.Root.Names = names
        if isinstance(self.form, Dictionary):  # one interactive form: the first's entries
            self.form.Fields = self.fields
            out.Root.AcroForm = self.form
        _add_outline(out, self.pages, self.parts, self.offsets)
        if "/OutputIntents" in out.Root:  # a press PDF: each part embeds the output profile
            _share_profiles(out)
            steady_document_id(out)  # the book's, not its first part's
        out.save(
            target,
            min_version=self.version,
            deterministic_id=True,
            object_stream_mode=pikepdf.ObjectStreamMode.generate,
            compress_streams=True,
        )

    def close(self) -> None:
        self.out.close()


def _share_profiles(out: Pdf) -> None:
    """Every reference to an ICC profile pointed to the first profile of the same bytes."""
    profiles: dict[tuple[int, int], pikepdf.Object] = {}  # objgen -> the profile
    for obj in out.objects:
        for value in _direct_values(obj):
            if isinstance(value, Array) and len(value) == 2 and value[0] == Name.ICCBased:
                profiles[value[1].objgen] = value[1]
            elif isinstance(value, Dictionary) and "/DestOutputProfile" in value:
                profiles[value.DestOutputProfile.objgen] = value.DestOutputProfile
    first: dict[tuple[bytes, str], pikepdf.Object] = {}
    same: dict[tuple[int, int], pikepdf.Object] = {}
    for objgen, profile in sorted(profiles.items()):
        key = (hashlib.sha256(profile.read_raw_bytes()).digest(), repr(dict(profile.items())))
        kept = first.setdefault(key, profile)
        if kept.objgen != objgen:
            same[objgen] = kept
    if not same:
        return
    for obj in list(out.objects):
        for value in _direct_values(obj):
            if isinstance(value, Array):
                for i, item in enumerate(value):
                    if isinstance(item, pikepdf.Stream) and item.objgen in same:
                        value[i] = same[item.objgen]
            elif isinstance(value, Dictionary | pikepdf.Stream):
                for name, item in list(value.items()):
                    if isinstance(item, pikepdf.Stream) and item.objgen in same:
                        value[name] = same[item.objgen]


def _direct_values(obj: pikepdf.Object) -> Iterator[pikepdf.Object]:
    """An object and every dictionary and array held in it directly (not by reference)."""
    waiting = [obj]
    while waiting:
        value = waiting.pop()
        if not isinstance(value, Dictionary | Array | pikepdf.Stream):
            continue
        yield value
        items = value if isinstance(value, Array) else value.values()
        waiting.extend(
            item for item in items if isinstance(item, Dictionary | Array) and not item.is_indirect
        )


def _copy(out: Pdf, source: Pdf, value: pikepdf.Object) -> pikepdf.Object:
    """`value` of `source` copied into `out` (with qpdf's map of `source`'s objects)."""
    if isinstance(value, Dictionary | Array | pikepdf.Stream) and not value.is_indirect:
        value = source.make_indirect(value)  # copy_foreign takes indirect objects only
    elif not isinstance(value, Dictionary | Array | pikepdf.Stream):
        return value  # names, numbers, strings: copied as they are
    return out.copy_foreign(value)


def _number_tree(node: pikepdf.Object) -> Iterator[tuple[int, pikepdf.Object]]:
    """The (key, value) pairs of a number tree, in order (flat `/Nums` or `/Kids`)."""
    return ((int(key), value) for key, value in _tree(node, "/Nums"))


def _name_tree(node: pikepdf.Object) -> Iterator[tuple[str, pikepdf.Object]]:
    """The (name, value) pairs of a name tree (flat `/Names` or `/Kids`)."""
    return ((str(name), value) for name, value in _tree(node, "/Names"))


def _tree(node: pikepdf.Object, leaves: str) -> Iterator[tuple[pikepdf.Object, pikepdf.Object]]:
    if leaves in node:
        items = list(node[leaves])
        yield from zip(items[0::2], items[1::2], strict=False)
    for kid in node.get("/Kids", ()):
        yield from _tree(kid, leaves)


def _as_list(value: pikepdf.Object | None) -> list[pikepdf.Object]:
    if value is None:
        return []
    if isinstance(value, Array):
        return list(value)
    return [value]


class _StructureJoin:
    """One structure tree, built part by part: one Document of all parts' kids, one
    renumbered ParentTree."""

    def __init__(self, out: Pdf) -> None:
        self.out = out
        self.document: pikepdf.Object | None = None
        self.kids = Array()
        self.nums: list[int | pikepdf.Object] = []
        self.role_map = Dictionary()
        self.class_map = Dictionary()
        self.namespaces = Array()
        self.namespace_uris: set[str] = set()
        self.shift = 0
        self.next_key = False  # whether a part gave /ParentTreeNextKey
        self.root: pikepdf.Object | None = None

    def add(self, source: Pdf, pages: Sequence[pikepdf.Object]) -> None:
        """The structure of `source`, whose pages (copied into the book) are `pages`."""
        if "/StructTreeRoot" not in source.Root:
            return
        out = self.out
        part_root = _copy(out, source, source.Root.StructTreeRoot)
        first = self.root is None
        if self.root is None:
            self.root = out.make_indirect(Dictionary(Type=Name.StructTreeRoot))
        top = _as_list(part_root.get("/K"))
        part_document = top[0] if len(top) == 1 and top[0].get("/S") == "/Document" else None
        if self.document is None:
            # The first part's Document element, emptied, becomes the book's.
            attributes = part_document if part_document is not None else Dictionary()
            self.document = out.make_indirect(
                Dictionary({k: v for k, v in attributes.items() if k not in ("/K", "/P")})
            )
            self.document.Type = Name.StructElem
            self.document.S = Name.Document
            self.document.P = self.root
        part_kids = _as_list(part_document.get("/K")) if part_document is not None else top
        for kid in part_kids:
            if isinstance(kid, Dictionary) and "/P" in kid:
                kid.P = self.document
            self.kids.append(kid)
        entries = list(_number_tree(part_root.ParentTree)) if "/ParentTree" in part_root else []
        for key, value in entries:
            self.nums += (key + self.shift, value)
        # The part's keys: those of its tree, or up to /ParentTreeNextKey if that is higher.
        keys = max([int(part_root.get("/ParentTreeNextKey", 0)), *(k + 1 for k, _ in entries)])
        if self.shift:  # pages and their annotations, shifted to the part's keys in the tree
            shifted: set[tuple[int, int]] = set()
            for page_object in pages:
                page_key = page_object.get("/StructParents")
                if page_key is not None:
                    page_object.StructParents = int(page_key) + self.shift
                for annotation in page_object.get("/Annots", ()):
                    annotation_key = annotation.get("/StructParent")
                    if annotation_key is None:
                        continue
                    if annotation.is_indirect:
                        if annotation.objgen in shifted:
                            continue  # on two pages: shifted once
                        shifted.add(annotation.objgen)
                    annotation.StructParent = int(annotation_key) + self.shift
        self.shift += keys
        self.next_key = self.next_key or "/ParentTreeNextKey" in part_root
        for role, standard in part_root.get("/RoleMap", Dictionary()).items():
            if role not in self.role_map:
                self.role_map[role] = standard
        for class_name, attributes in part_root.get("/ClassMap", Dictionary()).items():
            if class_name not in self.class_map:
                self.class_map[class_name] = attributes
        for namespace in part_root.get("/Namespaces", ()):
            uri = str(namespace.get("/NS", ""))
            if first or uri not in self.namespace_uris:
                self.namespaces.append(namespace)
                self.namespace_uris.add(uri)

    def finish(self) -> None:
        if self.root is None:
            return
        root, out = self.root, self.out
        assert self.document is not None
        self.document.K = self.kids
        root.K = Array([self.document])
        root.ParentTree = out.make_indirect(Dictionary(Nums=Array(self.nums)))
        if self.next_key:
            root.ParentTreeNextKey = self.shift
        if self.role_map:
            root.RoleMap = self.role_map
        if self.class_map:
            root.ClassMap = self.class_map
        if self.namespaces:
            root.Namespaces = self.namespaces
        out.Root.StructTreeRoot = root


def _add_destinations(
    out: Pdf,
    source: Pdf,
    part: PartPdf,
    dests: dict[bytes, tuple[pikepdf.String, pikepdf.Object]],
) -> None:
    """The part's destinations for the places it owns (the others are stand-ins)."""
    if "/Names" not in source.Root or "/Dests" not in source.Root.Names:
        return
    for name, value in _name_tree(source.Root.Names.Dests):
        if name not in part.owned:
            continue  # a stand-in for a place in another part
        string = pikepdf.String(name)
        if bytes(string) not in dests:
            dests[bytes(string)] = (string, _copy(out, source, value))


def _number(value: float) -> int | Decimal:
    """A coordinate written as WeasyPrint's PDF writer (pydyf) writes it."""
    if value.is_integer():
        return int(value)
    return Decimal(f"{value:f}".rstrip("0"))


@dataclass
class _Item:
    """One outline item being built, with its children."""

    obj: pikepdf.Object
    children: list[_Item] = field(default_factory=list)


def _add_outline(
    out: Pdf, pages: list[pikepdf.Object], parts: Sequence[PartPdf], offsets: list[int]
) -> None:
    """The outline of all parts' bookmarks, nested and placed as WeasyPrint does it."""
    # Nesting as WeasyPrint's make_page_bookmark_tree: skipped levels do not nest deeper.
    skipped: list[int] = []
    previous = 0
    roots: list[_Item] = []
    last_by_depth: list[list[_Item]] = [roots]
    for part, offset in zip(parts, offsets, strict=True):
        for mark in part.marks:
            if mark.level > previous:
                skipped.append(mark.level - previous - 1)
            else:
                level = mark.level
                while level < previous:
                    level += 1 + skipped.pop()
                if level > previous:
                    skipped.append(level - previous - 1)
            previous = mark.level
            depth = mark.level - sum(skipped)
            page = pages[offset + mark.page]
            box = page.get("/TrimBox", page.MediaBox)
            top = float(box[3])  # the CSS page's height in points (its top, y up)
            destination = [
                page,
                Name.XYZ,
                _number(mark.x * SCALE),
                _number(top - mark.y * SCALE),
                0,
            ]
            item = _Item(
                out.make_indirect(
                    Dictionary(Title=pikepdf.String(mark.label), Dest=Array(destination))
                )
            )
            last_by_depth[depth - 1].append(item)
            del last_by_depth[depth:]
            last_by_depth.append(item.children)
    if not roots:
        return
    outlines = out.make_indirect(Dictionary())

    def link(items: list[_Item], parent: pikepdf.Object) -> int:
        """Link items to their parent and siblings; their count of visible descendants."""
        count = len(items)
        for i, item in enumerate(items):
            item.obj.Parent = parent
            descendants = link(item.children, item.obj)
            item.obj.Count = descendants
            count += descendants
            if i:
                item.obj.Prev = items[i - 1].obj
            if i + 1 < len(items):
                item.obj.Next = items[i + 1].obj
            if item.children:
                item.obj.First = item.children[0].obj
                item.obj.Last = item.children[-1].obj
        return count

    outlines.Count = link(roots, outlines)
    outlines.First = roots[0].obj
    outlines.Last = roots[-1].obj
    out.Root.Outlines = outlines
