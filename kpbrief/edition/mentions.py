"""Mentions: where the text the book prints names an index entry, tagged or not.

A name is found in a text whatever its accents and case ("Quebec" in "QUÉBEC"), whole words
only, its words apart by any spaces or line breaks; an acronym only as written; a family
name alone only when it begins with a capital. In HTML, each mention found in the text
between tags is wrapped in an empty-styled `<span id="…">`, so that the index can point to
its page: the words themselves, their order and their spacing are left exactly as they are.
"""

from __future__ import annotations

import hashlib
import html
import re
import unicodedata
from collections.abc import Callable, Hashable, Iterable, MutableMapping
from dataclasses import dataclass
from typing import Literal

from kpbrief.digest import digest_of

# Characters folded to one other character, so that a folded text keeps its length.
_FOLD = str.maketrans({"’": "'", "ʼ": "'", "‘": "'", "‐": "-", "‑": "-", "–": "-", "ı": "i"})
_SPELLED = {"æ": "a", "œ": "o", "ø": "o", "ł": "l", "đ": "d", "ð": "d", "þ": "t", "ß": "s"}


def _fold_char(char: str) -> str:
    lower = char.lower()
    if len(lower) != 1:
        lower = char
    if lower in _SPELLED:
        return _SPELLED[lower]
    decomposed = unicodedata.normalize("NFKD", lower)
    base = "".join(c for c in decomposed if not unicodedata.combining(c))
    return base if len(base) == 1 else lower


class _Folded(dict[int, str]):
    """Each character's folded one, by code point, worked out the first time it is asked
    for: a table for `str.translate`, which then folds a text without a call per character."""

    def __missing__(self, code: int) -> str:
        char = chr(code)
        folded = self[code] = _fold_char(char.translate(_FOLD))
        return folded


_FOLDED = _Folded()


def fold(text: str) -> str:
    """`text` without case or accents, one character for each of `text`'s: positions in the
    folded text are positions in the text."""
    return text.translate(_FOLDED)


Case = Literal["any", "exact", "capital"]


@dataclass(frozen=True)
class Needle:
    """A spelling that counts as a mention of the index entry `key`."""

    text: str
    key: Hashable
    case: Case = "any"  # exact: only as written (acronyms); capital: its first letter a capital
    lang: str | None = None  # only in texts of this language (a base code); None: in any

    def pattern(self) -> re.Pattern[str]:
        words = (self.text if self.case == "exact" else fold(self.text)).split()
        body = r"\s+".join(re.escape(word) for word in words)
        return re.compile(rf"(?<!\w){body}(?!\w)")


class Finder:
    """Every mention of a set of needles in a text: the longest first, never two overlapping.

    `memo` (a warm process's, see `build.warm`): for each text, by its digest, the needles
    already sought in it and those found. A needle found nowhere in a text changes nothing of
    what is found in it, so a text is searched again for the needles it was not searched for
    (after an edit, those of a new spelling) and only its needles found are matched again."""

    def __init__(
        self, needles: Iterable[Needle], memo: MutableMapping[str, object] | None = None
    ) -> None:
        unique = {(n.text, n.key, n.case, n.lang): n for n in needles if n.text.split()}
        ordered = sorted(unique.values(), key=lambda n: (-len(n.text), n.text))
        # A needle read as an earlier one is (the same words, case and language, another
        # entry: "Windhoek" of two places) never finds a mention the earlier has not taken:
        # it is left out, and an entry that adds one changes nothing of the texts it is in.
        read: set[tuple[str, str, str | None]] = set()
        self.needles = []
        for needle in ordered:
            if (needle.text, needle.case, needle.lang) not in read:
                read.add((needle.text, needle.case, needle.lang))
                self.needles.append(needle)
        # Each needle with its first word as the pattern looks for it: a text without that
        # word holds no mention, and a substring test says so far sooner than the pattern.
        self.patterns = [
            (n, n.pattern(), (n.text if n.case == "exact" else fold(n.text)).split()[0])
            for n in self.needles
        ]
        self.memo = memo
        names = [(n.text, n.case) for n in self.needles]  # what a needle's pattern reads
        self._names = names
        self._where: dict[tuple[str, str], list[int]] = {}
        for index, name in enumerate(names):
            self._where.setdefault(name, []).append(index)
        # For the needles a text was searched for (by their digest): those it was not.
        self._plans: dict[str, tuple[list[int], frozenset[tuple[str, str]], str]] = {}

    def _candidates(
        self, text: str | Callable[[], str], key: str
    ) -> tuple[list[tuple[Needle, re.Pattern[str], str]], str | None]:
        """The needles found somewhere in `text` (its digest `key`; or what gives it, if it
        must be searched), in the order of `patterns`; and `text` folded, if it had to be."""
        assert self.memo is not None
        kept = self.memo.get(key)
        sought_digest, sought, found = (
            kept if isinstance(kept, tuple) else ("", frozenset[tuple[str, str]](), frozenset())
        )
        plan = self._plans.get(sought_digest)
        if plan is None:
            union = sought | frozenset(self._names)
            unsought = [i for i, name in enumerate(self._names) if name not in sought]
            plan = self._plans[sought_digest] = (unsought, union, digest_of(sorted(union)))
        unsought, union, union_digest = plan
        folded = None
        if unsought or not isinstance(kept, tuple):
            text = text if isinstance(text, str) else text()
            folded = fold(text)
            found = found | {
                self._names[i]
                for i in unsought
                if self.patterns[i][1].search(text if self._names[i][1] == "exact" else folded)
            }
            self.memo[key] = (union_digest, union, found)
        indices = sorted(i for name in found for i in self._where.get(name, ()))
        return [self.patterns[i] for i in indices], folded

    def find(self, text: str, lang: str) -> list[tuple[int, int, Hashable]]:
        """(start, end, key) of each mention in `text`, a text in language `lang`."""
        base = lang.split("-")[0].split("_")[0]
        if self.memo is None:
            return self._find(text, fold(text), base, self.patterns)
        key = "mentions " + hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()
        candidates, folded = self._candidates(text, key)
        if not candidates:
            return []
        needles = [(n.text, n.key, n.case, n.lang) for n, _pattern, _first in candidates]
        found_key = digest_of("found", key, base, needles)
        kept = self.memo.get(found_key)
        if not isinstance(kept, list):
            folded = fold(text) if folded is None else folded
            kept = self.memo[found_key] = self._find(text, folded, base, candidates)
        return list(kept)

    @staticmethod
    def _find(
        text: str, folded: str, base: str, patterns: list[tuple[Needle, re.Pattern[str], str]]
    ) -> list[tuple[int, int, Hashable]]:
        found: list[tuple[int, int, Hashable]] = []
        taken: list[tuple[int, int]] = []
        for needle, pattern, first in patterns:
            if needle.lang is not None and needle.lang != base:
                continue
            haystack = text if needle.case == "exact" else folded
            if first not in haystack:
                continue
            for match in pattern.finditer(haystack):
                start, end = match.span()
                if needle.case == "capital" and not text[start].isupper():
                    continue
                if any(start < b and a < end for a, b in taken):
                    continue
                taken.append((start, end))
                found.append((start, end, needle.key))
        return sorted(found, key=lambda item: item[0])

    def keys(self, text: str, lang: str) -> list[Hashable]:
        """The entries `text` names, each once, in the order they are first named."""
        return list(dict.fromkeys(key for _s, _e, key in self.find(text, lang)))


_TAG = re.compile(r"(<!--.*?-->|<[^>]*>)", re.DOTALL)
_SKIPPED = {"code", "pre", "script", "style", "svg", "math"}


def mark(
    fragment: str, finder: Finder, lang: str, prefix: str
) -> tuple[str, list[tuple[str, Hashable]]]:
    """`fragment` (HTML) with each mention in its text wrapped in `<span id="{prefix}-N">`,
    N counting from 1; and each (id, entry key), in the order of the text.

    With the finder's `memo`, the result is kept by the digest of the fragment and of the
    needles found anywhere in its text (its texts joined by a character no needle holds):
    a needle found in none of its texts changes nothing of it."""
    if finder.memo is None:
        return _mark(fragment, finder, lang, prefix)
    key = "mark " + hashlib.sha256(fragment.encode("utf-8", "surrogatepass")).hexdigest()
    candidates, _folded = finder._candidates(lambda: "\0".join(_texts(fragment)), key)
    needles = [(n.text, n.key, n.case, n.lang) for n, _pattern, _first in candidates]
    marked_key = digest_of("marked", key, lang, prefix, needles)
    kept = finder.memo.get(marked_key)
    if not isinstance(kept, tuple):
        kept = finder.memo[marked_key] = _mark(fragment, finder, lang, prefix)
    return kept[0], list(kept[1])


def _texts(fragment: str) -> list[str]:
    """The texts of `fragment` that `mark` searches."""
    texts: list[str] = []
    skipped = 0
    for piece in _TAG.split(fragment):
        if piece.startswith("<"):
            name = re.match(r"</?\s*([a-zA-Z0-9]+)", piece)
            tag = name[1].lower() if name else ""
            if tag in _SKIPPED and not piece.endswith("/>"):
                skipped += -1 if piece.startswith("</") else 1
        elif skipped <= 0 and piece.strip():
            texts.append(html.unescape(piece))
    return texts


def _mark(
    fragment: str, finder: Finder, lang: str, prefix: str
) -> tuple[str, list[tuple[str, Hashable]]]:
    pieces = _TAG.split(fragment)
    marks: list[tuple[str, Hashable]] = []
    skipped = 0
    out: list[str] = []
    for piece in pieces:
        if piece.startswith("<"):
            name = re.match(r"</?\s*([a-zA-Z0-9]+)", piece)  # a comment has none
            tag = name[1].lower() if name else ""
            if tag in _SKIPPED and not piece.endswith("/>"):
                skipped += -1 if piece.startswith("</") else 1
            out.append(piece)
            continue
        if skipped > 0 or not piece.strip():
            out.append(piece)
            continue
        text = html.unescape(piece)
        found = finder.find(text, lang)
        if not found:
            out.append(piece)
            continue
        position = 0
        for start, end, key in found:
            anchor = f"{prefix}-{len(marks) + 1}"
            marks.append((anchor, key))
            out.append(_escape(text[position:start]))
            out.append(f'<span id="{anchor}">{_escape(text[start:end])}</span>')
            position = end
        out.append(_escape(text[position:]))
    return "".join(out), marks


def _escape(text: str) -> str:
    """Text as the Markdown renderer escapes it (an apostrophe is left as it is)."""
    return html.escape(text, quote=False).replace('"', "&quot;")
