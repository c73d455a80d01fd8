"""The press variant of the PDF writer on small documents: the same bytes each time, and a
gradient's colours in a space that can read them."""

from __future__ import annotations

from pathlib import Path

import pikepdf

from kpbrief import TOOL_ROOT
from kpbrief.build.plan import DEFAULT_PRESS_PROFILE
from kpbrief.engines.assets import Assets
from kpbrief.engines.pdf import PdfVariant, render_pdf

PRESS = PdfVariant(press_profile=TOOL_ROOT / "layouts" / DEFAULT_PRESS_PROFILE)
HTML = (
    '<html lang="en"><head><title>Sheet</title>'
    '<meta name="dcterms.created" content="2024-05-17">'
    '<meta name="dcterms.modified" content="2024-05-17">'
    '<link rel="stylesheet" href="kpbrief-assets/styles/press.css">'
    "<style>@page { size: A6; margin: 10mm } "
    ".bar { height: 5mm; background: linear-gradient(to right, #c1121f, #1d3557) }</style>"
    '</head><body><h1>A sheet</h1><div class="bar"></div><p style="color: #457b9d">Text.</p>'
    "</body></html>"
)


def test_the_same_document_makes_the_same_press_pdf(tmp_path: Path) -> None:
    assets = Assets((TOOL_ROOT / "layouts",), tmp_path)
    render_pdf(HTML, assets, tmp_path / "one.pdf", PRESS)
    render_pdf(HTML, assets, tmp_path / "two.pdf", PRESS)
    assert (tmp_path / "one.pdf").read_bytes() == (tmp_path / "two.pdf").read_bytes()
    with pikepdf.open(tmp_path / "one.pdf") as pdf:
        xmp = pdf.Root.Metadata.read_bytes().decode("utf-8")
        assert "<xmpMM:DocumentID>xmp.did:" in xmp


def test_a_gradient_is_painted_in_srgb_not_in_the_cmyk_profile(tmp_path: Path) -> None:
    target = tmp_path / "sheet.pdf"
    render_pdf(HTML, Assets((TOOL_ROOT / "layouts",), tmp_path), target, PRESS)
    with pikepdf.open(target) as pdf:
        shadings = [
            shading
            for page in pdf.pages
            for resources in [page.obj.Resources, *_nested(page.obj.Resources)]
            for shading in resources.get("/Shading", pikepdf.Dictionary()).values()
        ]
        assert shadings
        for shading in shadings:
            space = shading.ColorSpace
            assert space[0] == "/ICCBased"
            function = shading.Function
            if function.FunctionType == 3:  # stitching: its parts give the colours
                function = function.Functions[0]
            assert space[1].N == len(function.C0) == 3


def _nested(resources: pikepdf.Object) -> list[pikepdf.Object]:
    found = []
    for kind in ("/XObject", "/Pattern"):
        for item in resources.get(kind, pikepdf.Dictionary()).values():
            if "/Resources" in item:
                found += [item.Resources, *_nested(item.Resources)]
    return found
