"""The index's page numbers: each page once, in order, and the page its target is on."""

from __future__ import annotations

import re
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import pytest
import weasyprint
from helpers.books import Built, copy_fixture
from pypdf import PdfReader

from kpbrief import TOOL_ROOT
from kpbrief.build import BuildRequest, build
from kpbrief.engines.assets import Assets
from kpbrief.engines.pdf import render_pdf


@pytest.fixture(scope="module")
def crowded(tmp_path_factory: pytest.TempPathFactory) -> Built:
    """The mini book, with index entries whose targets share pages: two events in New Delhi
    on one chronology page, two key lines of Ada Okafor on one chapter page."""
    root = tmp_path_factory.mktemp("crowded")
    source = copy_fixture("mini", root)
    (source / "content/events/2019-side-event.yaml").write_text(
        "date: 2019-11-20\ntitle: {en: Side event, fr: Réunion parallèle}\nplace: New Delhi\n",
        encoding="utf-8",
    )
    issue = source / "content/issues/reform.en.md"
    issue.write_text(
        issue.read_text(encoding="utf-8").replace(
            '    quote: "The scheme must change."\n',
            '    quote: "The scheme must change."\n'
            "  - statement: 2019-11-22-plenary\n"
            "    speaker: ada-okafor\n"
            '    quote: "Today the plenary ended."\n',
        ),
        encoding="utf-8",
    )
    out = root / "out"
    build(BuildRequest(source=source, out=out, languages=["en"], formats=["pdf", "html"]))
    return Built(source, out, "mini-book")


class _IndexTargets(HTMLParser):
    """Each index entry of the print HTML: its name, and the anchors of its page list."""

    def __init__(self) -> None:
        super().__init__()
        self.entries: list[tuple[str, list[str]]] = []
        self._in_name = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attributes = dict(attrs)
        classes = (attributes.get("class") or "").split()
        if "index-entry" in classes:
            self.entries.append(("", []))
        elif "index-name" in classes:
            self._in_name = True
        elif "index-page" in classes and self.entries:
            self.entries[-1][1].append((attributes.get("href") or "#")[1:])

    def handle_endtag(self, tag: str) -> None:
        self._in_name = False

    def handle_data(self, data: str) -> None:
        if self._in_name and self.entries:
            name, targets = self.entries[-1]
            self.entries[-1] = (name + data, targets)


def _index_targets(html: str) -> list[tuple[str, list[str]]]:
    parser = _IndexTargets()
    parser.feed(html)
    return parser.entries


NUMBERS = r"\d+(?:\u2013\d+)?(?:,\s*\d+(?:\u2013\d+)?)*"


def _printed_index(reader: PdfReader) -> dict[str, list[str]]:
    """The index as printed: each entry's name and page numbers ("12", or a range "12–15")."""
    printed: dict[str, list[str]] = {}
    for page in reader.pages:
        text = page.extract_text() or ""
        if not text.lstrip().startswith("Index"):
            continue
        pending = ""  # an entry's name wrapped over lines before its page numbers
        last = ""  # the entry whose page numbers wrapped (its line ended with a comma)
        for line in (raw.strip() for raw in text.splitlines()[1:]):
            if last and re.fullmatch(rf"{NUMBERS},?", line):
                printed[last] += re.findall(r"\d+(?:\u2013\d+)?", line)
                last = last if line.endswith(",") else ""
                continue
            match = re.match(rf"^(\D*?)\s*({NUMBERS})(,?)$", line)
            if match:
                name = f"{pending} {match[1]}".strip()
                printed[name] = re.findall(r"\d+(?:\u2013\d+)?", match[2])
                pending, last = "", (name if match[3] else "")
            elif len(line) > 1:  # not an initial letter's heading
                pending = f"{pending} {line}".strip()
            else:
                pending = ""
    return printed


def _as_ranges(pages: list[int]) -> list[str]:
    """Pages as an index prints them: each once, in order, pages in a row as a range."""
    shown: list[str] = []
    for page in sorted(set(pages)):
        if shown and shown[-1].split("\u2013")[-1] == str(page - 1):
            shown[-1] = f"{shown[-1].split(chr(0x2013))[0]}\u2013{page}"
        else:
            shown.append(str(page))
    return shown


def _destination_pages(reader: PdfReader) -> dict[str, int]:
    pages: dict[str, int] = {}
    for name, destination in reader.named_destinations.items():
        number = reader.get_destination_page_number(destination)
        if number is not None:
            pages[name] = number + 1
    return pages


def test_index_pages_are_unique_ascending_and_right(crowded: Built) -> None:
    reader = crowded.pdf("en")
    entries = _index_targets(crowded.path("en", "html").read_text(encoding="utf-8"))
    printed = _printed_index(reader)
    pages = _destination_pages(reader)
    assert len(entries) >= 6
    shared = 0
    ranges = 0
    for name, targets in entries:
        expected = sorted({pages[anchor] for anchor in targets})
        shared += len(targets) > len(expected)
        numbers = printed[name]
        assert numbers == _as_ranges(expected), (name, numbers, expected)  # where targets are
        ranges += any("\u2013" in n for n in numbers)
    assert shared >= 2  # New Delhi and Ada Okafor had targets sharing a page
    assert printed["New Delhi"] == [str(pages["event-2019-plenary"])]
    assert ranges >= 1  # pages in a row are shown as a range


def test_index_page_numbers_link_to_their_page(crowded: Built) -> None:
    reader = crowded.pdf("en")
    pages = _destination_pages(reader)
    index_page = next(
        p for p in reader.pages if (p.extract_text() or "").lstrip().startswith("Index")
    )
    destinations = [
        annotation.get_object().get("/Dest") for annotation in index_page.get("/Annots", [])
    ]
    assert destinations and all(d in pages for d in destinations)


def test_the_last_page_map_lays_the_book_out_once_into_the_same_bytes(
    crowded: Built, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    html = crowded.path("en", "html").read_text(encoding="utf-8")
    assets = Assets((TOOL_ROOT / "layouts",), tmp_path)
    cold = render_pdf(html, assets, tmp_path / "cold.pdf")  # from a guess: laid out again
    layouts: list[int] = []
    real = weasyprint.HTML.render

    def counted(self: weasyprint.HTML, *args: Any, **kwargs: Any) -> Any:
        document = real(self, *args, **kwargs)
        layouts.append(len(document.pages))
        return document

    monkeypatch.setattr(weasyprint.HTML, "render", counted)
    warm = render_pdf(html, assets, tmp_path / "warm.pdf", guess=cold)
    assert len(layouts) == 1 and warm == cold
    assert (tmp_path / "warm.pdf").read_bytes() == (tmp_path / "cold.pdf").read_bytes()
    # A map that is wrong everywhere (another book's) still gives every page right.
    wrong = render_pdf(html, assets, tmp_path / "wrong.pdf", guess=dict.fromkeys(cold, 99))
    assert wrong == cold and len(layouts) > 2
    assert (tmp_path / "wrong.pdf").read_bytes() == (tmp_path / "cold.pdf").read_bytes()


def test_a_reference_left_stale_by_the_engine_is_laid_out_again(tmp_path: Path) -> None:
    """WeasyPrint can print a forward reference's page before the place moves on: here
    the 120 references on page 2 widen once their pages are known, and push Z from page 2 to
    page 3 after page 1 said "2". kpbrief reads the numbers back and lays the book out again."""
    references = "".join(f'<a class="r" href="#far{i}"></a> ' for i in range(120))
    far = "".join(f'<h2 class="far" id="far{i}">{i}</h2>' for i in range(120))
    html = (
        '<html lang="en"><head><style>a.r::after { content: target-counter(attr(href url), page); }'
        "@page { size: A7; margin: 10mm } .far { break-before: page }</style></head><body>"
        '<p>Z is on page <a class="r" href="#z"></a>.</p>'
        f'<div style="break-before: page">{references}</div><h1 id="z">Z</h1>{far}</body></html>'
    )
    target = tmp_path / "book.pdf"
    render_pdf(html, Assets((), tmp_path), target)
    reader = PdfReader(target)
    assert reader.get_destination_page_number(reader.named_destinations["z"]) + 1 == 3
    assert "Z is on page 3." in reader.pages[0].extract_text()


# Widths of the index column at which the separator inside each link broke the name.
@pytest.mark.parametrize("width", [53, 65, 68, 77, 86])
def test_an_index_name_stays_whole_when_its_first_pages_fit_beside_it(
    tmp_path: Path, width: int
) -> None:
    """A line of an index entry breaks between page numbers (", " is the list's own text),
    not inside the name: with the separator inside each link, WeasyPrint broke the name
    ("Kimberley / Process 12–16, 18–20, …") though "Kimberley Process 12–16," fitted."""
    places = "".join(f'<h2 id="p{n}" style="break-before: page">{n}</h2>' for n in range(1, 56))
    pages = [12, 13, 14, 15, 16, 18, 19, 20, 22, 23, 24, 26, 28, 29, 30, 33, 34]
    pages += [38, 39, 40, 41, 42, 43, 44, 45, 46, 47, 48, 50, 53]
    links = "".join(f'<a class="index-page" href="#p{n}"></a>' for n in pages)
    entry = (
        '<li class="index-entry"><span class="index-name">Kimberley Process</span>'
        f'<span class="index-pages" data-page-list=", ">{links}</span></li>'
    )
    html = (
        '<html lang="en"><head><title>Index</title>'
        '<link rel="stylesheet" href="kpbrief-assets/styles/print.css">'
        f"<style>.index {{ columns: 1; width: {width}mm }}</style>"
        f'</head><body>{places}<div class="index"><ul>{entry}</ul></div></body></html>'
    )
    target = tmp_path / "index.pdf"
    render_pdf(html, Assets((TOOL_ROOT / "layouts",), tmp_path), target)
    lines = PdfReader(target).pages[-1].extract_text().splitlines()
    first = next(line for line in lines if line.startswith("Kimberley"))
    assert re.match(r"Kimberley Process\s+12–16, 18–20,", first), lines
    # the whole list, over more than one line
    rest = lines[lines.index(first) + 1 :]
    assert "53" not in first and any(re.search(r"\b53\b", line) for line in rest), lines
