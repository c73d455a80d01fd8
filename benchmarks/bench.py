"""Benchmark: kpbrief build against the engines alone, on synthetic books of N statements.

    .venv/bin/python benchmarks/bench.py --sizes 5 100 --runs 3 --results bench.jsonl
    .venv/bin/python benchmarks/bench.py --sizes 500 1000 --runs 1 --results bench.jsonl
    .venv/bin/python benchmarks/bench.py --sizes 500 --runs 3 --langs en --no-full --no-pdf
    .venv/bin/python benchmarks/bench.py --report bench.jsonl     # the tables, from results

A synthetic book copies the real content/ and repeats its statements (new ids, same texts)
until it holds N. Every measurement is a fresh process, timed from start to exit, with its
CPU seconds (user + system, children included: far steadier than wall time on a busy
machine) and peak memory: the peak resident set of the process tree, sampled every 0.2 s,
or the largest single process's maximum (from wait4) if that is higher. For each size and language:

- `kpbrief build --lang L --format pdf --no-packs` next to WeasyPrint alone rendering the very HTML
  that `kpbrief build --lang L --format html` wrote, with kpbrief's fetcher and options
  (engines.py weasyprint); the two PDFs are compared byte for byte;
- `kpbrief build --lang L --format epub` next to pandoc alone running the command kpbrief
  ran on the same input folder (captured by engines.py capture-epub);
- the full build (every language, PDF and EPUB) against the sum of its single builds;
- optionally (--peer) the peer: pandoc HTML → Typst, compiled by Typst (PyPI `typst`);
- optionally a rebuild with nothing changed (--rebuild N) and the editing loop (--edit-loop
  N: one statement edited, then `kpbrief build --lang L --format pdf` again, by the warm
  build process (its CPU seconds added) and, alternated, with `--cold` into a copy of the
  output folder, each run interleaved with the Typst peer making the whole book when --peer
  is given);
- optionally the warm editing loop (--watch N): one `kpbrief watch --format html pdf`
  process; one statement edited N times, each time timed until the preview's HTML is written
  (the time the browser reloads) and until the PDF is, with the CPU seconds the process used;
  `--watch-format html` makes the watch make the HTML alone (no cold PDF build before the
  first edit).

The edit changes a statement's `place:` (an edit of its body would have to change its archived
source too: the check compares the two), which the book prints in the statement's dateline and
in the chronology.

--table measures every row of BENCHMARKS.md's table in one run (see there).

--runs 0 skips the main measurements (to time only rebuilds or the editing loop); --no-pdf
skips the PDF builds, to time only the EPUB against pandoc alone.

Each output of a run goes to a fresh folder, so no build reuses an earlier one's outputs.
Results are appended as JSON lines to --results as soon as measured; --report prints medians.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections import defaultdict
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parent.parent
ENGINES = [sys.executable, str(Path(__file__).resolve().parent / "engines.py")]
KPBRIEF = [sys.executable, "-m", "kpbrief"]
BOOK_ID = "kp-csc-briefing"  # content/book.yaml's id: the outputs' names
PAGE = os.sysconf("SC_PAGE_SIZE")
TICK = os.sysconf("SC_CLK_TCK")
# A translation says so in its front matter (a line `translation: …` before the closing ---).
TRANSLATION = re.compile(r"\A---\n(?:(?!---\n).*\n)*?translation:")


def synthetic_book(size: int, folder: Path) -> Path:
    book = folder / f"book-{size}"
    shutil.copytree(REPO / "content", book / "content")
    folder_statements = book / "content" / "statements"
    statements = sorted(folder_statements.glob("*.md"))
    originals = [p for p in statements if not TRANSLATION.search(p.read_text(encoding="utf-8"))]
    for index in range(max(0, size - len(originals))):
        stem = originals[index % len(originals)].name.split(".")[0]
        for path in statements:
            name_id, lang, _ = path.name.split(".")
            if name_id == stem:
                shutil.copyfile(path, folder_statements / f"{stem}-copy-{index}.{lang}.md")
    return book


def _tree_sum(root: int, value: Any) -> float:
    """The sum of `value(fields)` over process `root` and its living descendants, where
    `fields` is a process's /proc/PID/stat after its command's name."""
    children: dict[int, list[int]] = defaultdict(list)
    values: dict[int, float] = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat", "rb") as handle:
                fields = handle.read().rsplit(b")", 1)[1].split()
        except OSError:
            continue
        pid = int(entry)
        children[int(fields[1])].append(pid)
        values[pid] = value(fields)
    total, todo = 0.0, [root]
    while todo:
        pid = todo.pop()
        total += values.get(pid, 0)
        todo.extend(children.get(pid, ()))
    return total


def tree_rss(root: int) -> int:
    """Bytes resident in process `root` and all its descendants, now."""
    return int(_tree_sum(root, lambda fields: int(fields[21]) * PAGE))


def tree_cpu(root: int) -> float:
    """CPU seconds (user + system) of `root` and its living descendants, from /proc."""
    return _tree_sum(root, lambda fields: (int(fields[11]) + int(fields[12])) / TICK)


def warm_pid(source: Path, out: Path) -> int | None:
    """The warm build process of the book in `source` built into `out`, if one runs."""
    from kpbrief.build.plan import BuildRequest
    from kpbrief.build.warm_process import address

    where = str(address(BuildRequest(source=source.resolve(), out=out.resolve()))).encode()
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                command = (entry / "cmdline").read_bytes().split(b"\0")
            except OSError:
                continue
            if b"kpbrief.build.warm_process" in command and where in command:
                return int(entry.name)
    return None


def measure(command: list[str], cwd: Path | None = None) -> dict[str, float]:
    """Seconds from start to exit and peak MiB of a fresh process (and its children)."""
    with tempfile.TemporaryFile() as errors:
        start = time.perf_counter()
        process = subprocess.Popen(command, cwd=cwd, stdout=subprocess.DEVNULL, stderr=errors)
        peak = 0
        done = threading.Event()

        def sample() -> None:
            nonlocal peak
            while not done.wait(0.2):
                peak = max(peak, tree_rss(process.pid))

        sampler = threading.Thread(target=sample, daemon=True)
        sampler.start()
        _pid, status, usage = os.wait4(process.pid, 0)
        seconds = time.perf_counter() - start
        process.returncode = os.waitstatus_to_exitcode(status)
        done.set()
        sampler.join()
        if process.returncode != 0:
            errors.seek(0)
            sys.stderr.write(errors.read().decode(errors="replace")[-3000:])
            raise SystemExit(f"failed ({process.returncode}): {' '.join(command)}")
    peak = max(peak, usage.ru_maxrss * 1024)
    cpu = usage.ru_utime + usage.ru_stime  # the process and its waited-for children
    return {"s": round(seconds, 3), "cpu": round(cpu, 3), "mib": round(peak / 2**20, 1)}


def mismatches(pdf: Path) -> tuple[int, list[str]]:
    """Links checked, and those whose printed page is not where they lead (verify_pages)."""
    from verify_pages import mismatches as check

    return check(pdf)


def same_book(mine: Path, reference: Path) -> dict[str, Any]:
    """Whether two PDFs show the same book: pages rasterised, outline, links (compare.py)."""
    from compare import compare

    found = compare(mine, reference)
    return {
        "pages_differing": found["count differing"],
        "outline_equal": found["outline equal"],
        "links_equal": found["links equal (page, place, target)"],
    }


def pages(pdf: Path) -> int:
    # PDFium, not pypdf: pypdf refuses the page or structure arrays of a 1,000-statement book
    # (LimitReachedError), and a failed count must not lose the run's timing.
    import pypdfium2

    document = pypdfium2.PdfDocument(str(pdf))
    try:
        return len(document)
    finally:
        document.close()


class Recorder:
    def __init__(self, results: Path | None) -> None:
        self.results = results

    def __call__(
        self, size: int, what: str, lang: str, run: dict[str, float], **extra: Any
    ) -> None:
        record = {"size": size, "what": what, "lang": lang, **run, **extra}
        line = json.dumps(record)
        print(line, flush=True)
        if self.results is not None:
            with self.results.open("a", encoding="utf-8") as handle:
                handle.write(line + "\n")


def edited_statement(book: Path, lang: str) -> Path:
    """The statement the editing loops edit: one with a place, in the middle of the book."""
    folder = book / "content" / "statements"
    placed = [p for p in sorted(folder.glob(f"*.{lang}.md")) if "\nplace: " in p.read_text("utf-8")]
    return placed[len(placed) // 2]


def edit_place(path: Path, run: int) -> None:
    """One edit an editor could make: the statement's place, told apart by the run."""
    text = path.read_text(encoding="utf-8")
    text = re.sub(r"(?m)^(place: .*?)(?: \(edit \d+\))?$", rf"\1 (edit {run})", text, count=1)
    path.write_text(text, encoding="utf-8")


def process_cpu(pid: int) -> float:
    """CPU seconds (user + system) process `pid` has used so far, its waited children too."""
    with open(f"/proc/{pid}/stat", "rb") as handle:
        fields = handle.read().rsplit(b")", 1)[1].split()
    ticks = os.sysconf("SC_CLK_TCK")
    return sum(int(f) for f in fields[11:15]) / ticks


def watch_loop(
    size: int,
    book: Path,
    lang: str,
    out: Path,
    runs: int,
    record: Recorder,
    formats: tuple[str, ...] = ("html", "pdf"),
) -> None:
    """A warm `kpbrief watch`: each edit timed until the HTML, then the PDF (if among
    `formats`), is written."""
    command = [*KPBRIEF, "watch", "--source", str(book), "--lang", lang]
    for fmt in formats:
        command += ["--format", fmt]
    command += ["--out", str(out), "--port", "0"]
    lines: list[tuple[float, str]] = []
    changed = threading.Condition()
    process = subprocess.Popen(
        command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True
    )

    def read() -> None:
        assert process.stderr is not None
        for line in process.stderr:
            with changed:
                lines.append((time.perf_counter(), line.rstrip("\n")))
                changed.notify_all()

    threading.Thread(target=read, daemon=True).start()

    def wait_for(suffix: str, since: int) -> tuple[float, int]:
        """When the output `BOOK.suffix` was done, from line `since` on."""
        suffix = f"{BOOK_ID}.{suffix}"
        with changed:
            while True:
                for index in range(since, len(lines)):
                    moment, line = lines[index]
                    if "build failed" in line:
                        process.kill()
                        raise SystemExit(f"the watched build failed: {line}")
                    name, _, outcome = line.partition(": ")
                    if name == suffix and outcome in ("written", "up to date"):
                        return moment, index + 1
                if process.poll() is not None:
                    raise SystemExit(f"kpbrief watch stopped ({process.returncode})")
                changed.wait(timeout=1)

    try:
        last = "pdf" if "pdf" in formats else "html"
        _moment, seen = wait_for(f"{lang}.{last}", 0)  # the first round: up to date or made
        edited = edited_statement(book, lang)
        for run in range(runs):
            time.sleep(1)  # the watcher is idle again
            cpu = process_cpu(process.pid)
            with changed:
                seen = len(lines)
            start = time.perf_counter()
            edit_place(edited, 1000 + run)
            html_at, seen = wait_for(f"{lang}.html", seen)
            html_cpu = process_cpu(process.pid) - cpu
            record(size, "watch-html", lang, {"s": round(html_at - start, 3), "cpu": html_cpu})
            if "pdf" in formats:
                pdf_at, seen = wait_for(f"{lang}.pdf", seen)
                pdf_cpu = process_cpu(process.pid) - cpu
                record(size, "watch-pdf", lang, {"s": round(pdf_at - start, 3), "cpu": pdf_cpu})
    finally:
        process.terminate()
        process.wait(timeout=30)


def bench_size(size: int, args: argparse.Namespace, record: Recorder, work: Path) -> None:
    book = synthetic_book(size, work)
    build = [*KPBRIEF, "build", "--source", str(book)]
    inputs = work / f"inputs-{size}"
    inputs.mkdir(parents=True, exist_ok=True)
    # The engines' inputs, for the main measurements and the peer (not for the loops alone).
    for lang in args.langs if args.runs or args.peer else []:
        subprocess.run(
            [*build, "--lang", lang, "--format", "html", "--out", str(inputs / lang)],
            check=True,
            capture_output=True,
        )
        subprocess.run(
            [*ENGINES, "capture-epub", str(book), lang, str(inputs / f"epub-{lang}")],
            check=True,
            capture_output=True,
        )
    for run in range(args.runs):
        out = work / f"out-{size}-{run}"
        for lang in args.langs:
            html = inputs / lang / f"kp-csc-briefing.{lang}.html"
            target = out / "pdf" / f"kp-csc-briefing.{lang}.pdf"
            alone = out / "alone" / f"{lang}.pdf"
            alone.parent.mkdir(parents=True, exist_ok=True)
            if args.pdf:
                timing = measure(
                    # The book's PDF alone, as WeasyPrint alone makes it: not the briefing packs.
                    [*build, "--lang", lang, "--format", "pdf", "--no-packs"]
                    + ["--out", str(target.parent)]
                )
                checked, wrong = mismatches(target)
                record(
                    size,
                    "kpbrief-pdf",
                    lang,
                    timing,
                    pages=pages(target),
                    references_checked=checked,
                    references_wrong=len(wrong),
                )
            if args.pdf and args.alone:
                timing = measure([*ENGINES, "weasyprint", str(book), str(html), str(alone)])
                record(
                    size,
                    "weasyprint",
                    lang,
                    timing,
                    pages=pages(alone),
                    identical=alone.read_bytes() == target.read_bytes(),
                    **same_book(target, alone),
                )
            timing = measure(
                [*build, "--lang", lang, "--format", "epub", "--out", str(out / "epub")]
            )
            record(size, "kpbrief-epub", lang, timing)
            epub = out / "alone" / f"{lang}.epub"
            timing = measure([*ENGINES, "pandoc", str(inputs / f"epub-{lang}"), str(epub)])
            record(size, "pandoc", lang, timing)
        if args.full:
            timing = measure([*build, "--out", str(out / "full")])
            record(size, "full", "all", timing)
        if args.peer:
            for lang in args.langs[:1]:
                peer = out / "peer" / f"{lang}.pdf"
                peer.parent.mkdir(parents=True, exist_ok=True)
                fonts = REPO / "layouts" / "fonts"
                html = inputs / f"epub-{lang}" / "book.html"
                timing = measure([*ENGINES, "typst", str(html), str(fonts), str(peer)])
                record(size, "typst-peer", lang, timing, pages=pages(peer))
        shutil.rmtree(out)
    if args.rebuild:
        out = work / f"rebuild-{size}"
        subprocess.run([*build, "--out", str(out)], check=True, capture_output=True)
        for _ in range(args.rebuild):
            record(size, "rebuild-unchanged", "all", measure([*build, "--out", str(out)]))
    if args.edit_loop:
        # The editing loop: one statement's text changes, its language's PDF is made again,
        # by the warm build process (a long book's builds after the first, "edit-loop";
        # its CPU seconds are added, it is not the command's child) and, alternated, in the
        # command's own process (`--cold`, "edit-loop-cold"), each into its own folder.
        out = work / f"edit-{size}"
        lang = args.langs[0]
        pdf = [*build, "--lang", lang, "--format", "pdf", "--out", str(out)]
        subprocess.run([*pdf, "--cold"], check=True, capture_output=True)
        cold_out = work / f"edit-{size}-cold"
        shutil.copytree(out, cold_out)
        cold = [*build, "--lang", lang, "--format", "pdf", "--out", str(cold_out), "--cold"]
        edited = edited_statement(book, lang)
        for run in range(args.edit_loop + 1):
            edit_place(edited, run)
            cold_timing = measure(cold)
            server = warm_pid(book, out)
            before = tree_cpu(server) if server else 0.0
            timing = measure(pdf)
            server = server or warm_pid(book, out)
            if server:
                timing["cpu"] = round(timing["cpu"] + tree_cpu(server) - before, 3)
                timing["warm_mib"] = round(tree_rss(server) / 2**20, 1)
            if not run:
                continue  # the first warm build starts the process: it loads the whole book
            record(size, "edit-loop-cold", lang, cold_timing)
            record(size, "edit-loop", lang, timing)
            if args.peer:
                peer = work / "peer-edit" / f"{lang}.pdf"
                peer.parent.mkdir(parents=True, exist_ok=True)
                html = inputs / f"epub-{lang}" / "book.html"
                fonts = REPO / "layouts" / "fonts"
                timing = measure([*ENGINES, "typst", str(html), str(fonts), str(peer)])
                record(size, "typst-peer", lang, timing, pages=pages(peer))
        if (server := warm_pid(book, out)) is not None:
            os.kill(server, signal.SIGTERM)
    if args.watch:
        out = work / f"edit-{size}"  # the editing loop's outputs, if it ran: a warm start
        formats = tuple(getattr(args, "watch_formats", None) or ("html", "pdf"))
        watch_loop(size, book, args.langs[0], out, args.watch, record, formats)
    shutil.rmtree(book)
    shutil.rmtree(inputs)


def startup(record: Recorder, runs: int) -> None:
    help_command = [str(Path(sys.executable).parent / "kpbrief"), "--help"]
    for _ in range(runs):
        record(0, "help", "-", measure(help_command))


def report(files: list[Path]) -> None:
    """Markdown tables of medians from JSON-lines results."""
    runs: dict[tuple[int, str, str], list[dict[str, Any]]] = defaultdict(list)
    for file in files:
        for line in file.read_text(encoding="utf-8").splitlines():
            if line.strip():
                item = json.loads(line)
                runs[(item["size"], item["what"], item["lang"])].append(item)

    def med(size: int, what: str, lang: str, key: str = "s") -> float | None:
        items = runs.get((size, what, lang))
        return statistics.median(i[key] for i in items) if items else None

    def cell(size: int, what: str, lang: str) -> str:
        seconds = med(size, what, lang)
        if seconds is None:
            return "–"
        cpu = med(size, what, lang, "cpu")
        return f"{seconds:.1f} s ({cpu:.1f} CPU), {med(size, what, lang, 'mib'):.0f} MiB"

    def ratio(a: float | None, b: float | None) -> str:
        return f"**{a / b:.2f}**" if a and b else "–"

    def ratios(size: int, mine: str, engine: str, lang: str) -> str:
        wall = ratio(med(size, mine, lang), med(size, engine, lang))
        return f"{wall} ({ratio(med(size, mine, lang, 'cpu'), med(size, engine, lang, 'cpu'))})"

    def timed(size: int, what: str) -> str:
        seconds = med(size, what, "en")
        if seconds is None:
            return "–"
        count = len(runs[(size, what, "en")])
        return f"{seconds:.2f} s ({med(size, what, 'en', 'cpu'):.2f} CPU), median of {count}"

    print("| what (English) | kpbrief | comparator | ratio, wall (CPU) |")
    print("|---|---|---|---|")
    rows = [
        ("500 statements: one statement edited -> new PDF", 500, "edit-loop", "typst-peer"),
        ("the same edit, built with --cold", 500, "edit-loop-cold", "edit-loop"),
        ("the same edit -> preview HTML updated (warm watch)", 500, "watch-html", ""),
        ("the same edit -> PDF updated (warm watch)", 500, "watch-pdf", "typst-peer"),
        ("500 statements: cold PDF build vs the Typst peer", 500, "kpbrief-pdf", "typst-peer"),
        ("the KP book: PDF vs WeasyPrint alone", 5, "kpbrief-pdf", "weasyprint"),
        ("the KP book: EPUB vs pandoc alone", 5, "kpbrief-epub", "pandoc"),
        ("500 statements: EPUB vs pandoc alone", 500, "kpbrief-epub", "pandoc"),
    ]
    for label, size, mine, other in rows:
        if (size, mine, "en") in runs:
            versus = ratios(size, mine, other, "en") if other else "–"
            print(f"| {label} | {timed(size, mine)} | {timed(size, other)} | {versus} |")
    if (1000, "kpbrief-pdf", "en") in runs:
        print(
            "| 1,000 statements: peak memory of the PDF build | "
            f"{med(1000, 'kpbrief-pdf', 'en', 'mib'):.0f} MiB | – | – |"
        )
    print()
    sizes = sorted({size for size, _w, _l in runs if size > 0})
    print(
        "| statements | lang | pages | runs | kpbrief PDF | WeasyPrint alone | PDF ratio | "
        "kpbrief EPUB | pandoc alone | EPUB ratio |"
    )
    print("|---|---|---|---|---|---|---|---|---|---|")
    for size in sizes:
        built = ("kpbrief-pdf", "kpbrief-epub")
        for lang in sorted({lang for s, w, lang in runs if s == size and w in built}):
            count = max(len(runs.get((size, what, lang), [])) for what in built)
            page_count = med(size, "kpbrief-pdf", lang, "pages")
            same = all(
                i.get("identical") or i.get("pages_differing") == 0
                for i in runs[(size, "weasyprint", lang)]
            )
            print(
                f"| {size} | {lang} | {'–' if page_count is None else f'{page_count:.0f}'} | "
                f"{count} | "
                f"{cell(size, 'kpbrief-pdf', lang)} | "
                f"{cell(size, 'weasyprint', lang)}{'' if same else ' (pages differ!)'} | "
                f"{ratios(size, 'kpbrief-pdf', 'weasyprint', lang)} | "
                f"{cell(size, 'kpbrief-epub', lang)} | {cell(size, 'pandoc', lang)} | "
                f"{ratios(size, 'kpbrief-epub', 'pandoc', lang)} |"
            )
    print()
    print(
        "| statements | full build (2 languages × PDF + EPUB) | sum of the 4 single builds | "
        "full / sum, wall (CPU) | rebuild, nothing changed | editing loop (one statement "
        "edited, en PDF) | Typst peer (pandoc → Typst, en) |"
    )
    print("|---|---|---|---|---|---|---|")
    singles = [(w, lang) for w in ("kpbrief-pdf", "kpbrief-epub") for lang in ("en", "fr")]
    for size in sizes:
        wall = [med(size, w, lang) for w, lang in singles]
        cpu = [med(size, w, lang, "cpu") for w, lang in singles]
        total = sum(p for p in wall if p is not None) if None not in wall else None
        total_cpu = sum(p for p in cpu if p is not None) if None not in cpu else None
        sum_text = f"{total:.1f} s ({total_cpu:.1f} CPU)" if total and total_cpu else "–"
        full, full_cpu = med(size, "full", "all"), med(size, "full", "all", "cpu")
        peer = med(size, "typst-peer", "en")
        peer_text = (
            f"{cell(size, 'typst-peer', 'en')}, {med(size, 'typst-peer', 'en', 'pages'):.0f} pages"
            if peer
            else "–"
        )
        print(
            f"| {size} | {cell(size, 'full', 'all')} | {sum_text} | "
            f"{ratio(full, total)} ({ratio(full_cpu, total_cpu)}) | "
            f"{cell(size, 'rebuild-unchanged', 'all')} | {cell(size, 'edit-loop', 'en')} | "
            f"{peer_text} |"
        )
    if (0, "help", "-") in runs:
        print()
        print(
            f"`kpbrief --help`: median {cell(0, 'help', '-')} ({len(runs[(0, 'help', '-')])} runs)"
        )


def table_runs(args: argparse.Namespace) -> list[tuple[int, argparse.Namespace]]:
    """The measurements behind each row of BENCHMARKS.md's table, each interleaved with its
    comparator, three runs at least: the KP book (five runs) against WeasyPrint alone and
    pandoc alone; 500 statements in English: a cold PDF build, the editing loop and the warm
    watch against the Typst peer, the EPUB against pandoc alone; 1,000 statements: the PDF's
    peak memory (WeasyPrint alone left out: half an hour a run)."""
    base = dict(vars(args), full=False, rebuild=0, edit_loop=0, watch=0, peer=False, pdf=True)
    return [
        (5, argparse.Namespace(**{**base, "runs": 5, "langs": ["en"], "alone": True})),
        (
            500,
            argparse.Namespace(
                **{**base, "runs": 3, "langs": ["en"], "alone": False, "peer": True}
                | {"edit_loop": 3, "watch": 3}
            ),
        ),
        (1000, argparse.Namespace(**{**base, "runs": 3, "langs": ["en"], "alone": False})),
    ]


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[5, 100])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--langs", nargs="+", default=["en", "fr"])
    parser.add_argument("--no-full", dest="full", action="store_false", help="skip full builds")
    parser.add_argument("--peer", action="store_true", help="also time the pandoc → Typst peer")
    parser.add_argument(
        "--rebuild", type=int, default=0, metavar="N", help="time N rebuilds, nothing changed"
    )
    parser.add_argument(
        "--edit-loop",
        type=int,
        default=0,
        metavar="N",
        help="time N PDF rebuilds, each after one statement was edited",
    )
    parser.add_argument(
        "--watch",
        type=int,
        default=0,
        metavar="N",
        help="time N edits in one warm `kpbrief watch`: until the HTML, until the PDF",
    )
    parser.add_argument(
        "--watch-format",
        dest="watch_formats",
        action="append",
        choices=["html", "pdf", "epub"],
        help="the formats the watch makes (repeat it; default: html and pdf); html alone "
        "times the preview without a cold PDF build first",
    )
    parser.add_argument(
        "--table",
        action="store_true",
        help="every row of BENCHMARKS.md's table, in one run (hours: see there)",
    )
    parser.add_argument(
        "--no-alone",
        dest="alone",
        action="store_false",
        help="skip WeasyPrint alone (the slowest measurement; compare with earlier results)",
    )
    parser.add_argument(
        "--no-pdf",
        dest="pdf",
        action="store_false",
        help="skip kpbrief's PDF (and WeasyPrint alone): time the EPUB against pandoc alone",
    )
    parser.add_argument("--startup", action="store_true", help="time `kpbrief --help`")
    parser.add_argument("--results", type=Path, help="append JSON lines here")
    parser.add_argument("--report", type=Path, nargs="+", help="print tables from results")
    args = parser.parse_args()
    if args.report:
        report(args.report)
        return
    record = Recorder(args.results)
    if args.startup:
        startup(record, 10)
    with tempfile.TemporaryDirectory(prefix="kpbrief-bench-") as work:
        for size, preset in table_runs(args) if args.table else [(s, args) for s in args.sizes]:
            bench_size(size, preset, record, Path(work))
    if args.results:
        report([args.results])


if __name__ == "__main__":
    main()
