"""Faithfulness: does a statement still carry every paragraph of its archived source?

A paragraph of the received text (split at blank lines) must stand word for word in the
statement's original or in an official translation, title or body. Quotation marks,
spacing and line breaks do not count; Markdown markup is read as the words it shows.
A paragraph may be left out only when the statement's `source.omit` declares it.
A translation received as such (`source_file`) is held to its own text the same way.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import lru_cache

from markdown_it import MarkdownIt
from markdown_it.token import Token

from kpbrief.content.markdown import _parser, plain_text
from kpbrief.content.model import Omission, Statement, StatementText
from kpbrief.content.reader import fold_newlines

_QUOTES = dict.fromkeys(map(ord, '"“”„‟«»‹›'), None)
_APOSTROPHES = dict.fromkeys(map(ord, "‘’‚‛`´"), ord("'"))
_BULLETS = re.compile(r"^[ \t]*[•◦▪‣·][ \t]*", re.MULTILINE)


def normalise(text: str) -> str:
    """Fold what may change between a source and its statement: quotes and spacing."""
    text = unicodedata.normalize("NFC", text)
    text = text.translate(_QUOTES).translate(_APOSTROPHES)
    return "".join(text.split())


@dataclass(frozen=True)
class SourceParagraph:
    line: int  # 1-based line in the source file
    text: str  # as received


def paragraphs(source: str) -> list[SourceParagraph]:
    out: list[SourceParagraph] = []
    current: list[str] = []
    start = 1
    for number, line in enumerate(source.split("\n"), start=1):
        if line.strip():
            if not current:
                start = number
            current.append(line)
        elif current:
            out.append(SourceParagraph(start, "\n".join(current)))
            current = []
    if current:
        out.append(SourceParagraph(start, "\n".join(current)))
    return out


# What Markdown reads as other than its own words: markup characters anywhere, and list,
# quote and heading markers at the start of a line. A paragraph holding none of them shows
# its words as written (spacing aside, which `normalise` folds): Markdown need not read it.
_MARKUP = re.compile(r"[\\`*_\[\]<>&!#|~=]|^[ \t]*(?:[-+>]|\d+[.)])", re.MULTILINE)


# A footnote, read paragraph by paragraph: its mark `[^1]` is no word, and its text stands
# after its label `[^1]: ` as a paragraph of its own.
_FOOTNOTE_MARK = re.compile(r"\[\^[^\]\s]+\](?!:)")
_FOOTNOTE_LABEL = re.compile(r"^ {0,3}\[\^[^\]\s]+\]:[ \t]*", re.MULTILINE)


def _paragraph_words(paragraph: str) -> str:
    # A received paragraph may be Markdown or plain text: read it as Markdown so that
    # emphasis and link syntax count as the words they show. Bullets of plain-text
    # lists are not words.
    text = _BULLETS.sub("", paragraph)
    text = _FOOTNOTE_LABEL.sub("", _FOOTNOTE_MARK.sub("", text))
    return normalise(text if not _MARKUP.search(text) else _received_words(text))


@lru_cache(maxsize=1)
def _received_parser() -> MarkdownIt:
    """Markdown as a reader of the received file sees it: raw HTML is markup, not words;
    a link reads as its words whatever its target; an image is no words."""
    parser = MarkdownIt("commonmark", {"html": True})
    parser.enable("table")
    parser.validateLink = lambda url: True  # type: ignore[method-assign]
    return parser


def _received_words(text: str) -> str:
    words: list[str] = []
    for token in _received_parser().parse(text, {}):
        if token.type == "inline":
            words += [c.content for c in token.children or [] if c.type in ("text", "code_inline")]
        elif token.type in ("code_block", "fence"):
            words.append(token.content)
    return " ".join(words)


def statement_words(text: StatementText) -> str:
    return _words(text.title, text.body)


@lru_cache(maxsize=1024)
def _words(title: str, body: str) -> str:
    # Faithfulness and every key line of every chapter read the same statements: each
    # text is parsed and normalised once per process.
    return normalise(title) + normalise(plain_text(body))


@dataclass(frozen=True)
class Unfaithful:
    paragraph: SourceParagraph
    agrees_until: str  # the received words that still stand, up to where they part


@dataclass(frozen=True)
class Addition:
    line: int  # 1-based, in the body of the text compared
    text: str  # its words


@dataclass(frozen=True)
class Verdict:
    missing: list[Unfaithful]
    unused_omissions: list[Omission]
    added: list[Addition] = field(default_factory=list)  # in the statement, not the source
    compared: StatementText | None = None  # the text the source was found in
    unused_additions: list[Omission] = field(default_factory=list)


def _declared(words: str, declarations: list[tuple[Omission, str]], used: set[int]) -> bool:
    found = [i for i, (_, start) in enumerate(declarations) if start and words.startswith(start)]
    used.update(found)
    return bool(found)


def compare(statement: Statement, source: str) -> Verdict:
    """Every received paragraph that neither stands in the statement nor is declared omitted,
    and every paragraph of the statement the source does not hold nor is declared added."""
    texts = [statement.original] + [
        text for text in statement.translations.values() if text.translation == "official"
    ]
    return _compare(texts, source, statement.source.omit, statement.source.added)


def compare_translation(statement: Statement, text: StatementText, source: str) -> Verdict:
    """The same, for a translation and its own text as received (`source_file`); the
    statement's `source.omit` and `source.added` declare its paragraphs too."""
    return _compare([text], source, statement.source.omit, statement.source.added)


def _compare(
    texts: list[StatementText],
    source: str,
    omit: Sequence[Omission],
    declared_added: Sequence[Omission],
) -> Verdict:
    haystacks = [statement_words(text) for text in texts]
    omissions = [(o, normalise(plain_text(o.starts))) for o in omit]
    used: set[int] = set()
    missing: list[Unfaithful] = []
    found_in = [0] * len(texts)
    source_words: list[str] = []
    for paragraph in paragraphs(source):
        words = _paragraph_words(paragraph.text)
        source_words.append(words)
        if not words or _declared(words, omissions, used):
            continue
        holders = [i for i, hay in enumerate(haystacks) if words in hay]
        for index in holders:
            found_in[index] += 1
        if not holders:
            missing.append(Unfaithful(paragraph, _agreeing_prefix(paragraph.text, haystacks)))
    unused = [o for i, (o, _) in enumerate(omissions) if i not in used]
    # The other way: the text the source was found in holds nothing the source does not.
    compared = texts[found_in.index(max(found_in))]
    received = "".join(source_words)
    additions = [(o, normalise(plain_text(o.starts))) for o in declared_added]
    used_additions: set[int] = set()
    added = [
        Addition(line, text)
        for line, text in blocks(compared.body)
        if normalise(text) not in received
        and not _declared(normalise(text), additions, used_additions)
    ]
    unused_added = [o for i, (o, _) in enumerate(additions) if i not in used_additions]
    return Verdict(missing, unused, added, compared, unused_added)


def blocks(body: str) -> list[tuple[int, str]]:
    """The body's blocks of words (paragraphs, headings, items, footnote texts, cells), each
    with its 1-based line in the body."""
    out: list[tuple[int, str]] = []
    for token in _parse(body):
        if token.type == "inline" and token.map:
            words = "".join(
                " " if child.type in ("softbreak", "hardbreak") else child.content
                for child in token.children or []
                if child.type in ("text", "code_inline", "softbreak", "hardbreak")
            )
            if words.strip():
                out.append((token.map[0] + 1, " ".join(words.split())))
    return out


def _agreeing_prefix(paragraph: str, haystacks: list[str]) -> str:
    """The longest run of the paragraph's first words that still stands somewhere."""
    words = plain_text(_BULLETS.sub("", paragraph)).split()
    low, high = 0, len(words)
    while low < high:
        middle = (low + high + 1) // 2
        probe = normalise(" ".join(words[:middle]))
        if any(probe in hay for hay in haystacks):
            low = middle
        else:
            high = middle - 1
    return " ".join(words[:low])


def _parse(body: str) -> list[Token]:
    return _parser(False).parse(body, {})


def body_digest(body: str) -> str:
    """The version stamp of an original's body, as docs/content-format.md defines it."""
    lines = [line.rstrip(" \t") for line in fold_newlines(body).split("\n")]
    while lines and not lines[0]:
        lines.pop(0)
    while lines and not lines[-1]:
        lines.pop()
    return hashlib.sha256("\n".join(lines).encode("utf-8")).hexdigest()[:12]


def quotation_found(statement: Statement, lang: str, quote: str) -> bool:
    """Whether a quotation's words stand in the statement as a book in `lang` shows it."""
    return normalise(plain_text(quote)) in statement_words(statement.text_for(lang))
