"""Typography by language, on text nodes only."""

from __future__ import annotations

import re

from helpers.books import Built

from kpbrief.edition.typography import NBSP, NNBSP, apply_typography


def test_french_spaces() -> None:
    out = apply_typography(
        "<p>Il dit : « oui » ! Pourquoi ? Parce que ; 1 000 membres, 20 %</p>", "fr"
    )
    assert f"dit{NBSP}:" in out
    assert f"«{NNBSP}oui{NNBSP}»" in out
    assert f"»{NNBSP}!" in out and f"Pourquoi{NNBSP}?" in out and f"que{NNBSP};" in out
    assert f"1{NNBSP}000" in out and f"20{NNBSP}%" in out


def test_urls_emails_and_code_are_untouched() -> None:
    html = '<p>Voir https://ex.org/a?b=1 ou a@b.org <code>x ; y</code> <a href="http://x.y/?q">lien</a></p>'
    out = apply_typography(html, "fr")
    assert "https://ex.org/a?b=1" in out and "a@b.org" in out
    assert "<code>x ; y</code>" in out and 'href="http://x.y/?q"' in out


def test_english_quotes_and_ranges() -> None:
    out = apply_typography('<p>It\'s "clean" from 2009-2023, not 2019-11-22.</p>', "en")
    assert "It’s “clean” from 2009–2023, not 2019-11-22." in out


def test_french_ranges_take_an_en_dash_too() -> None:
    out = apply_typography("<p>Déclarations, 2009-2023 ; voir le 2019-11-22.</p>", "fr")
    assert f"Déclarations, 2009–2023{NNBSP}; voir le 2019-11-22." in out


def test_each_passage_follows_its_own_language() -> None:
    out = apply_typography('<p>Why? <span lang="fr">Pourquoi ?</span> Why?</p>', "en")
    assert f"Pourquoi{NNBSP}?" in out and "Why?" in out


def test_a_passage_ends_with_its_element_and_the_language_around_it_resumes() -> None:
    out = apply_typography(
        '<p lang="fr">Oui ? <span lang="en">Why? <b>It\'s</b></span> Non ? <br/>Non ?</p>', "en"
    )
    assert f"Oui{NNBSP}?" in out and "Why? <b>It’s</b>" in out
    assert out.count(f"Non{NNBSP}?") == 2


def test_text_in_a_skipped_element_is_left_whatever_the_tags_case() -> None:
    out = apply_typography("<p>It's <KBD>It's</KBD> <kbdx>It's</kbdx> <pre/>It's</p>", "en")
    assert out == "<p>It’s <KBD>It's</KBD> <kbdx>It’s</kbdx> <pre/>It’s</p>"


def test_french_book_has_no_plain_space_before_high_punctuation(mini: Built) -> None:
    html = mini.path("fr", "html").read_text(encoding="utf-8")
    body = re.sub(r"<(style|script)\b.*?</\1>", "", html, flags=re.S)
    text_nodes = [t for t in re.split(r"<[^>]+>", body) if t.strip()]
    french = "\n".join(text_nodes)
    assert not re.search(r" [;:!?»]", french), re.findall(r".{20} [;:!?»]", french)[:5]
    assert not re.search(r"« ", french)


def test_french_telephone_numbers_keep_their_plain_spaces() -> None:
    """The thousands rule would join "+32 474" with a narrow space: a number in
    international form is left as written, and the rules go on around it."""
    out = apply_typography("<p>Tél. : +32 474 34 20 14 ; 25 000 membres</p>", "fr")
    assert "+32 474 34 20 14" in out
    assert f"Tél.{NBSP}:" in out and f"14{NNBSP};" in out and f"25{NNBSP}000" in out
