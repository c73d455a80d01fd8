"""The files of a book folder as the loaders meet them: which are read, the media and their
sizes, the ids their names give, one item per id."""

from __future__ import annotations

from pathlib import Path
from typing import TypeVar

from kpbrief.confine import inside, outside_message
from kpbrief.content.model import Origin
from kpbrief.content.reader import ID_RE, Reader
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
