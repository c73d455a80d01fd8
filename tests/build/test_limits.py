"""kpbrief.limits: a wall-clock limit for the stages that run in kpbrief's own process."""

from __future__ import annotations

import re
import signal
import threading
import time

import pytest

from kpbrief.build.limits import TimeLimitExceeded, wall_clock_limit


def test_no_deadline_and_a_quick_block_change_nothing() -> None:
    with wall_clock_limit(None):
        pass
    with wall_clock_limit(time.monotonic() + 5):
        total = sum(range(1000))
    assert total == 499500
    assert signal.getitimer(signal.ITIMER_REAL) == (0.0, 0.0)
    assert signal.getsignal(signal.SIGALRM) in (signal.SIG_DFL, signal.default_int_handler, None)


def test_a_passed_deadline_stops_before_the_work() -> None:
    ran = False
    with (
        pytest.raises(TimeLimitExceeded, match="--time-limit"),
        wall_clock_limit(time.monotonic() - 1),
    ):
        ran = True
    assert not ran


def test_python_code_past_the_deadline_is_stopped() -> None:
    start = time.monotonic()
    message = "the build ran past its time limit"
    with pytest.raises(TimeLimitExceeded, match=message), wall_clock_limit(start + 0.3):
        while True:
            pass
    assert time.monotonic() - start < 2


def test_a_long_regular_expression_search_is_stopped() -> None:
    """The `re` module checks for signals while it searches: a runaway pattern is stopped."""
    start = time.monotonic()
    with pytest.raises(TimeLimitExceeded), wall_clock_limit(start + 0.5, "rendering"):
        re.search(r"(?:a+)+$", "a" * 60 + "!")  # exponential backtracking: years
    assert time.monotonic() - start < 3


def test_outside_the_main_thread_the_deadline_is_checked_at_the_end() -> None:
    failures: list[BaseException] = []

    def work() -> None:
        try:
            with wall_clock_limit(time.monotonic() + 0.1):
                time.sleep(0.3)
        except TimeLimitExceeded as exc:
            failures.append(exc)

    thread = threading.Thread(target=work)
    thread.start()
    thread.join()
    assert len(failures) == 1


def test_code_that_catches_every_exception_is_still_stopped() -> None:
    """An engine's broad `except Exception` around the point the alarm lands cannot swallow it."""
    swallowed = 0
    with pytest.raises(TimeLimitExceeded), wall_clock_limit(time.monotonic() + 0.2):
        while True:
            try:
                sum(range(10_000))
            except Exception:
                swallowed += 1
    assert swallowed == 0
    assert signal.getitimer(signal.ITIMER_REAL) == (0.0, 0.0)
