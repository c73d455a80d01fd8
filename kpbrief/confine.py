"""The book folder's fence: no path that resolves outside it is read or written.

A book folder is untrusted: any file or folder in it may be a symbolic link, to another
file of the book (harmless) or to anything on the machine. Every reader and writer of
book files asks `inside` of the path it is about to use, the path as the system will
resolve it, links followed; `ensure_inside` is the same question for writers, raising.
"""

from __future__ import annotations

from pathlib import Path


class OutsideBook(Exception):
    """A path that resolves outside the book folder; nothing was read or written."""


def inside(root: Path, path: Path) -> bool:
    """Whether `path`, every link followed, is `root` or lies under it."""
    try:
        return path.resolve().is_relative_to(root.resolve())
    except (OSError, RuntimeError, ValueError):  # a loop of links, a name the system refuses
        return False


def ensure_inside(root: Path, path: Path, doing: str = "write") -> Path:
    """`path` resolved, or OutsideBook when it (or a link on its way) leads out of `root`."""
    if not inside(root, path):
        try:
            where = str(path.resolve())
        except (OSError, RuntimeError, ValueError):
            where = "a loop of links"
        raise OutsideBook(
            f"refused to {doing} {path}: it resolves to {where}, outside the book folder "
            f"{root}; nothing was {'read' if doing == 'read' else 'written'}"
        )
    return path.resolve()


def outside_message(root: Path, path: Path) -> str:
    """For `kpbrief check`: why a link out of the book is not read."""
    try:
        where = str(path.resolve())
    except (OSError, RuntimeError, ValueError):
        where = "a loop of links"
    return (
        f"this is a link to {where}, outside the book folder: kpbrief reads nothing from "
        "outside the book; copy the file in instead of linking it"
    )
