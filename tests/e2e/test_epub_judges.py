"""The EPUBs as independent judges read them: DAISY Ace, EPUBCheck with usage messages, and
pandoc reading each book back to plain text, on every fixture book (mini, pt, the KP book).

Each judge runs once per book a session (conftest); the tests below assert on its report.
"""

from __future__ import annotations

import re
import zipfile
from collections import Counter
from pathlib import Path
from xml.etree import ElementTree

import cssselect2
import tinycss2
from helpers.books import REPO
from helpers.judges import EpubCheckResult, ace_violations

XHTML = "{http://www.w3.org/1999/xhtml}"
EPUB_NS = "{http://www.idpf.org/2007/ops}"

# EPUBCheck's usage messages that stay, each with the reason it is no fault of the book.
JUSTIFIED_USAGE = {
    # "Use of Font-face declaration": the EPUB embeds the print edition's fonts (both freely
    # licensed) so that it reads in the book's design; a reader's own font setting still wins.
    "CSS-028",
}


def _documents(path: Path) -> dict[str, ElementTree.Element]:
    """Every XHTML document of an EPUB, parsed, by its name in the archive."""
    with zipfile.ZipFile(path) as archive:
        return {
            name: ElementTree.fromstring(archive.read(name))
            for name in sorted(archive.namelist())
            if name.endswith(".xhtml")
        }


def _member(path: Path, name: str) -> str:
    with zipfile.ZipFile(path) as archive:
        return archive.read(name).decode("utf-8")


# DAISY Ace


def test_ace_finds_no_violation(ace_reports: dict[str, dict[str, object]]) -> None:
    for book, report in ace_reports.items():
        assert ace_violations(report) == Counter(), book
        assert report["earl:result"] == {"earl:outcome": "pass"}, book
        # Ace read the book: every content document, the navigation among them.
        checked = {a["earl:testSubject"]["url"] for a in report["assertions"]}  # type: ignore[attr-defined]
        assert len(checked) >= 8, (book, checked)
        assert "/EPUB/nav.xhtml" in checked, book


def test_ace_finds_a_text_alternative_for_every_image(
    ace_reports: dict[str, dict[str, object]],
) -> None:
    for book, report in ace_reports.items():
        images = report["data"]["images"]  # type: ignore[index]
        assert len(images) >= 2, book  # the cover, the timeline
        for image in images:
            html = image["html"]
            alternative = image.get("alt") or " ".join(
                re.findall(r'aria-label="([^"]*)"|<title>([^<]*)</title>', html)[0]
                if re.search(r'aria-label="[^"]+"|<title>[^<]+</title>', html)
                else ""
            )
            assert len(alternative.split()) >= 4, (book, image["src"], html[:200])


def test_accessibility_claims_are_made_and_ace_bears_them_out(
    ace_reports: dict[str, dict[str, object]], epubs: dict[str, Path]
) -> None:
    for book, report in ace_reports.items():
        metadata = report["a11y-metadata"]
        assert "dcterms:conformsTo" in metadata["present"], (book, metadata)  # type: ignore[index]
        opf = _member(epubs[book], "EPUB/content.opf")
        claims = re.findall(r'<meta property="dcterms:conformsTo"[^>]*>([^<]+)</meta>', opf)
        assert claims == ["EPUB Accessibility 1.1 - WCAG 2.1 Level AA"], (book, claims)
        # The claim holds only with a clean report (asserted for each book above) and with the
        # features the metadata lists really in the markup.
        features = re.findall(r'"schema:accessibilityFeature">([^<]+)<', opf)
        assert "alternativeText" in features and "tableOfContents" in features
        assert report["earl:result"] == {"earl:outcome": "pass"}, book


# EPUBCheck, usage messages on


def test_epubcheck_finds_no_error_warning_or_usage(
    epubcheck_usage: dict[str, EpubCheckResult],
) -> None:
    for book, result in epubcheck_usage.items():
        severe = result.findings("FATAL", "ERROR", "WARNING")
        assert result.valid and severe == [], (book, severe)
        usage = [f for f in result.findings("USAGE", "INFO") if f[1] not in JUSTIFIED_USAGE]
        assert usage == [], (book, usage)


def test_epubcheck_ran_with_usage_messages_on(
    epubcheck_usage: dict[str, EpubCheckResult],
) -> None:
    # Every book embeds fonts, which EPUBCheck reports only as a usage message: seeing it
    # proves the usage level was on, so that the test above could fail.
    for book, result in epubcheck_usage.items():
        assert "CSS-028" in {f[1] for f in result.findings("USAGE")}, book


# pandoc's plain reading: no words running together

CAMEL = re.compile(r"\b\w*[a-zß-öø-ÿ][A-ZÀ-ÖØ-Þ]\w*")


def _content_words(source: Path) -> set[str]:
    """Words with an inner capital the book's own content writes (McKinsey, iPhone)."""
    words: set[str] = set()
    for path in (source / "content").rglob("*"):
        if path.suffix in (".md", ".yaml", ".yml"):
            words.update(CAMEL.findall(path.read_text(encoding="utf-8")))
    return words


def test_plain_reading_has_no_run_on_words(
    epub_plain: dict[str, str], epub_sources: dict[str, Path]
) -> None:
    for book, text in epub_plain.items():
        known = _content_words(epub_sources[book.split(".")[0]])
        run_on = sorted({w for w in CAMEL.findall(text) if w not in known})
        assert run_on == [], (book, run_on)


def test_plain_reading_keeps_addresses_apart(
    epub_plain: dict[str, str], epub_sources: dict[str, Path]
) -> None:
    """Every e-mail address, web address and phone number of the book's content stands as a
    word of its own in the plain reading (not "…orginfo@…" nor "BelgiumPhone")."""
    for book, text in epub_plain.items():
        content = "\n".join(
            p.read_text(encoding="utf-8")
            for p in (epub_sources[book.split(".")[0]] / "content").rglob("*.yaml")
        )
        addresses = set(re.findall(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+", content))
        addresses |= set(re.findall(r"https?://[^\s\"'<>]+", content))
        tokens = {t.strip("<>()[],;.:") for t in text.split()}
        for address in addresses:
            if address in text:
                assert address.rstrip(".") in tokens, (book, address)
        for phone in re.findall(r"phone:\s*\"?(\+[\d ]+\d)", content):
            if phone in text:
                before = text[: text.index(phone)]
                assert before[-1:].isspace() or before[-1:] in "(", (book, phone)


INLINE = {"span", "a", "strong", "em", "b", "i", "time", "code", "abbr", "small", "cite"}


def _text(element: ElementTree.Element) -> str:
    return "".join(element.itertext())


def test_inline_items_never_touch(epubs: dict[str, Path]) -> None:
    """Two inline items side by side, both with text, have a space or a punctuation mark
    between them (or at the edge of one), so that no reader glues their words."""
    for book, path in epubs.items():
        touching = []
        for name, root in _documents(path).items():
            for parent in root.iter():
                children = list(parent)
                for first, second in zip(children, children[1:], strict=False):
                    if first.tag[len(XHTML) :] not in INLINE:
                        continue
                    if second.tag[len(XHTML) :] not in INLINE or first.tail:
                        continue
                    left, right = _text(first), _text(second)
                    if left.strip() and right.strip() and left[-1].isalnum() and right[0].isalnum():
                        touching.append((name, left[-30:], right[:30]))
        assert touching == [], (book, touching[:10])


# One stylesheet vocabulary: epub.css against the markup the EPUBs carry

# Classes the EPUB's markup carries that the stylesheet leaves alone, each with its reason.
UNSTYLED = {
    "level1": "pandoc's section of a part: the part's heading carries the style",
    "level2": "pandoc's section of a chapter: the chapter's heading carries the style",
    "toc": "pandoc's table of contents list: the reading system's own style",
    "part": "the heading of a book part: h1 suffices in the ebook",
    "part-guide": "kept for the print edition, which styles each part",
    "part-chronology": "kept for the print edition, which styles each part",
    "part-issues": "kept for the print edition, which styles each part",
    "part-statements": "kept for the print edition, which styles each part",
    "part-appendices": "kept for the print edition, which styles each part",
    "part-key-messages": "kept for the print edition, which styles each part",
    "part-page": "kept for the print edition, which styles each part",
    "part-whats-new": "kept for the print edition, which styles each part",
    "whats-new": "the section's wrapper: its labels and lists carry the style",
    "whats-new-list": "a list of statements: styled by .statement-list",
    "appendix-page": "an editors' page in the back matter: h2 suffices in the ebook",
    "key-messages": "the key messages' wrapper: its groups carry the style",
    "editors-page": "an editors' page reads as plain text",
    "glossary": "the glossary's wrapper: its entries carry the style",
    "glossary-head": "a term and its expansion, each styled on its own",
    "chapter": "an issue chapter's heading: h2 suffices in the ebook",
    "appendix": "an appendix's heading: h2 suffices in the ebook",
    "guide": "the guide's text reads as plain text",
    "part-intro": "a part's introduction reads as plain text",
    "chapter-body": "the chapter's text reads as plain text",
    "statement-body": "the statement's text reads as plain text",
    "statement-head": "groups the dateline, notice and facts, each styled on its own",
    "chapter-statements": "groups a label and a list, each styled on its own",
    "statement-title": "a statement's heading: h2 suffices in the ebook",
    "external": "a link to the web: the reading system marks links its own way",
    "entry-body": "groups an entry's title and details, each styled on its own",
    "statement-contacts": "groups a label and names, each styled on its own",
    "contacts": "the appendix's wrapper: its groups carry the style",
    "contact-group": "groups an organisation's contacts, each styled on its own",
    "organisations": "the appendix's wrapper: its entries carry the style",
    "index-letter": "groups an initial and its entries, each styled on its own",
    "index-name": "an index entry's name reads as text",
    "acronym": "an organisation's acronym reads as text, in brackets",
    "contact-country": "a contact's country reads as text",
    "contact-phone": "a contact's phone reads as text after its label",
    "contact-email": "a contact's address reads as text after its label",
    "badge-member": "a badge: styled by .badge",
    "badge-unofficial": "a badge: styled by .badge",
    "badge-untranslated": "a badge: styled by .badge",
    "notice-unofficial": "a notice: styled by .notice",
    "notice-untranslated": "a notice: styled by .notice",
    "source-title": "a source's title line reads as text",
    "source-details": "a source's details read as text",
    "statement-kind": "part of the dateline, styled with it",
    "footnotes": "pandoc's footnotes: the reading system's own style",
    "level3": "pandoc's section of a subheading: the heading carries the style",
    "unlisted": "pandoc's mark of a heading left out of the contents (the title page)",
    "footnote-backref": "pandoc's footnote return link: the reading system's own style",
    "titlepage": "groups the title page's lines, each styled on its own",
    "key-lines": "groups a label and the key lines, each styled on its own",
    "timeline": "the timeline picture: styled as the image of its figure",
    "xref": "a reference to another part of the book: a link (the print edition adds a page)",
    "xref-issue": "the kind of a reference, for layouts that tell kinds apart",
    "xref-person": "the kind of a reference, for layouts that tell kinds apart",
    "xref-statement": "the kind of a reference, for layouts that tell kinds apart",
    "xref-organisation": "the kind of a reference, for layouts that tell kinds apart",
    "xref-in-parens": "a reference inside the text's own parenthesis: in print its page follows "
    "a comma instead of nested parentheses; the ebook prints no page",
    "paren": "an opening parenthesis before a reference, apart so that a line may break before "
    "it after a closing quotation mark (the PDF's line breaking does not): nothing to style",
}


def _class_selectors(css: str) -> list[str]:
    """Every selector of the stylesheet's style rules that names a class."""
    selectors = []
    for rule in tinycss2.parse_stylesheet(css, skip_comments=True, skip_whitespace=True):
        if rule.type != "qualified-rule":
            continue
        for selector in tinycss2.serialize(rule.prelude).split(","):
            if "." in selector:
                selectors.append(selector.strip())
    return selectors


def _epub_css() -> str:
    return (REPO / "layouts/styles/epub.css").read_text(encoding="utf-8")


def test_every_class_selector_of_the_epub_css_matches_the_markup(
    epubs: dict[str, Path],
) -> None:
    selectors = _class_selectors(_epub_css())
    assert len(selectors) >= 20
    matched: set[str] = set()
    for path in epubs.values():
        for root in _documents(path).values():
            wrapper = cssselect2.ElementWrapper.from_xml_root(root)
            for selector in selectors:
                if selector in matched:
                    continue
                plain = re.sub(r"::?(before|after|first-line|first-letter)\b", "", selector)
                compiled = cssselect2.compile_selector_list(plain)
                if any(c.test(e) for e in wrapper.iter_subtree() for c in compiled):
                    matched.add(selector)
    assert sorted(set(selectors) - matched) == []


def test_every_class_the_epub_uses_has_a_rule_or_a_reason(epubs: dict[str, Path]) -> None:
    styled = set(re.findall(r"\.([A-Za-z][\w-]*)", " ".join(_class_selectors(_epub_css()))))
    used: set[str] = set()
    for path in epubs.values():
        for root in _documents(path).values():
            for element in root.iter():
                used.update((element.get("class") or "").split())
    assert sorted(used - styled - set(UNSTYLED)) == []
    # No reason given for a class that has a rule, nor for one that no EPUB uses.
    assert sorted(set(UNSTYLED) & styled) == []
    assert sorted(set(UNSTYLED) - used) == []


# The metadata and the navigation, in the book's language


def _landmarks(path: Path) -> dict[str, str]:
    nav = _member(path, "EPUB/nav.xhtml")
    block = re.search(r'<nav epub:type="landmarks".*?</nav>', nav, re.DOTALL)
    assert block is not None
    return dict(re.findall(r'epub:type="([^"]+)">([^<]+)</a>', block[0]))


def test_navigation_and_landmarks_speak_the_books_language(epubs: dict[str, Path]) -> None:
    from kpbrief.edition.i18n import compile_po

    french = compile_po(REPO / "locales/fr/LC_MESSAGES/messages.po", "fr")
    for book in ("mini", "kp"):
        english, translated = _landmarks(epubs[f"{book}.en"]), _landmarks(epubs[f"{book}.fr"])
        assert set(english) >= {"cover", "titlepage", "toc", "bodymatter"}, english
        assert set(translated) == set(english)
        for kind, label in english.items():
            assert translated[kind] == french.gettext(label), kind
        assert sum(translated[k] != english[k] for k in english) >= 3
        for lang, path in ((lang, epubs[f"{book}.{lang}"]) for lang in ("en", "fr")):
            nav = _member(path, "EPUB/nav.xhtml")
            heading = re.search(r'<h1 id="toc-title">([^<]*)</h1>', nav)
            expected = "Contents" if lang == "en" else french.gettext("Contents")
            assert heading is not None and heading[1] == expected, (book, lang)


def test_one_creator_and_a_localised_title_page(epubs: dict[str, Path]) -> None:
    for book, path in epubs.items():
        opf = _member(path, "EPUB/content.opf")
        assert len(re.findall(r"<dc:creator\b", opf)) == 1, book
        date = re.search(r"<dc:date[^>]*>([^<]+)<", opf)
        assert date is not None
        page = next(
            text
            for name, text in ((n, _member(path, n)) for n in _documents(path))
            if re.search(r'<section [^>]*epub:type="titlepage"', text)
        )
        assert date[1] not in page, book  # the date as the reader's language writes it
        assert re.search(r"\b(19|20)\d\d\b", page), book
        publisher = re.search(r"<dc:publisher>([^<]+)<", opf)
        assert publisher is not None and page.count(publisher[1]) == 1, book
    pages = [_member(epubs["kp.fr"], n) for n in _documents(epubs["kp.fr"])]
    title_page = next(p for p in pages if re.search(r'<section [^>]*epub:type="titlepage"', p))
    # the French typography pass ran on it: a no-break space before the colon
    assert re.search("2009–2023[\u00a0\u202f]: dossier", title_page)


def test_semantic_markup_reads_right_without_styles(epubs: dict[str, Path]) -> None:
    for book, path in epubs.items():
        documents = _documents(path)
        chronology = next(
            d for d in documents.values() if d.find(".//*[@id='chronology']") is not None
        )
        entries = chronology.findall(f".//{XHTML}li")
        assert entries and chronology.findall(f".//{XHTML}ol") == [], book  # by date, not rank
        times = chronology.findall(f".//{XHTML}time")
        assert len(times) == len(entries), book
        assert all(re.fullmatch(r"\d{4}(-\d\d){0,2}", t.get("datetime") or "") for t in times)
        lists = [d for d in documents.values() if d.findall(f".//{XHTML}dl/{XHTML}dt")]
        assert lists, book  # the statements' facts


def test_labels_left_in_english_are_marked_in_the_ebook(epubs: dict[str, Path]) -> None:
    """The pt book has no Portuguese catalog: its English labels reach the EPUB marked
    lang="en" (pandoc keeps the span's language), and no private mark is left anywhere."""
    for name, path in epubs.items():
        with zipfile.ZipFile(path) as archive:
            for member in archive.namelist():
                if member.endswith((".xhtml", ".opf", ".ncx", ".css")):
                    text = archive.read(member).decode("utf-8")
                    assert not re.search("[\ue000-\ue002]", text), (name, member)
    chapters = " ".join(_member(epubs["pt.pt_BR"], n) for n in _documents(epubs["pt.pt_BR"]))
    assert re.search(r'<span lang="en"[^>]*>(Contacts|Chronology)</span>', chapters)
    english = " ".join(_member(epubs["mini.en"], n) for n in _documents(epubs["mini.en"]))
    assert '<span lang="en"' not in english
