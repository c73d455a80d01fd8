"""End to end: the mini fixture book through the real engines."""

from __future__ import annotations

import re

from helpers.books import Built


def test_every_output_is_written(mini: Built) -> None:
    for lang in ("en", "fr"):
        for fmt in ("pdf", "epub", "html"):
            assert mini.path(lang, fmt).stat().st_size > 1000, (lang, fmt)
    assert (mini.out / "kpbrief-assets" / "styles" / "print.css").is_file()
    assert list((mini.out / "kpbrief-assets" / "fonts").glob("*.otf"))
    leftovers = [p.name for p in mini.out.iterdir() if p.name.endswith(".tmp")]
    assert leftovers == []


def test_pdf_has_every_part_and_statement(mini: Built) -> None:
    text = mini.pdf_text("en")
    for heading in (
        "Contents",
        "How to use this book",
        "Chronology",
        "Issues",
        "Statements",
        "Appendices",
        "Contacts",
        "Organisations",
        "Sources",
        "Index",
    ):
        assert heading in text, heading
    assert "Scheme unable to reform" in text
    assert "Walk-out at the intersessional" in text
    assert "22 November 2019" in text or "November 22, 2019" in text
    assert len(mini.pdf("en").pages) >= 12


def test_pdf_metadata_and_language(mini: Built) -> None:
    reader = mini.pdf("fr")
    assert reader.metadata is not None
    assert reader.metadata.title == "Petit dossier d’information"
    assert reader.trailer["/Root"]["/Lang"] == "fr"
    assert "/StructTreeRoot" in reader.trailer["/Root"]


def test_pdf_fonts_are_embedded(mini: Built) -> None:
    reader = mini.pdf("en")
    fonts: dict[str, bool] = {}
    for page in reader.pages:
        resources = page["/Resources"]
        for font in resources.get("/Font", {}).values():
            font = font.get_object()
            descendants = font.get("/DescendantFonts")
            descriptor = (
                descendants[0].get_object()["/FontDescriptor"]
                if descendants
                else font.get("/FontDescriptor")
            )
            descriptor = descriptor.get_object()
            embedded = any(k in descriptor for k in ("/FontFile", "/FontFile2", "/FontFile3"))
            fonts[str(font["/BaseFont"])] = embedded
    assert fonts and all(fonts.values()), fonts
    # Only the fonts the book ships: no system font stood in for a missing glyph.
    families = {name.split("+", 1)[-1] for name in fonts}
    assert all(name.startswith(("KP-Serif", "KP-Sans")) for name in families), families
    assert any(name.startswith("KP-Serif") for name in families)
    assert any(name.startswith("KP-Sans") for name in families)


def test_epub_documents_and_metadata(mini: Built) -> None:
    with mini.epub("fr") as archive:
        names = archive.namelist()
        opf = archive.read("EPUB/content.opf").decode()
    chapters = [n for n in names if re.match(r"EPUB/text/ch\d+\.xhtml", n)]
    assert len(chapters) >= 8  # parts and chapters, one document each
    assert "EPUB/nav.xhtml" in names
    assert any(n.startswith("EPUB/fonts/") for n in names)
    assert "<dc:language>fr</dc:language>" in opf
    assert "urn:kpbrief:mini-book:fr:2024-05-17" in opf
    assert "schema:accessibilitySummary" in opf
    assert "Petit dossier d’information" in opf


def test_html_output_renders_on_its_own(mini: Built) -> None:
    html = mini.path("en", "html").read_text(encoding="utf-8")
    assert 'href="kpbrief-assets/styles/print.css"' in html
    for ref in re.findall(r'(?:src|href)="(kpbrief-assets/[^"]+)"', html):
        assert (mini.out / ref).is_file(), ref


def _outline(reader, items, depth=0):  # type: ignore[no-untyped-def]
    for item in items:
        if isinstance(item, list):
            yield from _outline(reader, item, depth + 1)
        else:
            yield depth, item.title, reader.get_destination_page_number(item)


def test_bookmarks_land_on_their_headings(mini: Built) -> None:
    for lang in ("en", "fr"):
        reader = mini.pdf(lang)
        entries = list(_outline(reader, reader.outline))
        titles = [title for _depth, title, _page in entries]
        assert any("Chronolog" in t for t in titles)
        assert len([d for d, _t, _p in entries if d == 0]) >= 6  # contents, parts
        for _depth, title, page in entries:
            text = " ".join((reader.pages[page].extract_text() or "").split())
            assert " ".join(title.split()[:3]) in text, (lang, title, page)


def test_contents_page_numbers_are_right(mini: Built) -> None:
    reader = mini.pdf("en")
    pages = [" ".join((p.extract_text() or "").split()) for p in reader.pages]
    contents = next(i for i, text in enumerate(pages) if text.startswith("Contents"))
    lines = (reader.pages[contents].extract_text() or "").splitlines()
    checked = 0
    for line in lines:
        match = re.match(r"^(.*?)[ .]*?(\d+)$", line.strip())
        if not match or not match[1].strip() or match[1].startswith("Contents"):
            continue
        title, number = match[1].strip(), int(match[2])
        words = " ".join(title.split()[-3:])
        assert words in pages[number - 1], (title, number)
        checked += 1
    assert checked >= 10


def test_every_page_of_an_unofficial_translation_carries_the_mark(mini: Built) -> None:
    """A page photocopied alone still says its words are the book's own translation: the
    foot of every page of such a statement, and of no other page, carries the mark."""
    mark = "TRADUCTION NON OFFICIELLE"
    reader = mini.pdf("fr")
    pages = [(page.extract_text() or "").split("\n") for page in reader.pages]
    # The pages of the statement 2019-11-22-plenary (its French title): from its heading's
    # page to the next heading's.
    entries = list(_outline(reader, reader.outline))
    opening = next(p for _d, t, p in entries if t == "Un dispositif incapable de se réformer")
    end = min(p for _d, _t, p in entries if p > opening)
    own = list(range(opening, end))
    # The foot: the folio, and below it the mark (in either order in the text layer).
    footed = [n for n, lines in enumerate(pages) if any(x.startswith(mark) for x in lines[-2:])]
    assert own and footed == own
    # The English book shows the original: no page's foot carries a mark.
    for page in mini.pdf("en").pages:
        foot = (page.extract_text() or "").split("\n")[-2:]
        assert not any(x.upper().startswith("UNOFFICIAL") for x in foot)
