"""A long book's check runs in a process of its own beside the build: the same outputs, the
same warnings, and its errors still stop the build with nothing written."""

from __future__ import annotations

from pathlib import Path

import pytest
from helpers.books import copy_fixture, edit

from kpbrief.build import BuildFailed, BuildRequest, build
from kpbrief.build import run as build_run

WALKOUT = "content/statements/2021-06-walkout.en.md"


def _html(source: Path, out: Path) -> BuildRequest:
    return BuildRequest(source=source, out=out, languages=["en"], formats=["html"])


def test_a_check_beside_gives_the_same_book_and_warnings(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    source = copy_fixture("mini", tmp_path)
    here = build(_html(source, tmp_path / "here"))
    monkeypatch.setattr(build_run, "CHECK_BESIDE_STATEMENTS", 0)
    beside = build(_html(source, tmp_path / "beside"))
    assert [str(p) for p in beside.warnings] == [str(p) for p in here.warnings]
    name = "mini-book.en.html"
    assert (tmp_path / "beside" / name).read_bytes() == (tmp_path / "here" / name).read_bytes()


def test_an_error_found_beside_stops_the_build(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    source = copy_fixture("mini", tmp_path)
    out = tmp_path / "out"
    build(_html(source, out))
    before = (out / "mini-book.en.html").read_bytes()
    # An id no file has: the check's error, not the loader's.
    edit(source / WALKOUT, "\nissues: [", "\nissues: [no-such-issue, ")
    monkeypatch.setattr(build_run, "CHECK_BESIDE_STATEMENTS", 0)
    with pytest.raises(BuildFailed) as failed:
        build(_html(source, out))
    assert any("no-such-issue" in str(p) for p in failed.value.problems)
    assert "error(s) in the content" in str(failed.value)
    assert (out / "mini-book.en.html").read_bytes() == before
