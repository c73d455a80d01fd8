"""Incremental builds: an unchanged output is not made again, a changed one always is.

One copy of the mini book is edited step by step; each step checks which outputs the build
made and what they now contain. PDF builds are few (each takes seconds); the many kinds of
change that must invalidate an output are checked on the HTML output, which goes through the
same bookkeeping.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest
from helpers.books import copy_fixture, edit
from pypdf import PdfReader

from kpbrief import TOOL_ROOT
from kpbrief.build import BuildFailed, BuildRequest, build
from kpbrief.build import run as build_run
from kpbrief.cli import main

WALKOUT = "content/statements/2021-06-walkout.en.md"
PLENARY_FR = "content/statements/2019-11-22-plenary.fr.md"


def _digests(out: Path) -> dict[str, str]:
    return {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in out.glob("mini-book.*")}


def _pdf_text(path: Path) -> str:
    return "\n".join(page.extract_text() or "" for page in PdfReader(path).pages)


def test_pdf_rebuilds_only_what_changed(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    source = copy_fixture("mini", tmp_path)
    out = tmp_path / "out"
    request = BuildRequest(source=source, out=out, languages=["en"], formats=["pdf"])
    pdf = out / "mini-book.en.pdf"

    first = build(request)
    assert first.written == [pdf] and first.unchanged == []
    before = _digests(out)
    stamp = pdf.stat().st_mtime_ns

    # Nothing changed: the content is not even loaded, and the file is not touched.
    def no_loading(_source: Path) -> None:
        raise AssertionError("an up-to-date build loaded the content")

    with monkeypatch.context() as patch:
        patch.setattr(build_run, "load_content", no_loading)
        again = build(request)
    assert again.written == [] and again.unchanged == [pdf]
    assert _digests(out) == before and pdf.stat().st_mtime_ns == stamp

    # An edit to the English statement makes a new PDF that carries it.
    edit(source / WALKOUT, "We walked out.", "We walked out at noon.")
    edited = build(request)
    assert edited.written == [pdf]
    assert "We walked out at noon." in _pdf_text(pdf)

    # An edit that changes nothing of the English book (its French translation of another
    # statement) reloads the content but does not run the engine.
    edit(source / PLENARY_FR, "---\n", "---\n# a comment only\n")
    untouched = _digests(out)
    french_only = build(request)
    assert french_only.written == [] and french_only.unchanged == [pdf]
    assert _digests(out) == untouched
    with monkeypatch.context() as patch:
        patch.setattr(build_run, "load_content", no_loading)
        assert build(request).unchanged == [pdf]

    # A PDF a watch round made (it may be joined from the last round's parts, in other
    # bytes) is made again by the next build, and a watch round's is up to date for the next.
    preview = BuildRequest(**{**request.__dict__, "preview": True})
    assert build(preview).written == [pdf]
    assert build(preview).unchanged == [pdf]
    assert build(request).written == [pdf]
    assert _digests(out) == untouched


@pytest.fixture()
def html_book(tmp_path: Path) -> tuple[BuildRequest, Path]:
    source = copy_fixture("mini", tmp_path)
    request = BuildRequest(source=source, out=tmp_path / "out", languages=["en"], formats=["html"])
    build(request)
    return request, request.out / "mini-book.en.html"


def _rebuilt(request: BuildRequest, output: Path) -> bool:
    result = build(request)
    assert result.outputs == [output]
    return result.written == [output]


def test_unchanged_html_is_kept(html_book: tuple[BuildRequest, Path]) -> None:
    request, html = html_book
    assert not _rebuilt(request, html)


@pytest.mark.parametrize(
    "change",
    [
        "content-edit",
        "new-content-file",
        "layout-edit",
        "output-deleted",
        "output-tampered",
        "asset-deleted",
        "manifest-garbled",
        "source-date-epoch",
        "forced",
    ],
)
def test_every_change_rebuilds(
    html_book: tuple[BuildRequest, Path], change: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    request, html = html_book
    source = request.source
    if change == "content-edit":
        edit(source / WALKOUT, "We walked out.", "We walked out again.")
    elif change == "new-content-file":
        extra = source / "content/events/2024-01-extra.yaml"
        extra.write_text("date: 2024-01\ntitle: {en: An extra event}\n", encoding="utf-8")
    elif change == "layout-edit":
        styles = source / "layouts/styles"
        styles.mkdir(parents=True)
        print_css = Path(TOOL_ROOT / "layouts/styles/print.css").read_text()
        (styles / "print.css").write_text(print_css + "\n/* edited */\n")
    elif change == "output-deleted":
        html.unlink()
    elif change == "output-tampered":
        html.write_text("not what kpbrief wrote", encoding="utf-8")
    elif change == "asset-deleted":
        next((request.out / "kpbrief-assets" / "styles").glob("*.css")).unlink()
    elif change == "manifest-garbled":
        (request.out / ".kpbrief-build.json").write_text("{ nonsense", encoding="utf-8")
    elif change == "source-date-epoch":
        monkeypatch.setenv("SOURCE_DATE_EPOCH", "1700000000")
    elif change == "forced":
        request.force = True
    assert _rebuilt(request, html)
    if change == "content-edit":
        assert "We walked out again." in html.read_text(encoding="utf-8")
    if change == "asset-deleted":
        assert list((request.out / "kpbrief-assets" / "styles").glob("*.css"))
    request.force = False
    assert not _rebuilt(request, html)  # and the rebuilt output is then up to date


def test_the_command_says_what_it_skipped(
    html_book: tuple[BuildRequest, Path], capsys: pytest.CaptureFixture[str]
) -> None:
    request, html = html_book
    argv = ["build", "--source", str(request.source), "--out", str(request.out)]
    assert main([*argv, "--lang", "en", "--format", "html"]) == 0
    captured = capsys.readouterr()
    assert "mini-book.en.html: up to date" in captured.err
    assert "0 written, 1 up to date" in captured.err
    assert captured.out.strip() == str(html)


@pytest.mark.parametrize("formats", [["pdf"], ["pdf", "epub"]], ids=["one-engine", "workers"])
def test_a_build_past_its_time_limit_stops_and_keeps_earlier_outputs(
    tmp_path: Path, formats: list[str]
) -> None:
    source = copy_fixture("mini", tmp_path)
    # Long by construction (1.3 MB, under the 2 MiB file limit): some 1,000 pages of text,
    # minutes of layout on any machine, so a limit of a second and a half always falls inside
    # the build, whatever stage it reaches.
    paragraphs = "\n\n".join(
        f"Paragraph {n} of a statement long enough to take minutes to lay out. " * 6
        for n in range(3000)
    )
    (source / "content/statements/2021-07-long.en.md").write_text(
        "---\ntitle: A long statement\ndate: 2021-07-01\nkind: speech\n"
        "place: Kinshasa, DR Congo\nissues: [reform]\nsource:\n  publisher: test-coalition\n---\n"
        + paragraphs
        + "\n",
        encoding="utf-8",
    )
    out = tmp_path / "out"
    out.mkdir()
    earlier = {f"mini-book.en.{fmt}": f"earlier {fmt}".encode() for fmt in formats}
    for name, data in earlier.items():
        (out / name).write_bytes(data)
    request = BuildRequest(source, out, languages=["en"], formats=formats, time_limit=1.5)
    with pytest.raises(BuildFailed, match="time limit"):
        build(request)
    assert {p.name: p.read_bytes() for p in out.iterdir()} == earlier
