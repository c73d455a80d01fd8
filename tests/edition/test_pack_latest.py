"""A pack's latest statements: dots lead from a title to its page only where there is one."""

from __future__ import annotations

from pathlib import Path

from helpers.books import FIXTURES

from kpbrief.content.load import load_content
from kpbrief.edition.assemble import anchor, assemble
from kpbrief.edition.i18n import translations_for
from kpbrief.edition.pack import assemble_pack, render_pack_html
from kpbrief.folder import layout_dirs, locale_dirs

MINI = FIXTURES / "mini"


def test_dots_lead_to_a_page_only_where_the_book_gives_one() -> None:
    source = Path(MINI)
    content = load_content(source)
    assert content.book is not None
    translations = translations_for(locale_dirs(source), "en", content.book.default_lang)
    edition = assemble(content, "en", interface_fallback=not translations.complete)
    pack = content.packs["plenary-2024"]
    unpaged = render_pack_html(
        assemble_pack(content, edition, pack, {}), layout_dirs(source), translations.gettext
    )
    entries = unpaged.count('class="pack-entry')
    assert entries > 0
    assert "pack-entry-paged" not in unpaged
    pages = {anchor("statement", ident): 7 for ident in content.statements}
    paged = render_pack_html(
        assemble_pack(content, edition, pack, pages), layout_dirs(source), translations.gettext
    )
    assert paged.count("pack-entry pack-entry-paged") == entries
