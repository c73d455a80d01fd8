"""`kpbrief check`: every kind of mistake an editor can make, reported with file and line."""

from __future__ import annotations

from pathlib import Path

import pytest
from helpers.books import copy_fixture, edit

from kpbrief.build import load_and_check
from kpbrief.cli import main


@pytest.fixture
def book(tmp_path: Path) -> Path:
    return copy_fixture("mini", tmp_path)


def problems(book: Path) -> list[str]:
    return [str(p) for p in load_and_check(book)[1]]


def errors(book: Path) -> list[str]:
    return [p for p in problems(book) if ": error: " in p]


STATEMENT = "content/statements/2019-11-22-plenary.en.md"
PERSON = "content/people/ada-okafor.yaml"


def test_the_fixture_has_no_error(book: Path) -> None:
    assert errors(book) == []


@pytest.mark.parametrize(
    ("file", "old", "new", "expected"),
    [
        (
            STATEMENT,
            "kind: press-release",
            "kind: [oops",
            f"{STATEMENT}:4:7: error: YAML does not parse: this '[' is never closed",
        ),
        (
            STATEMENT,
            "kind: press-release",
            "kinds: press-release",
            f"{STATEMENT}:4: error: unknown field 'kinds'",
        ),
        (STATEMENT, "kind: press-release\n", "", f"{STATEMENT}:2: error: missing field 'kind'"),
        (
            STATEMENT,
            "date: 2019-11-22",
            "date: 2019-13-40",
            f"{STATEMENT}:3: error: '2019-13-40' is not a real date",
        ),
        (
            STATEMENT,
            "date: 2019-11-22",
            "date: 22/11/2019",
            f"{STATEMENT}:3: error: '22/11/2019' is not a date",
        ),
        (
            STATEMENT,
            "issues: [reform]",
            "issues: [reforms]",
            f"{STATEMENT}:7: error: unknown issue 'reforms'",
        ),
        (
            STATEMENT,
            "speakers: [ada-okafor]",
            "speakers: [ada]",
            f"{STATEMENT}:8: error: unknown person 'ada'",
        ),
        (
            STATEMENT,
            "publisher: test-coalition",
            "publisher: test-coalitio",
            f"{STATEMENT}:10: error: source publisher 'test-coalitio'",
        ),
        (
            STATEMENT,
            "(statement:2021-06-walkout)",
            "(statement:nowhere)",
            f"{STATEMENT}:28: error: link 'the walk-out' points to unknown statement 'nowhere'",
        ),
        (
            STATEMENT,
            "Costs rose",
            "[Costs](#) rose",
            f"{STATEMENT}:26: error: link 'Costs' has an empty target",
        ),
        (
            STATEMENT,
            "Costs rose",
            "[Costs]() rose",
            f"{STATEMENT}:26: error: link 'Costs' has an empty target",
        ),
        (
            STATEMENT,
            "Costs rose",
            "<script>alert(1)</script> rose",
            f"{STATEMENT}:26: error: raw HTML",
        ),
        (
            STATEMENT,
            "Costs rose",
            "![x](../../secret.png) rose",
            f"{STATEMENT}:26: error: image '../../secret.png' must be a file under content/media/",
        ),
        (
            STATEMENT,
            "Costs rose",
            "[x](javascript:alert(1)) rose",
            f"{STATEMENT}:26: error: link target 'javascript:alert",
        ),
        (
            STATEMENT,
            "kind: press-release",
            "kind: !!python/object/apply:os.system ['echo hi']",
            f"{STATEMENT}:4:7: error: YAML does not parse",
        ),
        (
            PERSON,
            '"+32 474 34 20 14"',
            '"+32 474 34"',
            f"{PERSON}:5: error: phone '+32 474 34' is not a valid number for BE",
        ),
        (
            PERSON,
            "ada@example.org",
            "ada@example",
            f"{PERSON}:6: error: e-mail 'ada@example' is malformed",
        ),
        (
            PERSON,
            "organisation: test-coalition",
            "organisation: nobody",
            f"{PERSON}:2: error: unknown organisation 'nobody'",
        ),
        (
            "content/statements/2019-11-22-plenary.fr.md",
            "translation: unofficial",
            "translation: unofficial\nkind: speech",
            "content/statements/2019-11-22-plenary.fr.md:4: error: 'kind' contradicts the original",
        ),
        (
            "content/issues/reform.en.md",
            'quote: "The scheme must change."',
            'quote: "The scheme must never change."',
            "content/issues/reform.en.md:5: error: key line",
        ),
    ],
)
def test_each_mistake_is_an_error_with_its_line(
    book: Path, file: str, old: str, new: str, expected: str
) -> None:
    edit(book / file, old, new)
    found = errors(book)
    assert any(p.startswith(expected) for p in found), found


def test_file_name_language_and_encoding(book: Path) -> None:
    statements = book / "content" / "statements"
    (statements / "Bad Name.md").write_text("---\ntitle: x\n---\n", encoding="utf-8")
    (statements / "2019-11-22-plenary.de.md").write_text(
        "---\ntitle: Titel\ntranslation: unofficial\n---\nText\n", encoding="utf-8"
    )
    (book / "content" / "people" / "latin.yaml").write_bytes("name: Jos\xe9\n".encode("latin-1"))
    (statements / "2021-06-walkout.fr.md").write_text(
        "---\ntitle: Double\ndate: 2021\nkind: other\nissues: [reform]\nsource: {publisher: x}\n"
        "---\nText\n",
        encoding="utf-8",
    )
    found = errors(book)
    assert any("Bad Name.md:1: error: file name 'Bad Name.md' does not follow" in p for p in found)
    assert any("plenary.de.md:1: error: language 'de' is not one of the book's" in p for p in found)
    assert any("latin.yaml:1: error: file is not UTF-8" in p for p in found)
    assert any("has two originals" in p for p in found), found


def test_crlf_and_bom_are_accepted(book: Path) -> None:
    path = book / STATEMENT
    text = path.read_text(encoding="utf-8").replace("\n", "\r\n")
    path.write_bytes(b"\xef\xbb\xbf" + text.encode("utf-8"))
    assert errors(book) == []


def test_duplicate_id_and_private_contact(book: Path) -> None:
    (book / "content" / "people" / "ada-okafor.yml").write_text(
        "name: Ada Again\n", encoding="utf-8"
    )
    found = problems(book)
    assert any("duplicate person id 'ada-okafor'" in p for p in found), found
    assert any(": warning: contact 'hidden-person' is not public" in p for p in found), found


def test_warnings_translation_state(book: Path) -> None:
    found = problems(book)
    assert any(
        "2019-11-22-plenary.fr.md:4: warning: translation is outdated" in p for p in found
    ), found
    assert any("statement '2021-06-walkout' has no 'fr' translation" in p for p in found)
    edit(
        book / "content/statements/2019-11-22-plenary.fr.md", "translated_from: 000000000000\n", ""
    )
    assert any("translation has no translated_from" in p for p in problems(book))


def test_a_date_note_the_translation_lacks_is_a_warning(book: Path) -> None:
    original = book / "content/statements/2019-11-22-plenary.en.md"
    translation = "content/statements/2019-11-22-plenary.fr.md"
    edit(original, "kind: press-release\n", "kind: press-release\ndate_note: Dated by its event.\n")
    found = [p for p in problems(book) if "date_note" in p]
    assert found == [
        f"{translation}:1: warning: the original content/statements/2019-11-22-plenary.en.md "
        "has a date_note and this translation has none: the 'fr' book prints the original's, "
        "in 'en'; add date_note: in 'fr' to this file"
    ], found
    edit(book / translation, "translation:", "date_note: Daté par sa réunion.\ntranslation:")
    assert [p for p in problems(book) if "date_note" in p] == []


def test_check_command_exit_codes(book: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["check", "--source", str(book)]) == 0
    assert main(["check", "--source", str(book), "--strict"]) == 1
    edit(book / STATEMENT, "kind: press-release", "kind: rumour")
    assert main(["check", "--source", str(book)]) == 1
    out = capsys.readouterr().out
    assert f"{STATEMENT}:4: error: kind 'rumour' is not one of" in out
    with pytest.raises(SystemExit) as usage:
        main(["check", "--no-such-option"])
    assert usage.value.code == 2


def test_stamp_records_the_digest(book: Path) -> None:
    translation = book / "content/statements/2019-11-22-plenary.fr.md"
    assert main(["i18n", "stamp", str(translation), "--source", str(book)]) == 0
    assert not any("outdated" in p for p in problems(book))
    edit(book / STATEMENT, "Today the plenary ended.", "Today the plenary ended at last.")
    found = problems(book)
    assert any("2019-11-22-plenary.fr.md:4: warning: translation is outdated" in p for p in found)


def test_new_writes_a_file_that_loads_and_refuses_to_overwrite(book: Path) -> None:
    assert main(["new", "person", "new-person", "--source", str(book)]) == 0
    path = book / "content/people/new-person.yaml"
    assert path.is_file()
    assert main(["new", "person", "new-person", "--source", str(book)]) == 1
    assert main(["new", "statement", "2024-01-01-x", "--source", str(book)]) == 0
    # A language code is validated like an id: it names a file, and must not lead elsewhere.
    outside = book.parent / "outside.md"
    assert main(["new", "statement", "x", "--lang", "../../../outside", "--source", str(book)]) == 2
    assert not outside.exists() and not list(book.parent.glob("*outside*"))
    assert (book / "content/statements/2024-01-01-x.en.md").is_file()
    found = problems(book)
    assert any("new-person.yaml" in p for p in found)  # placeholders get flagged, not crashes


def test_a_contact_nobody_can_reach_is_a_warning(book: Path) -> None:
    (book / "content" / "people" / "sam-silent.yaml").write_text(
        "name: Sam Silent\ncountry: BE\n", encoding="utf-8"
    )
    assert "content/people/sam-silent.yaml:1: warning: Sam Silent has no phone or e-mail" in (
        "\n".join(problems(book))
    )
    edit(book / "content/people/sam-silent.yaml", "country: BE\n", "country: BE\ncontact: false\n")
    assert not any("Sam Silent" in p for p in problems(book))
