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
