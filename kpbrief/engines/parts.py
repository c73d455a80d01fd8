"""Write, in parts: a long book's PDF laid out in pieces on every core, then joined.

WeasyPrint lays a document out in one process, and both its time per page and its memory grow
with the document (see BENCHMARKS.md). A long book is therefore cut into parts before
page-opening headings (`<h1 … data-part="…">`, `<h2 … data-part="…">`, and in a long book the
chronology's years and the index's letters, `<p … data-part="…">`: each opens a page and
names its book part for the running head, so it can be laid out without what comes before
it). Each part is a whole HTML document: the book's head, a slice of its body, and what it
needs from the rest of the book, given as plain values:

- its first page number and side (`@page :first { counter-reset: page N }`, and the root's
  `break-before: left|right`, so that right-hand openings and blank pages fall where they fall
  in the whole book);
- the page of every place it refers to: a link gets the page as `data-page`, printed by
  copies of the stylesheet's `target-counter()` rules (as in one document, see
  `pages.settle_pages`); a link to a place in another part gets a stand-in anchor of the
  same name where it stands on its page, once laid out (`_stand_ins`), so that WeasyPrint
  keeps the link and tags it; the join points it to the real place;
- the index's page lists, written out from the page map (`pages.page_list_written`, as
  `pages.settle_pages` does in one document).

A first pass lays the book out with guessed numbers (`pages.guessed_pages`) to learn each
part's page count and where its anchors fall: whole, in the build's process while the workers
start, for a book of up to some 250 pages (each part is then laid out once more, all at once,
from the side it opens on); part by part above that. Writing passes follow until no part's
numbers change (every number shown comes from this page map, never from WeasyPrint's own
counting, which can leave a forward reference stale: see `pages.settle_pages`). A previous
build's page map (kept in the cache folder with each part's PDF) stands in for the first
pass, and a part whose document did not change is not laid out again: after an edit, only
the parts it touches are, and the book is joined (`pdfjoin.BookJoin`) while they are.
"""

from __future__ import annotations

import bisect
import contextlib
import functools
import hashlib
import json
import multiprocessing
import os
import re
import sys
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from kpbrief.document import (
    CROSSING_CLASS,
    GIVEN_PAGE,
    PAGE_DIGITS,
    PAGE_LIST,
    PART,
    RANGE_END,
    VIRTUAL_ROOT,
)
from kpbrief.engines.assets import Assets, RefusedResource, asset_fetcher, guard_resources
from kpbrief.engines.html_parser import keep_scanning_patterns
from kpbrief.engines.hyphens import limited_hyphenation, settle_hyphens
from kpbrief.engines.pages import (
    ANCHOR,
    PagePrinting,
    crossing_rules,
    guessed_pages,
    page_digits,
    page_list_written,
)
from kpbrief.engines.pdf import PdfVariant, stylesheets, write_variant
from kpbrief.engines.pdfjoin import BookJoin, Mark, PartPdf, PartSources
from kpbrief.engines.processes import quiet_worker

# Where the book may be cut: before a heading that opens a page and names its book part (a
# part's own opening, h1, or a chapter's, statement's or appendix's, h2), and before a long
# book's soft openings (a year of its chronology, a letter of its index, p).
CUT = re.compile(rf'<(?:h[12]|p) id="([^"]+)"[^>]*\s{PART}="')
LINK = re.compile(r'<a\b([^>]*?)\shref="#([^"]+)"([^>]*)>')
PAGE_LIST_ELEMENT = re.compile(rf"(<(\w+)\b[^>]*\s{PAGE_LIST}\b[^>]*>)(.*?)(</\2>)", re.DOTALL)
SEPARATOR = re.compile(rf'\s{PAGE_LIST}="([^"]*)"')  # between two numbers of a page list
LIST_LINK = re.compile(r'<a\b[^>]*\shref="#([^"]+)"[^>]*>\s*</a>')
FIRST_PAGE = re.compile(r"@page :first \{ counter-reset: page (\d+); \}")  # see part_document
# A soft opening (document.py) that a part begins with: a page opens there, in that part only.
SOFT_OPENING = re.compile(r'\s*<p id="([^"]+)" class="[^"]*\bsoft-opening\b')
# A part holding one of these may open on either side, depending on the parts before it.
SIDED_OPENING = re.compile(r"<h1\b")
ROOT_ELEMENT = re.compile(r"(<html\b)")  # given the book's page digits (document.py)

PART_CACHE = ".kpbrief-parts"  # in the output folder: each PDF's parts, for the next build
MAX_WRITING_PASSES = 6  # the last only confirms the one before
# A writing pass with at most this many parts per worker to lay out (after an edit) joins
# the book's PDF while they are laid out; with more (a first build's passes) the join would
# slow the workers down and hold its memory beside theirs, for a pass that may not settle.
SPECULATIVE_JOIN_PARTS = 2
PART_CHARACTERS = 125_000  # about 33 pages of kpbrief's own layout
# About 40 pages: below, one document is as quick as two parts on two cores (BENCHMARKS.md,
# round 6: the KP book's 62 pages in two parts, with a page map, 4.0 s against 6.3).
MIN_PARTED_CHARACTERS = 150_000
# About 250 pages: below, the first pass lays the book out whole, in this process, while the
# part workers start (see `_first_guess`); above, each part is laid out on its own.
WHOLE_FIRST_PASS_CHARACTERS = 1_000_000
# What WeasyPrint's layout of a part takes, estimated from its HTML (see `layout_memory`):
# about 45 kB for each element and 0.6 kB for each character of text, fitted to three parts
# of the 500-statement book (BENCHMARKS.md, round 8: the front matter, 85 pages, 500 MB; the
# index, 13 pages of 7,170 page links, 370 MB; 34 pages of statements, 120 MB). The attribute
# markup of links (a page link is some 200 characters for 4 of text) weighs next to nothing.
ELEMENT_MEMORY_MB = 0.045
TEXT_MEMORY_MB = 0.0006
# Parts laid out at once stay under this estimate together (`_LayingOut._scheduled`): a
# 500-statement book's front matter or index fits beside another part. A part this small or
# smaller (some 60 pages of statements or a chapter) may run beside any other, so that the
# other core is not left idle while a bigger one (the sources of 1,000 statements, 517 pages,
# 1.3 GB) is laid out alone.
LAYOUT_MEMORY_MB = 1_200
SMALL_PART_MB = 300
_TAG = re.compile(r"<[^>]*>")


Laid = Callable[[dict[int, "PartLayout"]], None]  # see `_LayingOut.run`


class NotInParts(Exception):
    """The book cannot be laid out in parts (no place to cut it, or page numbers that kept
    changing): it is laid out as one document instead."""


@dataclass(frozen=True)
class Book:
    """The book's HTML cut into parts: its head, the body's slices, its tail."""

    head: str
    slices: tuple[str, ...]
    tail: str
    cuts: tuple[str, ...]  # the id of the heading each slice after the first begins with

    def owned(self, index: int) -> frozenset[str]:
        """The anchor names of slice `index` (read once: a 500-statement book's 8 MB took
        0.6 s each time the page map was made)."""
        return self._owned[index]

    @functools.cached_property
    def _owned(self) -> tuple[frozenset[str], ...]:
        return tuple(frozenset(ANCHOR.findall(body)) for body in self.slices)


@dataclass(frozen=True)
class PartLayout:
    """A part laid out: its pages, where its anchors are, its bookmarks, its PDF if written."""

    count: int
    anchors: dict[str, int]  # anchor name -> page index in the part
    marks: tuple[Mark, ...]
    pdf: bytes | None
    blanks: frozenset[int] = frozenset()  # the indexes of its blank pages (not kept)


def part_count(html: str) -> int:
    """How many parts a book's HTML is best laid out in: 1 for a short book, else parts of
    about `PART_CHARACTERS`, two at least. It depends on the book alone, not on the build's
    cores, so that the same book gives the same PDF however it is built."""
    if len(html) < MIN_PARTED_CHARACTERS:
        return 1
    return max(2, round(len(html) / PART_CHARACTERS))


def cut(html: str, count: int | None = None) -> Book:
    """The book cut at page openings: into `count` slices of about equal length if a count
    is asked for (`--parts`), or if the book is shorter than `WHOLE_FIRST_PASS_CHARACTERS`
    (some 250 pages, cut into the `part_count` its length asks for: the KP book's 62 pages
    into two parts, where `cut_points` made nine, around each of its book parts' titles);
    else by `cut_points`, so that an edit moves no cut but, rarely, one beside it.

    The cuts depend on the book alone, never on an earlier build's: the parts' fonts and
    structure are joined as they were cut, so that a book cut elsewhere is another PDF,
    and an edited book must be the PDF a build from nothing makes of it. (Cuts kept from
    the last build when they were about as many as the book asked for were either never
    kept, the 500-statement book making 49 of the 66 its length asked for, so that an edit
    lengthening its HTML a little moved one cut and all 50 parts were laid out again, 44 s
    instead of 10; or kept, and then the PDF was not a fresh build's.)
    """
    body_start = html.index(">", html.index("<body")) + 1
    body_end = html.rindex("</body>")
    head, body, tail = html[:body_start], html[body_start:body_end], html[body_end:]
    openings = [(match[1], match.start()) for match in CUT.finditer(body)]
    if count is None and len(body) >= WHOLE_FIRST_PASS_CHARACTERS:
        sided = [match.start() for match in SIDED_OPENING.finditer(body)]
        chosen = cut_points(openings, len(body), sided)
    else:
        chosen = _even(openings, len(body), part_count(html) if count is None else count)
    where = dict(openings)
    bounds = [0, *(where[name] for name in chosen), len(body)]
    slices = tuple(body[a:b] for a, b in zip(bounds, bounds[1:], strict=False))
    return Book(head, slices, tail, tuple(chosen))


def cut_points(
    openings: Sequence[tuple[str, int]],
    length: int,
    sided: Sequence[int] = (),
    part: int = PART_CHARACTERS,
) -> list[str]:
    """Where a body of `length` characters is cut, given its `openings` (each heading's id
    and where it starts): parts of `part` characters on average, from half that to one and
    a half times it (or longer, where no opening falls), and at the openings on both sides
    of each `sided` place (where a book part's title opens a page, on either side: the part
    that holds it is laid out from both in a first pass, and is best small; with the
    sources, 828 kB were).

    Each cut depends only on what is near it, so that an edit moves no cut far from it. Past
    half a part from the last cut, each opening is drawn with a chance of its distance from
    the opening before (or from that half-part mark) in half a part, by a digest of its id:
    the same opening is drawn in every build, wherever it moved. Past one and a half parts,
    the next opening is taken. The last half-part of the body is not cut off on its own.
    (Cuts at the openings nearest to every `part` characters all moved when an edit
    lengthened the book before them.)
    """
    half = part / 2
    chosen: list[str] = []
    last = previous = 0
    after_sided = False
    ends = [start for _name, start in openings[1:]] + [length]
    for (name, start), end in zip(openings, ends, strict=True):
        holds_sided = bisect.bisect_left(sided, start) < bisect.bisect_left(sided, end)
        beside_sided, after_sided = after_sided or holds_sided, holds_sided
        if start == 0 or length - start < half:
            previous = start
            continue
        since = start - last
        stretch = start - max(previous, last + half)
        drawn = since >= half and (since >= part + half or _draw(name) * half < stretch)
        if drawn or beside_sided:
            chosen.append(name)
            last = start
        previous = start
    return chosen


def _draw(name: str) -> float:
    """A number in [0, 1) that an opening's id always draws."""
    digest = hashlib.sha256(name.encode("utf-8", "surrogateescape")).digest()
    return int.from_bytes(digest[:8], "big") / 2**64


def _even(openings: Sequence[tuple[str, int]], length: int, count: int) -> list[str]:
    """For each of the count - 1 ideal boundaries (every length / count characters), the
    opening nearest to it, after the cut before: parts of about equal length, the last one
    too (a cut at the first opening past three quarters of a part's length left the rest of
    the book to the last part: 289 pages of 1,549)."""
    chosen, last = [], 0
    ordered = sorted(openings, key=lambda item: item[1])
    for boundary in range(1, count):
        ideal = length * boundary / count
        later = [(name, start) for name, start in ordered if start > last]
        if not later:
            break
        name, start = min(later, key=lambda item: abs(item[1] - ideal))
        chosen.append(name)
        last = start
    return chosen


def part_document(
    book: Book,
    index: int,
    first_page: int,
    pages: dict[str, int],
    crossing: str,
) -> str:
    """Part `index` as a document of its own, starting on page `first_page`; `pages` gives
    the page of every anchor of the book. Its page lists are written out from `pages`, in
    the first pass too (from guessed pages): the index of a 1,000-statement book names
    30,595 targets, 13,435 once written: its part's HTML is 3.1 MB written, 6.7 MB not."""
    body = book.slices[index]

    def page_list(match: re.Match[str]) -> str:
        opening, _tag, inner, closing = match.groups()
        links = [(link[1], link[0]) for link in LIST_LINK.finditer(inner)]
        given = SEPARATOR.search(opening)
        separator = given[1] if given else ""  # as the attribute has it: escaped for HTML
        numbered = ""
        for page, link, range_end in page_list_written(links, pages):
            if numbered and not range_end:
                numbered += separator
            numbered += link.replace("></a>", f">{page}</a>", 1).replace(
                "<a ", f'<a {RANGE_END}="" ' if range_end else "<a ", 1
            )
        return opening + numbered + closing

    body = PAGE_LIST_ELEMENT.sub(page_list, body)
    printing = PagePrinting.of(crossing)

    def link(match: re.Match[str]) -> str:
        before, target, after = match.groups()
        attributes = before + after
        if target not in pages or not printing.prints_tag(attributes):
            return match[0]
        if 'class="' in attributes:
            attributes = attributes.replace('class="', f'class="{CROSSING_CLASS} ', 1)
        else:
            attributes += f' class="{CROSSING_CLASS}"'
        return f'<a{attributes} href="#{target}" {GIVEN_PAGE}="{pages[target]}">'

    body = LINK.sub(link, body)
    side = "right" if first_page % 2 == 1 else "left"
    soft = SOFT_OPENING.match(body)
    opening = (
        f'#{soft[1]} {{ string-set: part attr({PART}), chapter attr(data-running), status ""; }}\n'
        if soft
        else ""
    )
    style = (
        f"<style>html {{ break-before: {side}; }} "
        f"@page :first {{ counter-reset: page {first_page}; }}\n{opening}{crossing}</style>"
    )
    head = ROOT_ELEMENT.sub(rf'\1 {PAGE_DIGITS}="{page_digits(pages)}"', book.head, count=1)
    return head.replace("</head>", style + "</head>", 1) + body + book.tail


def lay_out(document: str, assets: Assets, variant: PdfVariant, write: bool) -> PartLayout:
    """One part laid out by WeasyPrint (in a worker process), and written if `write`.

    The document is guarded here, where WeasyPrint reads it, rather than the whole book's
    HTML before it is cut: a part taken from the cache was guarded when it was laid out, and
    the guard's reading (2 CPU s for the 500-statement book's 8 MB) leaves the build's own
    process for the workers'."""
    import weasyprint
    from weasyprint.urls import FatalURLFetchingError

    guard_resources(document)
    keep_scanning_patterns()
    source = weasyprint.HTML(
        string=document, base_url=VIRTUAL_ROOT, url_fetcher=asset_fetcher(assets)
    )
    try:
        options = variant.options()
        with limited_hyphenation():
            first_layout = source.render(color_profiles=variant.color_profiles(), **options)
            document_ = settle_hyphens(source, first_layout, options)
        anchors: dict[str, int] = {}
        for number, page in enumerate(document_.pages):
            for name in page.anchors:
                anchors.setdefault(name, number)
        first = FIRST_PAGE.search(document)
        elsewhere: frozenset[str] = frozenset()
        if write:
            if document_.pages and not _opens_on_its_side(document_.pages[0]):
                raise NotInParts(
                    "a part would open on the side its first heading refuses (a right-hand "
                    "opening after a right-hand page needs a blank page before it, which a "
                    "part laid out alone cannot begin with)"
                )
            elsewhere = _stand_ins(document_.pages, anchors)
        pdf = (
            write_variant(document_, variant, int(first[1]) if first else 1, elsewhere)
            if write
            else None
        )
    except FatalURLFetchingError as refused:
        raise RefusedResource(str(refused)) from None
    marks: list[Mark] = []
    blanks: set[int] = set()
    for number, page in enumerate(document_.pages):
        for level, label, (x, y), _state in page.bookmarks:
            marks.append(Mark(page=number, level=level, label=label, x=x, y=y))
        page_type = getattr(getattr(page, "_page_box", None), "page_type", None)
        if getattr(page_type, "blank", False):
            blanks.add(number)
    return PartLayout(len(document_.pages), anchors, tuple(marks), pdf, frozenset(blanks))


def _opens_on_its_side(page: Any) -> bool:
    """Whether the heading a laid-out part begins with stands on a page of the side its
    `break-before` asks for. WeasyPrint sides a document's first page by its root alone, so
    a part that should begin with a blank page (a right-hand opening after a right-hand page,
    in a book whose own layouts open statements or chapters on the right) begins with the
    heading on the wrong side instead. (WeasyPrint's page box, as `lay_out` reads blanks.)"""
    box = getattr(page, "_page_box", None)
    side = getattr(getattr(box, "page_type", None), "side", None)
    while box is not None and getattr(box, "element_tag", None) not in ("h1", "h2"):
        children = getattr(box, "children", None)
        box = children[0] if children else None
    if box is None or side is None:
        return True  # nothing to tell by
    asked = box.style["break_before"]
    return asked not in ("left", "right") or asked == side


def _stand_ins(pages: Sequence[Any], anchors: dict[str, int]) -> frozenset[str]:
    """An anchor for each place a link of these laid-out pages points to in another part
    (none of `anchors`), where the link's first box is: WeasyPrint drops a link to a place
    it did not lay out. The join keeps only the real places' anchors. Returns those places:
    their links' descriptions name their pages once joined (`pdftags.write_pdf`).

    Written into the HTML as `anchor: '…'` on each link instead, the stand-ins cost the
    500-statement book's index part 3.7 s of its 17 s (7,170 page links, each with a style
    of its own to read): BENCHMARKS.md, round 8."""
    placed: set[str] = set()
    for page in pages:
        for link_type, target, rectangle, _box in page.links:
            if link_type == "internal" and target not in anchors and target not in placed:
                placed.add(target)  # at the first link's box, as `anchor` on each link put it
                page.anchors[target] = tuple(rectangle)
    return frozenset(placed)


class PartCache:
    """Each part's layout and PDF, by the digest of its document, and the last page map.

    Kept beside the output (`.kpbrief-parts/NAME/`); a file whose digest does not match what
    was recorded is ignored, and parts no build uses any more are removed.
    """

    def __init__(self, folder: Path | None, salt: str) -> None:
        self.folder = folder
        self.salt = salt
        self.used: set[str] = set()

    def key(self, document: str) -> str:
        return hashlib.sha256((self.salt + "\0" + document).encode()).hexdigest()

    def sealed(self, record: dict[str, Any]) -> str:
        """A digest of everything a record says (under this cache's salt): a record is
        trusted only if it carries the digest of what it holds."""
        fields = {name: value for name, value in record.items() if name != "seal"}
        text = json.dumps(fields, sort_keys=True, ensure_ascii=False)
        return hashlib.sha256((self.salt + "\0" + text).encode()).hexdigest()

    def page_map(self) -> dict[str, Any] | None:
        if self.folder is None:
            return None
        try:
            data = json.loads((self.folder / "map.json").read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return None
        if not isinstance(data, dict) or data.get("seal") != self.sealed(data):
            return None
        return data if data.get("salt") == self.salt else None

    def get(self, document: str) -> PartLayout | None:
        if self.folder is None:
            return None
        key = self.key(document)
        try:
            record = json.loads((self.folder / f"{key}.json").read_text(encoding="utf-8"))
            pdf = (self.folder / f"{key}.pdf").read_bytes()
        except (OSError, ValueError):
            return None
        if (
            not isinstance(record, dict)
            or record.get("seal") != self.sealed(record)
            or record.get("pdf") != hashlib.sha256(pdf).hexdigest()
        ):
            return None
        try:
            layout = PartLayout(
                count=int(record["count"]),
                anchors={str(k): int(v) for k, v in record["anchors"].items()},
                marks=tuple(Mark(*mark) for mark in record["marks"]),
                pdf=pdf,
            )
        except (KeyError, TypeError, ValueError, AttributeError):
            return None
        self.used.add(key)
        return layout

    def put(self, document: str, layout: PartLayout) -> None:
        if self.folder is None or layout.pdf is None:
            return
        key = self.key(document)
        self.folder.mkdir(parents=True, exist_ok=True)
        (self.folder / f"{key}.pdf").write_bytes(layout.pdf)
        record = {
            "count": layout.count,
            "anchors": layout.anchors,
            "marks": [[m.page, m.level, m.label, m.x, m.y] for m in layout.marks],
            "pdf": hashlib.sha256(layout.pdf).hexdigest(),
        }
        record["seal"] = self.sealed(record)
        (self.folder / f"{key}.json").write_text(json.dumps(record), encoding="utf-8")
        self.used.add(key)

    def keep(
        self,
        cuts: Sequence[str],
        counts: Sequence[int],
        pages: dict[str, int],
        documents: Sequence[str],
    ) -> None:
        """Record the page map, and remove every part but those of the book's `documents`
        (a part written in an earlier pass, with numbers since changed, is of no use)."""
        if self.folder is None:
            return
        self.used = {self.key(document) for document in documents}
        self.folder.mkdir(parents=True, exist_ok=True)
        for stale in self.folder.iterdir():
            # Only this cache's own kind of file is removed; anything else is left alone.
            own = stale.suffix in (".json", ".pdf") and stale.is_file() and not stale.is_symlink()
            if own and stale.stem not in self.used and stale.name != "map.json":
                stale.unlink()
        page_map: dict[str, Any] = {
            "salt": self.salt,
            "cuts": list(cuts),
            "counts": list(counts),
            "pages": pages,
        }
        page_map["seal"] = self.sealed(page_map)
        (self.folder / "map.json").write_text(json.dumps(page_map), encoding="utf-8")


def render_pdf_in_parts(
    html: str,
    assets: Assets,
    target: Path,
    variant: PdfVariant,
    parts: int | None,
    workers: int,
    cache: PartCache,
    preview: bool = False,
) -> None:
    """The book's PDF, laid out in parts by `workers` processes, joined in `target`: in
    `parts` parts of about equal length, or if None, in parts cut by length (`cut`).

    In a long-lived process (`LayoutWorkers.keep`), a `preview` (`kpbrief watch`'s PDF) is
    written from the join kept from its last round, copying only the parts an edit touched,
    in bytes a build may not give (`KeptJoins`); a build's PDF is joined afresh from the
    parts kept open (`KeptSources`), in the bytes any build of the same parts gives.

    Raises `NotInParts` if the book cannot be cut or its page numbers do not settle (the
    caller then lays the book out as one document).
    """
    previous = cache.page_map()
    book = cut(html, parts)
    if len(book.slices) < 2:
        raise NotInParts("no heading that opens a page and names its part (data-part)")
    crossing = crossing_rules(stylesheets(html, assets))
    kept = KeptJoins.take(cache.folder) if preview else None
    sources = None if preview else KeptSources.take(cache.folder)
    joining: _Joining | None = None
    joined: BookJoin | None = None  # the join that wrote the book, kept if all went well
    try:
        with _LayingOut(assets, variant, workers) as laying_out:
            counts, pages = _first_guess(book, previous, crossing, laying_out)
            done: dict[int, tuple[str, PartLayout]] = {}
            numbered: tuple[list[int], dict[str, int]] | None = None  # what `documents` show
            for _writing_pass in range(MAX_WRITING_PASSES):
                if numbered == (counts, pages):
                    break  # the parts show the numbers they were laid out with: settled
                numbered = (counts, pages)
                documents = _documents(book, counts, pages, crossing)
                todo = [i for i, d in enumerate(documents) if i not in done or done[i][0] != d]
                if not todo:
                    break  # every part was laid out with the numbers it shows: settled
                for i in list(todo):
                    cached = cache.get(documents[i])
                    if cached is not None:
                        done[i] = (documents[i], cached)
                        todo.remove(i)
                laid_meanwhile = None
                few = len(todo) <= SPECULATIVE_JOIN_PARTS * laying_out.workers
                if kept is None and few and laying_out.in_helpers(len(todo)):
                    # Few parts to lay out (after an edit), by other processes: this one
                    # joins the book meanwhile, as if this pass settled the numbers (it is
                    # checked below).
                    joining = _Joining.of(joining, book, documents, sources)
                    laid_meanwhile = joining.meanwhile(todo, done)
                laid = laying_out.run([documents[i] for i in todo], True, laid_meanwhile)
                for i, layout in zip(todo, laid, strict=True):
                    done[i] = (documents[i], layout)
                    cache.put(documents[i], layout)
                counts, pages = _page_map(book, [done[i][1] for i in range(len(book.slices))])
            else:
                raise NotInParts(
                    f"the page numbers of {target.name}'s parts did not settle in "
                    f"{MAX_WRITING_PASSES} passes"
                )
        final = [done[i][0] for i in range(len(book.slices))]
        layouts = {i: layout for i, (_d, layout) in done.items()}
        if kept is not None:
            # A round of a long-lived process: the join kept from the last round has the
            # parts the edit did not touch; the book's bytes may differ from a build's
            # (`BookJoin.write`), its pages, text, links and structure do not.
            joined, kept = kept, None
            book_parts = [_part_pdf(book, i, layouts[i]) for i in range(len(final))]
            joined.write(target, book_parts, reproducible=False)
        else:
            joining = _Joining.of(joining, book, final, sources)
            while joining.add_next(layouts):
                pass
            joining.join.write(target)
            joined = joining.join
    except BaseException:
        for join in (kept, joined):
            if join is not None:
                join.close()
        joined = None
        raise
    finally:
        if joining is not None:
            try:
                joining.stop()
            finally:
                if joining.join is not joined:
                    joining.join.close()
        if sources is not None:
            in_book = None  # after a failure, every part opened is kept
            if joined is not None:
                in_book = [done[i][1].pdf or b"" for i in range(len(book.slices))]
            KeptSources.give_back(cache.folder, sources, in_book)
    if joined is not None and preview:
        KeptJoins.give_back(cache.folder, joined)
    elif joined is not None:
        KeptSources.close_later(joined)
    cache.keep(book.cuts, counts, pages, final)


def _part_pdf(book: Book, i: int, layout: PartLayout) -> PartPdf:
    return PartPdf(pdf=layout.pdf or b"", marks=layout.marks, owned=book.owned(i))


class KeptJoins:
    """The book joins a long-lived process (`kpbrief watch`, with `LayoutWorkers.keep`)
    keeps from one round to the next, by the book's part cache folder: a round copies into
    the kept join only the parts it has not copied before, the ones an edit touched.

    A join is dropped (and the next round copies every part again) once the copies the book
    no longer uses outnumber half of those it does: each edit leaves the old copies of the
    parts it touched in the join, unwritten, and a 500-statement book's copies take some
    350 MB."""

    _joins: dict[Path, BookJoin] = {}

    @classmethod
    def take(cls, folder: Path | None) -> BookJoin | None:
        if folder is None or not LayoutWorkers.keep:
            return None
        return cls._joins.pop(folder, None)

    @classmethod
    def give_back(cls, folder: Path | None, join: BookJoin) -> None:
        if folder is None or not LayoutWorkers.keep or join.unused() > len(join.written) // 2:
            join.close()
            return
        cls._joins[folder] = join

    @classmethod
    def stop(cls) -> None:
        joins, cls._joins = cls._joins, {}
        for join in joins.values():
            join.close()


class KeptSources:
    """The parts a long-lived process (`LayoutWorkers.keep`) keeps open between its builds,
    by the book's part cache folder, so that a build's join copies each from memory
    (`pdfjoin.PartSources`). After a build, the parts of the book it wrote are kept, and no
    other. The joined book is freed once the build has answered (`close_later`): freeing a
    500-statement book's join takes about half a second."""

    _sources: dict[Path, PartSources] = {}
    _later: list[BookJoin] = []

    @classmethod
    def take(cls, folder: Path | None) -> PartSources | None:
        if folder is None or not LayoutWorkers.keep:
            return None
        return cls._sources.pop(folder, None) or PartSources()

    @classmethod
    def give_back(cls, folder: Path | None, sources: PartSources, kept: list[bytes] | None) -> None:
        """`sources` kept for the next build of the book in `folder`; only the parts of the
        book just written (`kept`, their PDFs), if it was."""
        if folder is None or not LayoutWorkers.keep:
            sources.close()
            return
        if kept is not None:
            sources.keep_only(kept)
        cls._sources[folder] = sources

    @classmethod
    def close_later(cls, join: BookJoin) -> None:
        if LayoutWorkers.keep:
            cls._later.append(join)
        else:
            join.close()

    @classmethod
    def free(cls) -> None:
        """The joins written since the last call freed."""
        later, cls._later = cls._later, []
        for join in later:
            join.close()

    @classmethod
    def stop(cls) -> None:
        cls.free()
        sources, cls._sources = cls._sources, {}
        for kept in sources.values():
            kept.close()


class _Joining:
    """The book's PDF being joined from parts laid out with the given documents, in order
    (`BookJoin`), while the last of them are still being laid out: by a thread of this
    process at the lowest priority, so that the layouts, in other processes, go first."""

    def __init__(
        self, book: Book, documents: list[str], sources: PartSources | None = None
    ) -> None:
        self.book = book
        self.documents = documents
        self.join = BookJoin(sources)
        self.added = 0
        self.thread: threading.Thread | None = None
        self.ready: dict[int, PartLayout] = {}
        self.news = threading.Condition()
        self.stopping = False
        self.failure: BaseException | None = None

    @classmethod
    def of(
        cls,
        joining: _Joining | None,
        book: Book,
        documents: list[str],
        sources: PartSources | None = None,
    ) -> _Joining:
        """`joining` (stopped) if what it joined so far is of these documents, else a new
        join."""
        if joining is not None:
            joining.stop()
            if joining.documents[: joining.added] == documents[: joining.added]:
                joining.documents = documents
                return joining
            joining.join.close()
        return cls(book, documents, sources)

    def add_next(self, layouts: dict[int, PartLayout]) -> bool:
        """The next part added, if it is laid out (`layouts`, by part); whether it was."""
        i = self.added
        if i >= len(self.documents) or i not in layouts:
            return False
        self.join.add(_part_pdf(self.book, i, layouts[i]))
        self.added += 1
        return True

    def meanwhile(self, todo: list[int], done: dict[int, tuple[str, PartLayout]]) -> Laid:
        """The join started in its thread with the parts laid out already (`done`, if of
        these documents); what `_LayingOut.run` tells of those it lays out (`todo`'s parts,
        in order)."""
        self.ready = {i: layout for i, (d, layout) in done.items() if d == self.documents[i]}
        self.stopping = False
        self.thread = threading.Thread(target=self._work, name="join", daemon=True)
        self.thread.start()

        def laid(layouts: dict[int, PartLayout]) -> None:
            with self.news:
                self.ready.update({todo[j]: layout for j, layout in layouts.items()})
                self.news.notify()

        return laid

    def _work(self) -> None:
        with contextlib.suppress(AttributeError, OSError):  # not on Linux: it takes its share
            os.setpriority(os.PRIO_PROCESS, threading.get_native_id(), 19)  # this thread only
        try:
            while True:
                with self.news:
                    if self.stopping:
                        return
                    ready = dict(self.ready)
                if not self.add_next(ready):
                    with self.news:
                        if not self.stopping:
                            self.news.wait(0.1)
        except BaseException as failure:  # raised again by stop, in the build's thread
            self.failure = failure

    def stop(self) -> None:
        """The thread stopped, once the part it is adding is added."""
        if self.thread is None:
            return
        with self.news:
            self.stopping = True
            self.news.notify()
        self.thread.join()
        self.thread = None
        if self.failure is not None:
            failure, self.failure = self.failure, None
            raise failure


def _ready_worker() -> None:
    """A part worker's start: tied to its parent, deaf to Ctrl-C (`quiet_worker`), with
    WeasyPrint imported (a second or two) before any part is given to it."""
    quiet_worker()
    import weasyprint  # noqa: F401


class LayoutWorkers:
    """Processes that lay parts out, started ahead of need.

    A build that will lay a long book out in parts (it did last time: the page map is there)
    starts them before it loads and renders the book (`start`), so that they import
    WeasyPrint meanwhile, on the other core, instead of after the HTML is ready; a long-lived
    process (`kpbrief watch`) keeps them from one build to the next (`keep`).
    """

    _ready: Any = None  # the pool, with the number of its processes
    _size = 0
    keep = False  # a long-lived process: the pool outlives each book laid out

    @classmethod
    def start(cls, workers: int) -> None:
        if cls._ready is None or cls._size != workers:
            cls.stop()
            context = multiprocessing.get_context("spawn")
            cls._ready, cls._size = context.Pool(workers, initializer=_ready_worker), workers

    @classmethod
    def started(cls) -> bool:
        return cls._ready is not None

    @classmethod
    def take(cls, workers: int) -> tuple[Any, int]:
        """A pool and its size: the one started ahead (of any size), or a new one of
        `workers` processes."""
        if cls._ready is None:
            cls.start(workers)
        pool, size, cls._ready, cls._size = cls._ready, cls._size, None, 0
        return pool, size

    @classmethod
    def give_back(cls, pool: Any, workers: int, failed: bool) -> None:
        if cls.keep and not failed and cls._ready is None:
            cls._ready, cls._size = pool, workers
            return
        pool.terminate()  # the workers are idle, or the build failed
        pool.join()

    @classmethod
    def stop(cls) -> None:
        if cls._ready is not None:
            cls._ready.terminate()
            cls._ready.join()
        cls._ready, cls._size = None, 0


class _LayingOut:
    """Lays parts out: a single part here, several in worker processes (`LayoutWorkers`),
    taken when first needed (after an edit, one part is often all there is to lay out)."""

    def __init__(self, assets: Assets, variant: PdfVariant, workers: int) -> None:
        self.assets = assets
        self.variant = variant
        self.workers = max(1, workers)
        self.pool: Any = None
        self.size = 0  # the pool's processes

    def __enter__(self) -> _LayingOut:
        return self

    def __exit__(self, failure: object, *_rest: object) -> None:
        if self.pool is not None:
            LayoutWorkers.give_back(self.pool, self.size, failure is not None)
            self.pool = None

    def run(self, documents: list[str], write: bool, laid: Laid | None = None) -> list[PartLayout]:
        """The documents laid out, by helper processes (`LayoutWorkers`), and by this one
        too when it has WeasyPrint imported already (after a first pass of the whole book).
        One document goes to a helper waiting with WeasyPrint imported, if there is one,
        else is laid out here. Each time helpers finish some, `laid` is told all those done
        so far (by their index in `documents`)."""
        if len(documents) == 1 and (self.pool is not None or LayoutWorkers.started()):
            return self._scheduled(self._helpers(self.workers), documents, write, laid=laid)
        if self.workers == 1 or len(documents) <= 1:
            return [self.here(d, write) for d in documents]
        here = "weasyprint" in sys.modules  # else importing it here would cost half a second
        pool = self._helpers(self.workers - 1 if here else self.workers)
        return self._scheduled(pool, documents, write, here, laid)

    def in_helpers(self, count: int) -> bool:
        """Whether `run` lays `count` documents out in helper processes only (leaving this
        one's interpreter free)."""
        if count == 1:
            return self.pool is not None or LayoutWorkers.started()
        return self.workers > 1 and "weasyprint" not in sys.modules

    def here(self, document: str, write: bool) -> PartLayout:
        return lay_out(document, self.assets, self.variant, write)

    def _scheduled(
        self,
        pool: Any,
        documents: list[str],
        write: bool,
        here: bool = False,
        laid: Laid | None = None,
    ) -> list[PartLayout]:
        """The documents laid out by the pool's processes, one each at a time, and with
        `here` by this process meanwhile. The biggest go first, to the pool; parts run at
        once only while their estimated memory (`layout_memory`) stays under
        `LAYOUT_MEMORY_MB` together, or beside a small one (`SMALL_PART_MB`), and this
        process takes the smallest that fits."""
        memory = [layout_memory(d) for d in documents]
        waiting = sorted(range(len(documents)), key=lambda i: -memory[i])
        running: dict[int, Any] = {}
        done: dict[int, PartLayout] = {}

        def fits(i: int) -> bool:
            taken = sum(memory[j] for j in running)
            small = memory[i] <= SMALL_PART_MB or all(memory[j] <= SMALL_PART_MB for j in running)
            return not running or taken + memory[i] <= LAYOUT_MEMORY_MB or small

        while waiting or running:
            while len(running) < max(1, self.size) and waiting:
                i = next((i for i in waiting if fits(i)), None)
                if i is None:
                    break
                waiting.remove(i)
                running[i] = pool.apply_async(lay_out, (documents[i], *self._given(write)))
            mine = next((i for i in reversed(waiting) if fits(i)), None) if here else None
            if mine is not None:
                waiting.remove(mine)
                done[mine] = self.here(documents[mine], write)
            finished = [i for i, result in running.items() if result.ready()]
            for i in finished:
                done[i] = running.pop(i).get()
            if finished and laid is not None:
                laid(done)
            elif not finished and mine is None:
                time.sleep(0.02)
        return [done[i] for i in range(len(documents))]

    def start_workers(self) -> None:
        """Helpers started now, to import WeasyPrint while this process lays out."""
        if self.workers > 1:
            self._helpers(self.workers - 1)

    def _helpers(self, wanted: int) -> Any:
        """The pool: the one this build has, else one started ahead (of whatever size), else
        a new one of `wanted` processes."""
        if self.pool is None:
            self.pool, self.size = LayoutWorkers.take(max(1, wanted))
        return self.pool

    def _given(self, write: bool) -> tuple[Assets, PdfVariant, bool]:
        return self.assets, self.variant, write


def layout_memory(document: str) -> float:
    """The memory (MB) WeasyPrint's layout of `document` is estimated to take: by its
    elements and the characters of its text, not its markup's length."""
    elements = document.count("<") - document.count("</")
    text = len(document) - sum(len(tag) for tag in _TAG.findall(document))
    return elements * ELEMENT_MEMORY_MB + text * TEXT_MEMORY_MB


HREF = re.compile(r'href="#([^"]+)"')


class _PartDocuments:
    """The part documents made by the last call (`_documents`), by what each is made of:
    its slice of the book, its first page, the pages of the places it links to, and what
    every part shares (the book's head and tail, the crossing rules, the page digits). A
    pass that finds the page numbers settled, and a long-lived process's next build, make
    again only the documents of the parts whose inputs changed."""

    made: dict[tuple[str, int, tuple[int | None, ...], str], str] = {}
    links: dict[str, tuple[str, ...]] = {}  # each slice's link targets, once each

    @classmethod
    def of(cls, book: Book, counts: list[int], pages: dict[str, int], crossing: str) -> list[str]:
        shared = hashlib.sha256(
            "\0".join([book.head, book.tail, crossing, str(page_digits(pages))]).encode()
        ).hexdigest()
        made: dict[tuple[str, int, tuple[int | None, ...], str], str] = {}
        links: dict[str, tuple[str, ...]] = {}
        documents = []
        first = 1
        for i, body in enumerate(book.slices):
            targets = cls.links.get(body)
            if targets is None:
                targets = tuple(dict.fromkeys(HREF.findall(body)))
            links[body] = targets
            key = (body, first, tuple(pages.get(target) for target in targets), shared)
            document = cls.made.get(key)
            if document is None:
                document = part_document(book, i, first, pages, crossing)
            made[key] = document
            documents.append(document)
            first += counts[i]
        cls.made, cls.links = made, links
        return documents


def _documents(book: Book, counts: list[int], pages: dict[str, int], crossing: str) -> list[str]:
    return _PartDocuments.of(book, counts, pages, crossing)


def _page_map(book: Book, layouts: Sequence[PartLayout]) -> tuple[list[int], dict[str, int]]:
    """Page counts, and the page (from 1, in the whole book) of every anchor of the book."""
    counts = [layout.count for layout in layouts]
    pages: dict[str, int] = {}
    offset = 0
    for i, layout in enumerate(layouts):
        owned = book.owned(i)
        for name, page in layout.anchors.items():
            if name in owned:
                pages.setdefault(name, offset + page + 1)
        offset += layout.count
    return counts, pages


def _first_guess(
    book: Book,
    previous: dict[str, Any] | None,
    crossing: str,
    laying_out: _LayingOut,
) -> tuple[list[int], dict[str, int]]:
    """Page counts and anchor pages to start from: the previous build's, when it was cut in
    the same places; else a first layout with guessed numbers: of the whole book, if it is
    short enough, else of every part.

    A part that may open on either side is laid out from both, and the side the parts before
    it lead to is taken.
    """
    if previous is not None and list(previous["cuts"]) == list(book.cuts):
        counts = [int(c) for c in previous["counts"]]
        pages = {str(k): int(v) for k, v in previous["pages"].items()}
        if len(counts) == len(book.slices):
            return counts, pages
    # Pages guessed from where each place stands in the book: about as many digits as the
    # real numbers, so that the layouts with the real ones break lines about as these do.
    # A previous build's map, cut elsewhere (or not cut), is a closer guess.
    placeholder = guessed_pages("".join(book.slices))
    if previous is not None:
        placeholder.update({str(k): int(v) for k, v in previous["pages"].items()})
    if sum(len(body) for body in book.slices) < WHOLE_FIRST_PASS_CHARACTERS:
        # One layout of the whole book, here, while the workers start: each part's first
        # page and side are then known, and each is laid out once more, beside the others
        # (laying each part out from both sides would cost as much, on two cores, as this).
        laying_out.start_workers()
        whole = Book(book.head, ("".join(book.slices),), book.tail, ())
        document = part_document(whole, 0, 1, placeholder, crossing)
        return _parts_of_whole(book, laying_out.here(document, False))
    jobs: list[tuple[int, int]] = []
    for i, body in enumerate(book.slices):
        sides = (1, 2) if i and SIDED_OPENING.search(body) else (1,)
        jobs += [(i, side) for side in sides]
    documents = [part_document(book, i, side, placeholder, crossing) for i, side in jobs]
    laid: list[PartLayout] = laying_out.run(documents, False)
    by_side = {(i, side % 2): layout for (i, side), layout in zip(jobs, laid, strict=True)}
    chosen: list[PartLayout] = []
    for i in range(len(book.slices)):
        first = sum(layout.count for layout in chosen) + 1
        chosen.append(by_side.get((i, first % 2)) or by_side[(i, 1)])
    return _page_map(book, chosen)


def _parts_of_whole(book: Book, whole: PartLayout) -> tuple[list[int], dict[str, int]]:
    """Each part's page count, and the page of every anchor, in the book laid out whole.

    A part begins on the page of the heading it is cut before, or on the blank page before
    it: laid out alone, a part that must open on the other side begins with that blank."""
    starts = [0]
    for name in book.cuts:
        if name not in whole.anchors:
            raise NotInParts(f"the place the book is cut before ({name}) was not laid out")
        opening = whole.anchors[name]
        starts.append(opening - 1 if opening - 1 in whole.blanks else opening)
    counts = [b - a for a, b in zip(starts, [*starts[1:], whole.count], strict=True)]
    owned = frozenset().union(*(book.owned(i) for i in range(len(book.slices))))
    pages = {name: page + 1 for name, page in whole.anchors.items() if name in owned}
    return counts, pages


def laid_out_in_parts_last_time(cache_folder: Path) -> bool:
    """Whether the last build of the PDF whose parts are kept in `cache_folder` was laid out
    in parts (a hint only: the page map is checked when it is used)."""
    try:
        data = json.loads((cache_folder / "map.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return False
    return isinstance(data, dict) and bool(data.get("cuts"))


def default_workers(concurrent_jobs: int) -> int:
    """Worker processes for one output's parts, when `concurrent_jobs` outputs are made."""
    return max(1, (os.cpu_count() or 1) // max(1, concurrent_jobs))
