"""book.yaml's `press_profile`: the press PDF's output profile, judged by its bytes, every
mistake reported at book.yaml's line with what to do."""

from __future__ import annotations

import shutil
from importlib import resources
from pathlib import Path

import pytest
from helpers.books import copy_fixture

from kpbrief import TOOL_ROOT
from kpbrief.build.plan import DEFAULT_PRESS_PROFILE, press_profile
from kpbrief.cli import main
from kpbrief.content.profiles import header_problem

SHIPPED = TOOL_ROOT / "layouts" / DEFAULT_PRESS_PROFILE


@pytest.fixture
def book(tmp_path: Path) -> Path:
    return copy_fixture("mini", tmp_path)


def name_profile(book: Path, named: str) -> int:
    """Name a profile at the end of book.yaml; the line it is on."""
    book_yaml = book / "content" / "book.yaml"
    text = book_yaml.read_text(encoding="utf-8")
    book_yaml.write_text(text + f"press_profile: {named}\n", "utf-8")
    return text.count("\n") + 1


def errors_of(book: Path, capsys: pytest.CaptureFixture[str]) -> tuple[int, list[str]]:
    code = main(["check", "--source", str(book), "--quiet"])
    return code, [line for line in capsys.readouterr().out.splitlines() if ": error: " in line]


def test_a_cmyk_output_profile_of_the_books_layouts_is_taken(
    book: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (book / "layouts" / "profiles").mkdir(parents=True)
    shutil.copy(SHIPPED, book / "layouts" / "profiles" / "coated.icc")
    name_profile(book, "layouts/profiles/coated.icc")
    assert errors_of(book, capsys) == (0, [])
    assert (
        press_profile(book, "layouts/profiles/coated.icc")
        == (book / "layouts" / "profiles" / "coated.icc").resolve()
    )


def test_without_press_profile_the_shipped_one_is_taken(book: Path) -> None:
    assert press_profile(book, None) == SHIPPED.resolve()
    assert header_problem("shipped", SHIPPED.read_bytes()[:128], SHIPPED.stat().st_size) is None


def _display_profile(path: Path) -> None:
    path.write_bytes((resources.files("weasyprint") / "pdf" / "sRGB2014.icc").read_bytes())


@pytest.mark.parametrize(
    ("named", "make", "says"),
    [
        ("layouts/profiles/missing.icc", None, "no such file"),
        (
            "layouts/profiles/notes.icc",
            lambda path: path.write_text("not a profile\n", encoding="utf-8"),
            "is not an ICC colour profile",
        ),
        (
            "layouts/profiles/srgb.icc",
            _display_profile,
            "is the profile of a display, not of an output device",
        ),
        ("../outside.icc", None, "is not a file of the book's layouts/ or content/"),
        ("/etc/hostname", None, "is not a file of the book's layouts/ or content/"),
    ],
)
def test_a_profile_that_cannot_be_the_output_intent_is_an_error_at_its_line(
    book: Path,
    capsys: pytest.CaptureFixture[str],
    named: str,
    make: object,
    says: str,
) -> None:
    if callable(make):
        (book / "layouts" / "profiles").mkdir(parents=True, exist_ok=True)
        make(book / named)
    line = name_profile(book, named)
    code, errors = errors_of(book, capsys)
    assert code == 1
    assert len(errors) == 1, errors
    assert errors[0].startswith(f"content/book.yaml:{line}: error: press_profile '{named}'"), errors
    assert says in errors[0]
    assert "press_profile: layouts/profiles/" in errors[0]  # how to fix it


def test_an_output_profile_in_another_colour_space_is_refused() -> None:
    header = bytearray(SHIPPED.read_bytes()[:128])
    header[16:20] = b"RGB "
    problem = header_problem("rgb.icc", bytes(header), SHIPPED.stat().st_size)
    assert problem is not None and "in RGB, not in CMYK" in problem


def test_a_link_to_a_profile_outside_the_book_is_refused(
    book: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A book folder is untrusted: a link in its layouts to a (valid) profile elsewhere on the
    machine is not read."""
    (book / "layouts" / "profiles").mkdir(parents=True)
    (book / "layouts" / "profiles" / "link.icc").symlink_to(SHIPPED)
    name_profile(book, "layouts/profiles/link.icc")
    code, errors = errors_of(book, capsys)
    assert code == 1
    assert len(errors) == 1 and "is not a file of the book's layouts/ or content/" in errors[0]
