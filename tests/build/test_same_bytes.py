"""Every shortcut of an incremental build leaves the same bytes as a build from nothing.

A book is built, edited, and built again in the same folder (parts and HTML reused where they
can be, the first page map taken from the previous build, in a warm process as `kpbrief watch`
keeps one); then built with `--force` into a fresh folder. The PDF and the EPUB must be the
same files, byte for byte.
"""

from __future__ import annotations

from pathlib import Path

from helpers.books import copy_fixture, edit

from kpbrief.build import BuildRequest, build
from kpbrief.build.warm import Warm

WALKOUT = "content/statements/2021-06-walkout.en.md"


def _request(source: Path, out: Path, formats: list[str], **options: object) -> BuildRequest:
    return BuildRequest(
        source=source, out=out, languages=["en"], formats=formats, parts=3, **options
    )


def test_an_edited_book_built_incrementally_is_the_book_built_afresh(tmp_path: Path) -> None:
    source = copy_fixture("mini", tmp_path)
    out = tmp_path / "out"
    build(_request(source, out, ["pdf", "epub"]))
    edit(source / WALKOUT, "We walked out.", "We walked out, and we said why, at length.")
    warm = Warm()
    build(_request(source, out, ["html"]), warm=warm)
    edited = build(_request(source, out, ["pdf", "epub"]), warm=warm)
    assert warm.hits >= 2  # the content and the HTML were not made again for the PDF
    assert sorted(p.suffix for p in edited.written) == [".epub", ".pdf"]
    afresh = tmp_path / "afresh"
    build(_request(source, afresh, ["pdf", "epub"], force=True))
    for name in ("mini-book.en.pdf", "mini-book.en.epub"):
        assert (out / name).read_bytes() == (afresh / name).read_bytes(), name
