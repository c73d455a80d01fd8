"""Media files judged by their bytes: what kind of image a file is, what is wrong with it,
the words it carries, and the copy of it that may reach an output.

A book's pictures are PNG, JPEG, GIF, WebP or SVG, whatever their names say. An SVG is
XML a reader's software may run: one with a script, an event handler, a `foreignObject`,
a reference to anything outside itself, a `javascript:` link, a DOCTYPE or an entity is
refused (`problems`), and what is copied into an output is rebuilt from the parsed file
with only what is allowed (`cleaned`). A raster keeps its pixels and colour chunks; its
text chunks, comments, EXIF and XMP are left out of every copy.

Pure functions of bytes: the check (content) and the engines both use them.
"""

from __future__ import annotations

import re

from kpbrief.media.raster import (
    PNG_SIGNATURE,
    NotAnImage,
    gif_cleaned,
    gif_texts,
    jpeg_cleaned,
    jpeg_texts,
    png_cleaned,
    png_texts,
    webp_cleaned,
    webp_texts,
)
from kpbrief.media.svg import read_svg

__all__ = ["KINDS", "NotAnImage", "cleaned", "kind_of", "problems", "suffix_problem", "texts"]

KINDS = ("png", "jpeg", "gif", "webp", "svg")


SUFFIXES = {
    "png": (".png",),
    "jpeg": (".jpg", ".jpeg"),
    "gif": (".gif",),
    "webp": (".webp",),
    "svg": (".svg",),
}


def kind_of(data: bytes) -> str | None:
    """The kind of image the bytes are ("png", "jpeg", "gif", "webp", "svg"), or None."""
    if data.startswith(PNG_SIGNATURE):
        return "png"
    if data.startswith(b"\xff\xd8\xff"):
        return "jpeg"
    if data.startswith((b"GIF87a", b"GIF89a")):
        return "gif"
    if len(data) >= 12 and data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return "webp"
    if _looks_like_svg(data):
        return "svg"
    return None


def _looks_like_svg(data: bytes) -> bool:
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return False
    # The root element, after an XML declaration, comments, a DOCTYPE and spaces.
    head = re.sub(
        r"^(\s|<\?xml[^>]*\?>|<!--.*?-->|<!DOCTYPE[^\[>]*(\[.*?\])?\s*>)*",
        "",
        text,
        count=1,
        flags=re.DOTALL,
    )
    return re.match(r"<(?:[A-Za-z_][\w.-]*:)?svg[\s>/]", head) is not None


def problems(data: bytes) -> list[tuple[int, str]]:
    """Why the bytes may not be a book's picture, each at a line of the file (1 for a raster)."""
    kind = kind_of(data)
    if kind is None:
        return [(1, "it is not an image (PNG, JPEG, GIF, WebP or SVG) by its bytes")]
    if kind == "svg":
        return read_svg(data).problems
    try:
        _raster_cleaned(kind, data)
        _decodes(data)
    except NotAnImage as broken:
        return [(1, f"it is not a whole {kind.upper()} image ({broken})")]
    return []


def _decodes(data: bytes) -> None:
    from io import BytesIO

    from PIL import Image

    try:
        with Image.open(BytesIO(data)) as image:
            image.verify()
    except Exception as failure:  # noqa: BLE001 - any failure of the decoder means broken
        raise NotAnImage(str(failure)[:80]) from None


def texts(data: bytes) -> list[tuple[int, str]]:
    """The words a picture carries, by line: an SVG's text and attribute values, a raster's
    text chunks, comments and metadata."""
    kind = kind_of(data)
    if kind == "svg":
        return read_svg(data).texts
    readers = {"png": png_texts, "jpeg": jpeg_texts, "gif": gif_texts, "webp": webp_texts}
    if kind not in readers:
        return []
    try:
        return [(1, text) for text in readers[kind](data) if text]
    except NotAnImage:  # a broken picture: `problems` says so
        return []


def _raster_cleaned(kind: str, data: bytes) -> bytes:
    cleaners = {
        "png": png_cleaned,
        "jpeg": jpeg_cleaned,
        "gif": gif_cleaned,
        "webp": webp_cleaned,
    }
    return cleaners[kind](data)


def cleaned(data: bytes) -> bytes:
    """The copy of a picture that may reach an output: an SVG rebuilt from what is allowed
    (its declaration and comments dropped), a raster without its text and metadata. Raises
    NotAnImage for anything else."""
    kind = kind_of(data)
    if kind is None:
        raise NotAnImage("not an image (PNG, JPEG, GIF, WebP or SVG) by its bytes")
    if kind == "svg":
        svg = read_svg(data)
        if any(reason.startswith("it is not well-formed") for _line, reason in svg.problems):
            raise NotAnImage("an SVG that is not well-formed XML")
        return ('<?xml version="1.0" encoding="UTF-8"?>\n' + "".join(svg.out) + "\n").encode()
    return _raster_cleaned(kind, data)


def suffix_problem(name: str, data: bytes) -> str | None:
    """A name whose suffix says another kind than the bytes, or None."""
    kind = kind_of(data)
    if kind is None:
        return None
    lowered = name.lower()
    if not lowered.endswith(SUFFIXES[kind]):
        return f"it is a {kind.upper()} by its bytes: name it with {SUFFIXES[kind][0]}"
    return None
