"""Hyphenation a typesetter accepts: never more than two hyphenated lines in a row.

CSS has no limit on consecutive hyphenated lines that WeasyPrint applies
(`hyphenate-limit-lines`), so it is settled after a layout: in each paragraph, the last word
the layout broke in a run of three lines ending in a hyphen is kept whole (`hyphens: manual` on
a span around it, wherever it is in that paragraph's own text) and the document is laid out
again, until no run is too long (a few layouts at most).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any
from xml.etree import ElementTree

MAX_RUN = 2  # hyphenated lines in a row
MAX_LAYOUTS = 3
_BROKEN = re.compile(r"([^\W\d_]+)\u2010$")  # a word part before the hyphen WeasyPrint adds
_CONTINUED = re.compile(r"^([^\W\d_]+)")


def _line_texts(line: Any) -> tuple[Any | None, str, str]:
    """A line's last text box, and its whole text from its first and last text boxes."""
    leaves = []
    boxes = [line]
    while boxes:
        box = boxes.pop(0)
        children = getattr(box, "children", None)
        if children:
            boxes[0:0] = list(children)
        elif isinstance(getattr(box, "text", None), str):
            leaves.append(box)
    if not leaves:
        return None, "", ""
    return leaves[-1], leaves[0].text, leaves[-1].text


def _paragraphs(document: Any) -> Iterator[list[Any]]:
    """The line boxes of each block of lines, page by page."""
    for page in document.pages:
        boxes = [page._page_box]
        while boxes:
            box = boxes.pop()
            children = list(getattr(box, "children", None) or ())
            lines = [c for c in children if type(c).__name__ == "LineBox"]
            if lines:
                yield lines
            boxes.extend(c for c in children if type(c).__name__ != "LineBox")


def overlong_runs(document: Any) -> list[tuple[ElementTree.Element, str]]:
    """For each run of more than `MAX_RUN` lines ending in a hyphen (a word broken by the
    layout, or at its own hyphen: "garde-/fous"), the element holding the last word the
    layout broke in the run, and that word."""
    found = []
    for lines in _paragraphs(document):
        run: list[tuple[ElementTree.Element, str] | None] = []  # None: a word's own hyphen
        for index, line in enumerate(lines):
            leaf, _first, last = _line_texts(line)
            if leaf is None or (not _BROKEN.search(last) and not last.rstrip().endswith("-")):
                run = []
                continue
            word = None
            broken = _BROKEN.search(last)
            if broken is not None and index + 1 < len(lines) and leaf.element is not None:
                _leaf, following, _last = _line_texts(lines[index + 1])
                rest = _CONTINUED.match(following)
                if rest:
                    word = (leaf.element, broken[1] + rest[1])
            run.append(word)
            if len(run) > MAX_RUN:
                chosen = next((w for w in reversed(run) if w is not None), None)
                if chosen is not None:
                    found.append(chosen)
                    run = []
    return found


def keep_whole(element: ElementTree.Element, word: str) -> bool:
    """Wrap `word` where it stands in `element`'s own text (not its children's) in a span
    that is never hyphenated; whether it was found."""
    pattern = re.compile(rf"(?<![^\W\d_]){re.escape(word)}(?![^\W\d_])")

    def span(tail: str) -> ElementTree.Element:
        made = ElementTree.Element("span", {"style": "hyphens: manual"})
        made.text = word
        made.tail = tail
        return made

    text = element.text or ""
    match = pattern.search(text)
    if match:
        element.text = text[: match.start()]
        element.insert(0, span(text[match.end() :]))
        return True
    for position, child in enumerate(list(element)):
        tail = child.tail or ""
        match = pattern.search(tail)
        if match:
            child.tail = tail[: match.start()]
            element.insert(position + 1, span(tail[match.end() :]))
            return True
    return False


def settle_hyphens(source: Any, document: Any, options: dict[str, Any]) -> Any:
    """The laid-out `document` of `source`, laid out again while a paragraph has more than
    `MAX_RUN` hyphenated lines in a row, each time keeping the word that makes the run too
    long whole."""
    for _layout in range(MAX_LAYOUTS):
        runs = overlong_runs(document)
        if not any([keep_whole(element, word) for element, word in runs]):
            return document
        document = source.render(
            font_config=document.font_config, color_profiles=document.color_profiles, **options
        )
    return document
