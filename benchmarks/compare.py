"""Whether two PDFs show the same book: every page rasterised, the outline, every link.

    .venv/bin/python benchmarks/compare.py MINE.pdf REFERENCE.pdf

Used by bench.py to compare kpbrief's PDF with WeasyPrint alone's on the same HTML (since
kpbrief lays long books out in parts, the files differ; the pages must not).
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any


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
    result = compare(Path(sys.argv[1]), Path(sys.argv[2]))
    for key, value in result.items():
        print(f"{key}: {value}")
    raise SystemExit(0 if result["count differing"] == 0 else 1)


if __name__ == "__main__":
    main()
