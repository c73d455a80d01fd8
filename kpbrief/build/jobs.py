"""Engine jobs: one output for one engine, run here or in worker processes on every core.

A job carries everything its engine needs (picklable for a spawned worker). Workers run in
process groups of their own, so that stopping one stops the pandoc or the part layouts it
started; the build's deadline kills them.
"""

from __future__ import annotations

import contextlib
import multiprocessing
import os
import queue
import signal
import tempfile
import time
import traceback
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from kpbrief.build.lifetime import die_with_parent
from kpbrief.build.limits import TimeLimitExceeded, time_limit_message
from kpbrief.build.plan import BuildFailed
from kpbrief.build.progress import Progress
from kpbrief.engines.assets import Assets, RefusedResource
from kpbrief.engines.cover import COVER_PIXELS
from kpbrief.engines.epub import EpubMetadata, write_epub
from kpbrief.engines.pdf import PdfVariant, render_pdf

# check, assemble and render (and the engines, in `write`) are imported where they are
# used: a build whose outputs are all up to date needs none of them, and answers at once.
if TYPE_CHECKING:
    pass


@dataclass(frozen=True)
class EngineJob:
    """One output for an engine: everything it needs, picklable for a worker process."""

    name: str  # the output's file name
    fmt: str  # "pdf" (the press PDF too) or "epub"
    target: Path  # the staged file to write
    html: str
    assets: Assets
    accessible: bool = True
    press_profile: Path | None = None  # PDF: the press PDF (PDF/X-4) with this output profile
    cover_html: str | None = None
    cover_size: tuple[int, int] = COVER_PIXELS["a4"]
    meta: EpubMetadata | None = None
    source_date: int = 0
    # PDF: laid out in this many parts (parts.py), 1: as one document, None: in the parts
    # its length asks for (`parts.part_count`), cut by length
    parts: int | None = 1
    workers: int = 1  # PDF in parts: processes laying parts out
    part_cache: Path | None = None  # PDF in parts: the parts of the last build, kept here
    part_salt: str = ""  # PDF in parts: what the parts depend on besides their HTML
    preview: bool = False  # PDF in parts: `kpbrief watch`'s (see `parts.render_pdf_in_parts`)


def run_engine_job(job: EngineJob, work: Path) -> None:
    """Run one output through its engine (in whichever process is given the job)."""
    if job.fmt == "pdf":
        _write_pdf(job)
        return
    assert job.meta is not None and job.cover_html is not None
    lang_dir = Path(tempfile.mkdtemp(prefix=f"{job.fmt}-", dir=work))
    # pandoc dates the EPUB from SOURCE_DATE_EPOCH: the given one, else the edition's.
    previous = os.environ.get("SOURCE_DATE_EPOCH")
    os.environ["SOURCE_DATE_EPOCH"] = str(job.source_date)
    try:
        write_epub(
            job.html, job.meta, job.cover_html, job.assets, job.cover_size, job.target, lang_dir
        )
    finally:
        if previous is None:
            del os.environ["SOURCE_DATE_EPOCH"]
        else:
            os.environ["SOURCE_DATE_EPOCH"] = previous


def _write_pdf(job: EngineJob) -> None:
    """A PDF: in parts if the job says so (and the book can be cut), else as one document."""
    from kpbrief.engines.parts import NotInParts, PartCache, part_count, render_pdf_in_parts

    variant = PdfVariant(
        accessible=job.accessible, press_profile=job.press_profile, source_date=job.source_date
    )
    cache = PartCache(job.part_cache, job.part_salt)
    if (job.parts or part_count(job.html)) > 1:
        try:
            render_pdf_in_parts(
                job.html,
                job.assets,
                job.target,
                variant,
                job.parts,
                job.workers,
                cache,
                job.preview,
            )
            return
        except NotInParts:
            pass  # laid out as one document, below: slower, always right
    # The last build's page map, if any, is the first guess: right, unless the edit
    # moved a place to another page.
    previous = cache.page_map()
    guess = {str(k): int(v) for k, v in previous["pages"].items()} if previous else None
    pages = render_pdf(job.html, job.assets, job.target, variant, guess)
    cache.keep((), [max(pages.values(), default=0)], pages, ())


def _engine_step(job: EngineJob) -> str:
    return "PDF: laying out pages (WeasyPrint)" if job.fmt == "pdf" else "EPUB: pandoc"


class Standby:
    """A worker process for an EPUB, started while the build still loads and renders the
    book: its interpreter's start and imports are then done when the job comes. Closed (the
    worker told to stop, else killed) once the engines have run or the build has failed."""

    def __init__(self) -> None:
        context = multiprocessing.get_context("spawn")
        self.results: multiprocessing.Queue[tuple[str, str]] = context.Queue()
        self._inbox: multiprocessing.Queue[tuple[EngineJob, Path] | None] = context.Queue()
        self._process: multiprocessing.process.BaseProcess | None = context.Process(
            target=_waiting, args=(self._inbox, self.results)
        )
        self._process.start()

    def take(self, job: EngineJob, work: Path) -> multiprocessing.process.BaseProcess | None:
        """The waiting worker, given `job`; None if it is not an EPUB or the worker is gone."""
        process = self._process
        if job.fmt != "epub" or process is None or not process.is_alive():
            return None
        self._inbox.put((job, work))
        self._process = None  # the caller's now, as any worker it starts
        return process

    def close(self) -> None:
        process, self._process = self._process, None
        if process is None:
            return
        self._inbox.put(None)
        process.join(timeout=5)
        if process.is_alive() and process.pid is not None:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(process.pid, signal.SIGKILL)  # and the pandoc it may have started
            process.kill()  # if it had no group of its own yet
            process.join()


@contextlib.contextmanager
def standby(wanted: bool) -> Iterator[Standby | None]:
    """A `Standby` worker for the block if `wanted` (an EPUB is to be made), else None."""
    if not wanted:
        yield None
        return
    waiting = Standby()
    try:
        yield waiting
    finally:
        waiting.close()


def run_engines(
    jobs: list[EngineJob],
    work: Path,
    progress: Progress,
    deadline: float | None,
    waiting: Standby | None = None,
) -> None:
    """Every engine job, in worker processes on every core; one PDF alone runs here.

    An EPUB always runs in a worker (the `waiting` one if there is one): pandoc is a process
    of its own, which only the worker's process group, killed at the deadline or on an
    interruption, reliably stops with it."""
    if not jobs:
        return
    if len(jobs) == 1 and jobs[0].fmt == "pdf":
        _run_here(jobs[0], work, progress)
    else:
        _run_in_workers(jobs, work, progress, deadline, waiting)


def _run_here(job: EngineJob, work: Path, progress: Progress) -> None:
    progress.step(job.name, _engine_step(job))
    run_engine_job(job, work)
    progress.step(job.name, "made; put in place with the others")


def _worker(job: EngineJob, work: Path, results: multiprocessing.Queue[tuple[str, str]]) -> None:
    os.setpgrp()  # a group of its own: stopping the worker stops the pandoc it started too
    die_with_parent()  # and a build killed outright takes its workers with it
    _work_on(job, work, results)


def _waiting(
    inbox: multiprocessing.Queue[tuple[EngineJob, Path] | None],
    results: multiprocessing.Queue[tuple[str, str]],
) -> None:
    """A worker started before its job: the interpreter up, the EPUB engine's modules
    imported and pandoc found, then the job taken from `inbox` (None: there is none)."""
    os.setpgrp()
    die_with_parent()
    import pypandoc
    from PIL import Image  # noqa: F401  (the cover's stand-in)

    pypandoc.get_pandoc_path()
    given = inbox.get()
    if given is not None:
        _work_on(*given, results)


def _work_on(job: EngineJob, work: Path, results: multiprocessing.Queue[tuple[str, str]]) -> None:
    try:
        run_engine_job(job, work)
    except RefusedResource as refused:
        results.put((job.name, f"refused: {refused}"))
    except Exception:  # reported to the parent, which fails the build
        results.put((job.name, traceback.format_exc(limit=4)))
    else:
        results.put((job.name, ""))


def _run_in_workers(
    jobs: list[EngineJob],
    work: Path,
    progress: Progress,
    deadline: float | None,
    waiting: Standby | None = None,
) -> None:
    # "spawn": a fresh interpreter per worker, safe beside the threads of `kpbrief watch`.
    context = multiprocessing.get_context("spawn")
    results: multiprocessing.Queue[tuple[str, str]] = (
        waiting.results if waiting is not None else context.Queue()
    )
    todo = list(jobs)
    running: dict[str, multiprocessing.process.BaseProcess] = {}
    workers = max(1, min(len(jobs), os.cpu_count() or 1))
    try:
        while todo or running:
            while todo and len(running) < workers:
                job = todo.pop(0)
                process = waiting.take(job, work) if waiting is not None else None
                if process is None:
                    # Not a daemon: a PDF in parts starts processes of its own. A worker
                    # that must stop is killed with its process group (below).
                    process = context.Process(target=_worker, args=(job, work, results))
                    process.start()
                running[job.name] = process
                progress.step(job.name, _engine_step(job))
            if deadline is not None and time.monotonic() >= deadline:
                for name in running:
                    progress.finished(name, "stopped: time limit")
                raise TimeLimitExceeded(time_limit_message())
            try:
                name, failure = results.get(timeout=0.5)
            except queue.Empty:
                for name, worker in list(running.items()):
                    if not worker.is_alive() and worker.exitcode not in (0, None):
                        raise BuildFailed(
                            f"the engine stopped unexpectedly on {name} "
                            f"(exit code {worker.exitcode}); nothing was written"
                        ) from None
                continue
            running.pop(name).join()
            if failure.startswith("refused: "):
                progress.finished(name, "failed")
                raise RefusedResource(failure.removeprefix("refused: "))
            if failure:
                progress.finished(name, "failed")
                raise BuildFailed(f"{name} could not be made:\n{failure}")
            progress.step(name, "made; put in place with the others")
    finally:
        for worker in running.values():
            if worker.pid is not None:
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(worker.pid, signal.SIGKILL)
            worker.join()
