"""Editions: close one, change the book, move its date: "What's new" lists the changes."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from helpers.books import Built, copy_fixture, edit

from kpbrief.cli import main


def test_the_record_lists_every_item_with_a_digest_per_language(next_edition: Built) -> None:
    record = (next_edition.source / "content/editions/2024-05-17.yaml").read_text("utf-8")
    assert "edition: 2024-05-17" in record
    for item in ("2019-11-22-plenary", "2021-06-walkout", "reform", "ada-okafor", "test-coalition"):
        assert re.search(
            rf"^  {item}: {{en: '[0-9a-f]{{12}}', fr: '[0-9a-f]{{12}}'}}$", record, re.M
        )
    assert "2024-11-20-dubai" not in record  # written before the statement was


def test_a_second_close_on_the_same_date_refuses(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    source = copy_fixture("mini", tmp_path)
    assert main(["edition", "close", "--source", str(source)]) == 0
    record = source / "content/editions/2024-05-17.yaml"
    before = record.read_bytes()
    edit(source / "content/people/ada-okafor.yaml", "Ada Okafor", "Ada N. Okafor")
    assert main(["edition", "close", "--source", str(source)]) == 1
    assert "closed already" in capsys.readouterr().err
    assert record.read_bytes() == before


def test_diff_prints_the_changes(next_edition: Built, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["edition", "diff", "--source", str(next_edition.source)]) == 0
    printed = capsys.readouterr().out
    assert "since the edition of 2024-05-17" in printed
    assert "new statement: 2024-11-20 Dubai plenary ends without reform" in printed
    assert "changed contact: Ada Okafor (ada-okafor)" in printed
    assert "2019-11-22-plenary" not in printed  # unchanged


@pytest.mark.parametrize(
    ("lang", "heading", "new", "changed"),
    [
        ("en", "What’s new in this edition", "New statements", "Changed contacts"),
        ("fr", "Nouveautés de cette édition", "Nouvelles déclarations", "Contacts modifiés"),
    ],
)
def test_the_book_opens_with_whats_new(
    next_edition: Built, lang: str, heading: str, new: str, changed: str
) -> None:
    html = next_edition.path(lang, "html").read_text(encoding="utf-8")
    section = html.split('id="whats-new"')[1].split('id="how-to-use"')[0]
    assert heading in section and new in section and changed in section
    assert 'href="#statement-2024-11-20-dubai"' in section
    assert 'class="pageref" href="#person-ada-okafor"' in section
    assert "Scheme unable to reform" not in section
    # After the contents, before the guide.
    assert html.index('id="contents-title"') < html.index('id="whats-new"')


def test_the_pdf_section_gives_the_pages(next_edition: Built) -> None:
    reader = next_edition.pdf("en")
    pages = {
        name: reader.get_destination_page_number(dest) + 1
        for name, dest in reader.named_destinations.items()
    }
    start = pages["whats-new"] - 1
    text = re.sub(r"\s+", " ", reader.pages[start].extract_text() or "")
    statement, person = pages["statement-2024-11-20-dubai"], pages["person-ada-okafor"]
    assert re.search(rf"Dubai plenary ends without reform, p\.\s?{statement}(?!\d)", text), text
    assert re.search(rf"Ada Okafor, p\.\s?{person}(?!\d)", text), text
    assert "Dubai plenary ends without reform" in (reader.pages[statement - 1].extract_text() or "")


def test_the_epub_has_the_section(next_edition: Built) -> None:
    text = next_edition.epub_text("fr")
    assert "Nouveautés de cette édition" in text
    assert "Dubai plenary ends without reform" in text.split("Nouveautés de cette édition")[1]
    # The English title in the French book says so, as in every other list of statements;
    # the section's labels and lists keep their classes (divs: pandoc drops a <p>'s).
    section = text.split('id="whats-new"')[1].split("</section>")[0]
    assert re.search(
        r'lang="en">Dubai plenary ends without reform</a> <span class="badge badge-untranslated">'
        r"Non traduit</span>",
        section,
    ), section
    assert '<div class="section-label">' in section
    assert '<div class="statement-list whats-new-list">' in section


def test_no_section_without_an_earlier_record(mini: Built) -> None:
    html = mini.path("en", "html").read_text(encoding="utf-8")
    assert 'id="whats-new"' not in html
