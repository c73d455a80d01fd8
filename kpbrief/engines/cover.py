"""The EPUB's cover image: the book's cover page rendered by WeasyPrint, rasterised by PDFium."""

from __future__ import annotations

from kpbrief.document import (
    VIRTUAL_ROOT,
)
from kpbrief.engines.assets import Assets, asset_fetcher, guard_resources
from kpbrief.engines.html_parser import keep_scanning_patterns

# The EPUB cover image's size in pixels, for each paper: 1,400 pixels wide, as tall as the
# page's proportions make it (A4: 210 x 297 mm; letter: 8.5 x 11 in).
COVER_PIXELS = {"a4": (1400, 1980), "letter": (1400, 1812)}


def render_cover_png(html: str, assets: Assets, size: tuple[int, int]) -> bytes:
    """The cover page, rendered by WeasyPrint and rasterised by PDFium: a PNG of `size`.

    A rasterised page comes out a pixel larger or smaller than `size` by rounding; it is
    then scaled to `size`. A page of other proportions raises `CoverSizeMismatch`.
    """
    import io

    import pypdfium2
    import weasyprint

    guard_resources(html)
    keep_scanning_patterns()
    pdf = weasyprint.HTML(
        string=html, base_url=VIRTUAL_ROOT, url_fetcher=asset_fetcher(assets)
    ).write_pdf()
    document = pypdfium2.PdfDocument(pdf)
    try:
        page = document[0]
        image = page.render(scale=size[0] / page.get_width()).to_pil().convert("RGB")
    finally:
        document.close()
    rounded = abs(image.width - size[0]) <= 2 and abs(image.height - size[1]) <= 2
    if image.size != size and rounded:
        image = image.resize(size)
    buffer = io.BytesIO()
    image.save(buffer, format="PNG")
    if not rounded:
        raise CoverSizeMismatch(buffer.getvalue())
    return buffer.getvalue()


class CoverSizeMismatch(Exception):
    """The cover page has not the paper's proportions (a layout of the book's own)."""

    def __init__(self, png: bytes) -> None:
        super().__init__("the cover page has other proportions than the paper")
        self.png = png  # the cover as rendered, 1,400 pixels wide
