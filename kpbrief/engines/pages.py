"""Page numbers: where a laid-out document's places fall, and the pages it prints.

The one model of page numbers for a whole document (`settle_pages`) and for a book laid
out in parts (`engines.parts`): `anchor_pages` reads where each place is; a page list
shows each page once, ascending, pages in a row as a range (`page_list_written`); a link whose
page is given prints it through `crossing_rules`. The names are `kpbrief.document`'s.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any, TypeVar

from kpbrief.document import (
    CROSSING_CLASS,
    GIVEN_PAGE,
    PAGE_DIGITS,
    PAGE_LIST,
    PAGE_REFERENCE,
    RANGE_END,
)

T = TypeVar("T")

REFERENCE_RULE = re.compile(r"([^{}]+)\{([^{}]*target-counter\(attr\(href url\), page\)[^{}]*)\}")
GIVEN_RULE = re.compile(rf"([^{{}}]+)\{{([^{{}}]*attr\({GIVEN_PAGE}\)[^{{}}]*)\}}")
COMMENT = re.compile(r"/\*.*?\*/", re.DOTALL)


def crossing_rules(css: str) -> str:
    """For each rule printing a link's target page, a copy printing `data-page` instead,
    for the links to another part (class `xpart`)."""
    rules = []
    for selectors, declarations in REFERENCE_RULE.findall(COMMENT.sub("", css)):
        chosen = []
        for selector in selectors.split(","):
            selector = selector.strip()
            if "::" in selector:
                element, pseudo = selector.split("::", 1)
                chosen.append(f"{element}.{CROSSING_CLASS}::{pseudo}")
            else:
                chosen.append(f"{selector}.{CROSSING_CLASS}")
        body = declarations.replace(PAGE_REFERENCE, f"attr({GIVEN_PAGE})")
        rules.append(f"{', '.join(chosen)} {{{body}}}")
    return "\n".join(rules)


CLASS_ATTRIBUTE = re.compile(r'\sclass="([^"]*)"')


@dataclass(frozen=True)
class PagePrinting:
    """Which links print their target's page, by the crossing rules (`crossing_rules`):
    those of a class a rule's selector names (the book's `a.pageref`, an index's
    `.index-page`), or every link if a rule names no class. Only these are given a page: a
    link that prints none (a name linked to its index entry) does not make its part depend
    on where its target falls, so a page moving there lays no such part out again."""

    classes: frozenset[str] | None  # None: every link

    @classmethod
    def of(cls, crossing: str) -> PagePrinting:
        classes: set[str] = set()
        for selectors, _declarations in GIVEN_RULE.findall(crossing):
            for selector in selectors.split(","):
                element = selector.strip().split("::", 1)[0].replace(f".{CROSSING_CLASS}", "")
                last = re.split(r"[\s>+~]+", element.strip())[-1]
                named = re.findall(r"\.([\w-]+)", last)
                if not named:
                    return cls(None)
                classes.update(named)
        return cls(frozenset(classes))

    def prints(self, class_value: str | None) -> bool:
        """Whether a link whose class attribute is `class_value` prints its page."""
        if self.classes is None:
            return True
        return not self.classes.isdisjoint((class_value or "").split())

    def prints_tag(self, attributes: str) -> bool:
        """The same, for a link's attributes as HTML text."""
        found = CLASS_ATTRIBUTE.search(attributes)
        return self.prints(found[1] if found else None)


MAX_LAYOUTS = 4
CHARACTERS_PER_PAGE = 3_800  # of kpbrief's HTML, about: a first guess of where places fall
ANCHOR = re.compile(r'\sid="([^"]+)"')  # an anchor of kpbrief's HTML, as the templates write it


def guessed_pages(html: str) -> dict[str, int]:
    """A first guess of every anchor's page, from where it stands in the HTML: wrong, but with
    about as many digits as the real numbers, so that the first layout breaks lines about as
    the last will."""
    pages = max(1, len(html) // CHARACTERS_PER_PAGE)
    return {
        match[1]: 1 + match.start() * pages // max(1, len(html)) for match in ANCHOR.finditer(html)
    }


def settle_pages(
    source: Any,
    options: dict[str, Any],
    crossing: str,
    guess: dict[str, int],
    color_profiles: Any = None,
    adjust: Any = None,
) -> tuple[Any, dict[str, int]]:
    """`source` laid out with every page it shows right, and the page of every anchor.

    Every number the document prints comes from a page map, never from WeasyPrint's own
    counting (which costs a second layout of the pages that refer forward, and can leave a
    reference stale: seen at 300 pages, "p. 302" for an index entry on page 303): each link
    is given its target's page in the map as `data-page`, printed by `crossing` (copies of
    the stylesheet's `target-counter` rules, see `crossing_rules`). Page lists (an index
    entry's pages) are written out from the map: each page once, in order, pages in a row as
    a range (`page_list_written`). The first map is `guess` (a previous build's, or
    `guessed_pages`); after each layout the map is read back from it, and the document is
    laid out again with it until every link's target is on the page it shows (a few layouts
    at most; one when the guess was right). `adjust(document)`, if given, may change the
    source after a layout and say so (hyphenation, see `hyphens.keep_ladders_whole`): it is
    laid out again.
    """
    root = source.etree_element
    lists = _page_lists(root)
    printing = PagePrinting.of(crossing)
    targets = {
        (link.get("href") or "")[1:]
        for link in root.iter("a")
        if (link.get("href") or "").startswith("#") and printing.prints(link.get("class"))
    }
    pages = dict(guess)
    document: Any = None
    for layout in range(MAX_LAYOUTS):
        for element, links in lists:
            _rewrite_page_list(element, links, pages)
        _give_pages(root, pages, crossing, printing)
        kept = {} if document is None else {"font_config": document.font_config}
        document = source.render(color_profiles=color_profiles, **kept, **options)
        laid_out = anchor_pages(document)
        changed = adjust(document) if adjust is not None else False
        settled = all(laid_out.get(name) == pages.get(name) for name in targets)
        if (settled and not changed) or layout == MAX_LAYOUTS - 1:
            return document, laid_out
        pages = laid_out
    raise AssertionError("unreachable")


def _give_pages(root: Any, pages: dict[str, int], crossing: str, printing: PagePrinting) -> None:
    """Every link to a place in the document that prints its page (`printing`) shows the
    place's page from `data-page`."""
    root.set(PAGE_DIGITS, str(page_digits(pages)))
    head = root.find("head")
    if head is not None and head.find("style[@data-kpbrief-pages]") is None:
        style = head.makeelement("style", {"data-kpbrief-pages": ""})
        style.text = crossing
        head.append(style)
    for link in root.iter("a"):
        href = link.get("href") or ""
        if href[:1] == "#" and href[1:] in pages and printing.prints(link.get("class")):
            link.set(GIVEN_PAGE, str(pages[href[1:]]))
            classes = (link.get("class") or "").split()
            if CROSSING_CLASS not in classes:
                link.set("class", " ".join([*classes, CROSSING_CLASS]))
        elif GIVEN_PAGE in link.attrib:  # given by a guess, but not laid out after all
            del link.attrib[GIVEN_PAGE]
            classes = [c for c in (link.get("class") or "").split() if c != CROSSING_CLASS]
            link.set("class", " ".join(classes))


def page_digits(pages: dict[str, int]) -> int:
    """How many digits the highest page of a page map has (`PAGE_DIGITS`)."""
    return len(str(max(pages.values(), default=1)))


def anchor_pages(document: Any) -> dict[str, int]:
    """Every anchor of a laid-out document, and the number of the page it is on (from 1)."""
    pages: dict[str, int] = {}
    for number, page in enumerate(document.pages, 1):
        for name in page.anchors:
            pages.setdefault(name, number)
    return pages


def _page_lists(root: Any) -> list[tuple[Any, list[tuple[str, Any]]]]:
    """Each page list element, with its links as the template wrote them: (anchor, element)."""
    found = []
    for element in root.iter():
        if PAGE_LIST in element.attrib:
            links = [
                (child.get("href")[1:], child)
                for child in element
                if child.tag == "a" and (child.get("href") or "").startswith("#")
            ]
            found.append((element, links))
    return found


def first_link_on_each_page(
    links: Iterable[tuple[str, T]], pages: dict[str, int]
) -> list[tuple[int, T]]:
    """For each page a list's targets are on, in page order, the first of its links to a
    target on that page. `links` are (target anchor, link) in list order."""
    first_on: dict[int, T] = {}
    for href, link in links:
        if href in pages:
            first_on.setdefault(pages[href], link)
    return sorted(first_on.items(), key=lambda item: item[0])


def page_list_written(
    links: Iterable[tuple[str, T]], pages: dict[str, int]
) -> list[tuple[int, T, bool]]:
    """A page list written out: (page, link, whether it ends a range). Each page once, in
    order, linked to the first target on it; pages in a row shown as a range, its first
    page and its last ("12–15"), each a link to its page."""
    written = first_link_on_each_page(links, pages)
    shown: list[tuple[int, T, bool]] = []
    for i, (page, link) in enumerate(written):
        before = written[i - 1][0] if i else None
        after = written[i + 1][0] if i + 1 < len(written) else None
        if before == page - 1 and after == page + 1:
            continue  # inside a range
        shown.append((page, link, before == page - 1))
    return shown


def _rewrite_page_list(element: Any, links: list[tuple[str, Any]], pages: dict[str, int]) -> None:
    """The list written out (`page_list_written`), each number a copy of its link, the
    list's `PAGE_LIST` value between two numbers (but for a range's, whose dash is the
    stylesheet's): text of the list, so that a line can break at its space. (A separator in
    each link's ::before let WeasyPrint break an index name, "Kimberley / Process 12–16, …",
    though its first numbers fitted beside it.)"""
    written = page_list_written(links, pages)
    separator = element.get(PAGE_LIST) or ""
    for child in list(element):
        element.remove(child)
    element.text = None
    previous = None
    for page, link, range_end in written:
        number = link.makeelement(link.tag, dict(link.attrib))
        number.text = str(page)  # the page counter counts every page from the cover on
        if range_end:
            number.set(RANGE_END, "")
        elif previous is not None:
            previous.tail = separator
        element.append(number)
        previous = number
