"""The check's findings kept beside the outputs, so that the next build checks only what changed.

A warm process keeps what the check found of each statement, Markdown text, file and quotation
by the digest of everything it depends on (`warm.Kept`, the check's `memo`). A one-off build
(`kpbrief build` after an edit) has no such process: it reads the findings the last successful
build wrote (`.kpbrief-check.json` in the output folder), checks with them, and writes what this
check found. Only findings are kept (problems, and whether a quotation stands in the
statements), as plain JSON; the file is used only when it was written by the same kpbrief (the
salt: its code and the engines' versions), and anything in it that does not read as a finding
is ignored, so a file damaged or left by another version costs a full check, nothing more.
"""

from __future__ import annotations

import contextlib
import json
import os
import tempfile
from pathlib import Path
from typing import Any

from kpbrief.build.warm import Kept
from kpbrief.content.model import Origin, Problem

MEMO_FILE = ".kpbrief-check.json"  # in the output folder
SEVERITIES = ("error", "warning")


def read_check_memo(out: Path, salt: str) -> Kept | None:
    """The last build's findings, as a memo for this build's check; None if there are none
    (no file, another kpbrief's, or not readable)."""
    try:
        data = json.loads((out / MEMO_FILE).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    if not isinstance(data, dict) or data.get("salt") != salt:
        return None
    entries = data.get("entries")
    if not isinstance(entries, dict):
        return None
    kept = Kept()
    for key, value in entries.items():
        finding = _finding(value)
        if isinstance(key, str) and finding is not None:
            kept.before[key] = finding  # as a previous round's: used, or dropped when saved
    return kept


def write_check_memo(out: Path, salt: str, kept: dict[str, Any]) -> None:
    """This check's findings (what it looked up or made), written whole or not at all."""
    entries = {key: encoded for key, value in kept.items() if (encoded := _encoded(value))}
    text = json.dumps({"salt": salt, "entries": entries}, ensure_ascii=False, sort_keys=True)
    out.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(prefix=".kpbrief-check-", dir=out)
    try:
        with os.fdopen(handle, "w", encoding="utf-8") as stream:
            stream.write(text)
        os.replace(temporary, out / MEMO_FILE)
    finally:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(temporary)


def _encoded(value: object) -> dict[str, Any] | None:
    if isinstance(value, bool):
        return {"bool": value}
    if isinstance(value, tuple | list) and all(isinstance(p, Problem) for p in value):
        problems = [
            [p.origin.path, p.origin.line, p.origin.column, p.severity, p.message, p.excerpt]
            for p in value
        ]
        return {"tuple" if isinstance(value, tuple) else "list": problems}
    return None


def _finding(value: object) -> object:
    if not isinstance(value, dict) or len(value) != 1:
        return None
    ((kind, content),) = value.items()
    if kind == "bool":
        return content if isinstance(content, bool) else None
    if kind not in ("tuple", "list") or not isinstance(content, list):
        return None
    problems = []
    for item in content:
        if not (
            isinstance(item, list)
            and len(item) == 6
            and isinstance(item[0], str)
            and all(isinstance(n, int) and not isinstance(n, bool) for n in item[1:3])
            and item[3] in SEVERITIES
            and all(isinstance(t, str) for t in item[4:6])
        ):
            return None
        path, line, column, severity, message, excerpt = item
        problems.append(Problem(Origin(path, line, column), severity, message, excerpt))
    return tuple(problems) if kind == "tuple" else problems
