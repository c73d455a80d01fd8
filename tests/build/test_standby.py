"""An EPUB's worker is started before its job, while the book is assembled and rendered: it
makes the same EPUB as a worker started for the job, and no build leaves it behind."""

from __future__ import annotations

import contextlib
import multiprocessing
from collections.abc import Iterator
from pathlib import Path

import pytest
from helpers.books import copy_fixture, edit

from kpbrief.build import BuildFailed, BuildRequest, build
from kpbrief.build import jobs as build_jobs
from kpbrief.build import run as build_run

WALKOUT = "content/statements/2021-06-walkout.en.md"


def _epub(source: Path, out: Path) -> BuildRequest:
    return BuildRequest(source=source, out=out, languages=["en"], formats=["epub"])


def test_the_waiting_worker_makes_the_epub_a_fresh_worker_makes(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    source = copy_fixture("mini", tmp_path)
    started: list[bool] = []
    real = build_jobs.standby

    @contextlib.contextmanager
    def recorded(wanted: bool) -> Iterator[build_jobs.Standby | None]:
        started.append(wanted)
        with real(wanted) as waiting:
            yield waiting

    monkeypatch.setattr(build_run, "standby", recorded)
    build(_epub(source, tmp_path / "waiting"))
    assert started == [True]
    monkeypatch.setattr(build_run, "standby", lambda wanted: real(False))
    build(_epub(source, tmp_path / "fresh"))
    name = "mini-book.en.epub"
    assert (tmp_path / "waiting" / name).read_bytes() == (tmp_path / "fresh" / name).read_bytes()
    monkeypatch.setattr(build_run, "standby", recorded)
    assert build(_epub(source, tmp_path / "waiting")).unchanged  # up to date: none started
    assert started == [True]
    assert not multiprocessing.active_children()


def test_a_failed_build_leaves_no_waiting_worker(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    source = copy_fixture("mini", tmp_path)
    edit(source / WALKOUT, "\nissues: [", "\nissues: [no-such-issue, ")  # the check's error
    monkeypatch.setattr(build_run, "CHECK_BESIDE_STATEMENTS", 0)
    with pytest.raises(BuildFailed):
        build(_epub(source, tmp_path / "out"))
    assert not multiprocessing.active_children()
    assert not list((tmp_path / "out").glob("*.epub"))
