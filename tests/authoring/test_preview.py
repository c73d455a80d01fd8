"""The editing loop, as a user lives it: `kpbrief watch` in a terminal, the preview in a browser.

The browser is Debian's chromium driven by Playwright. `make test` installs chromium when it
is missing; if it is still missing, these tests fail: they are never skipped.
"""

from __future__ import annotations

import http.client
import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from helpers.books import copy_fixture, edit

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
WALKOUT = "content/statements/2021-06-walkout.en.md"
BROKEN = "content/statements/2022-01-broken.en.md"


@dataclass
class Running:
    """A kpbrief command running in the background, its terminal output collected."""

    process: subprocess.Popen[str]
    lines: list[str] = field(default_factory=list)

    def __post_init__(self) -> None:
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self) -> None:
        assert self.process.stderr is not None
        for line in self.process.stderr:
            self.lines.append(line.rstrip("\n"))

    def wait_for(self, text: str, timeout: float = 120) -> str:
        end = time.monotonic() + timeout
        while time.monotonic() < end:
            found = next((line for line in self.lines if text in line), None)
            if found is not None:
                return found
            if self.process.poll() is not None:
                break
            time.sleep(0.1)
        raise AssertionError(f"no line with {text!r} in:\n" + "\n".join(self.lines))

    def url(self) -> str:
        return self.wait_for("serving http://").split()[1]

    def stop(self) -> None:
        self.process.terminate()
        self.process.wait(timeout=20)


def start(*argv: str) -> Running:
    command = [sys.executable, "-m", "kpbrief", *argv]
    process = subprocess.Popen(
        command, stderr=subprocess.PIPE, stdout=subprocess.DEVNULL, text=True
    )
    return Running(process)


@pytest.fixture()
def watching(tmp_path: Path) -> Iterator[tuple[Path, Path, Running]]:
    source = copy_fixture("mini", tmp_path)
    out = tmp_path / "out"
    running = start(
        "watch", "--source", str(source), "--out", str(out), "--format", "html", "--port", "0"
    )
    yield source, out, running
    running.stop()


def test_the_browser_preview_follows_edits_and_survives_a_broken_file(
    watching: tuple[Path, Path, Running],
) -> None:
    if not CHROMIUM.exists():
        pytest.fail(f"{CHROMIUM} is missing: `make test` installs Debian's chromium package")
    from playwright.sync_api import expect, sync_playwright

    source, out, running = watching
    url = running.url()
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        page = browser.new_page()
        page.goto(url)
        body = page.locator("body")
        expect(page).to_have_title("Mini Briefing Book", timeout=60_000)  # the first build
        expect(body).to_contain_text("We walked out.")

        # Save an edit: the page reloads by itself and shows it.
        edit(source / WALKOUT, "We walked out.", "We walked out at dawn.")
        expect(body).to_contain_text("We walked out at dawn.", timeout=60_000)

        # Save a broken file: the watcher goes on, the page says what is wrong and where.
        (source / BROKEN).write_text("---\ntitle: [broken\n---\nText.\n", encoding="utf-8")
        problems = page.locator("#kpbrief-problems")
        expect(problems).to_contain_text(
            f"{BROKEN}:2:8: error: YAML does not parse", timeout=60_000
        )
        expect(body).to_contain_text("We walked out at dawn.")
        running.wait_for(f"{BROKEN}:2:8: error")
        assert running.process.poll() is None

        # Fix it and edit again: the problems go, the new text comes.
        (source / BROKEN).unlink()
        edit(source / WALKOUT, "at dawn.", "at dusk.")
        expect(body).to_contain_text("We walked out at dusk.", timeout=60_000)
        expect(problems).to_have_count(0)
        browser.close()
    # The reload script is added as pages are served, never written into the book.
    assert "<script" not in (out / "mini-book.en.html").read_text(encoding="utf-8")


def test_a_save_during_the_first_round_starts_another(tmp_path: Path) -> None:
    """The folders are watched from before the first round: a save made while it runs
    (here, as soon as the preview is served) is built in the next round, not missed."""
    source = copy_fixture("mini", tmp_path)
    out = tmp_path / "out"
    running = start(
        "watch", "--source", str(source), "--out", str(out), "--format", "html", "--port", "0"
    )
    try:
        running.url()  # served: the first round starts now
        edit(source / WALKOUT, "We walked out.", "We walked out at dawn.")
        running.wait_for("changed: content/statements/2021-06-walkout.en.md")
        end = time.monotonic() + 60
        html = out / "mini-book.en.html"
        while time.monotonic() < end and not (
            html.is_file() and "at dawn." in html.read_text(encoding="utf-8")
        ):
            time.sleep(0.1)
        assert "at dawn." in html.read_text(encoding="utf-8")
    finally:
        running.stop()


def test_an_editors_swap_and_backup_files_start_no_round(
    watching: tuple[Path, Path, Running],
) -> None:
    """vim's swap file, written every few seconds while a statement is open, and an
    editor's backup copy are no edit of the book: only the save itself starts a round."""
    source, _out, running = watching
    running.wait_for("mini-book.en.html: written")
    folder = source / "content" / "statements"
    (folder / ".2021-06-walkout.en.md.swp").write_bytes(b"b0VIM 9.0")
    (folder / "2021-06-walkout.en.md~").write_text("a backup", encoding="utf-8")
    time.sleep(1.5)
    assert not [line for line in running.lines if line.startswith("changed:")]
    edit(source / WALKOUT, "We walked out.", "We walked out at dawn.")
    assert running.wait_for("changed:") == "changed: content/statements/2021-06-walkout.en.md"


def _get(url: str, path: str) -> tuple[int, dict[str, str], str]:
    host, port = url.removeprefix("http://").rstrip("/").split(":")
    connection = http.client.HTTPConnection(host, int(port), timeout=10)
    connection.request("GET", path)  # sent as written: no client-side normalising
    response = connection.getresponse()
    body = response.read().decode("utf-8", "replace")
    connection.close()
    return response.status, dict(response.getheaders()), body


def test_serve_shows_only_the_output_folder(tmp_path: Path) -> None:
    from kpbrief.build import BuildRequest, build

    source = copy_fixture("mini", tmp_path)
    out = tmp_path / "out"
    build(BuildRequest(source=source, out=out, formats=["html"]))
    running = start("serve", "--source", str(source), "--out", str(out), "--port", "0")
    try:
        url = running.url()
        assert url.startswith("http://127.0.0.1:")
        status, headers, _ = _get(url, "/")
        assert status == 302 and headers["Location"] == "/mini-book.en.html"
        status, headers, page = _get(url, "/mini-book.fr.html")
        assert status == 200 and "Petit dossier" in page
        assert page.count("<script") == 1 and 'src="/_kpbrief/live.js"' in page
        policy = headers["Content-Security-Policy"]
        nonce = page.split('nonce="', 1)[1].split('"', 1)[0]
        scripts = policy.split("script-src ", 1)[1].split(";", 1)[0]
        assert scripts == f"'nonce-{nonce}'", policy  # only the reload script sent with the page
        status, _, _ = _get(url, "/kpbrief-assets/styles/print.css")
        assert status == 200
        for forbidden in (
            "/../../../../etc/passwd",
            "/%2e%2e/%2e%2e/%2e%2e/etc/passwd",
            "/.kpbrief-build.json",
            f"/{source}/content/book.yaml",
        ):
            assert _get(url, forbidden)[0] == 404, forbidden
    finally:
        running.stop()


def test_a_taken_port_is_a_clear_error(tmp_path: Path) -> None:
    import socket

    source = copy_fixture("mini", tmp_path)
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen(1)
        port = str(taken.getsockname()[1])
        result = subprocess.run(
            [sys.executable, "-m", "kpbrief", "watch", "--source", str(source), "--port", port],
            capture_output=True,
            text=True,
            timeout=60,
        )
    assert result.returncode == 1
    assert f"kpbrief watch: cannot serve on port {port}" in result.stderr
    assert not (source / "build").exists()  # nothing was built for a preview that cannot be


def test_serve_without_html_says_what_to_do(tmp_path: Path) -> None:
    source = copy_fixture("mini", tmp_path)
    result = subprocess.run(
        [sys.executable, "-m", "kpbrief", "serve", "--source", str(source)],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 1
    assert "kpbrief build --format html" in result.stderr


def test_the_preview_says_while_the_pdf_is_still_being_made(tmp_path: Path) -> None:
    if not CHROMIUM.exists():
        pytest.fail(f"{CHROMIUM} is missing: `make test` installs Debian's chromium package")
    from playwright.sync_api import expect, sync_playwright

    source = copy_fixture("mini", tmp_path)
    out = tmp_path / "out"
    running = start(
        "watch", "--source", str(source), "--out", str(out), "--lang", "en", "--format",
        "html", "--format", "pdf", "--no-packs", "--port", "0",
    )  # fmt: skip
    try:
        url = running.url()
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
            page = browser.new_page()
            page.goto(url)
            note = page.locator("#kpbrief-making")
            expect(page).to_have_title("Mini Briefing Book", timeout=120_000)
            expect(note).to_have_count(0, timeout=120_000)  # the first PDF is made
            # After an edit the page shows it at once, and says the PDF is still being made
            # until it is.
            edit(source / WALKOUT, "We walked out.", "We walked out at dawn.")
            expect(page.locator("body")).to_contain_text("at dawn.", timeout=60_000)
            expect(note).to_contain_text("still making PDF", timeout=30_000)
            expect(note).to_have_count(0, timeout=120_000)
            expect(page.locator("#kpbrief-problems")).to_have_count(0)
            browser.close()
    finally:
        running.stop()


def test_ctrl_c_stops_a_watch_and_its_part_workers_quietly(tmp_path: Path) -> None:
    """Ctrl-C at a terminal reaches every process of its group: the part workers the watch
    keeps between saves too, which leave the stopping to it (each printed a traceback)."""
    source = copy_fixture("mini", tmp_path)
    out = tmp_path / "out"
    command = [sys.executable, "-m", "kpbrief", "watch", "--source", str(source), "--out"]
    command += [str(out), "--lang", "en", "--format", "pdf", "--no-packs", "--parts", "2"]
    process = subprocess.Popen(
        [*command, "--port", "0"],
        stderr=subprocess.PIPE,
        stdout=subprocess.DEVNULL,
        text=True,
        start_new_session=True,
    )
    running = Running(process)
    try:
        running.wait_for("mini-book.en.pdf: written")
        time.sleep(1)  # the watcher waits for the next save, its workers for the next part
        os.killpg(process.pid, signal.SIGINT)
        process.wait(timeout=30)
        time.sleep(0.5)  # the last lines read
    finally:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGKILL)
    shown = "\n".join(running.lines)
    assert "Traceback" not in shown and "KeyboardInterrupt" not in shown, shown
