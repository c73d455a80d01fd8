"""A long book's PDF in parts: the same book as one document makes, page for page."""

from __future__ import annotations

import functools
import hashlib
import json
import re
from pathlib import Path
from typing import Any

import pikepdf
import pypdfium2
import pytest
from helpers.books import Built, copy_fixture, edit
from helpers.pdfs import normalised
from pypdf import PdfReader

from kpbrief import TOOL_ROOT
from kpbrief.build import BuildRequest, build
from kpbrief.build.run import _start_layout_workers
from kpbrief.cli import main
from kpbrief.edition import assemble
from kpbrief.engines import parts, pdfjoin
from kpbrief.engines.assets import Assets, RefusedResource
from kpbrief.engines.pages import PagePrinting, crossing_rules
from kpbrief.engines.parts import (
    MIN_PARTED_CHARACTERS,
    PART_CACHE,
    PART_CHARACTERS,
    Book,
    LayoutWorkers,
    PartCache,
    PartLayout,
    _parts_of_whole,
    cut,
    laid_out_in_parts_last_time,
    part_count,
    render_pdf_in_parts,
)
from kpbrief.engines.pdf import PdfVariant

PARTS = 3


@pytest.fixture(scope="session")
def in_parts(tmp_path_factory: pytest.TempPathFactory) -> Built:
    """The mini book's PDFs laid out in three parts each (it is short: one document by default)."""
    root = tmp_path_factory.mktemp("parts")
    source = copy_fixture("mini", root)
    out = root / "out"
    build(BuildRequest(source=source, out=out, formats=["pdf"], parts=PARTS))
    return Built(source, out, "mini-book")


def rasterised(path: Path) -> list[bytes]:
    document = pypdfium2.PdfDocument(path)
    try:
        return [document[i].render(scale=0.5).to_pil().tobytes() for i in range(len(document))]
    finally:
        document.close()


def outline(path: Path) -> list[tuple[int, str, int | None]]:
    reader = PdfReader(path)
    flat: list[tuple[int, str, int | None]] = []

    def walk(items: list[object], depth: int) -> None:
        for item in items:
            if isinstance(item, list):
                walk(item, depth + 1)
            else:
                page = reader.get_destination_page_number(item)  # type: ignore[arg-type]
                flat.append((depth, str(item.title), page))  # type: ignore[attr-defined]

    walk(reader.outline, 0)
    return flat


def links(path: Path) -> list[tuple[int, tuple[int, ...], object]]:
    """(page, rectangle, target page or URI) of every link."""
    reader = PdfReader(path)
    named = reader.named_destinations
    found: list[tuple[int, tuple[int, ...], object]] = []
    for number, page in enumerate(reader.pages):
        for annotation in page.get("/Annots") or []:
            link = annotation.get_object()
            if link.get("/Subtype") != "/Link":
                continue
            rectangle = tuple(round(float(v)) for v in link["/Rect"])
            destination = link.get("/Dest")
            target: object = (
                str(link["/A"]["/URI"])
                if destination is None
                else reader.get_destination_page_number(named[str(destination)])
            )
            found.append((number, rectangle, target))
    return sorted(found, key=repr)


@pytest.mark.parametrize("lang", ["en", "fr"])
def test_parts_make_the_same_pages(in_parts: Built, mini: Built, lang: str) -> None:
    joined, whole = in_parts.path(lang, "pdf"), mini.path(lang, "pdf")
    assert len(PdfReader(joined).pages) == len(PdfReader(whole).pages)
    assert rasterised(joined) == rasterised(whole)
    assert outline(joined) == outline(whole)
    assert links(joined) == links(whole)


def test_a_book_cut_before_part_openings_makes_the_same_pages(mini: Built, tmp_path: Path) -> None:
    """In eight parts the mini book is cut before part openings (h1: key messages, how to use
    the book, an editors' page) as well as chapters; none opens on a given side."""
    source = copy_fixture("mini", tmp_path)
    out = tmp_path / "out"
    build(BuildRequest(source=source, out=out, formats=["pdf"], languages=["en"], parts=8))
    cuts = json.loads((out / PART_CACHE / "mini-book.en" / "map.json").read_text())["cuts"]
    html = mini.path("en", "html").read_text(encoding="utf-8")
    assert sum(f'<h1 id="{name}"' in html for name in cuts) >= 2
    joined, whole = out / "mini-book.en.pdf", mini.path("en", "pdf")
    assert rasterised(joined) == rasterised(whole)
    assert outline(joined) == outline(whole)
    assert links(joined) == links(whole)


def test_a_book_whose_chapters_open_on_the_right_is_not_cut_before_them(tmp_path: Path) -> None:
    """A book's own layouts that open each chapter and statement on a right-hand page: a
    part laid out alone cannot begin with the blank page before such an opening, so the
    book is laid out as one document (cut in 8 parts, it lost two blank pages)."""
    source = copy_fixture("mini", tmp_path)
    styles = source / "layouts" / "styles"
    styles.mkdir(parents=True)
    css = (TOOL_ROOT / "layouts" / "styles" / "print.css").read_text(encoding="utf-8")
    right = "h2.statement-title, h2.chapter { break-before: right; }\n"
    (styles / "print.css").write_text(css + right, encoding="utf-8")
    pdfs = []
    for parts_wanted in (8, 1):
        out = tmp_path / f"out-{parts_wanted}"
        request = BuildRequest(
            source=source, out=out, formats=["pdf"], languages=["en"], parts=parts_wanted
        )
        build(request)
        pdfs.append(out / "mini-book.en.pdf")
    assert rasterised(pdfs[0]) == rasterised(pdfs[1])


@pytest.mark.parametrize("lang", ["en", "fr"])
def test_parts_keep_the_structure_tree(in_parts: Built, mini: Built, lang: str) -> None:
    """PDF/UA-1 as one document: one Document element, every page and link in the tree."""
    sizes = []
    for path in (in_parts.path(lang, "pdf"), mini.path(lang, "pdf")):
        with pikepdf.open(path) as pdf:
            tree = pdf.Root.StructTreeRoot
            (document,) = list(tree.K)
            nums = tree.ParentTree.Nums
            keys = {int(nums[i]) for i in range(0, len(nums), 2)}
            for page in pdf.pages:
                assert int(page.obj.StructParents) in keys
                for annotation in page.obj.get("/Annots", []):
                    if annotation.get("/Subtype") == "/Link":
                        assert int(annotation.StructParent) in keys
            assert str(pdf.Root.Lang) == lang
            sizes.append((len(document.K), len(keys)))
            metadata = bytes(pdf.Root.Metadata.read_bytes()).decode()
            assert "pdfuaid:part" in metadata
    assert sizes[0] == sizes[1]


def test_parts_are_cached_and_an_edit_redoes_only_its_part(tmp_path: Path) -> None:
    source = copy_fixture("mini", tmp_path)
    out = tmp_path / "out"
    request = BuildRequest(source=source, out=out, languages=["en"], formats=["pdf"], parts=PARTS)
    build(request)
    cache = out / PART_CACHE / "mini-book.en"
    before = {p.name for p in cache.glob("*.pdf")}
    assert len(before) == PARTS
    statement = source / "content" / "statements" / "2021-06-walkout.en.md"
    edit(statement, "We walked out.", "We walked out, all of us.")
    # The next build starts its part workers before it renders the book: it was in parts.
    assert laid_out_in_parts_last_time(cache)
    _start_layout_workers(request, "mini-book", ["en"])
    assert LayoutWorkers.started()
    build(request)
    assert not LayoutWorkers.started()  # taken by the build, and stopped with it
    after = {p.name for p in cache.glob("*.pdf")}
    assert len(after) == PARTS  # the replaced part's old file is gone
    assert len(before & after) >= 1  # at least one part was reused as it was
    assert before != after
    text = "".join(page.extract_text() for page in PdfReader(out / "mini-book.en.pdf").pages)
    assert "all of us" in " ".join(text.split())  # wherever its lines break
    # The edited book in parts is the edited book as one document.
    whole = tmp_path / "whole"
    build(BuildRequest(source=source, out=whole, languages=["en"], formats=["pdf"], parts=1))
    assert rasterised(out / "mini-book.en.pdf") == rasterised(whole / "mini-book.en.pdf")
    assert not laid_out_in_parts_last_time(whole / PART_CACHE / "mini-book.en")


def test_a_tampered_part_is_laid_out_again(tmp_path: Path) -> None:
    source = copy_fixture("mini", tmp_path)
    out = tmp_path / "out"
    request = BuildRequest(source=source, out=out, languages=["en"], formats=["pdf"], parts=2)
    build(request)
    first = (out / "mini-book.en.pdf").read_bytes()
    cached = sorted((out / PART_CACHE / "mini-book.en").glob("*.pdf"))
    cached[0].write_bytes(b"%PDF-1.7 not what was recorded")
    build(BuildRequest(**{**request.__dict__, "force": True}))
    assert (out / "mini-book.en.pdf").read_bytes() == first
    assert cached[0].read_bytes() != b"%PDF-1.7 not what was recorded"
    # A record whose anchors were altered (its PDF intact) is not trusted either, and an
    # entry the cache did not make (a folder) is left alone and changes nothing.
    folder = out / PART_CACHE / "mini-book.en"
    for record in folder.glob("*.json"):
        if record.name != "map.json":
            data = json.loads(record.read_text(encoding="utf-8"))
            data["anchors"] = {name: page + 1 for name, page in data["anchors"].items()}
            record.write_text(json.dumps(data), encoding="utf-8")
    (folder / "stray").mkdir()
    (folder / "stray" / "file.txt").write_text("not the cache's", encoding="utf-8")
    build(BuildRequest(**{**request.__dict__, "force": True}))
    assert (out / "mini-book.en.pdf").read_bytes() == first
    assert (folder / "stray" / "file.txt").is_file()
    tampered = {r.name for r in folder.glob("*.json") if r.name != "map.json"}
    for record in folder.glob("*.json"):
        if record.name != "map.json":
            data = json.loads(record.read_text(encoding="utf-8"))
            assert "seal" in data and all(isinstance(v, int) for v in data["anchors"].values())
    assert tampered


def test_the_book_is_cut_only_before_page_opening_headings() -> None:
    html = (
        "<html><head></head><body>"
        '<h1 id="a" class="part">A</h1><p>one</p>'
        '<h2 id="b" class="chapter" data-part="A">B</h2><p>two</p>'
        '<h2 id="c">C, no part</h2><p>three</p>'
        '<h2 id="d" class="chapter" data-part="A">D</h2><p>four</p>'
        "</body></html>"
    )
    book = cut(html, 10)  # as many parts as there are places to cut: both
    assert book.cuts == ("b", "d")
    assert cut(html, 2).cuts == ("d",)  # two parts of about equal length
    assert "".join(book.slices) == html[html.index("<h1") : html.index("</body>")]
    assert all(s.startswith('<h2 id="') for s in book.slices[1:])
    assert book.owned(1) == {"b", "c"}
    # A part's own opening names its part too: the book may be cut before it.
    opened = html.replace("</body>", '<h1 id="e" class="part" data-part="E">E</h1><p>x</p></body>')
    assert cut(opened, 10).cuts == ("b", "d", "e")
    assert cut(opened, 10).slices[-1].startswith('<h1 id="e"')


def test_a_book_is_cut_by_length_in_parts_of_half_to_one_and_a_half_parts() -> None:
    opening = '<h2 id="s{}" class="chapter" data-part="S">S</h2><p>{}</p>'
    body = "".join(opening.format(i, "w" * (800 + 400 * (i % 5))) for i in range(1_000))
    book = cut(f"<html><head></head><body>{body}</body></html>")
    lengths = [len(part) for part in book.slices]
    assert all(PART_CHARACTERS / 2 <= n <= 1.5 * PART_CHARACTERS + 2_000 for n in lengths)
    assert 0.8 * PART_CHARACTERS < sum(lengths) / len(lengths) < 1.2 * PART_CHARACTERS
    assert cut(f"<html><head></head><body>{body[:100_000]}</body></html>").cuts == ()
    # A book under some 250 pages: the parts its length asks for, of about equal length.
    short = body[: body.index('<h2 id="s300"')]
    assert len(cut(f"<html><head></head><body>{short}</body></html>").slices) == round(
        len(short) / PART_CHARACTERS
    )


def test_a_book_part_title_is_cut_off_with_the_openings_beside_it() -> None:
    # A part's title may open on either side: the part that holds it is laid out from both.
    opening = '<h2 id="s{}" class="chapter" data-part="S">S</h2><p>{}</p>'
    chapters = [opening.format(i, "w" * 1_000) for i in range(1_200)]
    chapters[600] = '<h1 id="t" class="part">T</h1>' + chapters[600]  # no data-part
    book = cut(f"<html><head></head><body>{''.join(chapters)}</body></html>")
    holding = [part for part in book.slices if "<h1" in part]
    assert len(holding) == 1 and holding[0].startswith('<h2 id="s599"')
    assert holding[0].endswith("</h1>") and holding[0].count("<h2") == 1  # s199, then T


def test_an_edit_moves_no_cut_far_from_it() -> None:
    # Openings every 1,000 characters or so, then an index of 300,000 with none: a cut
    # at the opening nearest to every part's length moved all cuts after a lengthened
    # chapter, and those of the whole book when the index grew.
    opening = '<h2 id="s{}" class="chapter" data-part="S">S</h2><p>{}</p>'
    chapters = [opening.format(i, "w" * (700 + 600 * (i % 3))) for i in range(2_000)]
    index = '<h2 id="index" class="appendix" data-part="A">Index</h2><p>' + "i" * 300_000

    def cuts(chapters: list[str], index: str) -> tuple[str, ...]:
        return cut(f"<html><head></head><body>{''.join(chapters) + index}</body></html>").cuts

    before = cuts(chapters, index)
    assert len(before) > 10
    assert cuts(chapters, index + "i" * 50_000) == before  # the index grew
    for edited in (100, 1_000, 1_900):
        longer = list(chapters)
        longer[edited] = longer[edited].replace("</p>", "w" * 3_000 + "</p>")
        after = cuts(longer, index)
        moved = set(before) ^ set(after)
        near = {f"s{i}" for i in range(edited - 150, edited + 150)}
        assert moved <= near, moved  # a cut or two beside the edit at most
        fewer = chapters[:edited] + chapters[edited + 1 :]  # a chapter taken out
        assert set(before) ^ set(cuts(fewer, index)) <= near | {f"s{edited}"}


def test_parts_are_of_about_equal_length_the_last_one_too() -> None:
    opening = '<h2 id="s{}" class="chapter" data-part="S">S</h2><p>{}</p>'
    body = "".join(opening.format(i, "word " * (150 + 40 * (i % 7))) for i in range(400))
    book = cut(f"<html><head></head><body>{body}</body></html>", 20)
    lengths = [len(part) for part in book.slices]
    assert len(lengths) == 20
    assert max(lengths) < 1.2 * len(body) / 20 and min(lengths) > 0.8 * len(body) / 20


def test_crossing_rules_print_the_given_page() -> None:
    css = (
        "a.pageref::after { content: target-counter(attr(href url), page); }\n"
        ".x, .index-page:empty::after { color: red; content: target-counter(attr(href url), page) }"
    )
    rules = crossing_rules(css)
    assert "a.pageref.xpart::after { content: attr(data-page); }" in rules
    assert re.search(
        r"\.x\.xpart, \.index-page:empty\.xpart::after \{[^}]*attr\(data-page\)", rules
    )
    assert "target-counter" not in rules


def test_a_comment_before_a_rule_is_no_part_of_its_selector() -> None:
    css = (
        "/* pages, once each */ a.pageref::after { content: target-counter(attr(href url), page) }"
    )
    assert crossing_rules(css) == "a.pageref.xpart::after { content: attr(data-page) }"


def test_only_a_link_that_prints_its_page_is_given_one() -> None:
    """A part's document names the page of a place it prints the page of (a page reference),
    not of one it only links to (a name linked to its index entry): that place moving lays
    the part out again only in the first case."""
    crossing = crossing_rules("a.pageref::after { content: target-counter(attr(href url), page) }")
    assert PagePrinting.of(crossing).classes == {"pageref"}

    def second_part(link_class: str, page: int) -> str:
        html = (
            '<html><head></head><body><h2 id="a" data-part="P">A</h2><p id="t">there</p>'
            f'<h2 id="b" data-part="P">B</h2><p><a href="#t" class="{link_class}"></a></p>'
            "</body></html>"
        )
        return parts.part_document(cut(html, 2), 1, 3, {"a": 1, "t": page}, crossing)

    assert '<a class="xpart pageref" href="#t" data-page="1">' in second_part("pageref", 1)
    assert second_part("pageref", 1) != second_part("pageref", 2)
    assert second_part("xref", 1) == second_part("xref", 2)
    assert "data-page=" not in second_part("xref", 1)
    every_link = PagePrinting.of(
        crossing_rules("a::after { content: target-counter(attr(href url), page) }")
    )
    assert every_link.classes is None and every_link.prints("xref")


@pytest.mark.parametrize("value", ["0", "-2", "many"])
def test_a_wrong_number_of_parts_is_a_usage_error(
    value: str, capsys: pytest.CaptureFixture[str]
) -> None:
    with pytest.raises(SystemExit) as stopped:
        main(["build", "--parts", value])
    assert stopped.value.code == 2
    assert "number of parts" in capsys.readouterr().err


def test_only_long_books_are_laid_out_in_parts() -> None:
    short = "<html><body>" + "x" * (MIN_PARTED_CHARACTERS - 100) + "</body></html>"
    long = "<html><body>" + "x" * (10 * PART_CHARACTERS) + "</body></html>"
    assert part_count(short) == 1
    assert part_count(long) == 10


def test_the_cache_keeps_only_the_parts_of_the_last_pass(tmp_path: Path) -> None:
    cache = PartCache(tmp_path / "cache", "salt")
    layout = PartLayout(count=1, anchors={}, marks=(), pdf=b"%PDF-1.7 a part")
    for document in ("first pass, part 1", "part 2", "last pass, part 1"):
        cache.put(document, layout)
    cache.keep(("b",), [1, 1], {}, ["last pass, part 1", "part 2"])
    kept = {p.stem for p in (tmp_path / "cache").glob("*.pdf")}
    assert kept == {cache.key("last pass, part 1"), cache.key("part 2")}
    assert cache.get("first pass, part 1") is None
    assert cache.get("part 2") is not None and cache.page_map() is not None


def test_a_part_opening_after_a_blank_page_begins_with_it() -> None:
    """From the book laid out whole: each part's page count, the blank page before an
    opening counted in the part it opens (laid out alone, that part begins with it)."""
    book = Book("<html><body>", ('<h2 id="a">', '<h2 id="b">', '<h2 id="c">'), "", ("b", "c"))
    whole = PartLayout(10, {"a": 0, "b": 4, "c": 7, "elsewhere": 9}, (), None, frozenset({6}))
    counts, pages = _parts_of_whole(book, whole)
    assert counts == [4, 2, 4]
    assert pages == {"a": 1, "b": 5, "c": 8}


def test_a_short_book_from_nothing_is_laid_out_whole_then_each_part_once(
    mini: Built, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    html = mini.path("en", "html").read_text(encoding="utf-8")
    book = cut(html, PARTS)
    assert len(book.slices) == PARTS
    laid: list[tuple[str, bool]] = []
    real = parts.lay_out

    def counted(document: str, *rest: Any) -> PartLayout:
        laid.append((document, rest[-1]))
        return real(document, *rest)

    monkeypatch.setattr(parts, "lay_out", counted)
    assets = Assets((TOOL_ROOT / "layouts",), mini.source / "content" / "media")
    target = tmp_path / "book.pdf"
    render_pdf_in_parts(html, assets, target, PdfVariant(), PARTS, 1, PartCache(None, ""))
    (whole, written), *writes = laid
    assert not written and all(f'id="{name}"' in whole for name in book.cuts)
    assert [written for _document, written in writes] == [True] * PARTS  # settled at once
    assert rasterised(target) == rasterised(mini.path("en", "pdf"))


def test_the_book_is_joined_while_an_edits_parts_are_laid_out_and_is_the_same_pdf(
    mini: Built, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    html = mini.path("en", "html").read_text(encoding="utf-8")
    assets = Assets((TOOL_ROOT / "layouts",), mini.source / "content" / "media")
    cache = PartCache(tmp_path / "cache", "salt")
    render_pdf_in_parts(html, assets, tmp_path / "first.pdf", PdfVariant(), PARTS, 2, cache)
    book = cut(html, PARTS)
    last = re.sub(r"(<p\b[^>]*>)", r"\1Edited. ", book.slices[-1], count=1)
    edited = book.head + "".join(book.slices[:-1]) + last + book.tail  # the last part edited
    laid_out, added_meanwhile = [False], []
    run, add = parts._LayingOut.run, parts.BookJoin.add

    def timed_run(self: Any, *args: Any) -> list[PartLayout]:
        try:
            return run(self, *args)
        finally:
            laid_out[0] = True

    def recorded_add(self: Any, part: Any) -> None:
        added_meanwhile.append(not laid_out[0])
        add(self, part)

    monkeypatch.setattr(parts._LayingOut, "run", timed_run)
    monkeypatch.setattr(parts.BookJoin, "add", recorded_add)
    target = tmp_path / "edited.pdf"
    LayoutWorkers.start(2)  # as a build does when the last one was in parts
    render_pdf_in_parts(edited, assets, target, PdfVariant(), PARTS, 2, cache)
    assert not LayoutWorkers.started()
    assert added_meanwhile[0]  # the first part joined while the last was laid out elsewhere
    assert len(added_meanwhile) >= PARTS
    afresh = tmp_path / "afresh.pdf"
    render_pdf_in_parts(edited, assets, afresh, PdfVariant(), PARTS, 2, PartCache(None, ""))
    assert target.read_bytes() == afresh.read_bytes()
    assert "Edited." in " ".join(p.extract_text() for p in PdfReader(target).pages)


def test_part_documents_are_made_again_only_where_their_inputs_changed() -> None:
    """`_documents` keeps each part's document by what it is made of: a page of a place
    the part prints moving makes that part's document again, and only that one."""
    crossing = crossing_rules("a.pageref::after { content: target-counter(attr(href url), page) }")
    html = (
        '<html><head></head><body><h2 id="a" data-part="P">A</h2><p id="t">there</p>'
        '<h2 id="b" data-part="P">B</h2><p>between</p>'
        '<h2 id="c" data-part="P">C</h2><p><a href="#t" class="pageref"></a></p>'
        "</body></html>"
    )
    book = cut(html, 3)
    counts = [2, 2, 2]
    pages = {"a": 1, "t": 1, "b": 3, "c": 5}
    first = parts._documents(book, counts, pages, crossing)
    again = parts._documents(book, counts, pages, crossing)
    assert all(a is b for a, b in zip(first, again, strict=True))  # kept, not made again
    moved = dict(pages, t=2)
    after = parts._documents(book, counts, moved, crossing)
    assert after[2] == parts.part_document(book, 2, 5, moved, crossing)
    assert 'data-page="2"' in after[2] and 'data-page="1"' in first[2]
    assert after[0] is first[0] and after[1] is first[1]


def test_a_long_lived_process_keeps_the_preview_join_and_copies_only_the_edited_part(
    mini: Built, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    html = mini.path("en", "html").read_text(encoding="utf-8")
    assets = Assets((TOOL_ROOT / "layouts",), mini.source / "content" / "media")
    cache = PartCache(tmp_path / "cache", "salt")
    copied: list[bytes] = []
    copy_of = pdfjoin._Copy.of

    def recorded(out: pikepdf.Pdf, part: pdfjoin.PartPdf, kept: Any = None) -> Any:
        copied.append(part.pdf)
        return copy_of(out, part, kept)

    preview = functools.partial(render_pdf_in_parts, preview=True)  # `kpbrief watch`'s PDF

    monkeypatch.setattr(pdfjoin._Copy, "of", recorded)
    monkeypatch.setattr(LayoutWorkers, "keep", True)  # as in `kpbrief watch`
    try:
        preview(html, assets, tmp_path / "first.pdf", PdfVariant(), PARTS, 2, cache)
        assert len(copied) == PARTS
        book = cut(html, PARTS)

        def edited(i: int, words: str) -> str:
            slices = list(book.slices)
            slices[i] = re.sub(r"(<p\b[^>]*>)", rf"\1{words} ", slices[i], count=1)
            return book.head + "".join(slices) + book.tail

        last = tmp_path / "last.pdf"
        preview(edited(-1, "Edited."), assets, last, PdfVariant(), PARTS, 2, cache)
        assert len(copied) == PARTS + 1  # the edited part only
        # Undone: every part is in the join already, copied in the book's order.
        preview(html, assets, tmp_path / "back.pdf", PdfVariant(), PARTS, 2, cache)
        assert len(copied) == PARTS + 1
        assert (tmp_path / "back.pdf").read_bytes() == (tmp_path / "first.pdf").read_bytes()
        # The first part edited: copied after the others, which are used as they are.
        first = edited(0, "Edited first.")
        target = tmp_path / "edited.pdf"
        preview(first, assets, target, PdfVariant(), PARTS, 2, cache)
        assert len(copied) == PARTS + 2
        # Its stale copies outnumber half the book's: the join was dropped.
        preview(html, assets, tmp_path / "again.pdf", PdfVariant(), PARTS, 2, cache)
        assert len(copied) == 2 * PARTS + 2
    finally:
        LayoutWorkers.stop()
        parts.KeptJoins.stop()
    afresh = tmp_path / "afresh.pdf"
    render_pdf_in_parts(first, assets, afresh, PdfVariant(), PARTS, 2, PartCache(None, ""))
    assert target.read_bytes() != afresh.read_bytes()  # its objects numbered otherwise
    assert normalised(target) == normalised(afresh)
    assert "edited first." in " ".join(p.extract_text() for p in PdfReader(target).pages).lower()


def test_a_long_lived_process_builds_from_the_parts_it_keeps_open_in_a_builds_bytes(
    mini: Built, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A build (not a preview) in a long-lived process joins every part afresh, in order,
    from the parts it keeps open: it opens only the parts an edit made, and writes the bytes
    a one-off build writes."""
    html = mini.path("en", "html").read_text(encoding="utf-8")
    assets = Assets((TOOL_ROOT / "layouts",), mini.source / "content" / "media")
    cache = PartCache(tmp_path / "cache", "salt")
    opened: list[bytes] = []
    open_part = pdfjoin.PartSources.open

    def recorded(self: pdfjoin.PartSources, part: pdfjoin.PartPdf, digest: bytes) -> pikepdf.Pdf:
        assert digest == hashlib.sha256(part.pdf).digest()
        if digest not in self.opened:
            opened.append(part.pdf)
        return open_part(self, part, digest)

    monkeypatch.setattr(pdfjoin.PartSources, "open", recorded)
    book = cut(html, PARTS)
    slices = list(book.slices)
    slices[1] = re.sub(r"(<p\b[^>]*>)", r"\1Edited. ", slices[1], count=1)
    edited = book.head + "".join(slices) + book.tail
    monkeypatch.setattr(LayoutWorkers, "keep", True)  # as in the warm build process
    try:
        render_pdf_in_parts(html, assets, tmp_path / "first.pdf", PdfVariant(), PARTS, 2, cache)
        assert len(opened) == PARTS
        target = tmp_path / "edited.pdf"
        render_pdf_in_parts(edited, assets, target, PdfVariant(), PARTS, 2, cache)
        assert len(opened) == PARTS + 1  # the edited part only; the others were open
        kept = parts.KeptSources._sources[cache.folder]
        assert len(kept.opened) == PARTS  # the first build's copy of the edited part closed
        assert parts.KeptSources._later  # the joined book, freed once the build has answered
        parts.KeptSources.free()
        assert not parts.KeptSources._later
    finally:
        LayoutWorkers.stop()
        parts.KeptSources.stop()
    assert not parts.KeptSources._sources
    afresh = tmp_path / "afresh.pdf"
    render_pdf_in_parts(edited, assets, afresh, PdfVariant(), PARTS, 2, PartCache(None, ""))
    assert target.read_bytes() == afresh.read_bytes()
    assert "Edited." in " ".join(p.extract_text() for p in PdfReader(target).pages)


@pytest.mark.parametrize("workers", [1, 2])
def test_a_part_that_would_load_something_else_is_refused(
    mini: Built, tmp_path: Path, workers: int
) -> None:
    """Each part's document is guarded where it is laid out (here, or in a worker)."""
    html = mini.path("en", "html").read_text(encoding="utf-8")
    last = cut(html, PARTS).cuts[-1]
    at = html.index(f'id="{last}"')
    html = html[:at] + html[at:].replace("</h2>", '</h2><img src="file:///etc/passwd" alt="x">', 1)
    assets = Assets((TOOL_ROOT / "layouts",), mini.source / "content" / "media")
    target = tmp_path / "book.pdf"
    with pytest.raises(RefusedResource, match="/etc/passwd"):
        render_pdf_in_parts(html, assets, target, PdfVariant(), PARTS, workers, PartCache(None, ""))
    assert not target.exists()


class _RecordingPool:
    """Stands in for the pool of part workers: records what runs at the same time; each
    job finishes on the second look."""

    def __init__(self) -> None:
        self.running: list[str] = []
        self.together: list[list[str]] = []
        self.started: list[str] = []

    def apply_async(self, _function: object, args: tuple[Any, ...]) -> Any:
        document = args[0]
        self.running.append(document)
        self.started.append(document)
        self.together.append(list(self.running))
        pool = self

        class Result:
            looks = 0

            def ready(self) -> bool:
                self.looks += 1
                return self.looks > 1

            def get(self) -> PartLayout:
                pool.running.remove(document)
                return PartLayout(len(document), {}, (), None)

        return Result()


def _documents_of_memory(*megabytes: int) -> list[str]:
    """Documents whose layouts are estimated to take about these megabytes each."""
    per_element = parts.ELEMENT_MEMORY_MB
    return [f"<!-- {n} -->" + "<p></p>" * round(mb / per_element) for n, mb in enumerate(megabytes)]


def _over_budget(together: list[str]) -> bool:
    """Parts run at once over the budget, none of them small."""
    memory = [parts.layout_memory(d) for d in together]
    small = any(mb <= parts.SMALL_PART_MB for mb in memory)
    return len(together) > 1 and sum(memory) > parts.LAYOUT_MEMORY_MB and not small


def test_parts_laid_out_at_once_stay_within_the_memory_budget() -> None:
    documents = _documents_of_memory(10, 900, 20, 30, 950, 240, 40)
    laying_out = parts._LayingOut(Assets((), Path(".")), PdfVariant(), 2)
    pool = _RecordingPool()
    laying_out.size = 2
    laid = laying_out._scheduled(pool, documents, True)
    assert [layout.count for layout in laid] == [len(d) for d in documents]  # in book order
    assert pool.started[0] == documents[4]  # the biggest first
    assert not any(_over_budget(together) for together in pool.together)
    assert any(len(together) == 2 for together in pool.together)  # both workers were used
    # The two biggest (900 and 950 MB) never together; the 240 MB one beside one of them.
    assert not any({documents[1], documents[4]} <= set(t) for t in pool.together)
    assert any({documents[5], documents[4]} <= set(t) for t in pool.together)


def test_a_part_over_the_budget_has_small_ones_beside_it_only() -> None:
    documents = _documents_of_memory(1300, 500, 100, 450, 120)
    laying_out = parts._LayingOut(Assets((), Path(".")), PdfVariant(), 2)
    pool = _RecordingPool()
    laying_out.size = 2
    laying_out._scheduled(pool, documents, True)
    assert pool.started[0] == documents[0]
    beside = {d for t in pool.together if documents[0] in t for d in t} - {documents[0]}
    assert beside and all(parts.layout_memory(d) <= parts.SMALL_PART_MB for d in beside)
    assert any({documents[1], documents[3]} <= set(t) for t in pool.together)  # 950 MB


def test_the_memory_estimate_counts_elements_and_text_not_markup() -> None:
    link = '<a class="index-page" style="anchor: \'{0}\'" href="#{0}" data-page="1">1</a>'
    links = "".join(link.format(f"statement-{i}-name-{i}") for i in range(1000))
    plain = "<span>1</span>" * 1000
    assert len(links) > 8 * len(plain)
    assert parts.layout_memory(links) == parts.layout_memory(plain)
    assert parts.layout_memory("<p>" + "word " * 1000 + "</p>") > parts.layout_memory("<p></p>")


def test_this_process_takes_small_parts_only_and_each_part_is_laid_out_once() -> None:
    documents = _documents_of_memory(10, 900, 20, 30, 950, 40)
    laying_out = parts._LayingOut(Assets((), Path(".")), PdfVariant(), 2)
    here: list[str] = []

    def laid_out_here(document: str, _write: bool) -> PartLayout:
        here.append(document)
        return PartLayout(len(document), {}, (), None)

    laying_out.here = laid_out_here  # type: ignore[method-assign]
    pool = _RecordingPool()
    laying_out.size = 1
    laid = laying_out._scheduled(pool, documents, True, here=True)
    assert [layout.count for layout in laid] == [len(d) for d in documents]
    assert here and all(parts.layout_memory(d) < 100 for d in here)
    assert sorted(here + pool.started) == sorted(documents)  # each once
    assert not any(_over_budget(together) for together in pool.together)


def test_a_long_books_index_letters_open_a_page_only_where_it_is_cut(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """In a long book's print edition, each letter of the index but the first is a soft
    opening: the book may be cut before it, and it then opens a page (with no running head,
    as every opening); elsewhere it runs on under the running head of its page. Each letter
    is a bookmark. (The mini book stands in for a long one.)"""
    monkeypatch.setattr(assemble, "LONG_BOOK_FROM", 1)
    source = copy_fixture("mini", tmp_path)
    out = tmp_path / "out"
    build(BuildRequest(source=source, out=out, formats=["pdf"], languages=["en"], parts=12))
    cuts = json.loads((out / PART_CACHE / "mini-book.en" / "map.json").read_text())["cuts"]
    reader = PdfReader(out / "mini-book.en.pdf")
    pages = [page.extract_text() or "" for page in reader.pages]
    headings = {
        title: page for _depth, title, page in outline(out / "mini-book.en.pdf") if page is not None
    }
    soft = [name for name in cuts if name.startswith("index-letter-")]
    assert soft, cuts
    opened = set()
    for name in soft:
        label = name.rsplit("-", 1)[1].upper()
        opened.add(page := headings[label])
        assert pages[page].lstrip().startswith(label), (name, pages[page][:80])
    ran_on = [
        title
        for title, page in headings.items()
        if re.fullmatch(r"[A-Z]", title) and page not in opened
    ]
    assert ran_on, headings
    for title in ran_on:
        head = pages[headings[title]].lstrip().split("\n", 1)[0]
        assert head.upper() in ("APPENDICES", "INDEX"), (title, head)


def test_a_part_begun_at_a_soft_opening_sets_the_running_head_of_its_pages() -> None:
    """A soft opening sets no running string in the book (it would blank the head of the page
    it falls on); a part that begins with one sets them from its attributes, for each of its
    pages."""
    import weasyprint

    text = "<p>" + "A line of the index. " * 40 + "</p>"
    html = (
        "<html><head><style>@page { size: A6; @top-left { content: string(part) } }"
        " h2[data-part] { string-set: part attr(data-part) }</style></head><body>"
        '<h2 id="index" data-part="Appendices">Index</h2>' + text * 3 + '<p id="index-letter-b"'
        ' class="index-initial soft-opening" data-part="Appendices" data-running="Index">B</p>'
        + text * 6
        + "</body></html>"
    )
    book = cut(html, 2)
    assert book.cuts == ("index-letter-b",)
    document = parts.part_document(book, 1, 7, {}, "")
    laid_out = weasyprint.HTML(string=document).render()
    assert len(laid_out.pages) >= 2
    heads = [
        box.children[0].children[0].text
        for page in laid_out.pages
        for box in page._page_box.children
        if getattr(box, "at_keyword", None) == "@top-left" and box.children
    ]
    assert heads == ["Appendices"] * len(laid_out.pages), heads


def test_a_long_books_chronology_prints_each_page_number_at_one_width(tmp_path: Path) -> None:
    """A long book's chronology may be cut before its years (each label then has an id): its
    page references take the width of the book's longest (the engine gives its digits), so
    that a part of it lays out alike whatever number it prints, and a number gaining a digit
    moves no line. A short book's do not."""
    import weasyprint

    from kpbrief.document import VIRTUAL_ROOT
    from kpbrief.engines.assets import asset_fetcher

    assets = Assets((TOOL_ROOT / "layouts",), tmp_path)
    crossing = crossing_rules((TOOL_ROOT / "layouts" / "styles" / "print.css").read_text())

    def width(page: str, label_id: str, digits: int = 4) -> float:
        html = (
            f'<html lang="en" data-page-digits="{digits}"><head>'
            '<link rel="stylesheet" href="kpbrief-assets/styles/print.css">'
            f"<style>{crossing}</style></head><body>"
            f'<p{label_id} class="year-label">2009</p><div class="chronology-year">'
            '<ul class="chronology-entries"><li class="chronology-entry"><div class="entry-body">'
            '<a class="entry-title" href="#s">A statement</a>'
            f'<a class="pageref xpart" href="#s" data-page="{page}"></a></div></li></ul></div>'
            '<h2 id="s">The statement</h2></body></html>'
        )
        document = weasyprint.HTML(
            string=html, base_url=VIRTUAL_ROOT, url_fetcher=asset_fetcher(assets)
        ).render()
        boxes = [page._page_box for page in document.pages]
        while boxes:
            box = boxes.pop()
            if getattr(box, "element_tag", None) == "a::after":
                return float(box.margin_width())
            boxes.extend(getattr(box, "children", ()))
        raise AssertionError("no page number laid out")

    cut_before = ' id="chronology-2009"'
    assert width("7", cut_before) == width("99", cut_before) == width("1234", cut_before)
    assert width("7", cut_before, 2) == width("99", cut_before, 2) < width("7", cut_before)
    assert width("7", "") < width("1234", "")


def test_each_part_is_told_the_digits_of_the_books_highest_page() -> None:
    html = (
        '<html lang="en"><head></head><body><h2 id="a" data-part="P">A</h2>'
        '<h2 id="b" data-part="P">B</h2></body></html>'
    )
    book = cut(html, 2)
    assert '<html data-page-digits="3" lang="en">' in parts.part_document(
        book, 1, 2, {"a": 1, "b": 140}, ""
    )
    assert '<html data-page-digits="1" lang="en">' in parts.part_document(book, 1, 2, {}, "")
