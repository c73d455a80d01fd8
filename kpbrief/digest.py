"""Digests: of plain data, the key a warm process keeps a stage's part under (`build.warm`);
of a file's bytes, read again only when the file changed (`known_file_digest`).

The models are frozen dataclasses whose `repr` shows every field, so the digest of their
`repr` changes with any of them.
"""

from __future__ import annotations

import hashlib
import os
import time
from pathlib import Path


def digest_of(*parts: object) -> str:
    return hashlib.sha256(repr(parts).encode("utf-8", "surrogatepass")).hexdigest()


def streamed_file_digest(path: Path) -> str:
    """SHA-256 of a file read in chunks: a file of any size, in little memory."""
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for chunk in iter(lambda: handle.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


# A file's digest, by its path, kept with the status it had when it was read:
# `known_file_digest` answers from it while the file's status is the same.
_DIGESTS: dict[str, tuple[tuple[int, ...], str]] = {}
# A file changed less than this before it was read may change again with the same times (a
# file system that keeps times to the second or two): its digest is not kept.
_SETTLED_NS = 3 * 10**9


def _signature(status: os.stat_result) -> tuple[int, ...]:
    return (
        status.st_dev,
        status.st_ino,
        status.st_size,
        status.st_mtime_ns,
        status.st_ctime_ns,
    )


def known_file_digest(full: str, status: os.stat_result) -> str:
    """The SHA-256 of a file's bytes (`full`: its path; `status`: its status, just taken),
    read again only if its status changed since it was last read. Writing a file changes
    its change time (`st_ctime`), which no program sets back; and a digest is kept only for
    a file that had not changed for a few seconds before it was read, so that a write in
    the same tick of a coarse clock is never missed."""
    signature = _signature(status)
    kept = _DIGESTS.get(full)
    if kept is not None and kept[0] == signature:
        return kept[1]
    read_at = time.time_ns()
    digest = streamed_file_digest(Path(full))
    if max(status.st_mtime_ns, status.st_ctime_ns) < read_at - _SETTLED_NS:
        _DIGESTS[full] = (signature, digest)
    else:
        _DIGESTS.pop(full, None)
    return digest
