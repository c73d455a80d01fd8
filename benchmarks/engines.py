"""The engines alone, each run as a fresh process by bench.py (usable by hand too).

    python benchmarks/engines.py weasyprint BOOK HTML OUT.pdf
        WeasyPrint renders HTML (what `kpbrief build --format html` wrote) with the options of
        kpbrief.write.render_pdf: the same asset fetcher, base URL, pdf_tags and PDF/UA-1.
        With BENCH_GC=off in the environment, Python's cyclic garbage collector is disabled.
    python benchmarks/engines.py capture-epub BOOK LANG DEST
        Runs kpbrief's own EPUB build of LANG and keeps a copy of the folder and the command
        line it hands pandoc, in DEST (DEST/pandoc.json).
    python benchmarks/engines.py pandoc DEST OUT.epub
        pandoc alone: the captured command on the captured folder.
    python benchmarks/engines.py typst HTML FONTS OUT.pdf
        The peer: pandoc converts HTML to Typst markup, Typst (PyPI `typst`) compiles it.

Only what each engine needs is imported, so a run costs the engine and interpreter start-up.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

from kpbrief.document import VIRTUAL_ROOT
from kpbrief.engines.assets import Assets, asset_fetcher


def layouts_of(book: Path) -> tuple[Path, ...]:
    """The layout folders kpbrief uses for BOOK (as kpbrief.build.layout_dirs)."""
    from kpbrief import TOOL_ROOT

    own = book / "layouts"
    return ((own,) if own.is_dir() else ()) + (TOOL_ROOT / "layouts",)


def weasyprint_alone(book: Path, html: Path, target: Path) -> None:
    import gc

    import weasyprint

    if os.environ.get("BENCH_GC") == "off":  # an experiment: the cyclic GC's share of the time
        gc.disable()

    assets = Assets(layouts_of(book), book / "content" / "media")
    document = weasyprint.HTML(
        string=html.read_text(encoding="utf-8"),
        base_url=VIRTUAL_ROOT,
        url_fetcher=asset_fetcher(assets),
    )
    document.write_pdf(str(target), pdf_tags=True, pdf_variant="pdf/ua-1")


def capture_epub(book: Path, lang: str, dest: Path) -> None:
    """kpbrief's EPUB build, with pandoc's input folder and command kept in DEST."""
    real_popen = subprocess.Popen

    class Recorder(real_popen):  # type: ignore[misc,valid-type]
        def __init__(self, args: Any, *rest: Any, **options: Any) -> None:
            if isinstance(args, list) and "--to=epub3" in args:
                folder = str(options.get("cwd") or os.getcwd())
                shutil.copytree(folder, dest)
                here = folder + os.sep
                # pandoc's own arguments: after its path, which may follow a launcher's "--"
                command = args[args.index("--") + 1 :] if "--" in args else args
                record = {  # the input file as a name in DEST; the output left to the caller
                    "args": [
                        a.removeprefix(here) for a in command[1:] if not a.startswith("--output=")
                    ],
                    "SOURCE_DATE_EPOCH": os.environ.get("SOURCE_DATE_EPOCH"),
                }
                (dest / "pandoc.json").write_text(json.dumps(record, indent=1), encoding="utf-8")
            super().__init__(args, *rest, **options)

    subprocess.Popen = Recorder  # type: ignore[misc]
    import kpbrief.build.run
    from kpbrief.build import BuildRequest, build
    from kpbrief.build.jobs import run_engine_job

    def run_here(jobs: list[Any], work: Path, *_rest: Any) -> None:
        for job in jobs:  # in this process, where Popen is the recorder (a worker's is not)
            run_engine_job(job, work)

    kpbrief.build.run.run_engines = run_here  # type: ignore[assignment]

    with tempfile.TemporaryDirectory() as out:
        build(BuildRequest(source=book, out=Path(out), languages=[lang], formats=["epub"]))


def pandoc_alone(dest: Path, target: Path) -> None:
    import pypandoc

    record = json.loads((dest / "pandoc.json").read_text(encoding="utf-8"))
    env = dict(os.environ, SOURCE_DATE_EPOCH=record["SOURCE_DATE_EPOCH"])
    command = [pypandoc.get_pandoc_path(), *record["args"], f"--output={target.resolve()}"]
    subprocess.run(command, cwd=dest, env=env, check=True)


def typst_peer(html: Path, fonts: Path, target: Path) -> None:
    import pypandoc
    import typst

    typ = target.with_suffix(".typ")
    subprocess.run(
        [pypandoc.get_pandoc_path(), "--from=html", "--to=typst", "--standalone", str(html)]
        + [f"--output={typ}"],
        cwd=html.parent,
        check=True,
    )
    # pandoc 3.9 writes inline SVG as `image.decode(…)`, which Typst 0.14 removed.
    markup = re.sub(
        r'image\.decode\(("(?:[^"\\]|\\.)*")\)', r"image(bytes(\1))", typ.read_text("utf-8")
    )
    typ.write_text(markup, encoding="utf-8")
    typst.compile(str(typ), output=str(target), font_paths=[str(fonts)])


def main(argv: list[str]) -> None:
    command, *rest = argv
    paths = [Path(a) for a in rest]
    if command == "weasyprint":
        weasyprint_alone(paths[0], paths[1], paths[2])
    elif command == "capture-epub":
        capture_epub(paths[0], rest[1], paths[2])
    elif command == "pandoc":
        pandoc_alone(paths[0], paths[1])
    elif command == "typst":
        typst_peer(paths[0], paths[1], paths[2])
    else:
        raise SystemExit(f"unknown command {command!r}; see the docstring")


if __name__ == "__main__":
    main(sys.argv[1:])
