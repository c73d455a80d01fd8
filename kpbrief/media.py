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
import struct
import zlib
from dataclasses import dataclass, field
from html import escape
from xml.parsers import expat

KINDS = ("png", "jpeg", "gif", "webp", "svg")
SUFFIXES = {
    "png": (".png",),
    "jpeg": (".jpg", ".jpeg"),
    "gif": (".gif",),
    "webp": (".webp",),
    "svg": (".svg",),
}
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
MAX_TEXT = 1_000_000  # bytes of a compressed text chunk read back, at most


class NotAnImage(ValueError):
    """The bytes are no image kpbrief accepts, or an SVG that cannot be made safe."""


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


# -- SVG ------------------------------------------------------------------------------------

FORBIDDEN_ELEMENTS = frozenset(
    {
        "script",
        "foreignobject",
        "iframe",
        "embed",
        "object",
        "handler",
        "listener",
        "audio",
        "video",
        "canvas",
        "frame",
        "frameset",
        "portal",
    }
)
ANIMATIONS = frozenset({"set", "animate", "animatemotion", "animatetransform", "animatecolor"})
LINK_SCHEMES = ("https://", "http://", "mailto:")
_URL_RE = re.compile(r"url\(\s*(['\"]?)\s*([^'\")\s]*)", re.IGNORECASE)


def _local(name: str) -> str:
    return name.rsplit(":", 1)[-1].lower()


def _squeezed(value: str) -> str:
    """A value as a browser reads a URL: spaces and control characters dropped, lowercase."""
    return re.sub(r"[\x00-\x20\x7f]+", "", value).lower()


def _style_problem(css: str) -> str | None:
    lowered = css.lower()
    if "@import" in lowered:
        return "a style with @import"
    if "expression(" in lowered or "javascript:" in _squeezed(css):
        return "a style with a script"
    for _quote, target in _URL_RE.findall(css):
        if not target.startswith("#"):
            return f"a style that loads url({target[:60]})"
    return None


def _attribute_problem(element: str, name: str, value: str) -> str | None:
    local = _local(name)
    squeezed = _squeezed(value)
    if local.startswith("on"):
        return f"an event handler ({name}= on <{element}>)"
    if local == "href" or local == "src":
        if squeezed.startswith("#"):
            return None
        if element == "a" and squeezed.startswith(LINK_SCHEMES):
            return None
        if squeezed.startswith(("javascript:", "vbscript:")):
            return f'a script link ({name}="{value[:60]}" on <{element}>)'
        return f'an external reference ({name}="{value[:60]}" on <{element}>)'
    if local == "style":
        return _style_problem(value)
    if "url(" in value.lower():
        return _style_problem(value)
    if (
        element in ANIMATIONS
        and local == "attributename"
        and (_local(value) in ("href", "src") or _local(value).startswith("on"))
    ):
        return f"an animation of {value} (on <{element}>)"
    if "javascript:" in squeezed or "vbscript:" in squeezed:
        return f"a script in {name}= on <{element}>"
    return None


@dataclass
class _Svg:
    """One SVG read with expat: its problems (line, reason), its words, its clean copy."""

    problems: list[tuple[int, str]] = field(default_factory=list)
    texts: list[tuple[int, str]] = field(default_factory=list)
    out: list[str] = field(default_factory=list)
    skipping: int = 0  # depth inside an element left out
    open: list[str] = field(default_factory=list)


def _read_svg(data: bytes) -> _Svg:
    svg = _Svg()
    parser = expat.ParserCreate()  # no namespace processing: prefixes kept as written
    parser.SetParamEntityParsing(expat.XML_PARAM_ENTITY_PARSING_NEVER)

    def line() -> int:
        return int(parser.CurrentLineNumber)

    def refuse(reason: str) -> None:
        svg.problems.append((line(), reason))

    def doctype(*_args: object) -> None:
        refuse("a DOCTYPE (it may declare entities)")

    def entity(*_args: object) -> None:
        refuse("an entity declaration")

    def external(*_args: object) -> int:
        refuse("an external entity")
        return 1

    def instruction(target: str, _data: str) -> None:
        if target.lower() != "xml":
            refuse(f"a processing instruction (<?{target}…?>)")

    def start(name: str, attrs: dict[str, str]) -> None:
        element = _local(name)
        svg.open.append(element)
        svg.texts.extend((line(), value) for value in attrs.values())
        if svg.skipping:
            svg.skipping += 1
            return
        if element in FORBIDDEN_ELEMENTS:
            refuse(f"a <{name}> element")
            svg.skipping = 1
            return
        kept = []
        for key, value in attrs.items():
            problem = _attribute_problem(element, key, value)
            if problem:
                refuse(problem)
            else:
                kept.append(f' {key}="{escape(value, quote=True)}"')
        svg.out.append(f"<{name}{''.join(kept)}>")

    def end(name: str) -> None:
        svg.open.pop()
        if svg.skipping:
            svg.skipping -= 1
            return
        svg.out.append(f"</{name}>")

    def text(words: str) -> None:
        svg.texts.append((line(), words))
        if svg.skipping:
            return
        if svg.open and svg.open[-1] == "style":
            problem = _style_problem(words)
            if problem:
                refuse(problem)
                return
        svg.out.append(escape(words, quote=False))

    parser.StartDoctypeDeclHandler = doctype
    parser.EntityDeclHandler = entity
    parser.UnparsedEntityDeclHandler = entity
    parser.ExternalEntityRefHandler = external
    parser.ProcessingInstructionHandler = instruction
    parser.StartElementHandler = start
    parser.EndElementHandler = end
    parser.CharacterDataHandler = text
    parser.CommentHandler = lambda words: svg.texts.append((line(), words))  # never copied
    try:
        parser.Parse(data, True)
    except expat.ExpatError as error:
        svg.problems.append(
            (error.lineno, f"it is not well-formed XML ({expat.errors.messages[error.code]})")
        )
    return svg


# -- rasters: chunks, segments and blocks --------------------------------------------------

PNG_KEPT = frozenset(
    {
        b"IHDR",
        b"PLTE",
        b"IDAT",
        b"IEND",
        b"tRNS",
        b"gAMA",
        b"cHRM",
        b"sRGB",
        b"sBIT",
        b"pHYs",
        b"bKGD",
        b"acTL",
        b"fcTL",
        b"fdAT",
    }
)


def _png_chunks(data: bytes) -> list[tuple[bytes, bytes, bytes]]:
    """(type, payload, the chunk's bytes as written) for every chunk, in order."""
    chunks = []
    at = len(PNG_SIGNATURE)
    while at < len(data):
        if at + 12 > len(data):
            raise NotAnImage("a PNG chunk is cut short")
        (length,) = struct.unpack(">I", data[at : at + 4])
        kind = data[at + 4 : at + 8]
        end = at + 12 + length
        if end > len(data):
            raise NotAnImage("a PNG chunk is cut short")
        chunks.append((kind, data[at + 8 : at + 8 + length], data[at:end]))
        at = end
        if kind == b"IEND":
            break
    return chunks


def _inflate(payload: bytes) -> bytes:
    try:
        return zlib.decompressobj().decompress(payload, MAX_TEXT)
    except zlib.error:
        return b""


def _png_texts(data: bytes) -> list[str]:
    texts = []
    for kind, payload, _raw in _png_chunks(data):
        if kind == b"tEXt":
            texts.append(payload.replace(b"\0", b" ").decode("latin-1"))
        elif kind == b"zTXt":
            keyword, _sep, rest = payload.partition(b"\0")
            texts.append(keyword.decode("latin-1") + " " + _inflate(rest[1:]).decode("latin-1"))
        elif kind == b"iTXt":
            keyword, _sep, rest = payload.partition(b"\0")
            compressed = rest[:1] == b"\x01"
            fields = rest[2:].split(b"\0", 2)
            words = fields[-1] if len(fields) == 3 else b""
            if compressed:
                words = _inflate(words)
            head = b" ".join([keyword, *fields[:-1]])
            texts.append(head.decode("utf-8", "replace") + " " + words.decode("utf-8", "replace"))
        elif kind not in PNG_KEPT:
            texts.append(_printable(payload))
    return texts


def _png_cleaned(data: bytes) -> bytes:
    kept = [raw for kind, _payload, raw in _png_chunks(data) if kind in PNG_KEPT]
    return PNG_SIGNATURE + b"".join(kept)


JPEG_KEPT_APP = frozenset({0xE0, 0xE2, 0xEE})  # JFIF, ICC profile, Adobe (colour transform)


def _jpeg_segments(data: bytes) -> tuple[list[tuple[int, bytes]], bytes]:
    """(marker, the segment's bytes) before the scan, and the scan to the end, verbatim."""
    segments: list[tuple[int, bytes]] = []
    at = 2
    while at + 4 <= len(data):
        if data[at] != 0xFF:
            raise NotAnImage("a JPEG segment does not start with a marker")
        marker = data[at + 1]
        if marker == 0xFF:  # fill byte
            at += 1
            continue
        if marker == 0xDA:  # start of scan: the rest is image data
            return segments, data[at:]
        if 0xD0 <= marker <= 0xD7 or marker == 0x01:
            segments.append((marker, data[at : at + 2]))
            at += 2
            continue
        (length,) = struct.unpack(">H", data[at + 2 : at + 4])
        end = at + 2 + length
        if length < 2 or end > len(data):
            raise NotAnImage("a JPEG segment is cut short")
        segments.append((marker, data[at:end]))
        at = end
    raise NotAnImage("a JPEG without image data")


def _jpeg_dropped(marker: int) -> bool:
    return marker == 0xFE or (0xE0 <= marker <= 0xEF and marker not in JPEG_KEPT_APP)


def _jpeg_texts(data: bytes) -> list[str]:
    segments, _scan = _jpeg_segments(data)
    return [_printable(raw[4:]) for marker, raw in segments if _jpeg_dropped(marker)]


def _jpeg_cleaned(data: bytes) -> bytes:
    segments, scan = _jpeg_segments(data)
    return b"\xff\xd8" + b"".join(raw for m, raw in segments if not _jpeg_dropped(m)) + scan


GIF_LOOPING = (b"NETSCAPE2.0", b"ANIMEXTS1.0")


def _gif_blocks(data: bytes) -> list[tuple[str, bytes, bytes]]:
    """(what, payload, bytes as written): the header with its colour table, then each block."""

    def sub_blocks(at: int) -> int:
        while True:
            if at >= len(data):
                raise NotAnImage("a GIF block is cut short")
            size = data[at]
            at += 1 + size
            if size == 0:
                return at

    if len(data) < 13:
        raise NotAnImage("a GIF is cut short")
    flags = data[10]
    at = 13 + (3 * 2 ** ((flags & 7) + 1) if flags & 0x80 else 0)
    blocks = [("header", b"", data[:at])]
    while at < len(data):
        start = at
        if data[at] == 0x3B:
            blocks.append(("trailer", b"", data[at : at + 1]))
            break
        if data[at] == 0x21 and at + 1 < len(data):
            label = data[at + 1]
            end = sub_blocks(at + 2)
            payload = _gif_payload(data[at + 2 : end])
            what = {0xFE: "comment", 0x01: "plain text", 0xFF: "application", 0xF9: "control"}
            blocks.append((what.get(label, "extension"), payload, data[start:end]))
            at = end
        elif data[at] == 0x2C:
            if at + 10 > len(data):
                raise NotAnImage("a GIF image is cut short")
            local = data[at + 9]
            at += 10 + (3 * 2 ** ((local & 7) + 1) if local & 0x80 else 0)
            end = sub_blocks(at + 1)
            blocks.append(("image", b"", data[start:end]))
            at = end
        else:
            raise NotAnImage("a GIF block of an unknown kind")
    return blocks


def _gif_payload(blocks: bytes) -> bytes:
    out, at = [], 0
    while at < len(blocks) and blocks[at]:
        out.append(blocks[at + 1 : at + 1 + blocks[at]])
        at += 1 + blocks[at]
    return b"".join(out)


def _gif_kept(what: str, payload: bytes) -> bool:
    if what == "application":
        return payload.startswith(GIF_LOOPING)
    return what not in ("comment", "plain text", "extension")


def _gif_texts(data: bytes) -> list[str]:
    return [_printable(p) for what, p, _raw in _gif_blocks(data) if not _gif_kept(what, p)]


def _gif_cleaned(data: bytes) -> bytes:
    return b"".join(raw for what, p, raw in _gif_blocks(data) if _gif_kept(what, p))


WEBP_DROPPED = (b"EXIF", b"XMP ")


def _webp_chunks(data: bytes) -> list[tuple[bytes, bytes]]:
    chunks, at = [], 12
    while at + 8 <= len(data):
        kind = data[at : at + 4]
        (size,) = struct.unpack("<I", data[at + 4 : at + 8])
        end = at + 8 + size + (size & 1)
        if at + 8 + size > len(data):
            raise NotAnImage("a WebP chunk is cut short")
        chunks.append((kind, data[at:end]))
        at = end
    return chunks


def _webp_texts(data: bytes) -> list[str]:
    return [_printable(raw[8:]) for kind, raw in _webp_chunks(data) if kind in WEBP_DROPPED]


def _webp_cleaned(data: bytes) -> bytes:
    kept = []
    for kind, raw in _webp_chunks(data):
        if kind in WEBP_DROPPED:
            continue
        if kind == b"VP8X" and len(raw) > 8:
            raw = raw[:8] + bytes([raw[8] & ~0x0C]) + raw[9:]  # no EXIF, no XMP
        kept.append(raw)
    body = b"WEBP" + b"".join(kept)
    return b"RIFF" + struct.pack("<I", len(body)) + body


def _printable(payload: bytes) -> str:
    """The runs of text in binary metadata (EXIF, XMP, comments), as UTF-8 or Latin-1."""
    text = payload.decode("utf-8", "replace")
    if "\ufffd" in text:
        text = payload.decode("latin-1")
    return " ".join(re.findall(r"[^\x00-\x1f\x7f\ufffd]{3,}", text))


# -- what the check and the engines ask -----------------------------------------------------


def problems(data: bytes) -> list[tuple[int, str]]:
    """Why the bytes may not be a book's picture, each at a line of the file (1 for a raster)."""
    kind = kind_of(data)
    if kind is None:
        return [(1, "it is not an image (PNG, JPEG, GIF, WebP or SVG) by its bytes")]
    if kind == "svg":
        return _read_svg(data).problems
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
        return _read_svg(data).texts
    readers = {"png": _png_texts, "jpeg": _jpeg_texts, "gif": _gif_texts, "webp": _webp_texts}
    if kind not in readers:
        return []
    try:
        return [(1, text) for text in readers[kind](data) if text]
    except NotAnImage:  # a broken picture: `problems` says so
        return []


def _raster_cleaned(kind: str, data: bytes) -> bytes:
    cleaners = {
        "png": _png_cleaned,
        "jpeg": _jpeg_cleaned,
        "gif": _gif_cleaned,
        "webp": _webp_cleaned,
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
        svg = _read_svg(data)
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
