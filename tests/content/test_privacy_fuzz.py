"""Fuzzing the privacy rule: hypothesis writes a private person's name in disguise, and the
check must find it wherever the rendered book would show it; near misses it must leave be."""

from __future__ import annotations

import dataclasses
import html
import unicodedata

import pytest
from helpers.books import FIXTURES
from helpers.forbidden import html_text
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from kpbrief.content.load import load_content
from kpbrief.content.markdown import to_html
from kpbrief.content.model import Content
from kpbrief.content.privacy import private_details

FUZZ = settings(
    max_examples=200,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=[HealthCheck.too_slow],
)
WORDS = ("Zed", "Secretperson")  # hidden-person, who is not public, in the mini book
WALKOUT = "content/statements/2021-06-walkout.en.md"


@pytest.fixture(scope="module")
def content() -> Content:
    return load_content(FIXTURES / "mini")


@st.composite
def disguised_letter(draw: st.DrawFn, letter: str) -> str:
    letter = draw(st.sampled_from([letter, letter.upper(), letter.lower()]))
    if draw(st.booleans()):
        letter += draw(st.sampled_from(["\u0301", "\u0308", "\u0327"]))  # decomposed accent
    form = draw(st.sampled_from(["plain", "plain", "decimal", "hex", "fullwidth"]))
    if form == "decimal":
        letter = "".join(f"&#{ord(c)};" for c in letter)
    elif form == "hex":
        letter = "".join(f"&#x{ord(c):x};" for c in letter)
    elif form == "fullwidth" and letter[0].isascii():
        letter = chr(ord(letter[0]) + 0xFEE0) + letter[1:]
    invisible = draw(st.sampled_from(["", "", "\u00ad", "\u200b", "\u200c", "\u2060", "\ufeff"]))
    return letter + invisible


@st.composite
def disguised_word(draw: st.DrawFn, word: str) -> str:
    letters = [draw(disguised_letter(letter)) for letter in word]
    if len(letters) > 3 and draw(st.booleans()):  # emphasis inside the word
        start = draw(st.integers(1, len(letters) - 2))
        end = draw(st.integers(start + 1, len(letters) - 1))
        mark = draw(st.sampled_from(["*", "**"]))
        letters[start] = mark + letters[start]
        letters[end - 1] += mark
    return "".join(letters)


@st.composite
def disguised_name(draw: st.DrawFn) -> str:
    space = draw(st.sampled_from([" ", "  ", "\n", "\u00a0", "\t", " \n ", "\u2009", "\u202f"]))
    return space.join(draw(disguised_word(word)) for word in WORDS)


def with_body(content: Content, body: str) -> Content:
    statement = next(s for s in content.statements.values() if s.original.origin.path == WALKOUT)
    changed = dataclasses.replace(statement.original, body=body)
    statements = {
        **content.statements,
        statement.id: dataclasses.replace(statement, original=changed),
    }
    return dataclasses.replace(content, statements=statements, problems=[])


def reads_as_the_name(body: str) -> bool:
    """An independent reading of what a reader sees: the rendered HTML's text, without
    invisible characters and accents, in one case, spaces folded."""
    seen = html_text(to_html(body, lambda kind, ident: None, "x"))
    seen = "".join(
        c
        for c in unicodedata.normalize("NFKD", seen)
        if not unicodedata.combining(c) and unicodedata.category(c) != "Cf"
    )
    return " ".join(WORDS).casefold() in " ".join(seen.casefold().split())


@FUZZ
@given(
    name=disguised_name(),
    before=st.sampled_from(["", "Ask ", "We met ", "- ", "> ", "1. ", "**Note:** "]),
    after=st.sampled_from(["", ".", ", who came.", "’s report"]),
)
def test_a_disguised_name_in_a_body_is_found_at_its_line(
    content: Content, name: str, before: str, after: str
) -> None:
    body = f"First paragraph.\n\n{before}{name}{after}\n"
    if "*" not in html_text(to_html(body, lambda kind, ident: None, "x")):
        assert reads_as_the_name(body), repr(body)  # the disguise is a real leak
    found = [str(p) for p in private_details(with_body(content, body))]
    line = content.statements["2021-06-walkout"].original.body_line + 2
    expected = f"{WALKOUT}:{line}: error: the name of 'hidden-person', who is not public"
    assert any(p.startswith(expected) for p in found), (body, found)


@FUZZ
@given(name=disguised_name())
def test_a_disguised_name_in_a_field_is_found(content: Content, name: str) -> None:
    """A field is printed as written, character references decoded by the engines."""
    event = content.events["2019-plenary"]
    place = dataclasses.replace(event.place or event.title, values={"en": name.replace("*", "")})
    changed = dataclasses.replace(
        content, events={**content.events, event.id: dataclasses.replace(event, place=place)}
    )
    found = [str(p) for p in private_details(changed)]
    assert any(
        p.startswith("content/events/2019-plenary.yaml:4: error: the name of 'hidden-person'")
        for p in found
    ), (name, found)


@FUZZ
@given(
    words=st.sampled_from(
        [
            ("Zed", "Secretpersons"),
            ("Zed", "Secret"),
            ("Zedd", "Secretperson"),
            ("Ze", "Secretperson"),
        ]
    ),
    space=st.sampled_from([" ", "\n", "\u00a0"]),
)
def test_a_near_miss_is_no_private_person(
    content: Content, words: tuple[str, str], space: str
) -> None:
    body = f"First paragraph.\n\nWe met {html.escape(space.join(words))} today.\n"
    assert private_details(with_body(content, body)) == []
