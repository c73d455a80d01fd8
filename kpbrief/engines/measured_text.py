"""Pieces of text measured once a layout: WeasyPrint's text splitting, remembered.

WeasyPrint lays a line out piece by piece, each piece of text (a text node, a link's number)
given to Pango with the room left on the line (its `split_first_line`). A piece that fits
whole in that room comes out the same whatever the room: one line of the same length, width,
height and baseline. A book's index repeats such pieces by the thousand (a page number, the
", " between two), each laid out again from nothing: a Pango context, a font description, the
shaping of the text. `remembering(split)` wraps WeasyPrint's function so that, while one
document (a part, or a whole book) is laid out, and laid out again to settle its pages and
hyphens, a piece that fitted whole is shaped once: a later piece with the same text and the
same text style, given at least its width, gets a copy of the first result. A piece that did
not fit, or is given less room, is split by WeasyPrint as before.

What Pango is told about a piece's style is what `TEXT_STYLE` names: the properties WeasyPrint
70's text layout (`weasyprint.text.line_break` and the font description of
`weasyprint.text.fonts`) reads. kpbrief uses this only with the WeasyPrint its line layout
was written for (see `hyphens.limited_hyphenation`).
"""

from __future__ import annotations

import copy
from collections.abc import Callable
from typing import Any

# The properties WeasyPrint 70's text layout reads from a piece's style.
TEXT_STYLE = (
    "direction",
    "font_family",
    "font_feature_settings",
    "font_kerning",
    "font_language_override",
    "font_size",
    "font_stretch",
    "font_style",
    "font_variant_alternates",
    "font_variant_caps",
    "font_variant_east_asian",
    "font_variant_ligatures",
    "font_variant_numeric",
    "font_variant_position",
    "font_variation_settings",
    "font_weight",
    "hyphenate_character",
    "hyphenate_limit_chars",
    "hyphenate_limit_zone",
    "hyphens",
    "lang",
    "letter_spacing",
    "line_height",
    "overflow_wrap",
    "tab_size",
    "text_decoration_line",
    "white_space",
    "word_break",
    "word_spacing",
)


def _hashable(value: Any) -> Any:
    try:
        hash(value)
    except TypeError:
        return repr(value)
    return value


def remembering(split: Callable[..., Any]) -> Callable[..., Any]:
    """`split` (WeasyPrint's `split_first_line(text, style, context, max_width,
    justification_spacing, ...)`), remembering each piece that fitted whole (see the module's
    text). Each call of `remembering` starts with nothing remembered."""
    # id(style) -> (style, its text style): the style is kept so that its id is not reused
    styles: dict[int, tuple[Any, tuple[Any, ...]]] = {}
    fitted: dict[tuple[Any, ...], tuple[Any, ...]] = {}

    def text_style(style: Any) -> tuple[Any, ...]:
        known = styles.get(id(style))
        if known is None or known[0] is not style:
            values = tuple(_hashable(style[name]) for name in TEXT_STYLE)
            known = (style, (id(style.font_config), values))
            styles[id(style)] = known
        return known[1]

    def split_remembering(
        text: str,
        style: Any,
        context: Any,
        max_width: Any,
        justification_spacing: Any,
        *args: Any,
        **kwargs: Any,
    ) -> Any:
        key = (text, text_style(style))
        known = fitted.get(key)
        if known is not None and (max_width is None or known[3] <= max_width):
            layout = copy.copy(known[0])
            layout.max_width = max_width
            layout.justification_spacing = justification_spacing
            return (layout, *known[1:])
        laid_out = split(text, style, context, max_width, justification_spacing, *args, **kwargs)
        if laid_out[2] is None and (max_width is None or laid_out[3] <= max_width):
            fitted.setdefault(key, (copy.copy(laid_out[0]), *laid_out[1:]))
        return laid_out

    return split_remembering
