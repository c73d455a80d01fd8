"""Fixture books are built once per test session, with the real engines."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from helpers.books import FIXTURES, REPO, Built, copy_fixture, edit
from helpers.judges import EpubCheckResult, each_in_turn, run_ace, run_epubcheck

from kpbrief.build import BuildRequest, build
from kpbrief.cli import main

__all__ = ["FIXTURES", "REPO", "Built", "copy_fixture", "edit"]

# Every build in the suite, and in the processes it starts, is made in its own process:
# the tests of the warm build process (tests/build/test_warm_process.py) ask for it.
os.environ["KPBRIEF_WARM"] = "0"


@pytest.fixture(scope="session")
def mini(tmp_path_factory: pytest.TempPathFactory) -> Built:
    """The mini fixture book in English and French, as PDF, EPUB and HTML."""
    root = tmp_path_factory.mktemp("mini")
    source = copy_fixture("mini", root)
    out = root / "out"
    build(BuildRequest(source=source, out=out, formats=["pdf", "epub", "html"], packs=True))
    return Built(source, out, "mini-book")


@pytest.fixture(scope="session")
def mini_press(mini: Built) -> Built:
    """The mini book's press PDFs (`--press`), English and French, from the same book folder
    as `mini` (whose screen PDFs they are compared with), in a folder of their own."""
    out = mini.out.parent / "press"
    build(BuildRequest(source=mini.source, out=out, formats=[], press=True))
    return Built(mini.source, out, "mini-book")


# The independent EPUB judges: every EPUB of every fixture book, each judged once a session.
@pytest.fixture(scope="session")
def pt_book(tmp_path_factory: pytest.TempPathFactory) -> Built:
    """A book in English and a third language (Brazilian Portuguese) with no catalog."""
    root = tmp_path_factory.mktemp("pt")
    source = copy_fixture("pt", root)
    out = root / "out"
    build(BuildRequest(source=source, out=out, formats=["pdf", "epub", "html"], packs=True))
    return Built(source, out, "livro-teste")


@pytest.fixture(scope="session")
def portuguese(pt_book: Built) -> Built:
    """A third language that needs no code change: no catalog, Babel's dates."""
    return pt_book


@pytest.fixture(scope="session")
def kp_book(tmp_path_factory: pytest.TempPathFactory) -> Built:
    """The repository's own book (the coalition's), read where it is, built elsewhere: the
    PDF as one document (`kp_in_parts` lays it out in parts), the EPUB and the HTML."""
    out = tmp_path_factory.mktemp("kp") / "out"
    build(BuildRequest(source=REPO, out=out, formats=["pdf", "epub", "html"], parts=1))
    return Built(REPO, out, "kp-csc-briefing")


NEW_STATEMENT = """---
title: Dubai plenary ends without reform
date: 2024-11-20
kind: press-release
issues: [reform]
source:
  publisher: test-coalition
---
The plenary ended again without reform.
"""


@pytest.fixture(scope="session")
def next_edition(tmp_path_factory: pytest.TempPathFactory) -> Built:
    """The mini book closed, then given a statement and a new phone, and a later date: its
    "What's new" section (tests/authoring/test_editions.py), judged like the other books."""
    root = tmp_path_factory.mktemp("editions")
    source = copy_fixture("mini", root)
    assert main(["edition", "close", "--source", str(source)]) == 0
    content = source / "content"
    (content / "statements/2024-11-20-dubai.en.md").write_text(NEW_STATEMENT, encoding="utf-8")
    edit(content / "people/ada-okafor.yaml", "+32 474 34 20 14", "+32 475 11 22 33")
    edit(content / "book.yaml", "edition: 2024-05-17", "edition: 2024-12-01")
    out = root / "out"
    build(BuildRequest(source=source, out=out, formats=["html"]))
    build(BuildRequest(source=source, out=out, languages=["en"], formats=["pdf"]))
    build(BuildRequest(source=source, out=out, languages=["fr"], formats=["epub"]))
    return Built(source, out, "mini-book")


@pytest.fixture(scope="session")
def epubs(mini: Built, pt_book: Built, kp_book: Built, next_edition: Built) -> dict[str, Path]:
    """Every EPUB of the fixture books, by `book.lang`."""
    found = {}
    books = (("mini", mini), ("pt", pt_book), ("kp", kp_book), ("next", next_edition))
    for name, book in books:
        for path in sorted(book.out.glob(f"{book.book_id}.*.epub")):
            found[f"{name}.{path.name.split('.')[1]}"] = path
    assert len(found) == 7, sorted(found)
    return found


@pytest.fixture(scope="session")
def epub_sources(
    mini: Built, pt_book: Built, kp_book: Built, next_edition: Built
) -> dict[str, Path]:
    """The book folder of each book in `epubs`, by the name before its language."""
    return {
        "mini": mini.source,
        "pt": pt_book.source,
        "kp": kp_book.source,
        "next": next_edition.source,
    }


@pytest.fixture(scope="session")
def epubcheck_usage(epubs: dict[str, Path]) -> dict[str, EpubCheckResult]:
    return each_in_turn(run_epubcheck, epubs)  # type: ignore[return-value]


@pytest.fixture(scope="session")
def ace_reports(epubs: dict[str, Path]) -> dict[str, dict[str, object]]:
    return each_in_turn(run_ace, epubs)  # type: ignore[return-value]


@pytest.fixture(scope="session")
def epub_plain(epubs: dict[str, Path]) -> dict[str, str]:
    """Each EPUB read back by pandoc as plain text: what a reader without CSS gets."""
    import pypandoc

    return {
        name: pypandoc.convert_file(str(path), "plain", format="epub", extra_args=["--wrap=none"])
        for name, path in epubs.items()
    }
