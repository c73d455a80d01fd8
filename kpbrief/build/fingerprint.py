"""Fingerprints of a build's inputs, and the manifest that remembers them beside the outputs.

An output is up to date when the manifest records, for its file, the fingerprint of the
inputs it was made from and the digest of the bytes it was written with, and both still
hold. Two fingerprints are kept per output:

- the *input* key: every file of the book's content, layouts and locales, kpbrief's own
  code, the engines' versions and the build options. When it matches, nothing is loaded.
- the *render* key: the rendered HTML the engine was given, with everything the engine may
  read beside it (styles, fonts, media) and the same versions and options. When the input
  key changed but the render key did not (a French edit, for the English book), the engine
  is not run again.

A missing, unreadable or foreign manifest means "rebuild": the cache can only ever save
work, never serve an output made from other inputs.
"""

from __future__ import annotations

import functools
import hashlib
import json
import os
import stat
from collections.abc import Iterable
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path

from kpbrief import __version__
from kpbrief.digest import known_file_digest, streamed_file_digest

MANIFEST = ".kpbrief-build.json"
_FORMAT = 1
_CODE_DIR = Path(__file__).resolve().parent.parent  # the whole kpbrief package


def _files_under(root: Path) -> list[tuple[str, str, os.stat_result]]:
    """Every file under `root` (a link to a file stands for its file; a link to a folder is
    not followed), as its path relative to `root`, its full path and its status; sorted by
    relative path, `__pycache__` folders left out."""
    found: list[tuple[str, str, os.stat_result]] = []
    if not root.is_dir():
        return found
    folders = [(os.path.abspath(root), "")]
    while folders:
        folder, relative = folders.pop()
        try:
            entries = list(os.scandir(folder))
        except OSError:
            continue  # removed, or unreadable, while it was listed
        for entry in entries:
            name = relative + entry.name
            try:
                if entry.is_dir(follow_symlinks=False):
                    if entry.name != "__pycache__":
                        folders.append((entry.path, name + "/"))
                    continue
                status = entry.stat()  # a link: its target's
            except OSError:
                continue  # a broken link, or a file removed while it was listed
            if stat.S_ISREG(status.st_mode):
                found.append((name, entry.path, status))
    found.sort()
    return found


MAX_HASHED_BYTES = 256 * 1024 * 1024  # over every limit the content has


def tree_digest(roots: Iterable[Path], exclude: Path | None = None) -> str:
    """One digest of every file's relative path and bytes under the given folders."""
    digest = hashlib.sha256()
    excluded = None if exclude is None else os.path.abspath(exclude)
    for root in roots:
        digest.update(f"\0root {root.name}\0".encode())
        for relative, full, status in _files_under(root):
            if excluded is not None and (
                full == excluded or full.startswith(excluded.rstrip(os.sep) + os.sep)
            ):
                continue
            digest.update(relative.encode("utf-8", "surrogateescape") + b"\0")
            if status.st_size > MAX_HASHED_BYTES:
                # Refused by the check (media) or the reader (text): its size and time stand
                # for it, and the build fails on the check before anything is made of it.
                digest.update(f"{status.st_size}:{status.st_mtime_ns}".encode())
                continue
            digest.update(bytes.fromhex(known_file_digest(full, status)))
    return digest.hexdigest()


def _version(distribution: str) -> str:
    try:
        return metadata.version(distribution)
    except metadata.PackageNotFoundError:
        return "absent"


@functools.cache
def _engines() -> str:
    """The engines' versions (read once a process: the engines it runs are those it found)."""
    return ",".join(
        f"{name}={_version(name)}"
        for name in ("weasyprint", "pypandoc-binary", "pypandoc", "pikepdf")
    )


def tool_digest() -> str:
    """kpbrief's own code and version, and the engines' versions."""
    engines = _engines()
    return hashlib.sha256(
        f"kpbrief {__version__}\0{engines}\0{tree_digest([_CODE_DIR])}".encode()
    ).hexdigest()


def options_digest(**options: object) -> str:
    """The options an output depends on, including SOURCE_DATE_EPOCH from the environment."""
    given = dict(options, source_date_epoch=os.environ.get("SOURCE_DATE_EPOCH"))
    return hashlib.sha256(json.dumps(given, sort_keys=True, default=str).encode()).hexdigest()


def combine(*parts: str) -> str:
    return hashlib.sha256("\0".join(parts).encode()).hexdigest()


def file_digest(path: Path) -> str | None:
    try:
        return streamed_file_digest(path)
    except OSError:
        return None


@dataclass
class Entry:
    input_key: str
    render_key: str
    output: str  # sha256 of the output file's bytes


class Manifest:
    """What the last successful build of a folder wrote, read from and written to the folder."""

    def __init__(self, folder: Path) -> None:
        self.path = folder / MANIFEST
        self.entries: dict[str, Entry] = {}
        try:
            data = json.loads(self.path.read_text(encoding="utf-8"))
            if data.get("format") == _FORMAT:
                for name, entry in data.get("outputs", {}).items():
                    self.entries[name] = Entry(
                        str(entry["input_key"]), str(entry["render_key"]), str(entry["output"])
                    )
        except (OSError, ValueError, KeyError, TypeError, AttributeError):
            self.entries = {}

    def _intact(self, output: Path, entry: Entry) -> bool:
        return file_digest(output) == entry.output

    def current_by_input(self, output: Path, input_key: str) -> bool:
        entry = self.entries.get(output.name)
        return entry is not None and entry.input_key == input_key and self._intact(output, entry)

    def current_by_render(self, output: Path, render_key: str) -> bool:
        entry = self.entries.get(output.name)
        return entry is not None and entry.render_key == render_key and self._intact(output, entry)

    def record(self, output: Path, input_key: str, render_key: str, written: Path) -> None:
        """Remember `output` as made from these keys; `written` holds its bytes (staged)."""
        digest = file_digest(written)
        if digest is not None:
            self.entries[output.name] = Entry(input_key, render_key, digest)

    def forget(self, output: Path) -> None:
        self.entries.pop(output.name, None)

    def check_writable(self) -> None:
        """Raise OSError, before any output is replaced, if the manifest could not be saved."""
        if self.path.exists() and not self.path.is_file():
            raise OSError(
                f"{self.path} is not a file (a folder?), so the build could not record what it "
                "wrote; remove it and build again"
            )

    def save(self) -> None:
        data = {
            "format": _FORMAT,
            "outputs": {name: vars(entry) for name, entry in sorted(self.entries.items(), key=str)},
        }
        temporary = self.path.with_name(self.path.name + ".tmp")
        self.path.parent.mkdir(parents=True, exist_ok=True)
        temporary.write_text(json.dumps(data, indent=1, sort_keys=True) + "\n", encoding="utf-8")
        os.replace(temporary, self.path)
