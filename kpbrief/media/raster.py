"""Raster pictures (PNG, JPEG, GIF, WebP) read chunk by chunk: the text they carry, and a
copy without their metadata (text chunks, comments, EXIF, XMP), pixels untouched."""

from __future__ import annotations

import re
import struct
import zlib


class NotAnImage(ValueError):
    """The bytes are no image kpbrief accepts, or an SVG that cannot be made safe."""


PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


MAX_TEXT = 1_000_000  # bytes of a compressed text chunk read back, at most


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


def png_texts(data: bytes) -> list[str]:
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
            texts.append(printable(payload))
    return texts


def png_cleaned(data: bytes) -> bytes:
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


def jpeg_texts(data: bytes) -> list[str]:
    segments, _scan = _jpeg_segments(data)
    return [printable(raw[4:]) for marker, raw in segments if _jpeg_dropped(marker)]


def jpeg_cleaned(data: bytes) -> bytes:
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


def gif_texts(data: bytes) -> list[str]:
    return [printable(p) for what, p, _raw in _gif_blocks(data) if not _gif_kept(what, p)]


def gif_cleaned(data: bytes) -> bytes:
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


def webp_texts(data: bytes) -> list[str]:
    return [printable(raw[8:]) for kind, raw in _webp_chunks(data) if kind in WEBP_DROPPED]


def webp_cleaned(data: bytes) -> bytes:
    kept = []
    for kind, raw in _webp_chunks(data):
        if kind in WEBP_DROPPED:
            continue
        if kind == b"VP8X" and len(raw) > 8:
            raw = raw[:8] + bytes([raw[8] & ~0x0C]) + raw[9:]  # no EXIF, no XMP
        kept.append(raw)
    body = b"WEBP" + b"".join(kept)
    return b"RIFF" + struct.pack("<I", len(body)) + body


def printable(payload: bytes) -> str:
    """The runs of text in binary metadata (EXIF, XMP, comments), as UTF-8 or Latin-1."""
    text = payload.decode("utf-8", "replace")
    if "\ufffd" in text:
        text = payload.decode("latin-1")
    return " ".join(re.findall(r"[^\x00-\x1f\x7f\ufffd]{3,}", text))
