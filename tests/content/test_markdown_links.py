"""Links within the book, as the Markdown renderer writes them for the print stylesheet."""

from __future__ import annotations

import re

from kpbrief.content.markdown import to_html


def _resolve(kind: str, item_id: str) -> str | None:
    return f"{kind}-{item_id}"


def test_a_link_within_a_parenthesis_is_marked_to_take_its_page_after_a_comma() -> None:
    """The print stylesheet gives a link's page in parentheses, "(p. 12)"; within a
    parenthesis of the text it gives it after a comma, "(New Delhi, 2019, p. 12)"."""
    html = to_html(
        "As said ([New Delhi, 2019](statement:a)), see [the walk-out](statement:b); "
        "(a note) then [again](statement:c).",
        _resolve,
        "doc",
    )
    assert 'href="#statement-a" class="xref xref-statement xref-in-parens"' in html
    assert 'href="#statement-b" class="xref xref-statement"' in html
    assert 'href="#statement-c" class="xref xref-statement"' in html


def test_a_parenthesis_before_a_link_stands_apart_and_the_text_is_the_same() -> None:
    """After a closing quotation mark, `” (` holds no line break for the PDF's line breaking
    (Unicode's older rule LB15): the parenthesis is put in an element of its own, where the
    break after the space is allowed."""
    text = "it “deserves” ([Windhoek, 2009](statement:a)); (plain) and ([b](statement:b))."
    html = to_html(text, _resolve, "doc")
    assert '“deserves” <span class="paren">(</span><a href="#statement-a"' in html
    assert 'and <span class="paren">(</span><a href="#statement-b"' in html
    assert "; (plain)" in html  # no link after it: left as it is
    assert re.sub(r"<[^>]+>", "", html).strip() == (
        "it “deserves” (Windhoek, 2009); (plain) and (b)."
    )
