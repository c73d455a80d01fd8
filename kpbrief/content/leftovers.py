"""What an editor meant to replace and did not: the placeholders `kpbrief new` writes
("TITLE OF THE STATEMENT", "FULL NAME") and the `# REVIEW` marks `kpbrief import` leaves.

Both are warnings (errors with `check --strict`): the book builds, and prints them.
The placeholders are read from the very templates `kpbrief new` fills (`layouts/new/`).
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import MutableMapping
from functools import lru_cache
from pathlib import Path

from kpbrief.content.model import Origin, Problem
from kpbrief.content.reader import MAX_FILE_BYTES, fold_newlines
from kpbrief.digest import digest_of
from kpbrief.folder import KINDS, BookFolder

_REVIEW = re.compile(r"#\s*REVIEW\b")
_COMMENT = re.compile(r"(?:^|\s)#.*$")
_JINJA = re.compile(r"\{\{.*?\}\}|\{%.*?%\}")
_CAPITALS = re.compile(
    r"(?<![\w-])[A-ZÀ-Þ][A-ZÀ-Þ’'-]*(?:,? [A-ZÀ-Þ][A-ZÀ-Þ’'-]*)*(?![\w-])",
)
_MIN_LETTERS = 4


@lru_cache(maxsize=8)
def _placeholders(new_dirs: tuple[Path, ...]) -> tuple[str, ...]:
    """The capitalised stand-ins and the body lines of every template of `kpbrief new`."""
    found: dict[str, None] = {}
    for folder in new_dirs:
        if not folder.is_dir():
            continue
        for template in sorted(folder.iterdir()):
            text = template.read_text(encoding="utf-8")
            lines = text.split("\n")
            if template.suffix == ".md" and lines.count("---") >= 2:
                closing = lines.index("---", 1)
                for line in lines[closing + 1 :]:
                    if line.strip() and not _JINJA.search(line):
                        found[line.strip()] = None
                lines = lines[1:closing]
            for line in lines:
                value = _JINJA.sub("", _COMMENT.sub("", line))
                for match in _CAPITALS.finditer(value):
                    if sum(c.isalpha() for c in match[0]) >= _MIN_LETTERS:
                        found[match[0]] = None
    return tuple(found)


def _content_files(folder: BookFolder) -> list[Path]:
    files = [folder.book_file] if folder.book_file.is_file() else []
    for kind in KINDS:
        directory = folder.kind_dir(kind)
        if directory.is_dir():
            files += sorted(p for p in directory.iterdir() if p.is_file() and not p.is_symlink())
    return files


def _in_file(rel: str, text: str, placeholders: tuple[str, ...]) -> list[Problem]:
    problems: list[Problem] = []
    patterns = [(p, re.compile(rf"(?<![\w-]){re.escape(p)}(?![\w-])")) for p in placeholders]
    for number, line in enumerate(text.split("\n"), start=1):
        review = _REVIEW.search(line)
        if review:
            problems.append(
                Problem(
                    Origin(rel, number, review.start() + 1),
                    "warning",
                    "a REVIEW mark is left: check this line against the received text, then "
                    "delete the comment",
                    line,
                )
            )
        for placeholder, pattern in patterns:
            match = pattern.search(line)
            if match:
                problems.append(
                    Problem(
                        Origin(rel, number, match.start() + 1),
                        "warning",
                        f"'{placeholder}' is a placeholder of 'kpbrief new', and the book would "
                        "print it: write the real value",
                        line,
                    )
                )
    return problems


def leftovers(root: Path, memo: MutableMapping[str, object] | None = None) -> list[Problem]:
    """Every placeholder and REVIEW mark left in the content files of a book folder; `memo`
    (a warm process's): those of each file by the digest of its text, name and placeholders."""
    folder = BookFolder(root)
    placeholders = _placeholders(tuple(d / "new" for d in folder.layout_dirs()))
    problems: list[Problem] = []
    for path in _content_files(folder):
        if path.stat().st_size > MAX_FILE_BYTES:
            continue  # reported by the loader
        try:
            text = fold_newlines(path.read_bytes().decode("utf-8-sig"))
        except (OSError, UnicodeDecodeError):
            continue  # reported by the loader
        rel = path.relative_to(root).as_posix()
        if memo is None:
            problems += _in_file(rel, text, placeholders)
            continue
        key = digest_of("leftovers", rel, placeholders, _text_digest(text))
        found = memo.get(key)
        if not isinstance(found, list):
            found = memo[key] = _in_file(rel, text, placeholders)
        problems += found
    return problems


def _text_digest(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()
