"""Benchmark: kpbrief build against the engines alone, on synthetic books of N statements.

    .venv/bin/python benchmarks/bench.py --sizes 5 50 --runs 3

A synthetic book copies the real content/ and repeats its statements (new ids, same texts
and dates shifted) until it holds N. For each size it reports the median seconds of
`kpbrief build --lang en --format pdf` and `--format epub` (each in a fresh process) next
to WeasyPrint alone rendering the very HTML that `--format html` wrote, with the same
fetcher and options, and pandoc alone converting the same EPUB input.
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
KPBRIEF = [sys.executable, "-m", "kpbrief"]


def synthetic_book(size: int, folder: Path) -> Path:
    book = folder / f"book-{size}"
    shutil.copytree(REPO / "content", book / "content")
    folder_statements = book / "content" / "statements"
    statements = sorted(folder_statements.glob("*.md"))
    originals = [p for p in statements if "translation:" not in p.read_text(encoding="utf-8")]
    for index in range(max(0, size - len(originals))):
        stem = originals[index % len(originals)].name.split(".")[0]
        for path in statements:
            name_id, lang, _ = path.name.split(".")
            if name_id == stem:
                shutil.copyfile(path, folder_statements / f"{stem}-copy-{index}.{lang}.md")
    return book


def timed(command: list[str]) -> float:
    start = time.perf_counter()
    subprocess.run(command, check=True, capture_output=True)
    return time.perf_counter() - start


def engine_alone_pdf(html: Path) -> list[str]:
    code = (
        "import sys; from pathlib import Path; "
        "from kpbrief.build import layout_dirs; from kpbrief.write import Assets, render_pdf; "
        f"src = Path({str(html.parent.parent)!r}); "
        "assets = Assets(tuple(layout_dirs(src)), src / 'content' / 'media'); "
        f"render_pdf(Path({str(html)!r}).read_text(), assets, Path(sys.argv[1]))"
    )
    return [sys.executable, "-c", code, str(html.with_suffix(".engine.pdf"))]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[5, 50])
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    print(
        "| statements | pages | kpbrief PDF (s) | WeasyPrint alone (s) | ratio | kpbrief EPUB (s) |"
    )
    print("|---|---|---|---|---|---|")
    with tempfile.TemporaryDirectory() as work:
        for size in args.sizes:
            book = synthetic_book(size, Path(work))
            out = book / "build"
            subprocess.run(
                [*KPBRIEF, "build", "--source", str(book), "--lang", "en", "--format", "html"],
                check=True,
                capture_output=True,
            )
            html = out / "kp-csc-briefing.en.html"
            pdf_cmd = [*KPBRIEF, "build", "--source", str(book), "--lang", "en", "--format", "pdf"]
            epub_cmd = [
                *KPBRIEF,
                "build",
                "--source",
                str(book),
                "--lang",
                "en",
                "--format",
                "epub",
            ]
            pdf = statistics.median(timed(pdf_cmd) for _ in range(args.runs))
            alone = statistics.median(timed(engine_alone_pdf(html)) for _ in range(args.runs))
            epub = statistics.median(timed(epub_cmd) for _ in range(args.runs))
            from pypdf import PdfReader

            pages = len(PdfReader(out / "kp-csc-briefing.en.pdf").pages)
            print(
                f"| {size} | {pages} | {pdf:.1f} | {alone:.1f} | {pdf / alone:.2f} | {epub:.1f} |"
            )


if __name__ == "__main__":
    main()
