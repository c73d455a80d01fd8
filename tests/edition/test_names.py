"""Proper names kept whole: the names a book knows, marked in its rendered texts."""

from __future__ import annotations

from helpers.books import FIXTURES, REPO

from kpbrief.content.load import load_content
from kpbrief.edition.assemble import assemble
from kpbrief.edition.i18n import translations_for
from kpbrief.edition.names import known_names, mark_names, names_pattern, names_run
from kpbrief.edition.render import render_html
from kpbrief.folder import layout_dirs, locale_dirs


def test_the_names_a_book_knows_are_the_hyphenatable_ones() -> None:
    content = load_content(FIXTURES / "mini")
    names = known_names(content, [p for p, person in content.people.items() if person.public])
    assert "Interlaken" in names and "Switzerland" in names  # an event's place, in parts
    assert "Test Coalition for Fair Diamonds" in names  # an organisation
    assert all(len(max(n.split(), key=len)) >= 7 for n in names)  # "Ada Okafor": never broken
    assert list(names) == sorted(names, key=lambda n: (-len(n), n))


def test_names_are_marked_in_text_only() -> None:
    html = (
        '<p title="Interlaken">In Interlaken, Switzerland; not Interlakenish. '
        '<a href="#Interlaken">Interlaken</a></p><svg><text>Interlaken</text></svg>'
    )
    out = mark_names(html, ["Interlaken", "Switzerland"])
    assert out == (
        '<p title="Interlaken">In <span class="name">Interlaken</span>, '
        '<span class="name">Switzerland</span>; not Interlakenish. '
        '<a href="#Interlaken"><span class="name">Interlaken</span></a></p>'
        "<svg><text>Interlaken</text></svg>"
    )


def test_a_skipped_element_is_known_by_its_whole_name_in_either_case() -> None:
    html = (
        "<CODE>Interlaken</CODE> <codex>Interlaken</codex> <pre/>Interlaken "
        "<svg><title>Interlaken</title><g>Interlaken</g></svg> <!-- code -->Interlaken"
    )
    assert mark_names(html, ["Interlaken"]) == (
        '<CODE>Interlaken</CODE> <codex><span class="name">Interlaken</span></codex> '
        '<pre/><span class="name">Interlaken</span> '
        "<svg><title>Interlaken</title><g>Interlaken</g></svg> "
        '<!-- code --><span class="name">Interlaken</span>'
    )


def test_a_document_marked_in_pieces_is_marked_as_whole() -> None:
    html = "<p>Interlaken</p><pre>Interlaken <b>Interlaken</b></pre><p>Interlaken</p>"
    pattern = names_pattern(["Interlaken"])
    assert pattern is not None
    first, skip = names_run(html[: html.index("<b>")], pattern, 0)
    assert skip == 1  # left inside the pre
    rest, skip = names_run(html[html.index("<b>") :], pattern, skip)
    assert skip == 0 and first + rest == mark_names(html, ["Interlaken"])
    assert (first + rest).count('class="name"') == 2


def test_the_printed_book_marks_the_names_in_its_texts() -> None:
    edition = assemble(load_content(REPO), "fr")
    assert "Processus de Kimberley" in edition.names
    translations = translations_for(locale_dirs(REPO), "fr", "en").gettext
    html = render_html(edition, layout_dirs(REPO), translations, "print")
    body = html[html.index("<body") :]
    assert '<span class="name">Processus de Kimberley</span>' in body
    assert '<span class="name">' not in html[: html.index("<body")]
    assert '<span class="name">' not in html[html.index('<h2 id="index"') :]  # whole already
    epub = render_html(edition, layout_dirs(REPO), translations, "epub")
    assert '<span class="name">' not in epub
