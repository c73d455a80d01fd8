"""Mistakes that once passed `kpbrief check` while the book printed something wrong: each is
now reported with its file, line (and column where it helps) and how to fix it."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from helpers.books import copy_fixture, edit

from kpbrief.cli import main

STATEMENT = "content/statements/2019-11-22-plenary.en.md"
WALKOUT = "content/statements/2021-06-walkout.en.md"


@pytest.fixture
def book(tmp_path: Path) -> Path:
    return copy_fixture("mini", tmp_path)


def check(book: Path, capsys: pytest.CaptureFixture[str], *options: str) -> tuple[int, str]:
    code = main(["check", "--source", str(book), *options])
    return code, capsys.readouterr().out


@pytest.mark.parametrize(
    ("old", "new", "expected"),
    [
        (
            "We walked out.",
            "We walked out. ![boat](media/Boat Photo.jpg)",
            f"{WALKOUT}:12:16: error: image 'media/Boat Photo.jpg' is printed as text, not "
            "shown: a file name with a space cannot be read; rename the file to "
            "'media/Boat-Photo.jpg'",
        ),
        (
            "We walked out.",
            "We [walked out](statement: 2019-11-22-plenary).",
            f"{WALKOUT}:12:4: error: link 'walked out' is printed as written, brackets and all: "
            "an internal link has no space after the colon; write "
            "(statement:2019-11-22-plenary)",
        ),
        (
            "We walked out.",
            "We [walked out](https://example.org/a page).",
            f"{WALKOUT}:12:4: error: link 'walked out' is printed as written, brackets and all: "
            "its target 'https://example.org/a page' holds a space; write %20",
        ),
        (
            "We walked out.",
            "We [walked out] (statement:2019-11-22-plenary).",
            f"{WALKOUT}:12:4: error: link 'walked out' is printed as written, brackets and all: "
            "no space may stand between ']' and '('; write "
            "[walked out](statement:2019-11-22-plenary)",
        ),
        (
            "We walked out.",
            "We [walked out][minutes].",
            f"{WALKOUT}:12:4: error: link 'walked out' is printed as written, brackets and all: "
            "no line '[minutes]: target' defines [minutes]; add one, or write "
            "[walked out](target)",
        ),
        (
            "We walked out.",
            "We walked out. ![Us](media/us.png",
            f"{WALKOUT}:12:16: error: image 'media/us.png' is printed as text, not shown: its ')' "
            "is missing; write ![Us](media/us.png)",
        ),
        (
            "We walked out.",
            "We **walked out.",
            f"{WALKOUT}:12:4: error: '**' is printed as written: the bold it opens is not closed "
            "in this paragraph; close it with ** after the last word, or write \\*\\* for the "
            "characters themselves",
        ),
        (
            "We walked out.",
            "We *walked out.",
            f"{WALKOUT}:12:4: warning: '*' is printed as written: the emphasis it opens is not "
            "closed in this paragraph",
        ),
        (
            "We walked out.",
            "We walked out.[^2]",
            f"{WALKOUT}:12:15: error: footnote [^2] is printed as written: no line '[^2]: …' "
            "gives its text; add it",
        ),
        (
            "We walked out.",
            "We walked out.\n\n[^note]: Nobody refers to me.",
            f"{WALKOUT}:14:1: error: footnote [^note] is never referred to, so its text is left "
            "out of the book: add [^note] where it belongs",
        ),
        (
            "We walked out.",
            "## Why\n\nWe walked out.\n\n#### Then\n\nMore.",
            f"{WALKOUT}:16:1: error: heading 'Then' jumps from level 2 to 4: the book's contents "
            "would skip a level; write it with ###",
        ),
        (
            "We walked out.",
            "## Why\n\nWe walked out.\n\n## Why\n\nMore.",
            f"{WALKOUT}:16:1: warning: heading 'Why' repeats the heading of body line 1",
        ),
    ],
)
def test_markdown_that_would_print_raw(
    book: Path, capsys: pytest.CaptureFixture[str], old: str, new: str, expected: str
) -> None:
    edit(book / WALKOUT, old, new)
    code, out = check(book, capsys)
    assert expected in out, out
    assert code == (1 if ": error: " in expected else 0)


def test_a_problem_quotes_its_line_with_a_caret(
    book: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    edit(book / WALKOUT, "We walked out.", "We [walked out](statement: x).")
    _code, out = check(book, capsys)
    lines = out.split("\n")
    at = next(i for i, line in enumerate(lines) if f"{WALKOUT}:12:4:" in line)
    assert lines[at + 1].startswith("    | We [walked out](statement: x).")
    assert lines[at + 2] == "    |    ^"
    _code, quiet = check(book, capsys, "--quiet")
    assert f"{WALKOUT}:12:4: error:" in quiet and "    |" not in quiet
    assert ": warning: " not in quiet


def test_a_valid_footnote_link_and_title_are_not_reported(
    book: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    edit(
        book / WALKOUT,
        "We walked out.",
        'We [walked out](https://example.org "a title").[^1] `[^9]` stays code.\n\n[^1]: Note.',
    )
    code, out = check(book, capsys)
    assert code == 0 and "footnote" not in out and "printed as" not in out, out


def _picture(path: Path, form: str, size: tuple[int, int] = (40, 30), noise: bool = False) -> None:
    from PIL import Image

    path.parent.mkdir(parents=True, exist_ok=True)
    if noise:
        image = Image.frombytes("RGB", size, os.urandom(size[0] * size[1] * 3))
    else:
        image = Image.new("RGB", size, (200, 120, 40))
    image.save(path, form)


def test_media_that_is_not_an_image(book: Path, capsys: pytest.CaptureFixture[str]) -> None:
    media = book / "content/media"
    media.mkdir()
    (media / "photo.jpg").write_text("<html>Sorry, this photo moved</html>", encoding="utf-8")
    edit(book / WALKOUT, "We walked out.", "We walked out. ![Us](media/photo.jpg)")
    code, out = check(book, capsys)
    assert code == 1
    assert (
        "content/media/photo.jpg:1: error: media file refused: it is not an image "
        "(PNG, JPEG, GIF, WebP or SVG) by its bytes"
    ) in out
    assert "a book's pictures are PNG, JPEG, GIF, WebP or SVG" in out


@pytest.mark.parametrize(
    ("name", "form", "expected"),
    [
        ("scan.tif", "TIFF", "error: media file refused: it is not an image (PNG, JPEG, GIF,"),
        ("chart.jpg", "PNG", "error: media file refused: it is a PNG by its bytes: name it with"),
        ("chart.png", "PNG", None),
    ],
)
def test_media_in_a_form_an_epub_cannot_carry(
    book: Path, capsys: pytest.CaptureFixture[str], name: str, form: str, expected: str | None
) -> None:
    _picture(book / "content/media" / name, form)
    code, out = check(book, capsys)
    if expected is None:
        assert code == 0 and "media" not in out, out
    else:
        assert code == 1 and f"content/media/{name}:1: {expected}" in out, out


def test_a_heavy_picture_is_a_warning_with_its_size(
    book: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = book / "content/media/heavy.png"
    _picture(path, "PNG", (1500, 1500), noise=True)
    mib = f"{path.stat().st_size / (1024 * 1024):.1f} MiB"
    code, out = check(book, capsys)
    assert code == 0
    assert f"content/media/heavy.png:1: warning: media file is {mib} (1500 x 1500 pixels)" in out
    assert "scale it down" in out
    code, _out = check(book, capsys, "--strict")
    assert code == 1


def test_an_empty_statement_is_an_error(book: Path, capsys: pytest.CaptureFixture[str]) -> None:
    edit(
        book / WALKOUT,
        "We walked out. Write to info@example.org or see https://example.org/a-b?x=1.\n",
        "\n",
    )
    code, out = check(book, capsys)
    assert code == 1
    assert f"{WALKOUT}:2: error: the statement has no text" in out
    assert "write the text below the closing '---' (line 11)" in out


@pytest.mark.parametrize(
    ("file", "old", "new", "expected"),
    [
        (
            STATEMENT,
            "contacts: [ada-okafor, hidden-person]",
            "contacts: [ada-okafor, hidden-person, ada-okafor]",
            f"{STATEMENT}:9: error: 'ada-okafor' is listed 2 times, and would be printed as "
            "often: list it once",
        ),
        (
            "content/events/2019-plenary.yaml",
            "statements: [2019-11-22-plenary]",
            "statements: [2019-11-22-plenary, 2019-11-22-plenary]",
            "content/events/2019-plenary.yaml:5: error: '2019-11-22-plenary' is listed 2 times",
        ),
    ],
)
def test_a_list_that_repeats_an_id(
    book: Path, capsys: pytest.CaptureFixture[str], file: str, old: str, new: str, expected: str
) -> None:
    edit(book / file, old, new)
    code, out = check(book, capsys)
    assert code == 1 and expected in out, out


def test_dates_after_the_edition_or_against_the_id(
    book: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    edit(book / WALKOUT, "date: 2021-06", "date: 2025-06")
    edit(book / STATEMENT, "date: 2019-11-22", "date: 2019-11-23")
    code, out = check(book, capsys)
    assert code == 0
    assert (
        f"{WALKOUT}:3: warning: date 2025-06 is after the book's edition (2024-05-17, "
        "content/book.yaml): correct the date, or the edition"
    ) in out
    assert f"{WALKOUT}:3: warning: date 2025-06 disagrees with the id '2021-06-walkout'" in out
    assert (
        f"{STATEMENT}:3: warning: date 2019-11-23 disagrees with the id '2019-11-22-plenary', "
        "which begins with 2019-11-22: correct the date, or rename"
    ) in out
    assert main(["check", "--source", str(book), "--strict"]) == 1


def test_a_date_known_only_to_the_month_agrees_with_its_id(
    book: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    edit(book / WALKOUT, "date: 2021-06", "date: 2021-06-14")
    code, out = check(book, capsys)
    assert code == 0 and "disagrees" not in out and "after the book" not in out, out


def test_placeholders_and_review_marks_left(book: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["new", "statement", "2024-01-01-draft", "--source", str(book)]) == 0
    draft = "content/statements/2024-01-01-draft.en.md"
    edit(book / WALKOUT, "date: 2021-06", "date: 2021-06  # REVIEW: guessed")
    capsys.readouterr()
    code, out = check(book, capsys)
    assert code == 0, out
    assert (
        f"{draft}:2:9: warning: 'TITLE OF THE STATEMENT' is a placeholder of 'kpbrief new', "
        "and the book would print it: write the real value"
    ) in out
    assert f"{draft}:5:9: warning: 'CITY, COUNTRY' is a placeholder" in out
    assert f"{draft}:15:1: warning: 'The text of the statement, word for word" in out
    assert (
        f"{WALKOUT}:3:16: warning: a REVIEW mark is left: check this line against the "
        "received text, then delete the comment"
    ) in out
    code, out = check(book, capsys, "--strict")
    assert code == 1 and f"{draft}:2:9: error: 'TITLE OF THE STATEMENT'" in out


def test_an_official_translation_falls_behind_its_original(
    book: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    french = "content/statements/2019-11-22-plenary.fr.md"
    edit(book / french, "translation: unofficial", "translation: official")
    assert main(["i18n", "stamp", str(book / french), "--source", str(book)]) == 0
    _code, out = check(book, capsys)
    assert "outdated" not in out, out
    edit(book / STATEMENT, "Today the plenary ended.", "Today the plenary ended at last.")
    code, out = check(book, capsys)
    assert code == 1  # the source no longer stands word for word either
    assert f"{french}:4: warning: translation is outdated: its original {STATEMENT}" in out


def test_a_new_persons_placeholders_left(book: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["new", "person", "jane-doe", "--source", str(book)]) == 0
    capsys.readouterr()
    person = "content/people/jane-doe.yaml"
    _code, out = check(book, capsys)
    assert (
        f"{person}:1:8: warning: 'FULL NAME' is a placeholder of 'kpbrief new', and the book "
        "would print it: write the real value"
    ) in out, out
    assert f"{person}:4:13: warning: 'ROLE' is a placeholder" in out
    code, out = check(book, capsys, "--strict")
    assert code == 1 and f"{person}:1:8: error: 'FULL NAME' is a placeholder" in out


def test_markup_written_whole_is_not_reported(
    book: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    edit(
        book / WALKOUT,
        "We walked out.",
        "We **walked** out, *at last*, __for good__. 5 * 3 is 15, not \\*\\*; a file_name, "
        "[sic], a__b, `**code**` and [the minutes][m].\n\n[m]: https://example.org/minutes",
    )
    code, out = check(book, capsys)
    assert code == 0 and "printed as" not in out, out
