"""Engine processes that do not outlive the process that started them."""

from __future__ import annotations

import concurrent.futures
import contextlib
import ctypes
import multiprocessing
import os
import signal
import sys

_PR_SET_PDEATHSIG = 1


def die_with_parent() -> None:
    """In a worker: be killed when the process that started it dies (Linux; else nothing)."""
    if not sys.platform.startswith("linux"):
        return
    with contextlib.suppress(OSError, AttributeError):
        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(_PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
    if os.getppid() == 1:  # the parent died before the request was made
        os._exit(1)


def quiet_worker() -> None:
    """A pool worker's start: `die_with_parent`, and Ctrl-C left to the process that started
    it, which stops its workers itself (a terminal's Ctrl-C reaches every process of the
    group, and each worker printed a traceback of its own)."""
    die_with_parent()
    signal.signal(signal.SIGINT, signal.SIG_IGN)


def quiet_pool(workers: int = 1) -> concurrent.futures.ProcessPoolExecutor:
    """A pool of fresh ("spawn") processes, each started as a `quiet_worker`."""
    return concurrent.futures.ProcessPoolExecutor(
        workers, mp_context=multiprocessing.get_context("spawn"), initializer=quiet_worker
    )
