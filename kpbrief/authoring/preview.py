"""The live preview: the book's HTML served on localhost, reloaded in the browser after a build.

The server answers only on the loopback interface and serves only files of the output
folder. The reload script is added to each page as it is sent, never to the files: the
outputs carry no script. A browser learns of each build over Server-Sent Events
(`/_kpbrief/events`): it reloads the page when the book changed and shows the problems
when a build failed, then clears them when the next build succeeds.
"""

from __future__ import annotations

import html
import json
import mimetypes
import threading
from collections.abc import Iterable
from dataclasses import dataclass, field
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import unquote, urlsplit

LIVE_PREFIX = "/_kpbrief/"
_POLICY = (
    "default-src 'self'; script-src 'self'; connect-src 'self'; style-src 'self' "
    "'unsafe-inline'; img-src 'self' data:; font-src 'self'; object-src 'none'; base-uri 'none'"
)


@dataclass
class PreviewState:
    """What the browsers are told: the build's generation and the last build's problems."""

    generation: int = 0
    problems: list[str] = field(default_factory=list)
    changed: threading.Condition = field(default_factory=threading.Condition)
    closing: bool = False

    def publish(self, problems: Iterable[str] = ()) -> None:
        """A build ended: with no problems the pages reload, else they show the problems."""
        with self.changed:
            self.problems = list(problems)
            if not self.problems:
                self.generation += 1
            self.changed.notify_all()

    def close(self) -> None:
        with self.changed:
            self.closing = True
            self.changed.notify_all()

    def message(self) -> bytes:
        data = json.dumps({"generation": self.generation, "problems": self.problems})
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

    def log_message(self, format: str, *args: object) -> None:
        pass  # the terminal is for the build's messages

    def do_GET(self) -> None:
        path = unquote(urlsplit(self.path).path)
        if path == "/":
            self._index()
        elif path == LIVE_PREFIX + "live.js":
            self._send(self.server.script.read_bytes(), "text/javascript; charset=utf-8")
        elif path == LIVE_PREFIX + "events":
            self._events()
        else:
            self._file(path)

    def _send(self, body: bytes, kind: str, status: HTTPStatus = HTTPStatus.OK) -> None:
        self.send_response(status)
        self.send_header("Content-Type", kind)
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Cache-Control", "no-store")
        self.send_header("Content-Security-Policy", _POLICY)
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
        body = _with_live_script("<!DOCTYPE html><html><body></body></html>", self.server.state)
        self._send(body.encode(), "text/html; charset=utf-8")

    def _file(self, path: str) -> None:
        folder = self.server.folder
        try:
            target = (folder / path.lstrip("/")).resolve()
        except (OSError, ValueError):
            self._not_found()
            return
        if not target.is_relative_to(folder) or not target.is_file() or target.name[0] == ".":
            self._not_found()
            return
        kind = mimetypes.guess_type(target.name)[0] or "application/octet-stream"
        if target.suffix == ".html":
            page = _with_live_script(target.read_text(encoding="utf-8"), self.server.state)
            self._send(page.encode(), "text/html; charset=utf-8")
        else:
            self._send(target.read_bytes(), kind)

    def _events(self) -> None:
        state = self.server.state
        self.send_response(HTTPStatus.OK)
        self.send_header("Content-Type", "text/event-stream")
        self.send_header("Cache-Control", "no-store")
        self.end_headers()
        seen: tuple[int, list[str]] | None = None
        try:
            while True:
                with state.changed:
                    if seen == (state.generation, state.problems):
                        state.changed.wait(timeout=15)
                    if state.closing:
                        return
                    now = (state.generation, list(state.problems))
                    message = state.message() if now != seen else b": still here\n\n"
                    seen = now
                self.wfile.write(message)
                self.wfile.flush()
        except (BrokenPipeError, ConnectionResetError):
            return


def _with_live_script(page: str, state: PreviewState) -> str:
    tag = (
        f'<script src="{LIVE_PREFIX}live.js" '
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
