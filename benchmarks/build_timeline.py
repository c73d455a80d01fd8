"""One PDF build's timeline: each layout run of its parts, and the join.

    .venv/bin/python benchmarks/build_timeline.py BOOK OUT [--lang en]

Runs `kpbrief build --source BOOK --lang L --format pdf --no-packs --out OUT` in this process
(with whichever kpbrief is first on the path: PYTHONPATH), and prints, as they happen:

- each run of part layouts (`parts._LayingOut.run`): how many parts, each one's HTML in kB,
  whether they were written (the first pass only measures), and the run's seconds;
- the join: how many parts were added to the book (`pdfjoin.BookJoin.add`) and the seconds
  spent adding them, however many of those fell while the layouts ran; the seconds of the
  book's write; and the seconds from the end of the last layout run to the end of the write,
  which is what the join adds to the build;
- the whole build's seconds.

To time an edit, build once into OUT, edit a statement (`bench.edit_place`), and run this
again with the same OUT. Nothing here changes what the build does.
"""

from __future__ import annotations

import argparse
import functools
import time
from pathlib import Path
from typing import Any


def main() -> None:
    options = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    options.add_argument("book", type=Path)
    options.add_argument("out", type=Path)
    options.add_argument("--lang", default="en")
    args = options.parse_args()

    from kpbrief import cli
    from kpbrief.engines import parts, pdfjoin

    last_run_ended = [0.0]
    adding = {"parts": 0, "seconds": 0.0}

    layout_run = parts._LayingOut.run

    @functools.wraps(layout_run)
    def timed_run(self: Any, documents: list[str], write: bool, *rest: Any) -> Any:
        start = time.perf_counter()
        laid = layout_run(self, documents, write, *rest)
        last_run_ended[0] = time.perf_counter()
        sizes = ", ".join(str(len(d) // 1000) for d in documents)
        print(
            f"layout run: {len(documents)} parts ({sizes} kB), "
            f"{'written' if write else 'measured'}: {last_run_ended[0] - start:.2f} s",
            flush=True,
        )
        return laid

    add = pdfjoin.BookJoin.add

    @functools.wraps(add)
    def timed_add(self: Any, part: Any) -> None:
        start = time.perf_counter()
        add(self, part)
        adding["parts"] += 1
        adding["seconds"] += time.perf_counter() - start

    write = pdfjoin.BookJoin.write

    @functools.wraps(write)
    def timed_write(self: Any, target: Path) -> None:
        start = time.perf_counter()
        write(self, target)
        end = time.perf_counter()
        print(
            f"join: {adding['parts']} parts added in {adding['seconds']:.2f} s, "
            f"written in {end - start:.2f} s; {end - last_run_ended[0]:.2f} s after the "
            "last layout run",
            flush=True,
        )

    parts._LayingOut.run = timed_run  # type: ignore[method-assign]
    pdfjoin.BookJoin.add = timed_add  # type: ignore[method-assign]
    pdfjoin.BookJoin.write = timed_write  # type: ignore[method-assign]
    start = time.perf_counter()
    command = ["build", "--source", str(args.book), "--lang", args.lang, "--format", "pdf"]
    cli.main([*command, "--no-packs", "--out", str(args.out)])
    print(f"build: {time.perf_counter() - start:.2f} s")


if __name__ == "__main__":
    main()
