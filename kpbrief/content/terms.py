"""Uses of the glossary's terms in a text: found for the check, linked for the book.

A use is a whole word (or words) that is a term or one of its other forms (`also:`); a term
written in capitals (an acronym: KPCS) counts only as written, any other form in any case.
Only running text counts: never a heading, a quotation (a block quote, or words between
“…” or « … »), an existing link or code. The first use in a text (a chapter, the
chronology) links to the glossary; later uses do not.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator

from markdown_it.token import Token

from kpbrief.content.model import GlossaryEntry

# A quotation in the editors' prose, as `quotations` reads one: guillemets or “…”.
QUOTATION = re.compile(r"«[^«»]*»|“[^“”«»]*”")


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
        """(start, end, entry id) of every use in a plain text, outside quotations."""
        if self.pattern is None:
            return
        quoted = [m.span() for m in QUOTATION.finditer(text)]
        for match in self.pattern.finditer(text):
            if any(start <= match.start() < end for start, end in quoted):
                continue
            entry = self.entry_of(match[0])
            if entry is not None:
                yield match.start(), match.end(), entry

    def found_in(self, body: str) -> set[str]:
        """The entries used in a Markdown body, where uses count."""
        from kpbrief.content.markdown import _parser

        found: set[str] = set()
        for run in running_text(_parser(False).parse(body, {})):
            found.update(entry for _s, _e, entry in self.matches(_run_text(run)))
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
        runs = {id(run[0]): run for run in running_text(tokens)}
        for block in tokens:
            children = block.children
            if not children or not any(id(child) in runs for child in children):
                continue
            out: list[Token] = []
            index = 0
            while index < len(children):
                run = runs.get(id(children[index]))
                if run is None:
                    out.append(children[index])
                    index += 1
                    continue
                for piece, entry in self.split(_run_text(run), used):
                    if entry is None:
                        out.extend(_unsplit(piece))
                        continue
                    attrs: dict[str, str | int | float] = {
                        "href": f"#{anchor[entry]}",
                        "class": "glossary-term",
                    }
                    out.append(Token("link_open", "a", 1, attrs=attrs))
                    out.append(_text(" ".join(piece.split())))
                    out.append(Token("link_close", "a", -1))
                index += len(run)
            block.children = out


def _run_text(run: list[Token]) -> str:
    return "".join("\n" if token.type == "softbreak" else token.content for token in run)


def _unsplit(text: str) -> list[Token]:
    """A run's text as tokens again: its line breaks as soft breaks."""
    out: list[Token] = []
    for number, line in enumerate(text.split("\n")):
        if number:
            out.append(Token("softbreak", "br", 0))
        if line:
            out.append(_text(line))
    return out


def _text(content: str) -> Token:
    return Token("text", "", 0, content=content)


def running_text(tokens: list[Token]) -> Iterator[list[Token]]:
    """The runs of text of a parsed body where a use counts (text tokens and the soft line
    breaks between them, in order): outside headings, block quotes, links and code."""
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
            run: list[Token] = []
            for child in block.children or []:
                if child.type == "link_open":
                    link += 1
                elif child.type == "link_close":
                    link -= 1
                if not link and child.type in ("text", "softbreak"):
                    run.append(child)
                    continue
                if run:
                    yield run
                run = []
            if run:
                yield run
