"""`kpbrief import`: received statements become content files that load, check and keep
every paragraph of what was received."""

from __future__ import annotations

import contextlib
import io
import json
import re
import shutil
from dataclasses import dataclass
from pathlib import Path

import pypandoc
import pytest
from helpers.books import REPO, copy_fixture

from kpbrief.authoring.importer import guess_date, slug
from kpbrief.build import load_and_check
from kpbrief.cli import main
from kpbrief.content import faithful
from kpbrief.content.load import load_content
from kpbrief.content.markdown import plain_text
from kpbrief.content.model import Content
from kpbrief.content.reader import ID_RE

# The seeds, as received (/work/shared/seeds); the book keeps byte-identical copies as its
# archived sources, used where the shared folder is not there (CI).
SHARED_SEEDS = Path("/work/shared/seeds")
SEED_COPIES = {
    "000_deea4c23e2489347.txt": "2020-03-04-un-general-assembly.txt",
    "001_a199f83e371a1254.txt": "2019-11-22-new-delhi-plenary.txt",
    "002_c28ec48ee591d6f5.txt": "2011-06-24-kinshasa-walk-out.txt",
    "003_978fb4a7c8281b33.txt": "2023-11-10-victoria-falls-plenary.txt",
    "004_6abbbc12f00c8d49.txt": "2009-06-windhoek-intersessional.txt",
}


def seed(name: str) -> Path:
    shared = SHARED_SEEDS / name
    return shared if shared.is_file() else REPO / "content" / "sources" / SEED_COPIES[name]


@dataclass
class Run:
    code: int
    out: str
    err: str


def run(*argv: str) -> Run:
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        try:
            code = main(list(argv))
        except SystemExit as exit_:
            code = int(exit_.code or 0)
    return Run(code, out.getvalue(), err.getvalue())


def files_under(root: Path) -> set[Path]:
    return {p for p in root.rglob("*") if p.is_file()}


def written_statement(result: Run) -> Path:
    paths = [Path(line) for line in result.out.splitlines() if line.endswith(".md")]
    statements = [p for p in paths if p.parent.name == "statements"]
    assert len(statements) == 1, result.out
    return statements[0]


def new_problems(book: Path, statement: Path) -> list[str]:
    rel = statement.relative_to(book).as_posix()
    return [str(p) for p in load_and_check(book)[1] if p.origin.path == rel]


# -- the seeds, as received in plain text ----------------------------------------------

# seed file → (date the importer must find, or None; the title it must find)
SEED_CASES = {
    "000_deea4c23e2489347.txt": (
        "2020-03-04",
        "Civil society challenges complacency of the Kimberley Process at UN gathering in New York",
    ),
    "001_a199f83e371a1254.txt": (
        "2019-11-22",
        "Conflict diamond certification scheme unable and unwilling to reform",
    ),
    "002_c28ec48ee591d6f5.txt": (
        "2011-06-24",
        "Vote of No Confidence of Kimberley Process Civil Society Coalition at Kinshasa Meeting",
    ),
    "003_978fb4a7c8281b33.txt": (
        "2023-11-10",
        "2023 Kimberley Process Plenary Meeting, Victoria Falls, Zimbabwe",
    ),
    "004_6abbbc12f00c8d49.txt": (None, "Kimberley Process Sees “Progress,” NGOs Say"),
}


@dataclass
class SeedImport:
    book: Path
    results: dict[str, Run]
    problems: list[str]  # the check's, once all five are in
    content: Content


@pytest.fixture(scope="module")
def seeded(tmp_path_factory: pytest.TempPathFactory) -> SeedImport:
    """The five seeds imported, one after the other, into a copy of the real book (whose
    people and organisations they name; the mini fixture hides a person with a seed's
    phone number, which the check rightly refuses)."""
    book = tmp_path_factory.mktemp("import") / "book"
    shutil.copytree(REPO / "content", book / "content")
    results = {name: run("import", str(seed(name)), "--source", str(book)) for name in SEED_CASES}
    return SeedImport(book, results, [str(p) for p in load_and_check(book)[1]], load_content(book))


@pytest.mark.parametrize("name", sorted(SEED_CASES))
def test_seed_is_named_dated_and_titled(seeded: SeedImport, name: str) -> None:
    date, title = SEED_CASES[name]
    statement = written_statement(seeded.results[name])
    statement_id, lang, ext = statement.name.split(".")
    assert (lang, ext) == ("en", "md")
    assert statement.parent == seeded.book / "content" / "statements"
    assert ID_RE.match(statement_id)
    if date:
        assert statement_id.startswith(date + "-")
    text = statement.read_text(encoding="utf-8")
    front = text.split("\n---\n", 1)[0]
    # Every guessed or filled-in field is marked for review.
    for field in ("title", "date", "kind", "issues", "  publisher"):
        line = next(x for x in front.splitlines() if x.startswith(field + ":"))
        assert "# REVIEW:" in line, line
    date_line = next(x for x in front.splitlines() if x.startswith("date:"))
    if date:
        assert date_line.startswith(f"date: {date}  # REVIEW: guessed from line ")
    else:
        assert "no date found" in date_line
    assert f"title: {json.dumps(title, ensure_ascii=False)}  # REVIEW: guessed from" in front


@pytest.mark.parametrize("name", sorted(SEED_CASES))
def test_seed_keeps_its_source_and_every_paragraph(seeded: SeedImport, name: str) -> None:
    statement = written_statement(seeded.results[name])
    statement_id = statement.name.split(".")[0]
    archived = seeded.book / "content" / "sources" / f"{statement_id}.txt"
    received = seed(name).read_bytes()
    assert archived.read_bytes() == received  # kept unedited
    assert f"  file: sources/{statement_id}.txt" in statement.read_text(encoding="utf-8")
    # Every paragraph of the received text stands, word for word, in the new file.
    body = statement.read_text(encoding="utf-8").split("\n---\n", 1)[1]
    title = next(
        line.split(": ", 1)[1].split("  # ")[0].strip('"')
        for line in statement.read_text(encoding="utf-8").splitlines()
        if line.startswith("title:")
    )
    words = faithful.normalise(title) + faithful.normalise(plain_text(body))
    for paragraph in faithful.paragraphs(received.decode("utf-8")):
        assert faithful._paragraph_words(paragraph.text) in words, paragraph


@pytest.mark.parametrize("name", sorted(SEED_CASES))
def test_seed_loads_and_checks(seeded: SeedImport, name: str) -> None:
    result = seeded.results[name]
    statement = written_statement(result)
    statement_id = statement.name.split(".")[0]
    rel = statement.relative_to(seeded.book).as_posix()
    errors = [p for p in seeded.problems if p.startswith(rel + ":") and ": error: " in p]
    date, _title = SEED_CASES[name]
    if date:
        assert result.code == 0, result.out + result.err
        assert errors == []
        loaded = seeded.content.statements[statement_id]
        assert loaded.date.iso() == date
        assert loaded.source.file == f"sources/{statement_id}.txt"
    else:
        # No date in the text: the one error says so, on the date line, and the import fails.
        assert result.code == 1
        assert len(errors) == 1
        assert re.search(r"\.en\.md:5: error: 'YYYY-MM-DD' is not a date", errors[0]), errors
        assert errors[0] in result.out


def test_undated_seed_checks_once_dated(tmp_path: Path) -> None:
    book = copy_fixture("mini", tmp_path)
    result = run("import", str(seed("004_6abbbc12f00c8d49.txt")), "--source", str(book))
    statement = written_statement(result)
    text = statement.read_text(encoding="utf-8")
    statement.write_text(re.sub(r"date: YYYY-MM-DD[^\n]*", 'date: "2009-06"', text), "utf-8")
    assert [p for p in new_problems(book, statement) if ": error: " in p] == []
    loaded = load_content(book).statements[statement.name.split(".")[0]]
    assert loaded.original.place == "Windhoek, Namibia"
    assert loaded.date.iso() == "2009-06"


def test_empty_link_becomes_plain_text_with_a_note(seeded: SeedImport) -> None:
    result = seeded.results["003_978fb4a7c8281b33.txt"]
    text = written_statement(result).read_text(encoding="utf-8")
    front, body = text.split("\n---\n", 1)
    assert "(#)" not in body and "This community testimony reflects" in body
    assert "community testimony” had an empty target" in front
    assert re.search(r"warning: review: line \d+: the link “community testimony”", result.out)
    assert 'place: "Victoria Falls, Zimbabwe"' in front
    assert "kind: closing-remarks" in front


def test_plain_text_lists_and_line_breaks(seeded: SeedImport) -> None:
    body = written_statement(seeded.results["002_c28ec48ee591d6f5.txt"]).read_text("utf-8")
    assert "\n- It is unable to hold to account" in body
    assert "•" not in body.split("\n---\n", 1)[1]
    letterhead = written_statement(seeded.results["003_978fb4a7c8281b33.txt"]).read_text("utf-8")
    assert "Dr. Michel YOBOUE\\\nCivil Society Coalition Coordinator\\\n" in letterhead
    # A single line break after a long sentence ends a paragraph.
    undated = written_statement(seeded.results["004_6abbbc12f00c8d49.txt"]).read_text("utf-8")
    assert "blood diamonds.\n\nIn particular" in undated


# -- docx, odt and html: made by pandoc from known Markdown, imported back ---------------

KNOWN = """\
# A known title for the round trip

Geneva, Switzerland, 12 March 2024

The first paragraph has **bold** words and a [link to a report](https://example.org/report).

- the first item of a list
- the second item of a list

The second paragraph has “quoted” words and an [empty link](#) in it.

| Country | Members |
|---------|---------|
| Ghana   | 3       |

The last paragraph of the statement.
"""


def paragraphs_of(markdown: str) -> list[str]:
    return [" ".join(line.split()) for line in plain_text(markdown).splitlines() if line.strip()]


@pytest.mark.parametrize("fmt", ["docx", "odt", "html"])
def test_round_trip(tmp_path: Path, fmt: str) -> None:
    book = copy_fixture("mini", tmp_path)
    received = tmp_path / f"received statement.{fmt}"
    pypandoc.convert_text(
        KNOWN, fmt, format="commonmark+pipe_tables", outputfile=str(received), sandbox=True
    )
    result = run("import", str(received), "--source", str(book), "--lang", "en")
    assert result.code == 0, result.out + result.err
    statement = written_statement(result)
    assert statement.name == "2024-03-12-known-title-round-trip.en.md"
    text = statement.read_text(encoding="utf-8")
    front, body = text.split("\n---\n", 1)
    assert 'title: "A known title for the round trip"  # REVIEW: guessed from line 1' in front
    assert "date: 2024-03-12  # REVIEW:" in front
    assert 'place: "Geneva, Switzerland"' in front
    # The same paragraphs come back, the title moved to the front matter.
    assert paragraphs_of(body) == paragraphs_of(KNOWN)[1:]
    assert "[link to a report](https://example.org/report)" in body
    assert "**bold**" in body and "| Ghana" in body
    assert "<" not in body  # no raw HTML
    # The file as received is kept, and pandoc's Markdown of it is what the check reads.
    sources = book / "content" / "sources"
    assert (sources / f"2024-03-12-known-title-round-trip.{fmt}").read_bytes() == (
        received.read_bytes()
    )
    assert "  file: sources/2024-03-12-known-title-round-trip.md" in front
    assert (sources / "2024-03-12-known-title-round-trip.md").is_file()
    assert [p for p in new_problems(book, statement) if ": error: " in p] == []
    assert "the link “empty link” had" in front


def test_markdown_is_received_as_markdown(tmp_path: Path) -> None:
    book = copy_fixture("mini", tmp_path)
    received = tmp_path / "statement.md"
    received.write_text(KNOWN + "\nA <b>raw</b> word.\n", encoding="utf-8")
    result = run("import", str(received), "--source", str(book), "--id", "2024-03-12-given")
    statement = book / "content/statements/2024-03-12-given.en.md"
    assert written_statement(result) == statement
    body = statement.read_text(encoding="utf-8").split("\n---\n", 1)[1]
    assert "<b>" not in body and "A raw word." in body
    assert "raw html (<b>) was left out" in statement.read_text(encoding="utf-8")
    assert (book / "content/sources/2024-03-12-given.md").read_bytes() == received.read_bytes()


# -- refusals --------------------------------------------------------------------------


def test_refuses_to_overwrite(tmp_path: Path) -> None:
    book = copy_fixture("mini", tmp_path)
    received = str(seed("003_978fb4a7c8281b33.txt"))
    first = run("import", received, "--source", str(book))
    assert first.code == 0
    statement = written_statement(first)
    statement.write_text(statement.read_text("utf-8") + "\nEdited.\n", encoding="utf-8")
    before = {p: p.read_bytes() for p in files_under(book)}
    again = run("import", received, "--source", str(book))
    assert again.code == 1
    assert "exists already; nothing was written" in again.err
    assert {p: p.read_bytes() for p in files_under(book)} == before


@pytest.mark.parametrize(
    ("name", "data", "code", "message"),
    [
        ("statement.pdf", b"%PDF-1.4", 2, "the importer reads"),
        ("statement", b"text", 2, "the importer reads"),
        ("latin.txt", "Déclaration\n".encode("latin-1"), 1, "is not UTF-8 (byte 0xe9 on line 1)"),
        (
            "broken.docx",
            b"not a zip file",
            1,
            "is not a readable .docx file (it is no zip archive)",
        ),
    ],
)
def test_refuses_what_it_cannot_read(
    tmp_path: Path, name: str, data: bytes, code: int, message: str
) -> None:
    book = copy_fixture("mini", tmp_path)
    received = tmp_path / name
    received.write_bytes(data)
    before = files_under(book)
    result = run("import", str(received), "--source", str(book))
    assert result.code == code
    assert message in result.err
    assert files_under(book) == before


def test_missing_file_and_bad_options(tmp_path: Path) -> None:
    book = copy_fixture("mini", tmp_path)
    before = files_under(book)
    missing = run("import", str(tmp_path / "nowhere.txt"), "--source", str(book))
    assert missing.code == 1 and "is not a file" in missing.err
    received = str(seed("001_a199f83e371a1254.txt"))
    assert run("import", received, "--source", str(book), "--id", "Bad Id").code == 2
    assert run("import", received, "--source", str(book), "--lang", "english").code == 2
    assert run("import").code == 2
    assert files_under(book) == before


@pytest.mark.parametrize(
    ("text", "lang", "expected"),
    [
        ("Press release\n\n22 November 2019\n", "en", ("2019-11-22", 3, "22 November 2019")),
        ("Sent on November 22, 2019.", "en", ("2019-11-22", 1, "November 22, 2019")),
        ("Dated 2019-11-22, as agreed", "en", ("2019-11-22", 1, "2019-11-22")),
        ("Windhoek, June 2009", "en", ("2009-06", 1, "June 2009")),
        ("Paris, le 1er mars 2020", "fr", ("2020-03-01", 1, "1er mars 2020")),
        ("New Delhi, 22 novembre 2019", "fr", ("2019-11-22", 1, "22 novembre 2019")),
        ("In 2003, on November 3, nothing; 31 February 2020 is no date", "en", None),
    ],
)
def test_guess_date(text: str, lang: str, expected: tuple[str, int, str] | None) -> None:
    assert guess_date(text, lang) == expected


def test_slug() -> None:
    assert slug("2023 Kimberley Process Plenary Meeting, Victoria Falls") == (
        "kimberley-process-plenary-meeting-victoria"
    )
    assert slug("La société civile conteste l’excès de confiance") == (
        "societe-civile-conteste-exces-confiance"
    )
    assert ID_RE.match(slug("Vote of No Confidence at Kinshasa Meeting"))


@pytest.mark.parametrize("suffix", ["md", "html"])
def test_what_import_takes_out_does_not_fail_its_own_check(tmp_path: Path, suffix: str) -> None:
    """The importer leaves out a javascript: link's target, an image and raw HTML; the check
    reads the received text as its reader sees it, so the new statement checks clean."""
    book = copy_fixture("mini", tmp_path)
    received = tmp_path / f"received.{suffix}"
    if suffix == "md":
        received.write_text(
            "Coalition statement on reform\n\n12 March 2024, Brussels\n\n"
            "The coalition asks for [real reform](javascript:alert(1)) of the scheme now.\n\n"
            "![logo](http://example.org/logo.png)\n\n<div>Raw block</div>\n\n"
            "We will keep watching <span>closely</span> every plenary.\n",
            encoding="utf-8",
        )
    else:
        received.write_text(
            "<html><body><h1>Coalition statement on reform</h1><p>12 March 2024, Brussels</p>"
            '<p>The coalition asks for <a href="javascript:alert(1)">real reform</a> of the '
            'scheme now.</p><p><img src="http://example.org/logo.png" alt="logo"></p>'
            "<script>alert(2)</script><p>We will keep watching <span>closely</span> every "
            "plenary.</p></body></html>",
            encoding="utf-8",
        )
    result = run("import", str(received), "--source", str(book), "--id", "2024-03-12-taken")
    assert result.code == 0, result.out + result.err
    assert ": error: " not in result.out, result.out
    assert "0 error(s)" in result.err
    assert "pointed to 'javascript:alert(1)'" in result.out
    assert main(["check", "--source", str(book)]) == 0


def test_letterhead_and_date_lines_left_in_the_text_are_marked(seeded: SeedImport) -> None:
    statement = written_statement(seeded.results["001_a199f83e371a1254.txt"])
    lines = statement.read_text(encoding="utf-8").split("\n")
    marks = [line for line in lines if line.startswith("# REVIEW (line ")]
    for words, what in (
        ("22 November, 2019", "is a date line (the date is in date:)"),
        ("Press Release Kimberley Process Civil Society Coalition", "is a release line"),
        ("For immediate release", "is a release line"),
    ):
        mark = next(m for m in marks if f"“{words[:50]}”" in m)
        number = int(mark.split("(line ")[1].split(")")[0])
        assert lines[number - 1] == words, (number, lines[number - 1])
        assert what in mark
        assert "delete it and name it under source.omit with a reason, or keep it" in mark
    # Past the head, a line that is nothing else is marked too: the contacts' heading here,
    # a republished release's own head in another seed.
    assert any(
        m.startswith("# REVIEW (line ") and "“More information:” is a release" in m for m in marks
    )
    republished = written_statement(seeded.results["002_c28ec48ee591d6f5.txt"])
    assert "“Press Release” is a release line" in republished.read_text(encoding="utf-8")
    # The text proper is not marked.
    assert not any("Today, another three-year" in m for m in marks)
    assert len(marks) == 4, marks
    assert (
        f"{statement.relative_to(seeded.book).as_posix()}:"
        in seeded.results["001_a199f83e371a1254.txt"].out
    )


@pytest.mark.parametrize(
    ("name", "place", "named"),
    [
        ("000_deea4c23e2489347.txt", "New York", "New York"),
        ("001_a199f83e371a1254.txt", "New Delhi, India", "New Delhi"),
        ("002_c28ec48ee591d6f5.txt", "Kinshasa, Democratic Republic of the Congo", "Kinshasa"),
        ("003_978fb4a7c8281b33.txt", "Victoria Falls, Zimbabwe", None),
        ("004_6abbbc12f00c8d49.txt", "Windhoek, Namibia", None),
    ],
)
def test_place_is_guessed(seeded: SeedImport, name: str, place: str, named: str | None) -> None:
    """'City, Country' as written; else a city the text names that the book knows, written
    as the book writes it elsewhere."""
    front = written_statement(seeded.results[name]).read_text(encoding="utf-8").split("\n---\n")[0]
    line = next(x for x in front.splitlines() if x.startswith("place:"))
    assert line.startswith(f"place: {json.dumps(place)}  # REVIEW: "), line
    if named:
        assert f"the text names {named} (guessed from line " in line
        assert "written as the book writes that place elsewhere" in line
