"""Paper size: `paper: letter` in book.yaml, or an override at assembly, end to end."""

from __future__ import annotations

from pathlib import Path

import pypdfium2
from helpers.books import copy_fixture
from pypdf import PdfReader

from kpbrief import TOOL_ROOT
from kpbrief.build import BuildRequest, build
from kpbrief.content.load import load_content
from kpbrief.edition.assemble import assemble
from kpbrief.edition.i18n import translations_for
from kpbrief.edition.render import render_html


def test_letter_paper_from_book_yaml(tmp_path: Path) -> None:
    source = copy_fixture("mini", tmp_path)
    book_yaml = source / "content" / "book.yaml"
    book_yaml.write_text(book_yaml.read_text(encoding="utf-8") + "paper: letter\n", "utf-8")
    out = tmp_path / "out"
    build(BuildRequest(source=source, out=out, languages=["en"], formats=["pdf"]))
    pdf = out / "mini-book.en.pdf"
    sizes = {
        (round(float(p.mediabox.width)), round(float(p.mediabox.height)))
        for p in PdfReader(pdf).pages
    }
    assert sizes == {(612, 792)}
    # The cover's ground reaches the foot of the page: no white strip under it.
    document = pypdfium2.PdfDocument(pdf)
    try:
        image = document[0].render(scale=0.5).to_pil().convert("RGB")
    finally:
        document.close()
    width, height = image.size
    assert image.getpixel((width // 2, height - 2)) != (255, 255, 255)


def test_paper_can_be_overridden_when_assembling() -> None:
    source = Path(__file__).parent.parent / "fixtures" / "mini"
    content = load_content(source)
    assert content.book is not None and content.book.paper == "a4"
    translations = translations_for([TOOL_ROOT / "locales"], "en", "en")
    letter = assemble(content, "en", paper="letter")
    assert letter.paper == "letter"
    html = render_html(letter, [TOOL_ROOT / "layouts"], translations.gettext, "print")
    assert "@page { size: letter; }" in html
    assert assemble(content, "en").paper == "a4"


def test_paper_flag_overrides_and_rebuilds(tmp_path: Path) -> None:
    from kpbrief.cli import main

    source = copy_fixture("mini", tmp_path)
    out = tmp_path / "out"
    argv = ["build", "--source", str(source), "--out", str(out), "--lang", "en"]
    html = out / "mini-book.en.html"
    assert main([*argv, "--format", "html", "--paper", "letter"]) == 0
    assert "@page { size: letter; }" in html.read_text(encoding="utf-8")
    # Another paper is another output: the incremental build must not keep the letter one.
    assert main([*argv, "--format", "html"]) == 0
    assert "@page { size: letter; }" not in html.read_text(encoding="utf-8")
    assert main([*argv, "--format", "html", "--paper", "a4"]) == 0
