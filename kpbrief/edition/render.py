"""Render: one assembled edition becomes one HTML document, through Jinja2 templates.

The same templates serve the print document (for WeasyPrint) and the ebook document (for
pandoc); `target` tells them apart. Interface strings come from the gettext catalogs.
"""

from __future__ import annotations

import gettext
from collections.abc import Callable
from pathlib import Path

from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape
from markupsafe import Markup

from kpbrief.document import ASSETS
from kpbrief.edition.model import Edition
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
    env.install_gettext_translations(translations, newstyle=True)  # type: ignore[attr-defined]
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
