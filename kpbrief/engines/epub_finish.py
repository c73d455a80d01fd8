"""What the EPUB needs that pandoc does not write, or writes in English only: the book's
own navigation heading and landmarks, the cover's text alternative, chapter titles, and the
claim of EPUB Accessibility 1.1 (WCAG 2.1 AA), made only when the document meets what the
claim rests on here. Applied to the EPUB pandoc wrote, as it is copied to its place.
"""

from __future__ import annotations

import re
import struct
import zipfile
import zlib
from dataclasses import dataclass
from pathlib import Path
from xml.sax.saxutils import escape

CONFORMANCE = "EPUB Accessibility 1.1 - WCAG 2.1 Level AA"


@dataclass(frozen=True)
class EpubTexts:
    """What the EPUB adds around the book, in the book's language."""

    toc_title: str
    landmarks: str  # the landmarks nav; its links name ids of the book (#how-to-use)
    cover_alt: str


def claims_conformance(images_without_alt: int, texts: EpubTexts) -> bool:
    """Whether the book's document meets what kpbrief's claim rests on: every picture with a
    text alternative (`images_without_alt`, counted by `assets.guard_resources` as it reads
    the document), the cover's too; the rest (headings, language, navigation, reading order,
    contrast) is the layouts' and is checked for every fixture book by DAISY Ace."""
    return images_without_alt == 0 and bool(texts.cover_alt)


def finish_epub(
    packed: Path,
    target: Path,
    texts: EpubTexts | None,
    conforms: bool,
    swap: tuple[bytes, bytes] | None = None,
) -> bool:
    """pandoc's EPUB `packed` written to `target` with the book's own navigation texts, the
    cover's text alternative and, when `conforms`, the conformance claim (none of these
    without `texts`); with `swap` (old, new), the one member holding `old` holds `new`.

    Only the members that change are read and compressed again; the others (fonts,
    pictures) are copied as pandoc compressed them. False, and nothing written, when `swap`
    is given and not exactly one member holds `old`."""
    with zipfile.ZipFile(packed) as archive:
        members = archive.infolist()
        changed: dict[str, bytes] = {}
        if swap is not None:
            old, new = swap
            crc = zlib.crc32(old)
            holding = [
                m
                for m in members
                if m.file_size == len(old) and crc == m.CRC and archive.read(m) == old
            ]
            if len(holding) != 1:
                return False
            changed[holding[0].filename] = new
        if texts is not None:
            documents = {
                m.filename: archive.read(m).decode("utf-8")
                for m in members
                if m.filename.endswith(".xhtml")
            }
            opf_name = next(m.filename for m in members if m.filename.endswith(".opf"))
            opf = archive.read(opf_name).decode("utf-8")
            finished = _finished(documents, opf_name, opf, texts, conforms)
            changed.update((name, text.encode("utf-8")) for name, text in finished.items())
    _rewrite(packed, members, changed, target)
    return True


def _finished(
    documents: dict[str, str], opf_name: str, opf: str, texts: EpubTexts, conforms: bool
) -> dict[str, str]:
    """The documents of pandoc's EPUB that the book's own texts change, as they become."""
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
    if conforms:
        claim = f'<meta property="dcterms:conformsTo">{CONFORMANCE}</meta>'
        opf = opf.replace("</metadata>", f"  {claim}\n  </metadata>", 1)
    changed[opf_name] = opf
    return changed


_LOCAL_HEADER = struct.Struct("<4s5H3L2H")
_CENTRAL_HEADER = struct.Struct("<4s6H3L5H2L")
_END = struct.Struct("<4s4H2LH")
_UTF8_NAME = 0x800  # the one flag kept: the other flags (a data descriptor after the data,
# the compression level used) describe how pandoc wrote a member, not how it is written here


def _rewrite(
    source: Path, members: list[zipfile.ZipInfo], changed: dict[str, bytes], target: Path
) -> None:
    """The archive `source` written to `target`, member by member in its order: a changed
    member compressed again as zipfile would (deflate, default level), every other one's
    compressed bytes copied as they are."""
    written: list[tuple[zipfile.ZipInfo, int, int, int, int]] = []  # crc, sizes, offset
    with source.open("rb") as reading, target.open("wb") as out:
        for member in members:
            data = changed.get(member.filename)
            if data is None:
                reading.seek(member.header_offset)
                header = _LOCAL_HEADER.unpack(reading.read(_LOCAL_HEADER.size))
                if header[0] != b"PK\x03\x04":
                    raise ValueError(f"{source.name}: no member at {member.header_offset}")
                reading.seek(header[-2] + header[-1], 1)  # its name and extra field
                raw, crc, size = reading.read(member.compress_size), member.CRC, member.file_size
            elif member.compress_type == zipfile.ZIP_DEFLATED:
                packer = zlib.compressobj(zlib.Z_DEFAULT_COMPRESSION, zlib.DEFLATED, -15)
                raw, crc, size = packer.compress(data) + packer.flush(), zlib.crc32(data), len(data)
            elif member.compress_type == zipfile.ZIP_STORED:
                raw, crc, size = data, zlib.crc32(data), len(data)
            else:
                raise ValueError(f"{member.filename}: compression {member.compress_type}")
            written.append((member, crc, len(raw), size, out.tell()))
            out.write(_local_header(member, crc, len(raw), size) + raw)
        directory = out.tell()
        for member, crc, compressed, size, offset in written:
            out.write(_central_header(member, crc, compressed, size, offset))
        end = out.tell()
        count = len(written)
        if count > 0xFFFF or end > 0xFFFFFFFF:
            raise ValueError(f"{target.name}: too big an archive for this writer")
        out.write(_END.pack(b"PK\x05\x06", 0, 0, count, count, end - directory, directory, 0))


def _dos_time(member: zipfile.ZipInfo) -> tuple[int, int]:
    year, month, day, hour, minute, second = member.date_time
    return hour << 11 | minute << 5 | second // 2, (year - 1980) << 9 | month << 5 | day


def _local_header(member: zipfile.ZipInfo, crc: int, compressed: int, size: int) -> bytes:
    name = member.filename.encode("utf-8")
    time_, date = _dos_time(member)
    fields = (member.extract_version, member.flag_bits & _UTF8_NAME, member.compress_type)
    header = _LOCAL_HEADER.pack(
        b"PK\x03\x04", *fields, time_, date, crc, compressed, size, len(name), len(member.extra)
    )
    return header + name + member.extra


def _central_header(
    member: zipfile.ZipInfo, crc: int, compressed: int, size: int, offset: int
) -> bytes:
    name = member.filename.encode("utf-8")
    time_, date = _dos_time(member)
    header = _CENTRAL_HEADER.pack(
        b"PK\x01\x02",
        member.create_system << 8 | member.create_version,
        member.extract_version,
        member.flag_bits & _UTF8_NAME,
        member.compress_type,
        time_,
        date,
        crc,
        compressed,
        size,
        len(name),
        len(member.extra),
        len(member.comment),
        0,  # the disk it starts on
        member.internal_attr,
        member.external_attr,
        offset,
    )
    return header + name + member.extra + member.comment


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
