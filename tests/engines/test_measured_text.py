"""A piece of text that fits whole on its line is shaped once a layout, and laid out the same."""

from __future__ import annotations

from typing import Any

import pytest
import weasyprint
from weasyprint.layout import inline

from kpbrief.engines import hyphens
from kpbrief.engines.hyphens import limited_hyphenation
from kpbrief.engines.measured_text import remembering

ENTRY = (
    '<li><span class="name">{name}</span> '
    + ", ".join(f'<a href="#p{n}">{n}</a>' for n in (3, 12, 27, 104, 212))
    + "</li>"
)
NAMES = ["Kimberley Process", "Partnership Africa Canada", "Zimbabwe", "Marange", "Antwerp"]
PAGE = (
    '<html lang="en"><head><style>@page { size: 120mm 160mm; margin: 10mm }'
    "ul { columns: 2; column-gap: 6mm; list-style: none; padding: 0; font-size: 8pt }"
    "li { padding-left: 3mm; text-indent: -3mm } .name { font-weight: bold }"
    "p { text-align: justify; hyphens: auto; font-size: 9pt }"
    ".tight { letter-spacing: 0.05em; white-space: nowrap } a { color: navy }</style></head>"
    '<body><ul>{entries}</ul><p id="p3">The coalition asked, again, for the review to be '
    'opened: <span class="tight">12, 27, 104</span> and a footnote of its own, 12, 27.</p>'
    "<p id=p12>Short.</p><p id=p27>Short.</p><p id=p104>Short.</p><p id=p212>Short.</p>"
    # the same pieces in other styles, and a piece that fits on some lines and not on others
    '<p><a href="#p12">12</a>, <b><a href="#p12">12</a></b>, <i><a href="#p27">27</a></i> '
    '<small><a href="#p27">27</a></small>{repeated}</p>'
    "</body></html>"
)


def _document() -> str:
    entries = "".join(ENTRY.format(name=f"{name} {n}") for n in range(12) for name in NAMES)
    repeated = " <span>the coalition statement</span>" * 40
    return PAGE.replace("{entries}", entries).replace("{repeated}", repeated)


def _text_boxes(document: Any) -> list[tuple[Any, ...]]:
    """Every text box of the laid-out pages: its page, text, place and size."""
    found = []
    for number, page in enumerate(document.pages):
        boxes = [page._page_box]
        while boxes:
            box = boxes.pop(0)
            if isinstance(getattr(box, "text", None), str):
                found.append(
                    (number, box.text, box.position_x, box.position_y, box.width, box.baseline)
                )
            boxes[0:0] = list(getattr(box, "children", None) or ())
    return found


def test_each_remembered_piece_is_what_weasyprint_gives_it() -> None:
    """Every piece WeasyPrint split in a real layout, split again through `remembering`:
    the same length, resume, width, height and baseline, and a layout of the same text,
    room and spacing, as WeasyPrint's own split of that piece; and fewer shapings."""
    raw = inline.split_first_line
    calls: list[tuple[tuple[Any, ...], dict[str, Any]]] = []

    def recording(*args: Any, **kwargs: Any) -> Any:
        calls.append((args, kwargs))
        return raw(*args, **kwargs)

    inline.split_first_line = recording
    try:
        weasyprint.HTML(string=_document()).render()
    finally:
        inline.split_first_line = raw
    shaped = 0

    def counting(*args: Any, **kwargs: Any) -> Any:
        nonlocal shaped
        shaped += 1
        return raw(*args, **kwargs)

    remembered = remembering(counting)
    for args, kwargs in calls:
        mine, theirs = remembered(*args, **kwargs), raw(*args, **kwargs)
        assert mine[1:] == theirs[1:], args[0]
        for name in ("text", "max_width", "justification_spacing", "first_line_direction"):
            assert getattr(mine[0], name) == getattr(theirs[0], name), (args[0], name)
    assert len(calls) > 300
    assert shaped < len(calls) / 2  # the page numbers and the separators, shaped once each


def test_a_layout_with_pieces_remembered_is_the_same(monkeypatch: pytest.MonkeyPatch) -> None:
    source = weasyprint.HTML(string=_document())
    with limited_hyphenation() as limited:
        assert limited
        remembered = _text_boxes(source.render())
    monkeypatch.setattr(hyphens, "remembering", lambda split: split)
    with limited_hyphenation():
        shaped_each_time = _text_boxes(source.render())
    assert len(remembered) > 300
    assert remembered == shaped_each_time
