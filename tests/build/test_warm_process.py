"""`kpbrief build` of a long book, handed to the warm build process (real processes).

The suite builds with `KPBRIEF_WARM=0` (conftest); these tests ask for the warm process
themselves, each with a socket folder of its own, and stop every process they started.
"""

from __future__ import annotations

import contextlib
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from helpers.books import copy_fixture, edit
from pypdf import PdfReader

from kpbrief.build import BuildRequest, warm_process

KPBRIEF = [sys.executable, "-m", "kpbrief"]
STARTED = re.compile(r"a warm build process \(pid (\d+)\)")
STATEMENT = "content/statements/2021-06-walkout.en.md"


class Book:
    """The mini book, built in parts, with the environment of a user's shell that lets
    `kpbrief build` use a warm process."""

    def __init__(self, root: Path, runtime: Path) -> None:
        self.source = copy_fixture("mini", root)
        self.out = root / "out"
        self.env = dict(os.environ, KPBRIEF_WARM="1", KPBRIEF_WARM_IDLE="120")
        self.env.pop("CI", None)
        self.env["XDG_RUNTIME_DIR"] = str(runtime)
        self.started: set[int] = set()

    def build(self, *more: str, out: Path | None = None) -> subprocess.CompletedProcess[str]:
        argv = [*KPBRIEF, "build", "--source", str(self.source), "--out", str(out or self.out)]
        argv += ["--lang", "en", "--format", "pdf", "--no-packs", "--parts", "3", *more]
        done = subprocess.run(argv, capture_output=True, text=True, env=self.env, timeout=600)
        self.started |= {int(pid) for pid in STARTED.findall(done.stderr)}
        return done

    def alive(self) -> set[int]:
        return {pid for pid in self.started if _alive(pid)}


def _alive(pid: int) -> bool:
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return False
    return stat.rsplit(")", 1)[1].split()[0] != "Z"


@pytest.fixture
def book(tmp_path: Path) -> Iterator[Book]:
    # A short folder for the sockets (a socket's path has at most 107 bytes).
    runtime = Path(tempfile.mkdtemp(prefix="kpw-", dir="/tmp"))
    runtime.chmod(0o700)
    made = Book(tmp_path, runtime)
    try:
        yield made
    finally:
        for pid in made.started:
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGKILL)
        shutil.rmtree(runtime, ignore_errors=True)


def test_the_next_build_of_a_long_book_is_made_by_the_warm_process_in_a_builds_bytes(
    book: Book, tmp_path: Path
) -> None:
    first = book.build("--cold")
    assert first.returncode == 0, first.stderr
    assert not book.started  # --cold: in the command's own process
    edit(book.source / STATEMENT, "We walked out.", "We walked out at noon.")
    second = book.build()
    assert second.returncode == 0, second.stderr
    assert len(book.alive()) == 1, second.stderr  # started, and it stays
    assert "mini-book.en.pdf: written" in second.stderr  # its build's lines, relayed
    assert second.stdout.strip() == str(book.out / "mini-book.en.pdf")
    edit(book.source / STATEMENT, "at noon.", "at one.")
    third = book.build()
    assert third.returncode == 0, third.stderr
    assert not STARTED.search(third.stderr)  # the same process made it
    assert len(book.alive()) == 1
    assert "1 written, 0 up to date" in third.stderr
    # The same bytes as a build from nothing in a fresh process.
    afresh = tmp_path / "afresh"
    alone = book.build("--cold", "--force", out=afresh)
    assert alone.returncode == 0, alone.stderr
    made = (book.out / "mini-book.en.pdf").read_bytes()
    assert made == (afresh / "mini-book.en.pdf").read_bytes()
    pages = PdfReader(book.out / "mini-book.en.pdf").pages
    assert "We walked out at one." in re.sub(r"\s+", " ", " ".join(p.extract_text() for p in pages))

    # A mistake in the content: the warm process's build fails as the command's would,
    # with the file and line first, and the PDF is left as it was.
    edit(book.source / STATEMENT, "date: 2021-06\n", "date: 2021-13\n")
    failed = book.build()
    assert failed.returncode == 1
    assert "2021-06-walkout.en.md:3:" in failed.stderr, failed.stderr
    assert "kpbrief: build failed" in failed.stderr
    assert (book.out / "mini-book.en.pdf").read_bytes() == made
    assert len(book.alive()) == 1

    # Another environment (a build reads SOURCE_DATE_EPOCH): that process leaves, and a
    # new one, started with this environment, makes the build.
    edit(book.source / STATEMENT, "date: 2021-13\n", "date: 2021-06\n")
    (old,) = book.alive()
    book.env["SOURCE_DATE_EPOCH"] = "1700000000"
    other = book.build()
    assert other.returncode == 0, other.stderr
    assert STARTED.search(other.stderr)
    for _ in range(200):
        if not _alive(old):
            break
        time.sleep(0.05)
    assert not _alive(old)
    assert len(book.alive()) == 1


def test_ctrl_c_at_the_command_stops_the_warm_process_build_and_it_stays(book: Book) -> None:
    first = book.build("--cold")
    assert first.returncode == 0, first.stderr
    before = (book.out / "mini-book.en.pdf").read_bytes()
    started = book.build()  # starts the process
    assert started.returncode == 0, started.stderr
    # A statement of about a thousand pages: minutes of layout on any machine.
    paragraphs = "\n\n".join(
        f"Paragraph {n} of a statement long enough to take minutes to lay out. " * 6
        for n in range(3000)
    )
    statement = book.source / STATEMENT
    statement.write_text(statement.read_text(encoding="utf-8") + paragraphs, encoding="utf-8")
    argv = [*KPBRIEF, "build", "--source", str(book.source), "--out", str(book.out)]
    argv += ["--lang", "en", "--format", "pdf", "--no-packs", "--parts", "3"]
    command = subprocess.Popen(
        argv, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=book.env
    )
    assert command.stderr is not None
    lines = []
    for line in command.stderr:
        lines.append(line)
        if "laying out pages" in line:
            break
    command.send_signal(signal.SIGINT)
    _printed, rest = command.communicate(timeout=120)
    said = "".join(lines) + rest
    assert command.returncode == 130, said
    assert "interrupted; nothing was written" in said
    assert (book.out / "mini-book.en.pdf").read_bytes() == before
    assert len(book.alive()) == 1  # the process stays for the next build
    assert not list(book.out.glob(".*.tmp"))


def test_which_builds_go_to_a_warm_process(tmp_path: Path) -> None:
    out = tmp_path / "out"
    request = BuildRequest(source=tmp_path, out=out, formats=["pdf"])
    assert not warm_process.wanted(request, {})  # no book laid out in parts there yet
    folder = out / ".kpbrief-parts" / "book.en"
    folder.mkdir(parents=True)
    (folder / "map.json").write_text('{"cuts": ["a", "b"]}', encoding="utf-8")
    assert warm_process.wanted(request, {})
    assert not warm_process.wanted(request, {"KPBRIEF_WARM": "0"})
    assert not warm_process.wanted(request, {"CI": "true"})  # continuous integration
    assert warm_process.wanted(request, {"CI": "true", "KPBRIEF_WARM": "1"})
    epub = BuildRequest(source=tmp_path, out=out, formats=["epub"])
    assert not warm_process.wanted(epub, {})
    (folder / "map.json").write_text('{"cuts": []}', encoding="utf-8")  # as one document
    assert not warm_process.wanted(request, {})
