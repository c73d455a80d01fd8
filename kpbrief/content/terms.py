"""Uses of the glossary's terms in a text: found for the check, linked for the book.

A use is a whole word (or words) that is a term or one of its other forms (`also:`); a term
written in capitals (an acronym: KPCS) counts only as written, any other form in any case.
Only running text counts: never a heading, a quotation (block quote), an existing link or
code. The first use in a text (a chapter, the chronology) links to the glossary; later uses
do not.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator

from markdown_it.token import Token

from kpbrief.content.model import GlossaryEntry


def _is_acronym(form: str) -> bool:
    letters = [c for c in form if c.isalpha()]
    return bool(letters) and all(c.isupper() for c in letters)


class TermFinder:
    """The glossary's forms in one language, and where they stand in a text."""

    def __init__(self, entries: Iterable[GlossaryEntry], lang: str, default_lang: str) -> None:
        self.exact: dict[str, str] = {}  # acronym form -> entry id
        self.folded: dict[str, str] = {}  # other forms, casefolded -> entry id
        for entry in entries:
            for form in entry.forms(lang, default_lang):
                form = " ".join(form.split())
                if not form:
                    continue
                if _is_acronym(form):
                    self.exact.setdefault(form, entry.id)
                else:
                    self.folded.setdefault(form.casefold(), entry.id)
        alternatives = [(f, False) for f in self.exact] + [(f, True) for f in self.folded]
        alternatives.sort(key=lambda item: -len(item[0]))
        parts = [
            ("(?i:" if folded else "(?:")
            + r"\s+".join(re.escape(word) for word in form.split())
            + ")"
            for form, folded in alternatives
        ]
        self.pattern = (
            re.compile(r"(?<![\w])(?:" + "|".join(parts) + r")(?![\w])") if parts else None
        )

    def entry_of(self, matched: str) -> str | None:
        words = " ".join(matched.split())
        return self.exact.get(words) or self.folded.get(words.casefold())

    def matches(self, text: str) -> Iterator[tuple[int, int, str]]:
        """(start, end, entry id) of every use in a plain text."""
        if self.pattern is None:
            return
        for match in self.pattern.finditer(text):
            entry = self.entry_of(match[0])
            if entry is not None:
                yield match.start(), match.end(), entry

    def found_in(self, body: str) -> set[str]:
        """The entries used in a Markdown body, where uses count."""
        from kpbrief.content.markdown import _parser

        found: set[str] = set()
        for token in running_text(_parser(False).parse(body, {})):
            found.update(entry for _s, _e, entry in self.matches(token.content))
        return found

    def split(self, text: str, used: set[str]) -> list[tuple[str, str | None]]:
        """A plain text as pieces (text, entry id of a first use or None); `used` grows."""
        pieces: list[tuple[str, str | None]] = []
        position = 0
        for start, end, entry in self.matches(text):
            if entry in used:
                continue
            used.add(entry)
            if start > position:
                pieces.append((text[position:start], None))
            pieces.append((text[start:end], entry))
            position = end
        if position < len(text) or not pieces:
            pieces.append((text[position:], None))
        return pieces

    def link(self, tokens: list[Token], used: set[str], anchor: dict[str, str]) -> None:
        """Link each term's first use in a parsed body (markdown-it tokens) to `anchor[id]`;
        `used` holds the terms already linked in the same text, and grows."""
        eligible = {id(t) for t in running_text(tokens)}
        for block in tokens:
            children = block.children
            if not children or not any(id(child) in eligible for child in children):
                continue
            out: list[Token] = []
            for child in children:
                if id(child) not in eligible:
                    out.append(child)
                    continue
                for piece, entry in self.split(child.content, used):
                    if entry is None:
                        out.append(_text(piece))
                        continue
                    out.append(
                        Token(
                            "link_open",
                            "a",
                            1,
                            attrs={"href": f"#{anchor[entry]}", "class": "glossary-term"},
                        )
                    )
                    out.append(_text(piece))
                    out.append(Token("link_close", "a", -1))
            block.children = out


def _text(content: str) -> Token:
    return Token("text", "", 0, content=content)


def running_text(tokens: list[Token]) -> Iterator[Token]:
    """The text tokens of a parsed body where a use counts: outside headings, block
    quotes, links and code."""
    quote = 0
    heading = False
    for block in tokens:
        if block.type == "blockquote_open":
            quote += 1
        elif block.type == "blockquote_close":
            quote -= 1
        elif block.type == "heading_open":
            heading = True
        elif block.type == "heading_close":
            heading = False
        elif block.type == "inline" and not quote and not heading:
            link = 0
            for child in block.children or []:
                if child.type == "link_open":
                    link += 1
                elif child.type == "link_close":
                    link -= 1
                elif child.type == "text" and not link:
                    yield child
