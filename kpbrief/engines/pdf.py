"""PDF: one HTML document laid out by WeasyPrint (PDF/UA-1 by default) and written.

The same writer makes the screen PDF and the press PDF; a `PdfVariant` tells them apart.
"""

from __future__ import annotations

import contextlib
import io
import os
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from kpbrief.document import (
    VIRTUAL_ROOT,
)
from kpbrief.engines.assets import Assets, RefusedResource, asset_fetcher, guard_resources
from kpbrief.engines.html_parser import keep_scanning_patterns
from kpbrief.engines.hyphens import keep_ladders_whole, limited_hyphenation
from kpbrief.engines.pages import crossing_rules, guessed_pages, settle_pages


@dataclass(frozen=True)
class PdfVariant:
    """Which PDF of a document WeasyPrint writes; both are tagged (the same structure tree).

    For screens: PDF/UA-1 (unless `accessible` is off: drafts). For the press, when
    `press_profile` names a CMYK output profile (ICC): PDF/X-4, the profile embedded as its
    output intent (the stylesheet gives the bleed and the crop marks, see
    layouts/styles/press.css; `engines.press` finishes the file).
    """

    accessible: bool = True
    press_profile: Path | None = None
    # Seconds since the epoch that the embedded fonts are dated (see `_fonts_dated`).
    source_date: int | None = None

    @property
    def press(self) -> bool:
        return self.press_profile is not None

    def options(self) -> dict[str, Any]:
        """WeasyPrint's options, for laying the document out and for writing it."""
        options: dict[str, Any] = {"pdf_tags": True}
        if self.press:
            options["pdf_variant"] = "pdf/x-4"
        elif self.accessible:
            options["pdf_variant"] = "pdf/ua-1"
        return options

    def color_profiles(self) -> dict[str, Any] | None:
        """The colour profiles a document is laid out with: for the press, the output
        profile as WeasyPrint's `device-cmyk`, which it makes the output intent."""
        if self.press_profile is None:
            return None
        from weasyprint.css import ColorProfile

        data = self.press_profile.read_bytes()

        class FileProfile(ColorProfile):  # type: ignore[misc]
            """The profile embedded as its file is (WeasyPrint would write it anew, twice
            as large)."""

            @property
            def content(self) -> bytes:
                return data

        profile = FileProfile(
            io.BytesIO(data), self.press_profile.name, "relative-colorimetric", list("cmyk")
        )
        return {"device-cmyk": profile}


SCREEN = PdfVariant()


def render_pdf(
    html: str,
    assets: Assets,
    target: Path,
    variant: PdfVariant = SCREEN,
    guess: dict[str, int] | None = None,
) -> dict[str, int]:
    """HTML to PDF with WeasyPrint (imported here: it takes a second to load); the page of
    every anchor, for the next build's `guess`.

    The document is laid out with the pages of `guess` (a previous build's map) or, without
    one, with `guessed_pages`; again only while the pages it shows are not yet right, or a
    word its hyphenation broke must be kept whole (see `settle_pages`, `limited_hyphenation`).
    """
    import weasyprint
    from weasyprint.urls import FatalURLFetchingError

    guard_resources(html)
    keep_scanning_patterns()
    source = weasyprint.HTML(string=html, base_url=VIRTUAL_ROOT, url_fetcher=asset_fetcher(assets))
    options = variant.options()
    try:
        crossing = crossing_rules(stylesheets(html, assets))
        with limited_hyphenation():
            document, pages = settle_pages(
                source,
                options,
                crossing,
                guess or guessed_pages(html),
                variant.color_profiles(),
                keep_ladders_whole,
            )
        target.write_bytes(write_variant(document, variant))
    except FatalURLFetchingError as refused:
        raise RefusedResource(str(refused)) from None
    return pages


def write_variant(
    document: Any,
    variant: PdfVariant,
    first_page: int = 1,
    elsewhere: frozenset[str] = frozenset(),
) -> bytes:
    """A laid-out document written as `variant` asks: tagged and finished (`pdftags`), and
    for the press finished for PDF/X-4 (`press`); `first_page`, `elsewhere`: see
    `pdftags.write_pdf`."""
    from kpbrief.engines.pdftags import write_pdf as write_tagged_pdf

    with _fonts_dated(variant.source_date):
        data = write_tagged_pdf(document, variant.options(), first_page, elsewhere)
    if not variant.press:
        return data
    from kpbrief.engines.press import finish_press

    return finish_press(data)


@contextlib.contextmanager
def _fonts_dated(source_date: int | None) -> Iterator[None]:
    """The fonts WeasyPrint embeds dated `source_date`, not the time of writing.

    Without HarfBuzz's subsetter (Debian's libharfbuzz-subset0), WeasyPrint subsets fonts
    with fontTools, which stamps each subset's `head` table with the current time unless
    SOURCE_DATE_EPOCH is set: the same book then gave a PDF with other bytes every second.
    Without a date (a document written by itself), the one in the environment is kept, else
    the fonts are dated 1970."""
    previous = os.environ.get("SOURCE_DATE_EPOCH")
    os.environ["SOURCE_DATE_EPOCH"] = str(source_date if source_date is not None else previous or 0)
    try:
        yield
    finally:
        if previous is None:
            del os.environ["SOURCE_DATE_EPOCH"]
        else:
            os.environ["SOURCE_DATE_EPOCH"] = previous


STYLESHEET = re.compile(r'<link rel="stylesheet" href="([^"]+)"')


INLINE_STYLE = re.compile(r"<style>(.*?)</style>", re.DOTALL)


def stylesheets(html: str, assets: Assets) -> str:
    """The text of the book's stylesheets (linked from the layouts, and inline)."""
    texts = []
    for href in STYLESHEET.findall(html[: html.find("<body")]):
        name = href.split("/", 1)[1] if "/" in href else href
        path = assets.find(name)
        if path is not None:
            texts.append(path.read_text(encoding="utf-8"))
    texts += INLINE_STYLE.findall(html[: html.find("<body")])
    return "\n".join(texts)
