"""The files a document may use, and nothing else: WeasyPrint's fetcher, pandoc's resources.

A document names assets as `kpbrief-assets/<folder>/<name>` (see `kpbrief.document`);
`Assets.find` resolves such a name to a file of the layouts or of content/media, never to
a link or a path outside them, and `guard_resources` refuses a document that asks for more.
"""

from __future__ import annotations

import mimetypes
import re
from dataclasses import dataclass
from html.parser import HTMLParser
from pathlib import Path, PurePosixPath
from typing import Any

from kpbrief import media
from kpbrief.confine import inside
from kpbrief.document import (
    ASSETS,
    VIRTUAL_ROOT,
)


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
                if resolved.is_relative_to(root.resolve()) and (
                    parts[0] != "media" or inside(self.media_dir.parent.parent, resolved)
                ):
                    return resolved
        return None

    def read(self, name: str) -> bytes | None:
        """An asset's bytes as they may reach an output: a picture of content/media as
        `kpbrief.media.cleaned` makes it (an SVG rebuilt, a raster without metadata)."""
        path = self.find(name)
        if path is None:
            return None
        data = path.read_bytes()
        if PurePosixPath(name).parts[0] != "media":
            return data
        try:
            return media.cleaned(data)
        except media.NotAnImage as refused:
            raise RefusedResource(f"refused to use '{name[:100]}': {refused}") from None

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
                name = url[len(prefix) :].split("?")[0].split("#")[0]
                try:
                    data = assets.read(name)
                except RefusedResource as refused:
                    raise FatalURLFetchingError(str(refused)) from None
                if data is not None:
                    mime = mimetypes.guess_type(name)[0] or "application/octet-stream"
                    return URLFetcherResponse(url, data, {"Content-Type": mime})
            raise FatalURLFetchingError(
                f"refused to load '{url[:100]}': a book may only use files of its "
                "layouts and of content/media"
            )

    return AssetFetcher()


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
        self.images_without_alt = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "a":
            return
        for name, value in attrs:
            if name in _RESOURCE_ATTRIBUTES and value is not None:
                self.found.append(value)
        if tag == "img" and not (dict(attrs).get("alt") or "").strip():
            self.images_without_alt += 1

    handle_startendtag = handle_starttag


@dataclass(frozen=True)
class Guarded:
    """What the guard's reading of a document found besides its resources."""

    images_without_alt: int  # <img> elements with no text alternative (or a blank one)


def guard_resources(html: str) -> Guarded:
    """Refuse a document that would make an engine load anything but the book's assets.

    The same reading counts the pictures without a text alternative (the EPUB's
    conformance claim rests on there being none): a big document is parsed once."""
    finder = _ResourceFinder()
    finder.feed(html)
    finder.close()
    for url in finder.found:
        if not url.startswith(ASSETS + "/") or ".." in url or ":" in url:
            raise RefusedResource(
                f"refused to load '{url[:100]}': a book may only use files of its layouts "
                "and of content/media"
            )
    return Guarded(images_without_alt=finder.images_without_alt)


def copy_assets(assets: Assets, names: list[str], folder: Path) -> None:
    """Put the assets an HTML document uses beside it, under `kpbrief-assets/`."""
    for name in names:
        data = assets.read(name)
        if data is None:
            continue
        destination = folder / ASSETS / name
        try:
            if destination.stat().st_size == len(data) and destination.read_bytes() == data:
                continue  # in place already (an earlier build's): not written again
        except OSError:
            pass
        if not destination.parent.is_dir():
            destination.parent.mkdir(parents=True, exist_ok=True)
        destination.write_bytes(data)


def asset_names_used(html: str) -> list[str]:
    """The asset names an HTML document refers to (its stylesheet's are added by callers)."""
    found = re.findall(re.escape(ASSETS) + r"/([^\"')\s>]+)", html)
    return sorted(set(found))
