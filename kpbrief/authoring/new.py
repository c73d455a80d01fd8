"""`kpbrief new`: a content file with the fields to fill in, from the layouts' `new/` templates."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from jinja2 import Environment, FileSystemLoader, StrictUndefined

from kpbrief.confine import OutsideBook, ensure_inside
from kpbrief.content.load import load_content
from kpbrief.content.reader import ID_RE, LANG_RE
from kpbrief.folder import KINDS, BookFolder


class NewRefused(Exception):
    """Nothing was written; `code` is the exit code (1 a problem, 2 a usage error)."""

    def __init__(self, message: str, code: int = 1) -> None:
        super().__init__(message)
        self.code = code


def new_file(source: Path, kind_name: str, ident: str, lang: str | None = None) -> Path:
    """Write content/<kind folder>/<id>[.<lang>].md|yaml and return its path; never overwrite."""
    if not ID_RE.match(ident):
        raise NewRefused(
            f"'{ident}' is not an id: use lowercase ASCII words joined by hyphens", code=2
        )
    if lang is not None and not LANG_RE.match(lang):
        raise NewRefused(f"'{lang}' is not a language code (like en, fr, pt)", code=2)
    folder = BookFolder(source)
    content = load_content(source)
    book = content.book
    kind = KINDS[kind_name]
    target = folder.kind_dir(kind_name) / kind.file_name(
        ident, lang or (book.default_lang if book else "en")
    )
    if not target.parent.resolve().is_relative_to(folder.content.resolve()):
        raise NewRefused(
            f"{target.parent} lies outside the book's content folder; nothing was written"
        )
    if target.exists() or target.is_symlink():
        raise NewRefused(f"{target} exists already; nothing was written")
    try:
        ensure_inside(source, target)
    except OutsideBook as outside:
        raise NewRefused(str(outside)) from None
    env = Environment(
        loader=FileSystemLoader([str(d / "new") for d in folder.layout_dirs()]),
        undefined=StrictUndefined,
        keep_trailing_newline=True,
    )
    template = f"{kind.name}{'.md' if kind.localised else '.yaml'}"
    text = env.get_template(template).render(
        id=ident,
        today=dt.date.today().isoformat(),
        publisher=book.publisher if book else "PUBLISHER",
        issue=next(iter(sorted(content.issues)), "ISSUE-ID"),
    )
    target.parent.mkdir(parents=True, exist_ok=True)
    with target.open("x", encoding="utf-8") as handle:
        handle.write(text)
    return target
