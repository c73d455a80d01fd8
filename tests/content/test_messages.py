"""Messages said like a good compiler's: what was meant, in the editor's words."""

from __future__ import annotations

from pathlib import Path

import pytest
from helpers.books import copy_fixture, edit

from kpbrief.cli import main

STATEMENT = "content/statements/2019-11-22-plenary.en.md"
PERSON = "content/people/ada-okafor.yaml"
WALKOUT = "content/statements/2021-06-walkout.en.md"


@pytest.fixture
def book(tmp_path: Path) -> Path:
    return copy_fixture("mini", tmp_path)


@pytest.mark.parametrize(
    ("file", "old", "new", "expected"),
    [
        (
            STATEMENT,
            "speakers: [ada-okafor]",
            "speaker: [ada-okafor]",
            f"{STATEMENT}:8: error: unknown field 'speaker'; did you mean 'speakers'?",
        ),
        (
            PERSON,
            "country: BE",
            "country: UK",
            f"{PERSON}:4: error: 'UK' is not an ISO 3166-1 "
            "alpha-2 country code (like ZW, BE); did you mean 'GB'?",
        ),
        (
            PERSON,
            "country: BE",
            "country: be",
            f"{PERSON}:4: error: 'be' is not an ISO 3166-1 "
            "alpha-2 country code (like ZW, BE); did you mean 'BE'?",
        ),
        (
            STATEMENT,
            "issues: [reform]",
            "issues: [Reform]",
            f"{STATEMENT}:7: error: 'Reform' is not an id: use lowercase ASCII words joined by "
            "hyphens; did you mean 'reform'?",
        ),
        (
            STATEMENT,
            "issues: [reform]",
            "issues: [reforms]",
            f"{STATEMENT}:7: error: unknown issue 'reforms'; did you mean 'reform'?",
        ),
        (
            STATEMENT,
            "speakers: [ada-okafor]",
            "speakers: [ada\u2011okafor]",
            f"{STATEMENT}:8: error: 'ada<U+2011>okafor' is not an id: use lowercase ASCII words "
            "joined by hyphens; it holds U+2011 NON-BREAKING HYPHEN, which looks like a hyphen",
        ),
        (
            WALKOUT,
            "date: 2021-06",
            "date: 22/06/2021",
            f"{WALKOUT}:3: error: '22/06/2021' is not a date: write YYYY-MM-DD, or YYYY-MM or "
            "YYYY where only that is known; did you mean 2021-06-22?",
        ),
        (
            WALKOUT,
            "We walked out.",
            "We walked out over [reform](issue:reforms).",
            f"{WALKOUT}:12: error: link 'reform' points to unknown issue 'reforms'; did you mean "
            "'reform'?",
        ),
        (
            WALKOUT,
            "title: Walk-out at the intersessional",
            "title: Walk-out at the intersessional\ntitle: Walk-out",
            f"{WALKOUT}:3: error: field 'title' is given twice (first on line 2): keep one",
        ),
        (
            "content/book.yaml",
            "publisher: test-coalition",
            "publisher: test-coalitoin",
            "content/book.yaml:4: error: publisher 'test-coalitoin' is not a known organisation "
            "id; did you mean 'test-coalition'?",
        ),
        (
            "content/book.yaml",
            "edition: 2024-05-17",
            "edition: 2024-17-05",
            "content/book.yaml:5: error: '2024-17-05' is not a real date; dates are YYYY-MM-DD: "
            "did you mean 2024-05-17?",
        ),
        (
            PERSON,
            "country: BE",
            "country: NO",
            f'{PERSON}:4: error: YAML reads NO as false: write it in quotes, "NO"',
        ),
        (
            PERSON,
            "country: BE",
            "country: BE\n\tphone: x",
            f"{PERSON}:5:1: error: YAML does not parse: a tab cannot indent YAML: use spaces",
        ),
    ],
)
def test_messages_say_what_was_meant(
    book: Path, capsys: pytest.CaptureFixture[str], file: str, old: str, new: str, expected: str
) -> None:
    edit(book / file, old, new)
    assert main(["check", "--source", str(book)]) == 1
    out = capsys.readouterr().out
    assert expected in out, out


def test_country_quoted_no_is_norway(book: Path, capsys: pytest.CaptureFixture[str]) -> None:
    edit(book / PERSON, "country: BE", 'country: "NO"')
    edit(book / PERSON, '"+32 474 34 20 14"', '"+47 22 12 34 56"')
    main(["check", "--source", str(book)])
    out = capsys.readouterr().out
    assert PERSON not in out, out


def test_a_yaml_error_quotes_its_line_with_a_caret_at_the_cause(
    book: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    edit(book / STATEMENT, "issues: [reform]", "issues: [reform")
    assert main(["check", "--source", str(book)]) == 1
    lines = capsys.readouterr().out.split("\n")
    at = next(i for i, line in enumerate(lines) if line.startswith(f"{STATEMENT}:7:9: error:"))
    assert lines[at].endswith(
        "YAML does not parse: this '[' is never closed: close it with ']', or write the value "
        "in quotes"
    )
    assert lines[at + 1] == "    | issues: [reform"
    assert lines[at + 2] == "    |         ^"


def test_a_misspelt_required_field_is_one_error(
    book: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Not also "missing field 'kind'": the field is there, under another name."""
    edit(book / STATEMENT, "kind: press-release", "Kind: press-release")
    assert main(["check", "--source", str(book), "--quiet"]) == 1
    errors = [line for line in capsys.readouterr().out.splitlines() if ": error: " in line]
    assert errors == [f"{STATEMENT}:4: error: unknown field 'Kind'; did you mean 'kind'?"]


def test_an_image_named_otherwise_than_its_file(
    book: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from PIL import Image

    (book / "content/media").mkdir()
    Image.new("RGB", (20, 20), (90, 90, 90)).save(book / "content/media/boat-photo.jpg")
    edit(book / WALKOUT, "We walked out.", "We walked out. ![Boat](media/Boat-Photo.jpg)")
    assert main(["check", "--source", str(book)]) == 1
    assert (
        f"{WALKOUT}:12: error: image 'media/Boat-Photo.jpg' does not exist under content/media/; "
        "did you mean 'media/boat-photo.jpg'?"
    ) in capsys.readouterr().out
