"""The EPUB's own pieces: what pandoc does not make, or makes in English only.

- The timeline drawn for a narrow screen (`draw_narrow_timeline`): years down the page, legible
  at phone width, with no text but the years, in the reader's own sans-serif font (a picture
  referred to by `<img>` cannot load the book's fonts).
- `epub_texts`: the strings the EPUB adds around the book (the navigation's heading, the
  landmarks, the cover's text alternative), rendered from the template `epub-texts.html`.
- `finish_epub`: puts them into the EPUB pandoc wrote, and claims conformance to EPUB
  Accessibility 1.1 (WCAG 2.1 AA) only when the document meets what the claim needs here.
"""

from __future__ import annotations

import re
import zipfile
from dataclasses import dataclass
from html.parser import HTMLParser
from pathlib import Path
from typing import Any
from xml.sax.saxutils import escape

from .edition import Edition, TimelineMark
from .timeline import PALETTES
from .typography import apply_typography

NARROW_TIMELINE = "generated/timeline.svg"
CONFORMANCE = "EPUB Accessibility 1.1 - WCAG 2.1 Level AA"

# The narrow picture, in its own units: 360 wide, one band of ROW per year.
NARROW_WIDTH = 360.0
TOP = 16.0
ROW = 30.0
AXIS_X = 64.0
MARK_STEP = 15.0


def draw_narrow_timeline(marks: tuple[TimelineMark, ...]) -> str:
    """The chronology's picture for a phone: a vertical axis, years to its left, statements
    as circles and events as diamonds to its right, side by side within their year."""
    if not marks:
        return ""
    colour = PALETTES["page"]
    first = min(m.date.year for m in marks)
    last = max(m.date.year for m in marks)
    height = TOP * 2 + ROW * (last - first + 1)
    parts = [
        '<svg xmlns="http://www.w3.org/2000/svg" version="1.1" '
        f'viewBox="0 0 {NARROW_WIDTH:.0f} {height:.0f}" '
        f'width="{NARROW_WIDTH:.0f}" height="{height:.0f}">',
        f'<rect width="{NARROW_WIDTH:.0f}" height="{height:.0f}" fill="{colour["ground"]}"/>',
        f'<line x1="{AXIS_X}" y1="{TOP}" x2="{AXIS_X}" y2="{height - TOP}" '
        f'stroke="{colour["axis"]}" stroke-width="2"/>',
    ]
    for year in range(first, last + 1):
        y = TOP + (year - first) * ROW
        parts.append(
            f'<line x1="{AXIS_X - 6}" y1="{y:.1f}" x2="{AXIS_X + 6}" y2="{y:.1f}" '
            f'stroke="{colour["axis"]}" stroke-width="1.5"/>'
        )
        parts.append(
            f'<text x="{AXIS_X - 12}" y="{y + ROW / 2 + 5:.1f}" font-size="15" '
            f'text-anchor="end" fill="{colour["axis"]}" font-family="sans-serif">{year}</text>'
        )
    counts: dict[tuple[str, int], int] = {}
    room = (NARROW_WIDTH - AXIS_X - 24) / 2  # statements in the first half, events after
    for mark in marks:
        key = (mark.kind, mark.date.year)
        level = counts.get(key, 0)
        counts[key] = level + 1
        per_row = max(1, int(room // MARK_STEP))  # a year of many marks: rows 10 apart
        y = TOP + (mark.date.year - first) * ROW + ROW / 2 + (level // per_row) * 10
        start = AXIS_X + 18 + (0 if mark.kind == "statement" else room + 8)
        x = start + (level % per_row) * MARK_STEP
        if mark.kind == "statement":
            parts.append(
                f'<circle cx="{x:.1f}" cy="{y:.1f}" r="6" fill="{colour["statement"]}" '
                f'stroke="{colour["ground"]}" stroke-width="1"/>'
            )
        else:
            parts.append(
                f'<path d="M {x:.1f} {y - 6.5:.1f} L {x + 6.5:.1f} {y:.1f} L {x:.1f} '
                f'{y + 6.5:.1f} L {x - 6.5:.1f} {y:.1f} Z" fill="{colour["event"]}" '
                f'stroke="{colour["ground"]}" stroke-width="1"/>'
            )
    parts.append("</svg>")
    return "\n".join(parts) + "\n"


@dataclass(frozen=True)
class EpubTexts:
    """What the EPUB adds around the book, in the book's language."""

    toc_title: str
    landmarks: str  # the landmarks nav; its links name ids of the book (#how-to-use)
    cover_alt: str


def epub_texts(env: Any, edition: Edition) -> EpubTexts:
    """The texts of `epub-texts.html` (its top-level variables), for one edition."""
    module = env.get_template("epub-texts.html").make_module({"book": edition})

    def text(name: str) -> str:
        return apply_typography(" ".join(str(getattr(module, name)).split()), edition.lang)

    return EpubTexts(
        toc_title=text("toc_title"), landmarks=text("landmarks"), cover_alt=text("cover_alt")
    )


class _Images(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.without_alt = 0
        self.images = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "img":
            self.images += 1
            if not (dict(attrs).get("alt") or "").strip():
                self.without_alt += 1

    handle_startendtag = handle_starttag


def meets_conformance(html: str, texts: EpubTexts) -> bool:
    """Whether the book's document meets what kpbrief's claim rests on: every picture with a
    text alternative (the cover's too); the rest (headings, language, navigation, reading
    order, contrast) is the layouts' and is checked for every fixture book by DAISY Ace."""
    images = _Images()
    images.feed(html)
    images.close()
    return images.without_alt == 0 and bool(texts.cover_alt)


def finish_epub(path: Path, texts: EpubTexts, conforms: bool) -> None:
    """Rewrite pandoc's EPUB in place with the book's own navigation texts, the cover's text
    alternative and, when `conforms`, the conformance claim."""
    with zipfile.ZipFile(path) as archive:
        members = [(info, archive.read(info)) for info in archive.infolist()]
    documents = {
        info.filename: data.decode("utf-8")
        for info, data in members
        if info.filename.endswith(".xhtml")
    }
    changed = {
        name: _titled(text) for name, text in documents.items() if name.startswith("EPUB/text/ch")
    }
    nav = documents["EPUB/nav.xhtml"]
    nav = re.sub(
        r'(<nav epub:type="toc"[^>]*><h1 id="toc-title">).*?(</h1>)',
        lambda m: m[1] + escape(texts.toc_title) + m[2],
        nav,
        count=1,
        flags=re.DOTALL,
    )
    landmarks = re.sub(
        r'href="#([^"]+)"', lambda m: f'href="{_locate(m[1], documents)}"', texts.landmarks
    )
    nav, found = re.subn(
        r'<nav epub:type="landmarks".*?</nav>', lambda _: landmarks, nav, flags=re.DOTALL
    )
    if found != 1:
        raise ValueError("pandoc's EPUB has no landmarks to localise")
    changed["EPUB/nav.xhtml"] = nav
    cover = documents.get("EPUB/text/cover.xhtml")
    if cover is not None:
        label = escape(texts.cover_alt, {'"': "&quot;"})
        changed["EPUB/text/cover.xhtml"] = re.sub(
            r"(<svg [^>]*)>",
            lambda m: (
                f'{m[1]} role="img" aria-label="{label}">\n<title>{escape(texts.cover_alt)}</title>'
            ),
            cover,
            count=1,
        )
    opf = next(data.decode("utf-8") for info, data in members if info.filename.endswith(".opf"))
    if conforms:
        claim = f'<meta property="dcterms:conformsTo">{CONFORMANCE}</meta>'
        opf = opf.replace("</metadata>", f"  {claim}\n  </metadata>", 1)
    opf_name = next(info.filename for info, _ in members if info.filename.endswith(".opf"))
    changed[opf_name] = opf
    with zipfile.ZipFile(path, "w") as archive:
        for info, data in members:
            text = changed.get(info.filename)
            archive.writestr(
                info, data if text is None else text.encode("utf-8"), info.compress_type
            )


def _titled(document: str) -> str:
    """A chapter document titled by its first heading, not by its file name (pandoc's)."""
    heading = re.search(r"<h([1-6])[^>]*>(.*?)</h\1>", document, flags=re.DOTALL)
    if heading is None:
        return document
    title = " ".join(re.sub(r"<[^>]+>", "", heading[2]).split())
    return re.sub(r"<title>[^<]*</title>", lambda _: f"<title>{title}</title>", document, count=1)


def _locate(anchor: str, documents: dict[str, str]) -> str:
    """`how-to-use` → `text/ch001.xhtml#how-to-use`: the document, relative to the nav, that
    holds the id (pandoc names its files as it splits the book)."""
    for name, text in documents.items():
        if re.search(rf'\bid="{re.escape(anchor)}"', text):
            relative = name.removeprefix("EPUB/")
            return f"#{anchor}" if relative == "nav.xhtml" else f"{relative}#{anchor}"
    raise ValueError(f"the EPUB has no place with the id '{anchor}'")
