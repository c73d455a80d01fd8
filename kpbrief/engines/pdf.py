"""PDF: one HTML document laid out by WeasyPrint (PDF/UA-1 by default) and written."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from kpbrief.document import (
    VIRTUAL_ROOT,
)
from kpbrief.engines.assets import Assets, RefusedResource, asset_fetcher, guard_resources
from kpbrief.engines.hyphens import settle_hyphens
from kpbrief.engines.pages import crossing_rules, settle_pages


def render_pdf(html: str, assets: Assets, target: Path, accessible: bool = True) -> None:
    """HTML to PDF with WeasyPrint (imported here: it takes a second to load).

    The document is laid out once; again only if its hyphenation or the pages it shows need
    it (see `settle_hyphens`, `settle_pages`).
    """
    import weasyprint
    from weasyprint.urls import FatalURLFetchingError

    from kpbrief.engines.pdftags import write_pdf as write_tagged_pdf

    guard_resources(html)
    source = weasyprint.HTML(string=html, base_url=VIRTUAL_ROOT, url_fetcher=asset_fetcher(assets))
    options: dict[str, Any] = {"pdf_tags": True}
    if accessible:
        options["pdf_variant"] = "pdf/ua-1"
    try:
        crossing = crossing_rules(stylesheets(html, assets))
        document = settle_hyphens(source, source.render(**options), options)
        document = settle_pages(source, document, options, crossing)
        target.write_bytes(write_tagged_pdf(document, options))
    except FatalURLFetchingError as refused:
        raise RefusedResource(str(refused)) from None


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
