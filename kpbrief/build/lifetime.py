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

__all__ = ["Interrupted", "die_with_parent", "remove_leftovers", "stopped_by_signals"]

# A staged output: .<final name>.<pid of the build>.<random>.tmp (see outputs.temporary_beside).
STAGED = re.compile(r"^\.(?P<final>.+)\.(?P<pid>\d+)\.[^.]+\.tmp$")


class Interrupted(BaseException):
    """The build was asked to stop (Ctrl-C or SIGTERM: the signal's number, its argument)."""


@contextlib.contextmanager
def stopped_by_signals() -> Iterator[None]:
    """Ctrl-C (SIGINT) and SIGTERM, inside the block, raise Interrupted in the main thread.

    An exception raised from a signal handler lands wherever the interpreter is; inside a
    callback from C (Pango calls into Python while WeasyPrint lays text out), it is printed
    and dropped, and the work would go on. So once asked to stop, a profiling timer (CPU
    time: it runs only while the work does) raises Interrupted again each second until it
    is out of the block.
    """
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    asked = 0  # the signal that asked first

    def stop(signum: int, _frame: FrameType | None) -> None:
        nonlocal asked
        if not asked:
            asked = signum
            signal.setitimer(signal.ITIMER_PROF, 1.0, 1.0)
        raise Interrupted(asked)

    def again(_signum: int, _frame: FrameType | None) -> None:
        if asked:
            raise Interrupted(asked)

    previous = {number: signal.signal(number, stop) for number in (signal.SIGINT, signal.SIGTERM)}
    previous[signal.SIGPROF] = signal.signal(signal.SIGPROF, again)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_PROF, 0)
        for number, handler in previous.items():
            signal.signal(number, handler)


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
