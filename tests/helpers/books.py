"""The fixture books: copied, edited as editors would, and read back once built."""

from __future__ import annotations

import shutil
import zipfile
from dataclasses import dataclass
from pathlib import Path

from pypdf import PdfReader

FIXTURES = Path(__file__).parent.parent / "fixtures"
REPO = Path(__file__).parent.parent.parent


@dataclass
class Built:
    source: Path
    out: Path
    book_id: str

    def path(self, lang: str, fmt: str) -> Path:
        return self.out / f"{self.book_id}.{lang}.{fmt}"

    def pdf(self, lang: str) -> PdfReader:
        return PdfReader(self.path(lang, "pdf"))

    def pdf_text(self, lang: str) -> str:
        return "\n".join(page.extract_text() or "" for page in self.pdf(lang).pages)

    def epub(self, lang: str) -> zipfile.ZipFile:
        return zipfile.ZipFile(self.path(lang, "epub"))

    def epub_text(self, lang: str) -> str:
        with self.epub(lang) as archive:
            return "\n".join(
                archive.read(name).decode("utf-8")
                for name in sorted(archive.namelist())
                if name.endswith((".xhtml", ".opf", ".ncx"))
            )


def pack_path(book: Built, pack: str, lang: str) -> Path:
    """Where a book's briefing pack is written."""
    return book.out / f"{book.book_id}.pack-{pack}.{lang}.pdf"


def edit(path: Path, old: str, new: str, count: int = -1) -> None:
    """Replace `old` (which must be there) by `new` in a content file, as an editor would."""
    text = path.read_text(encoding="utf-8")
    assert old in text, old
    path.write_text(text.replace(old, new, count), encoding="utf-8")


def copy_fixture(name: str, destination: Path) -> Path:
    target = destination / name
    shutil.copytree(FIXTURES / name, target)
    return target
