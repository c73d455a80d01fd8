"""kpbrief's own stages, timed one by one without a profiler's overhead.

    .venv/bin/python benchmarks/stages.py BOOK [--lang en] [--runs 3]

Prints the median CPU seconds (steadier than wall time on a busy machine) of: importing
kpbrief's pipeline, load, check (with faithfulness), assemble, render of the print and the
EPUB HTML (typography included, then typography alone on the print HTML), `import
weasyprint`, and the EPUB's cover image (a WeasyPrint render, rasterised; its first run
includes importing WeasyPrint): all a build does besides the engine's work on the book.
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import time
from pathlib import Path

from kpbrief.engines.assets import Assets
from kpbrief.engines.cover import COVER_PIXELS, render_cover_png


def import_seconds(module: str) -> float:
    code = f"import time; t = time.process_time(); import {module}; print(time.process_time() - t)"
    done = subprocess.run([sys.executable, "-c", code], check=True, capture_output=True, text=True)
    return float(done.stdout)


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("book", type=Path)
    parser.add_argument("--lang", default="en")
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()

    from kpbrief.content.check import check
    from kpbrief.content.load import load_content
    from kpbrief.edition.assemble import assemble
    from kpbrief.edition.i18n import translations_for
    from kpbrief.edition.render import render_cover_html, render_html
    from kpbrief.edition.typography import apply_typography
    from kpbrief.folder import layout_dirs, locale_dirs

    source = args.book.resolve()
    times: dict[str, list[float]] = {}

    def timed(name: str, function, *arguments):  # type: ignore[no-untyped-def]
        start = time.process_time()
        result = function(*arguments)
        times.setdefault(name, []).append(time.process_time() - start)
        return result

    for _ in range(args.runs):
        times.setdefault("import kpbrief.build", []).append(import_seconds("kpbrief.build"))
        times.setdefault("import weasyprint", []).append(import_seconds("weasyprint"))
        content = timed("load", load_content, source)
        timed("check", check, content, locale_dirs(source))
        assert content.book is not None
        translations = translations_for(locale_dirs(source), args.lang, content.book.default_lang)
        edition = timed("assemble", assemble, content, args.lang, not translations.has_catalog)
        layouts = layout_dirs(source)
        html = timed(
            "render print HTML", render_html, edition, layouts, translations.gettext, "print"
        )
        timed("render EPUB HTML", render_html, edition, layouts, translations.gettext, "epub")
        timed("  of which typography (print)", apply_typography, html, edition.lang)
        cover = render_cover_html(edition, layouts, translations.gettext)
        assets = Assets(tuple(layouts), source / "content" / "media")
        size = COVER_PIXELS[edition.paper]
        timed("EPUB cover PNG (+weasyprint import)", render_cover_png, cover, assets, size)
    for name, values in times.items():
        print(f"{name:32} {statistics.median(values):7.3f} s")


if __name__ == "__main__":
    main()
