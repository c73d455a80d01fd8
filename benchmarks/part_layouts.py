"""What each part an edit lays out again costs alone: seconds, pages and memory.

    .venv/bin/python benchmarks/part_layouts.py BOOK OUT [--lang en] [--parts N] [--phases]

Builds BOOK's PDF (`kpbrief build --lang L --format pdf --no-packs --out OUT`) in this
process and keeps every part document the build lays out (by wrapping
`parts._LayingOut.run`). With OUT holding the last build's parts and page map, after an edit,
those are the parts the edit touched. Then lays each out again alone, in a fresh process
with WeasyPrint imported first (as a part worker is), and prints its length, its pages, the
seconds and CPU seconds of `parts.lay_out` (layout and PDF), and the process's peak resident
memory. With --phases, also the seconds of each phase of that layout: WeasyPrint's HTML parse,
the layout (with kpbrief's hyphenation settling) and the writing of the tagged PDF. Works with
any version of kpbrief on the path (PYTHONPATH).
"""

from __future__ import annotations

import argparse
import pickle
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any


def laid_out_alone(saved: Path, phase: bool) -> None:
    """In the fresh process: the saved part laid out, timed."""
    import weasyprint  # noqa: F401  (imported before the clock starts, as in a worker)

    from kpbrief.engines import parts

    document, assets, variant = pickle.loads(saved.read_bytes())
    wall, cpu = time.perf_counter(), time.process_time()
    layout = parts.lay_out(document, assets, variant, True)
    wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024
    line = f"{len(document):>10,} {layout.count:>6} {wall:>8.2f} {cpu:>8.2f} {peak:>8,}"
    print(line + (phases(document, assets, variant) if phase else ""))


def phases(document: str, assets: Any, variant: Any) -> str:
    """The same part laid out again, phase by phase (wall seconds): parse, layout, write."""
    import weasyprint

    from kpbrief.document import VIRTUAL_ROOT
    from kpbrief.engines.assets import asset_fetcher
    from kpbrief.engines.hyphens import limited_hyphenation, settle_hyphens
    from kpbrief.engines.pdf import write_variant

    start = time.perf_counter()
    fetcher = asset_fetcher(assets)
    source = weasyprint.HTML(string=document, base_url=VIRTUAL_ROOT, url_fetcher=fetcher)
    parsed = time.perf_counter()
    options = variant.options()
    with limited_hyphenation():
        laid_out = source.render(color_profiles=variant.color_profiles(), **options)
        laid_out = settle_hyphens(source, laid_out, options)
    rendered = time.perf_counter()
    write_variant(laid_out, variant)
    written = time.perf_counter()
    return f" {parsed - start:>6.2f} {rendered - parsed:>7.2f} {written - rendered:>6.2f}"


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("book", type=Path)
    parser.add_argument("out", type=Path)
    parser.add_argument("--lang", default="en")
    parser.add_argument("--parts", help="kpbrief build's --parts (default: by the length)")
    parser.add_argument("--phases", action="store_true", help="also parse, layout, write")
    parser.add_argument("--alone", type=Path, help=argparse.SUPPRESS)  # the fresh process
    args = parser.parse_args()
    if args.alone:
        laid_out_alone(args.alone, args.phases)
        return

    from kpbrief.cli import main as kpbrief
    from kpbrief.engines import parts

    kept: list[tuple[str, Any, Any]] = []
    run = parts._LayingOut.run

    def keeping(self: Any, documents: list[str], write: bool, *rest: Any) -> Any:
        kept.extend((document, self.assets, self.variant) for document in documents)
        return run(self, documents, write, *rest)

    parts._LayingOut.run = keeping  # type: ignore[method-assign]
    command = ["build", "--source", str(args.book), "--lang", args.lang, "--format", "pdf"]
    command += ["--parts", args.parts] if args.parts else []
    kpbrief([*command, "--no-packs", "--quiet", "--out", str(args.out)])
    head = f"{'characters':>10} {'pages':>6} {'seconds':>8} {'CPU s':>8} {'MiB':>8}"
    print(head + (f" {'parse':>6} {'layout':>7} {'write':>6}" if args.phases else ""))
    with tempfile.TemporaryDirectory() as folder:
        for index, part in enumerate(kept):
            saved = Path(folder) / f"part-{index}.pickle"
            saved.write_bytes(pickle.dumps(part))
            script = [sys.executable, __file__, str(args.book), str(args.out)]
            alone = [*script, "--alone", str(saved), *(["--phases"] if args.phases else [])]
            subprocess.run(alone, check=True)


if __name__ == "__main__":
    main()
