"""How much check and build say: `--quiet` the errors alone, `--verbose` more; build sums up
the content's warnings in one line and lists them with `--verbose`; Ctrl-C stops a check."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from helpers.books import copy_fixture, edit

from kpbrief.cli import main

WALKOUT = "content/statements/2021-06-walkout.en.md"
# The mini book's own warnings: a chapter and a statement without French, a contact who is
# not public, a translation behind its original.
MINI_WARNINGS = 4


@pytest.fixture
def book(tmp_path: Path) -> Path:
    return copy_fixture("mini", tmp_path)


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def test_check_quiet_and_verbose(book: Path, capsys: pytest.CaptureFixture[str]) -> None:
    edit(book / WALKOUT, "We walked out.", "We walked out.[^9]")
    code, out, err = run(capsys, "check", "--source", str(book))
    assert code == 1
    assert out.count(": warning: ") == MINI_WARNINGS and out.count(": error: ") == 1
    assert err.strip() == f"1 error(s), {MINI_WARNINGS} warning(s)"
    code, out, err = run(capsys, "check", "--source", str(book), "--quiet")
    assert code == 1
    assert out.splitlines() == [
        f"{WALKOUT}:12:15: error: footnote [^9] is printed as written: no line '[^9]: …' "
        "gives its text; add it, or correct the number"
    ]
    code, out, err = run(capsys, "check", "--source", str(book), "--verbose")
    assert code == 1 and out.count(": warning: ") == MINI_WARNINGS
    assert (
        "read 2 statement(s), 2 issue(s), 2 person(s), 1 organisation(s), 2 event(s), "
        "0 media file(s)"
    ) in err


def test_check_quiet_says_nothing_of_a_book_without_errors(
    book: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert run(capsys, "check", "--source", str(book), "--quiet") == (0, "", "")


def test_build_sums_up_the_warnings_check_finds(
    book: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "out"
    argv = ["build", "--source", str(book), "--format", "html", "--lang", "en", "--out", str(out)]
    code, printed, err = run(capsys, *argv)
    assert code == 0
    summary = [line for line in err.splitlines() if "in the content" in line]
    assert summary == [
        f"{MINI_WARNINGS} warning(s) in the content; 'kpbrief check' or --verbose lists them"
    ]
    assert ": warning: " not in printed + err
    code, printed, err = run(capsys, *argv, "--force", "--verbose")
    assert code == 0
    listed = [line for line in err.splitlines() if ": warning: " in line]
    assert len(listed) == MINI_WARNINGS
    assert any(line.startswith("content/statements/2021-06-walkout.en.md:1: ") for line in listed)
    assert f"{MINI_WARNINGS} warning(s) in the content\n" in err


def _cpu_seconds(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def test_ctrl_c_stops_a_check(book: Path) -> None:
    # A check of some ten seconds of CPU time: many statements of many paragraphs. (Thirty
    # statements had come to take 3 CPU s as the check got quicker, so that it sometimes ended
    # before the 2.5 s below.)
    paragraphs = "\n\n".join(f"Paragraph {n} of a long statement. " * 8 for n in range(400))
    for n in range(120):
        (book / f"content/statements/2021-07-{n:02d}-long.en.md").write_text(
            f"---\ntitle: Long {n}\ndate: 2021-07-{n % 28 + 1:02d}\nkind: speech\n"
            "issues: [reform]\nsource:\n  publisher: test-coalition\n---\n" + paragraphs,
            encoding="utf-8",
        )
    argv = [sys.executable, "-m", "kpbrief", "check", "--source", str(book)]
    process = subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    # Interrupted well into the check: past the CPU time its start-up takes (under a second),
    # whatever the machine's speed.
    while _cpu_seconds(process.pid) < 2.5:
        if process.poll() is not None:
            pytest.fail("the check ended before it could be interrupted")
        time.sleep(0.05)
    process.send_signal(signal.SIGINT)
    out, err = process.communicate(timeout=120)
    assert process.returncode == 130, (out, err)
    assert err.strip() == "kpbrief check: interrupted; nothing was written"
    assert "Traceback" not in err and out == ""
