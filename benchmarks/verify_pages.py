"""Check every page reference of a PDF: the number a link shows is its target's page.

    .venv/bin/python benchmarks/verify_pages.py BOOK.pdf [BOOK.pdf ...]

For each link to a place in the document, the text under the link's rectangle is read
(PDFium); where it shows a page (a contents entry, an index page, a "(p. 12)"), that must be
the page the link leads to. Prints the count of links checked and every mismatch;
exits 1 if there is one. An independent check of a joined (parts) or whole PDF: it reads the
printed pages, not kpbrief's own page map.
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

import pypdfium2
from pypdf import PdfReader

# A page number as links show it: alone (contents, index), after "p." ("(p. 12)"), or after
# a leader of dots.
PAGE_SHOWN = re.compile(r"^\W*(\d+)\W*$|p\.\s*(\d+)\)?\W*$|[.\s]{3,}(\d+)\s*$")


def mismatches(path: Path) -> tuple[int, list[str]]:
    reader = PdfReader(path)
    named = reader.named_destinations
    document = pypdfium2.PdfDocument(path)
    checked, wrong = 0, []
    try:
        for number, page in enumerate(reader.pages):
            text = document[number].get_textpage()
            for annotation in page.get("/Annots") or []:
                link = annotation.get_object()
                destination = link.get("/Dest")
                if link.get("/Subtype") != "/Link" or destination is None:
                    continue
                if str(destination) not in named:
                    wrong.append(f"page {number + 1}: no destination {destination}")
                    continue
                target = reader.get_destination_page_number(named[str(destination)]) + 1
                left, bottom, right, top = (float(v) for v in link["/Rect"])
                shown = text.get_text_bounded(left, bottom, right, top)
                page_shown = PAGE_SHOWN.search(shown)
                if page_shown is None:
                    continue  # a link showing no page (a title, a date)
                checked += 1
                if int(next(g for g in page_shown.groups() if g)) != target:
                    wrong.append(f"page {number + 1}: {shown!r} leads to page {target}")
    finally:
        document.close()
    return checked, wrong


def main() -> None:
    failed = False
    for name in sys.argv[1:]:
        checked, wrong = mismatches(Path(name))
        print(f"{name}: {checked} numbered links checked, {len(wrong)} wrong")
        for line in wrong[:20]:
            print("  " + line)
        failed = failed or bool(wrong)
    raise SystemExit(1 if failed else 0)


if __name__ == "__main__":
    main()
