"""Outputs written atomically: staged under temporary names beside their final place, renamed
only when every one succeeded."""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from kpbrief.build.lifetime import remove_leftovers


@contextmanager
def staged_outputs(out_dir: Path) -> Iterator[dict[Path, Path]]:
    """Outputs written to temporary names, renamed into place only if all succeed.

    The caller maps each final path to the temporary path it wrote. If anything fails,
    every temporary file is removed and the earlier outputs stay as they were.
    """
    out_dir.mkdir(parents=True, exist_ok=True)
    remove_leftovers(out_dir)
    staged: dict[Path, Path] = {}
    try:
        yield staged
    except BaseException:
        for temporary in staged.values():
            temporary.unlink(missing_ok=True)
        raise
    for final, temporary in staged.items():
        os.replace(temporary, final)


def temporary_beside(final: Path) -> Path:
    prefix = f".{final.name}.{os.getpid()}."  # the pid: a later build knows it as a leftover
    handle, name = tempfile.mkstemp(prefix=prefix, suffix=".tmp", dir=final.parent)
    os.close(handle)
    os.chmod(name, 0o644)  # mkstemp's 0600 would keep a shared book from its readers
    return Path(name)
