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
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Literal

import pikepdf
import pikepdf.settings
from pikepdf import Array, Dictionary, Name, Pdf

from kpbrief.engines.pdftags import DESCRIBED_IN_BOOK
from kpbrief.engines.press import steady_document_id

# 72 PDF points per inch / 96 CSS pixels per inch, as WeasyPrint's PDF writer scales.
SCALE = 0.75

# zlib's level for the joined book's object and cross-reference streams
JOIN_FLATE_LEVEL: Literal[3] = 3

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
    """The book's PDF, joined from parts: each part copied once (`add`, or `copy`), the book
    of the parts asked for written in their order (`write`).

    A part's objects are copied as they are; everything that depends on the parts before it
    (its pages' and annotations' keys in the structure's parent tree, its elements' parent,
    its links' descriptions, the page tree, the outline) is set when the book is written. So
    a long-lived process can keep the join for its next round and copy only the parts that
    changed: a part copied and not asked for is left out of the written file (qpdf writes
    only what the book refers to).

    What a reader meets does not depend on the order the parts were copied in; the file's
    bytes do, a little: qpdf groups the objects it writes into object streams and orders
    each stream's objects by the number they were given when copied. A `write` that must be
    reproducible (`reproducible=True`, the default: the same parts give the same bytes as a
    build that copies them in order) copies again every part from the first whose copy is
    not in the book's order; a preview round may skip that (`reproducible=False`).

    Each part is opened, copied and closed in `copy` (qpdf keeps what it needs of a closed
    part's streams until the book is written): with every part open, a 1,000-statement
    book's join took 2.2 GB, most of it the parts' own copies of what had been copied from
    them."""

    def __init__(self, sources: PartSources | None = None) -> None:
        self.out = Pdf.new()
        self.sources = sources  # the parts kept open between books, if any
        self.parts: list[PartPdf] = []  # what `write` writes, in order
        self.copies: dict[tuple[bytes, frozenset[str]], _Copy] = {}  # in the order copied
        self.written: set[tuple[bytes, frozenset[str]]] = set()  # the copies last written

    def add(self, part: PartPdf) -> None:
        """The next part of the book, copied unless it was."""
        self.copy(part)
        self.parts.append(part)

    def copy(self, part: PartPdf) -> None:
        """`part` copied, if it was not, without making it a part of the book."""
        key = _key(part)
        if key not in self.copies:
            source = None if self.sources is None else self.sources.open(part, key[0])
            self.copies[key] = _Copy.of(self.out, part, source)

    def unused(self) -> int:
        """How many copies the last book written did not use."""
        return len(self.copies.keys() - self.written)

    def write(
        self, target: Path, parts: Sequence[PartPdf] | None = None, reproducible: bool = True
    ) -> None:
        """The book of `parts` (by default those added), in order, written to `target`; with
        `reproducible`, in the bytes an in-order join of the same parts writes."""
        chosen = list(self.parts if parts is None else parts)
        if not chosen:
            raise ValueError("no parts to join")
        keys = [_key(part) for part in chosen]
        if reproducible:
            self._in_order(chosen, keys)
        for part in chosen:
            self.copy(part)
        copies = [self.copies[key] for key in keys]
        out = self.out
        for name in list(out.Root.keys()):
            if name not in ("/Type", "/Pages"):
                del out.Root[name]
        if "/Info" in out.trailer:
            del out.trailer["/Info"]
        first = copies[0]
        for name, value in first.catalog.items():
            out.Root[name] = value
        if first.info is not None:
            out.trailer.Info = first.info
        pages: list[pikepdf.Object] = []
        offsets: list[int] = []
        tree = out.Root.Pages
        for copy in copies:
            offsets.append(len(pages))
            pages.extend(copy.pages)
        for page in pages:
            page.Parent = tree
        tree.Kids = Array(pages)
        tree.Count = len(pages)
        dests: dict[bytes, tuple[pikepdf.String, pikepdf.Object]] = {}
        for copy in copies:
            for sort_key, string, destination in copy.dests:
                dests.setdefault(sort_key, (string, destination))
        _describe(pages, copies, dests)
        _join_structure(out, copies)
        names = Dictionary(first.names)
        if dests:
            flat = Array()
            for _sort_key, (string, destination) in sorted(dests.items()):
                flat.append(string)
                flat.append(destination)
            names.Dests = Dictionary(Names=flat)
        if names:
            out.Root.Names = names
        form = next((copy.form for copy in copies if copy.form is not None), None)
        if isinstance(form, Dictionary):  # one interactive form: the first's entries
            form.Fields = Array([field for copy in copies for field in copy.fields])
            out.Root.AcroForm = form
        _add_outline(out, pages, chosen, offsets)
        if "/OutputIntents" in out.Root:  # a press PDF: each part embeds the output profile
            _share_profiles(out)
            steady_document_id(out, pages)  # the book's, not its first part's
        # The book's object streams are compressed at a lower level than zlib's default:
        # a quarter less time for the 500-statement book's save, a file 3 % larger (the
        # parts' own streams, most of the bytes, are copied compressed as they are).
        pikepdf.settings.set_flate_compression_level(JOIN_FLATE_LEVEL)
        try:
            out.save(
                target,
                min_version=first.version,
                deterministic_id=True,
                object_stream_mode=pikepdf.ObjectStreamMode.generate,
                compress_streams=True,
            )
        finally:
            pikepdf.settings.set_flate_compression_level(-1)  # zlib's default again
        self.written = set(keys)

    def _in_order(self, chosen: list[PartPdf], keys: list[tuple[bytes, frozenset[str]]]) -> None:
        """Every part from the first copied out of the book's order (or not yet copied)
        copied again, in order, after all the others."""
        order = {key: n for n, key in enumerate(self.copies)}
        last = -1
        for i, key in enumerate(keys):
            n = order.get(key, -1)
            if n < last or n < 0:
                for part, again in zip(chosen[i:], keys[i:], strict=True):
                    self.copies.pop(again, None)  # its old copy stays in `out`, unwritten
                    self.copy(part)
                return
            last = n

    def close(self) -> None:
        self.out.close()


def _key(part: PartPdf) -> tuple[bytes, frozenset[str]]:
    return hashlib.sha256(part.pdf).digest(), part.owned


class PartSources:
    """Parts opened (and parsed, as copying them parses them) once and kept open, by their
    bytes, for the joins of a long-lived process: a book joined from parts it opened before
    copies them from memory, in the book's order, without reading them again, and is the same
    bytes as a join that opens each part anew (the same copies, made in the same order).

    What the last book (`keep_only`) did not use is closed."""

    def __init__(self) -> None:
        self.opened: dict[bytes, Pdf] = {}

    def open(self, part: PartPdf, digest: bytes) -> Pdf:
        """`part` opened, or kept open; `digest`: its PDF's SHA-256 (`_key`)."""
        source = self.opened.get(digest)
        if source is None:
            source = self.opened[digest] = Pdf.open(io.BytesIO(part.pdf))
        return source

    def keep_only(self, pdfs: Iterable[bytes]) -> None:
        wanted = {hashlib.sha256(pdf).digest() for pdf in pdfs}
        for digest in list(self.opened):
            if digest not in wanted:
                self.opened.pop(digest).close()

    def close(self) -> None:
        opened, self.opened = self.opened, {}
        for source in opened.values():
            source.close()


@dataclass
class _Copy:
    """One part's objects copied into the book, and what the book's write sets in them."""

    version: str
    catalog: dict[str, pikepdf.Object]  # its catalog's entries but `REBUILT`'s
    info: pikepdf.Object | None
    names: dict[str, pikepdf.Object]  # its name trees but the destinations'
    pages: list[pikepdf.Object]
    page_keys: list[tuple[pikepdf.Object, int]]  # pages' /StructParents, as the part gave them
    annotation_keys: list[tuple[pikepdf.Object, int]]  # annotations' /StructParent, likewise
    # Link annotations described once the book's pages are known: (annotation, format,
    # label, place, the part's own description), see `pdftags.DESCRIBED_IN_BOOK`.
    undescribed: list[tuple[pikepdf.Object, str, str, str, pikepdf.Object | None]]
    structure: pikepdf.Object | None  # its StructTreeRoot (copied), if tagged
    document: pikepdf.Object | None  # its one Document element, if it has one
    dests: list[tuple[bytes, pikepdf.String, pikepdf.Object]]  # for the places it owns
    form: pikepdf.Object | None
    fields: list[pikepdf.Object]

    @classmethod
    def of(cls, out: Pdf, part: PartPdf, kept: Pdf | None = None) -> _Copy:
        """`part` copied into `out`, from `kept` (the part opened and kept open) if given,
        else opened here and closed."""
        source = Pdf.open(io.BytesIO(part.pdf)) if kept is None else kept
        try:
            # Pages first, then what refers to them (structure, destinations): each copy of
            # the part maps to these pages. qpdf copies a page without its /Parent.
            pages = [out.copy_foreign(page.obj) for page in source.pages]
            root = source.Root
            catalog = {k: _copy(out, source, v) for k, v in root.items() if k not in REBUILT}
            info = _copy(out, source, source.trailer.Info) if "/Info" in source.trailer else None
            names = {
                k: _copy(out, source, v)
                for k, v in root.get("/Names", Dictionary()).items()
                if k != "/Dests"
            }
            page_keys: list[tuple[pikepdf.Object, int]] = []
            annotation_keys: list[tuple[pikepdf.Object, int]] = []
            undescribed: list[tuple[pikepdf.Object, str, str, str, pikepdf.Object | None]] = []
            seen: set[tuple[int, int]] = set()
            for page in pages:
                if "/StructParents" in page:
                    page_keys.append((page, int(page.StructParents)))
                for annotation in page.get("/Annots", ()):
                    later = annotation.get(DESCRIBED_IN_BOOK)
                    if later is not None:
                        wording, label, place = (str(item) for item in later)
                        given = annotation.get("/Contents")
                        undescribed.append((annotation, wording, label, place, given))
                        del annotation[DESCRIBED_IN_BOOK]
                    key = annotation.get("/StructParent")
                    if key is None:
                        continue
                    if annotation.is_indirect:
                        if annotation.objgen in seen:
                            continue  # on two pages: one key
                        seen.add(annotation.objgen)
                    annotation_keys.append((annotation, int(key)))
            structure = document = None
            if "/StructTreeRoot" in root:
                structure = _copy(out, source, root.StructTreeRoot)
                top = _as_list(structure.get("/K"))
                if len(top) == 1 and top[0].get("/S") == "/Document":
                    document = top[0]
            dests = []
            if "/Names" in root and "/Dests" in root.Names:
                for name, value in _name_tree(root.Names.Dests):
                    if name in part.owned:  # the others are stand-ins for places elsewhere
                        string = pikepdf.String(name)
                        dests.append((bytes(string), string, _copy(out, source, value)))
            form = fields = None
            if "/AcroForm" in root:
                form = _copy(out, source, root.AcroForm)
                fields = [_copy(out, source, f) for f in root.AcroForm.get("/Fields", ())]
            return cls(
                version=source.pdf_version,
                catalog=catalog,
                info=info,
                names=names,
                pages=pages,
                page_keys=page_keys,
                annotation_keys=annotation_keys,
                undescribed=undescribed,
                structure=structure,
                document=document,
                dests=dests,
                form=form,
                fields=fields or [],
            )
        finally:
            if kept is None:
                source.close()


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


def _describe(
    pages: Sequence[pikepdf.Object],
    copies: Sequence[_Copy],
    dests: dict[bytes, tuple[pikepdf.String, pikepdf.Object]],
) -> None:
    """Each link to a place of another part, described with the place's page in the book
    (the page counter counts every page from the cover on)."""
    numbers = {page.objgen: number for number, page in enumerate(pages, 1)}
    for copy in copies:
        for annotation, form, label, place, given in copy.undescribed:
            found = dests.get(bytes(pikepdf.String(place)))
            destination = found[1] if found else None
            if isinstance(destination, Dictionary):
                destination = destination.get("/D")
            page = destination[0] if isinstance(destination, Array) and destination else None
            number = numbers.get(page.objgen) if isinstance(page, Dictionary) else None
            if number is not None:
                annotation.Contents = pikepdf.String(form.format(label=label, page=number))
            elif given is not None:  # as the part described it (a copy may be written again)
                annotation.Contents = given
            elif "/Contents" in annotation:
                del annotation["/Contents"]


def _join_structure(out: Pdf, copies: Sequence[_Copy]) -> None:
    """One structure tree of all parts': one Document element of all parts' kids, one
    parent tree whose keys run on from part to part (their pages' and annotations' keys
    set to match)."""
    tagged = [copy for copy in copies if copy.structure is not None]
    if not tagged:
        return
    root = out.make_indirect(Dictionary(Type=Name.StructTreeRoot))
    # The first part's Document element, emptied, gives the book's its attributes.
    attributes = tagged[0].document if tagged[0].document is not None else Dictionary()
    document = out.make_indirect(
        Dictionary({k: v for k, v in attributes.items() if k not in ("/K", "/P")})
    )
    document.Type = Name.StructElem
    document.S = Name.Document
    document.P = root
    kids = Array()
    nums: list[int | pikepdf.Object] = []
    role_map, class_map = Dictionary(), Dictionary()
    namespaces = Array()
    namespace_uris: set[str] = set()
    shift = 0
    next_key = False  # whether a part gave /ParentTreeNextKey
    for index, copy in enumerate(tagged):
        part_root = copy.structure
        assert part_root is not None
        top = copy.document.get("/K") if copy.document is not None else part_root.get("/K")
        for kid in _as_list(top):
            if isinstance(kid, Dictionary) and "/P" in kid:
                kid.P = document
            kids.append(kid)
        entries = list(_number_tree(part_root.ParentTree)) if "/ParentTree" in part_root else []
        for key, value in entries:
            nums += (key + shift, value)
        for page, key in copy.page_keys:
            page.StructParents = key + shift
        for annotation, key in copy.annotation_keys:
            annotation.StructParent = key + shift
        # The part's keys: those of its tree, or up to /ParentTreeNextKey if that is higher.
        shift += max([int(part_root.get("/ParentTreeNextKey", 0)), *(k + 1 for k, _ in entries)])
        next_key = next_key or "/ParentTreeNextKey" in part_root
        for role, standard in part_root.get("/RoleMap", Dictionary()).items():
            if role not in role_map:
                role_map[role] = standard
        for class_name, class_attributes in part_root.get("/ClassMap", Dictionary()).items():
            if class_name not in class_map:
                class_map[class_name] = class_attributes
        for namespace in part_root.get("/Namespaces", ()):
            uri = str(namespace.get("/NS", ""))
            if index == 0 or uri not in namespace_uris:
                namespaces.append(namespace)
                namespace_uris.add(uri)
    document.K = kids
    root.K = Array([document])
    root.ParentTree = out.make_indirect(Dictionary(Nums=Array(nums)))
    if next_key:
        root.ParentTreeNextKey = shift
    if role_map:
        root.RoleMap = role_map
    if class_map:
        root.ClassMap = class_map
    if namespaces:
        root.Namespaces = namespaces
    out.Root.StructTreeRoot = root


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
