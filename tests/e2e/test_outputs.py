"""What readers get: languages, fallbacks, private people, reproducible and atomic outputs."""

from __future__ import annotations

import hashlib
import re
from pathlib import Path

import pytest
from helpers.books import Built, copy_fixture
from pypdf import PdfReader

from kpbrief.build import BuildFailed, BuildRequest, build
from kpbrief.cli import main


def test_portuguese_dates_fallbacks_and_notices(portuguese: Built) -> None:
    html = portuguese.path("pt_BR", "html").read_text(encoding="utf-8")
    assert '<html lang="pt-BR"' in html
    assert "22 de novembro de 2019" in html
    assert "junho de 2009" in html
    # The untranslated statement keeps its own language and carries the notice.
    heading = r'<h2 id="statement-2009-06-meeting" class="statement-title"[^>]* lang="en">'
    assert re.search(heading, html)
    assert "notice-untranslated" in html
    assert "notice-unofficial" in html
    text = "\n".join(p.extract_text() for p in PdfReader(portuguese.path("pt_BR", "pdf")).pages)
    assert "Uma plenária em novembro" in text and "We spoke in June." in text


def test_french_dates_and_unofficial_marks(mini: Built) -> None:
    html = mini.path("fr", "html").read_text(encoding="utf-8")
    assert "22 novembre 2019" in html
    assert "juin 2021" in html
    assert (
        "18–22 nov. 2019" in html
        or "18 – 22 novembre 2019" in html
        or "18–22 novembre 2019" in html
    )
    # Marked wherever the unofficial translation appears: its head, lists and chronology.
    assert html.count("badge-unofficial") >= 2
    assert "notice-unofficial" in html
    chronology = html.split('id="chronology"')[1].split('id="issues"')[0]
    assert "badge-unofficial" in chronology
    # The untranslated statement's date note is the original's, marked as English.
    assert '<dd lang="en">The text gives no day; the meeting was in June 2021.</dd>' in html


def test_private_people_never_reach_an_output(mini: Built) -> None:
    secrets = ["Secretperson", "zed.secret@example.org", "742 169", "+263"]
    for lang in ("en", "fr"):
        for fmt in ("pdf", "epub", "html"):
            path = mini.path(lang, fmt)
            if fmt == "pdf":
                data = "\n".join(p.extract_text() for p in PdfReader(path).pages)
            elif fmt == "epub":
                data = mini.epub_text(lang)
            else:
                data = path.read_text(encoding="utf-8")
            for secret in secrets:
                assert secret not in data, (lang, fmt, secret)


def test_contacts_show_phones_in_international_form(mini: Built) -> None:
    html = mini.path("en", "html").read_text(encoding="utf-8")
    assert 'href="tel:+32-474-34-20-14"' in html
    assert "+32 474 34 20 14" in html


def test_builds_are_reproducible(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    source = copy_fixture("mini", tmp_path)
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1700000000")
    digests = []
    for run in ("one", "two"):
        out = tmp_path / run
        build(BuildRequest(source=source, out=out, languages=["en"], formats=["pdf", "epub"]))
        digests.append(
            {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in out.glob("mini-book.*")}
        )
    assert digests[0] == digests[1]
    assert set(digests[0]) == {"mini-book.en.pdf", "mini-book.en.epub"}


def test_a_failed_build_leaves_earlier_outputs_intact(tmp_path: Path) -> None:
    source = copy_fixture("mini", tmp_path)
    out = tmp_path / "out"
    out.mkdir()
    earlier = {"mini-book.en.pdf": b"earlier pdf", "mini-book.en.epub": b"earlier epub"}
    for name, data in earlier.items():
        (out / name).write_bytes(data)
    statement = source / "content/statements/2019-11-22-plenary.en.md"
    statement.write_text(statement.read_text().replace("kind: press-release", "kind: ???"))
    assert main(["build", "--source", str(source), "--out", str(out), "--lang", "en"]) == 1
    assert {p.name: p.read_bytes() for p in out.iterdir()} == earlier


def test_a_build_failing_in_the_engine_writes_nothing(tmp_path: Path) -> None:
    source = copy_fixture("mini", tmp_path)
    out = tmp_path / "out"
    (source / "layouts" / "templates").mkdir(parents=True)
    # A layout that asks for a file outside the book: the fetcher refuses, the build fails.
    original = (Path(__file__).parent.parent.parent / "layouts/templates/book.html").read_text()
    (source / "layouts/templates/book.html").write_text(
        original.replace("</body>", '<img src="file:///etc/passwd" alt=""></body>')
    )
    with pytest.raises(BuildFailed, match="refused to load"):
        build(BuildRequest(source=source, out=out, languages=["en"], formats=["epub", "pdf"]))
    assert not out.exists() or list(out.iterdir()) == []


def test_usage_errors_exit_2(capsys: pytest.CaptureFixture[str]) -> None:
    for argv in (["build", "--format", "docx"], ["frobnicate"], []):
        with pytest.raises(SystemExit) as exit_info:
            main(argv)
        assert exit_info.value.code == 2


def test_no_connection_is_ever_attempted(tmp_path: Path) -> None:
    """A listener on a loopback port named in content and layouts receives nothing."""
    import socket

    listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    listener.bind(("127.0.0.1", 0))
    listener.listen(5)
    listener.settimeout(0.5)
    port = listener.getsockname()[1]
    source = copy_fixture("mini", tmp_path)
    statement = source / "content/statements/2021-06-walkout.en.md"
    statement.write_text(
        statement.read_text() + f"\n![tracker](http://127.0.0.1:{port}/pixel.png)\n"
    )
    with pytest.raises(BuildFailed):
        build(BuildRequest(source=source, out=tmp_path / "a", languages=["en"]))
    statement.write_text(
        statement.read_text().replace(f"![tracker](http://127.0.0.1:{port}/pixel.png)", "")
    )
    styles = source / "layouts" / "styles"
    styles.mkdir(parents=True)
    css = (Path(__file__).parent.parent.parent / "layouts/styles/print.css").read_text()
    (styles / "print.css").write_text(
        css + f"\nbody {{ background: url(http://127.0.0.1:{port}/bg.png); }}\n"
    )
    with pytest.raises(BuildFailed, match="refused to load"):
        build(BuildRequest(source=source, out=tmp_path / "b", languages=["en"], formats=["pdf"]))
    with pytest.raises(OSError):  # socket.timeout: nobody knocked
        listener.accept()
    listener.close()


def test_the_epub_cover_is_the_printed_cover(mini: Built) -> None:
    """The EPUB's cover image is the PDF's first page, not the blank stand-in pandoc packed."""
    import io

    import pypdfium2
    from PIL import Image, ImageChops, ImageStat

    for lang in ("en", "fr"):
        epub = mini.epub(lang)
        opf = next(n for n in epub.namelist() if n.endswith(".opf"))
        item = re.search(r'<item [^>]*properties="cover-image"[^>]*>', epub.read(opf).decode())
        assert item is not None
        href = re.search(r'href="([^"]+)"', item[0])
        assert href is not None
        name = str(Path(opf).parent / href[1])
        cover = Image.open(io.BytesIO(epub.read(name))).convert("RGB")
        assert cover.size == (1400, 1980)
        pdf = pypdfium2.PdfDocument(mini.path(lang, "pdf"))
        try:
            page = pdf[0].render(scale=350 / pdf[0].get_width()).to_pil().convert("RGB")
        finally:
            pdf.close()
        small = cover.resize(page.size)
        difference = ImageStat.Stat(ImageChops.difference(small, page)).mean
        assert max(difference) < 8, (lang, difference)
        assert max(ImageStat.Stat(small).stddev) > 5  # a picture, not a blank page


def test_a_long_description_on_the_cover_does_not_run_into_the_edition(tmp_path: Path) -> None:
    """The cover's band grows with its text: the edition line stays below the description."""
    import pypdfium2

    from kpbrief.build import BuildRequest, build

    source = copy_fixture("mini", tmp_path)
    book = source / "content/book.yaml"
    words = "A description long enough to need three lines on the cover, " * 4
    book.write_text(
        book.read_text(encoding="utf-8") + f'description: "{words}ending here."\n',
        encoding="utf-8",
    )
    build(BuildRequest(source, tmp_path / "out", languages=["en"], formats=["pdf"]))
    cover = pypdfium2.PdfDocument(tmp_path / "out/mini-book.en.pdf")[0].get_textpage()

    def box(words: str) -> tuple[float, float, float, float]:
        found = cover.search(words).get_next()
        assert found is not None, words
        index, count = found
        boxes = [cover.get_charbox(i) for i in range(index, index + count)]
        return (
            min(b[0] for b in boxes),
            min(b[1] for b in boxes),
            max(b[2] for b in boxes),
            max(b[3] for b in boxes),
        )

    description_bottom = box("ending here")[1]
    edition_top = box("Edition of")[3]
    assert edition_top < description_bottom  # PDF space: y grows upwards
