"""One statement edited, then `kpbrief build --lang L --format pdf`: in a fresh process
(`--cold`) and by the warm build process, alternated, after the same edits.

    .venv/bin/python benchmarks/build_edit.py BOOK COLD_OUT WARM_OUT [--edits 4] [--first N]

BOOK is a book folder (`bench.synthetic_book`); COLD_OUT and WARM_OUT are two output folders
that a build of BOOK has filled (copies of one will do: `cp -r OUT COLD_OUT`), so that each
command builds after an edit. For each edit (`bench.edit_place`, the statement's place), in
turn: the cold build into COLD_OUT, then the warm one into WARM_OUT (the first warm build
starts the process and is left out of the medians: it loads the whole book). Printed for
each: wall seconds; CPU seconds of the command and its children; for the warm build, also
the CPU seconds of the warm process and its layout workers (read from /proc before and
after: they are not the command's children). Then both PDFs are compared (`cmp`): the same
edits give the same bytes. Both builds run with `--no-packs` (the book's PDF alone).
"""

from __future__ import annotations

import argparse
import os
import resource
import statistics
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench import BOOK_ID, edit_place, edited_statement, tree_cpu, warm_pid  # noqa: E402

KPBRIEF = [sys.executable, "-m", "kpbrief"]


def timed(
    argv: list[str], env: dict[str, str], book: Path, out: Path
) -> tuple[float, float, float]:
    """Wall seconds, the command's CPU seconds, the warm process's CPU seconds."""
    server = warm_pid(book, out)
    before = tree_cpu(server) if server else 0.0
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    subprocess.run(argv, check=True, capture_output=True, env=env)
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    command = (after.ru_utime - children.ru_utime) + (after.ru_stime - children.ru_stime)
    server = server or warm_pid(book, out)
    warm = (tree_cpu(server) - before) if server else 0.0
    return wall, command, warm


def main() -> None:
    options = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    options.add_argument("book", type=Path)
    options.add_argument("cold_out", type=Path)
    options.add_argument("warm_out", type=Path)
    options.add_argument("--edits", type=int, default=4)
    options.add_argument("--lang", default="en")
    options.add_argument("--first", type=int, default=100, help="the first edit's number")
    args = options.parse_args()
    env = dict(os.environ, KPBRIEF_WARM="1")
    build = [*KPBRIEF, "build", "--source", str(args.book), "--lang", args.lang]
    build += ["--format", "pdf", "--no-packs"]
    statement = edited_statement(args.book, args.lang)
    results: dict[str, list[tuple[float, float, float]]] = {"cold": [], "warm": []}
    for run in range(args.edits + 1):
        edit_place(statement, args.first + run)
        cold = timed([*build, "--cold", "--out", str(args.cold_out)], env, args.book, args.cold_out)
        warm = timed([*build, "--out", str(args.warm_out)], env, args.book, args.warm_out)
        for name, figures in (("cold", cold), ("warm", warm)):
            print(
                f"edit {run}: {name}: {figures[0]:.2f} s wall, CPU {figures[1]:.2f} s "
                f"(command) + {figures[2]:.2f} s (warm process)",
                flush=True,
            )
        if run:  # the first warm build starts the process, if none was running
            results["cold"].append(cold)
            results["warm"].append(warm)
        name = f"{BOOK_ID}.{args.lang}.pdf"
        same = (args.cold_out / name).read_bytes() == (args.warm_out / name).read_bytes()
        print(f"edit {run}: the same PDF: {same}", flush=True)
    cold_wall = statistics.median(w for w, _c, _s in results["cold"])
    warm_wall = statistics.median(w for w, _c, _s in results["warm"])
    print(
        f"median wall: cold {cold_wall:.2f} s, warm {warm_wall:.2f} s "
        f"({warm_wall / cold_wall:.2f}x)"
    )


if __name__ == "__main__":
    main()
