"""WeasyPrint's HTML parser with its scanning patterns kept: the same trees, quicker."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ElementTree
from pathlib import Path

import pytest
import tinyhtml5
from helpers.books import Built
from tinyhtml5 import inputstream

from kpbrief import TOOL_ROOT
from kpbrief.engines import parts
from kpbrief.engines.assets import Assets
from kpbrief.engines.html_parser import ScanningPatterns, keep_scanning_patterns
from kpbrief.engines.pdf import PdfVariant

# Text, entities, attributes quoted three ways, a comment, a doctype, a script-like element,
# characters outside ASCII: the tokenizer's runs of every kind.
SAMPLE = (
    "<!DOCTYPE html><html lang=en><head><title>T &amp; t</title><style>p > a { x: y }</style>"
    "</head><body><!-- a comment -- with dashes --><p class='a b' data-x=\"1 &lt; 2\" id=c>"
    'Côte d’Ivoire &eacute; &#233; &#xE9; <a href=#x data-label="Name, page">12</a>, '
    "<a href='#y'>13</a>\u2013<b>14</b><br/>tail\u00a0end &unknown; <textarea>a<b</textarea>"
    "</p></body></html>"
)


def _tree(html: str) -> bytes:
    return ElementTree.tostring(tinyhtml5.parse(html))


def test_the_parse_is_the_same_with_the_patterns_kept(
    mini: Built, monkeypatch: pytest.MonkeyPatch
) -> None:
    book = mini.path("en", "html").read_text(encoding="utf-8")
    for html in (SAMPLE, book):
        monkeypatch.setattr(inputstream, "characters_until_regex", {})
        plain = _tree(html)
        monkeypatch.setattr(inputstream, "characters_until_regex", ScanningPatterns())
        assert _tree(html) == plain


def test_each_pattern_is_made_once_and_kept_under_its_characters(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(inputstream, "characters_until_regex", {})
    keep_scanning_patterns()
    patterns = inputstream.characters_until_regex
    assert isinstance(patterns, ScanningPatterns)
    _tree(SAMPLE)
    made = dict(patterns)
    assert made and not any(isinstance(key[0], re.Pattern) for key in made)
    _tree(SAMPLE + SAMPLE)
    assert dict(patterns) == made  # found, not made again
    keep_scanning_patterns()
    assert inputstream.characters_until_regex is patterns  # installed once


def test_a_part_is_parsed_with_the_patterns_kept(
    mini: Built, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(inputstream, "characters_until_regex", {})
    assets = Assets((TOOL_ROOT / "layouts",), mini.source / "content" / "media")
    html = "<html><head></head><body><p>One part.</p></body></html>"
    layout = parts.lay_out(html, assets, PdfVariant(), False)
    assert layout.count == 1
    assert isinstance(inputstream.characters_until_regex, ScanningPatterns)
