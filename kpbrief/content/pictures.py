"""The book's pictures, judged by their bytes: an image of an accepted kind, named as what
it is, and (an SVG) nothing a reader's software could run or fetch. See `kpbrief.media`."""

from __future__ import annotations

from kpbrief import media
from kpbrief.confine import inside
from kpbrief.content.model import Content, Origin, Problem


def media_problems(content: Content) -> list[Problem]:
    """Every file under content/media that is no picture kpbrief may copy into an output."""
    problems: list[Problem] = []
    folder = content.root / "content"
    for name in content.media:
        path = folder / name
        if not inside(content.root, path):
            continue  # reported by the loader
        try:
            data = path.read_bytes()
        except OSError as failure:
            problems.append(Problem(Origin(f"content/{name}"), "error", f"cannot read: {failure}"))
            continue
        found = media.problems(data)
        misnamed = media.suffix_problem(name, data)
        if misnamed:
            found.append((1, misnamed))
        for line, reason in found:
            problems.append(
                Problem(
                    Origin(f"content/{name}", line),
                    "error",
                    f"media file refused: {reason}; a book's pictures are PNG, JPEG, GIF, WebP "
                    "or SVG without scripts, handlers or references outside the picture",
                )
            )
    return problems
