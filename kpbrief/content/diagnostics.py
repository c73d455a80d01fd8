"""How a problem is said to an editor: the offending line quoted with a caret under the
place, "did you mean" for a near miss, invisible characters named by their code point.

Messages here go to the terminal, never into a book: they may be in Python.
"""

from __future__ import annotations

import difflib
import unicodedata
from collections.abc import Iterable

from kpbrief.content.model import Problem

EXCERPT_WIDTH = 100

# Characters an editor cannot see, or cannot tell from a plain space or hyphen.
_VISIBLE_LOOKALIKES = frozenset(" \t")


def invisible(char: str) -> bool:
    """Whether a character would look like nothing, or like a space or hyphen, on screen."""
    if char in _VISIBLE_LOOKALIKES:
        return False
    category = unicodedata.category(char)
    return category in ("Cf", "Zs", "Zl", "Zp", "Cc") or char in "\u2010\u2011\u2012\u00ad"


def show_invisible(text: str) -> str:
    """`text` with each invisible character written as <U+2011>."""
    return "".join(f"<U+{ord(c):04X}>" if invisible(c) else c for c in text)


def name_invisible(text: str) -> str:
    """The invisible characters of `text`, named: 'U+2011 NON-BREAKING HYPHEN'."""
    seen = dict.fromkeys(c for c in text if invisible(c))
    return ", ".join(f"U+{ord(c):04X} {unicodedata.name(c, 'control character')}" for c in seen)


def closest(word: str, candidates: Iterable[str]) -> str | None:
    """The candidate `word` most likely stands for (another case, a slip), or None."""
    options = list(dict.fromkeys(candidates))
    lowered = {c.lower(): c for c in options}
    if word.lower() in lowered and lowered[word.lower()] != word:
        return lowered[word.lower()]
    close = difflib.get_close_matches(word, options, n=1, cutoff=0.75)
    if not close:
        close = [c for c in options if c.startswith(word) or word.startswith(c)][:1]
    return close[0] if close and close[0] != word else None


def did_you_mean(word: str, candidates: Iterable[str]) -> str:
    """ "; did you mean 'x'?" for the closest candidate, or ''."""
    near = closest(word, candidates)
    return f"; did you mean '{near}'?" if near else ""


def caret_lines(excerpt: str, column: int) -> list[str]:
    """The line, shortened around the column, and a caret under the column (1-based)."""
    text = excerpt.replace("\t", " ")
    start = 0
    if column > EXCERPT_WIDTH - 10:
        start = column - EXCERPT_WIDTH // 2
    shown = show_invisible(text[start : start + EXCERPT_WIDTH])
    prefix = "…" if start else ""
    caret_at = len(prefix) + len(show_invisible(text[start : max(start, column - 1)]))
    lines = [f"    | {prefix}{shown}"]
    if column:
        lines.append(f"    | {' ' * caret_at}^")
    return lines


def render(problem: Problem, excerpt: bool = True) -> str:
    """A problem as printed: its line, then (when known) the offending line and a caret."""
    if not excerpt or not problem.excerpt:
        return str(problem)
    return "\n".join([str(problem), *caret_lines(problem.excerpt, problem.origin.column)])


def language_hint(written: str) -> str:
    """'; did you mean `fr`?' for a language written as a name (French, français), with the
    wrong case (FR) or with a hyphen (pt-BR); or ''."""
    from babel import Locale

    text = written.strip()
    if "-" in text:
        head, _, tail = text.partition("-")
        return f"; did you mean '{head.lower()}_{tail.upper()}'?"
    if text.lower() != text and len(text) <= 3:
        return f"; did you mean '{text.lower()}'?"
    for lang in ("en", "fr", "es", "pt"):
        for code, name in Locale.parse(lang).languages.items():
            if name.lower() == text.lower() and "_" not in code:
                return f"; did you mean '{code}'?"
    return ""
