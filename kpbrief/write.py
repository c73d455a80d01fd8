"""Write: HTML documents become files — PDF through WeasyPrint, EPUB through pandoc.

The engines see only what kpbrief hands them: WeasyPrint fetches through `AssetFetcher`,
which serves the layouts' and the book's media files and refuses everything else; pandoc
runs in its sandbox, reading only the files named on its command line.
Every file is written under a temporary name in its final folder, then renamed.
"""

from __future__ import annotations

import mimetypes
import os
import re
import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import Any

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
    """HTML to PDF with WeasyPrint (imported here: it takes a second to load)."""
    import weasyprint
    from weasyprint.urls import FatalURLFetchingError

    guard_resources(html)
    document = weasyprint.HTML(
        string=html, base_url=VIRTUAL_ROOT, url_fetcher=asset_fetcher(assets)
    )
    options: dict[str, Any] = {"pdf_tags": True}
    if accessible:
        options["pdf_variant"] = "pdf/ua-1"
    try:
        document.write_pdf(str(target), **options)
    except FatalURLFetchingError as refused:
        raise RefusedResource(str(refused)) from None


def render_cover_png(html: str, assets: Assets, target: Path, width: int = 1400) -> None:
    """The cover page, rendered by WeasyPrint and rasterised by PDFium, as a PNG."""
    import pypdfium2
    import weasyprint

    guard_resources(html)
    pdf = weasyprint.HTML(
        string=html, base_url=VIRTUAL_ROOT, url_fetcher=asset_fetcher(assets)
    ).write_pdf()
    document = pypdfium2.PdfDocument(pdf)
    try:
        page = document[0]
        scale = width / page.get_width()
        image = page.render(scale=scale).to_pil()
        image.convert("RGB").save(target, format="PNG")
    finally:
        document.close()


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


_RESOURCE_RE = re.compile(
    r"<(?:img|image|source|link|object|embed|iframe|script|video|audio|track|input)\b[^>]*?"
    r"\s(?:src|href|xlink:href|data|poster|srcset)\s*=\s*[\"']([^\"']*)[\"']",
    re.IGNORECASE,
)


def guard_resources(html: str) -> None:
    """Refuse a document that would make an engine load anything but the book's assets."""
    for match in _RESOURCE_RE.finditer(html):
        url = match[1]
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
