"""The printed page a typesetter would accept, read from the PDFs the tests build: running
heads on one line at the outer edge and absent where a heading opens a page, no folio on a
blank page, a measure of about 60-75 characters, hyphenation without ladders, runts or
broken names, sources that print no internals, telephone numbers with their spaces."""

from __future__ import annotations

import re
import statistics
import subprocess
from dataclasses import dataclass
from pathlib import Path

import pymupdf
import pytest
from helpers.books import FIXTURES, REPO, Built
from pypdf import PdfReader

from kpbrief.content.load import load_content
from kpbrief.edition.names import known_names

MM = 72 / 25.4
# The page (A4) and its text block: see @page in layouts/styles/print.css.
PAGE_WIDTH = 210 * MM
TOP, BOTTOM, INNER, OUTER = 32 * MM, 37 * MM, 30 * MM, 68 * MM
MEASURE = PAGE_WIDTH - INNER - OUTER
BODY_SIZE = 11.0


@dataclass
class Line:
    text: str
    bbox: tuple[float, float, float, float]
    fonts: set[str]
    sizes: set[float]


def page_lines(pdf: Path) -> list[tuple[float, list[Line]]]:
    """Each page's height and lines of text, as PyMuPDF reads them."""
    pages = []
    with pymupdf.open(pdf) as document:
        for page in document:
            lines = []
            for block in page.get_text("dict")["blocks"]:
                for line in block.get("lines", []):
                    spans = [s for s in line["spans"] if s["text"].strip()]
                    if spans:
                        lines.append(
                            Line(
                                "".join(s["text"] for s in line["spans"]).strip(),
                                tuple(line["bbox"]),
                                {s["font"] for s in spans},
                                {round(s["size"], 1) for s in spans},
                            )
                        )
            pages.append((page.rect.height, lines))
    return pages


def _opening_pages(pdf: Path) -> set[int]:
    """The pages (from 0) a bookmarked heading opens: parts, chapters, statements, appendices."""
    reader = PdfReader(pdf)
    pages: set[int] = set()
    items = list(reader.outline)
    while items:
        item = items.pop()
        if isinstance(item, list):
            items.extend(item)
        else:
            pages.add(reader.get_destination_page_number(item))
    return pages


@pytest.fixture(scope="session")
def books(mini: Built, kp_book: Built) -> dict[str, Path]:
    return {
        f"{name}-{lang}": book.path(lang, "pdf")
        for name, book in (("mini", mini), ("kp", kp_book))
        for lang in ("en", "fr")
    }


@pytest.mark.parametrize("name", ["mini-en", "mini-fr", "kp-en", "kp-fr"])
def test_running_heads_are_one_line_at_the_outer_edge(books: dict[str, Path], name: str) -> None:
    pdf = books[name]
    openings = _opening_pages(pdf)
    headed = 0
    for index, (height, lines) in enumerate(page_lines(pdf)[1:], start=1):  # after the cover
        heads = [line for line in lines if line.bbox[3] < TOP - 2 * MM]
        body = [line for line in lines if TOP - 2 * MM <= line.bbox[1] < height - BOTTOM]
        folios = [line for line in lines if line.bbox[1] >= height - BOTTOM]
        if not body:  # a blank page: no head, no folio
            assert not heads and not folios, (name, index + 1)
            continue
        if index in openings:  # a heading opens the page: no head over it
            assert not heads, (name, index + 1, [h.text for h in heads])
            continue
        if not heads:
            continue
        headed += 1
        # One line: every piece of the head on the same baseline.
        assert len({round(h.bbox[3]) for h in heads}) == 1, (name, index + 1, heads)
        left, right = min(h.bbox[0] for h in heads), max(h.bbox[2] for h in heads)
        if (index + 1) % 2 == 0:  # a verso: the head starts at the text block's outer edge
            assert abs(left - OUTER) < 1, (name, index + 1, left)
        else:  # a recto: it ends at the outer edge
            assert abs(right - (PAGE_WIDTH - OUTER)) < 1, (name, index + 1, right)
    assert headed >= (1 if name.startswith("mini") else 20)


def full_lines(pdf: Path) -> list[str]:
    """The body text's full lines: set in the text face at the body size, the width of the
    measure (justified; not a paragraph's last line, not a list's, a note's or a label's)."""
    return [
        line.text
        for _height, lines in page_lines(pdf)
        for line in lines
        if all("Serif" in font for font in line.fonts)
        and line.sizes == {BODY_SIZE}
        and line.bbox[2] - line.bbox[0] >= 0.97 * MEASURE
    ]


@pytest.mark.parametrize("name", ["kp-en", "kp-fr"])
def test_the_measure_is_about_66_characters(books: dict[str, Path], name: str) -> None:
    counts = sorted(len(text) for text in full_lines(books[name]))
    assert len(counts) > 200
    assert 60 <= statistics.median(counts) <= 75, statistics.median(counts)
    tenth, ninetieth = counts[len(counts) // 10], counts[len(counts) * 9 // 10]
    assert tenth >= 55 and ninetieth <= 78, (tenth, ninetieth)


def _text_pages(pdf: Path) -> list[list[str]]:
    text = subprocess.run(
        ["pdftotext", "-layout", "-enc", "UTF-8", str(pdf), "-"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    return [
        [line.strip() for line in page.splitlines() if line.strip()] for page in text.split("\f")
    ]


@pytest.mark.parametrize("name", ["mini-en", "mini-fr", "kp-en", "kp-fr"])
def test_hyphenation_a_typesetter_accepts(books: dict[str, Path], name: str) -> None:
    content = load_content(FIXTURES / "mini" if name.startswith("mini") else REPO)
    public = [pid for pid, person in content.people.items() if person.public]
    names = known_names(content, public)
    broken_words = 0
    for page in _text_pages(books[name]):
        run = 0
        for number, line in enumerate(page):
            # A line ending in a hyphen: a word broken by the layout (soft hyphen in the
            # text layer) or at its own hyphen.
            if line.endswith(("\u00ad", "-")):
                run += 1
                assert run <= 2, (name, page[number - 2 : number + 1])
            else:
                run = 0
            broken = re.search(r"([^\W\d_]+)\u00ad$", line)
            # (A word broken on a page's last line goes on after its folio, on the next.)
            rest = re.match(r"[^\W\d_]+", page[number + 1]) if number + 1 < len(page) else None
            if broken and rest:
                # No runt: three letters at least each side of the break.
                assert len(broken[1]) >= 3 and len(rest[0]) >= 3, (name, line, rest[0])
                # No proper name the book knows broken: none runs across the break.
                before = " ".join(line[:-1].split())
                joined = before + " ".join(page[number + 1].split())
                for known in names:
                    for found in re.finditer(rf"(?<!\w){re.escape(known)}(?!\w)", joined):
                        assert not found.start() < len(before) < found.end(), (name, known)
                broken_words += 1
    if name.startswith("kp"):
        assert broken_words > 20  # the text is hyphenated, not merely ragged


@pytest.mark.parametrize("lang", ["en", "fr"])
def test_the_sources_print_no_internals(kp_book: Built, lang: str) -> None:
    """The reasons for what was left out of a text, or added, are written for a reader: no
    field names, no file names, no identifiers."""
    html = kp_book.path(lang, "html").read_text(encoding="utf-8")
    sources = html[html.index('id="sources"') : html.index('id="index"')]
    reasons = re.findall(r'<ul class="source-omissions[^"]*">(.*?)</ul>', sources, re.DOTALL)
    assert reasons
    text = re.sub(r"<[^>]+>", " ", " ".join(reasons))
    content = load_content(kp_book.source)
    ids = {*content.people, *content.organisations, *content.statements, *content.events}
    assert not re.search(r"\b(source|content|book)[./][a-z]", text), text
    assert not re.search(r"\.(ya?ml|md)\b", text), text
    assert not re.search(r"\b(kind|translation|contacts|credits|date|place|event):", text), text
    assert not [word for word in re.findall(r"[\w-]+", text) if word in ids and "-" in word]


def test_french_telephone_numbers_keep_their_spaces(books: dict[str, Path]) -> None:
    pages = _text_pages(books["kp-fr"])
    numbers = [
        n for page in pages for line in page for n in re.findall(r"\+\d[\d \u00a0\u202f]+", line)
    ]
    assert numbers
    for number in numbers:
        assert re.match(r"\+\d{1,3} \d", number), number


@pytest.mark.parametrize("name", ["kp-en", "kp-fr"])
def test_the_colophon_holds_on_its_own_page(books: dict[str, Path], name: str) -> None:
    """Every label of the colophon and the text under it on one page (the page after the
    title page): a long disclaimer once ran over onto the contents' page, its label left
    alone at the foot."""
    reader = PdfReader(books[name])
    page = " ".join((reader.pages[2].extract_text() or "").split())
    labels = ("DISCLAIMER", "LICENCE") if name.endswith("en") else ("AVERTISSEMENT", "LICENCE")
    opening = {"en": "This book is not an official document", "fr": "Ce dossier n’est pas"}
    for label in labels:
        assert label in page.upper(), (name, page)
    assert opening[name[-2:]] in page, (name, page)
    nxt = reader.pages[3].extract_text() or ""
    assert opening[name[-2:]] not in " ".join(nxt.split())
