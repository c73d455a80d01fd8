"""The files of a book folder as the loaders meet them: which are read, the media and their
sizes, the ids their names give, one item per id."""

from __future__ import annotations

import re
from pathlib import Path
from typing import TypeVar

from kpbrief.confine import inside, outside_message
from kpbrief.content.model import Origin
from kpbrief.content.reader import ID_RE, LANG_RE, Reader
from kpbrief.content.yaml import LineMap

MAX_MEDIA_BYTES = 50 * 1024 * 1024

T = TypeVar("T")


def _files(folder: Path, pattern: str) -> list[Path]:
    if not folder.is_dir():
        return []
    return sorted(p for p in folder.glob(pattern) if p.is_file() and not p.name.startswith("."))


def _by_id(reader: Reader, items: list[T | None], kind: str) -> dict[str, T]:
    out: dict[str, T] = {}
    for item in items:
        if item is None:
            continue
        item_id: str = getattr(item, "id")  # noqa: B009 - all model kinds have an id
        if item_id in out:
            first: Origin = getattr(out[item_id], "origin")  # noqa: B009
            reader.error(
                getattr(item, "origin"),  # noqa: B009
                f"duplicate {kind} id '{item_id}' (also {first.path}): rename one",
            )
            continue
        out[item_id] = item
    return out


def _media(reader: Reader, media_dir: Path) -> tuple[str, ...]:
    """The media files, relative to content/; one too big to print is an error (its size
    is read, never its bytes)."""
    if not media_dir.is_dir():
        return ()
    found = []
    for path in sorted(media_dir.rglob("*")):
        if not path.is_file() or path.is_symlink():
            if path.is_symlink() and not inside(reader.root, path):
                reader.error(Origin(reader.rel(path)), outside_message(reader.root, path))
            continue
        if not inside(reader.root, path):  # under a linked folder
            reader.error(Origin(reader.rel(path)), outside_message(reader.root, path))
            continue
        size = path.stat().st_size
        if size > MAX_MEDIA_BYTES:
            reader.error(
                Origin(reader.rel(path)),
                f"media file is {size // (1024 * 1024):,} MiB, over the limit of "
                f"{MAX_MEDIA_BYTES // (1024 * 1024)} MiB; make it smaller (a picture for print "
                "needs a few MiB at most)",
            )
            continue
        found.append(path.relative_to(media_dir.parent).as_posix())
    return tuple(found)


def _file_id(path: Path) -> str | None:
    """The id a content file's name gives it (its first dotted part), if it is an id."""
    ident = path.name.split(".")[0]
    return ident if ID_RE.match(ident) else None


def yaml_file(reader: Reader, path: Path) -> tuple[str, Origin, LineMap, str] | None:
    """A YAML content file (<id>.yaml) read as a mapping: its id, origin, data and text; None,
    with the problem reported, when its name or its text will not do."""
    origin = Origin(reader.rel(path))
    if path.suffix not in (".yaml", ".yml") or not ID_RE.match(path.stem):
        reader.error(
            origin,
            f"file name '{path.name}' does not follow <id>.yaml (lowercase words joined by "
            "hyphens): rename it",
        )
        return None
    text = reader.read_text(path)
    if text is None:
        return None
    data = reader.mapping(reader.parse_yaml(text, origin), origin, "the file")
    if data is None:
        return None
    return path.stem, origin, data, text


MARKDOWN_NAME_RE = re.compile(r"^(?P<id>[^.]+)\.(?P<lang>[^.]+)\.md$")


def name_parts(reader: Reader, path: Path) -> tuple[str, str] | None:
    origin = Origin(reader.rel(path))
    match = MARKDOWN_NAME_RE.match(path.name)
    if not match or not ID_RE.match(match["id"]) or not LANG_RE.match(match["lang"]):
        fixed = ""
        if match and ID_RE.match(match["id"]):
            lang = match["lang"].replace("-", "_")
            lang = lang.split("_")[0].lower() + "".join(
                f"_{p.upper()}" for p in lang.split("_")[1:]
            )
            if LANG_RE.match(lang):
                fixed = f" to '{match['id']}.{lang}.md'"
        reader.error(
            origin,
            f"file name '{path.name}' does not follow <id>.<lang>.md (like "
            f"2019-11-22-new-delhi-plenary.en.md): rename it{fixed}",
        )
        return None
    return match["id"], match["lang"]


def markdown_file(reader: Reader, path: Path) -> tuple[str, str, Origin, LineMap, str, int] | None:
    """A Markdown content file (<id>.<lang>.md: a statement, an issue chapter, an editors'
    page) read: its id, language, origin, front matter, body and the body's first line; None,
    with the problem reported, when its name, text or front matter will not do."""
    parts = name_parts(reader, path)
    text = reader.read_text(path)
    if parts is None or text is None:
        return None
    origin = Origin(reader.rel(path))
    split = reader.split_front_matter(text, origin)
    if split is None:
        return None
    raw, body, body_line = split
    data = reader.mapping(raw, origin, "the front matter")
    if data is None:
        return None
    return parts[0], parts[1], origin, data, body, body_line
