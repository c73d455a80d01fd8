"""`kpbrief import FILE --lang fr --id ID`: a translation received for a statement the book
has becomes that statement's translation, its received text archived beside the original's
source and held to it by the check, both ways."""

from __future__ import annotations

from pathlib import Path

import pytest
from helpers.books import copy_fixture, edit

from kpbrief.cli import main
from kpbrief.content.faithful import body_digest
from kpbrief.content.load import load_content

WALKOUT = "content/statements/2021-06-walkout.en.md"
PLENARY = "content/statements/2019-11-22-plenary.en.md"
FRENCH = "content/statements/2021-06-walkout.fr.md"
ARCHIVE = "content/sources/2021-06-walkout.fr.txt"
RECEIVED = (
    "Communiqué de presse\n\n14 juin 2021\n\nLa coalition quitte la réunion\n\n"
    "Nous sommes partis. Écrivez à info@example.org ou voyez https://example.org/a-b?x=1.\n"
)


@pytest.fixture
def book(tmp_path: Path) -> Path:
    return copy_fixture("mini", tmp_path)


PLENARY_RECEIVED = (
    "Communiqué de presse\n\n22 novembre 2019\n\nUn dispositif incapable de se réformer\n\n"
    "Aujourd'hui la plénière s'est achevée. Le dispositif doit changer. « C'est un triste "
    "jour », dit Ada Okafor.\n\n## Coûts\n\nLes coûts ont augmenté de 2009 à 2019 à chaque "
    "réunion : 20 % de plus.\n"
)


def imported(
    book: Path, capsys: pytest.CaptureFixture[str], *options: str, text: str = RECEIVED
) -> tuple[int, str]:
    received = book.parent / "received-fr.txt"
    received.write_text(text, encoding="utf-8")
    code = main(["import", str(received), "--source", str(book), *options])
    captured = capsys.readouterr()
    return code, captured.out + captured.err


def check(book: Path, capsys: pytest.CaptureFixture[str]) -> tuple[int, str]:
    code = main(["check", "--source", str(book)])
    return code, capsys.readouterr().out


def test_a_received_translation_joins_its_statement(
    book: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out = imported(book, capsys, "--lang", "fr", "--id", "2021-06-walkout")
    assert code == 0, out
    assert f"{FRENCH}: 0 error(s)" in out
    assert (book / ARCHIVE).read_text(encoding="utf-8") == RECEIVED  # kept unedited
    content = load_content(book)
    statement = content.statements["2021-06-walkout"]
    french = statement.translations["fr"]
    assert french.title == "La coalition quitte la réunion"
    assert french.translation == "official"
    assert french.translated_from == body_digest(statement.original.body)
    assert french.source_file == "sources/2021-06-walkout.fr.txt"
    lines = (book / FRENCH).read_text(encoding="utf-8").split("\n")
    assert any(line.startswith("translation: official  # REVIEW: ") for line in lines)
    # The letterhead's lines left in the text are marked, at the line that holds them.
    for words, what in (("Communiqué de presse", "a release line"), ("14 juin 2021", "a date")):
        mark = next(line for line in lines if line.startswith("# REVIEW (line") and words in line)
        number = int(mark.split("(line ")[1].split(")")[0])
        assert lines[number - 1] == words, (number, lines)
        assert what in mark and f"under source.omit in {WALKOUT} with a reason" in mark
    code, out = check(book, capsys)
    assert code == 0 and "not faithful" not in out and "not in content/sources" not in out, out


def test_the_check_holds_the_translation_to_what_was_received(
    book: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # The plenary has an archived source: the translation's is kept beside it.
    plenary, french = PLENARY, PLENARY.replace(".en.md", ".fr.md")
    archive = "content/sources/2019-11-22-plenary.fr.txt"
    (book / french).unlink()
    options = ("--lang", "fr", "--id", "2019-11-22-plenary")
    assert imported(book, capsys, *options, text=PLENARY_RECEIVED)[0] == 0
    assert (book / archive).read_text(encoding="utf-8") == PLENARY_RECEIVED
    edit(book / french, "22 novembre 2019\n\n", "")
    edit(book / french, "Les coûts ont augmenté", "Les coûts ont doublé")
    code, out = check(book, capsys)
    assert code == 1
    assert (
        f"{french}:12: error: not faithful to {archive}:3: the paragraph “22 novembre 2019” of "
        "the "
        "translation as received is missing or altered. Restore it word for word, or declare "
        f"it under source.omit in {plenary} with a reason"
    ) in out, out
    assert f"{french}:18: error: not in {archive}: the paragraph “Les coûts ont doublé" in out, out
    # Declared in the original's source.omit, the dropped date line passes, and the entry
    # counts as used though the original's source does not hold it.
    edit(book / french, "Les coûts ont doublé", "Les coûts ont augmenté")
    edit(
        book / plenary,
        "  omit:\n",
        '  omit:\n    - {starts: "22 novembre 2019", why: "the date line of the French text"}\n',
    )
    code, out = check(book, capsys)
    assert code == 0, out
    assert "omit entry" not in out and "not faithful" not in out, out


def test_a_translation_that_is_not_one_is_refused(
    book: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    before = sorted(p for p in book.rglob("*") if p.is_file())
    code, out = imported(book, capsys, "--lang", "en", "--id", "2021-06-walkout")
    assert code == 1
    assert (
        f"statement '2021-06-walkout' has its original in 'en' already ({WALKOUT}): to import "
        "a translation of it, name the translation's language with --lang"
    ) in out
    code, out = imported(book, capsys, "--lang", "fr", "--id", "2019-11-22-plenary")
    assert code == 1
    assert (
        "statement '2019-11-22-plenary' has a 'fr' translation already "
        "(content/statements/2019-11-22-plenary.fr.md); nothing was written"
    ) in out
    code, out = imported(book, capsys, "--lang", "de", "--id", "2021-06-walkout")
    assert code == 1
    assert (
        "the book has no language 'de' (content/book.yaml lists en, fr): add it under "
        "languages: there first, or name one of those with --lang; nothing was written"
    ) in out
    assert sorted(p for p in book.rglob("*") if p.is_file()) == before


def test_a_translation_received_as_docx(
    book: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """pandoc's Markdown of the .docx is what the check reads, kept beside the .docx."""
    import pypandoc

    received = tmp_path / "declaration.docx"
    pypandoc.convert_text(
        PLENARY_RECEIVED.replace("Un dispositif", "# Un dispositif"),
        "docx",
        format="commonmark",
        outputfile=str(received),
    )
    (book / PLENARY.replace(".en.md", ".fr.md")).unlink()
    argv = ["import", str(received), "--source", str(book), "--lang", "fr"]
    assert main([*argv, "--id", "2019-11-22-plenary"]) == 0
    capsys.readouterr()
    sources = book / "content/sources"
    assert (sources / "2019-11-22-plenary.fr.docx").read_bytes() == received.read_bytes()
    assert "Le dispositif doit changer." in (sources / "2019-11-22-plenary.fr.md").read_text(
        encoding="utf-8"
    )
    french = load_content(book).statements["2019-11-22-plenary"].translations["fr"]
    assert french.source_file == "sources/2019-11-22-plenary.fr.md"
    code, out = check(book, capsys)
    assert code == 0 and "not faithful" not in out and "not in content/sources" not in out, out


def test_source_file_in_an_original_says_where_it_belongs(
    book: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    edit(book / PLENARY, "kind: press-release", "kind: press-release\nsource_file: sources/x.txt")
    code, out = check(book, capsys)
    assert code == 1
    assert (
        f"{PLENARY}:5: error: source_file names a translation's text as received; an original "
        "names its own under source:, as file: sources/<name>.txt"
    ) in out
