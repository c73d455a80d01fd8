"""The press PDF (`kpbrief build --press`): PDF/X-4 with its output intent, bleed and crop
marks, read back with pikepdf, poppler and PDFium, and the same pages as the screen PDF."""

from __future__ import annotations

import hashlib
import re
import subprocess
from decimal import Decimal
from pathlib import Path

import pikepdf
import pypdfium2
import pytest
from helpers.books import Built, copy_fixture

from kpbrief import TOOL_ROOT
from kpbrief.build import BuildFailed, BuildRequest, build
from kpbrief.build.plan import DEFAULT_PRESS_PROFILE, output_path
from kpbrief.cli import _build_request, parser

MM = 72 / 25.4  # points
SHIPPED = TOOL_ROOT / "layouts" / DEFAULT_PRESS_PROFILE
A4 = (Decimal("595.275591"), Decimal("841.889764"))
LANGS = ("en", "fr")


def press_path(book: Built, lang: str) -> Path:
    return book.out / f"{book.book_id}.{lang}.press.pdf"


def page_texts(pdf: Path) -> list[str]:
    """Each page's text as poppler reads it (its pages are cut by form feeds)."""
    text = subprocess.run(
        ["pdftotext", "-layout", "-enc", "UTF-8", str(pdf), "-"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    return [" ".join(page.split()) for page in text.split("\f")]


@pytest.fixture(scope="module")
def press_in_parts(tmp_path_factory: pytest.TempPathFactory) -> Built:
    """The English press PDF laid out in three parts and joined, beside its screen PDF."""
    root = tmp_path_factory.mktemp("press-parts")
    source = copy_fixture("mini", root)
    out = root / "out"
    build(
        BuildRequest(source=source, out=out, languages=["en"], formats=["pdf"], press=True, parts=3)
    )
    return Built(source, out, "mini-book")


@pytest.mark.parametrize("lang", LANGS)
def test_the_output_intent_is_the_cmyk_profile_as_shipped(mini_press: Built, lang: str) -> None:
    with pikepdf.open(press_path(mini_press, lang)) as pdf:
        (intent,) = pdf.Root.OutputIntents
        assert intent.Type == "/OutputIntent"
        assert intent.S == "/GTS_PDFX"
        assert str(intent.OutputConditionIdentifier).startswith("FOGRA39")
        profile = intent.DestOutputProfile
        assert profile.N == 4
        assert profile.read_bytes() == SHIPPED.read_bytes()
        assert pdf.pdf_version >= "1.6"


def _links_not_printed(pdf: pikepdf.Pdf) -> None:
    """The screen PDF's links are there, and none is printed (PDF/X: only printer's marks)."""
    links = 0
    for page in pdf.pages:
        for annotation in page.obj.get("/Annots", ()):
            links += 1
            assert not int(annotation.get("/F", 0)) & 4
    assert links


def _boxes_right(pdf: pikepdf.Pdf) -> None:
    for number, page in enumerate(pdf.pages, 1):
        trim = [float(v) for v in page.obj.TrimBox]
        bleed = [float(v) for v in page.obj.BleedBox]
        media = [float(v) for v in page.obj.MediaBox]
        assert trim == pytest.approx([0, 0, float(A4[0]), float(A4[1])], abs=0.01), number
        # 3 mm of bleed on every side; the sheet 5 mm larger again, for the crop marks.
        assert bleed == pytest.approx(
            [-3 * MM, -3 * MM, trim[2] + 3 * MM, trim[3] + 3 * MM], abs=0.01
        ), number
        assert media == pytest.approx(
            [-8 * MM, -8 * MM, trim[2] + 8 * MM, trim[3] + 8 * MM], abs=0.01
        ), number


def _pdfx_metadata_right(pdf: pikepdf.Pdf) -> None:
    info = pdf.trailer.Info
    assert str(info.GTS_PDFXVersion) == "PDF/X-4"
    assert info.Trapped == "/False"
    assert str(info.CreationDate).startswith("D:2024")  # the edition's date, as every run
    assert str(info.ModDate) == str(info.CreationDate)
    xmp = pdf.Root.Metadata
    assert "/Filter" not in xmp  # the XMP stream is read as it is, by any reader
    text = xmp.read_bytes().decode("utf-8")
    assert "<pdfxid:GTS_PDFXVersion>PDF/X-4</pdfxid:GTS_PDFXVersion>" in text
    assert "<pdf:Trapped>False</pdf:Trapped>" in text
    assert re.search(r"<xmp:ModifyDate>2024-\d\d-\d\d</xmp:ModifyDate>", text)


@pytest.mark.parametrize("lang", LANGS)
def test_every_page_has_its_trim_and_bleed_boxes(mini_press: Built, lang: str) -> None:
    with pikepdf.open(press_path(mini_press, lang)) as pdf:
        _boxes_right(pdf)


@pytest.mark.parametrize("lang", LANGS)
def test_the_pdfx_metadata_is_in_the_information_and_the_xmp(mini_press: Built, lang: str) -> None:
    with pikepdf.open(press_path(mini_press, lang)) as pdf:
        _pdfx_metadata_right(pdf)
        _links_not_printed(pdf)


@pytest.mark.parametrize("lang", LANGS)
def test_the_press_pdf_has_the_screen_pdfs_text_page_for_page(
    mini: Built, mini_press: Built, lang: str
) -> None:
    screen = page_texts(mini.path(lang, "pdf"))
    press = page_texts(press_path(mini_press, lang))
    assert len(press) == len(screen) > 10
    for number, (a, b) in enumerate(zip(screen, press, strict=True), 1):
        assert a == b, f"page {number}"


@pytest.mark.parametrize("lang", LANGS)
def test_every_font_is_embedded(mini_press: Built, lang: str) -> None:
    rows = subprocess.run(
        ["pdffonts", str(press_path(mini_press, lang))], capture_output=True, text=True, check=True
    ).stdout.splitlines()[2:]
    assert len(rows) >= 4
    for row in rows:
        embedded = row.split()[-5]  # emb sub uni object ID
        assert embedded == "yes", row


def _resource_dictionaries(pdf: pikepdf.Pdf) -> list[pikepdf.Object]:
    found, waiting = [], [page.obj.Resources for page in pdf.pages]
    while waiting:
        resource = waiting.pop()
        found.append(resource)
        for kind in ("/XObject", "/Pattern"):
            for item in resource.get(kind, pikepdf.Dictionary()).values():
                if "/Resources" in item:
                    waiting.append(item.Resources)
    return found


@pytest.mark.parametrize("lang", LANGS)
def test_rgb_colours_are_device_independent(mini_press: Built, lang: str) -> None:
    with pikepdf.open(press_path(mini_press, lang)) as pdf:
        shadings = 0
        for resource in _resource_dictionaries(pdf):
            default = resource.ColorSpace.DefaultRGB
            assert default[0] == "/ICCBased" and default[1].N == 3
            for shading in resource.get("/Shading", pikepdf.Dictionary()).values():
                shadings += 1
                space = shading.ColorSpace
                function = shading.Function
                if function.FunctionType == 3:  # stitching: its parts give the colours
                    function = function.Functions[0]
                if isinstance(space, pikepdf.Array):
                    # as many values a colour as its space has
                    assert len(function.C0) == space[1].N
        assert shadings  # the contents' dot leaders and the headings' red bars are gradients


def _render(pdf: Path, index: int, scale: float) -> tuple[object, list[float]]:
    document = pypdfium2.PdfDocument(pdf)
    try:
        image = document[index].render(scale=scale, may_draw_forms=False).to_pil().convert("RGB")
    finally:
        document.close()
    with pikepdf.open(pdf) as opened:
        media = [float(v) for v in opened.pages[index].obj.MediaBox]
    return image, media


def _pixel(image: object, media: list[float], scale: float, x: float, y: float) -> tuple[int, ...]:
    """The colour at (x, y) in points from the trimmed page's top-left corner."""
    left, top = -media[0], media[3] - float(A4[1])  # the sheet beyond the trim, left and top
    return image.getpixel((round((x + left) * scale), round((y + top) * scale)))  # type: ignore[attr-defined]


def _dark(colour: tuple[int, ...]) -> bool:
    return sum(colour) < 3 * 100


def test_the_cover_runs_into_the_bleed_and_the_marks_stand_beyond_it(mini_press: Built) -> None:
    scale = 3.0
    image, media = _render(press_path(mini_press, "en"), 0, scale)
    width, height = float(A4[0]), float(A4[1])
    white = (255, 255, 255)
    # 1.5 mm outside the trim, on every side and at the corners: the cover's colours.
    out = 1.5 * MM
    for x, y in [
        (-out, height / 3),
        (width + out, height / 3),
        (width / 2, -out),
        (width / 2, height + out),  # under the band
        (-out, height + out),
        (width + out, -out),
    ]:
        assert _pixel(image, media, scale, x, y) != white, (x, y)
    # Beyond the bleed (6 mm out) the sheet is white, but for the crop marks, which stand in
    # line with the trim, from the sheet's edge to 4 mm from the trim.
    for x, y in [(-6 * MM, height / 3), (width / 2, height + 6 * MM)]:
        assert _pixel(image, media, scale, x, y) == white, (x, y)
    for x, y in [(0, -6 * MM), (-6 * MM, 0), (width, height + 6 * MM), (width + 6 * MM, height)]:
        near = [
            _pixel(image, media, scale, x + dx / scale, y + dy / scale)
            for dx in (-1, 0, 1)
            for dy in (-1, 0, 1)
        ]
        assert any(_dark(c) for c in near), (x, y)
    # No mark in the bleed, where it would be printed wherever the cut falls a little
    # outside: in line with the trim, the bleed is the cover's colour as anywhere else.
    ground = _pixel(image, media, scale, 40 * MM, -2 * MM)
    assert _pixel(image, media, scale, 0, -2 * MM) == ground
    assert _pixel(image, media, scale, -2 * MM, 0) == ground


def test_a_white_page_has_crop_marks_and_nothing_else_past_the_trim(mini_press: Built) -> None:
    scale = 3.0
    image, media = _render(press_path(mini_press, "en"), 2, scale)  # the contents
    white = (255, 255, 255)
    width = float(A4[0])
    assert _pixel(image, media, scale, -1.5 * MM, 200) == white
    assert _pixel(image, media, scale, width + 6 * MM, 200) == white
    near = [_pixel(image, media, scale, width + dx / scale, -6 * MM) for dx in (-1, 0, 1)]
    assert any(_dark(c) for c in near)


def test_the_screen_pdf_stays_as_it_is(mini: Built) -> None:
    with pikepdf.open(mini.path("en", "pdf")) as pdf:
        assert "/OutputIntents" not in pdf.Root or all(
            intent.S != "/GTS_PDFX" for intent in pdf.Root.OutputIntents
        )
        assert "/GTS_PDFXVersion" not in pdf.trailer.Info
        page = pdf.pages[0].obj
        assert [float(v) for v in page.MediaBox] == pytest.approx([0, 0, *map(float, A4)])
        assert "pdfuaid:part" in pdf.Root.Metadata.read_bytes().decode("utf-8")


def test_the_press_pdf_is_an_output_of_the_build_like_the_others(mini_press: Built) -> None:
    again = build(
        BuildRequest(source=mini_press.source, out=mini_press.out, formats=[], press=True)
    )
    assert again.written == []
    assert sorted(p.name for p in again.unchanged) == [
        "mini-book.en.press.pdf",
        "mini-book.fr.press.pdf",
    ]
    manifest = (mini_press.out / ".kpbrief-build.json").read_text(encoding="utf-8")
    for lang in LANGS:
        assert f"mini-book.{lang}.press.pdf" in manifest
        digest = hashlib.sha256(press_path(mini_press, lang).read_bytes()).hexdigest()
        assert digest in manifest


def test_joined_parts_keep_the_output_intent_boxes_and_metadata(
    press_in_parts: Built, mini: Built
) -> None:
    pdf_path = press_path(press_in_parts, "en")
    parts = press_in_parts.out / ".kpbrief-parts" / "mini-book.en.press"
    assert len(list(parts.glob("*.pdf"))) == 3  # laid out in parts indeed
    with pikepdf.open(pdf_path) as pdf:
        (intent,) = pdf.Root.OutputIntents
        assert intent.DestOutputProfile.read_bytes() == SHIPPED.read_bytes()
        _boxes_right(pdf)
        _pdfx_metadata_right(pdf)
        _links_not_printed(pdf)
        assert "/StructTreeRoot" in pdf.Root
        # The output profile that every part embeds is in the joined book once.
        profiles = [
            obj
            for obj in pdf.objects
            if isinstance(obj, pikepdf.Stream)
            and obj.read_raw_bytes() == intent.DestOutputProfile.read_raw_bytes()
        ]
        assert len(profiles) == 1
        for page in pdf.pages:
            spaces = page.obj.Resources.ColorSpace
            assert spaces["/device-cmyk"][1].objgen == intent.DestOutputProfile.objgen
    assert page_texts(pdf_path) == page_texts(mini.path("en", "pdf"))


def test_a_failed_build_leaves_the_press_pdf_as_it_was(press_in_parts: Built) -> None:
    pdf_path = press_path(press_in_parts, "en")
    before = pdf_path.read_bytes()
    book_yaml = press_in_parts.source / "content" / "book.yaml"
    text = book_yaml.read_text(encoding="utf-8")
    book_yaml.write_text(text + "press_profile: layouts/profiles/none.icc\n", encoding="utf-8")
    try:
        with pytest.raises(BuildFailed) as failed:
            build(
                BuildRequest(
                    source=press_in_parts.source,
                    out=press_in_parts.out,
                    languages=["en"],
                    formats=["pdf"],
                    press=True,
                    force=True,
                )
            )
    finally:
        book_yaml.write_text(text, encoding="utf-8")
    assert any("press_profile" in problem.message for problem in failed.value.problems)
    assert pdf_path.read_bytes() == before


def test_the_command_line_asks_for_the_press_pdf_with_press(tmp_path: Path) -> None:
    argv = ["build", "--source", str(tmp_path)]
    assert not _build_request(parser().parse_args(argv)).press
    request = _build_request(parser().parse_args([*argv, "--press"]))
    assert request.press
    assert request.formats == ["pdf", "epub"]  # and the other outputs, as without it
    assert output_path(tmp_path, "book", "fr", "press") == tmp_path / "book.fr.press.pdf"
