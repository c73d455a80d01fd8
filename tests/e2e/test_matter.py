"""Front and back matter, read from the outputs of the mini book in both its languages: the
key messages, the editors' pages, the glossary, the colophon and the contacts' dates."""

from __future__ import annotations

import re
import zipfile
from xml.etree import ElementTree

import pytest
from helpers.books import Built

XHTML = "{http://www.w3.org/1999/xhtml}"

TEXTS = {
    "en": {
        "key messages": "Key messages",
        "chronology": "Chronology",
        "contents": "Contents",
        "reform": "Reform of the scheme",
        "ask": "Give civil society an equal voice in every decision.",
        "other ask": "Publish every mine’s payments to local communities.",
        "front page": "About this book",
        "front text": "up to 1 May 2024, the cut-off date",
        "back page": "About the publisher",
        "contacts": "Contacts",
        "index": "Index",
        "glossary": "Glossary",
        "editors": "Editors’ definition",
        "taken from": "Definition taken from Scheme unable to reform",
        "expansion": "KPCS Kimberley Process Certification Scheme",
        "licence": "Creative Commons Attribution 4.0 International (CC BY 4.0)",
        "citation": "Test Coalition for Fair Diamonds, Mini Briefing Book, edition of 17 May 2024.",
        "disclaimer": "The coalition’s members speak for themselves",
        "cite label": "How to cite this book",
        "as of person": "as published on November 22, 2019",
        "as of org": "as published on May 1, 2024",
        "today": "Whom to contact today",
    },
    "fr": {
        "key messages": "Messages clés",
        "chronology": "Chronologie",
        "contents": "Sommaire",
        "reform": "La réforme du dispositif",
        "ask": "Donner à la société civile une voix égale dans chaque décision.",
        "other ask": "Publish every mine’s payments to local communities.",
        "front page": "À propos de ce livre",
        "front text": "jusqu’au 1er mai 2024, date d’arrêt",
        "back page": "À propos de l’éditeur",
        "contacts": "Contacts",
        "index": "Index",
        "glossary": "Glossaire",
        "editors": "Définition de la rédaction",
        "taken from": "Définition reprise de Un dispositif incapable de se réformer",
        "expansion": "SCPK Système de certification du Processus de Kimberley",
        "licence": "Creative Commons Attribution 4.0 International (CC BY 4.0)",
        "citation": "Coalition d’essai pour des diamants équitables, Petit dossier d’information",
        "disclaimer": "Les membres de la coalition parlent en leur nom",
        "cite label": "Pour citer ce dossier",
        "as of person": "selon la publication du 22 novembre 2019",
        "as of org": "selon la publication du 1 mai 2024",
        "today": "Qui contacter aujourd’hui",
    },
}


def _flat(text: str) -> str:
    """A PDF's or a document's text with every run of spaces and line breaks as one space,
    and a hyphenation point joined again."""
    text = text.replace("\u00ad\n", "").replace("\u00ad", "")
    return re.sub(r"[\s\u00a0\u202f]+", " ", text)


def _pages(book: Built, lang: str) -> list[str]:
    return [_flat(page.extract_text() or "") for page in book.pdf(lang).pages]


def _page_of(pages: list[str], heading: str, start: int = 0) -> int:
    """The 1-based number of the first page after the first `start` pages that opens with
    `heading`, after its running heads (in capitals)."""
    for number, text in enumerate(pages[start:], start + 1):
        if re.match(rf"^[^a-zß-ÿ]*?{re.escape(heading)}", text.strip()):
            return number
    raise AssertionError(f"no page opens with {heading!r}")


def _documents(book: Built, lang: str) -> list[tuple[str, str]]:
    """The EPUB's XHTML documents in reading order (the spine), with their names."""
    with book.epub(lang) as archive:
        opf = archive.read("EPUB/content.opf").decode("utf-8")
        manifest = dict(re.findall(r'<item id="([^"]+)" href="([^"]+)"', opf))
        spine = re.findall(r'<itemref idref="([^"]+)"', opf)
        return [
            (manifest[i], archive.read(f"EPUB/{manifest[i]}").decode("utf-8"))
            for i in spine
            if manifest[i].endswith(".xhtml") and not manifest[i].endswith("nav.xhtml")
        ]


def _epub_flat(book: Built, lang: str) -> str:
    """The EPUB's text in reading order, without markup."""
    return _flat(" ".join(re.sub(r"<[^>]+>", " ", text) for _name, text in _documents(book, lang)))


@pytest.mark.parametrize("lang", ["en", "fr"])
def test_key_messages_follow_the_contents_and_point_to_their_chapters(
    mini: Built, lang: str
) -> None:
    t = TEXTS[lang]
    pages = _pages(mini, lang)
    contents = _page_of(pages, t["contents"])
    messages = _page_of(pages, t["key messages"])
    assert messages > contents
    text = pages[messages - 1]
    assert t["ask"] in text and t["other ask"] in text
    found = re.search(rf"{re.escape(t['reform'])} \(p\. (\d+)\)", text)
    assert found, text
    chapter = int(found[1])
    assert pages[chapter - 1].count(t["reform"]) >= 1
    assert chapter == _page_of(pages, t["reform"], messages), "the page given is the chapter's"
    # Listed in the contents, before the chronology.
    assert re.search(rf"{t['key messages']} {messages}\b", pages[contents - 1])
    # In the EPUB: a link to the chapter's own document.
    documents = _documents(mini, lang)
    holder = next(text for _name, text in documents if 'id="key-messages"' in text)
    chapter_file = next(name for name, text in documents if 'id="issue-reform"' in text)
    assert f'href="{chapter_file.rsplit("/", 1)[-1]}#issue-reform"' in holder
    assert t["ask"] in _flat(holder)


@pytest.mark.parametrize("lang", ["en", "fr"])
def test_editors_pages_print_in_their_places(mini: Built, lang: str) -> None:
    t = TEXTS[lang]
    pages = _pages(mini, lang)
    messages = _page_of(pages, t["key messages"])
    front = _page_of(pages, t["front page"], messages)
    chronology = _page_of(pages, t["chronology"], messages)
    assert messages < front < chronology
    assert t["front text"] in pages[front - 1]
    assert re.search(r"\(p\. \d+\)", pages[front - 1])  # its link to a statement
    contacts = _page_of(pages, t["contacts"], chronology)
    back = _page_of(pages, t["back page"], contacts)
    index = _page_of(pages, t["index"], contacts)
    assert contacts < back < index
    assert "Ada Okafor" in pages[back - 1]
    # Each page's paragraph fills its first line (WeasyPrint once left "The" alone there).
    for number, heading in ((front, t["front page"]), (back, t["back page"])):
        lines = (mini.pdf(lang).pages[number - 1].extract_text() or "").split("\n")
        first = lines[[line.strip() for line in lines].index(heading) + 1]
        assert len(first.split()) >= 8, (heading, first)
    # The EPUB reads them in the same order.
    epub = " ".join(text for _name, text in _documents(mini, lang))
    order = [
        "key-messages",
        "page-about-this-book",
        "chronology",
        "contacts",
        "page-about-the-publisher",
        "index",
    ]
    positions = [epub.find(f'id="{anchor}"') for anchor in order]
    assert -1 not in positions and positions == sorted(positions), positions
    assert t["front page"] in epub and t["back page"] in epub


@pytest.mark.parametrize("lang", ["en", "fr"])
def test_the_glossary_is_an_appendix_sorted_with_its_sources(mini: Built, lang: str) -> None:
    t = TEXTS[lang]
    pages = _pages(mini, lang)
    contacts = _page_of(pages, t["contacts"], 5)
    glossary = _page_of(pages, t["glossary"], contacts)
    text = pages[glossary - 1]
    assert t["expansion"] in text
    assert t["editors"] in text
    found = re.search(rf"{re.escape(t['taken from'])} \(p\. (\d+)\)", text)
    assert found, text
    statement_title = t["taken from"].split(" ", 3)[-1]
    assert statement_title in pages[int(found[1]) - 1]
    # Sorted by term, accents and case aside: "conflict diamonds" before "KPCS".
    first, second = ("conflict diamonds", "KPCS") if lang == "en" else ("diamants", "SCPK")
    assert text.index(first) < text.index(second)
    epub = _epub_flat(mini, lang)
    assert t["glossary"] in epub and t["expansion"] in epub and t["editors"] in epub


def _chapter_html(book: Built, lang: str, anchor: str) -> str:
    html = book.path(lang, "html").read_text(encoding="utf-8")
    start = html.index(f'id="{anchor}"')
    return html[start : html.index("<h2 ", start + 10)]


@pytest.mark.parametrize("lang", ["en", "fr"])
def test_the_first_use_of_a_term_links_to_the_glossary(mini: Built, lang: str) -> None:
    acronym = "KPCS" if lang == "en" else "SCPK"
    chapter = _chapter_html(mini, lang, "issue-reform")
    links = re.findall(r'<a href="#glossary-kpcs" class="glossary-term">([^<]+)</a>', chapter)
    assert links == [acronym]  # the first use only
    assert chapter.count(acronym) == 2  # the second stays plain text
    # Neither the heading ("… scheme" / "… dispositif") nor the key line's quotation links.
    heading = chapter[: chapter.index("</h2>")]
    quote = chapter[chapter.index('class="key-lines"') :]
    assert "glossary-term" not in heading and "glossary-term" not in quote
    if lang == "fr":  # a term of several words, in running text
        assert re.search(r'class="glossary-term">diamants du conflit</a>', chapter)
    # The chronology links its own first use: the 2003 event's title.
    html = mini.path(lang, "html").read_text(encoding="utf-8")
    chronology = html[html.index('id="chronology"') : html.index('id="issues"')]
    assert len(re.findall(r'class="glossary-term"', chronology)) == 1
    # A statement's own text never links to the glossary.
    statements = html[html.index('id="statements"') : html.index('id="appendices"')]
    assert "glossary-term" not in statements
    # The EPUB's links lead to the entry, in the glossary's document.
    documents = _documents(mini, lang)
    glossary_file = next(name for name, text in documents if 'id="glossary-kpcs"' in text)
    target = f"{glossary_file.rsplit('/', 1)[-1]}#glossary-kpcs"
    assert any(f'href="{target}"' in text for _name, text in documents)


@pytest.mark.parametrize("lang", ["en", "fr"])
def test_the_colophon_follows_the_title_page(mini: Built, lang: str) -> None:
    t = TEXTS[lang]
    pages = _pages(mini, lang)
    contents = _page_of(pages, t["contents"])
    colophon = next(n for n, text in enumerate(pages[:contents], 1) if t["licence"] in text)
    assert colophon == contents - 1  # right after the title page, before the contents
    text = pages[colophon - 1]
    for key in ("citation", "disclaimer"):
        assert t[key] in text, key
    assert t["cite label"].casefold() in text.casefold()  # a label, printed in capitals
    assert "2024" in text and "kpbrief" in text
    # In the EPUB: the section right after the title page's.
    texts = [text for _name, text in _documents(mini, lang)]
    title_page = next(n for n, text in enumerate(texts) if 'id="titlepage"' in text)
    assert 'id="colophon"' in texts[title_page + 1]
    flat = _flat(re.sub(r"<[^>]+>", " ", texts[title_page + 1]))
    for key in ("licence", "citation", "disclaimer"):
        assert t[key] in flat, key


@pytest.mark.parametrize("lang", ["en", "fr"])
def test_contacts_say_when_their_details_were_published(mini: Built, lang: str) -> None:
    t = TEXTS[lang]
    pages = _pages(mini, lang)
    contacts = _page_of(pages, t["contacts"], 5)
    text = pages[contacts - 1]
    label = text.casefold().index(t["today"].casefold())  # a label, printed in capitals
    today = text[label:]
    assert today.index("Ada Okafor") < today.index(t["as of person"])
    assert t["as of org"] in today
    assert text.count(t["as of person"]) == 2  # in the block, and with her entry
    epub = _epub_flat(mini, lang)
    assert t["today"] in epub and t["as of person"] in epub and t["as of org"] in epub


@pytest.mark.parametrize("lang", ["en", "fr"])
def test_no_internals_reach_the_outputs(mini: Built, lang: str) -> None:
    pdf = _flat(mini.pdf_text(lang))
    with zipfile.ZipFile(mini.path(lang, "epub")) as archive:
        epub = " ".join(
            "".join(ElementTree.fromstring(archive.read(name)).itertext())
            for name in archive.namelist()
            if name.endswith(".xhtml")
        )
    for text in (pdf, _flat(epub)):
        for internal in (
            "kpcs",
            "conflict-diamonds",
            "about-this-book",
            "about-the-publisher",
            "current_contacts",
            "as_of",
            "from: editors",
            "from:",
            "place: front",
        ):
            assert internal not in text, internal


@pytest.mark.parametrize("lang", ["en", "fr"])
def test_a_briefing_pack_says_when_its_contacts_were_published(mini: Built, lang: str) -> None:
    from pypdf import PdfReader

    pack = PdfReader(mini.out / f"{mini.book_id}.pack-plenary-2024.{lang}.pdf")
    text = _flat("\n".join(page.extract_text() or "" for page in pack.pages))
    assert TEXTS[lang]["as of person"] in text
