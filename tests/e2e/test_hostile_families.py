"""Hostile books, one per family of attack (private people in disguise, links out of the book,
pictures that are not pictures or carry scripts, catalogs with markup), each built or
checked once per session; every output is searched for the secret or the script."""

from __future__ import annotations

import contextlib
import io
import re
import socket
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from helpers.books import REPO, Built, copy_fixture, edit
from helpers.forbidden import css_findings, html_findings, html_text, pdf_findings
from PIL import Image, PngImagePlugin

from kpbrief.build import BuildRequest, build
from kpbrief.cli import main
from kpbrief.engines.assets import Assets

WALKOUT = "content/statements/2021-06-walkout.en.md"
HEAD = (
    "---\ntitle: {title}\ndate: 2022-03-0{day}\nkind: other\nissues: [reform]\nsource:\n"
    "  publisher: test-coalition\n---\n"
)  # the body starts on line 9

# The line of the msgid whose French text (« Sommaire ») the hostile catalog alters.
CONTENTS_MSGID_LINE = (
    (REPO / "locales/fr/LC_MESSAGES/messages.po")
    .read_text(encoding="utf-8")
    .split("\n")
    .index('msgstr "Sommaire"')
)


@dataclass
class Checked:
    book: Path
    exit: int
    printed: list[str]
    out: Path
    build_exit: int

    def has(self, start: str) -> bool:
        return any(line.startswith(start) for line in self.printed)


def run(args: list[str]) -> tuple[int, list[str]]:
    """A kpbrief command through its command line: exit code and every line it printed."""
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = main(args)
    return code, (out.getvalue() + err.getvalue()).splitlines()


def check_and_build(book: Path, out: Path) -> Checked:
    code, printed = run(["check", "--source", str(book)])
    build_exit, _ = run(["build", "--source", str(book), "--out", str(out), "--format", "html"])
    return Checked(book, code, printed, out, build_exit)


def png(path: Path, text: dict[str, str] | None = None, size: tuple[int, int] = (40, 20)) -> None:
    info = PngImagePlugin.PngInfo()
    for key, value in (text or {}).items():
        if value.isascii():
            info.add_text(key, value)
        else:
            info.add_itxt(key, value)
    Image.new("RGB", size, "teal").save(path, format="PNG", pnginfo=info)


# -- private people in disguise ------------------------------------------------------------

NAME = "Zed Secretperson"
# body line (from 9) → the disguise written there
DISGUISES = {
    9: ("name", "Z&#101;d Secretperson, by character reference."),
    11: ("name", "Zed Se*cret*person, with emphasis inside the name."),
    13: ("name", "Zed Secret\u00adperson, with a soft hyphen."),
    15: ("name", "Zed Sec\u200bret\u200dperson, with zero-width characters."),
    17: ("e-mail", "Write to zed.secret&#64;example.org for the rest."),
    19: ("phone number", "Call +263 7 742\n169 56 after six."),  # across a line break
    22: ("phone number", "Or 077\u2013421\u201369\u201356, with en dashes."),
    24: ("name", "Ze\u0301d Secretpe\u0301rson, with decomposed accents."),
    26: ("name", "Ann O\u2019Hara, with a curly apostrophe."),
    28: ("name", "ZED \u00a0 SECRETPERSON, in capitals and odd spaces."),
    30: ("e-mail", "[Write](mailto:zed.secret@example.org), a link target."),
    32: ("name", "\uff3a\uff45\uff44 Secretperson, in full-width letters."),
    34: ("name", "Secretperson, Zed, as the index would sort her."),
    38: ("name", "A note.[^1]\n\n[^1]: Told by Zed\nSecretperson."),  # the note's line
}
# file → (line, what) for the fields the check never read before
FIELDS = {
    "content/book.yaml": (4, "name"),  # a plain-string publisher
    "content/organisations/front.yaml": (2, "name"),  # an acronym
    "content/organisations/front-phone.yaml": (3, "phone number"),
    "content/organisations/front-mail.yaml": (3, "e-mail"),
    "content/people/cover-name.yaml": (2, "name"),  # a public person's sort_as
    "content/statements/2022-03-02-url.en.md": (6, "name"),  # source.url, escaped
    "content/statements/2022-03-03-zed-secretperson.en.md": (1, "name"),  # an id
    "content/media/portrait.svg": (3, "name"),
    "content/media/portrait.png": (1, "name"),
    "locales/fr/LC_MESSAGES/messages.po": (CONTENTS_MSGID_LINE, "name"),  # the message's entry
    "content/events/2019-plenary.yaml": (4, "name"),
}


@pytest.fixture(scope="session")
def disguised(tmp_path_factory: pytest.TempPathFactory) -> Checked:
    root = tmp_path_factory.mktemp("disguised")
    book = copy_fixture("mini", root)
    content = book / "content"
    (content / "people/ann-ohara.yaml").write_text("name: Ann O'Hara\npublic: false\n")
    edit(
        content / "people/hidden-person.yaml",
        "public: false",
        "public: false\nsort_as: Secretperson, Zed",
    )
    body = ""
    for line, (_what, words) in sorted(DISGUISES.items()):
        start = line - 2 if "[^1]" in words else line
        body += "\n" * (start - 9 - body.count("\n")) + words + "\n"
    (content / "statements/2022-03-01-disguises.en.md").write_text(
        HEAD.format(title="Disguises", day=1) + body, encoding="utf-8"
    )
    edit(content / "book.yaml", "publisher: test-coalition", "publisher: Zed  Secretperson")
    (content / "organisations/front.yaml").write_text("name: Front\nacronym: ZED-SECRETPERSON\n")
    (content / "organisations/front-phone.yaml").write_text(
        'name: Front Phone\ncountry: ZW\nphone: "+263 774 216 956"\n'
    )
    (content / "organisations/front-mail.yaml").write_text(
        "name: Front Mail\ncountry: ZW\nemail: Zed.Secret@Example.org\n"
    )
    (content / "people/cover-name.yaml").write_text(
        "name: Cover Name\nsort_as: Zed Secretperson\ncontact: false\n"
    )
    (content / "statements/2022-03-02-url.en.md").write_text(
        HEAD.format(title="A URL", day=2).replace(
            "publisher: test-coalition\n",
            "publisher: test-coalition\n  url: https://example.org/?who=Zed%20Secretperson\n",
        )
        + "A plain statement.\n"
    )
    (content / "statements/2022-03-03-zed-secretperson.en.md").write_text(
        HEAD.format(title="An id", day=3) + "A plain statement.\n"
    )
    (content / "media").mkdir()
    (content / "media/portrait.svg").write_text(
        '<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10">\n'
        "<title>A portrait</title>\n<text>Zed Secretperson</text>\n</svg>\n"
    )
    png(content / "media/portrait.png", {"Author": "Zed Secretperson"})
    edit(content / "events/2019-plenary.yaml", "place: New Delhi", "place: Zed\u00a0Secretperson")
    catalog = book / "locales/fr/LC_MESSAGES/messages.po"
    catalog.parent.mkdir(parents=True)
    text = (REPO / "locales/fr/LC_MESSAGES/messages.po").read_text(encoding="utf-8")
    catalog.write_text(text.replace('msgstr "Sommaire"', 'msgstr "Sommaire de Zed Secretperson"'))
    return check_and_build(book, root / "out")


def test_every_disguise_of_a_private_person_in_a_body_is_an_error(disguised: Checked) -> None:
    assert disguised.exit == 1
    name = "content/statements/2022-03-01-disguises.en.md"
    for line, (what, words) in DISGUISES.items():
        person = "ann-ohara" if "Hara" in words else "hidden-person"
        expected = f"{name}:{line}: error: the {what} of '{person}', who is not public"
        assert disguised.has(expected), (expected, disguised.printed)


def test_every_field_and_picture_that_prints_a_private_person_is_an_error(
    disguised: Checked,
) -> None:
    for name, (line, what) in FIELDS.items():
        expected = f"{name}:{line}: error: the {what} of 'hidden-person', who is not public"
        assert disguised.has(expected), (expected, disguised.printed)


def test_a_book_that_names_a_private_person_is_not_built(disguised: Checked) -> None:
    assert disguised.build_exit == 1
    assert not disguised.out.exists() or list(disguised.out.iterdir()) == []


def test_a_public_person_and_other_names_are_left_alone(
    tmp_path: Path,
) -> None:
    """The other side of the rule: near misses are no private person."""
    book = copy_fixture("mini", tmp_path)
    edit(
        book / WALKOUT,
        "We walked out.",
        "Zed Secretpersonne and Zed Secret met Ada Okafor (+263 7 742 169 57). "
        "zed.secret@example.com wrote. O'Hara Ann.",
    )
    (book / "content/people/ann-ohara.yaml").write_text("name: Ann O'Hara\npublic: false\n")
    code, printed = run(["check", "--source", str(book)])
    assert code == 0, printed
    assert not [line for line in printed if ": error: " in line]


# -- links out of the book -----------------------------------------------------------------

OUTSIDE_SECRET = "OUTSIDE-SECRET-4711"


@pytest.fixture(scope="session")
def linked(tmp_path_factory: pytest.TempPathFactory) -> Checked:
    root = tmp_path_factory.mktemp("linked")
    outside = root / "outside"
    (outside / "media").mkdir(parents=True)
    png(outside / "media/secret.png", {"Comment": OUTSIDE_SECRET})
    (outside / "sources").mkdir()
    (outside / "sources/received.txt").write_text(f"{OUTSIDE_SECRET} received.\n")
    (outside / "statement.en.md").write_text(
        HEAD.format(title=OUTSIDE_SECRET, day=4) + f"{OUTSIDE_SECRET} in a body.\n"
    )
    (outside / "person.yaml").write_text(f"name: {OUTSIDE_SECRET}\ncontact: false\n")
    book = copy_fixture("mini", root)
    content = book / "content"
    (content / "media").symlink_to(outside / "media")
    for path in (content / "sources").iterdir():
        path.rename(outside / "sources" / path.name)
    (content / "sources").rmdir()
    (content / "sources").symlink_to(outside / "sources")
    (content / "statements/2022-03-04-linked.en.md").symlink_to(outside / "statement.en.md")
    (content / "people/linked-person.yaml").symlink_to(outside / "person.yaml")
    (content / "statements/2022-03-05-shows.en.md").write_text(
        HEAD.format(title="Shows", day=5).replace(
            "publisher: test-coalition\n",
            "publisher: test-coalition\n  file: sources/received.txt\n",
        )
        + "![secret](media/secret.png)\n"
    )
    return check_and_build(book, root / "out")


LINK_ERRORS = (
    "content/media/secret.png:1: error: this is a link to",
    "content/statements/2022-03-04-linked.en.md:1: error: this is a link to",
    "content/people/linked-person.yaml:1: error: this is a link to",
    "content/statements/2022-03-05-shows.en.md:6: error: source file "
    "'content/sources/received.txt': this is a link to",
    "content/statements/2019-11-22-plenary.en.md:",
    "content/statements/2022-03-05-shows.en.md:10: error: image 'media/secret.png' does not exist",
)


def test_every_link_out_of_the_book_is_an_error_and_never_read(linked: Checked) -> None:
    assert linked.exit == 1
    for expected in LINK_ERRORS:
        assert linked.has(expected), (expected, linked.printed)
    assert not [line for line in linked.printed if OUTSIDE_SECRET in line]
    assert linked.build_exit == 1
    assert not linked.out.exists() or list(linked.out.iterdir()) == []


def test_the_engines_assets_refuse_a_linked_media_folder(linked: Checked) -> None:
    assets = Assets((REPO / "layouts",), linked.book / "content/media")
    assert (linked.book / "content/media/secret.png").is_file()  # it is there to be taken
    assert assets.find("media/secret.png") is None
    assert assets.read("media/secret.png") is None


def test_stamp_never_writes_a_linked_translation(tmp_path: Path) -> None:
    outside = tmp_path / "outside.fr.md"
    book = copy_fixture("mini", tmp_path)
    plenary = book / "content/statements/2019-11-22-plenary.fr.md"
    outside.write_bytes(plenary.read_bytes())
    plenary.unlink()
    plenary.symlink_to(outside)
    before = outside.read_bytes()
    code, printed = run(["i18n", "stamp", str(plenary), "--source", str(book)])
    assert code == 1, printed
    assert any("outside the book folder" in line for line in printed), printed
    assert outside.read_bytes() == before
    # The same file inside the book is stamped: the refusal is the link's.
    plenary.unlink()
    plenary.write_bytes(before)
    assert run(["i18n", "stamp", str(plenary), "--source", str(book)])[0] == 0
    assert plenary.read_bytes() != before


def test_new_never_writes_outside_the_book(tmp_path: Path) -> None:
    outside = tmp_path / "outside"
    outside.mkdir()
    book = copy_fixture("mini", tmp_path)
    events = book / "content/events"
    for path in events.iterdir():
        path.unlink()
    events.rmdir()
    events.symlink_to(outside)
    code, printed = run(["new", "event", "2024-01-01-x", "--source", str(book)])
    assert code == 1 and any("outside" in line for line in printed), printed
    for lang in ("../../../x", "en/../../x", "EN", "e"):
        code, printed = run(["new", "statement", "x", "--lang", lang, "--source", str(book)])
        assert code == 2, (lang, printed)
    dangling = book / "content/people/dangling.yaml"
    dangling.symlink_to(outside / "planted.yaml")
    code, printed = run(["new", "person", "dangling", "--source", str(book)])
    assert code == 1, printed
    assert list(outside.iterdir()) == []
    assert sorted(p.name for p in tmp_path.iterdir()) == ["mini", "outside"]


# -- pictures that are not pictures, or carry scripts ---------------------------------------

SVG = '<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink">\n{}\n</svg>\n'
# media file → (line, the start of the reason), each refused by the check
HOSTILE_MEDIA = {
    "script.svg": (SVG.format("<script>alert(1)</script>"), 2, "a <script> element"),
    "handler.svg": (SVG.format('<rect onload="alert(1)"/>'), 2, "an event handler (onload="),
    "foreign.svg": (
        SVG.format('<foreignObject><iframe src="x.html"/></foreignObject>'),
        2,
        "a <foreignObject> element",
    ),
    "external.svg": (
        SVG.format('<image href="http://127.0.0.1:9/x.png"/>'),
        2,
        'an external reference (href="http://127.0.0.1:9/x.png"',
    ),
    "local-file.svg": (
        SVG.format('<use xlink:href="file:///etc/passwd#x"/>'),
        2,
        'an external reference (xlink:href="file:///etc/passwd',
    ),
    "jslink.svg": (
        SVG.format('<a href="javascript:alert(1)"><text>x</text></a>'),
        2,
        'a script link (href="javascript:alert(1)"',
    ),
    "entity.svg": (
        '<?xml version="1.0"?>\n<!DOCTYPE svg [<!ENTITY x SYSTEM "file:///etc/passwd">]>\n'
        + SVG.format("<text>&x;</text>"),
        2,
        "a DOCTYPE",
    ),
    "style.svg": (
        SVG.format("<style>@import url(http://127.0.0.1:9/a.css);</style>"),
        2,
        "a style with @import",
    ),
    "style-url.svg": (
        SVG.format('<rect style="fill: url(http://127.0.0.1:9/x)"/>'),
        2,
        "a style that loads url(http://127.0.0.1:9/x)",
    ),
    "animate.svg": (
        SVG.format('<a><set attributeName="href" to="javascript:alert(1)"/></a>'),
        2,
        "an animation of href",
    ),
    "stylesheet-pi.svg": (
        '<?xml-stylesheet href="http://127.0.0.1:9/a.css"?>\n' + SVG.format(""),
        1,
        "a processing instruction",
    ),
    "broken.svg": ("<svg><g></svg>\n", 1, "it is not well-formed XML"),
    "script.png": ("alert(document.cookie)\n", 1, "it is not an image"),
    "page.html": ("<html><script>alert(1)</script></html>\n", 1, "it is not an image"),
    "svg-named.png": (SVG.format(""), 1, "it is a SVG by its bytes: name it with .svg"),
    "cut.png": (None, 1, "it is not a whole PNG image"),
}


@pytest.fixture(scope="session")
def hostile_media(tmp_path_factory: pytest.TempPathFactory) -> Checked:
    root = tmp_path_factory.mktemp("media")
    book = copy_fixture("mini", root)
    media = book / "content/media"
    media.mkdir()
    for name, (text, _line, _reason) in HOSTILE_MEDIA.items():
        if text is not None:
            (media / name).write_text(text)
    png(media / "whole.png")
    (media / "cut.png").write_bytes((media / "whole.png").read_bytes()[:60])
    images = "".join(f"![{n}](media/{n})\n\n" for n in HOSTILE_MEDIA)
    (book / "content/statements/2022-03-06-pictures.en.md").write_text(
        HEAD.format(title="Pictures", day=6) + images
    )
    return check_and_build(book, root / "out")


@pytest.mark.parametrize("name", sorted(HOSTILE_MEDIA))
def test_each_hostile_picture_is_refused_with_its_reason(hostile_media: Checked, name: str) -> None:
    _text, line, reason = HOSTILE_MEDIA[name]
    expected = f"content/media/{name}:{line}: error: media file refused: {reason}"
    assert hostile_media.has(expected), (expected, hostile_media.printed)


def test_a_book_with_hostile_pictures_is_not_built(hostile_media: Checked) -> None:
    assert hostile_media.exit == 1 and hostile_media.build_exit == 1
    assert not hostile_media.out.exists() or list(hostile_media.out.iterdir()) == []
    assert not hostile_media.has("content/media/whole.png")  # a whole picture is no problem


# -- pictures and catalogs that pass, with hidden words and markup: every output searched ----

MARKER = "HIDDEN-METADATA-0815"
PICTURES = ("tagged.png", "tagged.jpg", "tagged.gif", "tagged.webp", "commented.svg")


@dataclass
class CleanBuild:
    built: Built
    check_exit: int
    printed: list[str]
    knocked: bool
    media: Path


@pytest.fixture(scope="session")
def cleaned(tmp_path_factory: pytest.TempPathFactory) -> Iterator[CleanBuild]:
    """Pictures whose metadata and comments hold a marker, and a French catalog whose
    messages hold markup, built as PDF, EPUB and HTML (French) once."""
    root = tmp_path_factory.mktemp("cleaned")
    server = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    server.bind(("127.0.0.1", 0))
    server.listen(5)
    server.settimeout(0.2)
    port = server.getsockname()[1]
    book = copy_fixture("mini", root)
    media = book / "content/media"
    media.mkdir()
    png(media / "tagged.png", {"Comment": MARKER, "Title": f"{MARKER} é"})
    picture = Image.new("RGB", (40, 20), "teal")
    exif = Image.Exif()
    exif[0x010E] = MARKER  # ImageDescription
    exif[0x013B] = MARKER  # Artist
    picture.save(media / "tagged.jpg", format="JPEG", comment=MARKER.encode(), exif=exif)
    picture.save(media / "tagged.gif", format="GIF", comment=MARKER.encode())
    picture.save(media / "tagged.webp", format="WEBP", exif=exif)
    (media / "commented.svg").write_text(
        f'<?xml version="1.0"?>\n<!-- {MARKER} -->\n'
        '<svg xmlns="http://www.w3.org/2000/svg" width="40" height="20">'
        '<rect width="40" height="20" fill="teal"/><text y="10">Words</text></svg>\n'
    )
    images = "".join(f"![{n}](media/{n})\n\n" for n in PICTURES)
    (book / "content/statements/2022-03-07-pictures.en.md").write_text(
        HEAD.format(title="Pictures", day=7) + images
    )
    catalog = book / "locales/fr/LC_MESSAGES/messages.po"
    catalog.parent.mkdir(parents=True)
    text = (REPO / "locales/fr/LC_MESSAGES/messages.po").read_text(encoding="utf-8")
    text = text.replace(
        'msgstr "Sommaire"',
        'msgstr "Sommaire <script>alert(1)</script> <a href=\\"javascript:alert(2)\\">x</a> '
        f'<img src=\\"http://127.0.0.1:{port}/x.png\\">"',
    )
    text = text.replace(
        'msgstr "Chronologie"', 'msgstr "Chronologie <script>alert(3)</script><b onclick=x>"'
    )
    text = text.replace(
        'msgid "p."\nmsgstr "p."',
        'msgid "p."\nmsgstr "p.\\\\\\"\\n} body { background: '
        f'url(http://127.0.0.1:{port}/c) }}"',
    )
    catalog.write_text(text, encoding="utf-8")
    code, printed = run(["check", "--source", str(book)])
    out = root / "out"
    build(BuildRequest(source=book, out=out, languages=["fr"], formats=["pdf", "epub", "html"]))
    try:
        server.accept()[0].close()
        knocked = True
    except OSError:
        knocked = False
    server.close()
    yield CleanBuild(Built(book, out, "mini-book"), code, printed, knocked, media)


def every_output(built: Built) -> dict[str, bytes]:
    files = {
        p.relative_to(built.out).as_posix(): p.read_bytes()
        for p in sorted(built.out.rglob("*"))
        if p.is_file() and not p.name.startswith(".")
    }
    with built.epub("fr") as archive:
        for name in archive.namelist():
            files[f"epub!{name}"] = archive.read(name)
    return files


def test_pictures_with_metadata_and_markup_in_catalogs_pass_the_check(cleaned: CleanBuild) -> None:
    assert cleaned.check_exit == 0, cleaned.printed
    assert not cleaned.knocked


def test_no_output_holds_a_pictures_metadata(cleaned: CleanBuild) -> None:
    files = every_output(cleaned.built)
    copied = [f"kpbrief-assets/media/{name}" for name in PICTURES]
    assert set(copied) <= set(files), sorted(files)
    packed = {data for name, data in files.items() if name.startswith("epub!EPUB/media/")}
    for name in copied:  # the EPUB packs the same cleaned copies as the HTML's assets
        assert files[name] in packed, name
    for original in PICTURES:
        assert MARKER.encode() in (cleaned.media / original).read_bytes()  # it was there
    for name, data in files.items():
        assert MARKER.encode() not in data, name
    reader = cleaned.built.pdf("fr")
    assert MARKER not in cleaned.built.pdf_text("fr")
    for page in reader.pages:
        for image in page.images:
            assert MARKER.encode() not in image.data
    # The pictures are still the pictures: same size, same pixels for the lossless ones.
    for name in copied:
        if not name.endswith(".svg"):
            with Image.open(io.BytesIO(files[name])) as image:
                assert image.size == (40, 20), name
    with Image.open(io.BytesIO(files["kpbrief-assets/media/tagged.png"])) as image:
        assert image.convert("RGB").getpixel((5, 5)) == (0, 128, 128)
    svg = files["kpbrief-assets/media/commented.svg"].decode()
    assert "<rect" in svg and "Words" in svg and "<!--" not in svg


def test_catalog_markup_is_printed_as_text_never_run(cleaned: CleanBuild) -> None:
    files = every_output(cleaned.built)
    for name, data in files.items():
        if name.endswith((".html", ".xhtml", ".svg", ".opf", ".ncx")):
            assert html_findings(data.decode("utf-8")) == [], name
        elif name.endswith(".css"):
            assert css_findings(data.decode("utf-8")) == [], name
    html = files["mini-book.fr.html"].decode()
    assert "<script>alert(1)" not in html and "Sommaire &lt;script&gt;alert(1)" in html
    assert "Sommaire <script>alert(1)</script>" in html_text(html)  # the words stay
    style = html.split("<style>", 1)[1].split("</style>", 1)[0]
    assert "url(" not in style and "\n} body" not in style
    assert pdf_findings(cleaned.built.pdf("fr")) == []
    # the heading's words as printed, wherever the narrow measure breaks its lines
    printed = re.sub(r"\s+", "", cleaned.built.pdf_text("fr"))
    assert "Sommaire<script>alert(1)</script>" in printed
    assert "Chronologie <script>alert(3)</script><b onclick=x>" in html_text(html)
    assert any(
        "Chronologie &lt;script&gt;alert(3)&lt;/script&gt;&lt;b onclick=x&gt;"
        in data.decode("utf-8", "replace")
        for name, data in files.items()
        if name.startswith("epub!") and name.endswith(".xhtml")
    )
    with zipfile.ZipFile(cleaned.built.path("fr", "epub")) as archive:
        assert not [n for n in archive.namelist() if n.endswith((".js", ".html"))]


def test_every_picture_kind_is_recognised_by_its_bytes(cleaned: CleanBuild) -> None:
    from kpbrief import media

    kinds = {p.name: media.kind_of(p.read_bytes()) for p in sorted(cleaned.media.iterdir())}
    assert kinds == {
        "commented.svg": "svg",
        "tagged.gif": "gif",
        "tagged.jpg": "jpeg",
        "tagged.png": "png",
        "tagged.webp": "webp",
    }
    for path in cleaned.media.iterdir():
        data = path.read_bytes()
        assert media.problems(data) == [], path.name
        assert any(MARKER in words for _line, words in media.texts(data)), path.name
        assert media.kind_of(media.cleaned(data)) == kinds[path.name]
        assert media.problems(media.cleaned(data)) == [], path.name
