"""pandoc (the pypandoc-binary wheel's) run as a bounded process: a memory ceiling, a time
limit, a sandbox, and a clear error when it exceeds them.

pandoc's runtime accepts `+RTS -M<size> -RTS`: past that heap it stops with exit code 251
("Heap exhausted") instead of taking the machine's memory, which is what a zip bomb (a tiny
.docx that unpacks to gigabytes) would otherwise do.
"""

from __future__ import annotations

import subprocess
from pathlib import Path

HEAP_EXHAUSTED = 251  # pandoc's exit code when its heap ceiling is reached


class PandocFailed(Exception):
    """pandoc could not convert the input, or went past its memory or time."""


def memory_options(ceiling: str) -> list[str]:
    """The arguments that cap pandoc's heap at `ceiling` (like "512m" or "6g")."""
    return ["+RTS", f"-M{ceiling}", "-RTS"]


def run_pandoc(
    args: list[str],
    *,
    stdin: bytes | None = None,
    cwd: Path | None = None,
    memory: str = "1g",
    seconds: float = 60.0,
) -> bytes:
    """pandoc's output for `args` (input from `stdin` or a file named in `args`)."""
    import pypandoc

    command = [pypandoc.get_pandoc_path(), "--sandbox", *args, *memory_options(memory)]
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
            f"pandoc ran past {seconds:g} seconds and was stopped; the file is too big or "
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
