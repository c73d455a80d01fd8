"""A wall-clock limit for the stages that run in kpbrief's own process.

The engines run under the build's time limit in `build.py`; loading, checking, assembling
and rendering the HTML run in the calling process, where hostile content can make them slow
(a 2 MiB file of one pathological construct). `wall_clock_limit` stops them at the same
deadline, with SIGALRM: Python code and the `re` module check for signals as they run.
"""

from __future__ import annotations

import math
import signal
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from types import FrameType


class TimeLimitExceeded(BaseException):
    """The work ran past its deadline and was stopped.

    A BaseException, as KeyboardInterrupt is: raised from a signal handler, it lands wherever
    the interpreter happens to be, often inside an engine's own `except Exception` (WeasyPrint
    guards image and font loading that way), which would swallow an ordinary exception and let
    the build run on to the end.
    """


def time_limit_message(what: str = "the build") -> str:
    return (
        f"{what} ran past its time limit and was stopped; nothing was written. "
        "If the book is simply large, raise the limit with --time-limit SECONDS"
    )


@contextmanager
def wall_clock_limit(deadline: float | None, what: str = "the build") -> Iterator[None]:
    """Raise TimeLimitExceeded inside the block once `time.monotonic()` passes `deadline`.

    None: no limit. The alarm needs the main thread on a POSIX system; elsewhere the
    deadline is checked when the block starts and when it ends. Not reentrant: the block
    must not set an alarm of its own.
    """
    if deadline is None:
        yield
        return
    remaining = deadline - time.monotonic()
    if remaining <= 0:
        raise TimeLimitExceeded(time_limit_message(what))
    can_alarm = hasattr(signal, "SIGALRM") and threading.current_thread() is threading.main_thread()
    if not can_alarm or math.isinf(remaining):
        yield
        if time.monotonic() > deadline:
            raise TimeLimitExceeded(time_limit_message(what))
        return

    armed = True

    def time_up(_signum: int, _frame: FrameType | None) -> None:
        if armed:
            raise TimeLimitExceeded(time_limit_message(what))

    previous = signal.signal(signal.SIGALRM, time_up)
    # The alarm repeats: should some code catch even a BaseException and carry on, the next
    # one stops it a quarter of a second later.
    signal.setitimer(signal.ITIMER_REAL, remaining, 0.25)
    try:
        yield
    finally:
        armed = False
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)
