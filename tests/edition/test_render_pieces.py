"""The passes after the templates, run piece by piece in a warm process, give the document
the whole-document passes give: each language, each target, with pieces kept or not."""

from __future__ import annotations

from pathlib import Path

import pytest
from helpers.books import FIXTURES

from kpbrief.build.warm import Kept
from kpbrief.content.load import load_content
from kpbrief.edition.assemble import assemble
from kpbrief.edition.i18n import translations_for
from kpbrief.edition.render import render_html
from kpbrief.folder import layout_dirs, locale_dirs

MINI = FIXTURES / "mini"


@pytest.mark.parametrize("lang", ["en", "fr"])
@pytest.mark.parametrize(("target", "press"), [("print", False), ("print", True), ("epub", False)])
def test_a_document_finished_piece_by_piece_is_the_document_finished_whole(
    lang: str, target: str, press: bool
) -> None:
    source = Path(MINI)
    content = load_content(source)
    assert content.book is not None
    translations = translations_for(locale_dirs(source), lang, content.book.default_lang)
    edition = assemble(content, lang, interface_fallback=not translations.complete)
    layouts = layout_dirs(source)
    whole = render_html(edition, layouts, translations.gettext, target, press)
    memo = Kept()
    first = render_html(edition, layouts, translations.gettext, target, press, memo=memo)
    memo.next_round()
    again = render_html(edition, layouts, translations.gettext, target, press, memo=memo)
    assert first == whole
    assert again == whole
    assert memo.hits > 0  # the second time, the pieces were taken as kept
