"""Two versions of kpbrief's warm editing loop, side by side: `kpbrief watch` sessions of
each, in turn, each timing a few edits until the HTML and the PDF are written.

    .venv/bin/python benchmarks/watch_ab.py OLD_CHECKOUT OLD_BOOK OLD_OUT \\
        NEW_CHECKOUT NEW_BOOK NEW_OUT [--lang en] [--sessions 2] [--edits 3]

Each version runs from its checkout (PYTHONPATH) on its own copy of the book, built once
beforehand into its OUT (`kpbrief build --source BOOK --lang L --format pdf --no-packs --out
OUT`), so that neither reads the other's part cache. The sessions alternate (old, new, then
new, old, ...); each starts a watch, waits for its first round, and times `--edits` edits
of one statement's place (`bench.edit_place`), as `bench.py --watch` does. The first edit of
a session is printed but left out of the medians: when the first round finds every output up
to date, that edit loads the whole book (about 6 s at 500 statements, in both versions).
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
import bench  # noqa: E402


def main() -> None:
    options = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    for version in ("old", "new"):
        options.add_argument(f"{version}_checkout", type=Path)
        options.add_argument(f"{version}_book", type=Path)
        options.add_argument(f"{version}_out", type=Path)
    options.add_argument("--lang", default="en")
    options.add_argument("--sessions", type=int, default=2, help="sessions of each version")
    options.add_argument("--edits", type=int, default=3, help="edits timed per session")
    args = options.parse_args()
    timings: dict[str, dict[str, list[float]]] = {
        version: {"watch-html": [], "watch-pdf": []} for version in ("old", "new")
    }
    for session in range(args.sessions):
        for version in ("old", "new") if session % 2 == 0 else ("new", "old"):
            os.environ["PYTHONPATH"] = str(getattr(args, f"{version}_checkout").resolve())
            seen = [0]

            def record(
                _size: int,
                what: str,
                _lang: str,
                figures: dict[str, Any],
                version: str = version,
                seen: list[int] = seen,
            ) -> None:
                print(version, what, figures, flush=True)
                first = seen[0] < 2  # the session's first edit: its HTML, then its PDF
                seen[0] += 1
                if not first and what in timings[version]:
                    timings[version][what].append(figures["s"])

            bench.watch_loop(
                0,
                getattr(args, f"{version}_book"),
                args.lang,
                getattr(args, f"{version}_out"),
                args.edits,
                record,
                ("html", "pdf"),
            )
    for version, measured in timings.items():
        for what, seconds in measured.items():
            if seconds:
                print(f"{version} {what}: {seconds} median {statistics.median(seconds):.2f} s")


if __name__ == "__main__":
    main()
