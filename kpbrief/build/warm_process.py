"""The warm build process: `kpbrief build` of a long book, handed to a process that stays.

A build in a fresh process spends seconds before its first layout: starting Python, loading
and checking every file, assembling and rendering the whole book, opening every part it
joins. A long book's next build (the last one was laid out in parts) is therefore handed to
a process of its own that stays after the build, with what it loaded, rendered and laid out
(`warm.Warm`), its layout workers (WeasyPrint imported) and the book's parts open
(`parts.KeptSources`); the next build of the same book and output folder is made there, and
does work in proportion to the edit. Its outputs are the bytes a build in a fresh process
writes: it is the same build, given what it would otherwise make again.

- One process per book folder and output folder, reached at a Unix socket in a folder only
  its user can open (`address`). The first build that wants one starts it (the command's
  own build then runs in it); it leaves after `IDLE_SECONDS` without a build, when kpbrief's
  code or the build's environment is not what it started with (the next build starts a new
  one), or when its book folder is gone.
- The command prints what the build prints, as it is printed, and returns its exit status.
  Ctrl-C stops the build as it would stop one made in the command's own process.
- `KPBRIEF_WARM=0` in the environment (or `CI` set, as continuous integration sets it)
  builds every time in the command's own process; so does `kpbrief build --cold`.

These are messages to the person running kpbrief, not part of any book: not in the catalogs.
"""

from __future__ import annotations

import _thread
import contextlib
import dataclasses
import fcntl
import gc
import hashlib
import io
import json
import os
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import traceback
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

from kpbrief.build.plan import BuildRequest

_LEAVING_STALE = "asked by a kpbrief with other code or another environment: leaving"
IDLE_SECONDS = 600.0  # a warm process leaves after this long without a build
STARTING_SECONDS = 60.0  # how long a command waits for the process it started to listen
SWITCH = "KPBRIEF_WARM"  # "0": no warm process
IDLE_SWITCH = "KPBRIEF_WARM_IDLE"  # seconds, instead of IDLE_SECONDS
# What of the environment a build can depend on: a process started with other values is
# not the one to build in.
ENVIRONMENT = ("SOURCE_DATE_EPOCH", "TZ", "LANG", "LC_ALL", "PATH", "HOME")


def wanted(request: BuildRequest, environ: dict[str, str] | None = None) -> bool:
    """Whether this build is for the warm process: one of its PDFs was laid out in parts by
    the last build into this output folder, and the environment does not say no."""
    from kpbrief.engines.parts import PART_CACHE, laid_out_in_parts_last_time

    environ = dict(os.environ if environ is None else environ)
    if environ.get(SWITCH, "").strip() == "0" or (environ.get("CI") and SWITCH not in environ):
        return False
    if request.formats and "pdf" not in request.formats and not request.press:
        return False
    cache = request.out / PART_CACHE
    try:
        folders = [folder for folder in cache.iterdir() if folder.is_dir()]
    except OSError:
        return False
    return any(laid_out_in_parts_last_time(folder) for folder in folders)


def identity() -> str:
    """What a warm process must have started with to make a build asked for here:
    kpbrief's code, the Python running it, the environment a build reads."""
    from kpbrief.build.fingerprint import tool_digest

    given = {
        "tool": tool_digest(),
        "python": [str(Path(sys.prefix).resolve()), str(Path(sys.executable).resolve())],
        "environment": {name: os.environ.get(name) for name in ENVIRONMENT},
        "kpbrief": {
            name: value
            for name, value in os.environ.items()
            if name.startswith("KPBRIEF_") and name not in (SWITCH, IDLE_SWITCH)
        },
    }
    return hashlib.sha256(json.dumps(given, sort_keys=True).encode()).hexdigest()


def address(request: BuildRequest) -> Path:
    """The socket of the warm process for the request's book and output folders."""
    base = Path(os.environ.get("XDG_RUNTIME_DIR") or tempfile.gettempdir())
    folder = base / f"kpbrief-{os.getuid()}"
    folder.mkdir(mode=0o700, exist_ok=True)
    if folder.stat().st_uid != os.getuid() or folder.stat().st_mode & 0o077:
        raise PermissionError(f"{folder} is not this user's alone")
    which = hashlib.sha256(f"{request.source}\0{request.out}".encode()).hexdigest()[:24]
    return folder / f"build-{which}.sock"


# The command's side.


def build_in_warm_process(request: BuildRequest, verbose: bool, quiet: bool) -> int | None:
    """The build made by the warm process (started if need be), its output printed here;
    its exit status, or None if no warm process could make it (build here, then)."""
    try:
        where = address(request)
    except OSError:
        return None
    asked = _asked(request, verbose, quiet)
    for _attempt in range(2):
        connection = _connected(where) or _started(where, request, quiet)
        if connection is None:
            return None
        with connection:
            status = _relay(connection, asked)
        if status != "stale":
            return status if isinstance(status, int) else None
        _wait_gone(where)  # it leaves: start one with this code and environment
    return None


def _asked(request: BuildRequest, verbose: bool, quiet: bool) -> bytes:
    fields = dataclasses.asdict(request)
    fields["source"], fields["out"] = str(request.source), str(request.out)
    message = {"identity": identity(), "request": fields, "verbose": verbose, "quiet": quiet}
    return json.dumps(message).encode() + b"\n"


def _connected(where: Path) -> socket.socket | None:
    connection = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    try:
        connection.connect(str(where))
    except OSError:
        connection.close()
        return None
    return connection


def _started(where: Path, request: BuildRequest, quiet: bool) -> socket.socket | None:
    """A new warm process for the request's book, once it listens (one command at a time
    starts one: the others wait for it, then connect)."""
    with _locked(where.with_suffix(".lock")):
        connection = _connected(where)
        if connection is not None:
            return connection
        with contextlib.suppress(FileNotFoundError):
            where.unlink()  # left by a process that was killed
        log = where.with_suffix(".log")
        with open(log, "wb") as output:
            process = subprocess.Popen(
                [sys.executable, "-m", "kpbrief.build.warm_process", str(where)],
                stdin=subprocess.DEVNULL,
                stdout=output,
                stderr=output,
                start_new_session=True,  # Ctrl-C at the command reaches the build by the socket
                cwd=str(request.source),
            )
        deadline = time.monotonic() + STARTING_SECONDS
        while time.monotonic() < deadline and process.poll() is None:
            connection = _connected(where)
            if connection is not None:
                if not quiet:
                    idle = _idle_seconds() / 60
                    print(
                        f"kpbrief: a warm build process (pid {process.pid}) keeps this book "
                        f"ready for the next build; it leaves after {idle:g} idle minutes "
                        f"({SWITCH}=0 or --cold: build without it)",
                        file=sys.stderr,
                        flush=True,
                    )
                return connection
            time.sleep(0.05)
        if process.poll() is None:
            process.kill()
        return None


@contextlib.contextmanager
def _locked(path: Path) -> Iterator[None]:
    with open(path, "a") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)


def _wait_gone(where: Path) -> None:
    deadline = time.monotonic() + 10
    while where.exists() and time.monotonic() < deadline:
        time.sleep(0.05)


def _relay(connection: socket.socket, asked: bytes) -> int | str | None:
    """The request sent; what the process prints, printed; its exit status ("stale" if it
    is not the process for this build, None if it went away without one)."""
    try:
        connection.sendall(asked)
    except OSError:
        return None
    from kpbrief.build.lifetime import Interrupted

    reader = connection.makefile("rb")
    interrupted = False
    while True:
        try:
            line = reader.readline()
        except (KeyboardInterrupt, Interrupted):
            if interrupted:
                raise
            interrupted = True  # the process stops the build, and says how it ended
            with contextlib.suppress(OSError):
                connection.shutdown(socket.SHUT_WR)
            continue
        except OSError:
            return None
        if not line:
            return None
        said = json.loads(line)
        if "stale" in said:
            return "stale"
        if "exit" in said:
            return int(said["exit"])
        stream = sys.stdout if said.get("to") == "out" else sys.stderr
        stream.write(said.get("text", ""))
        stream.flush()


# The warm process's side.


class _Said(io.TextIOBase):
    """A stream of the build (its standard output or error), sent to the command as it is
    written, whole lines at a time."""

    def __init__(self, send: Callable[[dict[str, Any]], None], to: str) -> None:
        super().__init__()
        self.send, self.to = send, to
        self.pending = ""

    def writable(self) -> bool:
        return True

    def isatty(self) -> bool:
        return False

    def write(self, text: str) -> int:
        self.pending += text
        if "\n" in self.pending:
            whole, _, self.pending = self.pending.rpartition("\n")
            self.send({"to": self.to, "text": whole + "\n"})
        return len(text)

    def flush(self) -> None:
        if self.pending:
            text, self.pending = self.pending, ""
            self.send({"to": self.to, "text": text})


def _idle_seconds() -> float:
    try:
        return float(os.environ.get(IDLE_SWITCH, IDLE_SECONDS))
    except ValueError:
        return IDLE_SECONDS


def serve(where: Path) -> None:
    """Listen at `where`, build each request that comes, leave when idle or outdated."""
    from kpbrief.build.warm import Warm
    from kpbrief.engines.parts import KeptJoins, KeptSources, LayoutWorkers

    os.umask(0o077)
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # but during a build (`_build_here`)
    started_as = identity()
    listening = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    listening.bind(str(where))
    mine = where.stat().st_ino  # the socket this process made, not a later one's
    listening.listen(8)
    listening.settimeout(_idle_seconds())
    source: Path | None = None
    warm = Warm()
    LayoutWorkers.keep = True
    try:
        while source is None or source.is_dir():
            try:
                connection, _ = listening.accept()
            except TimeoutError:
                print("no build asked for: leaving", file=sys.stderr, flush=True)
                return
            with connection:
                connection.settimeout(None)
                line = connection.makefile("rb").readline()
                try:
                    asked = json.loads(line)
                    request = _request(asked["request"])
                except (ValueError, KeyError, TypeError) as wrong:
                    print(f"not a request ({wrong!r}): {line[:200]!r}", file=sys.stderr)
                    continue
                if asked.get("identity") != started_as:
                    print(_LEAVING_STALE, file=sys.stderr, flush=True)
                    _send(connection, {"stale": True})
                    return
                # After the first build, the cyclic garbage collector waits for the build to
                # answer (it runs below): on the 500-statement book, a build took 4.69 s
                # with it waiting, 5.00 s without (medians of four, alternated). The first
                # build, which loads the whole book, is collected as it goes.
                if source is not None:
                    gc.disable()
                source = request.source
                try:
                    done = _build_here(connection, request, asked, warm)
                finally:
                    gc.enable()
            KeptSources.free()  # the book's join, freed once the command has its answer
            # What is kept frozen, so that the collector does not walk it during the next
            # build (as `kpbrief watch` does between rounds).
            gc.unfreeze()
            gc.collect()
            gc.freeze()
            if not done:
                return  # terminated, or kpbrief itself failed: start afresh next time
    finally:
        listening.close()
        with contextlib.suppress(OSError):
            if where.stat().st_ino == mine:  # a new process may have made its own there
                where.unlink()
        LayoutWorkers.keep = False
        LayoutWorkers.stop()
        KeptSources.stop()
        KeptJoins.stop()
        warm.close()


def _request(fields: dict[str, Any]) -> BuildRequest:
    fields = dict(fields, source=Path(fields["source"]), out=Path(fields["out"]))
    return BuildRequest(**fields)


def _send(connection: socket.socket, message: dict[str, Any]) -> None:
    with contextlib.suppress(OSError):
        connection.sendall(json.dumps(message).encode() + b"\n")


def _build_here(
    connection: socket.socket, request: BuildRequest, asked: dict[str, Any], warm: Any
) -> bool:
    """One build for the command at the other end of `connection`; whether the process
    stays (not if it was terminated, or if kpbrief itself failed)."""
    from kpbrief.build.lifetime import Interrupted, stopped_by_signals
    from kpbrief.build.limits import TimeLimitExceeded
    from kpbrief.build.report import run_build

    lock = threading.Lock()
    gone = threading.Event()

    def send(message: dict[str, Any]) -> None:
        with lock:
            if not gone.is_set():
                try:
                    connection.sendall(json.dumps(message).encode() + b"\n")
                except OSError:
                    gone.set()

    building = threading.Event()
    building.set()

    def watch_the_command() -> None:
        # The command closes its side when Ctrl-C is pressed there (or when it is killed):
        # the build is stopped as Ctrl-C stops it in the command's own process.
        with contextlib.suppress(OSError):
            while connection.recv(1024):
                pass
        if building.is_set():
            _thread.interrupt_main(signal.SIGINT)

    listener = threading.Thread(target=watch_the_command, name="command", daemon=True)
    listener.start()
    out, err = _Said(send, "out"), _Said(send, "err")
    status, stays = 1, True
    try:
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
            try:
                with stopped_by_signals():
                    status = run_build(request, asked["verbose"], asked["quiet"], warm)
            except (KeyboardInterrupt, Interrupted) as stop:
                print("kpbrief build: interrupted; nothing was written", file=sys.stderr)
                status = 130
                # Terminated (not stopped by the command's Ctrl-C): the process leaves too.
                stays = not (stop.args and stop.args[0] == signal.SIGTERM)
            except TimeLimitExceeded as stopped:
                print(f"kpbrief build: {stopped}", file=sys.stderr)
            except Exception:
                traceback.print_exc()
                stays = False
            finally:
                building.clear()
                out.flush()
                err.flush()
    finally:
        building.clear()
    send({"exit": status})
    with contextlib.suppress(OSError):
        connection.shutdown(socket.SHUT_RDWR)
    listener.join(timeout=1)
    return stays


def main(argv: list[str] | None = None) -> None:
    arguments = sys.argv[1:] if argv is None else argv
    serve(Path(arguments[0]))


if __name__ == "__main__":
    main()
