"""A warm process (`kpbrief watch`) redoes only what an edit changed, and still gives what a
build from nothing gives: the same HTML, byte for byte, and the same problems.

Each test keeps one `Warm` across edits, as the watch does, builds after each edit, and
compares with a build into a fresh folder by a process that keeps nothing.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from helpers.books import copy_fixture, edit

from kpbrief.build import BuildFailed, BuildRequest, build
from kpbrief.build import run as build_run
from kpbrief.build.check_memo import MEMO_FILE
from kpbrief.build.warm import Warm
from kpbrief.content.check import Checker
from kpbrief.edition import render as rendering

WALKOUT = "content/statements/2021-06-walkout.en.md"
PLENARY_FR = "content/statements/2019-11-22-plenary.fr.md"
ADA = "content/people/ada-okafor.yaml"


def _html(source: Path, out: Path, warm: Warm | None = None, **options: object) -> None:
    build(BuildRequest(source=source, out=out, formats=["html"], **options), warm=warm)


def _outcome(source: Path, out: Path, warm: Warm | None = None) -> tuple[str, list[str]]:
    """'built' or 'failed', and every problem the build reported, as printed (`force`: a
    build that finds its output up to date reports none)."""
    request = BuildRequest(source=source, out=out, formats=["html"], languages=["en"], force=True)
    try:
        result = build(request, warm=warm)
    except BuildFailed as failure:
        return "failed", [str(p) for p in failure.problems]
    return "built", [str(p) for p in result.warnings]


def _same_as_afresh(source: Path, out: Path, afresh: Path) -> None:
    _html(source, afresh, force=True)
    for lang in ("en", "fr"):
        name = f"mini-book.{lang}.html"
        assert (out / name).read_bytes() == (afresh / name).read_bytes(), name


EDITS = [
    # A statement's place: a name of the index changes, in every text the book searches.
    (WALKOUT, "place: Kinshasa, DR Congo", "place: Lubumbashi, DR Congo"),
    # Its body, its title.
    (WALKOUT, "We walked out.", "We walked out, and Ada Okafor said why."),
    (WALKOUT, "title: Walk-out at the intersessional", "title: Walk-out at Lubumbashi"),
    # A person's name: the links and the names found in every text.
    (ADA, "Ada Okafor", "Ada N. Okafor"),
    # A translation.
    (PLENARY_FR, "title: ", "title: Encore, "),
    # An organisation's website (its appendix) and an event's note (the chronology): each
    # section of the book kept by a warm process is made again when what it shows changes.
    ("content/organisations/test-coalition.yaml", "example.org", "example.net"),
    ("content/events/2003-launch.yaml", "Cited by the 2019", "Quoted by the 2019"),
]


@pytest.mark.parametrize("edits", [EDITS[:1], EDITS])
def test_the_html_after_edits_in_a_warm_process_is_a_fresh_builds(
    tmp_path: Path, edits: list[tuple[str, str, str]]
) -> None:
    source = copy_fixture("mini", tmp_path)
    out, warm = tmp_path / "out", Warm()
    _html(source, out, warm)
    for number, (file, old, new) in enumerate(edits):
        edit(source / file, old, new, count=1)
        _html(source, out, warm)
        _same_as_afresh(source, out, tmp_path / f"afresh-{number}")
    # What did not change was taken as kept, not made again.
    assert warm.memo("check").hits > 0
    assert warm.memo("assemble").hits > 0
    assert warm.memo("load").hits > 0


def test_a_warm_process_compiles_the_templates_once_for_each_language(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Each language's catalogs have their own environment, kept across rounds: were the
    two languages to take each other's, no round would find the HTML it made before."""
    source = copy_fixture("mini", tmp_path)
    made: list[object] = []
    real = rendering.environment

    def counted(*arguments: Any) -> Any:
        made.append(arguments[1])
        return real(*arguments)

    monkeypatch.setattr(rendering, "environment", counted)
    out, warm = tmp_path / "out", Warm()
    _html(source, out, warm)
    assert len(made) == 2  # English and French
    for file, old, new in EDITS[:2]:
        edit(source / file, old, new, count=1)
        _html(source, out, warm)
    assert len(made) == 2


ERRORS = [
    # The statement's own fields: one its file's reading refuses, one the check refuses.
    (WALKOUT, "kind: closing-remarks", "kind: closing remarks"),
    (WALKOUT, "issues: [reform, communities]", "issues: [reform, comunities]"),
    # The archived source of another statement, its own file unchanged: no longer faithful.
    ("content/sources/2019-11-22-plenary.txt", "The scheme must change.", "The scheme is fine."),
    # Its body: a link to a statement the book does not have.
    (WALKOUT, "We walked out.", "We walked out [again](statement:2019-11-22-plenery)."),
    # Another file than the statement's: the person it names no longer loads.
    (ADA, "name: ", "nome: "),
    # Another file than the statement's: the person it names removed from the book.
    (ADA, "", None),
]


def _make_error(source: Path, file: str, old: str, new: str | None) -> str:
    """One of `ERRORS` made in the book (`new` None: the file removed); the file's text
    before, to undo it with."""
    written = (source / file).read_text(encoding="utf-8")
    if new is None:
        (source / file).unlink()
    else:
        edit(source / file, old, new, count=1)
    return written


@pytest.mark.parametrize(("file", "old", "new"), ERRORS)
def test_a_warm_process_reports_an_error_an_edit_makes_and_clears_it_when_undone(
    tmp_path: Path, file: str, old: str, new: str | None
) -> None:
    source = copy_fixture("mini", tmp_path)
    warm = Warm()
    before = _outcome(source, tmp_path / "out", warm)
    assert before[0] == "built"
    written = _make_error(source, file, old, new)
    broken = _outcome(source, tmp_path / "out", warm)
    assert broken[0] == "failed"
    assert broken == _outcome(source, tmp_path / "cold-broken")  # the same problems, no more
    assert any(": error: " in line for line in broken[1])
    (source / file).write_text(written, encoding="utf-8")
    fixed = _outcome(source, tmp_path / "out", warm)
    assert fixed == before
    assert fixed == _outcome(source, tmp_path / "cold-fixed")


def test_a_warm_process_that_checks_in_its_worker_reports_what_a_fresh_check_does(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A long book's check runs in the warm process's own worker, beside the rounds, with
    findings of its own: each error an edit makes stops the round, with the problems a
    fresh build finds, and the fix clears it."""
    source = copy_fixture("mini", tmp_path)
    warm = Warm()

    def afresh(out: Path) -> tuple[str, list[str]]:
        with monkeypatch.context() as here:
            here.setattr(build_run, "CHECK_BESIDE_STATEMENTS", 10**9)
            return _outcome(source, out)

    monkeypatch.setattr(build_run, "CHECK_BESIDE_STATEMENTS", 0)
    try:
        before = _outcome(source, tmp_path / "out", warm)
        assert before == afresh(tmp_path / "cold") and before[0] == "built"
        assert warm.checker is not None
        for number, (file, old, new) in enumerate(ERRORS):
            written = _make_error(source, file, old, new)
            broken = _outcome(source, tmp_path / "out", warm)
            assert broken[0] == "failed", file
            assert broken == afresh(tmp_path / f"cold-broken-{number}")
            (source / file).write_text(written, encoding="utf-8")
            assert _outcome(source, tmp_path / "out", warm) == before
    finally:
        warm.close()
    assert warm.checker is None
    assert warm.memo("check").hits == 0  # every check ran in the worker


def test_a_warm_process_whose_check_worker_died_checks_here_and_starts_another(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    source = copy_fixture("mini", tmp_path)
    monkeypatch.setattr(build_run, "CHECK_BESIDE_STATEMENTS", 0)
    warm = Warm()
    try:
        before = _outcome(source, tmp_path / "out", warm)
        dead = warm.checker
        assert dead is not None
        for process in list(getattr(dead, "_processes", {}).values()):
            process.kill()  # killed by the system, say, for its memory
            process.join()
        edit(source / WALKOUT, "issues: [reform, communities]", "issues: [reform, comunities]")
        broken = _outcome(source, tmp_path / "out", warm)
        assert broken[0] == "failed" and any("comunities" in line for line in broken[1])
        assert warm.checker is not None and warm.checker is not dead  # a new worker
        edit(source / WALKOUT, "issues: [reform, comunities]", "issues: [reform, communities]")
        assert _outcome(source, tmp_path / "out", warm) == before
    finally:
        warm.close()


def test_a_save_during_a_round_that_takes_the_kept_check_is_no_failure(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The watch's second step (the PDF, the EPUB) takes the check its first step made; a
    file saved while it runs leaves its outputs unrecorded, and the build goes on."""
    source = copy_fixture("mini", tmp_path)
    out, warm = tmp_path / "out", Warm()
    _html(source, out, warm)
    real, calls = build_run.inputs_digest, []

    def saved_meanwhile(request: BuildRequest) -> str:
        calls.append(request)
        return real(request) + (", saved since" if len(calls) > 1 else "")

    monkeypatch.setattr(build_run, "inputs_digest", saved_meanwhile)
    result = build(BuildRequest(source=source, out=out, formats=["html"], force=True), warm=warm)
    assert len(calls) == 2 and len(result.written) == 2
    assert warm.hits > 0  # the check was the kept one


def test_the_check_is_of_the_content_the_build_loaded_when_a_save_came_between(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The warm process's worker loads the files itself: if they are not those the build
    loaded (a save came between), the build checks what it loaded, here."""
    from kpbrief.build.plan import inputs_digest
    from kpbrief.content.load import load_content

    source = copy_fixture("mini", tmp_path)
    monkeypatch.setattr(build_run, "CHECK_BESIDE_STATEMENTS", 0)
    request = BuildRequest(source=source, out=tmp_path / "out", formats=["html"])
    loaded, inputs = load_content(source), inputs_digest(request)
    edit(source / WALKOUT, "issues: [reform, communities]", "issues: [reform, comunities]")
    warm = Warm()
    try:
        # The worker loads the file as saved now, not as the build loaded it: the build's
        # content is checked here, and has no error.
        check = build_run._Check(loaded, warm=warm, request=request, inputs=inputs)
        assert not any(p.severity == "error" for p in check.result())
        # Told that the build loaded the files as they are now, the worker's problems stand.
        ahead = build_run._Check(loaded, warm=warm, request=request, inputs=inputs_digest(request))
        assert any("comunities" in p.message for p in ahead.result())
        # A save while the build ran: what the build loaded is checked again, here.
        ahead.of_what_was_loaded()
        assert not any(p.severity == "error" for p in ahead.result())
    finally:
        warm.close()


def test_a_warm_process_gives_the_warnings_of_a_fresh_check_after_an_edit_elsewhere(
    tmp_path: Path,
) -> None:
    """A person made private: every statement that names them is warned of it again."""
    source = copy_fixture("mini", tmp_path)
    warm = Warm()
    _outcome(source, tmp_path / "out", warm)
    (source / ADA).write_text(
        (source / ADA).read_text(encoding="utf-8") + "public: false\n", encoding="utf-8"
    )
    private = _outcome(source, tmp_path / "out", warm)
    assert any("'ada-okafor' is not public" in line for line in private[1])
    assert private == _outcome(source, tmp_path / "cold")


@pytest.mark.parametrize(("file", "old", "new"), ERRORS[:4])
def test_a_one_off_build_checks_with_the_last_builds_findings_and_finds_what_afresh_finds(
    tmp_path: Path, file: str, old: str, new: str | None
) -> None:
    """`kpbrief build` after an edit, with the findings the last build left in its output
    folder (`check_memo`): the same problems as a build into an empty folder."""
    source = copy_fixture("mini", tmp_path)
    before = _outcome(source, tmp_path / "out")
    assert before[0] == "built" and (tmp_path / "out" / MEMO_FILE).is_file()
    written = (source / file).read_text(encoding="utf-8")
    edit(source / file, old, new, count=1)
    broken = _outcome(source, tmp_path / "out")
    assert broken[0] == "failed"
    assert broken == _outcome(source, tmp_path / "cold-broken")
    (source / file).write_text(written, encoding="utf-8")
    assert _outcome(source, tmp_path / "out") == before


def test_a_one_off_build_checks_again_only_what_changed(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    source = copy_fixture("mini", tmp_path)
    _outcome(source, tmp_path / "out")
    checked: list[str] = []
    real = Checker.statement

    def counted(self: Checker, statement: Any) -> None:
        checked.append(statement.id)
        real(self, statement)

    monkeypatch.setattr(Checker, "statement", counted)
    edit(source / WALKOUT, "We walked out.", "We walked out, all of us.", count=1)
    _outcome(source, tmp_path / "out")
    assert checked == ["2021-06-walkout"]
    # Findings written by another kpbrief (another salt), or damaged, are not used.
    memo = tmp_path / "out" / MEMO_FILE
    memo.write_text(memo.read_text(encoding="utf-8").replace('"salt": "', '"salt": "x'), "utf-8")
    checked.clear()
    _outcome(source, tmp_path / "out")
    assert len(checked) > 1
    memo.write_text("{not json", encoding="utf-8")
    checked.clear()
    assert _outcome(source, tmp_path / "out")[0] == "built" and len(checked) > 1
