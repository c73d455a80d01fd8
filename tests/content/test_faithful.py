"""The faithfulness check: a statement keeps every paragraph of its archived source."""

from __future__ import annotations

from pathlib import Path

import pytest
from helpers.books import REPO, copy_fixture
from hypothesis import given, settings
from hypothesis import strategies as st

from kpbrief.build import load_and_check
from kpbrief.content import faithful
from kpbrief.content.faithful import body_digest, normalise, paragraphs
from kpbrief.content.markdown import plain_text

STATEMENT = "content/statements/2019-11-22-plenary.en.md"


@pytest.fixture
def book(tmp_path: Path) -> Path:
    return copy_fixture("mini", tmp_path)


def faithfulness_errors(book: Path) -> list[str]:
    return [str(p) for p in load_and_check(book)[1] if "not faithful" in p.message]


def rewrite(book: Path, old: str, new: str) -> None:
    path = book / STATEMENT
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new), encoding="utf-8")


def test_intact_statement_is_faithful(book: Path) -> None:
    assert faithfulness_errors(book) == []


def test_a_dropped_sentence_is_caught(book: Path) -> None:
    rewrite(book, " The scheme must change.", "")
    found = faithfulness_errors(book)
    assert len(found) == 1
    assert "sources/2019-11-22-plenary.txt:7" in found[0]
    assert "it agrees up to “…Today the plenary ended.”" in found[0]


def test_an_altered_word_is_caught(book: Path) -> None:
    rewrite(book, "Costs rose over", "Costs fell over")
    found = faithfulness_errors(book)
    assert len(found) == 1 and "2019-11-22-plenary.txt:9" in found[0]


def test_an_undeclared_omission_is_caught(book: Path) -> None:
    rewrite(book, '    - {starts: "FAIR USE NOTICE", why: "republisher\'s legal notice"}\n', "")
    found = faithfulness_errors(book)
    assert len(found) == 1 and "FAIR USE NOTICE" in found[0]


def test_quotes_spacing_and_markup_do_not_count(book: Path) -> None:
    rewrite(book, '"It\'s a sad day," says', "“It’s  a **sad** day,”\nsays")
    assert faithfulness_errors(book) == []


def test_an_unused_omission_is_a_warning(book: Path) -> None:
    rewrite(
        book,
        '    - {starts: "Press Release"',
        '    - {starts: "Nothing like this", why: x}\n    - {starts: "Press Release"',
    )
    found = [str(p) for p in load_and_check(book)[1]]
    assert any("omit entry “Nothing like this” matches no paragraph" in p for p in found)


def test_normalise_and_paragraphs() -> None:
    assert normalise("« Un  outil » ‘clean’") == normalise("\"Un outil\" 'clean'")
    assert [p.line for p in paragraphs("a\nb\n\n\nc\n")] == [1, 5]


def test_digest_follows_the_content_format() -> None:
    # Line endings as \n, trailing spaces stripped, leading and trailing blank lines removed.
    assert body_digest("\n\nHello  \r\nworld\n\n") == body_digest("Hello\nworld")
    assert len(body_digest("x")) == 12


def test_the_real_book_is_faithful_and_clean() -> None:
    """The coalition's own book: no error, so a later edit cannot drop a sentence unnoticed."""
    problems = load_and_check(REPO)[1]
    assert [str(p) for p in problems if p.severity == "error"] == []
    assert [str(p) for p in problems] == []


@settings(max_examples=300, derandomize=True, deadline=None)
@given(
    st.one_of(
        st.text(alphabet=' \n\t-+>*_`[]()<>&!#|~=\\.1aZé’"«»:', max_size=60),
        st.text(alphabet=' \n\t-+>.)1aZé’"«»:', max_size=60),  # markers at line starts only
    )
)
def test_paragraph_words_are_markdown_s_words(paragraph: str) -> None:
    """A paragraph read without Markdown (no markup in it) gives what Markdown would."""
    assert faithful._paragraph_words(paragraph) == faithful.normalise(
        plain_text(faithful._BULLETS.sub("", paragraph))
    )
