"""The stages of a warm `kpbrief watch` round after one edit, timed one by one (CPU seconds).

    .venv/bin/python benchmarks/warm_round.py BOOK [--lang en] [--runs 3] [--in-process]

Builds BOOK's HTML once in this process with a `Warm` (as `kpbrief watch` keeps one), then,
`--runs` times, edits one statement's place (as bench.py's loops do) and builds the HTML
again, timing each stage by wrapping the function that runs it: the inputs' digest (taken
twice a build), load, check, assemble, render (with its names and typography passes, when
they run on the whole document) and writing. Prints the median of each, and of the round's
CPU and wall seconds. `--in-process` runs the check in this process whatever the book's
length (a version of kpbrief that checks long books beside, in a worker, cannot be timed
stage by stage otherwise). Works with any version of kpbrief on the path (PYTHONPATH).
"""

from __future__ import annotations

import argparse
import collections
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

import bench  # noqa: E402

from kpbrief.build import BuildRequest, build  # noqa: E402
from kpbrief.build import run as build_run  # noqa: E402
from kpbrief.build.warm import Warm  # noqa: E402
from kpbrief.edition import assemble as assembling  # noqa: E402
from kpbrief.edition import render as rendering  # noqa: E402

STAGES = [
    (build_run, "inputs_digest", "inputs' digest (twice)"),
    (build_run, "load_content", "load"),
    (build_run, "checked", "check"),
    (assembling, "assemble", "assemble"),
    (rendering, "render_html", "render"),
    (rendering, "mark_names", "  names, whole document"),
    (rendering, "apply_typography", "  typography, whole document"),
    (build_run, "_write_html", "write"),
]


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("book", type=Path)
    parser.add_argument("--lang", default="en")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--out", type=Path, default=Path("/tmp/kpbrief-warm-round"))
    parser.add_argument("--in-process", action="store_true", help="never check beside")
    args = parser.parse_args()
    if args.in_process:
        build_run.CHECK_BESIDE_STATEMENTS = 10**9
    spent: collections.Counter[str] = collections.Counter()

    def timed(function: Callable[..., Any], label: str) -> Callable[..., Any]:
        def stage(*arguments: Any, **options: Any) -> Any:
            start = time.process_time()
            try:
                return function(*arguments, **options)
            finally:
                spent[label] += time.process_time() - start

        return stage

    for module, name, label in STAGES:
        if hasattr(module, name):
            setattr(module, name, timed(getattr(module, name), label))
    book = args.book.resolve()
    request = BuildRequest(source=book, out=args.out, formats=["html"], languages=[args.lang])
    warm = Warm()
    build(request, None, warm)
    edited = bench.edited_statement(book, args.lang)
    rows: dict[str, list[float]] = collections.defaultdict(list)
    for run in range(args.runs):
        spent.clear()
        bench.edit_place(edited, 9000 + run)
        cpu, wall = time.process_time(), time.perf_counter()
        build(request, None, warm)
        rows["round, CPU (this process)"].append(time.process_time() - cpu)
        rows["round, wall"].append(time.perf_counter() - wall)
        for label, seconds in spent.items():
            rows[label].append(seconds)
    for label, values in rows.items():
        shown = ", ".join(f"{v:.2f}" for v in values)
        print(f"{label:30} {statistics.median(values):6.2f} s  ({shown})")


if __name__ == "__main__":
    main()
