"""A file's digest is read again whenever the file may have changed (`digest.known_file_digest`)."""

from __future__ import annotations

import hashlib
import os
from pathlib import Path

import pytest

from kpbrief import digest


def _digest(path: Path) -> str:
    return digest.known_file_digest(str(path), path.stat())


def _reads(monkeypatch: pytest.MonkeyPatch) -> list[Path]:
    reads: list[Path] = []
    streamed = digest.streamed_file_digest

    def counted(path: Path) -> str:
        reads.append(path)
        return streamed(path)

    monkeypatch.setattr(digest, "streamed_file_digest", counted)
    return reads


def test_a_settled_file_is_read_once(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(digest, "_SETTLED_NS", 0)
    reads = _reads(monkeypatch)
    path = tmp_path / "a.md"
    path.write_bytes(b"the first words")
    first = [_digest(path) for _ in range(3)]
    assert first == [hashlib.sha256(b"the first words").hexdigest()] * 3
    assert len(reads) == 1


def test_a_file_rewritten_with_its_old_size_and_time_is_read_again(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(digest, "_SETTLED_NS", 0)
    path = tmp_path / "a.md"
    path.write_bytes(b"the first words")
    before = path.stat()
    assert _digest(path) == hashlib.sha256(b"the first words").hexdigest()
    path.write_bytes(b"other the words")  # the same size
    os.utime(path, ns=(before.st_atime_ns, before.st_mtime_ns))  # and the same time
    assert path.stat().st_size == before.st_size
    assert path.stat().st_mtime_ns == before.st_mtime_ns
    assert _digest(path) == hashlib.sha256(b"other the words").hexdigest()


def test_a_file_changed_a_moment_ago_is_read_every_time(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # However slow the machine, the file was saved within the window (a day).
    monkeypatch.setattr(digest, "_SETTLED_NS", 24 * 3600 * 10**9)
    reads = _reads(monkeypatch)
    path = tmp_path / "a.md"
    path.write_bytes(b"just saved")
    for _ in range(3):
        assert _digest(path) == hashlib.sha256(b"just saved").hexdigest()
    assert len(reads) == 3  # a coarse clock could give its next write the same times
