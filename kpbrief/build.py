"""The pipeline, end to end: load → check → assemble → render → write.

`build` is the only place that runs the stages in order; each stage is a function of its
own module. The cheap stages (load, check, assemble, render) run here; the engines
(WeasyPrint, pandoc) run one output per process on every core, under a time limit.

Builds are incremental (see `fingerprint`): an output whose inputs have not changed is not
made again, and an output whose rendered HTML has not changed does not go through its engine
again. Outputs are staged and renamed into place only when every one succeeded; the manifest
that remembers them is saved after that.
"""

from __future__ import annotations

import contextlib
import dataclasses
import datetime as dt
import multiprocessing
import os
import queue
import signal
import tempfile
import time
import traceback
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Literal

from . import TOOL_ROOT, fingerprint
from .ebook import NARROW_TIMELINE, EpubTexts, draw_narrow_timeline, epub_texts, meets_conformance
from .edition import ASSETS
from .fingerprint import Manifest
from .limits import TimeLimitExceeded, time_limit_message, wall_clock_limit
from .load import Reader, load_book, load_content
from .models import Content, Problem
from .progress import Progress, Silent
from .write import (
    COVER_PIXELS,
    Assets,
    EpubMetadata,
    RefusedResource,
    asset_names_used,
    copy_assets,
    render_pdf,
    staged_outputs,
    temporary_beside,
    write_epub,
)

# check, assemble and render (and the engines, in `write`) are imported where they are
# used: a build whose outputs are all up to date needs none of them, and answers at once.
if TYPE_CHECKING:
    from .edition import Edition

FORMATS = ("pdf", "epub", "html")
DEFAULT_TIME_LIMIT = 1800.0  # seconds; a 1,000-statement book takes a few minutes


class BuildFailed(Exception):
    def __init__(self, message: str, problems: list[Problem] | None = None) -> None:
        super().__init__(message)
        self.problems = problems or []


def layout_dirs(source: Path) -> list[Path]:
    own = source / "layouts"
    dirs = [own] if own.is_dir() else []
    return dirs + [TOOL_ROOT / "layouts"]


def locale_dirs(source: Path) -> list[Path]:
    own = source / "locales"
    dirs = [own] if own.is_dir() else []
    default = TOOL_ROOT / "locales"
    return dirs + ([default] if default.resolve() not in [d.resolve() for d in dirs] else [])


@dataclass
class BuildRequest:
    source: Path
    out: Path
    languages: list[str] = field(default_factory=list)  # empty: every language of the book
    formats: list[str] = field(default_factory=lambda: ["pdf", "epub"])
    accessible_pdf: bool = True
    time_limit: float | None = DEFAULT_TIME_LIMIT  # seconds for the whole build; None: none
    force: bool = False  # make every output again, whatever the manifest says
    paper: Literal["a4", "letter"] | None = None  # None: the book's own (book.yaml)
    parts: int | None = None  # PDF laid out in this many parts; None: by the book's length


@dataclass
class BuildResult:
    written: list[Path]  # made by this build
    unchanged: list[Path]  # up to date already, left as they were

    @property
    def outputs(self) -> list[Path]:
        return sorted(self.written + self.unchanged)


def load_and_check(source: Path) -> tuple[Content, list[Problem]]:
    from .check import check

    content = load_content(source)
    return content, check(content, locale_dirs(source))


def source_date(content: Content) -> int:
    """Seconds since the epoch that the outputs carry: SOURCE_DATE_EPOCH, else the edition."""
    given = os.environ.get("SOURCE_DATE_EPOCH")
    if given and given.isdigit():
        return int(given)
    assert content.book is not None
    day = content.book.edition.as_date()
    return int(dt.datetime(day.year, day.month, day.day, tzinfo=dt.UTC).timestamp())


@dataclass(frozen=True)
class EngineJob:
    """One output for an engine: everything it needs, picklable for a worker process."""

    name: str  # the output's file name
    fmt: str  # "pdf" or "epub"
    target: Path  # the staged file to write
    html: str
    assets: Assets
    accessible: bool = True
    cover_html: str | None = None
    cover_size: tuple[int, int] = COVER_PIXELS["a4"]
    meta: EpubMetadata | None = None
    source_date: int = 0
    parts: int = 1  # PDF: laid out in this many parts (parts.py), 1: as one document
    workers: int = 1  # PDF in parts: processes laying parts out
    part_cache: Path | None = None  # PDF in parts: the parts of the last build, kept here
    part_salt: str = ""  # PDF in parts: what the parts depend on besides their HTML


def build(request: BuildRequest, progress: Progress | None = None) -> BuildResult:
    """Build the requested outputs; raise BuildFailed and change nothing on any problem."""
    progress = progress or Silent()
    deadline = time.monotonic() + request.time_limit if request.time_limit else None
    planned = _planned_outputs(request)
    manifest = Manifest(request.out)
    input_keys: dict[Path, str] = {}
    if planned is not None and not request.force:
        inputs = _inputs_digest(request)
        input_keys = {
            path: fingerprint.combine(inputs, _options(request, lang, fmt))
            for path, (lang, fmt) in planned.items()
        }
        if all(
            manifest.current_by_input(path, key) and _assets_beside(path)
            for path, key in input_keys.items()
        ):
            for path in planned:
                progress.planned(path.name, 1)
                progress.finished(path.name, "up to date")
            return BuildResult(written=[], unchanged=sorted(planned))
    # One deadline for everything from here: the in-process stages and an in-process engine
    # are stopped by SIGALRM, engines in worker processes are killed (see _run_in_workers).
    try:
        with wall_clock_limit(deadline):
            return _build_changed(request, manifest, input_keys, progress, deadline)
    except TimeLimitExceeded as stopped:
        raise BuildFailed(str(stopped)) from None


def _build_changed(
    request: BuildRequest,
    manifest: Manifest,
    input_keys: dict[Path, str],
    progress: Progress,
    deadline: float | None,
) -> BuildResult:
    content, problems = load_and_check(request.source)
    errors = [p for p in problems if p.severity == "error"]
    if errors or content.book is None:
        raise BuildFailed(f"{len(errors)} error(s) in the content; nothing was written", problems)
    book = content.book
    languages = request.languages or list(book.languages)
    unknown = [lang for lang in languages if lang not in book.languages]
    if unknown:
        raise BuildFailed(
            f"language(s) {', '.join(unknown)} not in the book ({', '.join(book.languages)})"
        )
    if not input_keys:
        inputs = _inputs_digest(request)
        input_keys = {
            request.out / f"{book.id}.{lang}.{fmt}": fingerprint.combine(
                inputs, _options(request, lang, fmt)
            )
            for lang in languages
            for fmt in _formats(request)
        }
    try:
        return _write_outputs(request, content, manifest, input_keys, progress, deadline)
    except (RefusedResource, RuntimeError, OSError) as failure:
        raise BuildFailed(str(failure)) from failure


def _assets_beside(output: Path) -> bool:
    """An HTML output is whole only with the assets it uses beside it; others always are."""
    if output.suffix != ".html":
        return True
    try:
        html = output.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        return False
    return all((output.parent / ASSETS / name).is_file() for name in asset_names_used(html))


def _formats(request: BuildRequest) -> list[str]:
    return [f for f in FORMATS if f in request.formats]


def _options(request: BuildRequest, lang: str, fmt: str) -> str:
    return fingerprint.options_digest(
        lang=lang,
        fmt=fmt,
        accessible=request.accessible_pdf,
        paper=request.paper,
        parts=request.parts,
    )


def _planned_outputs(request: BuildRequest) -> dict[Path, tuple[str, str]] | None:
    """The files a build would write, read from book.yaml alone; None if that is in doubt."""
    book_path = request.source / "content" / "book.yaml"
    if not book_path.is_file():
        return None
    reader = Reader(request.source)
    book = load_book(reader, book_path)
    if book is None or reader.problems:
        return None
    languages = request.languages or list(book.languages)
    if any(lang not in book.languages for lang in languages):
        return None
    return {
        request.out / f"{book.id}.{lang}.{fmt}": (lang, fmt)
        for lang in languages
        for fmt in _formats(request)
    }


def _inputs_digest(request: BuildRequest) -> str:
    """Every file a build reads: the book's content, layouts and locales, and kpbrief itself."""
    roots = [request.source / "content", *layout_dirs(request.source)]
    roots += locale_dirs(request.source)
    return fingerprint.combine(
        fingerprint.tree_digest(roots, exclude=request.out), fingerprint.tool_digest()
    )


def _engine_digest(assets: Assets) -> str:
    """What an engine may read besides its HTML: styles, fonts, images and media."""
    folders = [d / sub for d in assets.layout_dirs for sub in ("styles", "fonts", "images")]
    return fingerprint.combine(
        fingerprint.tree_digest([*folders, assets.media_dir]), fingerprint.tool_digest()
    )


def _write_outputs(
    request: BuildRequest,
    content: Content,
    manifest: Manifest,
    input_keys: dict[Path, str],
    progress: Progress,
    deadline: float | None,
) -> BuildResult:
    from .assemble import assemble
    from .i18n import translations_for
    from .parts import PART_CACHE, default_workers, part_count
    from .render import environment, render_cover_html, render_html

    assert content.book is not None
    book = content.book
    languages = request.languages or list(book.languages)
    formats = _formats(request)
    layouts = layout_dirs(request.source)
    locales = locale_dirs(request.source)
    assets = Assets(tuple(layouts), request.source / "content" / "media")
    engine_digest = _engine_digest(assets)
    written: list[Path] = []
    unchanged: list[Path] = []
    for lang in languages:
        for fmt in formats:
            final = request.out / f"{book.id}.{lang}.{fmt}"
            progress.planned(final.name, 1 if fmt == "html" else 3)
    with staged_outputs(request.out) as staged, tempfile.TemporaryDirectory() as work:
        jobs: list[EngineJob] = []
        render_keys: dict[Path, str] = {}
        for lang in languages:
            translations = translations_for(locales, lang, book.default_lang)
            edition = assemble(
                content,
                lang,
                interface_fallback=not translations.has_catalog,
                paper=request.paper,
            )
            htmls: dict[str, str] = {}
            for fmt in formats:
                final = request.out / f"{book.id}.{lang}.{fmt}"
                input_key = input_keys[final]
                if (
                    not request.force
                    and manifest.current_by_input(final, input_key)
                    and _assets_beside(final)
                ):
                    unchanged.append(final)
                    progress.finished(final.name, "up to date")
                    continue
                progress.step(final.name, "rendering HTML")
                target = "epub" if fmt == "epub" else "print"
                if target not in htmls:
                    htmls[target] = render_html(edition, layouts, translations.gettext, target)
                html = htmls[target]
                job = EngineJob(
                    name=final.name,
                    fmt=fmt,
                    target=final,
                    html=html,
                    assets=assets,
                    accessible=request.accessible_pdf,
                    source_date=source_date(content),
                )
                render_key = fingerprint.combine(engine_digest, _options(request, lang, fmt), html)
                if fmt == "pdf":
                    job = dataclasses.replace(
                        job,
                        parts=request.parts or part_count(html),
                        part_cache=request.out / PART_CACHE / final.stem,
                        part_salt=fingerprint.combine(engine_digest, _options(request, lang, fmt)),
                    )
                if fmt == "epub":
                    env = environment(layouts, translations.gettext)
                    summary = env.get_template("epub-accessibility.txt").render(book=edition)
                    job = dataclasses.replace(
                        job,
                        cover_html=render_cover_html(edition, layouts, translations.gettext),
                        cover_size=COVER_PIXELS[edition.paper],
                        meta=_epub_metadata(
                            edition, assets, html, summary.strip(), epub_texts(env, edition)
                        ),
                    )
                    render_key = fingerprint.combine(
                        render_key, job.cover_html or "", repr(job.meta)
                    )
                if (
                    not request.force
                    and manifest.current_by_render(final, render_key)
                    and _assets_beside(final)
                ):
                    manifest.record(final, input_key, render_key, final)
                    unchanged.append(final)
                    progress.finished(final.name, "up to date (same HTML)")
                    continue
                staged[final] = temporary_beside(final)
                job = dataclasses.replace(job, target=staged[final])
                render_keys[final] = render_key
                if fmt == "html":
                    staged[final].write_text(html, encoding="utf-8")
                    copy_assets(
                        assets, asset_names_used(html) + assets.names_in("fonts"), request.out
                    )
                    progress.finished(final.name, "written")
                else:
                    jobs.append(job)
        concurrent = min(len(jobs), os.cpu_count() or 1)
        jobs = [dataclasses.replace(j, workers=default_workers(concurrent)) for j in jobs]
        _run_engines(jobs, Path(work), progress, deadline)
        for final, temporary in staged.items():
            manifest.record(final, input_keys[final], render_keys[final], temporary)
            written.append(final)
    manifest.save()
    return BuildResult(written=sorted(written), unchanged=sorted(unchanged))


def _epub_metadata(
    edition: Edition, assets: Assets, html: str, summary: str, texts: EpubTexts
) -> EpubMetadata:
    css = assets.find("styles/epub.css")
    assert css is not None
    date = edition.edition_date.iso()
    return EpubMetadata(
        identifier=f"urn:kpbrief:{edition.book_id}:{edition.lang}:{date}",
        title=edition.title,
        subtitle=edition.subtitle,
        lang=edition.text_lang,
        publisher=edition.publisher,
        date=date,
        description=edition.description,
        accessibility_summary=summary,
        css=css,
        fonts=tuple(
            p
            for p in (assets.find(n) for n in assets.names_in("fonts"))
            if p is not None and p.suffix.lower() in (".otf", ".ttf")
        ),
        cover=None,  # rendered by the engine job, from the cover HTML
        resources=tuple(
            (name, path)
            for name in asset_names_used(html)
            if name.startswith("media/") and (path := assets.find(name)) is not None
        ),
        generated=(
            ((NARROW_TIMELINE, draw_narrow_timeline(edition.timeline)),) if edition.timeline else ()
        ),
        texts=texts,
        conforms=meets_conformance(html, texts),
    )


def run_engine_job(job: EngineJob, work: Path) -> None:
    """Run one output through its engine (in whichever process is given the job)."""
    if job.fmt == "pdf":
        if job.parts > 1:
            from .parts import NotInParts, PartCache, render_pdf_in_parts

            cache = PartCache(job.part_cache, job.part_salt)
            try:
                render_pdf_in_parts(
                    job.html, job.assets, job.target, job.accessible, job.parts, job.workers, cache
                )
                return
            except NotInParts:
                pass  # laid out as one document, below: slower, always right
        render_pdf(job.html, job.assets, job.target, job.accessible)
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


def _engine_step(job: EngineJob) -> str:
    return "PDF: laying out pages (WeasyPrint)" if job.fmt == "pdf" else "EPUB: pandoc"


def _run_engines(
    jobs: list[EngineJob], work: Path, progress: Progress, deadline: float | None
) -> None:
    """Every engine job, in worker processes on every core; one job alone runs here."""
    if not jobs:
        return
    if len(jobs) == 1:
        _run_here(jobs[0], work, progress)
    else:
        _run_in_workers(jobs, work, progress, deadline)


def _run_here(job: EngineJob, work: Path, progress: Progress) -> None:
    progress.step(job.name, _engine_step(job))
    run_engine_job(job, work)
    progress.finished(job.name, "written")


def _worker(job: EngineJob, work: Path, results: multiprocessing.Queue[tuple[str, str]]) -> None:
    os.setpgrp()  # a group of its own: stopping the worker stops the pandoc it started too
    try:
        run_engine_job(job, work)
    except RefusedResource as refused:
        results.put((job.name, f"refused: {refused}"))
    except Exception:  # reported to the parent, which fails the build
        results.put((job.name, traceback.format_exc(limit=4)))
    else:
        results.put((job.name, ""))


def _run_in_workers(
    jobs: list[EngineJob], work: Path, progress: Progress, deadline: float | None
) -> None:
    # "spawn": a fresh interpreter per worker, safe beside the threads of `kpbrief watch`.
    context = multiprocessing.get_context("spawn")
    results: multiprocessing.Queue[tuple[str, str]] = context.Queue()
    waiting = list(jobs)
    running: dict[str, multiprocessing.process.BaseProcess] = {}
    workers = max(1, min(len(jobs), os.cpu_count() or 1))
    try:
        while waiting or running:
            while waiting and len(running) < workers:
                job = waiting.pop(0)
                # Not a daemon: a PDF in parts starts processes of its own. A worker that
                # must stop is killed with its process group (below).
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
            progress.finished(name, "written")
    finally:
        for worker in running.values():
            if worker.pid is not None:
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(worker.pid, signal.SIGKILL)
            worker.join()
