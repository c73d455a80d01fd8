"""Fields a book prints are localisable: each language's book prints its own."""

from __future__ import annotations

import re
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


def test_an_event_shows_every_statement_it_rests_on(tmp_path: Path) -> None:
    """An event with two statements names both, each by its date and with its page: none is
    dropped after the first."""
    source = copy_fixture("mini", tmp_path)
    event = source / "content/events/2003-launch.yaml"
    event.write_text(
        event.read_text(encoding="utf-8").replace(
            "statements: [2019-11-22-plenary]", "statements: [2019-11-22-plenary, 2021-06-walkout]"
        ),
        encoding="utf-8",
    )
    out = tmp_path / "out"
    build(BuildRequest(source, out, formats=["html"]))
    for lang in ("en", "fr"):
        html = next(out.glob(f"*.{lang}.html")).read_text(encoding="utf-8")
        entry = html[html.index('id="event-2003-launch"') :]
        entry = entry[: entry.index("</li>")]
        assert "Sources" in entry, entry
        for statement, year in (("2019-11-22-plenary", "2019"), ("2021-06-walkout", "2021")):
            assert re.search(f'<a href="#statement-{statement}">[^<]*{year}</a>', entry), entry
            assert f'class="pageref" href="#statement-{statement}"' in entry
