"""The index's entries: subjects, places spelt two ways as one entry with one id, and the
pages of names the text prints without tagging them; read from the built PDF, EPUB and HTML."""

from __future__ import annotations

import re
from collections import Counter
from html.parser import HTMLParser
from pathlib import Path
from xml.etree import ElementTree

import pytest
from helpers.books import Built, copy_fixture, edit
from helpers.judges import run_epubcheck
from pypdf import PdfReader

from kpbrief.build import BuildRequest, build
from kpbrief.content.load import load_content
from kpbrief.edition.assemble import assemble
from kpbrief.edition.mentions import Finder, Needle, fold, mark

TERMS = """index_terms:
  - term: {en: Conflict diamonds, fr: Diamants du conflit}
    also: {en: [blood diamonds], fr: [diamants de la guerre]}
  - term: {en: Never printed, fr: Jamais imprimé}
"""


def _variants(source: Path) -> None:
    """The mini book, edited: "Quebec" and "Québec" as places, a listed term, a person named
    in a chapter without being tagged there, and one who is no contact, linked to."""
    content = source / "content"
    (content / "book.yaml").write_text(
        (content / "book.yaml").read_text(encoding="utf-8") + TERMS, encoding="utf-8"
    )
    (content / "events/2020-quebec.yaml").write_text(
        "date: 2020-03-02\ntitle: {en: Meeting in Quebec, fr: Réunion à Quebec}\nplace: Quebec\n",
        encoding="utf-8",
    )
    walkout = content / "statements/2021-06-walkout.en.md"
    edit(walkout, "place: Kinshasa, DR Congo", "place: Québec")
    edit(walkout, "We walked out.", "We walked out. Blood diamonds are still sold.")
    (content / "people/bo-lindqvist.yaml").write_text(
        "name: Bo Lindqvist\ncontact: false\n", encoding="utf-8"
    )
    edit(
        content / "issues/communities.en.md",
        "Communities come first",
        "Ada Okafor met [Bo Lindqvist](person:bo-lindqvist). Communities come first",
    )


@pytest.fixture(scope="module")
def variants(tmp_path_factory: pytest.TempPathFactory) -> Built:
    root = tmp_path_factory.mktemp("variants")
    source = copy_fixture("mini", root)
    _variants(source)
    out = root / "out"
    build(
        BuildRequest(
            source=source, out=out, languages=["en"], formats=["pdf", "epub", "html"], packs=False
        )
    )
    return Built(source, out, "mini-book")


class _Ids(HTMLParser):
    """Every id of an HTML document, and each index entry: (id, name, targets)."""

    def __init__(self) -> None:
        super().__init__()
        self.ids: list[str] = []
        self.entries: list[tuple[str, str, list[str]]] = []
        self.links: list[str] = []
        self._name = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attributes = dict(attrs)
        classes = (attributes.get("class") or "").split()
        if attributes.get("id"):
            self.ids.append(attributes["id"] or "")
        if tag == "a" and attributes.get("href"):
            self.links.append(attributes["href"] or "")
        if "index-entry" in classes:
            self.entries.append((attributes.get("id") or "", "", []))
        elif "index-name" in classes:
            self._name = True
        elif "index-page" in classes and self.entries:
            self.entries[-1][2].append((attributes.get("href") or "#")[1:])

    def handle_endtag(self, tag: str) -> None:
        self._name = False

    def handle_data(self, data: str) -> None:
        if self._name and self.entries:
            anchor, name, targets = self.entries[-1]
            self.entries[-1] = (anchor, name + data, targets)


def _parsed(built: Built) -> _Ids:
    parser = _Ids()
    parser.feed(built.path("en", "html").read_text(encoding="utf-8"))
    return parser


def _pages(reader: PdfReader) -> dict[str, int]:
    return {
        name: reader.get_destination_page_number(destination) + 1
        for name, destination in reader.named_destinations.items()
    }


def _printed(reader: PdfReader, name: str) -> list[int]:
    """The pages the PDF's index prints after `name` (a range's every page)."""
    text = "\n".join(
        page.extract_text() or ""
        for page in reader.pages
        if (page.extract_text() or "").lstrip().startswith("Index")
    )
    number = r"\d+(?:\u2013\d+)?"  # a page, or pages in a row: "12–15"
    match = re.search(rf"^{re.escape(name)}\s+({number}(?:,\s*{number})*)", text, re.MULTILINE)
    assert match, (name, text)
    pages: list[int] = []
    for first, last in re.findall(r"(\d+)(?:\u2013(\d+))?", match[1]):
        pages += range(int(first), int(last or first) + 1)
    return pages


def test_accent_variants_are_one_entry_with_one_id(variants: Built) -> None:
    parsed = _parsed(variants)
    assert [i for i, n in Counter(parsed.ids).items() if n > 1] == []
    assert all(re.fullmatch(r"[A-Za-z_][A-Za-z0-9_.-]*", i) for i in parsed.ids)
    quebec = [e for e in parsed.entries if e[1].lower() in ("quebec", "québec")]
    assert len(quebec) == 1, quebec
    anchor, name, targets = quebec[0]
    assert (anchor, name) == ("index-place-quebec", "Québec")
    assert {"event-2020-quebec", "statement-2021-06-walkout"} <= set(targets)
    reader = variants.pdf("en")
    pages = _pages(reader)
    expected = sorted({pages["event-2020-quebec"], pages["statement-2021-06-walkout"]})
    assert _printed(reader, "Québec") == expected


def test_the_epub_with_both_spellings_has_unique_ids_and_passes_epubcheck(
    variants: Built,
) -> None:
    with variants.epub("en") as archive:
        for member in archive.namelist():
            if not member.endswith(".xhtml"):
                continue
            root = ElementTree.fromstring(archive.read(member))
            ids = [e.get("id") for e in root.iter() if e.get("id")]
            assert [i for i, n in Counter(ids).items() if n > 1] == [], member
        texts = [archive.read(m).decode("utf-8") for m in archive.namelist() if m.endswith("xhtml")]
        index = next(text for text in texts if 'id="index-place-quebec"' in text)
    assert "Qu&#233;bec" in index or "Québec" in index
    result = run_epubcheck(variants.path("en", "epub"))
    assert result.findings("FATAL", "ERROR", "WARNING") == []
    assert result.valid


def test_subjects_chapters_and_listed_terms(variants: Built) -> None:
    parsed = _parsed(variants)
    entries = {name: (anchor, targets) for anchor, name, targets in parsed.entries}
    anchor, targets = entries["Reform of the scheme"]
    assert anchor == "index-subject-reform"
    assert targets[0] == "issue-reform"
    assert {"statement-2019-11-22-plenary", "statement-2021-06-walkout"} <= set(targets)
    # A listed term, found through a variant spelling, whatever its case; a term the text
    # never prints has no entry.
    anchor, targets = entries["Conflict diamonds"]
    assert anchor == "index-term-conflict-diamonds"
    # "blood diamonds" in the 2021 statement, "Conflict diamonds" in the communities chapter
    walkout = [t for t in targets if t.startswith("statement-2021-06-walkout-name-")]
    chapter = [t for t in targets if t.startswith("issue-communities-name-")]
    assert walkout and chapter and len(walkout) + len(chapter) == len(targets), targets
    assert "Never printed" not in entries
    reader = variants.pdf("en")
    pages = _pages(reader)
    expected = sorted({pages["statement-2021-06-walkout"], pages[chapter[0]]})
    assert _printed(reader, "Conflict diamonds") == expected
    assert _printed(reader, "Reform of the scheme")[0] == pages["issue-reform"]


def test_a_name_the_text_prints_untagged_is_indexed_at_its_page(variants: Built) -> None:
    html = variants.path("en", "html").read_text(encoding="utf-8")
    # The words are left as they were: only an id around them.
    assert re.search(r'<span id="issue-communities-name-\d">Ada Okafor</span> met', html)
    parsed = _parsed(variants)
    okafor = next(targets for _a, name, targets in parsed.entries if name == "Okafor, Ada")
    mentions = [t for t in okafor if t.startswith("issue-communities-name-")]
    assert mentions  # the chapter does not tag her: the text names her
    reader = variants.pdf("en")
    pages = _pages(reader)
    assert pages[mentions[0]] == pages["issue-communities"]
    assert pages["issue-communities"] in _printed(reader, "Okafor, Ada")
    # Bo Lindqvist is only linked to, in the same chapter: the link is his mention.
    assert _printed(reader, "Lindqvist, Bo") == [pages["issue-communities"]]


def test_a_linked_name_goes_to_the_contact_entry_or_else_to_the_index(variants: Built) -> None:
    parsed = _parsed(variants)
    assert "#person-ada-okafor" in parsed.links  # a contact: her contact entry
    assert "person-ada-okafor" in parsed.ids
    assert "#index-person-bo-lindqvist" in parsed.links  # no contact: his index entry
    assert "index-person-bo-lindqvist" in parsed.ids
    assert "person-bo-lindqvist" not in parsed.ids


# -- without the engines ---------------------------------------------------------------


def test_marking_leaves_the_text_as_it_was() -> None:
    finder = Finder(
        [
            Needle("Québec", "q"),
            Needle("TCFD", "t", case="exact"),
            Needle("Okafor", "o", case="capital"),
            Needle("Ada Okafor", "a"),
        ]
    )
    fragment = (
        "<p>In QUEBEC, <em>Ada</em> Okafor &amp; Ada\nOkafor met the tcfd, the &quot;TCFD&quot; "
        "and okafor; Okafor agreed.</p><pre>Quebec</pre>"
    )
    html, marks = mark(fragment, finder, "en", "s")
    assert html.count("<span") == 5 and html.count("&quot;") == 2
    assert re.sub(r"<[^>]+>", "", html) == re.sub(r"<[^>]+>", "", fragment)  # the same text
    assert [key for _anchor, key in marks] == ["q", "o", "a", "t", "o"]
    assert '<span id="s-1">QUEBEC</span>' in html
    assert '<span id="s-3">Ada\nOkafor</span>' in html  # <em>Ada</em> Okafor is not one
    assert "okafor; " in html  # a family name alone only with its capital
    assert "<pre>Quebec</pre>" in html


def test_folding_keeps_each_position_whatever_was_folded_before() -> None:
    """The folding table fills as characters are first met: a text folds the same before
    and after others, one character for each of its own (ligatures, long folds and all)."""
    text = "ŒUVRE Straße İstanbul ǅ Ærø ’s ﬁn Québec–Lévis ı"
    first = fold(text)
    assert len(first) == len(text)
    assert fold("œuvre strasse istanbul") and fold(text) == first
    assert first.startswith("ouvre strase ") and "quebec-levis" in first and first[-1] == "i"


def test_a_name_is_found_whatever_its_first_word_looks_like_in_the_text() -> None:
    """A name whose first word is written with accents or capitals, or runs on over a line
    break, is found; one whose first word the text lacks, or has only inside a longer word, is
    not."""
    finder = Finder([Needle("Lévis Côté", "l"), Needle("Ngozi Obi", "n"), Needle("Kim", "k")])
    assert finder.keys("LEVIS\nCOTE, Ngozi  Obi", "en") == ["l", "n"]
    assert finder.keys("Kimberley: Ngozi, then Obi", "en") == []


def test_a_needle_read_as_an_earlier_one_changes_nothing_found_and_is_left_out() -> None:
    """Two places whose town is "Windhoek": the second place's "Windhoek" would only ever
    meet mentions the first has taken. It is left out, so that a place an edit adds leaves
    the needles of every text that names the town as they were (what a warm process finds
    again by them)."""
    first = [Needle("Windhoek, Namibia", "a"), Needle("Windhoek", "a", case="capital")]
    both = [*first, Needle("Windhoek, Khomas", "b"), Needle("Windhoek", "b", case="capital")]
    text = "In Windhoek, Namibia and in Windhoek again; windhoek too. Windhoek, Khomas."
    alone, with_both = Finder(first), Finder(both)
    at = text.index
    assert with_both.find(text, "en") == [
        (at("Windhoek, Namibia"), at("Windhoek, Namibia") + 17, "a"),
        (at("Windhoek again"), at("Windhoek again") + 8, "a"),  # not "windhoek too"
        (at("Windhoek, Khomas"), at("Windhoek, Khomas") + 16, "b"),
    ]
    assert [n for n in with_both.needles if n.text == "Windhoek"] == [first[1]]
    before_khomas = text[: at("Windhoek, Khomas")]
    assert alone.find(before_khomas, "en") == with_both.find(before_khomas, "en")
    # Another case or language is another reading: kept.
    other = Finder([*first, Needle("Windhoek", "b"), Needle("Windhoek", "c", lang="fr")])
    assert len([n for n in other.needles if n.text == "Windhoek"]) == 3


def test_names_differing_by_accent_or_a_listed_variant_are_one_entry(tmp_path: Path) -> None:
    source = copy_fixture("mini", tmp_path)
    content = source / "content"
    (content / "book.yaml").write_text(
        (content / "book.yaml").read_text(encoding="utf-8")
        + "index_terms:\n  - term: Kinshasa\n    also: [Kinsasa, Léopoldville]\n",
        encoding="utf-8",
    )
    (content / "events/2020-a.yaml").write_text(
        "date: 2020\ntitle: A\nplace: KINSHASA, dr congo\n", encoding="utf-8"
    )
    (content / "events/2020-b.yaml").write_text(
        "date: 2020\ntitle: B\nplace: Léopoldville\n", encoding="utf-8"
    )
    loaded = load_content(source)
    assert [p for p in loaded.problems if p.severity == "error"] == []
    entries = [e for letter in assemble(loaded, "en").index for e in letter.entries]
    kinshasa = [e for e in entries if "kinshasa" in e.name.lower()]
    assert sorted((e.name, e.anchor) for e in kinshasa) == [
        ("Kinshasa", "index-term-kinshasa"),
        ("Kinshasa, DR Congo", "index-place-kinshasa-dr-congo"),
    ]
    term = next(e for e in kinshasa if e.kind == "term")
    assert [t.anchor for t in term.targets] == ["event-2020-b"]
    place = next(e for e in kinshasa if e.kind == "place")
    assert {t.anchor for t in place.targets} == {"event-2020-a", "statement-2021-06-walkout"}
    assert len({e.anchor for e in entries}) == len(entries)


@pytest.mark.parametrize(
    ("written", "message", "line"),
    [
        ("index_terms: Conflict diamonds\n", "index_terms must be a list", 1),
        ("index_terms:\n  - Conflict diamonds\n", "must be a mapping like", 1),
        ("index_terms:\n  - also: [x]\n", "missing field 'term'", 2),
        ("index_terms:\n  - {term: X, see: Y}\n", "unknown field 'see'", 2),
        ("index_terms:\n  - {term: X, also: {english: [Y]}}\n", "'english' is not a language", 2),
        ("index_terms:\n  - {term: Zinc}\n  - {term: Tin, also: [ZINC]}\n", "line 2", 3),
    ],
)
def test_a_wrong_index_term_is_an_error_at_its_line(
    tmp_path: Path, written: str, message: str, line: int
) -> None:
    """`line` counts from the first line added to book.yaml."""
    source = copy_fixture("mini", tmp_path)
    book = source / "content/book.yaml"
    before = book.read_text(encoding="utf-8")
    book.write_text(before + written, encoding="utf-8")
    found = [str(p) for p in load_content(source).problems if p.severity == "error"]
    at = before.count("\n") + line
    message = message.replace("line 2", f"line {at - 1}")
    assert [p for p in found if message in p and p.startswith(f"content/book.yaml:{at}:")], found


def test_a_place_is_found_by_its_town_unless_another_place_is_the_town(tmp_path: Path) -> None:
    source = copy_fixture("mini", tmp_path)
    edit(
        source / "content/issues/communities.en.md",
        "Communities come first",
        "In Kinshasa and in New Delhi, communities come first",
    )
    loaded = load_content(source)
    entries = {e.name: e for letter in assemble(loaded, "en").index for e in letter.entries}
    kinshasa = [t.anchor for t in entries["Kinshasa, DR Congo"].targets]
    assert "issue-communities-name-1" in kinshasa  # "Kinshasa" names "Kinshasa, DR Congo"
    # "New Delhi" is an event's place of its own: the text names that one.
    assert "issue-communities-name-2" in [t.anchor for t in entries["New Delhi"].targets]
    assert not [t for t in entries["New Delhi, India"].targets if t.anchor.startswith("issue-")]
