"""What the EPUB needs that pandoc does not write, or writes in English only: the book's
own navigation heading and landmarks, the cover's text alternative, chapter titles, and the
claim of EPUB Accessibility 1.1 (WCAG 2.1 AA), made only when the document meets what the
claim rests on here. Applied to the EPUB pandoc wrote, in place.
"""

from __future__ import annotations

import re
import zipfile
from dataclasses import dataclass
from html.parser import HTMLParser
from pathlib import Path
from xml.sax.saxutils import escape

CONFORMANCE = "EPUB Accessibility 1.1 - WCAG 2.1 Level AA"


@dataclass(frozen=True)
class EpubTexts:
    """What the EPUB adds around the book, in the book's language."""

    toc_title: str
    landmarks: str  # the landmarks nav; its links name ids of the book (#how-to-use)
    cover_alt: str


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
