"""The preview server against a page elsewhere: a foreign Host, hidden folders, idle sockets."""

from __future__ import annotations

import http.client
import socket
from collections.abc import Iterator

import pytest

from kpbrief.authoring import preview
from kpbrief.authoring.preview import PreviewServer, PreviewState, start_preview
from kpbrief.document import ASSETS

SECRET = "PAGE-WORDS-2718"


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[PreviewServer]:
    folder = tmp_path_factory.mktemp("preview")
    (folder / "book.en.html").write_text(f"<html><body>{SECRET}</body></html>")
    (folder / ".kpbrief-parts").mkdir()
    (folder / ".kpbrief-parts/part-1.pdf").write_text(SECRET)
    (folder / ".kpbrief-build.json").write_text(SECRET)
    (folder / "notes.txt").write_text(SECRET)
    (folder / f"{ASSETS}/media").mkdir(parents=True)
    (folder / f"{ASSETS}/media/a.svg").write_text("<svg xmlns='http://www.w3.org/2000/svg'/>")
    (folder / f"{ASSETS}/.hidden").write_text(SECRET)
    script = tmp_path_factory.mktemp("script") / "live.js"
    script.write_text("/* reload */")
    running = start_preview(folder, PreviewState(), script, 0)
    yield running
    running.shutdown()
    running.server_close()


def get(server: PreviewServer, path: str, host: str | None) -> tuple[int, dict[str, str], str]:
    connection = http.client.HTTPConnection("127.0.0.1", server.server_address[1], timeout=10)
    connection.putrequest("GET", path, skip_host=True)
    if host is not None:
        connection.putheader("Host", host)
    connection.endheaders()
    response = connection.getresponse()
    body = response.read().decode("utf-8", "replace")
    connection.close()
    return response.status, dict(response.getheaders()), body


def test_only_its_own_host_is_answered(server: PreviewServer) -> None:
    port = server.server_address[1]
    for host in (f"127.0.0.1:{port}", f"localhost:{port}", f"LOCALHOST:{port}"):
        status, _, body = get(server, "/book.en.html", host)
        assert status == 200 and SECRET in body, host
    for host in (
        f"attacker.example:{port}",
        "attacker.example",
        f"127.0.0.1:{port + 1}",
        "127.0.0.1",
        f"127.0.0.1.attacker.example:{port}",
        "",
        None,
    ):
        for path in ("/book.en.html", "/_kpbrief/events", "/_kpbrief/live.js", "/"):
            status, _, body = get(server, path, host)
            assert status == 421 and SECRET not in body and "reload" not in body, (host, path)


def test_only_pages_and_their_assets_are_served(server: PreviewServer) -> None:
    host = f"127.0.0.1:{server.server_address[1]}"
    assert get(server, f"/{ASSETS}/media/a.svg", host)[0] == 200
    for path in (
        "/.kpbrief-parts/part-1.pdf",
        "/%2ekpbrief-parts/part-1.pdf",
        "/.kpbrief-build.json",
        f"/{ASSETS}/.hidden",
        "/notes.txt",
        "/../book.en.html/..",
    ):
        status, _, body = get(server, path, host)
        assert status == 404 and SECRET not in body, path


def test_the_policy_allows_only_the_reload_script_sent_with_the_page(
    server: PreviewServer,
) -> None:
    host = f"127.0.0.1:{server.server_address[1]}"
    nonces = []
    for _ in range(2):
        _status, headers, page = get(server, "/book.en.html", host)
        nonce = page.split('nonce="', 1)[1].split('"', 1)[0]
        scripts = headers["Content-Security-Policy"].split("script-src ", 1)[1].split(";")[0]
        assert scripts == f"'nonce-{nonce}'"
        nonces.append(nonce)
    assert nonces[0] != nonces[1] and len(nonces[0]) >= 16  # a new one for every page
    _status, headers, _ = get(server, f"/{ASSETS}/media/a.svg", host)
    assert "script-src 'none'" in headers["Content-Security-Policy"]
    assert headers["X-Content-Type-Options"] == "nosniff"


def test_an_idle_connection_is_closed(
    server: PreviewServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(preview._Handler, "timeout", 0.5)
    with socket.create_connection(("127.0.0.1", server.server_address[1])) as idle:
        idle.settimeout(60)  # generous: the server closes it after half a second of silence
        idle.sendall(b"GET /book.en.html HTTP/1.1\r\n")  # and then nothing more
        assert idle.recv(1024) == b""
