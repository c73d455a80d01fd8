"""Hostile content: every rule of SECURITY.md, proved on `kpbrief check` and on built outputs."""

from __future__ import annotations

import re
import socket
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from helpers.books import FIXTURES, Built, copy_fixture
from helpers.books import edit as edit_every
from helpers.forbidden import css_findings, html_findings, html_text, pdf_findings

from kpbrief.build import BuildFailed, BuildRequest, build, load_and_check
from kpbrief.cli import main
from kpbrief.content.markdown import scan
from kpbrief.engines.assets import RefusedResource, guard_resources

FORMATS_ALL = ["pdf", "epub", "html"]


def edit(path: Path, old: str, new: str) -> None:
    edit_every(path, old, new, count=1)  # the hostile files' edits touch the first match only


def problems(book: Path) -> list[str]:
    return [str(p) for p in load_and_check(book)[1]]


# -- limits: content that would eat the machine -------------------------------------------


def test_a_yaml_alias_bomb_is_an_error_not_a_hang(tmp_path: Path) -> None:
    """Nine lines of anchors stand for 9**9 values; counting them stops at the limit."""
    book = copy_fixture("mini", tmp_path)
    lines = ["a0: &a0 [x, x, x, x, x, x, x, x, x]"]
    lines += [f"a{i}: &a{i} [{', '.join([f'*a{i - 1}'] * 9)}]" for i in range(1, 10)]
    (book / "content/people/alias-bomb.yaml").write_text("\n".join(lines) + "\n")
    start = time.monotonic()
    found = problems(book)
    assert time.monotonic() - start < 10
    assert any(
        p.startswith("content/people/alias-bomb.yaml:1: error: YAML holds more than") for p in found
    ), found


def test_a_line_of_brackets_is_scanned_in_linear_time() -> None:
    """The empty-link search once took quadratic time on a line of '[' (2 MiB: hours)."""
    body = "```\n" + "[" * 200_000 + "\n```\n"  # a code block: markdown-it itself is quick
    start = time.monotonic()
    assert scan(body) == []
    assert time.monotonic() - start < 2
    assert [r.kind for r in scan("[a]() and [b [c]]()")] == ["empty"]


# -- private people ---------------------------------------------------------------------------

PLENARY = "content/statements/2019-11-22-plenary.en.md"
WALKOUT = "content/statements/2021-06-walkout.en.md"


def test_every_reference_to_a_private_person_is_a_warning(tmp_path: Path) -> None:
    book = copy_fixture("mini", tmp_path)
    edit(book / PLENARY, "speakers: [ada-okafor]", "speakers: [ada-okafor, hidden-person]")
    edit(
        book / WALKOUT,
        "issues: [reform, communities]",
        "issues: [reform]\nmentions: [hidden-person]",
    )
    edit(book / WALKOUT, "We walked out.", "We walked out with [our intern](person:hidden-person).")
    edit(book / "content/issues/reform.en.md", "speaker: ada-okafor", "speaker: hidden-person")
    found = problems(book)
    for expected in (
        f"{PLENARY}:8: warning: speaker 'hidden-person' is not public",
        f"{PLENARY}:9: warning: contact 'hidden-person' is not public",
        f"{WALKOUT}:7: warning: mention 'hidden-person' is not public",
        f"{WALKOUT}:13: warning: link 'our intern' points to 'hidden-person', who is not public",
        "content/issues/reform.en.md:5: warning: speaker 'hidden-person' is not public",
    ):
        assert any(p.startswith(expected) for p in found), (expected, found)
    assert not [p for p in found if ": error: " in p]


def test_a_private_persons_details_written_in_a_text_are_errors(tmp_path: Path) -> None:
    """kpbrief leaves a private person out; what an editor wrote about them, it refuses."""
    book = copy_fixture("mini", tmp_path)
    edit(book / WALKOUT, "We walked out.", "We walked out.\n\nAsk ZED  secretperson.")
    edit(book / WALKOUT, "title: Walk-out", "title: Call +263 (0)77 421 6956 about the walk-out")
    edit(book / PLENARY, "## Costs", "## Costs\n\nMail Zed.Secret@example.org.")
    edit(book / "content/events/2019-plenary.yaml", "place: New Delhi", "place: Zed Secretperson's")
    found = [p for p in problems(book) if ": error: " in p]
    for expected in (
        f"{WALKOUT}:14: error: the name of 'hidden-person', who is not public, is written here",
        f"{WALKOUT}:2: error: the phone number of 'hidden-person', who is not public",
        f"{PLENARY}:26: error: the e-mail of 'hidden-person', who is not public",
        "content/events/2019-plenary.yaml:4: error: the name of 'hidden-person'",
    ):
        assert any(p.startswith(expected) for p in found), (expected, found)
    # The added paragraph is not in the plenary's archived source either: that is its own error.
    assert f"{PLENARY}:26: error: not in content/sources/2019-11-22-plenary.txt" in "\n".join(found)
    assert len(found) == 5, found
    # A public person's details, and other people's numbers, are no concern of this rule.
    book = copy_fixture("mini", tmp_path / "again")
    edit(book / WALKOUT, "We walked out.", "Ada Okafor, +32 474 34 20 14, or +263 7 742 169 57.")
    assert not [p for p in problems(book) if ": error: " in p]


# -- the hostile corpus: tests/fixtures/hostile ------------------------------------------------
#
# `refused/` holds one file per rule, each refused by `kpbrief check` (or, for a private
# contact, the documented warning); `accepted/` holds content that looks hostile but is
# only text, and passes the check: its built outputs are searched for everything forbidden.
# Both are laid over the mini book. "PORT" in them becomes the port of a loopback listener.

HOSTILE = FIXTURES / "hostile"
S = "content/statements/2020-01-"

# file → (line, severity, the start of the message)
REFUSED: dict[str, tuple[int, str, str]] = {
    f"{S}01-script.en.md": (11, "error", "raw HTML (<script>"),
    f"{S}02-iframe.en.md": (11, "error", "raw HTML (<iframe"),
    f"{S}03-object.en.md": (11, "error", "raw HTML (<object"),
    f"{S}04-embed.en.md": (11, "error", "raw HTML (<embed"),
    f"{S}05-form.en.md": (11, "error", "raw HTML (<form"),
    f"{S}06-event-handler.en.md": (11, "error", 'raw HTML (<img src="media/x.png" onerror'),
    f"{S}07-event-handler-block.en.md": (11, "error", "raw HTML (<p onmouseover"),
    f"{S}08-javascript-link.en.md": (11, "error", "link target 'javascript:"),
    f"{S}09-data-link.en.md": (11, "error", "link target 'data:text/html"),
    f"{S}10-data-image.en.md": (11, "error", "image 'data:image/png"),
    f"{S}11-style-import.en.md": (11, "error", "raw HTML (<style>@import"),
    f"{S}12-css-url.en.md": (11, "error", 'raw HTML (<span style="background: url('),
    f"{S}13-traversal-image.en.md": (11, "error", "image '../../etc/passwd' must be a file"),
    f"{S}14-traversal-in-media.en.md": (11, "error", "image 'media/../../../etc/passwd' must"),
    f"{S}15-absolute-image.en.md": (11, "error", "image '/etc/passwd' must be a file"),
    f"{S}16-file-link.en.md": (11, "error", "link target 'file:///etc/passwd'"),
    f"{S}17-file-image.en.md": (11, "error", "link target 'file:///etc/passwd'"),
    f"{S}18-network-image.en.md": (11, "error", "image 'http://127.0.0.1:"),
    f"{S}19-network-reference-image.en.md": (11, "error", "image 'http://127.0.0.1:"),
    f"{S}20-vbscript-link.en.md": (11, "error", "link target 'vbscript:"),
    f"{S}21-html-comment.en.md": (11, "error", "raw HTML (<!--"),
    f"{S}22-private-contact.en.md": (8, "warning", "contact 'hidden-person' is not public"),
    f"{S}23-deep-front-matter.en.md": (1, "error", "YAML nested deeper than 20 levels"),
    f"{S}24-source-traversal.en.md": (6, "error", "source file '../../../../etc/passwd' must"),
    "content/people/python-apply.yaml": (1, "error", "YAML does not parse: could not determine"),
    "content/people/python-new.yaml": (2, "error", "YAML does not parse: could not determine"),
    "content/people/python-name.yaml": (2, "error", "YAML does not parse: could not determine"),
    "content/people/deep-nesting.yaml": (1, "error", "YAML nested deeper than 20 levels"),
    "content/people/alias-bomb.yaml": (1, "error", "YAML holds more than 100000 values"),
    # Made by `lay_over`: too big to keep in the repository, or a link git would not copy.
    f"{S}25-huge.en.md": (1, "error", "file is 3072 KiB, over the limit of 2048 KiB"),
    f"{S}26-symlinked-media.en.md": (11, "error", "image 'media/passwd.png' does not exist"),
}


def reported(name: str, line: int, severity: str, message: str) -> re.Pattern[str]:
    """A problem as printed: its file and line (and column, where it has one), then what."""
    return re.compile(rf"{re.escape(name)}:{line}(?::\d+)?: {severity}: {re.escape(message)}")


def lay_over(book: Path, variant: str, port: int, only: str | None = None) -> None:
    """Copy the hostile files of `variant` (all, or the one named `only`) into `book`."""
    folder = HOSTILE / variant
    for path in sorted(folder.rglob("*")):
        name = path.relative_to(folder).as_posix()
        if path.is_file() and only in (None, name):
            target = book / name
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_text(path.read_text().replace("PORT", str(port)))
    if variant != "refused":
        return
    head = "---\ntitle: {}\ndate: 2020-01-2{}\nkind: other\nissues: [reform]\nsource:\n"
    head += "  publisher: test-coalition\n---\nA hostile statement: its line 11 is the attack.\n\n"
    if only in (None, f"{S}25-huge.en.md"):
        text = head.format("Huge", 5) + ("All work and no play. " * 47 + "\n\n") * 3100
        (book / f"{S}25-huge.en.md").write_text(text[: 3 * 1024 * 1024], encoding="ascii")
    if only in (None, f"{S}26-symlinked-media.en.md"):
        media = book / "content/media"
        media.mkdir(exist_ok=True)
        (media / "passwd.png").symlink_to("/etc/passwd")
        (book / f"{S}26-symlinked-media.en.md").write_text(
            head.format("A link out of media", 6) + "![passwd](media/passwd.png)\n"
        )


@pytest.fixture
def listener() -> Iterator[socket.socket]:
    """A loopback port that content names; the test fails if anyone knocks."""
    server = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    server.bind(("127.0.0.1", 0))
    server.listen(5)
    server.settimeout(0.2)
    yield server
    with pytest.raises(OSError):  # socket.timeout: nobody knocked
        server.accept()
    server.close()


def test_the_corpus_covers_every_file_of_the_fixture() -> None:
    files = {
        p.relative_to(HOSTILE / "refused").as_posix()
        for p in (HOSTILE / "refused").rglob("*")
        if p.is_file()
    }
    assert files <= set(REFUSED)
    assert len(REFUSED) - len(files) == 2  # the two made by lay_over


@pytest.mark.parametrize("name", sorted(REFUSED))
def test_each_hostile_file_is_reported_and_refused(
    name: str,
    tmp_path: Path,
    listener: socket.socket,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    line, severity, message = REFUSED[name]
    book = copy_fixture("mini", tmp_path)
    lay_over(book, "refused", listener.getsockname()[1], only=name)
    monkeypatch.chdir(tmp_path)  # where a YAML tag that ran would leave kpbrief-pwned
    found = problems(book)
    expected = reported(name, line, severity, message)
    assert any(expected.match(p) for p in found), (expected.pattern, found)
    assert not (tmp_path / "kpbrief-pwned").exists()
    if severity == "error":
        out = tmp_path / "out"
        with pytest.raises(BuildFailed, match="error"):
            build(BuildRequest(source=book, out=out, languages=["en"], formats=FORMATS_ALL))
        assert not out.exists() or list(out.iterdir()) == []


def test_the_whole_corpus_at_once_through_the_command_line(
    tmp_path: Path,
    listener: socket.socket,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    """`kpbrief check` lists every file with its line; `kpbrief build` keeps the old book."""
    book = copy_fixture("mini", tmp_path)
    lay_over(book, "refused", listener.getsockname()[1])
    monkeypatch.chdir(tmp_path)
    assert main(["check", "--source", str(book)]) == 1
    printed = capsys.readouterr().out.splitlines()
    for name, (line, severity, message) in REFUSED.items():
        expected = reported(name, line, severity, message)
        assert any(expected.match(p) for p in printed), expected.pattern
    out = tmp_path / "out"
    out.mkdir()
    earlier = {"mini-book.en.pdf": b"earlier pdf", "mini-book.en.epub": b"earlier epub"}
    for file_name, data in earlier.items():
        (out / file_name).write_bytes(data)
    assert main(["build", "--source", str(book), "--out", str(out)]) == 1
    assert {p.name: p.read_bytes() for p in out.iterdir()} == earlier
    assert not (tmp_path / "kpbrief-pwned").exists()


# -- hostile-looking content that passes the check: the outputs are searched ---------------

PRIVATE = ("Secretperson", "zed.secret@example.org", "742 169", "742169", "774216956", "+263")


@dataclass
class HostileBuild:
    built: Built
    knocked: bool  # did the loopback listener named in the content receive a connection?
    check_exit: int
    check_output: str


@pytest.fixture(scope="module")
def accepted(tmp_path_factory: pytest.TempPathFactory) -> HostileBuild:
    """The mini book with `hostile/accepted` laid over it, built once as PDF, EPUB and HTML."""
    import contextlib
    import io

    root = tmp_path_factory.mktemp("hostile")
    server = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    server.bind(("127.0.0.1", 0))
    server.listen(5)
    server.settimeout(0.2)
    try:
        book = copy_fixture("mini", root)
        lay_over(book, "accepted", server.getsockname()[1])
        printed = io.StringIO()
        with contextlib.redirect_stdout(printed):
            check_exit = main(["check", "--source", str(book)])
        out = root / "out"
        build(BuildRequest(source=book, out=out, languages=["en"], formats=FORMATS_ALL))
        try:
            server.accept()[0].close()
            knocked = True
        except OSError:
            knocked = False
    finally:
        server.close()
    return HostileBuild(Built(book, out, "mini-book"), knocked, check_exit, printed.getvalue())


def output_texts(built: Built) -> dict[str, bytes]:
    """Every file a reader gets, by name: the PDF, each file inside the EPUB, the HTML."""
    files: dict[str, bytes] = {}
    for path in sorted(built.out.rglob("*")):
        if path.is_file() and path.name != ".kpbrief-manifest.json":
            files[path.relative_to(built.out).as_posix()] = path.read_bytes()
    with built.epub("en") as archive:
        for name in archive.namelist():
            files[f"mini-book.en.epub!{name}"] = archive.read(name)
    return files


def test_hostile_looking_content_passes_the_check_with_the_documented_warnings(
    accepted: HostileBuild,
) -> None:
    assert accepted.check_exit == 0
    name = "content/statements/2020-02-01-looks-hostile.en.md"
    for expected in (
        f"{name}:8: warning: speaker 'hidden-person' is not public",
        f"{name}:9: warning: contact 'hidden-person' is not public",
        f"{name}:10: warning: mention 'hidden-person' is not public",
        f"{name}:35: warning: link 'who asked to stay unnamed' points to 'hidden-person'",
    ):
        assert expected in accepted.check_output, expected


def test_no_output_holds_anything_forbidden(accepted: HostileBuild) -> None:
    built = accepted.built
    assert not accepted.knocked, "a loopback port named in the content received a connection"
    files = output_texts(built)
    assert any(name.endswith(".xhtml") for name in files)
    for name, data in files.items():
        assert b"root:x:0:0" not in data, name  # /etc/passwd went nowhere
        if name.endswith((".html", ".xhtml", ".svg", ".ncx", ".opf")):
            assert html_findings(data.decode("utf-8")) == [], name
        elif name.endswith(".css"):
            assert css_findings(data.decode("utf-8")) == [], name
    assert pdf_findings(built.pdf("en")) == []
    # The hostile-looking words are there, as words.
    html = built.path("en", "html").read_text(encoding="utf-8")
    text = html_text(html)
    for words in ("</script> Looks hostile", "<iframe src=", "<embed src=", "<style>@import"):
        assert words in text, words
    assert "&lt;script&gt;" in html
    pdf_text = built.pdf_text("en")
    assert "Looks hostile" in pdf_text and "Shady Organisation" in pdf_text


def test_a_private_person_is_in_no_file_of_any_output(accepted: HostileBuild) -> None:
    built = accepted.built
    files = output_texts(built)
    texts = {
        name: data.decode("utf-8")
        for name, data in files.items()
        if name.endswith((".html", ".xhtml", ".svg", ".ncx", ".opf", ".css", ".xml", ".txt"))
        or name.endswith("mimetype")
    }
    assert len(texts) >= 6
    texts["mini-book.en.pdf (text)"] = built.pdf_text("en")
    texts["mini-book.en.pdf (metadata)"] = repr(built.pdf("en").metadata)
    for name, text in texts.items():
        for secret in (*PRIVATE, "hidden-person", "who asked to stay unnamed"):
            if secret == "who asked to stay unnamed":
                continue  # the words stay; only the link to the private person goes
            assert secret not in text, (name, secret)
    html = built.path("en", "html").read_text(encoding="utf-8")
    assert "who asked to stay unnamed" in html  # the words, without a link
    assert 'href="#person-hidden-person"' not in html


@pytest.mark.parametrize(
    "bad",
    [
        "<script>x</script>",
        '<iframe src="a.html"></iframe>',
        '<object data="a"></object>',
        '<embed src="a">',
        "<form><input></form>",
        '<p onclick="x">a</p>',
        '<a href="java&#115;cript:x">a</a>',
        '<a href=" JAVA\tSCRIPT:x">a</a>',
        '<a href="data:text/html,x">a</a>',
        '<img src="file:///etc/passwd" alt="">',
        '<img src="/etc/passwd" alt="">',
        '<img src="http://127.0.0.1:9/x.png" alt="">',
        '<p style="background: url(x.png)">a</p>',
        "<style>@import 'x.css';</style>",
        '<link rel="attachment" href="a">',
    ],
)
def test_the_output_scanner_sees_what_it_looks_for(bad: str) -> None:
    assert html_findings(f"<html><body>{bad}</body></html>") != []


def test_the_output_scanner_lets_a_book_be() -> None:
    good = (
        '<html><head><link rel="stylesheet" href="kpbrief-assets/styles/print.css"></head>'
        '<body><a href="https://example.org/?a=1&amp;b=2">x</a> <a href="#person-a">y</a>'
        '<a href="mailto:a@example.org">m</a> <a href="tel:+32-474">t</a>'
        '<img src="kpbrief-assets/media/a.png" alt=""><img src="../media/b.png" alt="">'
        "<p>javascript: and data: and onload= as words; &lt;script&gt;</p></body></html>"
    )
    assert html_findings(good) == []


def test_the_pandoc_guard_refuses_unquoted_resources() -> None:

    for html in (
        '<img src=http://127.0.0.1:9/a.png alt="">',
        '<img src=/etc/hostname alt="">',
        '<img src="&#104;ttp://127.0.0.1:9/a.png" alt="">',
    ):
        with pytest.raises(RefusedResource):
            guard_resources(f"<html><body>{html}</body></html>")


def test_a_control_character_in_yaml_is_an_error_with_its_line(tmp_path: Path) -> None:
    """Found by the fuzzer: PyYAML refused it before kpbrief could, and load raised."""
    book = copy_fixture("mini", tmp_path)
    edit(book / WALKOUT, "kind: closing-remarks", "kind: closing\x00remarks")
    (book / "content/people/nul.yaml").write_text("name: Nul\nrole: a\x01b\n")
    found = problems(book)
    for expected in (
        f"{WALKOUT}:4:14: error: YAML does not parse: the character U+0000 is not allowed",
        "content/people/nul.yaml:2:8: error: YAML does not parse: the character U+0001",
    ):
        assert any(p.startswith(expected) for p in found), (expected, found)


def test_yaml_line_breaks_other_than_newline_do_not_shift_lines(tmp_path: Path) -> None:
    """Found by the fuzzer: YAML breaks lines at U+2028, editors and kpbrief do not."""
    book = copy_fixture("mini", tmp_path)
    edit(book / WALKOUT, "title: Walk-out", "title: Walk-out\u2028\u2029\x85")
    edit(book / WALKOUT, "kind: closing-remarks", "kinds: closing-remarks")
    (book / "content/people/breaks.yaml").write_text("name: A\u2028B\nrole: [\n")
    found = problems(book)
    for expected in (
        f"{WALKOUT}:4: error: unknown field 'kinds'",
        "content/people/breaks.yaml:2:1: error: YAML does not parse",
    ):
        assert any(p.startswith(expected) for p in found), (expected, found)


def test_the_outside_judges_pass_the_hostile_book(accepted: HostileBuild) -> None:
    """What the hostile content leaves in the outputs still passes the judges the fixture
    books pass (tests/e2e/test_epub_judges.py, test_pdf_judges.py): EPUBCheck with usage
    messages, DAISY Ace, outloud and pdfua."""
    import json
    import subprocess

    from helpers.judges import ace_violations, run_ace, run_epubcheck, tool

    epub, pdf = accepted.built.path("en", "epub"), accepted.built.path("en", "pdf")
    checked = run_epubcheck(epub)
    severe = checked.findings("FATAL", "ERROR", "WARNING")
    usage = [f for f in checked.findings("USAGE", "INFO") if f[1] != "CSS-028"]
    assert checked.valid and severe == [] and usage == [], (severe, usage)
    ace = run_ace(epub)
    assert ace_violations(ace) == {} and ace["earl:result"] == {"earl:outcome": "pass"}
    report = pdf.with_suffix(".outloud.json")
    subprocess.run(
        [tool("outloud"), "--fail-on", "never", "--json", str(report), str(pdf)], check=True
    )
    (result,) = json.loads(report.read_text(encoding="utf-8"))["results"]
    assert result["error"] is None
    assert [f["rule"] for f in result["findings"] if f["severity"] == "error"] == []
    ua = subprocess.run(
        [tool("pdfua"), "check", "--format", "json", str(pdf)], capture_output=True, text=True
    )
    assert json.loads(ua.stdout)["summary"]["findings"] == 0, ua.stdout[-3000:]
