"""Quotations in chapters and the chronology must stand in a statement of their language."""

from __future__ import annotations

from pathlib import Path

import pytest
from helpers.books import copy_fixture, edit

from kpbrief.build import load_and_check
from kpbrief.content.quotations import stands_in

COMMUNITIES = "content/issues/communities.en.md"
REFORM_FR = "content/issues/reform.fr.md"
EVENT = "content/events/2003-launch.yaml"
NBSP, NNBSP = "\u00a0", "\u202f"


@pytest.fixture
def book(tmp_path: Path) -> Path:
    return copy_fixture("mini", tmp_path)


def quotation_errors(book: Path) -> list[str]:
    return [str(p) for p in load_and_check(book)[1] if "matches no statement" in p.message]


def add_line(book: Path, file: str, line: str) -> int:
    """Add `line` (it may span lines) at the end of a file; the file's line it ends on."""
    path = book / file
    text = path.read_text(encoding="utf-8").rstrip("\n") + "\n" + line + "\n"
    path.write_text(text, "utf-8")
    return text.count("\n")


def test_a_quotation_in_the_statements_words_passes(book: Path) -> None:
    # The case of the first letter does not count: a quotation may start mid-sentence.
    add_line(book, COMMUNITIES, "In 2019 the coalition said “the scheme must change.”")
    assert quotation_errors(book) == []


def test_a_reworded_quotation_is_an_error_naming_file_and_line(book: Path) -> None:
    last = add_line(
        book, COMMUNITIES, "In 2019 the coalition said that\n“the scheme has to change”."
    )
    assert quotation_errors(book) == [
        f"{COMMUNITIES}:{last}: error: quotation “the scheme has to change” matches no statement "
        "in en; quote the statement word for word, or take the quotation marks off a "
        "paraphrase"
    ]


def test_french_guillemets_with_non_breaking_spaces(book: Path) -> None:
    last = add_line(book, REFORM_FR, f"Elle écrivait : «{NNBSP}le dispositif doit changer{NBSP}».")
    assert quotation_errors(book) == []
    edit(book / REFORM_FR, "le dispositif doit changer", "le dispositif doit évoluer")
    (error,) = quotation_errors(book)
    assert error.startswith(f"{REFORM_FR}:{last}: error: quotation “le dispositif doit évoluer”")
    assert "matches no statement in fr" in error


def test_a_quotation_must_stand_in_a_statement_of_its_own_language(book: Path) -> None:
    # The English words are in the book, but not in French: a French chapter quoting them
    # misquotes the French text its reader has.
    add_line(book, REFORM_FR, "« The scheme must change. »")
    (error,) = quotation_errors(book)
    assert "matches no statement in fr" in error


@pytest.mark.parametrize("ellipsis", ["…", "...", "[…]", "(…)"])
def test_an_ellipsis_joins_two_parts(book: Path, ellipsis: str) -> None:
    add_line(book, COMMUNITIES, f"It wrote: “Today the plenary {ellipsis} must change.”")
    assert quotation_errors(book) == []


def test_the_parts_of_an_ellipsis_stand_in_their_order(book: Path) -> None:
    add_line(book, COMMUNITIES, "It wrote: “The scheme must change … Today the plenary ended.”")
    assert len(quotation_errors(book)) == 1


def test_a_chronology_note_is_checked_at_the_line_of_its_words(book: Path) -> None:
    path = book / EVENT
    path.write_text(
        path.read_text(encoding="utf-8").replace(
            "note: {en: Cited by the 2019 statement., fr: Cité par la déclaration de 2019.}",
            "note:\n  en: >-\n    Cited in 2019: “The scheme must change.”\n"
            "  fr: >-\n    Citée en 2019 :\n    « Le dispositif doit être changé. »",
        ),
        encoding="utf-8",
    )
    (error,) = quotation_errors(book)
    assert error.startswith(f"{EVENT}:11: error: quotation “Le dispositif doit être changé.”")


def test_short_quotations_and_plain_quotes_are_left_alone(book: Path) -> None:
    # Fewer than four words is a term or a phrase, not a quotation the check can hold to
    # account; straight quotes are not read as quotation marks.
    add_line(book, COMMUNITIES, 'The “sad day” and "words the statement never said at all".')
    assert quotation_errors(book) == []


def test_stands_in() -> None:
    hay = "Todaytheplenaryended.Theschememustchange."
    assert stands_in("the plenary ended", hay)
    assert stands_in("The  plenary\nended", hay)
    assert stands_in("Today the … scheme must", hay)
    assert not stands_in("scheme must … plenary ended", hay)
    assert not stands_in("the plenary stopped", hay)
