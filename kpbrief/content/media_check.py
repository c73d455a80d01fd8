"""Media: every file under content/media/ is decoded here, at check time, as the engines
would read it. A file that is not an image a PDF and an EPUB can both carry is an error; a
picture heavy enough to swell the book is a warning, with its size.
"""

from __future__ import annotations

import warnings
from pathlib import Path

from PIL import Image

from kpbrief.content.model import Content, Origin, Problem

HEAVY_MEDIA_BYTES = 5 * 1024 * 1024
HEAVY_MEDIA_PIXELS = 25_000_000  # some 5000 x 5000: 40 cm wide at 300 dpi

# What Pillow calls each format an EPUB 3 reader must show, and the names it goes by.
EPUB_FORMATS = {
    "JPEG": (".jpg", ".jpeg"),
    "PNG": (".png",),
    "GIF": (".gif",),
    "WEBP": (".webp",),
}


def _mib(size: int) -> str:
    return f"{size / (1024 * 1024):.1f} MiB"


def _decode(path: Path) -> tuple[str, tuple[int, int]] | str:
    """(format, size in pixels) of an image read to its last pixel, or why it cannot be."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(path) as image:
                image.load()
                return str(image.format), image.size
    except (Image.DecompressionBombWarning, Image.DecompressionBombError):
        return "it holds more pixels than an image can reasonably have; save it smaller"
    except Exception as failure:  # noqa: BLE001 - any failure of a decoder means 'not an image'
        reason = str(failure).split("\n")[0][:80] or type(failure).__name__
        return f"it is not an image that can be read ({reason})"


def _svg(path: Path) -> str | None:
    """Why an .svg file is not one, or None."""
    head = path.read_bytes()[:4096].lstrip(b"\xef\xbb\xbf \t\r\n")
    if head.startswith(b"<") and b"<svg" in head:
        return None
    return "it is named .svg but holds no SVG picture"


def decoding_problems(content: Content, judged: set[str]) -> list[Problem]:
    """The problems of every raster picture not `judged` already (by its bytes, in
    `pictures`): one that does not decode to its last pixel, a format an EPUB cannot show, a
    weight that would swell the book."""
    problems: list[Problem] = []
    base = content.root / "content"
    for name in content.media:
        if name in judged:
            continue
        path = base / name
        origin = Origin(f"content/{name}")
        suffix = path.suffix.lower()
        if suffix == ".svg":
            why = _svg(path)
            if why is not None:
                problems.append(Problem(origin, "error", f"media file: {why}; export it again"))
            continue
        decoded = _decode(path)
        if isinstance(decoded, str):
            problems.append(
                Problem(
                    origin,
                    "error",
                    f"media file: {decoded}; the book would show its alt text instead and the "
                    "EPUB would be invalid: save it as JPEG or PNG, or remove it",
                )
            )
            continue
        found, (width, height) = decoded
        problems.extend(_form(origin, suffix, found))
        size = path.stat().st_size
        if size > HEAVY_MEDIA_BYTES or width * height > HEAVY_MEDIA_PIXELS:
            problems.append(
                Problem(
                    origin,
                    "warning",
                    f"media file is {_mib(size)} ({width} x {height} pixels): the PDF and the "
                    "EPUB carry it whole; a picture printed a page wide needs about 2500 "
                    "pixels across, so scale it down and save it again",
                )
            )
    return problems


def _form(origin: Origin, suffix: str, found: str) -> list[Problem]:
    if found not in EPUB_FORMATS:
        return [
            Problem(
                origin,
                "error",
                f"media file is a {found} image, which EPUB readers cannot show: save it as "
                "JPEG (a photograph) or PNG (a drawing)",
            )
        ]
    if suffix not in EPUB_FORMATS[found]:
        return [
            Problem(
                origin,
                "error",
                f"media file is a {found} image named '{suffix or '(no suffix)'}': rename it to "
                f"end in {EPUB_FORMATS[found][0]}, and the links to it",
            )
        ]
    return []
