"""No more than two lines in a row end in a hyphen: laid out by WeasyPrint, settled, read back."""

from __future__ import annotations

from typing import Any

import weasyprint

from kpbrief.engines.hyphens import MAX_RUN, limited_hyphenation, settle_hyphens

TEXT = (
    "Extraordinary circumstances necessitated comprehensive international collaboration "
    "among participating governments, nevertheless the representatives deliberately "
    "postponed implementation indefinitely, notwithstanding overwhelming documentation "
    "demonstrating unprecedented environmental deterioration."
)
PAGE = (
    '<html lang="en"><head><style>@page { size: 80mm 200mm; margin: 10mm }'
    "p { width: 38mm; hyphens: auto; text-align: justify; font-size: 9pt }</style></head>"
    "<body><p>{text}</p><p>Short words stay as they are.</p></body></html>"
)


def _endings(document: Any) -> list[list[bool]]:
    """For each paragraph, whether each of its lines ends in a hyphen."""
    out = []
    boxes = [page._page_box for page in document.pages]
    while boxes:
        box = boxes.pop(0)
        children = list(getattr(box, "children", None) or ())
        lines = [c for c in children if type(c).__name__ == "LineBox"]
        if lines:
            out.append([_last_text(line).endswith("\u2010") for line in lines])
        else:
            boxes[0:0] = children
    return out


def _last_text(box: Any) -> str:
    text = getattr(box, "text", None)
    if isinstance(text, str):
        return text
    children = list(getattr(box, "children", None) or ())
    return _last_text(children[-1]) if children else ""


def _longest_run(endings: list[bool]) -> int:
    longest = run = 0
    for hyphenated in endings:
        run = run + 1 if hyphenated else 0
        longest = max(longest, run)
    return longest


def test_a_ladder_of_hyphens_is_settled() -> None:
    source = weasyprint.HTML(string=PAGE.replace("{text}", TEXT))
    first = source.render()
    assert max(_longest_run(e) for e in _endings(first)) > MAX_RUN  # the case is real
    settled = settle_hyphens(source, first, {})
    endings = _endings(settled)
    assert max(_longest_run(e) for e in endings) <= MAX_RUN
    assert any(any(e) for e in endings)  # still hyphenated, only not in ladders
    # The words kept whole are the text's own: nothing added or lost.
    words = " ".join("".join(t.itertext()) for t in source.etree_element.iter("p")).split()
    assert words == (TEXT + " Short words stay as they are.").split()


def test_a_book_without_ladders_is_laid_out_once() -> None:
    source = weasyprint.HTML(string=PAGE.replace("{text}", "Short words only, and no more."))
    first = source.render()
    assert settle_hyphens(source, first, {}) is first


def test_the_limit_holds_within_one_layout_and_only_inside_its_block() -> None:
    source = weasyprint.HTML(string=PAGE.replace("{text}", TEXT))
    with limited_hyphenation() as limited:
        document = source.render()
    assert limited  # WeasyPrint's line layout is the one this kpbrief knows
    endings = _endings(document)
    assert max(_longest_run(e) for e in endings) <= MAX_RUN
    assert sum(sum(e) for e in endings) >= 4  # hyphenated still, only never three in a row
    assert settle_hyphens(source, document, {}) is document  # nothing left to settle
    unlimited = _endings(weasyprint.HTML(string=PAGE.replace("{text}", TEXT)).render())
    assert max(_longest_run(e) for e in unlimited) > MAX_RUN  # WeasyPrint's own, restored


def _line_texts(document: Any) -> list[str]:
    """Each line's text, in order."""
    lines = []
    boxes = [page._page_box for page in document.pages]
    while boxes:
        box = boxes.pop(0)
        if type(box).__name__ == "LineBox":
            leaves, inside = [], [box]
            while inside:
                part = inside.pop(0)
                if isinstance(getattr(part, "text", None), str):
                    leaves.append(part.text)
                inside[0:0] = list(getattr(part, "children", None) or ())
            lines.append("".join(leaves))
        else:
            boxes[0:0] = list(getattr(box, "children", None) or ())
    return lines


def _width_of(text: str, style: str) -> float:
    """The width WeasyPrint gives `text` on a line of its own."""
    page = f'<html lang="en"><body><p style="{style}; float: left">{text}</p></body></html>'
    paragraph = weasyprint.HTML(string=page).render().pages[0]._page_box.children[0]
    while type(paragraph).__name__ != "BlockBox" or paragraph.element_tag != "p":
        paragraph = paragraph.children[0]
    return float(paragraph.width)


def test_a_text_that_fits_but_for_its_last_space_stays_on_its_line() -> None:
    # The words before a link fill the line to within less than their space: the line holds
    # them all, and the link goes to the next line (WeasyPrint 70 alone keeps the first word).
    style = "font-size: 12pt; text-align: justify; hyphens: manual"
    words = "Some words fill this line"
    width = _width_of(words, style) + 0.5  # the space after the words is wider
    assert _width_of(words + "&nbsp;x", style) > width + 1  # the case is real
    page = (
        f'<html lang="en"><body><p style="{style}; width: {width}px">{words} '
        '<a href="#x">a link</a> and more.</p><p id="x">x</p></body></html>'
    )
    assert _line_texts(weasyprint.HTML(string=page).render())[0].rstrip() == "Some"  # its own
    with limited_hyphenation() as limited:
        document = weasyprint.HTML(string=page).render()
    assert limited
    lines = _line_texts(document)
    assert lines[0].rstrip() == words
    assert " ".join(" ".join(lines).split()) == f"{words} a link and more. x"
