"""Quotations in the editors' prose: every one must stand in a statement of its language.

An issue chapter's body and a chronology entry's title and note may quote the statements,
between “…” or « … ». A quotation of at least `MIN_WORDS` words must stand word for word in
a statement of the same language, as key lines already must: quotation marks, spacing
(non-breaking spaces included), Markdown markup and the case of the first letter aside. An
ellipsis (… or ... , bare or in brackets) joins parts that must stand in that order in one
statement. A quotation that matches nothing is an error naming the file and line: either the
words are wrong, or the quotation marks dress up a paraphrase.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, MutableMapping
from dataclasses import dataclass

from kpbrief.content.faithful import normalise, statement_words
from kpbrief.content.markdown import plain_text
from kpbrief.content.model import Content, Origin, Problem
from kpbrief.digest import digest_of

MIN_WORDS = 4

# A quotation: guillemets (which may hold “…” inside them) or English double quotes.
_QUOTATION = re.compile(r"«([^«»]*)»|“([^“”«»]*)”")
# An ellipsis where the quoting text leaves words out: … or ..., bare or bracketed.
_ELLIPSIS = re.compile(r"\s*(?:[\[(]\s*(?:…|\.\.\.)\s*[\])]|…|\.\.\.)\s*")
# Markup that Markdown reads as other than its own words (see faithful._MARKUP).
_MARKUP = re.compile(r"[\\`*_\[\]<>&!#|~=]")
_EDGE_PUNCTUATION = ",;:."
# A word, as counted against MIN_WORDS: a run of letters or digits (“déjà-vu” is two).
_WORD = re.compile(r"\w+")


@dataclass(frozen=True)
class Found:
    """A quotation in the editors' prose: its text, language and where it was written."""

    text: str
    lang: str
    origin: Origin


def quotations(text: str, lang: str, path: str, first_line: int) -> Iterator[Found]:
    """Every quotation of `MIN_WORDS` words or more in `text`, whose first line is `first_line`."""
    for match in _QUOTATION.finditer(text):
        quoted = match.group(1) if match.group(1) is not None else match.group(2)
        if len(_WORD.findall(quoted)) < MIN_WORDS:
            continue
        line = first_line + text.count("\n", 0, match.start())
        yield Found(quoted, lang, Origin(path, line))


def _parts(quoted: str) -> list[list[str]]:
    """The parts an ellipsis separates, each as the normalised forms it may take."""
    parts: list[list[str]] = []
    for part in _ELLIPSIS.split(quoted):
        part = part.strip().strip(_EDGE_PUNCTUATION).strip()
        if not part:
            continue
        words = normalise(plain_text(part) if _MARKUP.search(part) else part)
        if not words:
            continue
        forms = {words, words[0].lower() + words[1:], words[0].upper() + words[1:]}
        parts.append(sorted(forms))
    return parts


def stands_in(quoted: str, haystack: str) -> bool:
    """Whether the quotation's parts stand in `haystack`, in their order."""
    position = 0
    for forms in _parts(quoted):
        ends = [
            found + len(form) for form in forms if (found := haystack.find(form, position)) >= 0
        ]
        if not ends:
            return False
        position = min(ends)
    return True


def _found(content: Content) -> Iterator[Found]:
    default = content.book.default_lang if content.book else "en"
    for issue in content.issues.values():
        for text in issue.texts.values():
            yield from quotations(text.body, text.lang, text.origin.path, text.body_line)
    for event in content.events.values():
        written = _written(content, event.origin.path)
        for field in ("title", "note"):
            local = getattr(event, field)
            if local is None:
                continue
            line = event.origin.at(event.lines, field).line
            for lang, value in local.values.items():
                for found in quotations(value, lang or default, event.origin.path, line):
                    yield Found(found.text, found.lang, _line_of(found, written))


def _written(content: Content, path: str) -> list[str]:
    """The lines of a YAML file as written, to find the line a folded quotation starts on."""
    root = content.root.resolve()
    full = (root / path).resolve()
    if not full.is_relative_to(root) or not full.is_file():
        return []
    try:
        return full.read_text(encoding="utf-8-sig").split("\n")
    except (OSError, UnicodeDecodeError):
        return []


def _line_of(found: Found, lines: list[str]) -> Origin:
    """The line, at or after the field's, where the quotation's first words are written.

    YAML folds a long value's lines into one string: the quotation's words are sought in
    the file, the first three of them (or fewer) on one line.
    """
    words = found.text.split()[:3]
    start = found.origin.line
    for count in range(len(words), 0, -1):
        probe = " ".join(words[:count])
        for number in range(start, len(lines) + 1):
            if probe in " ".join(lines[number - 1].split()):
                return Origin(found.origin.path, number)
    return found.origin


def unmatched(content: Content, memo: MutableMapping[str, object] | None = None) -> list[Problem]:
    """An error for every quotation that stands in no statement of its language; `memo` (a
    warm process's): whether a quotation stands, by the digest of it and the statements'
    words in its language."""
    haystacks: dict[str, list[str]] = {}
    for statement in content.statements.values():
        for text in (statement.original, *statement.translations.values()):
            haystacks.setdefault(text.lang.split("_")[0], []).append(statement_words(text))
    problems: list[Problem] = []
    words: dict[str, str] = {}  # each language's haystacks, by digest
    for found in _found(content):
        lang = found.lang.split("_")[0]
        if memo is None:
            stands = any(stands_in(found.text, hay) for hay in haystacks.get(lang, ()))
        else:
            if lang not in words:
                words[lang] = digest_of(haystacks.get(lang, []))
            key = digest_of("quotation", found.text, words[lang])
            kept = memo.get(key)
            if not isinstance(kept, bool):
                kept = memo[key] = any(stands_in(found.text, h) for h in haystacks.get(lang, ()))
            stands = kept
        if stands:
            continue
        shown = " ".join(found.text.split())
        shown = shown if len(shown) <= 60 else shown[:59] + "…"
        problems.append(
            Problem(
                found.origin,
                "error",
                f"quotation “{shown}” matches no statement in {lang}; quote the statement "
                "word for word, or take the quotation marks off a paraphrase",
            )
        )
    return problems
