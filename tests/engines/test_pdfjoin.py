"""kpbrief.pdfjoin: parts of a book rendered apart and joined are the book rendered whole."""

from __future__ import annotations

import io
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pikepdf
import pypdfium2
import pytest
import weasyprint
from helpers.pdfs import normalised

from kpbrief.engines.pdfjoin import BookJoin, Mark, PartPdf, join_pdf

OPTIONS: dict[str, Any] = {"pdf_tags": True, "pdf_variant": "pdf/ua-1"}

STYLE = """
@page { size: A6; margin: 15mm 12mm; @bottom-center { content: counter(page) } }
h1, h2.new { break-before: page }
body { font-size: 10pt }
"""

# Sections: (id, heading level, title, ids linked to from the section).
SECTIONS = [
    ("s1", 1, "Opening", ["s3", "s5"]),
    ("s2", 2, "First remarks", ["s1"]),
    ("s3", 1, "Second chapter", ["s6", "s2"]),
    ("s4", 2, "Details", ["s3"]),
    ("s5", 3, "Finer details", ["s1"]),
    ("s6", 1, "Third chapter", ["s4"]),
    ("s7", 2, "Notes", ["s2", "s7"]),
]
# Where the parts begin (each a section that opens a page).
CUTS = [["s1", "s2"], ["s3", "s4", "s5"], ["s6", "s7"]]


def section(ident: str, level: int, title: str, links: list[str], stand_ins: set[str]) -> str:
    heading_class = ' class="new"' if ident in ("s2", "s7") else ""
    anchors = " ".join(
        f'<a href="#{target}"'
        + (f" style='-weasy-anchor: \"{target}\"'" if target in stand_ins else "")
        + f">to {target}</a>"
        for target in links
    )
    paragraphs = "".join(
        f"<p>Paragraph {n} of {title.lower()}, with some words to fill the line. "
        f"{anchors if n == 2 else ''}</p>"
        for n in range(1, 5)
    )
    return f'<h{level} id="{ident}"{heading_class}>{title}</h{level}>{paragraphs}'


def book(ids: list[str], first_page: int = 1) -> str:
    """The HTML of the book's sections `ids`; links out of them get stand-in anchors."""
    here = set(ids)
    body = "".join(
        section(ident, level, title, links, {t for t in links if t not in here})
        for ident, level, title, links in SECTIONS
        if ident in here
    )
    counter = f"@page :first {{ counter-reset: page {first_page} }}" if first_page > 1 else ""
    return (
        '<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>A book</title>'
        f"<style>{STYLE}{counter}</style></head><body>{body}</body></html>"
    )


@dataclass
class Rendered:
    whole: bytes
    whole_pages: int
    parts: list[PartPdf]
    part_kids: list[int]


@pytest.fixture(scope="module")
def rendered() -> Rendered:
    whole_document = weasyprint.HTML(string=book([s[0] for s in SECTIONS])).render(**OPTIONS)
    parts = []
    first_page = 1
    for ids in CUTS:
        html = book(ids, first_page)
        document = weasyprint.HTML(string=html).render(**OPTIONS)
        real = set(re.findall(r'\bid="([^"]+)"', html))
        marks = tuple(
            Mark(page=i, level=level, label=label, x=x, y=y)
            for i, page in enumerate(document.pages)
            for level, label, (x, y), _state in page.bookmarks
        )
        owned = frozenset(name for page in document.pages for name in page.anchors if name in real)
        parts.append(PartPdf(document.write_pdf(**OPTIONS), marks, owned))
        first_page += len(document.pages)
    part_kids = []
    for part in parts:
        with pikepdf.open(io.BytesIO(part.pdf)) as pdf:
            part_kids.append(len(pdf.Root.StructTreeRoot.K[0].K))
    return Rendered(
        whole_document.write_pdf(**OPTIONS), len(whole_document.pages), parts, part_kids
    )


@pytest.fixture(scope="module")
def joined(rendered: Rendered, tmp_path_factory: pytest.TempPathFactory) -> Path:
    target = tmp_path_factory.mktemp("join") / "book.pdf"
    join_pdf(rendered.parts, target)
    return target


def parent_tree(pdf: pikepdf.Pdf) -> dict[int, pikepdf.Object]:
    tree = pdf.Root.StructTreeRoot.ParentTree
    assert "/Kids" not in tree
    nums = tree.Nums
    return {int(nums[i]): nums[i + 1] for i in range(0, len(nums), 2)}


def page_index(pdf: pikepdf.Pdf) -> dict[tuple[int, int], int]:
    return {page.obj.objgen: i for i, page in enumerate(pdf.pages)}


def destinations(pdf: pikepdf.Pdf) -> dict[str, pikepdf.Object]:
    names = pdf.Root.Names.Dests.Names
    keys = [bytes(names[i]) for i in range(0, len(names), 2)]
    assert keys == sorted(keys) and len(set(keys)) == len(keys)
    return {str(names[i]): names[i + 1] for i in range(0, len(names), 2)}


def links(pdf: pikepdf.Pdf) -> list[tuple[int, tuple[float, ...], str, int]]:
    """(page, rectangle, name, target page) of every internal link."""
    where = page_index(pdf)
    dests = destinations(pdf)
    found = []
    for number, page in enumerate(pdf.pages):
        for annotation in page.obj.get("/Annots", ()):
            if "/Dest" in annotation:
                name = str(annotation.Dest)
                rectangle = tuple(round(float(v), 3) for v in annotation.Rect)
                found.append((number, rectangle, name, where[dests[name][0].objgen]))
    return found


def outline(pdf: pikepdf.Pdf) -> list[tuple[int, str, int, float, float, int]]:
    """(depth, title, page, x, y, count) of every outline item, in order."""
    where = page_index(pdf)
    flat: list[tuple[int, str, int, float, float, int]] = []

    def walk(item: pikepdf.Object | None, depth: int, parent: pikepdf.Object) -> None:
        while item is not None:
            assert item.Parent.objgen == parent.objgen
            dest = item.Dest
            assert dest[1] == "/XYZ"
            flat.append(
                (
                    depth,
                    str(item.Title),
                    where[dest[0].objgen],
                    round(float(dest[2]), 4),
                    round(float(dest[3]), 4),
                    int(item.Count),
                )
            )
            walk(item.get("/First"), depth + 1, item)
            item = item.get("/Next")

    walk(pdf.Root.Outlines.get("/First"), 0, pdf.Root.Outlines)
    assert int(pdf.Root.Outlines.Count) == len(flat)
    return flat


def test_pages_outline_links_and_catalog(rendered: Rendered, joined: Path) -> None:
    with pikepdf.open(io.BytesIO(rendered.whole)) as whole, pikepdf.open(joined) as pdf:
        assert len(pdf.pages) == rendered.whole_pages == len(whole.pages)
        assert len(rendered.parts) == 3 and all(len(p.marks) for p in rendered.parts)
        assert outline(pdf) == outline(whole)
        assert links(pdf) == links(whole)
        assert len(links(pdf)) == sum(len(s[3]) for s in SECTIONS)
        # Every named destination is the whole render's (page and place).
        mine, theirs = destinations(pdf), destinations(whole)
        assert mine.keys() == theirs.keys()
        where_mine, where_theirs = page_index(pdf), page_index(whole)
        for name, dest in mine.items():
            assert where_mine[dest[0].objgen] == where_theirs[theirs[name][0].objgen], name
            assert dest[1:].unparse() == theirs[name][1:].unparse(), name
        assert str(pdf.Root.Lang) == str(whole.Root.Lang) == "en"
        assert pdf.Root.MarkInfo.Marked
        assert pdf.Root.ViewerPreferences.DisplayDocTitle
        assert "/Metadata" in pdf.Root
        assert str(pdf.docinfo.Title) == "A book"
        assert pdf.pdf_version == whole.pdf_version == "1.7"


def test_structure_tree(rendered: Rendered, joined: Path) -> None:
    with pikepdf.open(io.BytesIO(rendered.whole)) as whole, pikepdf.open(joined) as pdf:
        root = pdf.Root.StructTreeRoot
        assert len(root.K) == 1
        document = root.K[0]
        assert document.S == "/Document" and document.P.objgen == root.objgen
        kids = len(document.K)
        assert kids == sum(rendered.part_kids) == len(whole.Root.StructTreeRoot.K[0].K)
        tree = parent_tree(pdf)
        pages = page_index(pdf)
        # Pages: their keys, and one element per marked content sequence.
        for page in pdf.pages:
            key = int(page.obj.StructParents)
            content = b"".join(c.read_bytes() for c in pikepdf.Array([page.obj.Contents]).as_list())
            mcids = {int(m) for m in re.findall(rb"/MCID (\d+)", content)}
            assert mcids == set(range(len(tree[key])))
            for mcid, element in enumerate(tree[key]):
                assert element.Pg.objgen == page.obj.objgen
                assert mcid in list(element.K)
        # Annotations: their keys lead to their Link elements.
        annotations = 0
        for page in pdf.pages:
            for annotation in page.obj.get("/Annots", ()):
                element = tree[int(annotation.StructParent)]
                assert element.S == "/Link"
                objrs = [k for k in element.K if isinstance(k, pikepdf.Dictionary)]
                assert [k.Obj.objgen for k in objrs] == [annotation.objgen]
                assert objrs[0].Pg.objgen == page.obj.objgen
                annotations += 1
        keys_used = {int(p.obj.StructParents) for p in pdf.pages} | {
            int(a.StructParent) for p in pdf.pages for a in p.obj.get("/Annots", ())
        }
        assert keys_used == set(tree)
        assert annotations == len(tree) - len(pdf.pages)
        # Every element: on a page of this PDF, its /P its parent, up to the root.
        seen = 0

        def walk(element: pikepdf.Object, parent: pikepdf.Object) -> None:
            nonlocal seen
            seen += 1
            assert element.P.objgen == parent.objgen
            if element.S != "/Document":
                assert element.Pg.objgen in pages
            for kid in element.K:
                if isinstance(kid, pikepdf.Dictionary) and kid.get("/Type") == "/StructElem":
                    walk(kid, element)

        walk(document, root)
        assert seen > kids


def test_deterministic(rendered: Rendered, joined: Path, tmp_path: Path) -> None:
    again = tmp_path / "again.pdf"
    join_pdf(rendered.parts, again)
    assert again.read_bytes() == joined.read_bytes()


def part_of(ids: list[str], first_page: int) -> PartPdf:
    html = book(ids, first_page)
    document = weasyprint.HTML(string=html).render(**OPTIONS)
    real = set(re.findall(r'\bid="([^"]+)"', html))
    marks = tuple(
        Mark(page=i, level=level, label=label, x=x, y=y)
        for i, page in enumerate(document.pages)
        for level, label, (x, y), _state in page.bookmarks
    )
    owned = frozenset(name for page in document.pages for name in page.anchors if name in real)
    return PartPdf(document.write_pdf(**OPTIONS), marks, owned)


def pages(part: PartPdf) -> int:
    with pikepdf.open(io.BytesIO(part.pdf)) as pdf:
        return len(pdf.pages)


def test_copied_in_any_order_and_kept_between_books(
    rendered: Rendered, joined: Path, tmp_path: Path
) -> None:
    """A join kept between books: parts copied out of order, a stale part copied and left
    out, a book of some of the parts written first. The book of all the parts is the same
    bytes as an in-order join's; without `reproducible`, the same objects, numbered
    otherwise."""
    stale = part_of(CUTS[1], 40)  # the middle part as an earlier round laid it out
    for reproducible in (True, False):
        joining = BookJoin()
        try:
            for part in (rendered.parts[2], stale, rendered.parts[0]):
                joining.copy(part)
            joining.write(tmp_path / "first.pdf", [rendered.parts[0], stale], reproducible)
            assert joining.unused() == 1
            with pikepdf.open(tmp_path / "first.pdf") as first:
                assert len(first.pages) == pages(rendered.parts[0]) + pages(stale)
            joining.write(tmp_path / "book.pdf", rendered.parts, reproducible)
            assert joining.unused() == 1  # the stale part: kept, not written
        finally:
            joining.close()
        mine = (tmp_path / "book.pdf").read_bytes()
        if reproducible:
            assert mine == joined.read_bytes()
        else:
            assert mine != joined.read_bytes()  # parts 0 and 2 were copied out of order
            assert normalised(tmp_path / "book.pdf") == normalised(joined)


def test_pages_look_the_same(rendered: Rendered, joined: Path) -> None:
    mine, theirs = pypdfium2.PdfDocument(joined), pypdfium2.PdfDocument(rendered.whole)
    try:
        assert len(mine) == len(theirs)
        for i in range(len(mine)):
            a = mine[i].render(scale=0.5).to_pil().tobytes()
            b = theirs[i].render(scale=0.5).to_pil().tobytes()
            assert a == b, f"page {i + 1} differs"
    finally:
        mine.close()
        theirs.close()
