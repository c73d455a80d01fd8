"""Hostile content: every rule of SECURITY.md, proved on `kpbrief check` and on built outputs."""

from __future__ import annotations

import time
from pathlib import Path

from conftest import copy_fixture

from kpbrief.build import load_and_check
from kpbrief.markdown import scan


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


def edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text, old
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


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
        f"{PLENARY}:24: error: the e-mail of 'hidden-person', who is not public",
        "content/events/2019-plenary.yaml:4: error: the name of 'hidden-person'",
    ):
        assert any(p.startswith(expected) for p in found), (expected, found)
    assert len(found) == 4, found
    # A public person's details, and other people's numbers, are no concern of this rule.
    book = copy_fixture("mini", tmp_path / "again")
    edit(book / WALKOUT, "We walked out.", "Ada Okafor, +32 474 34 20 14, or +263 7 742 169 57.")
    assert not [p for p in problems(book) if ": error: " in p]
