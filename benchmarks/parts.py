"""Prototype: render a long book's PDF in parts, in parallel processes, and join them.

    .venv/bin/python benchmarks/parts.py BOOK HTML OUT.pdf [--parts 4] [--workers 2]
        [--reference REF.pdf]

HTML is what `kpbrief build --format html` wrote; REF.pdf is WeasyPrint alone on it (as
engines.py weasyprint), against which the joined PDF is compared page by page (rasterised),
outline by outline and link by link.

The book is cut only between statements (each opens a page), so the parts' layouts are
independent except for what a part takes from the book around it, which is given to it:

- its first page number (`@page :first { counter-reset: page N }`) and side (the root's
  `break-before: left|right`), so running numbers and right-hand part openings match;
- the running header `string(part)` that the Statements part title set before the cut;
- the page of every reference to another part (contents, index, cross-references, contact
  references), as literal text through `attr(data-page)` in copies of the stylesheet's
  `target-counter()` rules.

Pass 1 lays out every part (in parallel) with placeholder numbers, to learn each part's page
count and the local page of each anchor; pass 2 renders every part again with the true
numbers and writes it; the parts are joined with pypdf, with the outline rebuilt from the
parts' bookmarks and the document's /Lang and /Title restored.
"""

from __future__ import annotations

import argparse
import hashlib
import html as html_module
import io
import json
import pickle
import re
import sys
import time
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from engines import layouts_of  # noqa: E402

REF_RULE = re.compile(r"([^{}]+)\{([^{}]*target-counter\(attr\(href url\), page\)[^{}]*)\}")
LINK = re.compile(r'<a\b([^>]*?)\bhref="#([^"]+)"([^>]*)>')
ANCHOR = re.compile(r'\bid="([^"]+)"')
# Where a part may begin: an issue chapter or a statement (each opens a new page).
CUT = re.compile(r'<h2 id="([^"]+)" class="(?:chapter|statement-title)"')
PART_TITLE = re.compile(r'<h1 id="[^"]+" class="part[ "][^>]*>(.*?)</h1>', re.DOTALL)


def split(
    document: str, count: int, keep: list[str] | None = None
) -> tuple[str, list[str], str, list[str]]:
    """The head (up to <body …>), body slices, the tail, and the ids the slices begin at.

    Slices begin at issue chapters or statements, of about equal length; `keep`, the ids
    of an earlier split, is reused when they are all still there, so that an edit does not
    move the cuts.
    """
    body_start = document.index(">", document.index("<body")) + 1
    body_end = document.rindex("</body>")
    head, body, tail = document[:body_start], document[body_start:body_end], document[body_end:]
    candidates = {m[1]: m.start() for m in CUT.finditer(body)}
    if keep and all(k in candidates for k in keep):
        ids = keep
    else:
        ids = []
        for k in range(1, count):
            wanted = len(body) * k / count
            best = min(candidates, key=lambda c: abs(candidates[c] - wanted))
            if best not in ids:
                ids.append(best)
        ids.sort(key=candidates.__getitem__)
    bounds = [0, *(candidates[i] for i in ids), len(body)]
    slices = [body[a:b] for a, b in zip(bounds, bounds[1:], strict=False)]
    return head, slices, tail, ids


def running_titles(slices: list[str]) -> list[str | None]:
    """For each slice, the title of the book part it continues (None for the first)."""
    titles: list[str | None] = []
    current: str | None = None
    for index, part in enumerate(slices):
        titles.append(current if index else None)
        for match in PART_TITLE.finditer(part):
            current = html_module.unescape(re.sub(r"<[^>]+>", "", match[1])).strip()
    return titles


def crossing_rules(css: str) -> str:
    """Copies of the rules printing target-counter(), for references to other parts."""
    out = []
    for selectors, declarations in REF_RULE.findall(css):
        chosen = [
            s.strip().replace("::after", ".xpart::after").replace("::before", ".xpart::before")
            for s in selectors.split(",")
        ]
        body = declarations.replace("target-counter(attr(href url), page)", "attr(data-page)")
        out.append(f"{', '.join(chosen)} {{{body}}}")
    return "\n".join(out)


def part_document(
    head: str,
    body: str,
    tail: str,
    css_extra: str,
    first_page: int,
    part_title: str | None,
    pages_of: dict[str, int],
) -> str:
    local = set(ANCHOR.findall(body))

    def link(match: re.Match[str]) -> str:
        before, target, after = match.groups()
        if target in local or target not in pages_of:
            return match[0]
        attributes = before + after
        if 'class="' in attributes:
            attributes = attributes.replace('class="', 'class="xpart ', 1)
        else:
            attributes += ' class="xpart"'
        return f'<a{attributes} href="#{target}" data-page="{pages_of[target]}">'

    body = LINK.sub(link, body)
    if part_title is not None:  # the part's running header, set before the cut
        title = part_title.replace("\\", "\\\\").replace('"', '\\"')
        style_value = html_module.escape(f'string-set: part "{title}", chapter content()')
        body = re.sub(
            r'^(<h2 id="[^"]+" class="[^"]+")',
            lambda m: f'{m[1]} style="{style_value}"',
            body,
            count=1,
        )
    side = "right" if first_page % 2 == 1 else "left"
    style = (
        f"<style>html {{ break-before: {side}; }} "
        f"@page :first {{ counter-reset: page {first_page}; }}\n{css_extra}</style>"
    )
    head = head.replace("</head>", style + "</head>", 1)
    return head + body + tail


def _html(book: str, document: str) -> Any:
    import weasyprint

    from kpbrief.write import VIRTUAL_ROOT, Assets, asset_fetcher

    assets = Assets(layouts_of(Path(book)), Path(book) / "content" / "media")
    return weasyprint.HTML(
        string=document, base_url=VIRTUAL_ROOT, url_fetcher=asset_fetcher(assets)
    )


Mark = tuple[int, int, str, float, float]  # page, level, label, x, y
Link = tuple[int, str, tuple[float, float, float, float]]  # page, anchor, rectangle


def render_part(book: str, document: str, write_pdf: bool) -> dict[str, Any]:
    """One part laid out (and written): page count, anchors, bookmarks, internal links."""
    cpu = time.process_time()
    options: dict[str, Any] = {"pdf_tags": True, "pdf_variant": "pdf/ua-1"} if write_pdf else {}
    rendered = _html(book, document).render(**options)
    result: dict[str, Any] = {
        "count": len(rendered.pages),
        "anchors": {
            name: (i, x, y)
            for i, page in enumerate(rendered.pages)
            for name, (x, y, *_rest) in page.anchors.items()
        },
        "marks": [
            (i, level, label, x, y)
            for i, page in enumerate(rendered.pages)
            for level, label, (x, y), _state in page.bookmarks
        ],
        "links": [
            (i, target, tuple(rectangle))
            for i, page in enumerate(rendered.pages)
            for kind, target, rectangle, _box in page.links
            if kind == "internal"
        ],
        "pdf": rendered.write_pdf(**options) if write_pdf else None,
    }
    result["cpu"] = time.process_time() - cpu  # this job's own CPU seconds, in its worker
    return result


def makespan(jobs: list[float], workers: int) -> float:
    """Wall seconds of jobs handed in order to the first free of `workers` idle cores."""
    free = [0.0] * workers
    for job in jobs:
        free[free.index(min(free))] += job
    return max(free)


def join(parts: list[dict[str, Any]], offsets: list[int], out: Path) -> None:
    """One PDF: pages, outline, named destinations and links across parts, /Lang, /Title."""
    from pypdf import PdfReader, PdfWriter
    from pypdf.generic import (
        ArrayObject,
        DictionaryObject,
        Fit,
        FloatObject,
        NameObject,
        NumberObject,
        TextStringObject,
    )

    writer = PdfWriter()
    first = PdfReader(io.BytesIO(parts[0]["pdf"]))
    for part in parts:
        writer.append(PdfReader(io.BytesIO(part["pdf"])), import_outline=False)
    if first.metadata:
        writer.add_metadata(dict(first.metadata.items()))
    lang = first.root_object.get("/Lang")
    if lang is not None:
        writer._root_object[NameObject("/Lang")] = lang
    height = float(writer.pages[0].mediabox.height)
    parents: dict[int, Any] = {}
    for i, part in enumerate(parts):
        for page, level, label, x, y in part["marks"]:
            parent = next((parents[k] for k in range(level - 1, 0, -1) if k in parents), None)
            item = writer.add_outline_item(
                title=label,
                page_number=offsets[i] + page,
                parent=parent,
                fit=Fit.xyz(left=x * 0.75, top=height - y * 0.75),
            )
            parents = {k: v for k, v in parents.items() if k < level}
            parents[level] = item
    # Every anchor of the book, and every internal link (each part kept only its own).
    where: dict[str, tuple[int, float, float]] = {}
    for i, part in enumerate(parts):
        for name, (page, x, y) in part["anchors"].items():
            where.setdefault(name, (offsets[i] + page, x, y))
    for i, part in enumerate(parts):
        for page_index in range(offsets[i], offsets[i] + part["count"]):
            page = writer.pages[page_index]
            kept = [
                a
                for a in page.get("/Annots") or []
                if a.get_object().get("/Subtype") != "/Link" or "/A" in a.get_object()
            ]
            page[NameObject("/Annots")] = ArrayObject(kept)
        for page, target, (x1, y1, x2, y2) in part["links"]:
            if target not in where:
                continue
            goal, gx, gy = where[target]
            link = DictionaryObject(
                {
                    NameObject("/Type"): NameObject("/Annot"),
                    NameObject("/Subtype"): NameObject("/Link"),
                    NameObject("/Rect"): ArrayObject(
                        FloatObject(v)
                        for v in (x1 * 0.75, height - y1 * 0.75, x2 * 0.75, height - y2 * 0.75)
                    ),
                    NameObject("/BS"): DictionaryObject({NameObject("/W"): NumberObject(0)}),
                    NameObject("/Contents"): TextStringObject(target),
                    NameObject("/Dest"): ArrayObject(
                        [
                            writer.pages[goal].indirect_reference,
                            NameObject("/XYZ"),
                            FloatObject(gx * 0.75),
                            FloatObject(height - gy * 0.75),
                            NumberObject(0),
                        ]
                    ),
                }
            )
            target_page = writer.pages[offsets[i] + page]
            annots = target_page.get("/Annots") or ArrayObject()
            annots.append(writer._add_object(link))
            target_page[NameObject("/Annots")] = annots
    with out.open("wb") as handle:
        writer.write(handle)


def render_in_parts(
    book: Path,
    document: str,
    out: Path,
    count: int,
    workers: int,
    cache: Path | None = None,
) -> dict[str, Any]:
    previous = (
        json.loads((cache / "map.json").read_text())
        if cache and (cache / "map.json").is_file()
        else None
    )
    head, bodies, tail, cuts = split(document, count, previous["cuts"] if previous else None)
    css = (layouts_of(book)[-1] / "styles" / "print.css").read_text(encoding="utf-8")
    for own in layouts_of(book)[:-1]:
        if (own / "styles" / "print.css").is_file():
            css = (own / "styles" / "print.css").read_text(encoding="utf-8")
    extra = crossing_rules(css + "\n".join(re.findall(r"<style>(.*?)</style>", head, re.DOTALL)))
    titles = running_titles(bodies)
    timings: dict[str, Any] = {"parts": len(bodies), "rendered": []}
    start = time.perf_counter()
    with ProcessPoolExecutor(max_workers=workers) as pool:
        if previous and len(previous["counts"]) == len(bodies):
            # A previous build's page map is the guess; checked below like any other.
            counts, pages_of = previous["counts"], previous["pages_of"]
        else:
            # Pass 1, layout only, with four-digit placeholders where the numbers will go.
            # A part holding a right-hand part opening is laid out starting on either side:
            # which one holds depends on the page counts of the parts before it.
            placeholder = {a: 8888 for a in ANCHOR.findall(document)}
            jobs = []
            for i, b in enumerate(bodies):
                sides = (1, 2) if i and 'class="part ' in b else (1,)
                jobs += [
                    (i, f, part_document(head, b, tail, extra, f, titles[i], placeholder))
                    for f in sides
                ]
            laid = list(
                pool.map(
                    render_part,
                    [str(book)] * len(jobs),
                    [d for _, _, d in jobs],
                    [False] * len(jobs),
                )
            )
            by_side = {(i, f % 2): r for (i, f, _), r in zip(jobs, laid, strict=True)}
            counts, pages_of = [], {}
            for i in range(len(bodies)):
                offset = sum(counts)
                chosen = by_side.get((i, (offset + 1) % 2)) or by_side[(i, 1)]
                counts.append(chosen["count"])
                pages_of.update({a: offset + p + 1 for a, (p, _x, _y) in chosen["anchors"].items()})
            timings["pass1"] = round(time.perf_counter() - start, 2)
            timings["pass1 CPU per job"] = [round(r["cpu"], 1) for r in laid]
            timings["pass1 on idle cores"] = round(makespan([r["cpu"] for r in laid], workers), 1)
        # Passes that write: again until no part's numbers changed (as WeasyPrint itself does).
        done: dict[int, tuple[str, dict[str, Any]]] = {}
        converged = False
        for _attempt in range(5):
            offsets = [sum(counts[:i]) for i in range(len(bodies))]
            docs = {
                i: part_document(head, b, tail, extra, offsets[i] + 1, titles[i], pages_of)
                for i, b in enumerate(bodies)
            }
            todo = [i for i, d in docs.items() if i not in done or done[i][0] != d]
            for i in list(todo):
                key = hashlib.sha256(docs[i].encode()).hexdigest()
                if cache and (cache / f"{key}.pickle").is_file():
                    done[i] = (docs[i], pickle.loads((cache / f"{key}.pickle").read_bytes()))
                    todo.remove(i)
            if not todo:
                converged = True
                break
            results = pool.map(
                render_part, [str(book)] * len(todo), [docs[i] for i in todo], [True] * len(todo)
            )
            for i, result in zip(todo, results, strict=True):
                done[i] = (docs[i], result)
                if cache:
                    key = hashlib.sha256(docs[i].encode()).hexdigest()
                    (cache / f"{key}.pickle").write_bytes(pickle.dumps(result))
            timings["rendered"].append(todo)
            jobs_cpu = [done[i][1]["cpu"] for i in todo]
            timings.setdefault("writing passes CPU per job", []).append(
                [round(c, 1) for c in jobs_cpu]
            )
            timings["writing passes on idle cores"] = round(
                timings.get("writing passes on idle cores", 0.0) + makespan(jobs_cpu, workers), 1
            )
            counts = [done[i][1]["count"] for i in range(len(bodies))]
            offsets = [sum(counts[:i]) for i in range(len(bodies))]
            pages_of = {
                a: offsets[i] + p + 1
                for i in range(len(bodies))
                for a, (p, _x, _y) in done[i][1]["anchors"].items()
            }
        timings["converged"] = converged
    parts = [done[i][1] for i in range(len(bodies))]
    if cache:
        (cache / "map.json").write_text(
            json.dumps({"cuts": cuts, "counts": counts, "pages_of": pages_of})
        )
    join_start, join_cpu = time.perf_counter(), time.process_time()
    join(parts, offsets, out)
    timings["join"] = round(time.perf_counter() - join_start, 2)
    timings["join CPU"] = round(time.process_time() - join_cpu, 1)
    timings["total"] = round(time.perf_counter() - start, 2)
    timings["pages per part"] = counts
    return timings


def compare(joined: Path, reference: Path) -> dict[str, Any]:
    """Pages rasterised and compared; outlines and link counts compared."""
    import pypdfium2
    from pypdf import PdfReader

    a, b = pypdfium2.PdfDocument(str(joined)), pypdfium2.PdfDocument(str(reference))
    differing = []
    try:
        for i in range(min(len(a), len(b))):
            pa = a[i].render(scale=0.5).to_pil().tobytes()
            pb = b[i].render(scale=0.5).to_pil().tobytes()
            if pa != pb:
                differing.append(i + 1)
        result: dict[str, Any] = {"pages": (len(a), len(b)), "pages differing": differing[:20]}
        result["count differing"] = len(differing)
    finally:
        a.close()
        b.close()

    def outline(path: Path) -> list[tuple[int, str, int | None]]:
        reader = PdfReader(path)
        flat: list[tuple[int, str, int | None]] = []

        def walk(items: list[Any], depth: int) -> None:
            for item in items:
                if isinstance(item, list):
                    walk(item, depth + 1)
                else:
                    flat.append((depth, str(item.title), reader.get_destination_page_number(item)))

        walk(reader.outline, 0)
        return flat

    def links(path: Path) -> list[tuple[int, tuple[int, ...], Any]]:
        """(page, rectangle, target page or URI) of every link."""
        reader = PdfReader(path)
        named = reader.named_destinations
        found = []
        for number, page in enumerate(reader.pages):
            for annot in page.get("/Annots") or []:
                link = annot.get_object()
                if link.get("/Subtype") != "/Link":
                    continue
                rect = tuple(round(float(v)) for v in link["/Rect"])
                dest = link.get("/Dest")
                if dest is None:
                    target: Any = str(link["/A"].get("/URI"))
                elif isinstance(dest, str):
                    target = reader.get_destination_page_number(named[dest])
                else:
                    target = reader.get_page_number(dest[0].get_object())
                found.append((number, rect, target))
        return sorted(found, key=repr)

    result["outline equal"] = outline(joined) == outline(reference)
    mine, theirs = links(joined), links(reference)
    result["links (joined, reference)"] = (len(mine), len(theirs))
    result["links equal (page, place, target)"] = mine == theirs
    roots = [PdfReader(p).root_object for p in (joined, reference)]
    result["StructTreeRoot (joined, reference)"] = tuple("/StructTreeRoot" in r for r in roots)
    result["/Lang (joined, reference)"] = tuple(str(r.get("/Lang")) for r in roots)
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("book", type=Path)
    parser.add_argument("html", type=Path)
    parser.add_argument("out", type=Path)
    parser.add_argument("--parts", type=int, default=4)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--reference", type=Path)
    parser.add_argument(
        "--cache", type=Path, help="keep each part's result and the page map here, for reuse"
    )
    args = parser.parse_args()
    document = args.html.read_text(encoding="utf-8")
    if args.cache:
        args.cache.mkdir(parents=True, exist_ok=True)
    timings = render_in_parts(
        args.book.resolve(), document, args.out, args.parts, args.workers, args.cache
    )
    print(timings)
    if args.reference:
        print(compare(args.out, args.reference))


if __name__ == "__main__":
    main()
