"""The live preview: the book's HTML served on localhost, reloaded in the browser after a build.

The server answers only on the loopback interface and serves only files of the output
folder. The reload script is added to each page as it is sent, never to the files: the
outputs carry no script. A browser learns of each build over Server-Sent Events
(`/_kpbrief/events`): it reloads the page when the book changed and shows the problems
when a build failed, then clears them when the next build succeeds. While `kpbrief watch` still
makes the other formats after the HTML, the page says which (`making`), without reloading.
"""

from __future__ import annotations

import html
import json
import mimetypes
import secrets
import threading
from collections.abc import Iterable
from dataclasses import dataclass, field
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import unquote, urlsplit

from kpbrief.document import ASSETS

LIVE_PREFIX = "/_kpbrief/"
IDLE_SECONDS = 30  # a connection that sends nothing for this long is closed


def _policy(nonce: str | None) -> str:
    """The page may run only the reload script sent with it (its nonce), load only files of
    this server, and be framed by no one."""
    scripts = f"'nonce-{nonce}'" if nonce else "'none'"
    return (
        f"default-src 'none'; script-src {scripts}; connect-src 'self'; style-src 'self' "
        "'unsafe-inline'; img-src 'self' data:; font-src 'self'; object-src 'none'; "
        "base-uri 'none'; form-action 'none'; frame-ancestors 'none'"
    )


@dataclass
class PreviewState:
    """What the browsers are told: the build's generation and the last build's problems."""

    generation: int = 0
    problems: list[str] = field(default_factory=list)
    making: list[str] = field(default_factory=list)  # outputs still being made, after the HTML
    changed: threading.Condition = field(default_factory=threading.Condition)
    closing: bool = False

    def publish(self, problems: Iterable[str] = (), making: Iterable[str] = ()) -> None:
        """A build ended: with no problems the pages reload, else they show the problems;
        `making`: the outputs still being made after it (the PDF, the EPUB)."""
        with self.changed:
            self.problems = list(problems)
            self.making = list(making)
            if not self.problems:
                self.generation += 1
            self.changed.notify_all()

    def made(self) -> None:
        """The outputs being made are done: the pages say so, and do not reload."""
        with self.changed:
            self.making = []
            self.changed.notify_all()

    def now(self) -> tuple[int, list[str], list[str]]:
        return self.generation, list(self.problems), list(self.making)

    def close(self) -> None:
        with self.changed:
            self.closing = True
            self.changed.notify_all()

    def message(self) -> bytes:
        data = json.dumps(
            {"generation": self.generation, "problems": self.problems, "making": self.making}
        )
        return f"event: build\ndata: {data}\n\n".encode()


class PreviewServer(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self, folder: Path, state: PreviewState, script: Path, port: int) -> None:
        super().__init__(("127.0.0.1", port), _Handler)
        self.folder = folder.resolve()
        self.state = state
        self.script = script

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}/"

    def pages(self) -> list[str]:
        return sorted(p.name for p in self.folder.glob("*.html"))

    def shutdown(self) -> None:
        self.state.close()
        super().shutdown()


class _Handler(BaseHTTPRequestHandler):
    server: PreviewServer
    protocol_version = "HTTP/1.1"
    timeout = IDLE_SECONDS

    def log_message(self, format: str, *args: object) -> None:
        pass  # the terminal is for the build's messages

    def do_GET(self) -> None:
        if not self._host_allowed():
            body = b"this preview answers only to its own address\n"
            self._send(body, "text/plain; charset=utf-8", HTTPStatus.MISDIRECTED_REQUEST)
            return
        path = unquote(urlsplit(self.path).path)
        if path == "/":
            self._index()
        elif path == LIVE_PREFIX + "live.js":
            self._send(self.server.script.read_bytes(), "text/javascript; charset=utf-8")
        elif path == LIVE_PREFIX + "events":
            self._events()
        else:
            self._file(path)

    def _host_allowed(self) -> bool:
        """Only requests addressed to this server by name: a page elsewhere that rebinds its
        own name to 127.0.0.1 sends its name, and is refused (DNS rebinding)."""
        port = self.server.server_address[1]
        host = (self.headers.get("Host") or "").strip().lower()
        return host in (f"127.0.0.1:{port}", f"localhost:{port}")

    def _send(
        self,
        body: bytes,
        kind: str,
        status: HTTPStatus = HTTPStatus.OK,
        nonce: str | None = None,
    ) -> None:
        self.send_response(status)
        self.send_header("Content-Type", kind)
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Cache-Control", "no-store")
        self.send_header("Content-Security-Policy", _policy(nonce))
        self.send_header("X-Content-Type-Options", "nosniff")
        self.send_header("Cross-Origin-Resource-Policy", "same-origin")
        self.end_headers()
        self.wfile.write(body)

    def _not_found(self) -> None:
        self._send(b"not found\n", "text/plain; charset=utf-8", HTTPStatus.NOT_FOUND)

    def _index(self) -> None:
        pages = self.server.pages()
        if len(pages) >= 1:
            self.send_response(HTTPStatus.FOUND)
            self.send_header("Location", "/" + pages[0])
            self.send_header("Content-Length", "0")
            self.end_headers()
            return
        nonce = secrets.token_urlsafe(18)
        body = _with_live_script(
            "<!DOCTYPE html><html><body></body></html>", self.server.state, nonce
        )
        self._send(body.encode(), "text/html; charset=utf-8", nonce=nonce)

    def _file(self, path: str) -> None:
        folder = self.server.folder
        try:
            target = (folder / path.lstrip("/")).resolve()
        except (OSError, ValueError):
            self._not_found()
            return
        if (
            not target.is_relative_to(folder)
            or not target.is_file()
            or not _served(target.relative_to(folder))
        ):
            self._not_found()
            return
        kind = mimetypes.guess_type(target.name)[0] or "application/octet-stream"
        if target.suffix == ".html":
            nonce = secrets.token_urlsafe(18)
            page = _with_live_script(target.read_text(encoding="utf-8"), self.server.state, nonce)
            self._send(page.encode(), "text/html; charset=utf-8", nonce=nonce)
        else:
            self._send(target.read_bytes(), kind)

    def _events(self) -> None:
        state = self.server.state
        self.send_response(HTTPStatus.OK)
        self.send_header("Content-Type", "text/event-stream")
        self.send_header("Cache-Control", "no-store")
        self.end_headers()
        seen: tuple[int, list[str], list[str]] | None = None
        try:
            while True:
                with state.changed:
                    if seen == state.now():
                        state.changed.wait(timeout=15)
                    if state.closing:
                        return
                    now = state.now()
                    message = state.message() if now != seen else b": still here\n\n"
                    seen = now
                self.wfile.write(message)
                self.wfile.flush()
        except (BrokenPipeError, ConnectionResetError):
            return


def _served(relative: Path) -> bool:
    """What a build writes and the preview shows: the HTML pages of the folder itself and
    the assets beside them; never a hidden file or folder (the caches), nor anything else."""
    parts = relative.parts
    if not parts or any(part.startswith(".") for part in parts):
        return False
    if len(parts) == 1:
        return relative.suffix == ".html"
    return parts[0] == ASSETS


def _with_live_script(page: str, state: PreviewState, nonce: str) -> str:
    tag = (
        f'<script src="{LIVE_PREFIX}live.js" nonce="{nonce}" '
        f'data-generation="{html.escape(str(state.generation))}"></script>'
    )
    at = page.rfind("</body>")
    return page[:at] + tag + page[at:] if at >= 0 else page + tag


def start_preview(folder: Path, state: PreviewState, script: Path, port: int) -> PreviewServer:
    """Serve `folder` on localhost from a background thread; port 0 picks a free one."""
    server = PreviewServer(folder, state, script, port)
    folder.mkdir(parents=True, exist_ok=True)
    threading.Thread(target=server.serve_forever, name="kpbrief-preview", daemon=True).start()
    return server
