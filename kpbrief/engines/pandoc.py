"""pandoc (the pypandoc-binary wheel's) run as a bounded process: a memory ceiling, a time
limit, a sandbox, and a clear error when it exceeds them.

pandoc's runtime accepts `+RTS -M<size> -RTS`: past that heap it stops with exit code 251
("Heap exhausted") instead of taking the machine's memory, which is what a zip bomb (a tiny
.docx that unpacks to gigabytes) would otherwise do.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

HEAP_EXHAUSTED = 251  # pandoc's exit code when its heap ceiling is reached


class PandocFailed(Exception):
    """pandoc could not convert the input, or went past its memory or time."""


def memory_options(ceiling: str) -> list[str]:
    """The arguments that cap pandoc's heap at `ceiling` (like "512m" or "6g")."""
    return ["+RTS", f"-M{ceiling}", "-RTS"]


def _dying_with_parent(command: list[str]) -> list[str]:
    """`command` made to be killed when the process that starts it dies (Linux's parent-death
    signal, set by util-linux's setpriv before it runs the command): pandoc started by an
    engine worker never outlives it."""
    setpriv = shutil.which("setpriv") if sys.platform.startswith("linux") else None
    return [setpriv, "--pdeathsig", "KILL", "--", *command] if setpriv else command


def run_pandoc(
    args: list[str],
    *,
    stdin: bytes | None = None,
    cwd: Path | None = None,
    memory: str = "1g",
    seconds: float | None = 60.0,
    sandbox: bool = True,
) -> bytes:
    """pandoc's output for `args` (input from `stdin` or a file named in `args`).

    `sandbox`: pandoc reads no file but those named in `args` (a writer that packs
    resources, as the EPUB's does, must go without)."""
    import pypandoc

    command = [pypandoc.get_pandoc_path(), *(["--sandbox"] if sandbox else []), *args]
    command = _dying_with_parent([*command, *memory_options(memory)])
    try:
        done = subprocess.run(
            command,
            input=stdin,
            cwd=cwd,
            capture_output=True,
            timeout=seconds,
            check=False,
        )
    except subprocess.TimeoutExpired:
        raise PandocFailed(
            f"pandoc ran past {seconds or 0:g} seconds and was stopped; the file is too big or "
            "made to be slow"
        ) from None
    if done.returncode == HEAP_EXHAUSTED:
        raise PandocFailed(
            f"pandoc needed more than {memory} of memory and was stopped; the file unpacks to "
            "far more than a statement holds (a damaged or hostile file?)"
        )
    if done.returncode != 0:
        message = " ".join(done.stderr.decode("utf-8", "replace").split())[:300]
        raise PandocFailed(message or f"pandoc failed (exit code {done.returncode})")
    return done.stdout
