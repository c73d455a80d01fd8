"""EPUB: one HTML document converted by pandoc (EPUB 3), its cover made alongside.

pandoc runs in a folder of its own holding only the stylesheet, fonts, cover and the
media the document names (see `engines.assets`).
"""

from __future__ import annotations

import shutil
from dataclasses import dataclass, replace
from pathlib import Path

from kpbrief import media
from kpbrief.document import (
    ASSETS,
)
from kpbrief.engines.assets import Assets, RefusedResource, guard_resources
from kpbrief.engines.cover import CoverSizeMismatch, render_cover_png
from kpbrief.engines.epub_finish import EpubTexts, claims_conformance, finish_epub
from kpbrief.engines.pandoc import PandocFailed, run_pandoc


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

    pandoc is started first (a process of its own, on the other core) with a blank stand-in
    of the cover's size; the cover is rendered meanwhile and then put in the stand-in's
    place as the EPUB is finished, byte for byte the file pandoc would have packed. A cover
    of another size than expected is given to pandoc again, the slow way.
    """
    from concurrent.futures import ThreadPoolExecutor

    from PIL import Image

    stand_in_path = workdir / "cover-stand-in" / "cover.png"
    stand_in_path.parent.mkdir()
    Image.new("RGB", cover_size, "white").save(stand_in_path, format="PNG")
    stand_in = stand_in_path.read_bytes()
    packed = workdir / "packed.epub"
    conforms, command = _pandoc_folder(html, replace(meta, cover=stand_in_path), packed, workdir)
    with ThreadPoolExecutor(max_workers=1) as pool:
        converting = pool.submit(_convert, command, workdir)
        try:
            cover, expected = render_cover_png(cover_html, assets, cover_size), True
        except CoverSizeMismatch as mismatch:
            cover, expected = mismatch.png, False
        converting.result()
    if expected and finish_epub(packed, target, meta.texts, conforms, (stand_in, cover)):
        return
    # The slow way: the cover, of the layout's own proportions, given to pandoc.
    real = workdir / "cover-real" / "cover.png"
    real.parent.mkdir()
    real.write_bytes(cover)
    render_epub(html, replace(meta, cover=real), target, workdir)


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
    generated: tuple[tuple[str, str], ...] = ()  # (name used in the HTML, its text)
    texts: EpubTexts | None = None  # the navigation's and the cover's own texts; with them
    # the EPUB claims EPUB Accessibility 1.1 if the document meets it (see epub_finish)


# pandoc needs about 3.3 GiB for a 1,000-statement book (BENCHMARKS.md): the ceiling stops a
# runaway document, never a real book.
EPUB_MEMORY = "8g"


def render_epub(html: str, meta: EpubMetadata, target: Path, workdir: Path) -> None:
    """HTML to EPUB3 with pandoc (from the pypandoc-binary wheel), then finished.

    pandoc runs in a folder of its own holding only the stylesheet, fonts and cover; the
    document may refer to nothing else (see `guard_resources`).
    """
    packed = workdir / "packed.epub"
    conforms, command = _pandoc_folder(html, meta, packed, workdir)
    _convert(command, workdir)
    finish_epub(packed, target, meta.texts, conforms)


def _pandoc_folder(
    html: str, meta: EpubMetadata, output: Path, workdir: Path
) -> tuple[bool, list[str]]:
    """pandoc's folder made in `workdir`: the document (once it is found to use only the
    book's assets), its metadata, stylesheet, fonts, media and cover. Whether the EPUB may
    claim conformance, and pandoc's arguments to make `output` there."""
    guarded = guard_resources(html)
    (workdir / "book.html").write_text(html, encoding="utf-8")
    (workdir / "metadata.yaml").write_text(_epub_metadata_yaml(meta), encoding="utf-8")
    shutil.copyfile(meta.css, workdir / "epub.css")
    fonts_dir = workdir / "fonts"
    fonts_dir.mkdir(exist_ok=True)
    args = [
        "--split-level=2",
        "--epub-title-page=false",  # the book's own, localised, is in the HTML
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
        try:  # every resource is a picture of content/media
            destination.write_bytes(media.cleaned(path.read_bytes()))
        except media.NotAnImage as refused:
            raise RefusedResource(f"refused to use '{name[:100]}': {refused}") from None
    for name, text in meta.generated:
        destination = workdir / ASSETS / name
        destination.parent.mkdir(parents=True, exist_ok=True)
        destination.write_text(text, encoding="utf-8")
    if meta.cover is not None:
        shutil.copyfile(meta.cover, workdir / f"cover{meta.cover.suffix}")
        args.append(f"--epub-cover-image=cover{meta.cover.suffix}")
    command = [
        "--from=html+raw_html",  # keeps the elements pandoc has no place for: <time>
        "--to=epub3",
        "book.html",
        f"--output={output.resolve()}",
        *args,
    ]
    conforms = meta.texts is not None and claims_conformance(guarded.images_without_alt, meta.texts)
    return conforms, command


def _convert(command: list[str], workdir: Path) -> None:
    try:
        run_pandoc(
            command,
            cwd=workdir,
            memory=EPUB_MEMORY,
            seconds=None,  # the build's own time limit stops it, with its worker
            sandbox=False,  # it packs the stylesheet, fonts, cover and media named above
        )
    except PandocFailed as failure:
        raise RuntimeError(f"pandoc could not make the EPUB: {failure}") from None


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
    if meta.texts is not None:
        lines.append(f"toc-title: {_yaml_string(meta.texts.toc_title)}")
    if meta.description:
        lines.append(f"description: {_yaml_string(meta.description)}")
    return "\n".join(lines) + "\n"
