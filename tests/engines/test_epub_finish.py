"""Finishing pandoc's EPUB in one copy of its archive: the changed members compressed again,
every other one copied as it was; and a cover of other proportions than the paper's given to
pandoc again, the slow way."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

import pytest
from helpers.books import copy_fixture
from PIL import Image

from kpbrief.build import BuildRequest, build
from kpbrief.build import run as build_run
from kpbrief.engines.epub_finish import finish_epub

NAME = "mini-book.en.epub"


def _epub(tmp_path: Path, folder: str) -> Path:
    source = tmp_path / "mini"
    if not source.exists():
        copy_fixture("mini", tmp_path)
    out = tmp_path / folder
    build(BuildRequest(source=source, out=out, languages=["en"], formats=["epub"]))
    return out / NAME


def _raw(path: Path) -> dict[str, bytes]:
    """Each member's compressed bytes, as they stand in the archive."""
    found = {}
    with zipfile.ZipFile(path) as archive, path.open("rb") as reading:
        for member in archive.infolist():
            reading.seek(member.header_offset + 26)
            skip = int.from_bytes(reading.read(2), "little") + int.from_bytes(
                reading.read(2), "little"
            )
            reading.seek(skip, 1)
            found[member.filename] = reading.read(member.compress_size)
    return found


def _cover(archive: zipfile.ZipFile) -> zipfile.ZipInfo:
    (member,) = [m for m in archive.infolist() if m.filename.endswith(".png")]
    return member


def test_one_member_swapped_and_the_others_copied_as_they_were(tmp_path: Path) -> None:
    epub = _epub(tmp_path, "out")
    with zipfile.ZipFile(epub) as archive:
        cover = _cover(archive)
        old = archive.read(cover)
    new = b"\x89PNG not really"
    target = tmp_path / "swapped.epub"
    assert finish_epub(epub, target, None, False, (old, new))
    with zipfile.ZipFile(target) as archive:
        assert archive.testzip() is None
        assert archive.namelist()[0] == "mimetype"
        assert archive.getinfo("mimetype").compress_type == zipfile.ZIP_STORED
        assert archive.read(cover.filename) == new
    before, after = _raw(epub), _raw(target)
    assert list(after) == list(before)
    assert [n for n in before if before[n] != after[n]] == [cover.filename]


def test_a_swap_no_member_holds_writes_nothing(tmp_path: Path) -> None:
    epub = _epub(tmp_path, "out")
    target = tmp_path / "swapped.epub"
    assert not finish_epub(epub, target, None, False, (b"held by no member", b"x"))
    assert not target.exists()


def test_a_cover_of_other_proportions_goes_to_pandoc_again(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    usual = _epub(tmp_path, "usual")
    # The stand-in pandoc is first given is square: the cover page is not, so it is rendered
    # at its own proportions and given to pandoc for a second conversion.
    monkeypatch.setattr(build_run, "COVER_PIXELS", {"a4": (1400, 1400), "letter": (1400, 1400)})
    slow = _epub(tmp_path, "slow")
    with zipfile.ZipFile(usual) as expected, zipfile.ZipFile(slow) as made:
        assert made.namelist() == expected.namelist()
        cover = Image.open(io.BytesIO(made.read(_cover(made))))
        assert abs(cover.width - 1400) <= 2  # as rasterised: the page's own proportions,
        assert abs(cover.height / cover.width - 297 / 210) < 0.01  # not the square stand-in's
        differing = {n for n in made.namelist() if made.read(n) != expected.read(n)}
        assert differing <= {_cover(made).filename, "EPUB/text/cover.xhtml"}, differing
        # finished as the quick way finishes it: chapters titled by their headings
        assert b"<title>ch002.xhtml</title>" not in made.read("EPUB/text/ch002.xhtml")
        assert b"dcterms:conformsTo" in made.read("EPUB/content.opf")
