"""The book's structure, assembled without the engines: names as sorted, omissions' reasons."""

from __future__ import annotations

from pathlib import Path

import pytest
from helpers.books import Built, copy_fixture

from kpbrief.content.load import load_content
from kpbrief.edition.assemble import assemble
from kpbrief.edition.model import Edition


def _write(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")


@pytest.fixture
def people_book(tmp_path: Path) -> Path:
    """The mini book with people whose family name is not the last word, or accented."""
    book = copy_fixture("mini", tmp_path)
    people = book / "content" / "people"
    _write(
        people / "ahmed-bin-sulayem.yaml",
        'name: Ahmed Bin Sulayem\nsort_as: "Bin Sulayem, Ahmed"\ncontact: false\n',
    )
    _write(people / "zoe-emond.yaml", "name: Zoé Émond\norganisation: test-coalition\n")
    _write(people / "paul-eckert.yaml", "name: Paul Eckert\norganisation: test-coalition\n")
    _write(
        people / "li-wei.yaml",
        "name: Li Wei\nsort_as: {en: 'Li, Wei', fr: 'LI Wei'}\norganisation: test-coalition\n",
    )
    statement = book / "content" / "statements" / "2021-06-walkout.en.md"
    text = statement.read_text(encoding="utf-8")
    statement.write_text(
        text.replace(
            "speakers: [ada-okafor]", "speakers: [ada-okafor]\nmentions: [ahmed-bin-sulayem]"
        ),
        encoding="utf-8",
    )
    return book


def _edition(book: Path, lang: str) -> Edition:
    content = load_content(book)
    assert not [p for p in content.problems if p.severity == "error"], content.problems
    return assemble(content, lang)


def _index_names(edition: Edition) -> dict[str, list[str]]:
    return {letter.letter: [e.name for e in letter.entries] for letter in edition.index}


def test_sort_as_names_and_files_a_person_in_the_index(people_book: Path) -> None:
    index = _index_names(_edition(people_book, "en"))
    assert "Bin Sulayem, Ahmed" in index["B"]
    assert not any("Sulayem, Ahmed Bin" in names for names in index.values())
    assert "Okafor, Ada" in index["O"]  # without sort_as: the last word is the family name


def test_accents_do_not_change_the_order(people_book: Path) -> None:
    index = _index_names(_edition(people_book, "en"))
    assert "É" not in index  # Émond is filed under E, between Eckert and anything after
    assert index["E"][:2] == ["Eckert, Paul", "Émond, Zoé"]


def test_contacts_are_sorted_by_family_name(people_book: Path) -> None:
    edition = _edition(people_book, "en")
    group = next(g for g in edition.contacts if g.organisation is not None)
    # Eckert, Émond, Li, Okafor: not the given names' order (Ada, Li, Paul, Zoé).
    assert [c.name for c in group.people] == ["Paul Eckert", "Zoé Émond", "Li Wei", "Ada Okafor"]


def test_sort_as_is_localisable(people_book: Path) -> None:
    assert "Li, Wei" in _index_names(_edition(people_book, "en"))["L"]
    assert "LI Wei" in _index_names(_edition(people_book, "fr"))["L"]


def test_sort_as_must_be_text(tmp_path: Path) -> None:
    book = copy_fixture("mini", tmp_path)
    _write(book / "content" / "people" / "odd.yaml", "name: Odd One\nsort_as: [a, b]\n")
    problems = [str(p) for p in load_content(book).problems]
    assert any(p.startswith("content/people/odd.yaml:2: error") for p in problems), problems


def test_omission_reasons_are_in_the_book_language_or_marked(tmp_path: Path) -> None:
    book = copy_fixture("mini", tmp_path)
    statement = next(s for s in _edition(book, "fr").statements if s.omissions)
    reasons = {reason.text: reason.lang for reason in statement.omissions}
    assert reasons["la ligne de date, reprise comme date"] == "fr"  # given in French
    assert reasons["a heading of the release"] == "en"  # English only: marked as English
    english = next(s for s in _edition(book, "en").statements if s.omissions)
    assert {r.lang for r in english.omissions} == {"en"}


def test_omission_reasons_carry_their_language_in_the_html(mini: Built) -> None:
    html = mini.path("fr", "html").read_text(encoding="utf-8")
    assert "<li>la ligne de date, reprise comme date</li>" in html
    assert '<li lang="en">a heading of the release</li>' in html
    assert "the date line, kept as the date" not in html
