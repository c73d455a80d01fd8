"""The memory of a command and every process it starts, sampled every half second.

    .venv/bin/python benchmarks/memtrace.py COMMAND [ARGUMENT ...]

Runs COMMAND and reads, every 0.5 s, the resident set of it and of its descendants from
/proc. Prints the exit code, the wall time, the peak of their sum with each process's share
at that moment (largest first, MiB), then about 40 samples (seconds, MiB) to show when the
memory rose. Linux only.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time

PAGE = os.sysconf("SC_PAGE_SIZE")


def _processes() -> tuple[dict[int, list[int]], dict[int, int]]:
    """Each process's children, and each process's resident set (bytes)."""
    children: dict[int, list[int]] = {}
    resident: dict[int, int] = {}
    for name in os.listdir("/proc"):
        if not name.isdigit():
            continue
        try:
            with open(f"/proc/{name}/stat", encoding="ascii", errors="replace") as stat:
                parent = int(stat.read().rsplit(")", 1)[1].split()[1])
            with open(f"/proc/{name}/statm", encoding="ascii") as statm:
                resident[int(name)] = int(statm.read().split()[1]) * PAGE
        except (OSError, ValueError, IndexError):
            continue
        children.setdefault(parent, []).append(int(name))
    return children, resident


def main() -> None:
    if len(sys.argv) < 2:
        sys.exit(__doc__)
    started = time.monotonic()
    command = subprocess.Popen(sys.argv[1:])
    peak, shares, samples = 0, [0], []
    while command.poll() is None:
        children, resident = _processes()
        tree, waiting = [], [command.pid]
        while waiting:
            pid = waiting.pop()
            tree.append(resident.get(pid, 0))
            waiting += children.get(pid, [])
        if sum(tree) > peak:
            peak, shares = sum(tree), sorted(tree, reverse=True)
        samples.append((time.monotonic() - started, sum(tree)))
        time.sleep(0.5)
    wall = time.monotonic() - started
    print(f"exit {command.returncode}, {wall:.1f} s, peak {peak >> 20} MiB:", end=" ")
    print(", ".join(f"{share >> 20}" for share in shares), "MiB by process")
    for seconds, total in samples[:: max(1, len(samples) // 40)]:
        print(f"{seconds:7.1f} s {total >> 20:6} MiB")


if __name__ == "__main__":
    main()
