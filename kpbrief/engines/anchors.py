"""Where a PDF's places are: its named destinations and their pages.

WeasyPrint names a destination after every element id it lays out, and a book laid out in
parts keeps them when its parts are joined (`engines.pdfjoin`); so a finished book's PDF
tells the page of every place another document refers to (a briefing pack's "p. 12").
"""

from __future__ import annotations

from pathlib import Path


def pdf_anchor_pages(path: Path) -> dict[str, int]:
    """Every named destination of the PDF at `path`, and its 1-based page."""
    import pikepdf

    with pikepdf.open(path) as pdf:
        index = {page.obj.objgen: number for number, page in enumerate(pdf.pages, 1)}
        root = pdf.Root
        if "/Names" not in root or "/Dests" not in root.Names:
            return {}
        pages: dict[str, int] = {}
        for name, destination in pikepdf.NameTree(root.Names.Dests).items():
            if isinstance(destination, pikepdf.Dictionary) and "/D" in destination:
                destination = destination.D
            if isinstance(destination, pikepdf.Array) and len(destination) > 0:
                number = index.get(destination[0].objgen)
                if number is not None:
                    pages[str(name)] = number
        return pages
