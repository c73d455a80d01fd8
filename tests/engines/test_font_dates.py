"""The same document gives the same PDF at any time of day, whichever subsetter WeasyPrint has.

Without HarfBuzz's subsetter (Debian's libharfbuzz-subset0, which chromium pulls in, so a
machine that ran the tests has it), WeasyPrint subsets the embedded fonts with fontTools, and
fontTools dates each subset with the clock unless SOURCE_DATE_EPOCH is set. Here fontTools is
made the subsetter and its clock is moved forward an hour between two writes.
"""

from __future__ import annotations

import os
import time
from pathlib import Path

import fontTools.misc.timeTools
import pikepdf
import pytest
import weasyprint
import weasyprint.pdf.fonts

from kpbrief import TOOL_ROOT
from kpbrief.engines.assets import Assets
from kpbrief.engines.pdf import PdfVariant, render_pdf

HTML = (
    '<html lang="en"><head><title>Note</title>'
    '<meta name="dcterms.created" content="2024-05-17">'
    '<link rel="stylesheet" href="kpbrief-assets/styles/print.css">'
    "<style>@page { size: A6; margin: 10mm }</style>"
    "</head><body><h1>A note</h1><p>Words, in <em>more</em> than one face.</p></body></html>"
)


class _Clock:
    def __init__(self) -> None:
        self.now = time.time()

    def time(self) -> float:
        return self.now


@pytest.mark.parametrize("date", [1_715_904_000, None], ids=["dated", "undated"])
def test_a_pdf_written_an_hour_later_has_the_same_bytes(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, date: int | None
) -> None:
    clock = _without_harfbuzz(monkeypatch)
    assets = Assets((TOOL_ROOT / "layouts",), tmp_path)
    variant = PdfVariant(source_date=date)
    render_pdf(HTML, assets, tmp_path / "morning.pdf", variant)
    clock.now += 3600
    render_pdf(HTML, assets, tmp_path / "later.pdf", variant)
    with pikepdf.open(tmp_path / "morning.pdf") as pdf:  # fonts embedded: something to date
        assert any("/FontFile2" in o or "/FontFile3" in o for o in _dictionaries(pdf))
    assert (tmp_path / "morning.pdf").read_bytes() == (tmp_path / "later.pdf").read_bytes()
    assert "SOURCE_DATE_EPOCH" not in os.environ  # as it was


def test_weasyprint_alone_shows_the_clock(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The test above can fail: WeasyPrint's own writer, given the same, differs."""
    clock = _without_harfbuzz(monkeypatch)
    morning = weasyprint.HTML(string=HTML).write_pdf(pdf_tags=True)
    clock.now += 3600
    assert weasyprint.HTML(string=HTML).write_pdf(pdf_tags=True) != morning


def _without_harfbuzz(monkeypatch: pytest.MonkeyPatch) -> _Clock:
    monkeypatch.setattr(weasyprint.pdf.fonts, "harfbuzz_subset", None)  # fontTools subsets
    monkeypatch.delenv("SOURCE_DATE_EPOCH", raising=False)
    clock = _Clock()
    monkeypatch.setattr(fontTools.misc.timeTools, "time", clock)
    return clock


def _dictionaries(pdf: pikepdf.Pdf) -> list[pikepdf.Dictionary]:
    return [o for o in pdf.objects if isinstance(o, pikepdf.Dictionary)]
