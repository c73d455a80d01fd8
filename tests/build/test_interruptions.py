"""Builds killed, stopped or given bad arguments leave nothing wrong behind (real processes)."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from helpers.books import copy_fixture

from kpbrief.build import BuildFailed, BuildRequest, build
from kpbrief.cli import main

KPBRIEF = [sys.executable, "-m", "kpbrief"]


def _long_book(tmp_path: Path) -> Path:
    """The mini book with a statement of about 1,000 pages: minutes of layout anywhere."""
    source = copy_fixture("mini", tmp_path)
    paragraphs = "\n\n".join(
        f"Paragraph {n} of a statement long enough to take minutes to lay out. " * 6
        for n in range(3000)
    )
    (source / "content/statements/2021-07-long.en.md").write_text(
        "---\ntitle: A long statement\ndate: 2021-07-01\nkind: speech\n"
        "place: Kinshasa, DR Congo\nissues: [reform]\nsource:\n  publisher: test-coalition\n"
        "---\n" + paragraphs + "\n",
        encoding="utf-8",
    )
    return source


def _descendants(pid: int) -> list[int]:
    """Every living process whose ancestry leads to `pid` (read from /proc)."""
    parents: dict[int, int] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            if fields[0] != "Z":
                parents[int(entry.name)] = int(fields[1])
    found, frontier = [], [pid]
    while frontier:
        current = frontier.pop()
        children = [child for child, parent in parents.items() if parent == current]
        found += children
        frontier += children
    return found


def _engine_group_members(pgids: set[int]) -> list[int]:
    alive = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            if int(fields[2]) in pgids and fields[0] != "Z":
                alive.append(int(entry.name))
    return alive


def _start_and_wait_for_engines(
    source: Path, out: Path, formats: list[str], session: bool = False
) -> subprocess.Popen[str]:
    argv = [*KPBRIEF, "build", "--source", str(source), "--out", str(out), "--lang", "en"]
    for fmt in formats:
        argv += ["--format", fmt]
    process = subprocess.Popen(
        argv, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, start_new_session=session
    )
    # The engines are at work once a staged output exists beside its final place.
    for _ in range(1200):
        if any(p.name.endswith(".tmp") for p in out.glob(".*")) if out.is_dir() else False:
            break
        if process.poll() is not None:
            pytest.fail(f"the build ended before its engines started: {process.stderr.read()}")
        time.sleep(0.1)
    else:
        pytest.fail("the build's engines never started")
    time.sleep(3)  # into the layout itself (it lasts minutes)
    return process


@pytest.mark.parametrize("formats", [["pdf"], ["pdf", "epub"]], ids=["in-process", "workers"])
def test_sigterm_during_layout_says_so_and_leaves_nothing(
    tmp_path: Path, formats: list[str]
) -> None:
    source, out = _long_book(tmp_path), tmp_path / "out"
    process = _start_and_wait_for_engines(source, out, formats)
    children = _descendants(process.pid)
    process.send_signal(signal.SIGTERM)
    _stdout, stderr = process.communicate(timeout=120)
    assert process.returncode == 130
    assert "interrupted; nothing was written" in stderr
    if formats == ["pdf"]:
        # Workers stopped mid-way may still print (their errors reach the build by a queue);
        # the build's own process prints none.
        assert "Traceback" not in stderr
    for _ in range(50):
        if not [pid for pid in children if Path(f"/proc/{pid}").exists()]:
            break
        time.sleep(0.1)
    assert [pid for pid in _descendants(process.pid)] == []
    assert not [
        pid
        for pid in children
        if Path(f"/proc/{pid}/stat").exists()
        and "Z" not in Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    ]
    assert not list(out.glob("mini-book.*")) and not list(out.glob(".*.tmp"))


def test_kill_9_leaves_no_process_and_the_next_build_no_temporary_file(tmp_path: Path) -> None:
    source, out = _long_book(tmp_path), tmp_path / "out"
    process = _start_and_wait_for_engines(source, out, ["pdf", "epub"])
    children = _descendants(process.pid)
    assert children, "the build started no worker"
    process.kill()
    process.wait(timeout=30)
    for _ in range(300):  # up to 30 s on a loaded machine; done as soon as all are gone
        living = [
            pid
            for pid in children
            if Path(f"/proc/{pid}/stat").exists()
            and Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0] != "Z"
        ]
        if not living:
            break
        time.sleep(0.1)
    assert living == [], "workers outlived a build killed with SIGKILL"
    leftovers = list(out.glob(".*.tmp"))
    assert leftovers, "a killed build leaves its staged files (the next build removes them)"
    (source / "content/statements/2021-07-long.en.md").unlink()
    build(BuildRequest(source, out, languages=["en"], formats=["html"]))
    assert not list(out.glob(".*.tmp"))


def test_a_folder_where_the_manifest_goes_fails_before_any_output_is_replaced(
    tmp_path: Path,
) -> None:
    source, out = copy_fixture("mini", tmp_path), tmp_path / "out"
    out.mkdir()
    (out / "mini-book.en.html").write_text("earlier", encoding="utf-8")
    (out / ".kpbrief-build.json").mkdir()
    with pytest.raises(BuildFailed, match=r"kpbrief-build\.json is not a file"):
        build(BuildRequest(source, out, languages=["en"], formats=["html"]))
    assert (out / "mini-book.en.html").read_text(encoding="utf-8") == "earlier"
    assert not list(out.glob(".*.tmp"))


def test_an_8_gb_media_file_is_a_clear_error(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    source = copy_fixture("mini", tmp_path)
    media = source / "content/media"
    media.mkdir(exist_ok=True)
    with (media / "huge.jpg").open("wb") as handle:  # sparse: no disk is used
        handle.truncate(8 * 1024**3)
    assert main(["check", "--source", str(source)]) == 1
    err = capsys.readouterr().out
    assert "content/media/huge.jpg:1: error: media file is 8,192 MiB, over the limit" in err
    with pytest.raises(BuildFailed, match="error"):
        build(BuildRequest(source, tmp_path / "out", languages=["en"], formats=["html"]))


@pytest.mark.parametrize(
    ("argv", "words"),
    [
        (["watch", "--port", "99999"], "--port 99999: a port is a number from 1 to 65535"),
        (["build", "--out", "{file}"], "is a file; name a folder for the outputs"),
        (["build", "--source", "{missing}"], "no such folder; name a book folder"),
        (["check", "--source", "{missing}"], "no such folder; name a book folder"),
    ],
)
def test_unusable_arguments_are_one_line_and_exit_2(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], argv: list[str], words: str
) -> None:
    a_file = tmp_path / "a-file"
    a_file.write_text("", encoding="utf-8")
    given = [a.format(file=a_file, missing=tmp_path / "missing") for a in argv]
    assert main(given) == 2
    err = capsys.readouterr().err
    assert words in err and len(err.strip().splitlines()) == 1


def test_the_time_limit_bounds_check(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    source = _long_book(tmp_path)
    # A limit already past when the check starts: stopped whatever the machine's speed.
    assert main(["check", "--source", str(source), "--time-limit", "1e-9"]) == 1
    assert "the check ran past its time limit" in capsys.readouterr().err


def test_ctrl_c_in_a_build_says_so(tmp_path: Path) -> None:
    source, out = _long_book(tmp_path), tmp_path / "out"
    process = _start_and_wait_for_engines(source, out, ["pdf"])
    process.send_signal(signal.SIGINT)
    _out, err = process.communicate(timeout=120)
    assert process.returncode == 130
    assert "interrupted; nothing was written" in err and "Traceback" not in err
    assert not list(out.glob("mini-book.*")) and not list(out.glob(".*.tmp"))


def test_ctrl_c_at_a_terminal_stops_the_workers_quietly(tmp_path: Path) -> None:
    """A terminal's Ctrl-C reaches every process of its group: the part workers too, which
    must leave the stopping to the build (each printed a traceback of its own)."""
    source, out = _long_book(tmp_path), tmp_path / "out"
    process = _start_and_wait_for_engines(source, out, ["pdf"], session=True)
    assert _descendants(process.pid)  # the part workers are at work
    os.killpg(process.pid, signal.SIGINT)
    _out, err = process.communicate(timeout=120)
    assert process.returncode == 130
    assert "interrupted; nothing was written" in err
    assert "Traceback" not in err and "KeyboardInterrupt" not in err, err
    assert not list(out.glob("mini-book.*")) and not list(out.glob(".*.tmp"))


def test_a_zip_bomb_docx_is_refused_at_once(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A .docx of 1.5 MB that unpacks to over 200 MB: refused from its own directory of sizes."""
    import zipfile

    bomb = tmp_path / "statement.docx"
    paragraph = b"<w:p><w:r><w:t>bomb</w:t></w:r></w:p>" * 10_000
    with zipfile.ZipFile(bomb, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        with archive.open("word/document.xml", "w") as member:
            for _ in range(600):
                member.write(paragraph)
    source = copy_fixture("mini", tmp_path)
    before = sorted(p.relative_to(source) for p in source.rglob("*"))
    assert main(["import", str(bomb), "--source", str(source)]) == 1
    assert "unpacks to 211 MiB, over the importer's limit of 100 MiB" in capsys.readouterr().err
    assert sorted(p.relative_to(source) for p in source.rglob("*")) == before


def test_pandoc_past_its_memory_ceiling_is_a_clear_refusal() -> None:
    """The ceiling itself, for an archive that lies about its sizes: pandoc stops at it."""
    from kpbrief.engines.pandoc import PandocFailed, run_pandoc

    text = ("A paragraph of words for pandoc to hold in memory. " * 20 + "\n\n") * 20_000
    with pytest.raises(PandocFailed, match="needed more than 16m of memory"):
        run_pandoc(["--from=markdown", "--to=json"], stdin=text.encode(), memory="16m")


def test_an_alias_bomb_under_the_count_cap_is_refused(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    source = copy_fixture("mini", tmp_path)
    person = source / "content/people/ada-okafor.yaml"
    # 2,000 aliases of a 100 KB string: few values, 200 MB of text once expanded.
    bomb = 'padding: &big "' + "x" * 100_000 + '"\nalso: [' + ", ".join(["*big"] * 2000) + "]\n"
    person.write_text(person.read_text(encoding="utf-8") + bomb, encoding="utf-8")
    assert main(["check", "--source", str(source)]) == 1
    out = capsys.readouterr().out
    assert "content/people/ada-okafor.yaml" in out and "MiB of text once its aliases" in out


def test_a_save_racing_a_build_never_leaves_a_stale_output_up_to_date(tmp_path: Path) -> None:
    source, out = copy_fixture("mini", tmp_path), tmp_path / "out"
    statement = source / "content/statements/2021-06-walkout.en.md"
    original = statement.read_text(encoding="utf-8")
    argv = [*KPBRIEF, "build", "--source", str(source), "--out", str(out)]
    argv += ["--lang", "en", "--format", "html"]
    html = out / "mini-book.en.html"
    for attempt in range(6):
        process = subprocess.Popen(argv, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        time.sleep(0.25 * attempt)  # the save falls at a different stage each time
        words = f"Saved during build {attempt}."
        statement.write_text(original.replace("We walked out.", words), encoding="utf-8")
        assert process.wait(timeout=120) == 0, process.stderr.read() if process.stderr else ""
        again = build(BuildRequest(source, out, languages=["en"], formats=["html"]))
        # Up to date or made again: either way the output in place shows the saved words.
        assert words in html.read_text(encoding="utf-8"), (attempt, again)
