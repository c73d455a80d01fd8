"""The front and back matter as editors write it: the glossary, the editors' pages, the
colophon and the contacts' dates, each mistake reported with its file and line."""

from __future__ import annotations

from pathlib import Path

import pytest
from helpers.books import copy_fixture, edit

from kpbrief.build import BuildRequest, build, load_and_check
from kpbrief.content.load import load_content
from kpbrief.content.markdown import to_html
from kpbrief.content.model import GlossaryEntry, LocalText, Origin
from kpbrief.content.terms import TermFinder
from kpbrief.edition.assemble import assemble

GLOSSARY = "content/glossary.yaml"
BOOK = "content/book.yaml"


@pytest.fixture
def book(tmp_path: Path) -> Path:
    return copy_fixture("mini", tmp_path)


def problems(book: Path) -> list[str]:
    return [str(p) for p in load_and_check(book)[1]]


def test_the_fixture_has_no_matter_problem(book: Path) -> None:
    found = [p for p in problems(book) if "glossary" in p or "pages/" in p or "book.yaml" in p]
    assert found == []


def test_a_duplicate_glossary_id_is_an_error_at_its_entry(book: Path) -> None:
    path = book / GLOSSARY
    path.write_text(
        path.read_text(encoding="utf-8")
        + "- id: kpcs\n  term: KP\n  definition: The process.\n  from: editors\n",
        encoding="utf-8",
    )
    line = path.read_text(encoding="utf-8").split("\n").index("- id: kpcs", 2) + 1
    assert (
        f"{GLOSSARY}:{line}: error: duplicate glossary id 'kpcs' (also line 2): rename one, "
        "or merge the two entries"
    ) in problems(book)


def test_a_definition_from_an_unknown_statement_is_an_error_with_a_suggestion(
    book: Path,
) -> None:
    edit(book / GLOSSARY, "from: 2019-11-22-plenary", "from: 2019-11-22-plenery")
    line = (book / GLOSSARY).read_text(encoding="utf-8").split("\n").index(
        "  from: 2019-11-22-plenery"
    ) + 1
    (error,) = [p for p in problems(book) if "plenery" in p]
    assert error.startswith(f"{GLOSSARY}:{line}: error: 'from: 2019-11-22-plenery' is not a known")
    assert "did you mean '2019-11-22-plenary'?" in error


def test_a_missing_language_and_an_unused_term_are_warnings(book: Path) -> None:
    edit(book / GLOSSARY, 'fr: "Diamants bruts', 'de: "Rohdiamanten')
    path = book / GLOSSARY
    path.write_text(
        path.read_text(encoding="utf-8")
        + "- id: ddii\n  term: DDII\n  definition: Diamond Development Initiative.\n"
        "  from: editors\n",
        encoding="utf-8",
    )
    found = problems(book)
    assert any(
        p.startswith(f"{GLOSSARY}:")
        and ": warning: definition of 'conflict-diamonds' has no 'fr' text" in p
        for p in found
    ), found
    assert any(
        ": warning: glossary term 'DDII' (ddii) is used in no issue chapter nor in the chronology"
        in p
        for p in found
    ), found
    # A term used in one language only is used.
    assert not any("(kpcs) is used in no" in p for p in found)


def test_a_glossary_that_is_not_a_list_is_an_error(book: Path) -> None:
    (book / GLOSSARY).write_text("kpcs: {term: KPCS}\n", encoding="utf-8")
    assert any(
        p.startswith(f"{GLOSSARY}:1: error: the glossary must be a list") for p in problems(book)
    )


def test_a_page_missing_in_a_language_names_the_file_to_add(book: Path, tmp_path: Path) -> None:
    """Like a chapter not yet translated: a warning, and the book shows the page in the
    language it has, marked as such (a language added to a book is no error)."""
    (book / "content/pages/about-the-publisher.fr.md").unlink()
    assert (
        "content/pages/about-the-publisher.en.md:1: warning: page 'about-the-publisher' has no "
        "'fr' version, so the 'fr' book shows it in 'en': add "
        "content/pages/about-the-publisher.fr.md (a copy of about-the-publisher.en.md, "
        "translated)"
    ) in problems(book)
    out = tmp_path / "out"
    build(BuildRequest(book, out, formats=["html"], languages=["fr"]))
    html = next(out.glob("*.fr.html")).read_text(encoding="utf-8")
    opening = html[html.index('id="page-about-the-publisher"') - 200 :][:400]
    assert 'lang="en"' in opening, opening


def test_a_page_in_no_known_place_is_an_error(book: Path) -> None:
    edit(book / "content/pages/about-this-book.fr.md", "place: front", "place: middle")
    (error,) = [p for p in problems(book) if "middle" in p]
    assert error.startswith("content/pages/about-this-book.fr.md:3: error: place 'middle'")
    edit(book / "content/pages/about-this-book.en.md", "order: 1", "order: first")
    assert (
        "content/pages/about-this-book.en.md:4: error: order must be a whole number"
        in "\n".join(problems(book))
    )


def test_a_pages_languages_print_in_the_same_place(book: Path) -> None:
    edit(book / "content/pages/about-this-book.fr.md", "place: front", "place: back")
    (error,) = [p for p in problems(book) if "same place" in p]
    assert error.startswith(
        "content/pages/about-this-book.fr.md:1: error: page 'about-this-book' is 'place: back', "
        "'order: 1' here but 'place: front', 'order: 1' in about-this-book.en.md"
    )


def test_an_unknown_current_contact_is_an_error_with_a_suggestion(book: Path) -> None:
    edit(
        book / BOOK,
        "current_contacts: [ada-okafor, test-coalition]",
        "current_contacts: [ada-okafr]",
    )
    (error,) = [p for p in problems(book) if "current_contacts" in p]
    assert error.startswith(f"{BOOK}:7: error: unknown person or organisation 'ada-okafr'")
    assert "did you mean 'ada-okafor'?" in error


def test_a_private_person_is_no_current_contact(book: Path) -> None:
    edit(
        book / BOOK,
        "current_contacts: [ada-okafor, test-coalition]",
        "current_contacts: [hidden-person]",
    )
    (error,) = [p for p in problems(book) if "current_contacts" in p]
    assert "'hidden-person' in current_contacts is not listed as a contact" in error


def test_as_of_must_be_a_whole_date(book: Path) -> None:
    edit(book / "content/people/ada-okafor.yaml", "as_of: 2019-11-22", "as_of: 2019-11")
    assert any(
        p.startswith(
            "content/people/ada-okafor.yaml:7: error: as_of '2019-11' must be a whole date"
        )
        for p in problems(book)
    )


def test_an_unknown_colophon_field_is_an_error(book: Path) -> None:
    edit(book / BOOK, "  licence:", "  license:")
    assert any("unknown field 'license'; did you mean 'licence'?" in p for p in problems(book)), (
        problems(book)
    )


def test_without_asks_there_are_no_key_messages(book: Path) -> None:
    assert [m.chapter.label for m in assemble(load_content(book), "en").key_messages] == [
        "Reform of the scheme",
        "Communities",
    ]
    edit(
        book / "content/issues/communities.en.md",
        "asks: [Publish every mine’s payments to local communities.]\n",
        "",
    )
    for lang in ("en", "fr"):
        path = book / f"content/issues/reform.{lang}.md"
        text = path.read_text(encoding="utf-8")
        path.write_text(
            text[: text.index("asks:")] + text[text.index("---", 4) :], encoding="utf-8"
        )
    assert assemble(load_content(book), "fr").key_messages == ()


def test_without_a_colophon_there_is_none(book: Path) -> None:
    edition = assemble(load_content(book), "fr")
    assert edition.colophon is not None and edition.colophon.licence is not None
    assert edition.colophon.licence.lang == "en"  # a plain string: the book's first language
    text = (book / BOOK).read_text(encoding="utf-8")
    (book / BOOK).write_text(text[: text.index("colophon:")], encoding="utf-8")
    assert assemble(load_content(book), "fr").colophon is None


def _entry(ident: str, term: str, *also: str) -> GlossaryEntry:
    return GlossaryEntry(
        ident,
        LocalText.of(term),
        LocalText.of("…"),
        "editors",
        Origin(GLOSSARY),
        also={"": also} if also else {},
    )


FINDER = TermFinder(
    [
        _entry("kpcs", "KPCS", "Kimberley Process Certification Scheme"),
        _entry("cd", "conflict diamonds"),
    ],
    "en",
    "en",
)


def _linked(body: str) -> str:
    return to_html(
        body,
        lambda kind, ident: f"{kind}-{ident}",
        "test",
        terms=lambda tokens: FINDER.link(tokens, set(), {"kpcs": "g-kpcs", "cd": "g-cd"}),
    )


def test_acronyms_count_as_written_and_other_terms_in_any_case() -> None:
    assert FINDER.found_in("The kpcs and KPCSs are not KPCS-like.") == {"kpcs"}
    assert FINDER.found_in("Kpcs, kpcs.") == set()
    assert FINDER.found_in("Conflict\ndiamonds, everywhere.") == {"cd"}
    assert FINDER.found_in("the kimberley process certification scheme") == {"kpcs"}
    assert FINDER.found_in("No conflict diamondsmith here.") == set()
    assert FINDER.found_in("It said: “the KPCS failed”, « le KPCS ».") == set()


def test_only_the_first_use_in_running_text_links() -> None:
    html = _linked(
        "# The KPCS\n\n> The KPCS, quoted.\n\n[The KPCS](statement:x) and [conflict diamonds]"
        "(issue:y).\n\nHere the KPCS and `KPCS` and the Kimberley Process Certification Scheme,"
        " then conflict diamonds and Conflict diamonds.\n"
    )
    assert html.count('class="glossary-term"') == 2
    assert '<a href="#g-kpcs" class="glossary-term">KPCS</a> and <code>KPCS</code>' in html
    assert '<a href="#g-cd" class="glossary-term">conflict diamonds</a> and Conflict' in html
    assert "<h3>The KPCS</h3>" in html and "<p>The KPCS, quoted.</p>" in html


def test_a_private_person_named_in_the_matter_is_an_error(book: Path) -> None:
    edit(book / GLOSSARY, "Rough diamonds that finance violence", "Zed Secretperson's words")
    edit(
        book / "content/pages/about-this-book.fr.md",
        "Sous la direction",
        "Zed Secretperson, sous la direction",
    )
    edit(
        book / BOOK,
        '  disclaimer:\n    en: "',
        '  disclaimer:\n    en: "Ask zed.secret@example.org. ',
    )
    found = [p for p in problems(book) if "who is not public" in p]
    assert [p.split(": error:")[0] for p in found] == [
        "content/book.yaml:8",  # the colophon
        "content/glossary.yaml:14",
        "content/pages/about-this-book.fr.md:9",
    ], found
