"""The pipeline, end to end: load → check → assemble → render → write.

`build` is the only place that runs the stages in order; each stage is a function of its
own module. Outputs are staged and renamed into place only when every one succeeded.
"""

from __future__ import annotations

import datetime as dt
import os
import tempfile
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

from . import TOOL_ROOT
from .assemble import assemble
from .check import check
from .i18n import translations_for
from .load import load_content
from .models import Content, Problem
from .render import environment, render_cover_html, render_html
from .write import (
    Assets,
    EpubMetadata,
    RefusedResource,
    asset_names_used,
    copy_assets,
    render_cover_png,
    render_epub,
    render_pdf,
    staged_outputs,
    temporary_beside,
)

FORMATS = ("pdf", "epub", "html")


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


def load_and_check(source: Path) -> tuple[Content, list[Problem]]:
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


def build(
    request: BuildRequest,
    report: Callable[[str], None] = lambda _message: None,
) -> list[Path]:
    """Build the requested outputs; raise BuildFailed and write nothing on any problem."""
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
    try:
        return _write_outputs(request, content, report)
    except (RefusedResource, RuntimeError, OSError) as failure:
        raise BuildFailed(str(failure)) from failure


def _write_outputs(
    request: BuildRequest, content: Content, report: Callable[[str], None]
) -> list[Path]:
    """Render every language, in parallel processes when there are several (both cores)."""
    assert content.book is not None
    book = content.book
    languages = request.languages or list(book.languages)
    formats = [f for f in FORMATS if f in request.formats]
    with staged_outputs(request.out) as staged, tempfile.TemporaryDirectory() as work:
        jobs: list[tuple[str, dict[str, Path]]] = []
        for lang in languages:
            targets: dict[str, Path] = {}
            for fmt in formats:
                final = request.out / f"{book.id}.{lang}.{fmt}"
                staged[final] = targets[fmt] = temporary_beside(final)
                report(f"rendering {final.name}")
            jobs.append((lang, targets))
        if len(jobs) > 1 and (os.cpu_count() or 1) > 1:
            with ProcessPoolExecutor(max_workers=min(len(jobs), os.cpu_count() or 1)) as pool:
                futures = [
                    pool.submit(build_language, request, content, lang, targets, Path(work))
                    for lang, targets in jobs
                ]
                for future in futures:
                    future.result()
        else:
            for lang, targets in jobs:
                build_language(request, content, lang, targets, Path(work))
        written = sorted(staged)
    return written


def build_language(
    request: BuildRequest, content: Content, lang: str, targets: dict[str, Path], work: Path
) -> None:
    """One language's book: assembled once, rendered to each requested format's file."""
    assert content.book is not None
    book = content.book
    layouts = layout_dirs(request.source)
    locales = locale_dirs(request.source)
    assets = Assets(tuple(layouts), request.source / "content" / "media")
    translations = translations_for(locales, lang, book.default_lang)
    edition = assemble(content, lang, interface_fallback=not translations.has_catalog)
    if "pdf" in targets or "html" in targets:
        html = render_html(edition, layouts, translations.gettext, "print")
        if "html" in targets:
            targets["html"].write_text(html, encoding="utf-8")
            copy_assets(assets, asset_names_used(html) + assets.names_in("fonts"), request.out)
        if "pdf" in targets:
            render_pdf(html, assets, targets["pdf"], request.accessible_pdf)
    if "epub" in targets:
        html = render_html(edition, layouts, translations.gettext, "epub")
        env = environment(layouts, translations.gettext)
        summary = env.get_template("epub-accessibility.txt").render(book=edition).strip()
        css = assets.find("styles/epub.css")
        assert css is not None
        lang_dir = work / lang
        lang_dir.mkdir()
        cover = lang_dir / "cover-source.png"
        render_cover_png(render_cover_html(edition, layouts, translations.gettext), assets, cover)
        meta = EpubMetadata(
            identifier=f"urn:kpbrief:{book.id}:{lang}:{book.edition.iso()}",
            title=edition.title,
            subtitle=edition.subtitle,
            lang=edition.text_lang,
            publisher=edition.publisher,
            date=book.edition.iso(),
            description=edition.description,
            accessibility_summary=summary,
            css=css,
            fonts=tuple(
                p
                for p in (assets.find(n) for n in assets.names_in("fonts"))
                if p is not None and p.suffix.lower() in (".otf", ".ttf")
            ),
            cover=cover,
            resources=tuple(
                (name, path)
                for name in asset_names_used(html)
                if name.startswith("media/") and (path := assets.find(name)) is not None
            ),
        )
        # pandoc dates the EPUB from SOURCE_DATE_EPOCH: the given one, else the edition's.
        previous = os.environ.get("SOURCE_DATE_EPOCH")
        os.environ["SOURCE_DATE_EPOCH"] = str(source_date(content))
        try:
            render_epub(html, meta, targets["epub"], lang_dir)
        finally:
            if previous is None:
                del os.environ["SOURCE_DATE_EPOCH"]
            else:
                os.environ["SOURCE_DATE_EPOCH"] = previous
