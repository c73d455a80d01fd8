"""Render: one assembled edition becomes one HTML document, through Jinja2 templates.

The same templates serve the print document (for WeasyPrint) and the ebook document (for
pandoc); `target` tells them apart. Interface strings come from the gettext catalogs.
"""

from __future__ import annotations

import gettext
from collections.abc import Callable
from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape
from markupsafe import Markup

from kpbrief.document import ASSETS
from kpbrief.edition.catalog_text import EscapedTranslations, css_string
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
) -> str:
    """The whole book as one HTML document; `target` is "print" or "epub"."""
    env = environment(layout_dirs, translations)
    template = env.get_template("book.html")

    html = template.render(
        book=edition,
        target=target,
        assets=ASSETS,
        timeline_svg=timeline_picture(edition),
    )
    if target == "print":  # proper names never hyphenated (span.name in print.css)
        # The body before the index: the index's entries are never hyphenated, and its
        # names are read as they are written (kpbrief.engines.pages, its tests).
        start, end = html.find("<body"), html.find('<h2 id="index"')
        end = len(html) if end < 0 else end
        html = html[:start] + mark_names(html[start:end], edition.names) + html[end:]
    return apply_typography(html, edition.lang)


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
    return apply_typography(html, edition.lang)


def epub_texts(env: Any, edition: Edition) -> dict[str, str]:
    """The texts the EPUB adds around the book, from `epub-texts.html` (its top-level
    variables: toc_title, landmarks, cover_alt), for one edition."""
    module = env.get_template("epub-texts.html").make_module({"book": edition})

    def text(name: str) -> str:
        return apply_typography(" ".join(str(getattr(module, name)).split()), edition.lang)

    return {name: text(name) for name in ("toc_title", "landmarks", "cover_alt")}
