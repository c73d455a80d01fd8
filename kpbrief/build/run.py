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

import concurrent.futures
import dataclasses
import os
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from kpbrief.build import fingerprint
from kpbrief.build.check_memo import read_check_memo, write_check_memo
from kpbrief.build.fingerprint import Manifest
from kpbrief.build.jobs import EngineJob, run_engines, standby
from kpbrief.build.limits import TimeLimitExceeded, wall_clock_limit
from kpbrief.build.outputs import staged_outputs, temporary_beside
from kpbrief.build.plan import (
    PACK_FORMAT,
    PRESS,
    BuildFailed,
    BuildRequest,
    BuildResult,
    assets_beside,
    engine_digest,
    formats_of,
    inputs_digest,
    options_key,
    output_path,
    outputs_of,
    pack_ids,
    planned_outputs,
    press_profile,
    source_date,
)
from kpbrief.build.progress import Progress, Silent
from kpbrief.build.warm import Kept, Warm
from kpbrief.content.load import load_content
from kpbrief.content.model import Content, Problem
from kpbrief.document import EPUB_TIMELINE
from kpbrief.engines.assets import Assets, RefusedResource, asset_names_used, copy_assets
from kpbrief.engines.cover import COVER_PIXELS
from kpbrief.engines.epub import EpubMetadata
from kpbrief.engines.epub_finish import EpubTexts
from kpbrief.folder import layout_dirs, locale_dirs

# check, assemble and render (and the engines, in `write`) are imported where they are
# used: a build whose outputs are all up to date needs none of them, and answers at once.
if TYPE_CHECKING:
    from gettext import NullTranslations

    from kpbrief.edition.i18n import Translations
    from kpbrief.edition.model import Edition


def load_and_check(source: Path) -> tuple[Content, list[Problem]]:
    content = load_content(source)
    return content, checked(content)


def checked(content: Content, memo: Kept | None = None) -> list[Problem]:
    """Every problem of the loaded content, in order of file and line; `memo`: a warm
    process's problems of each part whose inputs have not changed (see `warm`)."""
    from kpbrief.content.check import check
    from kpbrief.content.editions import load_records
    from kpbrief.content.packs import check_packs

    source = content.root
    problems = check(content, locale_dirs(source), memo) + check_packs(content)
    problems += load_records(source)[1]
    return sorted(problems, key=lambda p: (p.origin.path, p.origin.line, p.message))


# From this many statements on, the check runs in a process of its own while the book is
# assembled, rendered and laid out (it takes about as long as the rest, outside the engines,
# on one core); its errors still stop the build before any output is put in place.
CHECK_BESIDE_STATEMENTS = 50


def _checked_and_kept(content: Content) -> tuple[list[Problem], dict[str, object]]:
    """The problems, and the findings behind them (for the next build, see `check_memo`)."""
    memo = Kept()
    return checked(content, memo), dict(memo)


class _Check:
    """The content's check: done here, or running in a worker process beside the build.

    Given the findings of an earlier check (`memo`: a warm process's, or what the last build
    left, see `check_memo`), it checks here: it finds again only the problems of what an edit
    changed, in less time than a worker takes to start. `keep`: the findings are kept in
    `kept`, for the next build."""

    def __init__(
        self,
        content: Content,
        memo: Kept | None = None,
        keep: bool = False,
        warm: Warm | None = None,
        request: BuildRequest | None = None,
        inputs: str | None = None,
    ) -> None:
        self.problems: list[Problem] | None = None
        self.kept: dict[str, object] | None = None
        self._pool: concurrent.futures.ProcessPoolExecutor | None = None
        self._future: concurrent.futures.Future[Any] | None = None
        self._keep = keep
        loaded_errors = any(p.severity == "error" for p in content.problems)
        small = len(content.statements) < CHECK_BESIDE_STATEMENTS
        self._content = content
        self._warm = warm
        self._loaded_from: str | None = None  # the inputs the worker is to find, if it loads
        if warm is not None and content.book is not None and not loaded_errors and not small:
            # A warm process's long book: checked in its worker, which keeps its findings,
            # and loads the same files itself (quicker than being sent the content).
            from kpbrief.build.warm import checked_in_worker

            assert request is not None
            self._loaded_from = inputs_digest(request) if inputs is None else inputs
            try:
                self._future = warm.check_beside().submit(checked_in_worker, request)
            except concurrent.futures.BrokenExecutor:  # its worker died since the last round
                warm.close()
                self._future = warm.check_beside().submit(checked_in_worker, request)
            return
        if content.book is None or loaded_errors or small or memo is not None:
            memo = memo if memo is not None or not keep else Kept()
            self.problems = checked(content, memo)
            self.kept = memo if keep else None
            return
        from kpbrief.engines.processes import quiet_pool

        self._pool = quiet_pool()
        self._future = self._pool.submit(_checked_and_kept if keep else checked, content)

    @classmethod
    def done(cls, problems: list[Problem]) -> _Check:
        """A check already made (a warm process's, of the same inputs)."""
        check = cls.__new__(cls)
        check.problems, check.kept, check._pool, check._future = problems, None, None, None
        check._keep, check._warm, check._loaded_from = False, None, None
        return check

    def finished(self) -> bool:
        return self._future is None or self._future.done()

    def result(self) -> list[Problem]:
        """The problems (waiting for the worker if it has not finished)."""
        if self.problems is None:
            assert self._future is not None
            if self._loaded_from is not None:
                problems: list[Problem] = []
                try:
                    problems, found = self._future.result()
                except concurrent.futures.BrokenExecutor:
                    # The worker died (killed, out of memory): a new one for the next round.
                    assert self._warm is not None
                    self._warm.close()
                    found = ""
                if found == self._loaded_from:
                    self.problems = problems
                else:  # no worker, or other files than this build loaded: checked here
                    self.problems, self._loaded_from = checked(self._content), None
            elif self._keep:
                self.problems, self.kept = self._future.result()
            else:
                self.problems = self._future.result()
            self.close()
        return self.problems

    def of_what_was_loaded(self) -> None:
        """Make sure the problems are those of the content this build loaded: a file saved
        while it ran may have been loaded here in one state and by the worker in another."""
        self.result()
        if self._loaded_from is not None:  # the worker's problems, of the files it loaded
            self.problems, self._loaded_from = checked(self._content), None

    def failed(self) -> BuildFailed | None:
        """The build's failure if the check found errors (waits for the check)."""
        errors = [p for p in self.result() if p.severity == "error"]
        if errors:
            return BuildFailed(
                f"{len(errors)} error(s) in the content; nothing was written", self.problems
            )
        return None

    def close(self) -> None:
        """Stop the worker started for this check (a warm process's own worker stays, and
        finishes a check the build no longer wants before it starts the next)."""
        if self._pool is not None:
            for process in list(getattr(self._pool, "_processes", {}).values()):
                if self.problems is None and process.is_alive():
                    process.kill()  # the build stopped first: the check is not wanted
            self._pool.shutdown(wait=True, cancel_futures=True)
            self._pool = None


def build(
    request: BuildRequest, progress: Progress | None = None, warm: Warm | None = None
) -> BuildResult:
    """Build the requested outputs; raise BuildFailed and change nothing on any problem.

    `warm` (kept by a long-lived process, see `warm.Warm`): the content checked and the HTML
    rendered by an earlier build of the same inputs are taken from it, and this build's kept.
    """
    progress = progress or Silent()
    deadline = time.monotonic() + request.time_limit if request.time_limit else None
    planned = planned_outputs(request)
    manifest = Manifest(request.out)
    input_keys: dict[Path, str] = {}
    # The digest of the inputs is taken before they are read: an edit saved while the build
    # runs then shows as a change at the next build (see _write_outputs), never as up to date.
    inputs = inputs_digest(request)
    warm = warm.at(inputs) if warm is not None else None
    if planned is not None and not request.force:
        input_keys = {
            path: fingerprint.combine(inputs, options_key(request, lang, fmt))
            for path, (lang, fmt) in planned.items()
        }
        if all(
            manifest.current_by_input(path, key) and assets_beside(path)
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
            return _build_changed(request, manifest, inputs, input_keys, progress, deadline, warm)
    except TimeLimitExceeded as stopped:
        raise BuildFailed(str(stopped)) from None


def _build_changed(
    request: BuildRequest,
    manifest: Manifest,
    inputs: str,
    input_keys: dict[Path, str],
    progress: Progress,
    deadline: float | None,
    warm: Warm | None = None,
) -> BuildResult:
    if warm is not None and warm.checked is not None:
        content, problems = warm.checked
        check = _Check.done(problems)
        warm.hits += 1
    elif warm is not None:
        content = load_content(request.source, warm.memo("load"))
        check = _Check(content, warm.memo("check"), warm=warm, request=request, inputs=inputs)
    else:
        # A one-off build checks with what the last one found (see `check_memo`).
        salt = fingerprint.tool_digest()
        findings = read_check_memo(request.out, salt)
        content = load_content(request.source)
        check = _Check(content, findings, keep=True)
    try:
        result = _check_and_write(
            request, manifest, inputs, input_keys, progress, deadline, warm, content, check
        )
    finally:
        check.close()
    if warm is None and check.kept is not None:
        write_check_memo(request.out, salt, check.kept)
    return result


def _check_and_write(
    request: BuildRequest,
    manifest: Manifest,
    inputs: str,
    input_keys: dict[Path, str],
    progress: Progress,
    deadline: float | None,
    warm: Warm | None,
    content: Content,
    check: _Check,
) -> BuildResult:
    if check.problems is not None and (failure := check.failed()) is not None:
        raise failure
    if content.book is None:
        raise BuildFailed("0 error(s) in the content; nothing was written", check.result())
    book = content.book
    languages = request.languages or list(book.languages)
    unknown = [lang for lang in languages if lang not in book.languages]
    if unknown:
        raise BuildFailed(
            f"language(s) {', '.join(unknown)} not in the book ({', '.join(book.languages)})"
        )
    if request.pack is not None and request.pack not in content.packs:
        known = ", ".join(sorted(content.packs)) or "none"
        raise BuildFailed(f"no pack '{request.pack}' in content/packs/ (the packs: {known})")
    if not input_keys:
        input_keys = {
            path: fingerprint.combine(inputs, options_key(request, lang, fmt))
            for path, (lang, fmt) in outputs_of(request, book.id, languages).items()
        }
    try:
        result = _write_outputs(
            request, content, manifest, inputs, input_keys, progress, deadline, warm, check
        )
    except (RefusedResource, RuntimeError, OSError) as failure:
        raise check.failed() or BuildFailed(str(failure)) from failure
    except Exception:
        # Content the check would have refused may trip a later stage: its errors say why.
        found = check.failed()
        if found is not None:
            raise found from None
        raise
    problems = check.result()
    if warm is not None:
        warm.checked = (content, problems)
    result.warnings = problems
    return result


@dataclass
class _Writing:
    """What making one build's outputs shares: the request, the book's assets and keys, the
    outputs staged so far and the engine jobs still to run."""

    request: BuildRequest
    content: Content
    manifest: Manifest
    input_keys: dict[Path, str]
    progress: Progress
    assets: Assets
    engine_key: str
    staged: dict[Path, Path]
    jobs: list[EngineJob] = field(default_factory=list)
    render_keys: dict[Path, str] = field(default_factory=dict)
    unchanged: list[Path] = field(default_factory=list)
    editions: dict[str, tuple[Edition, NullTranslations]] = field(default_factory=dict)
    warm: Warm = field(default_factory=Warm)  # a build's own when no process keeps one
    kept: bool = False  # whether `warm` is a long-lived process's (its stages' parts kept)

    def fresh(self, final: Path, *, by_input: str = "", by_render: str = "") -> bool:
        """Whether the output in place is the one this build would make."""
        if self.request.force:
            return False
        if by_input:
            current = self.manifest.current_by_input(final, by_input)
        else:
            current = self.manifest.current_by_render(final, by_render)
        return current and assets_beside(final)  # read only for an output found current


def _write_outputs(
    request: BuildRequest,
    content: Content,
    manifest: Manifest,
    inputs: str,
    input_keys: dict[Path, str],
    progress: Progress,
    deadline: float | None,
    warm: Warm | None = None,
    check: _Check | None = None,
) -> BuildResult:
    from kpbrief.engines.parts import default_workers

    assert content.book is not None
    languages = request.languages or list(content.book.languages)
    assets = Assets(tuple(layout_dirs(request.source)), request.source / "content" / "media")
    outputs = outputs_of(request, content.book.id, languages)
    for path, (_lang, fmt) in outputs.items():
        progress.planned(path.name, 1 if fmt == "html" else 3)
    manifest.check_writable()
    # An EPUB to make: its worker starts now, while the book is assembled and rendered.
    epubs = [path for path, (_lang, fmt) in outputs.items() if fmt == "epub"]
    fresh = not request.force and all(
        manifest.current_by_input(path, input_keys[path]) and assets_beside(path) for path in epubs
    )
    with (
        staged_outputs(request.out) as staged,
        tempfile.TemporaryDirectory() as work,
        standby(bool(epubs) and not fresh) as waiting,
    ):
        writing = _Writing(
            request, content, manifest, input_keys, progress, assets, engine_digest(assets), staged
        )
        if warm is not None:
            writing.warm, writing.kept = warm, True
        _start_layout_workers(request, content.book.id, languages)
        for lang in languages:
            _prepare_language(writing, lang)
        # Packs second: each prints the pages of the book's PDF, made first.
        for phase in ("books", "packs"):
            if phase == "packs":
                writing.jobs = []
                for lang in languages:
                    _prepare_packs(writing, lang)
            # A check that has already found errors spares the engines their work.
            if check is not None and check.finished() and (failure := check.failed()):
                raise failure
            concurrent = min(len(writing.jobs), os.cpu_count() or 1)
            jobs = [
                dataclasses.replace(job, workers=default_workers(concurrent))
                for job in writing.jobs
            ]
            run_engines(jobs, Path(work), progress, deadline, waiting)
        # Inputs edited while the build read them: the outputs show one state or the other,
        # so none is recorded as up to date, and the next build makes them again.
        unchanged_since = inputs_digest(request) == inputs
        if check is not None and not unchanged_since:
            check.of_what_was_loaded()
        # The check, if it ran beside: its errors stop the build here, nothing put in place.
        if check is not None and (failure := check.failed()) is not None:
            raise failure
        for final, temporary in staged.items():
            if unchanged_since:
                manifest.record(final, input_keys[final], writing.render_keys[final], temporary)
            else:
                manifest.forget(final)
    # Only now is every staged output in its place.
    for final in staged:
        progress.finished(final.name, "written")
    manifest.save()
    return BuildResult(written=sorted(staged), unchanged=sorted(writing.unchanged))


def _start_layout_workers(request: BuildRequest, book_id: str, languages: list[str]) -> None:
    """When this build's engine work is one PDF laid out in parts here (it was last time),
    its part workers are started now: they import WeasyPrint while the book is loaded and
    rendered (see `parts.LayoutWorkers`)."""
    from kpbrief.engines.parts import (
        PART_CACHE,
        LayoutWorkers,
        default_workers,
        laid_out_in_parts_last_time,
    )

    engine_outputs = [  # the books' (the packs are made after them, each as one document)
        path
        for path, (_lang, fmt) in outputs_of(request, book_id, languages).items()
        if fmt != "html" and not fmt.startswith(PACK_FORMAT)
    ]
    if len(engine_outputs) != 1 or engine_outputs[0].suffix != ".pdf" or request.parts == 1:
        return
    if laid_out_in_parts_last_time(request.out / PART_CACHE / engine_outputs[0].stem):
        LayoutWorkers.start(default_workers(1))


def _prepare_language(writing: _Writing, lang: str) -> None:
    """One language's outputs: each up to date, written (HTML), or made a job for its engine."""
    from kpbrief.content.editions import load_records, previous_record
    from kpbrief.edition.assemble import assemble
    from kpbrief.edition.news import whats_new
    from kpbrief.edition.render import render_html

    request, content, warm = writing.request, writing.content, writing.warm
    assert content.book is not None
    assembled = warm.rendered.get((lang, request.paper))
    if assembled is None:
        translations = _translations(writing, lang)
        edition = assemble(
            content,
            lang,
            interface_fallback=not translations.complete,
            paper=request.paper,
            memo=writing.warm.memo("assemble") if writing.kept else None,
        )
        record = previous_record(content, load_records(request.source)[0])
        if record is not None:
            edition.whats_new = whats_new(content, edition, record)
        assembled = warm.rendered[(lang, request.paper)] = (edition, translations.gettext)
    else:
        warm.hits += 1
    edition, gettext = assembled
    writing.editions[lang] = (edition, gettext)
    htmls: dict[str, str] = warm.rendered.setdefault((lang, request.paper, "html"), {})
    for fmt in formats_of(request):
        final = output_path(request.out, content.book.id, lang, fmt)
        input_key = writing.input_keys[final]
        if writing.fresh(final, by_input=input_key):
            writing.unchanged.append(final)
            writing.progress.finished(final.name, "up to date")
            continue
        writing.progress.step(final.name, "rendering HTML")
        target = "epub" if fmt == "epub" else "print"
        kind = PRESS if fmt == PRESS else target  # the press PDF's HTML adds its stylesheet
        if kind not in htmls:
            htmls[kind] = render_html(
                edition,
                layout_dirs(request.source),
                gettext,
                target,
                fmt == PRESS,
                memo=warm.memo("render") if writing.kept else None,
            )
        else:
            warm.hits += 1
        job, render_key = _engine_job(writing, edition, gettext, final, fmt, htmls[kind])
        if writing.fresh(final, by_render=render_key):
            writing.manifest.record(final, input_key, render_key, final)
            writing.unchanged.append(final)
            writing.progress.finished(final.name, "up to date (same HTML)")
            continue
        writing.staged[final] = temporary_beside(final)
        writing.render_keys[final] = render_key
        if fmt == "html":
            _write_html(writing, writing.staged[final], job.html)
            writing.progress.step(final.name, "made; put in place with the others")
        else:
            writing.jobs.append(dataclasses.replace(job, target=writing.staged[final]))


def _translations(writing: _Writing, lang: str) -> Translations:
    """One language's catalogs; a warm process's, kept while their files are the same (the
    templates' environment is kept with them, see `render.render_html`)."""
    from kpbrief.edition.i18n import Translations, translations_for

    assert writing.content.book is not None
    folders = locale_dirs(writing.request.source)
    if not writing.kept:
        return translations_for(folders, lang, writing.content.book.default_lang)
    memo = writing.warm.memo("translations")
    key = fingerprint.combine(
        "translations", lang, writing.content.book.default_lang, fingerprint.tree_digest(folders)
    )
    kept = memo.get(key)
    if not isinstance(kept, Translations):
        kept = memo[key] = translations_for(folders, lang, writing.content.book.default_lang)
    return kept


def _prepare_packs(writing: _Writing, lang: str) -> None:
    """One language's briefing packs, each with the pages of the book's PDF just made (or
    found up to date): up to date, or made a job for WeasyPrint."""
    from kpbrief.edition.pack import assemble_pack, render_pack_html
    from kpbrief.engines.anchors import pdf_anchor_pages

    request, content = writing.request, writing.content
    assert content.book is not None
    edition, gettext = writing.editions[lang]
    book_pdf = output_path(request.out, content.book.id, lang, "pdf")
    pages: dict[str, int] | None = None
    for ident in pack_ids(request):
        fmt = PACK_FORMAT + ident
        final = output_path(request.out, content.book.id, lang, fmt)
        input_key = writing.input_keys[final]
        if writing.fresh(final, by_input=input_key):
            writing.unchanged.append(final)
            writing.progress.finished(final.name, "up to date")
            continue
        writing.progress.step(final.name, "rendering HTML")
        if pages is None:
            pages = pdf_anchor_pages(writing.staged.get(book_pdf, book_pdf))
        view = assemble_pack(content, edition, content.packs[ident], pages)
        html = render_pack_html(view, layout_dirs(request.source), gettext)
        render_key = fingerprint.combine(writing.engine_key, options_key(request, lang, fmt), html)
        if writing.fresh(final, by_render=render_key):
            writing.manifest.record(final, input_key, render_key, final)
            writing.unchanged.append(final)
            writing.progress.finished(final.name, "up to date (same HTML)")
            continue
        writing.staged[final] = temporary_beside(final)
        writing.render_keys[final] = render_key
        writing.jobs.append(
            EngineJob(
                name=final.name,
                fmt="pdf",
                target=writing.staged[final],
                html=html,
                assets=writing.assets,
                accessible=request.accessible_pdf,
                source_date=source_date(content),
            )
        )


def _engine_job(
    writing: _Writing,
    edition: Edition,
    gettext: NullTranslations,
    final: Path,
    fmt: str,
    html: str,
) -> tuple[EngineJob, str]:
    """The job that makes one output from its HTML, and the key of what its engine is given."""
    from kpbrief.edition.render import environment, epub_texts, plain_text, render_cover_html
    from kpbrief.engines.parts import PART_CACHE

    request = writing.request
    options = options_key(request, edition.lang, fmt)
    job = EngineJob(
        name=final.name,
        fmt=fmt,
        target=final,
        html=html,
        assets=writing.assets,
        accessible=request.accessible_pdf,
        source_date=source_date(writing.content),
    )
    render_key = fingerprint.combine(writing.engine_key, options, html)
    if fmt == PRESS:
        assert writing.content.book is not None
        profile = press_profile(request.source, writing.content.book.press_profile)
        if profile is None:
            raise BuildFailed(
                f"{final.name}: no output profile for the press PDF: name one in book.yaml "
                "(press_profile: layouts/profiles/….icc)"
            )
        job = dataclasses.replace(job, fmt="pdf", press_profile=profile)
        render_key = fingerprint.combine(render_key, fingerprint.file_digest(profile) or "")
    if fmt in ("pdf", PRESS):
        job = dataclasses.replace(
            job,
            parts=request.parts,
            part_cache=request.out / PART_CACHE / final.stem,
            part_salt=fingerprint.combine(writing.engine_key, options, str(job.source_date)),
            preview=request.preview,
        )
    elif fmt == "epub":
        layouts = layout_dirs(request.source)
        summary = plain_text(
            environment(layouts, gettext)
            .get_template("epub-accessibility.txt")
            .render(book=edition)
        )
        job = dataclasses.replace(
            job,
            cover_html=render_cover_html(edition, layouts, gettext),
            cover_size=COVER_PIXELS[edition.paper],
            meta=_epub_metadata(
                edition,
                writing.assets,
                html,
                summary.strip(),
                EpubTexts(**epub_texts(environment(layouts, gettext), edition)),
            ),
        )
        render_key = fingerprint.combine(render_key, job.cover_html or "", repr(job.meta))
    return job, render_key


def _write_html(writing: _Writing, staged: Path, html: str) -> None:
    """The HTML output, with the assets it uses beside it."""
    staged.write_text(html, encoding="utf-8")
    assets = writing.assets
    copy_assets(assets, asset_names_used(html) + assets.names_in("fonts"), writing.request.out)


def _epub_metadata(
    edition: Edition, assets: Assets, html: str, summary: str, texts: EpubTexts
) -> EpubMetadata:
    from kpbrief.edition.timeline import draw_narrow_timeline

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
            ((EPUB_TIMELINE, draw_narrow_timeline(edition.timeline)),) if edition.timeline else ()
        ),
        texts=texts,
    )
