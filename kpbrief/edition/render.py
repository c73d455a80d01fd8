"""Render: one assembled edition becomes one HTML document, through Jinja2 templates.

The same templates serve the print document (for WeasyPrint) and the ebook document (for
pandoc); `target` tells them apart. Interface strings come from the gettext catalogs.
"""

from __future__ import annotations

import gettext
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape
from markupsafe import Markup

from kpbrief.document import ASSETS
from kpbrief.edition.catalog_text import EscapedTranslations, css_string
from kpbrief.edition.i18n import LANG_BEGIN, LANG_CLOSE, LANG_OPEN, without_language_marks
from kpbrief.edition.model import Edition
from kpbrief.edition.names import mark_names
from kpbrief.edition.timeline import draw_timeline
from kpbrief.edition.typography import apply_typography


def environment(layout_dirs: list[Path], translations: gettext.NullTranslations) -> Environment:
    env = Environment(
        loader=FileSystemLoader([str(d / "templates") for d in layout_dirs]),
        autoescape=select_autoescape(default=True, default_for_string=True),
        undefined=StrictUndefined,
        extensions=["jinja2.ext.i18n"],
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters["css_string"] = css_string
    env.install_gettext_translations(  # type: ignore[attr-defined]
        EscapedTranslations(translations), newstyle=True
    )
    return env


def render_html(
    edition: Edition,
    layout_dirs: list[Path],
    translations: gettext.NullTranslations,
    target: str,
    press: bool = False,
) -> str:
    """The whole book as one HTML document; `target` is "print" or "epub"; `press`: the
    print document for the press PDF (its stylesheet added)."""
    env = environment(layout_dirs, translations)
    template = env.get_template("book.html")

    html = template.render(
        book=edition,
        target=target,
        press=press and target == "print",
        assets=ASSETS,
        timeline_svg=timeline_picture(edition),
    )
    if target == "print":  # proper names never hyphenated (span.name in print.css)
        # The body before the index: the index's entries are never hyphenated, and its
        # names are read as they are written (kpbrief.engines.pages, its tests).
        start, end = html.find("<body"), html.find('<h2 id="index"')
        end = len(html) if end < 0 else end
        html = html[:start] + mark_names(html[start:end], edition.names) + html[end:]
    return finish_html(html, edition.lang)


def finish_html(html: str, lang: str) -> str:
    """A rendered document made final: messages shown in another language than the book's
    marked with their `lang`, then the language's typography."""
    return apply_typography(label_languages(html), lang)


# Where a message's language cannot be an element: inside these, its marks are dropped.
_NO_SPANS = ("head", "title", "svg", "style", "script", "textarea", "option")
_TAG = re.compile(r"(<[^>]*>)")
_TAG_NAME = re.compile(r"</?\s*([A-Za-z][\w:-]*)")
_OPENING = re.compile(f"{LANG_OPEN}([A-Za-z0-9-]*){LANG_BEGIN}")


def label_languages(html: str) -> str:
    """Each message `MarkedTranslations` marked as shown in another language becomes
    <span lang="…">…</span> in running text; inside a tag, or an element that can hold no
    span, only its words are kept."""
    if LANG_OPEN not in html and LANG_CLOSE not in html:
        return html
    out: list[str] = []
    inside: list[str] = []
    for piece in _TAG.split(html):
        if piece.startswith("<"):
            _follow(piece, inside)
            out.append(without_language_marks(piece))
        elif any(name in _NO_SPANS for name in inside):
            out.append(without_language_marks(piece))
        else:
            spans = _OPENING.sub(lambda m: f'<span lang="{m.group(1)}">', piece)
            out.append(spans.replace(LANG_CLOSE, "</span>"))
    return "".join(out)


_VOID = {
    "area",
    "base",
    "br",
    "col",
    "embed",
    "hr",
    "img",
    "input",
    "link",
    "meta",
    "source",
    "track",
    "wbr",
}


def _follow(tag: str, inside: list[str]) -> None:
    """Keep `inside` as the open elements among `_NO_SPANS` after `tag`."""
    found = _TAG_NAME.match(tag)
    if found is None or tag.startswith(("<!", "<?")):
        return
    name = found.group(1).lower()
    if name not in _NO_SPANS or name in _VOID or tag.endswith("/>"):
        return
    if tag.startswith("</"):
        if name in inside:
            del inside[len(inside) - 1 - inside[::-1].index(name) :]
    else:
        inside.append(name)


def plain_text(text: str) -> str:
    """A rendered text that is not HTML (a metadata field): its words, marks dropped."""
    return without_language_marks(text)


def timeline_picture(edition: Edition) -> Callable[..., Markup]:
    """The template's `timeline_svg(title, palette="page")`: the chronology's picture."""

    def timeline(title: str, palette: str = "page") -> Markup:
        return Markup(draw_timeline(edition.timeline, title, palette))

    return timeline


def render_cover_html(
    edition: Edition, layout_dirs: list[Path], translations: gettext.NullTranslations
) -> str:
    """The cover alone, as a document: the source of the EPUB's cover image."""
    env = environment(layout_dirs, translations)
    html = env.get_template("cover-image.html").render(
        book=edition, assets=ASSETS, timeline_svg=timeline_picture(edition)
    )
    return finish_html(html, edition.lang)


def epub_texts(env: Any, edition: Edition) -> dict[str, str]:
    """The texts the EPUB adds around the book, from `epub-texts.html` (its top-level
    variables: toc_title, landmarks, cover_alt), for one edition."""
    module = env.get_template("epub-texts.html").make_module({"book": edition})

    def text(name: str) -> str:
        words = without_language_marks(str(getattr(module, name)))
        return apply_typography(" ".join(words.split()), edition.lang)

    return {name: text(name) for name in ("toc_title", "landmarks", "cover_alt")}
