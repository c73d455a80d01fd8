"""The editing loop: build, serve the preview, and build again each time a file is saved.

Each round first makes the HTML the preview shows (quick: no engine), tells the browsers,
then makes the other requested formats. Builds are incremental, so a round makes only what
the edit affected; and the process stays warm (`build.warm`): a round loads and checks the
content once, renders each language's HTML once for the preview and the PDF alike, and keeps
WeasyPrint imported between rounds. Across rounds it keeps what each stage made of each part
of the book by the digest of that part's inputs, so that a round after an edit reads, checks,
assembles and renders again only the files, statements and pieces of HTML the edit changed.
A failed round reports its problems, on the terminal and in the browser, and the loop goes on
waiting for the fix.
"""

from __future__ import annotations

import dataclasses
import gc
import queue
import sys
import threading
from collections.abc import Iterable
from pathlib import Path
from typing import TextIO

from kpbrief.authoring.preview import PreviewState, start_preview
from kpbrief.build import BuildFailed, BuildRequest, build
from kpbrief.build.progress import for_stream
from kpbrief.build.warm import Warm
from kpbrief.folder import layout_dirs, locale_dirs

# How long the watched folders must be quiet after a change before a round starts.
WATCH_STEP_MS = 20
# How long watchfiles waits for a change before it answers anyway (the first answer tells
# that the folders are watched; later ones are ignored).
WATCH_READY_MS = 200


def watched_folders(request: BuildRequest) -> list[Path]:
    """What a build reads: the book's content, layouts and locales, and kpbrief's own."""
    folders = [request.source / "content", *layout_dirs(request.source)]
    folders += locale_dirs(request.source)
    unique: dict[Path, None] = {}
    for folder in folders:
        if folder.is_dir():
            unique.setdefault(folder.resolve())
    return list(unique)


def live_script(source: Path) -> Path:
    """The preview's reload script: the book's own layouts first, then kpbrief's."""
    for folder in layout_dirs(source):
        script = folder / "preview" / "live.js"
        if script.is_file():
            return script
    raise FileNotFoundError("no preview/live.js in the layouts")


def build_round(
    request: BuildRequest, state: PreviewState, stream: TextIO, warm: Warm | None = None
) -> bool:
    """One round: the preview's HTML, then the other formats. True if all went well."""
    warm = warm if warm is not None else Warm()
    preview = dataclasses.replace(request, formats=["html"])
    others = [f for f in request.formats if f != "html"]
    for step in [preview] + (
        [dataclasses.replace(request, formats=others, preview=True)] if others else []
    ):
        try:
            with for_stream(stream) as progress:
                build(step, progress, warm)
        except BuildFailed as failure:
            for problem in failure.problems:
                print(problem, file=stream, flush=True)
            print(f"build failed: {failure}", file=stream, flush=True)
            errors = [str(p) for p in failure.problems if p.severity == "error"]
            state.publish([*errors, f"build failed: {failure}"])
            return False
        if step is preview:
            state.publish(making=[fmt.upper() for fmt in others])
    state.made()
    return True


def serve(out: Path, script: Path, port: int, stream: TextIO = sys.stderr) -> None:
    """`kpbrief serve`: the preview of what is in `out`, reloaded when its HTML changes."""
    from watchfiles import watch as watch_files

    state = PreviewState()
    server = start_preview(out, state, script, port)
    print(f"serving {server.url} (Ctrl-C to stop)", file=stream, flush=True)
    try:
        for changes in watch_files(out, watch_filter=lambda _c, path: path.endswith(".html")):
            if changes:
                state.publish()
    except KeyboardInterrupt:
        pass
    finally:
        server.shutdown()


def watch(
    request: BuildRequest,
    port: int,
    stream: TextIO = sys.stderr,
    stop: threading.Event | None = None,
) -> None:
    """`kpbrief watch`: build, serve, and rebuild on every save until Ctrl-C (or `stop`)."""
    from watchfiles import Change, DefaultFilter
    from watchfiles import watch as watch_files

    from kpbrief.engines.parts import KeptJoins, KeptSources, LayoutWorkers

    state = PreviewState()
    folders = watched_folders(request)
    out = request.out.resolve()
    editors = DefaultFilter()  # an editor's swap and backup files, version control's own

    def read_by_build(change: Change, path: str) -> bool:
        return editors(change, path) and not Path(path).is_relative_to(out)

    # The folders are watched from before the preview is served and the first round runs, in
    # a thread of their own: a save made as soon as the preview is announced, while a round
    # runs or just after it, starts the next round.
    stopped = stop or threading.Event()
    ready = threading.Event()
    saves: queue.Queue[set[tuple[Change, str]] | None] = queue.Queue()

    def watching() -> None:
        # A save is a burst of events a few milliseconds long: the round starts once the
        # folders have been quiet for `WATCH_STEP_MS` (watchfiles waits 50 ms by default).
        # watchfiles' first answer, changes or a timeout, comes once its watches are set.
        try:
            for changes in watch_files(
                *folders,
                watch_filter=read_by_build,
                stop_event=stopped,
                step=WATCH_STEP_MS,
                rust_timeout=WATCH_READY_MS,
                yield_on_timeout=True,
                raise_interrupt=False,
            ):
                ready.set()
                if changes:
                    saves.put(changes)
        finally:
            ready.set()
            saves.put(None)

    watcher = threading.Thread(target=watching, name="kpbrief-watch", daemon=True)
    watcher.start()
    ready.wait()
    try:
        # Served before the first round: a browser opened at once sees the book when it ends.
        server = start_preview(request.out, state, live_script(request.source), port)
    except BaseException:
        stopped.set()
        raise
    print(f"serving {server.url} (Ctrl-C to stop)", file=stream, flush=True)
    warm = Warm()
    # A long book's part workers stay, WeasyPrint imported, for the next save, and so
    # does its join, with the parts that the next edit will not touch (`KeptJoins`).
    LayoutWorkers.keep = True
    try:
        build_round(request, state, stream, warm)
        _between_rounds()
        while (changes := saves.get()) is not None:
            while not saves.empty():  # saves made during the last round: one round for all
                more = saves.get_nowait()
                if more is None:
                    return
                changes |= more
            for name in sorted(_shown(changes, folders)):
                print(f"changed: {name}", file=stream, flush=True)
            build_round(request, state, stream, warm)
            _between_rounds()
    except KeyboardInterrupt:
        pass
    finally:
        stopped.set()
        LayoutWorkers.keep = False
        LayoutWorkers.stop()
        KeptJoins.stop()
        KeptSources.stop()
        warm.close()
        server.shutdown()


def _between_rounds() -> None:
    """While the watch waits for the next save: the round's garbage collected, and what is
    left (the book the process keeps) frozen, so that the collector does not walk it again
    during the next round (a full collection of it took 0.04-0.05 s of a 0.4 s round)."""
    gc.unfreeze()
    gc.collect()
    gc.freeze()


def _shown(changes: Iterable[tuple[object, str]], folders: list[Path]) -> set[str]:
    names = set()
    for _change, path in changes:
        where = Path(path)
        base = next((f for f in folders if where.is_relative_to(f)), None)
        names.add(str(where.relative_to(base.parent)) if base else path)
    return names
