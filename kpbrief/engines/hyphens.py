"""Hyphenation a typesetter accepts: never more than two hyphenated lines in a row.

CSS has a property for it, `hyphenate-limit-lines`, which WeasyPrint 70 does not apply. So
kpbrief applies it while WeasyPrint lays a paragraph out (`limited_hyphenation`): a line that
follows two lines ending in a hyphen is laid out without automatic hyphenation, in the same
single layout. That reaches into WeasyPrint's line layout (its `iter_line_boxes` and
`split_first_line`), so it is used only where those are what kpbrief expects; elsewhere, and
for what it cannot prevent (a word's own hyphen at the end of a line), the layout is settled
afterwards: in each paragraph, the last word the layout broke in a run of three lines ending in
a hyphen is kept whole (`hyphens: manual` on a span around it) and the document is laid out
again, until no run is too long (a few layouts at most).

While it reaches into the line layout, kpbrief also corrects one of its line breaks
(`_fits_but_for_its_space`): WeasyPrint 70 measures a piece of text with the space that ends
it, so a piece that fits but for that space (the text before a link, say) is given only its
first word, and the line ends early and is stretched by justification. And it shapes each
piece of text that fits whole on its line once a layout (`measured_text.remembering`).
"""

from __future__ import annotations

import contextlib
import inspect
import re
from collections.abc import Iterator
from typing import Any
from xml.etree import ElementTree

from kpbrief.engines.measured_text import remembering

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


def _ends_in_hyphen(line: Any) -> bool:
    """Whether a laid-out line ends in a hyphen (a word broken, or at its own hyphen)."""
    _leaf, _first, last = _line_texts(line)
    return last.endswith("\u2010") or last.rstrip().endswith("-")


# Set while WeasyPrint lays out a line that may not end in an automatic hyphen.
_line_without_hyphenation = False


def _expected_line_layout(inline: Any) -> bool:
    """Whether WeasyPrint's line layout has the shape `limited_hyphenation` relies on."""
    try:
        lines = inspect.signature(inline.iter_line_boxes).parameters
        split = inspect.signature(inline.split_first_line).parameters
    except (AttributeError, TypeError, ValueError):
        return False
    return (
        inspect.isgeneratorfunction(inline.iter_line_boxes)
        and list(lines)[:2] == ["context", "box"]
        and list(split)[:2] == ["text", "style"]
    )


@contextlib.contextmanager
def limited_hyphenation() -> Iterator[bool]:
    """While in this block, WeasyPrint lays paragraphs out with at most `MAX_RUN` hyphenated
    lines in a row (CSS `hyphenate-limit-lines: 2`); yields whether it could (see the module's
    text). Meant for one layout at a time in a process, as kpbrief lays documents out."""
    from weasyprint.layout import block, inline

    if not _expected_line_layout(inline) or getattr(block, "iter_line_boxes", None) is not (
        inline.iter_line_boxes
    ):
        yield False
        return
    lines: Any = inline.iter_line_boxes
    weasyprint_split: Any = inline.split_first_line
    split = remembering(weasyprint_split)  # a piece that fitted whole is shaped once

    def limited_lines(*args: Any, **kwargs: Any) -> Iterator[Any]:
        global _line_without_hyphenation
        laid_out = lines(*args, **kwargs)
        run = 0
        while True:
            outer = _line_without_hyphenation  # a paragraph inside a line has its own count
            _line_without_hyphenation = run >= MAX_RUN
            try:
                item = next(laid_out)
            except StopIteration:
                return
            finally:
                _line_without_hyphenation = outer
            yield item
            run = run + 1 if _ends_in_hyphen(item[0]) else 0

    def split_without_hyphenation(text: str, style: Any, *args: Any, **kwargs: Any) -> Any:
        if _line_without_hyphenation and style["hyphens"] == "auto":
            style = style.copy()
            style["hyphens"] = "manual"
        laid_out = split(text, style, *args, **kwargs)
        if _fits_but_for_its_space(split, laid_out, text, style, args, kwargs):
            return split(text, style, args[0], None, *args[2:], **kwargs)
        return laid_out

    block.iter_line_boxes = inline.iter_line_boxes = limited_lines
    inline.split_first_line = split_without_hyphenation
    try:
        yield True
    finally:
        block.iter_line_boxes = inline.iter_line_boxes = lines
        inline.split_first_line = weasyprint_split


def _fits_but_for_its_space(
    split: Any, laid_out: Any, text: str, style: Any, args: tuple[Any, ...], kwargs: Any
) -> bool:
    """Whether WeasyPrint's `split` broke `text` (`laid_out`) though all of it fits in the
    width but for the collapsible spaces that end it, which a line does not count at its end
    (WeasyPrint's own inline layout does not, when a text it was given whole overflows by its
    last space). `args` are `split`'s after `text` and `style`: the context, the width, ...
    """
    if laid_out[2] is None or len(args) < 2 or args[1] is None or kwargs.get("minimum"):
        return False
    if not text.endswith(" ") or style["white_space"] not in ("normal", "pre-line"):
        return False
    if "\n" in text:  # a preserved line break: broken there whatever the width
        return False
    # What the first line left cannot fit beside it if its characters, at a tenth of an em
    # each (narrower than any letter), are wider than the room left: no second layout.
    left = text.encode()[laid_out[2] :].decode(errors="ignore").rstrip(" ")
    if len(left) * 0.1 * float(style["font_size"]) > args[1] - laid_out[3]:
        return False
    stripped = text.rstrip(" ")
    whole = split(stripped, style, *args, **kwargs)
    return bool(whole[2] is None and whole[3] <= args[1])


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


def keep_ladders_whole(document: Any) -> bool:
    """In `source` of the laid-out `document`, the word that makes each run of hyphenated lines
    too long kept whole; whether any was (the document must then be laid out again)."""
    return any([keep_whole(element, word) for element, word in overlong_runs(document)])


def settle_hyphens(source: Any, document: Any, options: dict[str, Any]) -> Any:
    """The laid-out `document` of `source`, laid out again while a paragraph has more than
    `MAX_RUN` hyphenated lines in a row, each time keeping the word that makes the run too
    long whole."""
    for _layout in range(MAX_LAYOUTS):
        if not keep_ladders_whole(document):
            return document
        document = source.render(
            font_config=document.font_config, color_profiles=document.color_profiles, **options
        )
    return document
