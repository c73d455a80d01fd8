"""Faithfulness both ways: the statement holds every paragraph of its archived source, and
holds nothing the source does not, unless `source.added` declares it (with a reason the
book prints as an editor's note)."""

from __future__ import annotations

from pathlib import Path

import pytest
from helpers.books import Built, copy_fixture, edit

from kpbrief.cli import main

STATEMENT = "content/statements/2019-11-22-plenary.en.md"


@pytest.fixture
def book(tmp_path: Path) -> Path:
    return copy_fixture("mini", tmp_path)


def check(book: Path, capsys: pytest.CaptureFixture[str]) -> tuple[int, str]:
    code = main(["check", "--source", str(book)])
    return code, capsys.readouterr().out


def test_an_invented_paragraph_is_an_error(book: Path, capsys: pytest.CaptureFixture[str]) -> None:
    edit(
        book / STATEMENT,
        "## Costs",
        "We also demand a new secretariat by 2020.\n\n## Costs",
    )
    code, out = check(book, capsys)
    assert code == 1
    assert (
        f"{STATEMENT}:24: error: not in content/sources/2019-11-22-plenary.txt: the paragraph "
        "“We also demand a new secretariat by 2020.” is not in the text as received. Remove it, "
        "or declare it under source.added with a reason"
    ) in out


def test_a_declared_addition_passes_and_an_unused_one_warns(
    book: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    edit(book / STATEMENT, "## Costs", "We also demand a new secretariat.\n\n## Costs")
    edit(
        book / STATEMENT,
        "  added:\n",
        '  added:\n    - {starts: "We also demand", why: "said at the press conference"}\n'
        '    - {starts: "Nothing like this", why: "a leftover"}\n',
    )
    code, out = check(book, capsys)
    assert code == 0, out
    assert "not in content/sources" not in out
    assert (
        f"{STATEMENT}:20: warning: added entry “Nothing like this” matches no paragraph of "
        f"{STATEMENT}: remove it"
    ) in out


def test_the_book_prints_declared_additions_as_an_editors_note(mini: Built) -> None:
    english = mini.path("en", "html").read_text(encoding="utf-8")
    french = mini.path("fr", "html").read_text(encoding="utf-8")
    assert "Added by the editors, as declared:" in english
    assert "the footnote is the editors" in english
    assert "Ajouts de la rédaction, signalés" in french
    assert "la note est de la rédaction" in french


def test_a_statement_identical_to_its_source_passes_with_a_footnote(
    book: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    body = (
        "The coalition walked out of the meeting.[^1] It will return when the scheme "
        "listens.\n\n## What comes next\n\nA letter to the chair follows.[^chair]\n\n"
        "[^1]: The meeting of 14 June.\n[^chair]: Sent on 15 June, by e-mail.\n"
    )
    (book / "content/sources/2021-06-walkout.md").write_text(body, encoding="utf-8")
    path = book / "content/statements/2021-06-walkout.en.md"
    head = path.read_text(encoding="utf-8").split("---\n")[1]
    head = head.replace(
        "  publisher: Someone Else Entirely\n",
        "  publisher: Someone Else Entirely\n  file: sources/2021-06-walkout.md\n",
    )
    path.write_text(f"---\n{head}---\n{body}", encoding="utf-8")
    code, out = check(book, capsys)
    assert code == 0, out
    assert "not faithful" not in out and "not in content/sources" not in out, out
