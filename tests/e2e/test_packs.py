"""Briefing packs: each fixture book's packs, in every language, built once and read back."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest
from helpers.books import Built, copy_fixture, edit, pack_path
from pypdf import PdfReader

from kpbrief.build import BuildRequest, build, load_and_check
from kpbrief.build.plan import planned_outputs
from kpbrief.cli import _build_request, main, parser


def text_of(reader: PdfReader) -> str:
    return "\n".join(page.extract_text() or "" for page in reader.pages)


def book_page(book: Built, lang: str, anchor: str) -> int:
    """The 1-based page of a place in the full book, from its own named destination."""
    reader = book.pdf(lang)
    return reader.get_destination_page_number(reader.named_destinations[anchor]) + 1


def issue_spans(reader: PdfReader) -> list[int]:
    """How many pages each issue of a pack takes, from its destinations."""
    starts = sorted(
        (reader.get_destination_page_number(dest), name)
        for name, dest in reader.named_destinations.items()
        if name.startswith("pack-issue-") or name == "pack-contacts"
    )
    pages = [page for page, _name in starts]
    return [after - before or 1 for before, after in zip(pages, pages[1:], strict=False)]


def test_every_pack_is_written_for_every_language(mini: Built, pt_book: Built) -> None:
    for book, pack, langs in (
        (mini, "plenary-2024", ("en", "fr")),
        (pt_book, "intersessional", ("en", "pt_BR")),
    ):
        for lang in langs:
            assert pack_path(book, pack, lang).stat().st_size > 5000, (pack, lang)


@pytest.mark.parametrize(
    ("lang", "title", "meeting", "opening", "ask", "key_line", "latest"),
    [
        (
            "en",
            "Plenary 2024: what we ask",
            "Kimberley Process Plenary, Dubai",
            "The coalition asks for reform",
            "Give civil society an equal voice",
            "The scheme must change.",
            "Walk-out at the intersessional",
        ),
        (
            "fr",
            "Plénière 2024 : nos demandes",
            "Plénière du Processus de Kimberley, Dubaï",
            "La coalition demande une réforme",
            "Donner à la société civile une voix égale",
            "Le dispositif doit changer.",
            "Un dispositif incapable de se réformer",
        ),
    ],
)
def test_the_pack_reads_as_a_brief(
    mini: Built,
    lang: str,
    title: str,
    meeting: str,
    opening: str,
    ask: str,
    key_line: str,
    latest: str,
) -> None:
    reader = PdfReader(pack_path(mini, "plenary-2024", lang))
    text = re.sub(r"\s+", " ", text_of(reader))
    for expected in (title, meeting, opening, ask, key_line, latest):
        assert expected in text, expected
    # The chapter's opening paragraph, without the rest of the chapter.
    assert "See also Ada Okafor" in text or "1 000 membres" in text
    # The communities issue has a summary: it stands instead of the chapter's paragraph.
    assert "Mining communities must share in the wealth of their land." in text
    assert "Communities come first" not in text


def test_statements_carry_their_page_in_the_full_book(mini: Built, pt_book: Built) -> None:
    cases = (
        (mini, "plenary-2024", "en", "2021-06-walkout", "Walk-out at the intersessional"),
        (
            mini,
            "plenary-2024",
            "fr",
            "2019-11-22-plenary",
            "Un dispositif incapable de se réformer",
        ),
        (pt_book, "intersessional", "pt_BR", "2019-11-22-plenary", "Uma plenária em novembro"),
    )
    for book, pack, lang, statement, title in cases:
        page = book_page(book, lang, f"statement-{statement}")
        # The book's page really opens with the statement: the number is not made up.
        assert title in (book.pdf(lang).pages[page - 1].extract_text() or "")
        text = re.sub(r"\s+", " ", text_of(PdfReader(pack_path(book, pack, lang))))
        # The title, then its translation's badge if it has one, then the page.
        badge = r"(?:\s*[^\W\da-z]+(?: [^\W\da-z]+)*)?"
        assert re.search(rf"{re.escape(title)}{badge}[ .…]*p\.\s?{page}(?!\d)", text), (lang, page)


def test_the_latest_statement_comes_first(mini: Built) -> None:
    text = text_of(PdfReader(pack_path(mini, "plenary-2024", "en")))
    reform = re.split("latest statements", text, flags=re.IGNORECASE)[1]
    assert reform.index("Walk-out at the intersessional") < reform.index("Scheme unable to reform")
    assert "June 2021" in reform


def test_contacts_have_phones_and_no_private_person(mini: Built, pt_book: Built) -> None:
    for lang in ("en", "fr"):
        reader = PdfReader(pack_path(mini, "plenary-2024", lang))
        contacts = re.sub(r"\s+", " ", reader.pages[-1].extract_text() or "")
        assert "Ada Okafor" in contacts and "+32 474 34 20 14" in contacts
        assert "ada@example.org" in contacts
        assert ("Coordinator" if lang == "en" else "Coordinatrice") in contacts
        everything = text_of(reader)
        for secret in ("Secretperson", "zed.secret@example.org", "742 169", "+263"):
            assert secret not in everything, (lang, secret)
    last = PdfReader(pack_path(pt_book, "intersessional", "pt_BR")).pages[-1]
    contacts = re.sub(r"\s+", " ", last.extract_text() or "")
    assert "Lúcia Santos" in contacts and "+55 11 98765" in contacts


def test_each_issue_takes_two_pages_at_most(mini: Built, pt_book: Built) -> None:
    for book, pack, langs, issues in (
        (mini, "plenary-2024", ("en", "fr"), 2),
        (pt_book, "intersessional", ("en", "pt_BR"), 1),
    ):
        for lang in langs:
            reader = PdfReader(pack_path(book, pack, lang))
            spans = issue_spans(reader)
            assert len(spans) == issues and all(span <= 2 for span in spans), (lang, spans)
            # Then one page of contacts.
            assert len(reader.pages) <= 2 * issues + 1
            assert "Contacts" in (reader.pages[-1].extract_text() or "")


def test_packs_are_tagged_with_their_language(mini: Built, pt_book: Built) -> None:
    for book, pack, lang, tag in (
        (mini, "plenary-2024", "en", "en"),
        (mini, "plenary-2024", "fr", "fr"),
        (pt_book, "intersessional", "pt_BR", "pt-BR"),
    ):
        reader = PdfReader(pack_path(book, pack, lang))
        root = reader.trailer["/Root"]
        assert root["/Lang"] == tag
        assert "/StructTreeRoot" in root and root["/MarkInfo"]["/Marked"]
        metadata = root["/Metadata"].get_object().get_data().decode("utf-8")
        assert "pdfuaid:part" in metadata and re.search(r"pdfuaid:part[^0-9]*1", metadata)
        assert reader.metadata is not None and reader.metadata.title


def test_translations_quoted_in_a_pack_are_marked(mini: Built, pt_book: Built) -> None:
    french = text_of(PdfReader(pack_path(mini, "plenary-2024", "fr")))
    assert "TRADUCTION NON OFFICIELLE" in french.upper()
    # A chapter not written in French is shown in English, with the notice.
    assert "Ce chapitre n’a pas encore été rédigé" in french
    portuguese = text_of(PdfReader(pack_path(pt_book, "intersessional", "pt_BR")))
    assert "UNOFFICIAL TRANSLATION" in portuguese.upper()  # no pt catalog: the interface is English
    english = text_of(PdfReader(pack_path(mini, "plenary-2024", "en")))
    assert "UNOFFICIAL TRANSLATION" not in english.upper()


def test_a_second_build_leaves_the_packs_alone(mini: Built) -> None:
    request = BuildRequest(
        source=mini.source, out=mini.out, formats=["pdf", "epub", "html"], packs=True
    )
    result = build(request)
    assert result.written == []
    assert pack_path(mini, "plenary-2024", "fr") in result.unchanged


def test_which_packs_a_build_plans(mini: Built) -> None:
    def names(**options: object) -> set[str]:
        request = BuildRequest(source=mini.source, out=mini.out, **options)  # type: ignore[arg-type]
        planned = planned_outputs(request)
        assert planned is not None
        return {path.name for path in planned}

    assert "mini-book.pack-plenary-2024.fr.pdf" in names(packs=True)
    assert "mini-book.pack-plenary-2024.en.pdf" in names(formats=["pdf"], pack="plenary-2024")
    assert not any(".pack-" in name for name in names(packs=False))
    assert not any(".pack-" in name for name in names(formats=["epub"], packs=True))
    # The command line builds the packs unless told not to.
    argv = ["build", "--source", str(mini.source)]
    assert _build_request(parser().parse_args(argv)).packs
    assert not _build_request(parser().parse_args([*argv, "--no-packs"])).packs


def test_a_pack_naming_an_unknown_issue_or_person_is_an_error(tmp_path: Path) -> None:
    source = copy_fixture("mini", tmp_path)
    pack = source / "content/packs/plenary-2024.yaml"
    edit(
        pack,
        "  - communities\n",
        "  - communities\n  - no-such-issue\ncontacts: [nobody, hidden-person]\n",
    )
    _content, problems = load_and_check(source)
    errors = [(p.origin.path, p.origin.line, p.message) for p in problems if p.severity == "error"]
    where = "content/packs/plenary-2024.yaml"
    assert any(e[:2] == (where, 7) and "unknown issue 'no-such-issue'" in e[2] for e in errors)
    assert any(e[:2] == (where, 8) and "unknown person 'nobody'" in e[2] for e in errors)
    assert any(e[:2] == (where, 8) and "'hidden-person' is not public" in e[2] for e in errors)
    assert main(["check", "--source", str(source)]) == 1


def test_building_an_unknown_pack_fails_and_writes_nothing(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    source = copy_fixture("mini", tmp_path)
    shutil.rmtree(source / "content/packs")
    out = tmp_path / "out"
    assert main(["build", "--source", str(source), "--out", str(out), "--pack", "nope"]) == 1
    assert "no pack 'nope'" in capsys.readouterr().err
    assert not out.exists() or not any(out.glob("*.pdf"))
