"""Write: HTML documents become files — PDF through WeasyPrint, EPUB through pandoc.

The engines see only what kpbrief hands them: WeasyPrint fetches through `AssetFetcher`,
which serves the layouts' and the book's media files and refuses everything else; pandoc
runs in its sandbox, reading only the files named on its command line.
Every file is written under a temporary name in its final folder, then renamed.
"""

from __future__ import annotations

import copy
import mimetypes
import os
import re
import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, replace
from html.parser import HTMLParser
from pathlib import Path, PurePosixPath
from typing import Any
from xml.etree import ElementTree

from .edition import ASSETS

VIRTUAL_ROOT = "file:///kpbrief-book/"


class RefusedResource(Exception):
    """A document asked for something outside the book folder and the layouts."""


@dataclass(frozen=True)
class Assets:
    """The files a rendered document may use, by the name it uses for them."""

    layout_dirs: tuple[Path, ...]  # the book's own layouts first, then kpbrief's
    media_dir: Path

    def find(self, name: str) -> Path | None:
        """`styles/print.css` → the file; None if it is not an allowed asset."""
        parts = PurePosixPath(name).parts
        if not parts or ".." in parts or name.startswith("/"):
            return None
        if parts[0] == "media":
            roots = [self.media_dir]
            rest = parts[1:]
        elif parts[0] in ("styles", "fonts", "images"):
            roots = [d / parts[0] for d in self.layout_dirs]
            rest = parts[1:]
        else:
            return None
        for root in roots:
            candidate = root.joinpath(*rest)
            if candidate.is_file() and not candidate.is_symlink():
                resolved = candidate.resolve()
                if resolved.is_relative_to(root.resolve()):
                    return resolved
        return None

    def names_in(self, folder: str) -> list[str]:
        """Every asset name under `styles`, `fonts` or `media`, first layout dir wins."""
        seen: dict[str, Path] = {}
        roots = [self.media_dir] if folder == "media" else [d / folder for d in self.layout_dirs]
        for root in roots:
            if not root.is_dir():
                continue
            for path in sorted(root.rglob("*")):
                if path.is_file() and not path.is_symlink():
                    name = f"{folder}/{path.relative_to(root).as_posix()}"
                    seen.setdefault(name, path)
        return sorted(seen)


def asset_fetcher(assets: Assets) -> Any:
    """A WeasyPrint URL fetcher that serves assets and refuses everything else."""
    from weasyprint.urls import FatalURLFetchingError, URLFetcher, URLFetcherResponse

    prefix = VIRTUAL_ROOT + ASSETS + "/"

    class AssetFetcher(URLFetcher):  # type: ignore[misc]
        def fetch(self, url: str, headers: Any = None) -> Any:
            if url.startswith(prefix):
                path = assets.find(url[len(prefix) :].split("?")[0].split("#")[0])
                if path is not None:
                    mime = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
                    return URLFetcherResponse(url, path.read_bytes(), {"Content-Type": mime})
            raise FatalURLFetchingError(
                f"refused to load '{url[:100]}': a book may only use files of its "
                "layouts and of content/media"
            )

    return AssetFetcher()


def render_pdf(html: str, assets: Assets, target: Path, accessible: bool = True) -> None:
    """HTML to PDF with WeasyPrint (imported here: it takes a second to load).

    The document is laid out once; again only if the pages it shows need it (see
    `settle_pages`).
    """
    import weasyprint
    from weasyprint.urls import FatalURLFetchingError

    from .pdftags import write_pdf as write_tagged_pdf

    guard_resources(html)
    source = weasyprint.HTML(string=html, base_url=VIRTUAL_ROOT, url_fetcher=asset_fetcher(assets))
    options: dict[str, Any] = {"pdf_tags": True}
    if accessible:
        options["pdf_variant"] = "pdf/ua-1"
    try:
        crossing = crossing_rules(stylesheets(html, assets))
        document = settle_pages(source, source.render(**options), options, crossing)
        target.write_bytes(write_tagged_pdf(document, options))
    except FatalURLFetchingError as refused:
        raise RefusedResource(str(refused)) from None


STYLESHEET = re.compile(r'<link rel="stylesheet" href="([^"]+)"')
INLINE_STYLE = re.compile(r"<style>(.*?)</style>", re.DOTALL)
PAGE_REFERENCE = "target-counter(attr(href url), page)"
REFERENCE_RULE = re.compile(r"([^{}]+)\{([^{}]*target-counter\(attr\(href url\), page\)[^{}]*)\}")


def crossing_rules(css: str) -> str:
    """For each rule printing a link's target page, a copy printing `data-page` instead,
    for the links to another part (class `xpart`)."""
    rules = []
    for selectors, declarations in REFERENCE_RULE.findall(css):
        chosen = []
        for selector in selectors.split(","):
            selector = selector.strip()
            if "::" in selector:
                element, pseudo = selector.split("::", 1)
                chosen.append(f"{element}.xpart::{pseudo}")
            else:
                chosen.append(f"{selector}.xpart")
        body = declarations.replace(PAGE_REFERENCE, "attr(data-page)")
        rules.append(f"{', '.join(chosen)} {{{body}}}")
    return "\n".join(rules)


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


# An element with this attribute holds links to places in the document (an index entry's
# targets) and shows their pages: each page once, in ascending order, each a link.
PAGE_LIST = "data-page-list"
# A body-level element with this attribute starts a page, and what follows it to the end of the
# document (the index) can be laid out on its own: nothing in it refers to an earlier place but
# through page lists, and it sets its own running strings.
RELAYOUT_FROM = "data-relayout-from"
MAX_LAYOUTS = 4


def settle_pages(source: Any, document: Any, options: dict[str, Any], crossing: str = "") -> Any:
    """The laid-out `document` of `source`, with every page it shows right.

    Page lists: while its links are empty, the stylesheet prints each link's page (CSS
    `target-counter`), which cannot leave out a page already printed. So after a layout, if a
    list would show a page twice or out of order, its links are replaced by one link per page,
    in page order, the page number as their text, and the document is laid out again: only
    from the element marked `data-relayout-from`, when there is one, with the earlier pages
    kept as they are. The lists' targets must then still be on the pages the lists show.

    References: WeasyPrint prints a reference's page while it lays pages out, and in a long
    book a place can move to a later page after a reference to it was laid out and not be
    laid out again (seen at 300 pages: "p. 302" for an index entry on page 303). So the text
    made for each link is read back from the layout; if a link's generated text lacks its
    target's page, every link is given its target's page as `data-page`, printed by
    `crossing` (copies of the stylesheet's rules, see `crossing_rules`), and the whole
    document is laid out again. Both are checked again after each layout (a few at most).
    """
    lists = _page_lists(source.etree_element)
    targets = {href for _, links in lists for href, _link in links}
    written: dict[str, int] | None = None  # the pages the lists show, once written out
    for layout in range(MAX_LAYOUTS):
        pages = anchor_pages(document)
        if written is None:
            lists_right = all(_ascending([pages.get(h) for h, _ in links]) for _, links in lists)
        else:
            lists_right = all(pages.get(href) == page for href, page in written.items())
        references_right = not crossing or not stale_references(document, pages)
        if (lists_right and references_right) or layout == MAX_LAYOUTS - 1:
            return document
        if not lists_right:
            written = {href: pages[href] for href in targets if href in pages}
            for element, links in lists:
                _rewrite_page_list(element, links, written)
        if references_right:
            document = _relayout_tail(source, document, options) or source.render(
                font_config=document.font_config, **options
            )
        else:
            _give_pages(source.etree_element, pages, crossing)
            document = source.render(font_config=document.font_config, **options)
    return document


def stale_references(document: Any, pages: dict[str, int]) -> bool:
    """Whether a link's generated text (`::before`, `::after`) shows numbers, none of them
    the page of the link's target."""
    for page in document.pages:
        boxes = [page._page_box]
        while boxes:
            box = boxes.pop()
            tag = getattr(box, "element_tag", None) or ""
            element = getattr(box, "element", None)
            if tag.endswith(("::before", "::after")) and element is not None:
                href = element.get("href") or ""
                target = pages.get(href[1:]) if element.tag == "a" and href[:1] == "#" else None
                if target is not None:
                    numbers = re.findall(r"\d+", "".join(_texts(box)))
                    if numbers and str(target) not in numbers:
                        return True
                continue
            boxes.extend(getattr(box, "children", None) or ())
    return False


def _texts(box: Any) -> Iterator[str]:
    text = getattr(box, "text", None)
    if isinstance(text, str):
        yield text
    for child in getattr(box, "children", None) or ():
        yield from _texts(child)


def _give_pages(root: Any, pages: dict[str, int], crossing: str) -> None:
    """Every link to a place in the document shows the place's page from `data-page`."""
    head = root.find("head")
    if head is not None and head.find("style[@data-kpbrief-pages]") is None:
        style = head.makeelement("style", {"data-kpbrief-pages": ""})
        style.text = crossing
        head.append(style)
    for link in root.iter("a"):
        href = link.get("href") or ""
        if href[:1] == "#" and href[1:] in pages:
            link.set("data-page", str(pages[href[1:]]))
            classes = (link.get("class") or "").split()
            if "xpart" not in classes:
                link.set("class", " ".join([*classes, "xpart"]))


def _relayout_tail(source: Any, previous: Any, options: dict[str, Any]) -> Any | None:
    """`previous`'s pages up to the `data-relayout-from` element, then that element and all
    after it laid out again on their own; None where that cannot be done exactly."""
    import weasyprint

    body = source.etree_element.find("body")
    children = list(body) if body is not None else []
    start = next((i for i, child in enumerate(children) if RELAYOUT_FROM in child.attrib), None)
    before = anchor_pages(previous)
    first = before.get(children[start].get("id") or "") if start is not None else None
    if start is None or first is None:
        return None
    # The tail alone: the same head, the body from the marked element on. The page counter
    # goes on from `first`; a spacer page, left out afterwards, keeps left pages left.
    root = source.etree_element
    head = root.find("head")
    if head is None or body is None:
        return None
    tail = root.makeelement(root.tag, dict(root.attrib))
    head = copy.deepcopy(head)
    tail_body = body.makeelement(body.tag, dict(body.attrib))
    tail.extend([head, tail_body])
    spacer = first % 2 == 0
    if spacer:
        tail_body.append(body.makeelement("div", {"style": "break-after: page"}))
    tail_body.extend(copy.deepcopy(child) for child in children[start:])
    style = head.makeelement("style", {})
    style.text = f"@page :first {{ counter-reset: page {first - 1 if spacer else first} }}"
    head.append(style)
    html = ElementTree.tostring(tail, encoding="unicode", method="html")
    rendered = weasyprint.HTML(
        string=html, base_url=source.base_url, url_fetcher=source.url_fetcher
    ).render(font_config=previous.font_config, **options)
    pages = rendered.pages[1:] if spacer else rendered.pages
    combined = previous.copy(previous.pages[: first - 1] + pages)
    # Places the earlier pages point to (by their page numbers) must not have moved.
    after = anchor_pages(combined)
    pointed_to = {
        link.get("href")[1:]
        for child in children[:start]
        for link in child.iter("a")
        if (link.get("href") or "").startswith("#")
    }
    if after.get(children[start].get("id") or "") != first or any(
        before.get(name) != after.get(name) for name in pointed_to
    ):
        return None
    return combined


def anchor_pages(document: Any) -> dict[str, int]:
    """Every anchor of a laid-out document, and the number of the page it is on (from 1)."""
    pages: dict[str, int] = {}
    for number, page in enumerate(document.pages, 1):
        for name in page.anchors:
            pages.setdefault(name, number)
    return pages


def _page_lists(root: Any) -> list[tuple[Any, list[tuple[str, Any]]]]:
    """Each page list element, with its links as the template wrote them: (anchor, element)."""
    found = []
    for element in root.iter():
        if PAGE_LIST in element.attrib:
            links = [
                (child.get("href")[1:], child)
                for child in element
                if child.tag == "a" and (child.get("href") or "").startswith("#")
            ]
            found.append((element, links))
    return found


def _ascending(pages: list[int | None]) -> bool:
    known = [page for page in pages if page is not None]
    return all(a < b for a, b in zip(known, known[1:], strict=False))


def _rewrite_page_list(element: Any, links: list[tuple[str, Any]], pages: dict[str, int]) -> None:
    """One link per page, in page order, to the first of the list's targets on that page."""
    first_on: dict[int, Any] = {}
    for href, link in links:
        if href in pages:
            first_on.setdefault(pages[href], link)
    for child in list(element):
        element.remove(child)
    for page in sorted(first_on):
        link = first_on[page]
        number = link.makeelement(link.tag, dict(link.attrib))
        number.text = str(page)  # the page counter counts every page from the cover on
        element.append(number)


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


def write_epub(
    html: str,
    meta: EpubMetadata,
    cover_html: str,
    assets: Assets,
    cover_size: tuple[int, int],
    target: Path,
    workdir: Path,
) -> None:
    """The EPUB, its cover image made by WeasyPrint while pandoc converts the book.

    pandoc runs (a process of its own, on the other core) with a blank stand-in of the cover's
    size; the cover is rendered meanwhile and then put in the stand-in's place in the EPUB,
    byte for byte the file pandoc would have packed. A cover of another size than expected
    is given to pandoc again, the slow way.
    """
    from concurrent.futures import ThreadPoolExecutor

    from PIL import Image

    stand_in_path = workdir / "cover-stand-in" / "cover.png"
    stand_in_path.parent.mkdir()
    Image.new("RGB", cover_size, "white").save(stand_in_path, format="PNG")
    stand_in = stand_in_path.read_bytes()
    packed = workdir / "packed.epub"
    with ThreadPoolExecutor(max_workers=1) as pool:
        converting = pool.submit(
            render_epub, html, replace(meta, cover=stand_in_path), packed, workdir
        )
        try:
            cover, expected = render_cover_png(cover_html, assets, cover_size), True
        except CoverSizeMismatch as mismatch:
            cover, expected = mismatch.png, False
        converting.result()
    if expected and _replace_member(packed, stand_in, cover, target):
        return
    # The slow way: the cover, of the layout's own proportions, given to pandoc.
    real = workdir / "cover-real" / "cover.png"
    real.parent.mkdir()
    real.write_bytes(cover)
    render_epub(html, replace(meta, cover=real), target, workdir)


def _replace_member(archive: Path, old: bytes, new: bytes, target: Path) -> bool:
    """`archive` copied to `target` with the one member holding `old` holding `new` instead;
    False (and nothing written) unless exactly one member holds `old`."""
    import zipfile

    with zipfile.ZipFile(archive) as source:
        members = source.infolist()
        matching = [m for m in members if m.file_size == len(old) and source.read(m) == old]
        if len(matching) != 1:
            return False
        with zipfile.ZipFile(target, "w") as copy_:
            for member in members:
                data = new if member is matching[0] else source.read(member)
                copy_.writestr(member, data, compress_type=member.compress_type)
    return True


@dataclass(frozen=True)
class EpubMetadata:
    identifier: str
    title: str
    subtitle: str | None
    lang: str
    publisher: str
    date: str
    description: str | None
    accessibility_summary: str
    css: Path
    fonts: tuple[Path, ...]
    cover: Path | None
    resources: tuple[tuple[str, Path], ...] = ()  # (name used in the HTML, file)


def render_epub(html: str, meta: EpubMetadata, target: Path, workdir: Path) -> None:
    """HTML to EPUB3 with pandoc (from the pypandoc-binary wheel).

    pandoc runs in a folder of its own holding only the stylesheet, fonts and cover; the
    document may refer to nothing else (see `guard_resources`).
    """
    import pypandoc

    guard_resources(html)
    (workdir / "book.html").write_text(html, encoding="utf-8")
    (workdir / "metadata.yaml").write_text(_epub_metadata_yaml(meta), encoding="utf-8")
    shutil.copyfile(meta.css, workdir / "epub.css")
    fonts_dir = workdir / "fonts"
    fonts_dir.mkdir(exist_ok=True)
    args = [
        "--split-level=2",
        "--toc",
        "--toc-depth=2",
        "--css=epub.css",
        "--metadata-file=metadata.yaml",
        "--resource-path=.",
    ]
    for font in meta.fonts:
        shutil.copyfile(font, fonts_dir / font.name)
        args.append(f"--epub-embed-font=fonts/{font.name}")
    for name, path in meta.resources:
        destination = workdir / ASSETS / name
        destination.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(path, destination)
    if meta.cover is not None:
        shutil.copyfile(meta.cover, workdir / f"cover{meta.cover.suffix}")
        args.append(f"--epub-cover-image=cover{meta.cover.suffix}")
    pypandoc.convert_file(
        "book.html",
        "epub3",
        format="html",
        outputfile=str(target.resolve()),
        extra_args=args,
        cworkdir=str(workdir),
    )


_RESOURCE_ATTRIBUTES = frozenset(
    {"src", "href", "xlink:href", "data", "poster", "srcset", "background", "action"}
)


class _ResourceFinder(HTMLParser):
    """Every attribute value through which an engine could load something, as it parses.

    An HTML parser, not a pattern, so that unquoted values and character references are
    read as the engines will read them. Links (`<a href>`) are not loads and are left out.
    """

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.found: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "a":
            return
        for name, value in attrs:
            if name in _RESOURCE_ATTRIBUTES and value is not None:
                self.found.append(value)

    handle_startendtag = handle_starttag


def guard_resources(html: str) -> None:
    """Refuse a document that would make an engine load anything but the book's assets."""
    finder = _ResourceFinder()
    finder.feed(html)
    finder.close()
    for url in finder.found:
        if not url.startswith(ASSETS + "/") or ".." in url or ":" in url:
            raise RefusedResource(
                f"refused to load '{url[:100]}': a book may only use files of its layouts "
                "and of content/media"
            )


def _yaml_string(value: str) -> str:
    return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'


def _epub_metadata_yaml(meta: EpubMetadata) -> str:
    lines = [
        f"identifier: {_yaml_string(meta.identifier)}",
        f"title: {_yaml_string(meta.title)}",
        f"lang: {_yaml_string(meta.lang)}",
        f"publisher: {_yaml_string(meta.publisher)}",
        f"creator: {_yaml_string(meta.publisher)}",
        f"date: {_yaml_string(meta.date)}",
        "accessModes: [textual, visual]",
        "accessModeSufficient: [textual]",
        "accessibilityFeatures: [structuralNavigation, tableOfContents, alternativeText,"
        " readingOrder]",
        "accessibilityHazards: [none]",
        f"accessibilitySummary: {_yaml_string(meta.accessibility_summary)}",
    ]
    if meta.subtitle:
        lines.append(f"subtitle: {_yaml_string(meta.subtitle)}")
    if meta.description:
        lines.append(f"description: {_yaml_string(meta.description)}")
    return "\n".join(lines) + "\n"


def copy_assets(assets: Assets, names: list[str], folder: Path) -> None:
    """Put the assets an HTML document uses beside it, under `kpbrief-assets/`."""
    for name in names:
        path = assets.find(name)
        if path is None:
            continue
        destination = folder / ASSETS / name
        destination.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(path, destination)


def asset_names_used(html: str) -> list[str]:
    """The asset names an HTML document refers to (its stylesheet's are added by callers)."""
    found = re.findall(re.escape(ASSETS) + r"/([^\"')\s>]+)", html)
    return sorted(set(found))


@contextmanager
def staged_outputs(out_dir: Path) -> Iterator[dict[Path, Path]]:
    """Outputs written to temporary names, renamed into place only if all succeed.

    The caller maps each final path to the temporary path it wrote. If anything fails,
    every temporary file is removed and the earlier outputs stay as they were.
    """
    out_dir.mkdir(parents=True, exist_ok=True)
    staged: dict[Path, Path] = {}
    try:
        yield staged
    except BaseException:
        for temporary in staged.values():
            temporary.unlink(missing_ok=True)
        raise
    for final, temporary in staged.items():
        os.replace(temporary, final)


def temporary_beside(final: Path) -> Path:
    handle, name = tempfile.mkstemp(prefix=f".{final.name}.", suffix=".tmp", dir=final.parent)
    os.close(handle)
    os.chmod(name, 0o644)  # mkstemp's 0600 would keep a shared book from its readers
    return Path(name)
