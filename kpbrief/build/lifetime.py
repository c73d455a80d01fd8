"""Processes that do not outlive the build, and what a killed build left behind.

An engine worker asks the kernel to kill it when its parent dies (Linux's parent-death
signal), so that a build killed with SIGKILL leaves no layout running. A build that ends
(Ctrl-C, SIGTERM) raises `Interrupted`, a BaseException like KeyboardInterrupt, so that no
`except Exception` on the way swallows it; the command line says so in one line.
"""

from __future__ import annotations

import contextlib
import os
import re
import signal
import threading
from collections.abc import Iterator
from pathlib import Path
from types import FrameType

from kpbrief.engines.processes import die_with_parent

__all__ = ["Interrupted", "die_with_parent", "remove_leftovers", "stopped_by_sigterm"]

# A staged output: .<final name>.<pid of the build>.<random>.tmp (see outputs.temporary_beside).
STAGED = re.compile(r"^\.(?P<final>.+)\.(?P<pid>\d+)\.[^.]+\.tmp$")


class Interrupted(BaseException):
    """The build was asked to stop (Ctrl-C or SIGTERM)."""


@contextlib.contextmanager
def stopped_by_sigterm() -> Iterator[None]:
    """SIGTERM, inside the block, raises Interrupted in the main thread (as Ctrl-C does)."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return

    def stop(_signum: int, _frame: FrameType | None) -> None:
        raise Interrupted()

    previous = signal.signal(signal.SIGTERM, stop)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def remove_leftovers(folder: Path) -> list[Path]:
    """Staged files of builds that were killed before they could remove them."""
    removed: list[Path] = []
    if not folder.is_dir():
        return removed
    for path in folder.iterdir():
        match = STAGED.match(path.name)
        if match and path.is_file() and not _alive(int(match["pid"])):
            with contextlib.suppress(OSError):
                path.unlink()
                removed.append(path)
    return removed
