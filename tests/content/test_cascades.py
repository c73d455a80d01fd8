"""One mistake, one error: what fails to load is reported once, at its cause, and nothing
that refers to it is reported again."""

from __future__ import annotations

from pathlib import Path

import pytest
from helpers.books import copy_fixture, edit

from kpbrief.cli import main


@pytest.fixture
def book(tmp_path: Path) -> Path:
    return copy_fixture("mini", tmp_path)


def errors_of(book: Path, capsys: pytest.CaptureFixture[str]) -> tuple[int, list[str]]:
    code = main(["check", "--source", str(book), "--quiet"])
    return code, [line for line in capsys.readouterr().out.splitlines() if ": error: " in line]


@pytest.mark.parametrize(
    ("file", "old", "new", "cause"),
    [
        (
            "content/people/ada-okafor.yaml",
            "name: Ada Okafor",
            "name: [Ada Okafor",
            "content/people/ada-okafor.yaml:1:7: error: YAML does not parse: this '[' is never "
            "closed: close it with ']', or write the value in quotes",
        ),
        (
            "content/statements/2019-11-22-plenary.en.md",
            "kind: press-release",
            "kind: [oops",
            "content/statements/2019-11-22-plenary.en.md:4:7: error: YAML does not parse",
        ),
        (
            "content/organisations/test-coalition.yaml",
            "name:",
            "name: [",
            "content/organisations/test-coalition.yaml:",
        ),
        (
            "content/issues/reform.en.md",
            "title: Reform of the scheme",
            "title: [Reform",
            "content/issues/reform.en.md:2:8: error: YAML does not parse",
        ),
        (
            "content/book.yaml",
            "languages: [en, fr]",
            "languages: [en, french]",
            "content/book.yaml:6: error: 'french' is not a language code (like en, fr, pt, or "
            "pt_BR); did you mean 'fr'?",
        ),
        (
            "content/book.yaml",
            "languages: [en, fr]",
            "languages: [en, xx]",
            "content/book.yaml:6: error: 'xx' is not a language Babel knows",
        ),
    ],
)
def test_one_mistake_is_at_most_three_errors_cause_first(
    book: Path,
    capsys: pytest.CaptureFixture[str],
    file: str,
    old: str,
    new: str,
    cause: str,
) -> None:
    edit(book / file, old, new)
    code, errors = errors_of(book, capsys)
    assert code == 1
    assert errors and errors[0].startswith(cause), errors
    assert len(errors) <= 3, errors
    assert not any("must be a mapping" in e for e in errors), errors


@pytest.mark.parametrize("languages", ["[en, french]", "[en, xx]", "[en, FR, xx]"])
def test_an_invalid_language_brings_no_warning_of_its_own(
    book: Path, capsys: pytest.CaptureFixture[str], languages: str
) -> None:
    """Every file's text in that language would be "missing": none of it is reported, and
    no warning appears that the book did not have before."""
    main(["check", "--source", str(book)])
    before = {line for line in capsys.readouterr().out.splitlines() if ": warning: " in line}
    edit(book / "content/book.yaml", "languages: [en, fr]", f"languages: {languages}")
    assert main(["check", "--source", str(book)]) == 1
    out = capsys.readouterr().out.splitlines()
    errors = [line for line in out if ": error: " in line]
    warnings = {line for line in out if ": warning: " in line}
    assert errors and all(e.startswith("content/book.yaml:6: error: ") for e in errors), errors
    assert len(errors) == languages.count(",")  # one for each language written wrong
    assert warnings <= before, warnings - before


def test_a_misnamed_file_is_its_one_error(book: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """The chapter the pack and a statement name is there, under a name that does not load:
    its one error says how to rename it, and no 'unknown issue' follows."""
    issues = book / "content/issues"
    (issues / "communities.en.md").rename(issues / "communities.EN.md")
    code, errors = errors_of(book, capsys)
    assert code == 1
    assert errors == [
        "content/issues/communities.EN.md:1: error: file name 'communities.EN.md' does not "
        "follow <id>.<lang>.md (like 2019-11-22-new-delhi-plenary.en.md): rename it to "
        "'communities.en.md'"
    ]
