"""Every PDF the tests build, judged by independent checkers and by the structure tree's rules.

The judges: `outloud` (PDF/UA-1 and WCAG 2.2 checks) and `pdfua` (PyPI), qpdf's syntax check
(through pikepdf), poppler's `pdffonts` and `pdftotext`, and this file's own reading of the
structure tree for the Matterhorn conditions the checkers miss or only half see. Each book is
built once per session and each judge runs once per PDF; the tests then read the verdicts.
A judge that cannot run fails its tests (`make test` installs them all).

Before kpbrief/engines/pdftags.py and the print layout's changes, outloud found in the KP book's
English PDF 95 errors (LNK-001 x10, LNK-003 x40, LST-001 x45) and 964 warnings (LNK-004 x852,
TAG-020 x65, PAG-001 x45, ORD-001, LNK-010); the French and the fixture books alike.
"""

from __future__ import annotations

import collections
import json
import re
import subprocess
import unicodedata
from dataclasses import dataclass
from html import unescape
from pathlib import Path
from typing import Any

import pikepdf
import pytest
from helpers.books import REPO, Built, pack_path
from helpers.judges import tool

from kpbrief.build import BuildRequest, build
from kpbrief.edition import assemble
from kpbrief.engines.parts import PART_CACHE

# The warnings a book may still get, each with why it does not apply; any other warning, and
# any error, fails. `_justified` checks that each finding is the case described.
JUSTIFIED_WARNINGS = {
    # "Address or URL is text but not a link" (no PDF/UA clause): a statement's own text
    # names an address; the statement is reproduced word for word from its source, and the
    # address is a link wherever the book itself gives it (contacts, organisations).
    "LNK-010": "an address within a statement's text, reproduced as received",
    # "Running header or footer is tagged as content", found by lines that recur on three or
    # more pages: a chapter's "N statements on this issue" label and its list's entries,
    # which recur from chapter to chapter. They are content; the running heads and page
    # numbers are artifacts (see test_pagination_is_an_artifact).
    "PAG-001": "a chapter's own label and list entries, recurring in several chapters",
}
# pdfua's UA-14-001 raises on some arrays and reports itself skipped ("rule raised ..."):
# the checker's failure, not a finding about the file.
PDFUA_RULES_THAT_CRASH = {"UA-14-001"}

BOOKS = [
    ("mini", "en"),
    ("mini", "fr"),
    ("portuguese", "pt_BR"),
    ("kp", "en"),
    ("kp", "fr"),
    ("kp_in_parts", "en"),
    ("kp_in_parts", "fr"),
    ("kp_long", "en"),
    ("next_edition", "en"),  # with its "What's new" section
]


@pytest.fixture(scope="session")
def kp(kp_book: Built) -> Built:
    """The KP book of this repository, in English and French, as one document each."""
    return kp_book


@pytest.fixture(scope="session")
def kp_in_parts(tmp_path_factory: pytest.TempPathFactory) -> Built:
    """The KP book laid out in two parts joined into one PDF (as a long book is)."""
    out = tmp_path_factory.mktemp("kp-parts") / "out"
    build(BuildRequest(source=REPO, out=out, formats=["pdf", "html"], parts=2))
    return Built(REPO, out, "kp-csc-briefing")


@pytest.fixture(scope="session")
def kp_long(tmp_path_factory: pytest.TempPathFactory) -> Built:
    """The KP book made as a long book is (each letter of its index after the first a soft
    opening), laid out in twelve parts, two begun at letters."""
    out = tmp_path_factory.mktemp("kp-long") / "out"
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(assemble, "LONG_BOOK_FROM", 1)
        build(
            BuildRequest(source=REPO, out=out, formats=["pdf", "html"], languages=["en"], parts=12)
        )
    return Built(REPO, out, "kp-csc-briefing")


@dataclass
class Verdicts:
    book: str
    lang: str
    pdf: Path
    html: str  # the HTML the PDF was made from (a pack's: none, "")
    outloud: list[dict[str, Any]]  # findings
    pdfua: dict[str, Any]  # the JSON report
    syntax: list[str]  # qpdf's problems
    fonts: list[list[str]]  # pdffonts' rows, split
    text: str  # pdftotext's text layer
    pages_text: list[str]  # the same, page by page
    tree: Structure


# The briefing packs, judged as the books are (but for what only a book has: its HTML output,
# its cover, its chronology): (book, pack, language).
PACKS = [
    ("mini", "plenary-2024", "en"),
    ("mini", "plenary-2024", "fr"),
    ("portuguese", "intersessional", "pt_BR"),
]
_VERDICTS: dict[tuple[str, str, str | None], Verdicts] = {}


@pytest.fixture(scope="session", params=BOOKS, ids=[f"{b}-{lang}" for b, lang in BOOKS])
def judged_book(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Verdicts:
    """The verdicts on a book's PDF."""
    name, lang = request.param
    return _judge(request, tmp_path_factory, name, lang, None)


@pytest.fixture(
    scope="session",
    params=[(b, lang, None) for b, lang in BOOKS] + PACKS,
    ids=[f"{b}-{lang}" for b, lang in BOOKS] + [f"{b}-pack-{lang}" for b, _, lang in PACKS],
)
def judged(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Verdicts:
    """The verdicts on a book's PDF or a briefing pack's."""
    name, pack_or_lang, lang = request.param
    if lang is None:
        return _judge(request, tmp_path_factory, name, pack_or_lang, None)
    return _judge(request, tmp_path_factory, name, lang, pack_or_lang)


def _judge(
    request: pytest.FixtureRequest,
    tmp_path_factory: pytest.TempPathFactory,
    name: str,
    lang: str,
    pack: str | None,
) -> Verdicts:
    """Each PDF judged once a session, whichever fixture asks first."""
    if (name, lang, pack) not in _VERDICTS:
        book: Built = request.getfixturevalue(name)
        pdf = book.path(lang, "pdf") if pack is None else pack_path(book, pack, lang)
        html = book.path(lang, "html").read_text(encoding="utf-8") if pack is None else ""
        _VERDICTS[name, lang, pack] = _verdicts(name, lang, pdf, html, tmp_path_factory)
    return _VERDICTS[name, lang, pack]


def _verdicts(
    name: str, lang: str, pdf: Path, html: str, tmp_path_factory: pytest.TempPathFactory
) -> Verdicts:
    report = tmp_path_factory.mktemp("outloud") / "report.json"
    run = subprocess.run(
        [tool("outloud"), "--fail-on", "never", "--json", str(report), str(pdf)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert run.returncode == 0, run.stderr
    (result,) = json.loads(report.read_text(encoding="utf-8"))["results"]
    assert result["error"] is None, result["error"]
    ua = subprocess.run(
        [tool("pdfua"), "check", "--format", "json", str(pdf)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert ua.returncode in (0, 1, 2, 3), ua.stderr  # 4: unreadable, 5: usage
    fonts = subprocess.run([tool("pdffonts"), str(pdf)], capture_output=True, text=True, check=True)
    rows = fonts.stdout.splitlines()
    text = subprocess.run(
        # -layout: lines as printed (without it, pdftotext joins a line ending in a
        # hyphen-minus to the next: "often-hailed" would read "oftenhailed").
        [tool("pdftotext"), "-layout", "-enc", "UTF-8", str(pdf), "-"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    with pikepdf.open(pdf) as document:
        syntax = document.check_pdf_syntax()
    return Verdicts(
        book=name,
        lang=lang,
        pdf=pdf,
        html=html,
        outloud=result["findings"],
        pdfua=json.loads(ua.stdout),
        syntax=syntax,
        fonts=[row.split() for row in rows[2:] if row.strip()],
        text=text,
        pages_text=text.split("\f"),
        tree=Structure.read(pdf),
    )


# The independent checkers


def test_outloud_finds_no_error(judged: Verdicts) -> None:
    errors = [(f["rule"], f["message"]) for f in judged.outloud if f["severity"] == "error"]
    assert errors == []


def test_outloud_warnings_are_justified(judged: Verdicts) -> None:
    for finding in judged.outloud:
        if finding["severity"] != "warning":
            continue
        assert finding["rule"] in JUSTIFIED_WARNINGS, (finding["rule"], finding["message"])
        assert _justified(finding, judged), finding


def _justified(finding: dict[str, Any], judged: Verdicts) -> bool:
    """Whether a warning is the case `JUSTIFIED_WARNINGS` describes."""
    body = judged.html[judged.html.find("<body") :]  # a pack's: "", which justifies nothing
    if finding["rule"] == "LNK-010":
        address = finding.get("evidence") or ""
        statements = re.findall(
            r'<div class="statement-body"[^>]*>(.*?)</div>', body, flags=re.DOTALL
        )
        return "@" in address and any(address in unescape(s) for s in statements)
    if finding["rule"] == "PAG-001":
        # Recurring lines of content, each found in the book's text: not page numbers.
        if "page numbers" in finding["message"]:
            return False
        text = " ".join(_plain(body).split()).casefold()
        lines = [line.rstrip("…").strip() for line in finding["evidence"].split("; ")]
        return all(" ".join(line.split()).casefold() in text for line in lines if line)
    return False


def test_pdfua_finds_nothing(judged: Verdicts) -> None:
    report = judged.pdfua
    assert report["summary"]["findings"] == 0, report["findings"]
    assert report["summary"]["rules_run"] >= 10
    skipped = {rule["rule_id"]: rule["reason"] for rule in report["skipped"]}
    assert set(skipped) <= PDFUA_RULES_THAT_CRASH, skipped
    assert all("raised" in reason for reason in skipped.values()), skipped


def test_qpdf_finds_the_file_sound(judged: Verdicts) -> None:
    assert judged.syntax == []
    with pikepdf.open(judged.pdf) as pdf:
        assert pdf.Root.MarkInfo.Marked is True
        assert pdf.Root.ViewerPreferences.DisplayDocTitle is True
        assert str(pdf.Root.Lang) == judged.lang.replace("_", "-")
        with pdf.open_metadata() as xmp:
            assert xmp.get("pdfuaid:part") == "1"


def test_every_font_is_embedded_with_its_unicode_map(judged: Verdicts) -> None:
    assert len(judged.fonts) >= 3
    for row in judged.fonts:
        emb, sub, uni = row[-5:-2]
        assert (emb, sub, uni) == ("yes", "yes", "yes"), row
        assert row[0].split("+")[-1].startswith(("KP-Serif", "KP-Sans")), row


def test_text_layer_has_no_hard_break_hyphen_nor_leader_dots(judged: Verdicts) -> None:
    assert "\u2010" not in judged.text  # a line broken in a word: "Coali-tion"
    assert "....." not in judged.text
    assert len(judged.text.split()) > 200


def test_text_layer_reads_as_words(judged_book: Verdicts) -> None:
    """Copy, search and speech get the book's words: none broken by letter-spacing ("K EY
    LINES"), a word broken at a line's end joined again by its soft hyphen."""
    html_words = _words(_plain(judged_book.html))
    pages = [re.sub(r"\u00ad\n\s*(?=[^\W\d_])", "", page) for page in judged_book.pages_text]
    # A word broken at the foot of a page goes on after the folio and the next page's head:
    # at most one such break a page, on its last line of text.
    carried = [re.findall(r"([^\W\d_]+)\u00ad", page) for page in pages]
    assert all(len(words) <= 1 for words in carried), carried
    starts = {words[0].casefold() for words in carried if words}
    printed = _words("\n".join(pages)) - html_words
    printed = {
        w
        for w in printed
        if not re.fullmatch(r"[ivxlc]+", w)  # the front matter's page numbers
        and w not in starts
        and not any(start + w in html_words for start in starts)
    }
    assert printed == set()
    if judged_book.book != "portuguese":  # its text breaks no word; the others' do
        assert "\u00ad\n" in judged_book.text


def _plain(html: str) -> str:
    """The text of an HTML document (its style element's too: CSS prints some of it)."""
    text = re.sub(r"<[^>]+>", " ", html)
    return unescape(text)


def _words(text: str) -> set[str]:
    return {w.casefold() for w in re.findall(r"[^\W\d_]+", unicodedata.normalize("NFKC", text))}


# The structure tree, read with pikepdf


@dataclass
class Structure:
    """What a PDF's structure tree says, condition by condition (Matterhorn Protocol)."""

    violations: dict[str, list[str]]
    types: collections.Counter[str]
    descriptions: list[str]  # every link annotation's /Contents, in page order
    heading_langs: list[str]  # the language of each H2, in order
    passage_langs: collections.Counter[str]  # P elements by language
    pagination_pages: list[int]  # pages (from 1) with a pagination artifact
    page_count: int

    @classmethod
    def read(cls, path: Path) -> Structure:
        with pikepdf.open(path) as pdf:
            return _read_structure(pdf)


CONDITIONS = (
    "link annotation whose structure parent is no Link (28-011)",
    "Link element with no content and no /Alt (28-004)",
    "Link within a Link",
    "LI outside an L (16-001)",
    "LI without an LBody",
    "heading within a heading",
    "content tagged under an element outside the tree (01-004)",
    "marked content no element claims (01-004)",
    "link description that is an id or missing (28-004)",
    "internal link description without its target's page",
    "parent tree entry naming an element that does not hold that content (14.7.4.4)",
    "text in a Span of its own where the element that holds it could hold it",
    "link annotation its Link element holds no reference to (28-011)",
    "reference to an annotation kept as an object of its own",
    "link annotation lying within another of its Link's, to the same place",
)
TEXT_HOLDERS = {"P", "H1", "H2", "H3", "H4", "H5", "H6", "Span", "Link", "Lbl", "LBody", "TD", "TH"}


def _read_structure(pdf: pikepdf.Pdf) -> Structure:
    root = pdf.Root.StructTreeRoot
    lang = str(pdf.Root.Lang)
    found: dict[str, list[str]] = {condition: [] for condition in CONDITIONS}
    nums = list(root.ParentTree.Nums)
    parents = {int(k): v for k, v in zip(nums[0::2], nums[1::2], strict=True)}
    types: collections.Counter[str] = collections.Counter()
    heading_langs: list[str] = []
    passage_langs: collections.Counter[str] = collections.Counter()
    reachable: set[tuple[int, int]] = set()
    held: set[tuple[tuple[int, int], tuple[int, int], int]] = set()  # element, page, mcid
    referenced: set[tuple[tuple[int, int], tuple[int, int]]] = set()  # element, annotation

    def kids(element: pikepdf.Object) -> list[pikepdf.Object]:
        k = element.get("/K")
        return [] if k is None else list(k) if isinstance(k, pikepdf.Array) else [k]

    def has_content(element: pikepdf.Object) -> bool:
        for kid in kids(element):
            if not _is_dict(kid):  # a marked-content id
                return True
            if kid.get("/Type") == "/MCR" or "/Alt" in kid or "/ActualText" in kid:
                return True
            if kid.get("/Type") != "/OBJR" and has_content(kid):
                return True
        return False

    def is_text_piece(kid: pikepdf.Object) -> bool:
        """A Span with nothing to say but its marked content."""
        inner = kids(kid)
        return (
            _is_dict(kid)
            and kid.get("/S") == "/Span"
            and set(kid.keys()) <= {"/Type", "/S", "/K", "/Pg", "/P"}
            and bool(inner)
            and all(not _is_dict(i) or i.get("/Type") == "/MCR" for i in inner)
        )

    def walk(element: pikepdf.Object, ancestors: list[str], element_lang: str) -> None:
        s = str(element.S)[1:]
        reachable.add(element.objgen)
        page = element.get("/Pg")
        for kid in kids(element):
            if not _is_dict(kid) and page is not None:
                held.add((element.objgen, page.objgen, int(kid)))
            elif _is_dict(kid) and kid.get("/Type") == "/MCR":
                held.add((element.objgen, kid.get("/Pg", page).objgen, int(kid.MCID)))
            elif _is_dict(kid) and kid.get("/Type") == "/OBJR":
                referenced.add((element.objgen, kid.Obj.objgen))
                if kid.is_indirect:  # each one is an object every reader goes through
                    found[CONDITIONS[13]].append(f"{element.S} {kid.objgen}")
        if s in TEXT_HOLDERS:
            for kid in kids(element):
                if _is_dict(kid) and kid.get("/Type") not in ("/OBJR", "/MCR"):
                    if not is_text_piece(kid):
                        break
                    found[CONDITIONS[11]].append(f"{'/'.join([*ancestors, s])}/Span")
        types[s] += 1
        path = "/".join([*ancestors, s])
        own = str(element.Lang) if "/Lang" in element else element_lang
        if s == "Link":
            areas = [
                _link_area(kid.Obj)
                for kid in kids(element)
                if _is_dict(kid) and kid.get("/Type") == "/OBJR"
            ]
            for index, (target, rect) in enumerate(areas):
                if any(
                    other != index and other_target == target and _within(rect, other_rect)
                    for other, (other_target, other_rect) in enumerate(areas)
                ):
                    found[CONDITIONS[14]].append(f"{path}: {rect}")
            if not has_content(element) and "/Alt" not in element:
                found[CONDITIONS[1]].append(path)
            if "Link" in ancestors:
                found[CONDITIONS[2]].append(path)
        if s == "LI":
            if not ancestors or ancestors[-1] != "L":
                found[CONDITIONS[3]].append(path)
            if not any(str(k.get("/S")) == "/LBody" for k in kids(element) if _is_dict(k)):
                found[CONDITIONS[4]].append(path)
        if re.fullmatch(r"H\d?", s) and any(re.fullmatch(r"H\d?", a) for a in ancestors):
            found[CONDITIONS[5]].append(path)
        if s == "H2":
            heading_langs.append(own)
        if s == "P":
            passage_langs[own] += 1
        for kid in kids(element):
            if _is_dict(kid) and kid.get("/Type") not in ("/OBJR", "/MCR"):
                walk(kid, [*ancestors, s], own)

    for top in root.K if isinstance(root.K, pikepdf.Array) else [root.K]:
        walk(top, [], lang)

    names = {
        str(name): destination
        for name, destination in _pairs(pdf.Root.Names.Dests, "/Names")
        if "/Names" in pdf.Root
    }
    page_numbers = {page.obj.objgen: number for number, page in enumerate(pdf.pages, 1)}
    descriptions: list[str] = []
    pagination: list[int] = []
    for number, page in enumerate(pdf.pages, 1):
        stream = b"".join(
            s.read_bytes()
            for s in (
                page.obj.Contents
                if isinstance(page.obj.Contents, pikepdf.Array)
                else [page.obj.Contents]
            )
        )
        if b"/Artifact <</Type /Pagination>> BDC" in stream:
            pagination.append(number)
        entries = parents.get(int(page.obj.get("/StructParents", -1)))
        claimed = {
            mcid
            for mcid, element in enumerate(entries if entries is not None else [])
            if _is_dict(element)
        }
        for mcid in sorted(claimed):
            assert entries is not None
            if entries[mcid].objgen not in reachable:
                found[CONDITIONS[6]].append(f"page {number} mcid {mcid}")
            if (entries[mcid].objgen, page.obj.objgen, mcid) not in held:
                found[CONDITIONS[10]].append(f"page {number} mcid {mcid}")
        marked = {int(m) for m in re.findall(rb"<</MCID (\d+)>>\s*BDC", stream)}
        for mcid in sorted(marked - claimed):
            found[CONDITIONS[7]].append(f"page {number} mcid {mcid}")
        for annotation in page.obj.get("/Annots", ()):
            if annotation.get("/Subtype") != "/Link":
                continue
            parent = parents.get(int(annotation.get("/StructParent", -1)))
            if not _is_dict(parent) or parent.get("/S") != "/Link":
                found[CONDITIONS[0]].append(f"page {number}")
            elif (parent.objgen, annotation.objgen) not in referenced:
                found[CONDITIONS[12]].append(f"page {number}")
            contents = str(annotation.get("/Contents", ""))
            descriptions.append(contents)
            dest = str(annotation.get("/Dest", ""))
            uri = str(annotation.A.URI) if "/A" in annotation else ""
            readable = re.search(r"[^\W\d_]", contents) or (
                uri.startswith("tel:") and re.fullmatch(r"\+?[\d ().\-/\u00a0]+", contents)
            )
            if (
                not readable
                or (dest and contents == dest)
                or re.fullmatch(r"[a-z0-9]+(-[a-z0-9]+)+", contents)
            ):
                found[CONDITIONS[8]].append(f"page {number}: {contents!r}")
            if dest in names:
                target = page_numbers[names[dest][0].objgen]
                if not re.search(rf"\b{target}\b", contents):
                    found[CONDITIONS[9]].append(f"page {number}: {contents!r} -> {target}")
    return Structure(
        violations=found,
        types=types,
        descriptions=descriptions,
        heading_langs=heading_langs,
        passage_langs=passage_langs,
        pagination_pages=pagination,
        page_count=len(pdf.pages),
    )


def _link_area(annotation: pikepdf.Object) -> tuple[str, tuple[float, ...]]:
    """Where a link annotation leads, and its rectangle (left, bottom, right, top)."""
    target = str(annotation.get("/Dest", "")) + str(
        annotation.A.get("/URI", "") if "/A" in annotation else ""
    )
    x1, y1, x2, y2 = (float(v) for v in annotation.Rect)
    return target, (min(x1, x2), min(y1, y2), max(x1, x2), max(y1, y2))


def _within(inner: tuple[float, ...], outer: tuple[float, ...]) -> bool:
    return (
        outer[0] <= inner[0]
        and outer[1] <= inner[1]
        and outer[2] >= inner[2]
        and outer[3] >= inner[3]
    )


def _is_dict(value: object) -> bool:
    return isinstance(value, pikepdf.Dictionary)


def _pairs(node: pikepdf.Object, leaves: str) -> list[tuple[pikepdf.Object, pikepdf.Object]]:
    pairs = []
    if leaves in node:
        items = list(node[leaves])
        pairs += list(zip(items[0::2], items[1::2], strict=True))
    for kid in node.get("/Kids", ()):
        pairs += _pairs(kid, leaves)
    return pairs


@pytest.mark.parametrize("condition", CONDITIONS)
def test_structure_meets_the_condition(judged: Verdicts, condition: str) -> None:
    assert judged.tree.violations[condition] == []


def test_structure_tree_is_the_book(judged_book: Verdicts) -> None:
    """Not a tree that meets the conditions by being empty: headings, lists, links."""
    types = judged_book.tree.types
    assert types["H1"] >= 5 and types["H2"] >= 4, types
    assert types["L"] >= 5 and types["LI"] >= 10 and types["LBody"] == types["LI"], types
    assert types["Link"] >= 30 and types["Figure"] >= 1, types
    assert len(judged_book.tree.descriptions) >= types["Link"]


def test_pagination_is_an_artifact(judged_book: Verdicts) -> None:
    """Every page but the cover prints its number, as a pagination artifact; a blank page
    (left empty so that a part opens on a right-hand page) prints none."""
    tree = judged_book.tree
    blank = [n for n, text in enumerate(judged_book.pages_text, 1) if not text.strip()]
    numbered = [n for n in range(2, tree.page_count + 1) if n not in blank]
    assert tree.pagination_pages == numbered
    assert len(numbered) > len(blank)


def test_link_descriptions_are_in_the_books_language(judged: Verdicts) -> None:
    descriptions = judged.tree.descriptions
    page_word = {"en": "page", "fr": "page", "pt_BR": "page"}[judged.lang]
    # Internal links: "what is there, page N"; others: the address they print.
    for d in descriptions:
        assert re.search(rf", {page_word} \d+$", d) or re.match(r"(https?://|\+|\S+@)", d), d
    if judged.html:  # a book, not a pack: its contents lead to the chronology
        contents = {"en": "Chronology", "fr": "Chronologie", "pt_BR": "Chronology"}[judged.lang]
        assert any(d.startswith(f"{contents}, {page_word} ") for d in descriptions), descriptions
    else:  # a pack: its own contents lead to its contacts
        assert any(re.match(rf"Contacts, {page_word} \d+$", d) for d in descriptions), descriptions


def test_passages_carry_their_language(judged_book: Verdicts) -> None:
    """A heading or text in another language than the book's is marked with its own."""
    body = judged_book.html[judged_book.html.index("<body") :]
    book = judged_book.lang.replace("_", "-")
    expected = []
    for heading in re.findall(r"<h2\b[^>]*>", body):
        own = re.search(r'\slang="([^"]+)"', heading)
        expected.append(own[1] if own else book)
    assert judged_book.tree.heading_langs == expected
    others = set(re.findall(r'<div class="statement-body" lang="([^"]+)"', body)) - {book}
    for lang in others:
        assert judged_book.tree.passage_langs[lang] > 0, (lang, judged_book.tree.passage_langs)


def test_the_book_shows_other_languages(mini: Built, portuguese: Built) -> None:
    """The books above do hold passages in other languages, for the test above to judge."""
    for book, lang in ((mini, "fr"), (portuguese, "pt_BR")):
        html = book.path(lang, "html").read_text(encoding="utf-8")
        assert re.search(r'<div class="statement-body" lang="en"', html), (book.book_id, lang)


@pytest.mark.parametrize("lang", ["en", "fr"])
def test_a_book_in_parts_has_the_same_tree(kp: Built, kp_in_parts: Built, lang: str) -> None:
    one, parted = (
        Structure.read(kp.path(lang, "pdf")),
        Structure.read(kp_in_parts.path(lang, "pdf")),
    )
    assert parted.violations == one.violations
    assert parted.types == one.types
    assert parted.descriptions == one.descriptions
    assert parted.heading_langs == one.heading_langs
    assert parted.passage_langs == one.passage_langs
    assert parted.pagination_pages == one.pagination_pages


def test_the_long_book_is_cut_before_soft_openings(kp_long: Built) -> None:
    """What the judges read of the long book includes a part begun at a letter of its index."""
    cache = kp_long.out / PART_CACHE / "kp-csc-briefing.en" / "map.json"
    cuts = json.loads(cache.read_text(encoding="utf-8"))["cuts"]
    html = kp_long.path("en", "html").read_text(encoding="utf-8")
    assert 'class="index-initial soft-opening"' in html
    assert any(c.startswith("index-letter-") for c in cuts), cuts
