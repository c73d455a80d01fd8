"""Fields a book prints are localisable: each language's book prints its own."""

from __future__ import annotations

from pathlib import Path

from helpers.books import copy_fixture

from kpbrief.build import BuildRequest, build


def test_an_acronym_is_localised_like_any_text(tmp_path: Path) -> None:
    """An organisation's acronym may differ by language (KP CSC, CSC du PK): each book
    prints its own, in the organisations appendix and wherever the name is indexed."""
    source = copy_fixture("mini", tmp_path)
    org = source / "content/organisations/test-coalition.yaml"
    org.write_text(
        org.read_text(encoding="utf-8").replace("acronym: TCFD", "acronym: {en: TCFD, fr: CTFD}"),
        encoding="utf-8",
    )
    out = tmp_path / "out"
    build(BuildRequest(source, out, formats=["html"]))
    french = next(out.glob("*.fr.html")).read_text(encoding="utf-8")
    english = next(out.glob("*.en.html")).read_text(encoding="utf-8")
    assert '<span class="acronym">(CTFD)</span>' in french and "(TCFD)" not in french
    assert '<span class="acronym">(TCFD)</span>' in english and "CTFD" not in english
