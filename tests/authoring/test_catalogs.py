"""A book's interface catalogs: the check warns while a language's catalog is missing or
incomplete, and `i18n update` starts a language kpbrief ships from kpbrief's own catalog."""

from __future__ import annotations

from pathlib import Path

import pytest
from babel.messages.pofile import read_po
from helpers.books import REPO, copy_fixture, edit

from kpbrief.cli import main

BOOK = "content/book.yaml"


@pytest.fixture
def book(tmp_path: Path) -> Path:
    return copy_fixture("mini", tmp_path)


def check(book: Path, capsys: pytest.CaptureFixture[str]) -> tuple[int, str]:
    code = main(["check", "--source", str(book)])
    return code, capsys.readouterr().out


def translated(po: Path) -> dict[str, str]:
    """The catalog's translated messages (every plural form given)."""
    with po.open("rb") as handle:
        catalog = read_po(handle)
    return {
        str(m.id): str(m.string)
        for m in catalog
        if m.id and all(m.string if isinstance(m.string, tuple) else (m.string,))
    }


def test_a_new_language_warns_until_its_catalog_is_complete(
    book: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    edit(book / BOOK, "languages: [en, fr]", "languages: [en, fr, de]")
    code, out = check(book, capsys)
    assert code == 0
    assert (
        f"{BOOK}:6: warning: no message catalog for 'de': its book's interface is shown in 'en'; "
        "run 'kpbrief i18n update' and translate locales/de/LC_MESSAGES/messages.po"
    ) in out, out
    assert main(["i18n", "update", "--source", str(book)]) == 0
    po = book / "locales/de/LC_MESSAGES/messages.po"
    assert po.is_file() and translated(po) == {}
    code, out = check(book, capsys)
    assert code == 0
    assert "no message catalog for 'de'" not in out
    said = next(line for line in out.splitlines() if "catalog for 'de' is incomplete" in line)
    assert said.startswith(f"{BOOK}:6: warning: the message catalog for 'de' is incomplete: ")
    assert "translate them in locales/de/LC_MESSAGES/messages.po" in said
    assert "'kpbrief i18n status' lists them" in said
    # One message translated still leaves the catalog incomplete: the warning stays.
    text = po.read_text(encoding="utf-8")
    first = text.index('msgstr ""', text.index("msgid", text.index("#:")))
    po.write_text(text[:first] + 'msgstr "Inhalt"' + text[first + 9 :], encoding="utf-8")
    assert len(translated(po)) == 1
    _code, out = check(book, capsys)
    assert "catalog for 'de' is incomplete" in out


def test_update_seeds_a_language_kpbrief_ships_from_its_catalog(
    book: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    _code, before = check(book, capsys)
    assert "catalog for 'fr'" not in before, before
    assert main(["i18n", "update", "--source", str(book)]) == 0
    capsys.readouterr()
    po = book / "locales/fr/LC_MESSAGES/messages.po"
    ours = translated(po)
    shipped = translated(REPO / "locales/fr/LC_MESSAGES/messages.po")
    assert ours and ours == shipped
    _code, after = check(book, capsys)
    assert "catalog for 'fr'" not in after, after
