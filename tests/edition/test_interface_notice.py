"""The title page says the interface is not translated only where that is true."""

from __future__ import annotations

import re
from pathlib import Path

from helpers.books import copy_fixture

from kpbrief.build import BuildRequest, build

NOTICE = "The interface of this edition is not yet translated into its language."


def _title_pages(source: Path, out: Path) -> dict[str, str]:
    build(BuildRequest(source, out, formats=["html"]))
    pages = {}
    for html in sorted(out.glob("*.html")):
        text = html.read_text(encoding="utf-8")
        lang = html.name.split(".")[-2]
        pages[lang] = text[: text.index("</div>", text.index("titlepage-title"))]
    return pages


def test_the_notice_only_where_the_interface_is_not_translated(tmp_path: Path) -> None:
    mini = _title_pages(copy_fixture("mini", tmp_path), tmp_path / "mini-out")
    assert NOTICE not in mini["en"]  # the templates' own language needs no catalog
    assert NOTICE not in mini["fr"] and "Édition" in mini["fr"]  # a complete catalog
    pt = _title_pages(copy_fixture("pt", tmp_path), tmp_path / "pt-out")
    assert NOTICE in pt["pt_BR"]  # no catalog at all


def test_an_incomplete_catalog_keeps_the_notice(tmp_path: Path) -> None:
    """A catalog of the book's own for pt_BR (here the French one, renamed): with one message
    left untranslated, as `kpbrief i18n update` leaves a new one, the notice stays."""
    kpbrief_fr = Path(__file__).parent.parent.parent / "locales/fr/LC_MESSAGES/messages.po"
    whole = kpbrief_fr.read_text(encoding="utf-8")
    holed = re.sub(r'(msgid "Contacts"\nmsgstr )"[^"]*"', r'\1""', whole, count=1)
    assert holed != whole
    notice = "n’est pas encore traduite dans sa langue"
    for po, expected in ((holed, True), (whole, False)):
        source = copy_fixture("pt", tmp_path / str(expected))
        own = source / "locales/pt_BR/LC_MESSAGES"
        own.mkdir(parents=True)
        (own / "messages.po").write_text(po, encoding="utf-8")
        page = _title_pages(source, tmp_path / f"out-{expected}")["pt_BR"]
        assert (notice in page) is expected


MARKS = re.compile("[\ue000-\ue002]")


def test_labels_left_in_english_say_so(tmp_path: Path) -> None:
    """A book language without a catalog shows the templates' English labels, each marked
    lang="en" in running text (a screen reader then speaks it as English); in an attribute,
    the document's <title> or a picture, only the words are kept."""
    source = copy_fixture("pt", tmp_path)
    out = tmp_path / "out"
    build(BuildRequest(source, out, formats=["html"], languages=["pt_BR"]))
    html = (out / "livro-teste.pt_BR.html").read_text(encoding="utf-8")
    assert not MARKS.search(html)
    assert '<html lang="pt-BR"' in html or 'lang="pt-BR"' in html[:400]
    for label in ("Chronology", "Contacts", "How to use this book"):
        assert f'<span lang="en">{label}</span>' in html, label
    head = html[: html.index("</head>")]
    assert "<span" not in head
    assert not re.search(r'="[^"]*<span', html)  # never inside an attribute's value
    # the statements' own words are not labels: the Portuguese title is not marked
    assert '<span lang="en">Livro de teste' not in html


def test_a_translated_interface_marks_no_label(tmp_path: Path) -> None:
    source = copy_fixture("mini", tmp_path)
    out = tmp_path / "out"
    build(BuildRequest(source, out, formats=["html"], languages=["fr"]))
    (html,) = out.glob("*.fr.html")
    text = html.read_text(encoding="utf-8")
    assert not MARKS.search(text)
    assert not re.search(r'<span lang="en">(Contents|Chronology|Contacts)</span>', text)
