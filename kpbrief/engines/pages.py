"""Page numbers: where a laid-out document's places fall, and the pages it prints.

The one model of page numbers for a whole document (`settle_pages`) and for a book laid
out in parts (`engines.parts`): `anchor_pages` reads where each place is; a page list
shows each page once, ascending (`in_page_order`, `first_link_on_each_page`); a link whose
page is given prints it through `crossing_rules`. The names are `kpbrief.document`'s.
"""

from __future__ import annotations

import copy
import re
from collections.abc import Iterable, Iterator, Sequence
from typing import Any, TypeVar
from xml.etree import ElementTree

from kpbrief.document import (
    CROSSING_CLASS,
    GIVEN_PAGE,
    PAGE_LIST,
    PAGE_REFERENCE,
    RELAYOUT_FROM,
)

T = TypeVar("T")

REFERENCE_RULE = re.compile(r"([^{}]+)\{([^{}]*target-counter\(attr\(href url\), page\)[^{}]*)\}")


def crossing_rules(css: str) -> str:
    """For each rule printing a link's target page, a copy printing `data-page` instead,
    for the links to another part (class `xpart`)."""
    rules = []
    for selectors, declarations in REFERENCE_RULE.findall(css):
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


MAX_LAYOUTS = 4


def settle_pages(source: Any, document: Any, options: dict[str, Any], crossing: str = "") -> Any:
    """The laid-out `document` of `source`, with every page it shows right.

    Page lists: while its links are empty, the stylesheet prints each link's page (CSS
    `target-counter`), which cannot leave out a page already printed. So after a layout, if a
    list would show a page twice or out of order, its links are replaced by one link per page,
    in page order, the page number as their text, and the document is laid out again: only
    from the element marked `data-relayout-from`, when there is one, with the earlier pages
    kept as they are. The lists' targets must then still be on the pages the lists show.

    References: WeasyPrint prints a reference's page while it lays pages out, and in a long
    book a place can move to a later page after a reference to it was laid out and not be
    laid out again (seen at 300 pages: "p. 302" for an index entry on page 303). So the text
    made for each link is read back from the layout; if a link's generated text lacks its
    target's page, every link is given its target's page as `data-page`, printed by
    `crossing` (copies of the stylesheet's rules, see `crossing_rules`), and the whole
    document is laid out again. Both are checked again after each layout (a few at most).
    """
    lists = _page_lists(source.etree_element)
    targets = {href for _, links in lists for href, _link in links}
    written: dict[str, int] | None = None  # the pages the lists show, once written out
    for layout in range(MAX_LAYOUTS):
        pages = anchor_pages(document)
        if written is None:
            lists_right = all(in_page_order([pages.get(h) for h, _ in links]) for _, links in lists)
        else:
            lists_right = all(pages.get(href) == page for href, page in written.items())
        references_right = not crossing or not stale_references(document, pages)
        if (lists_right and references_right) or layout == MAX_LAYOUTS - 1:
            return document
        if not lists_right:
            written = {href: pages[href] for href in targets if href in pages}
            for element, links in lists:
                _rewrite_page_list(element, links, written)
        if references_right:
            document = _relayout_tail(source, document, options) or source.render(
                font_config=document.font_config, color_profiles=document.color_profiles, **options
            )
        else:
            _give_pages(source.etree_element, pages, crossing)
            document = source.render(
                font_config=document.font_config, color_profiles=document.color_profiles, **options
            )
    return document


def stale_references(document: Any, pages: dict[str, int]) -> bool:
    """Whether a link's generated text (`::before`, `::after`) shows numbers, none of them
    the page of the link's target."""
    for page in document.pages:
        boxes = [page._page_box]
        while boxes:
            box = boxes.pop()
            tag = getattr(box, "element_tag", None) or ""
            element = getattr(box, "element", None)
            if tag.endswith(("::before", "::after")) and element is not None:
                href = element.get("href") or ""
                target = pages.get(href[1:]) if element.tag == "a" and href[:1] == "#" else None
                if target is not None:
                    numbers = re.findall(r"\d+", "".join(_texts(box)))
                    if numbers and str(target) not in numbers:
                        return True
                continue
            boxes.extend(getattr(box, "children", None) or ())
    return False


def _texts(box: Any) -> Iterator[str]:
    text = getattr(box, "text", None)
    if isinstance(text, str):
        yield text
    for child in getattr(box, "children", None) or ():
        yield from _texts(child)


def _give_pages(root: Any, pages: dict[str, int], crossing: str) -> None:
    """Every link to a place in the document shows the place's page from `data-page`."""
    head = root.find("head")
    if head is not None and head.find("style[@data-kpbrief-pages]") is None:
        style = head.makeelement("style", {"data-kpbrief-pages": ""})
        style.text = crossing
        head.append(style)
    for link in root.iter("a"):
        href = link.get("href") or ""
        if href[:1] == "#" and href[1:] in pages:
            link.set(GIVEN_PAGE, str(pages[href[1:]]))
            classes = (link.get("class") or "").split()
            if CROSSING_CLASS not in classes:
                link.set("class", " ".join([*classes, CROSSING_CLASS]))


def _relayout_tail(source: Any, previous: Any, options: dict[str, Any]) -> Any | None:
    """`previous`'s pages up to the `data-relayout-from` element, then that element and all
    after it laid out again on their own; None where that cannot be done exactly."""
    import weasyprint

    body = source.etree_element.find("body")
    children = list(body) if body is not None else []
    start = next((i for i, child in enumerate(children) if RELAYOUT_FROM in child.attrib), None)
    before = anchor_pages(previous)
    first = before.get(children[start].get("id") or "") if start is not None else None
    if start is None or first is None:
        return None
    # The tail alone: the same head, the body from the marked element on. The page counter
    # goes on from `first`; a spacer page, left out afterwards, keeps left pages left.
    root = source.etree_element
    head = root.find("head")
    if head is None or body is None:
        return None
    tail = root.makeelement(root.tag, dict(root.attrib))
    head = copy.deepcopy(head)
    tail_body = body.makeelement(body.tag, dict(body.attrib))
    tail.extend([head, tail_body])
    spacer = first % 2 == 0
    if spacer:
        tail_body.append(body.makeelement("div", {"style": "break-after: page"}))
    tail_body.extend(copy.deepcopy(child) for child in children[start:])
    style = head.makeelement("style", {})
    style.text = f"@page :first {{ counter-reset: page {first - 1 if spacer else first} }}"
    head.append(style)
    html = ElementTree.tostring(tail, encoding="unicode", method="html")
    rendered = weasyprint.HTML(
        string=html, base_url=source.base_url, url_fetcher=source.url_fetcher
    ).render(font_config=previous.font_config, color_profiles=previous.color_profiles, **options)
    pages = rendered.pages[1:] if spacer else rendered.pages
    combined = previous.copy(previous.pages[: first - 1] + pages)
    # Places the earlier pages point to (by their page numbers) must not have moved.
    after = anchor_pages(combined)
    pointed_to = {
        link.get("href")[1:]
        for child in children[:start]
        for link in child.iter("a")
        if (link.get("href") or "").startswith("#")
    }
    if after.get(children[start].get("id") or "") != first or any(
        before.get(name) != after.get(name) for name in pointed_to
    ):
        return None
    return combined


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


def in_page_order(pages: Sequence[int | None]) -> bool:
    """Whether a page list's targets, as laid out, fall on ascending pages, each page once
    (a target not laid out is passed over)."""
    known = [page for page in pages if page is not None]
    return all(a < b for a, b in zip(known, known[1:], strict=False))


def first_link_on_each_page(
    links: Iterable[tuple[str, T]], pages: dict[str, int]
) -> list[tuple[int, T]]:
    """A page list written out: for each page its targets are on, in page order, the first of
    its links to a target on that page. `links` are (target anchor, link) in list order."""
    first_on: dict[int, T] = {}
    for href, link in links:
        if href in pages:
            first_on.setdefault(pages[href], link)
    return sorted(first_on.items(), key=lambda item: item[0])


def _rewrite_page_list(element: Any, links: list[tuple[str, Any]], pages: dict[str, int]) -> None:
    """One link per page, in page order, to the first of the list's targets on that page."""
    written = first_link_on_each_page(links, pages)
    for child in list(element):
        element.remove(child)
    for page, link in written:
        number = link.makeelement(link.tag, dict(link.attrib))
        number.text = str(page)  # the page counter counts every page from the cover on
        element.append(number)
