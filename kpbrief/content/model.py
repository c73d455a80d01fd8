"""Plain typed data: what the loader reads and every later stage consumes.

Nothing here does I/O. Positions (`Origin`) travel with the data so that any stage
can name the file and line of a problem.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

Severity = Literal["error", "warning"]


@dataclass(frozen=True, order=True)
class Origin:
    """Where a value was written: a path relative to the book folder, a 1-based line and,
    where it is known, a 1-based column (0: the whole line)."""

    path: str
    line: int = 1
    column: int = 0

    def __str__(self) -> str:
        return f"{self.path}:{self.line}" + (f":{self.column}" if self.column else "")

    def at(self, lines: dict[str, int], key: str) -> Origin:
        """The origin of field `key`, given the field-to-line map of the same file."""
        return Origin(self.path, lines.get(key, self.line))


@dataclass(frozen=True)
class Problem:
    origin: Origin
    severity: Severity
    message: str
    excerpt: str = ""  # the offending line as written, shown under the message with a caret

    def __str__(self) -> str:
        return f"{self.origin}: {self.severity}: {self.message}"


@dataclass(frozen=True)
class LocalText:
    """A human-readable text: one string for every language, or one per language."""

    values: dict[str, str]
    plain: bool = False  # written as a plain string, valid in every language

    def get(self, lang: str, default_lang: str) -> str:
        if self.plain:
            return self.values[""]
        return self.values.get(self.lang_of(lang, default_lang) or "", "")

    def lang_of(self, lang: str, default_lang: str) -> str | None:
        """The language of what `get` gives: a key of `values`; None for a plain string."""
        if self.plain:
            return None
        base = lang.split("_")[0]
        for key in (lang, base, default_lang, default_lang.split("_")[0]):
            if key in self.values:
                return key
        return next(iter(self.values), None)

    def has(self, lang: str) -> bool:
        return self.plain or lang in self.values or lang.split("_")[0] in self.values

    @staticmethod
    def of(text: str) -> LocalText:
        return LocalText({"": text}, plain=True)


@dataclass(frozen=True, order=True)
class PartialDate:
    """A date known to the day, the month or only the year."""

    year: int
    month: int | None = None
    day: int | None = None

    @property
    def precision(self) -> Literal["day", "month", "year"]:
        if self.day is not None:
            return "day"
        return "month" if self.month is not None else "year"

    def sort_key(self) -> tuple[int, int, int]:
        return (self.year, self.month or 0, self.day or 0)

    def as_date(self) -> dt.date:
        return dt.date(self.year, self.month or 1, self.day or 1)

    def iso(self) -> str:
        parts = [f"{self.year:04d}"]
        if self.month is not None:
            parts.append(f"{self.month:02d}")
        if self.day is not None:
            parts.append(f"{self.day:02d}")
        return "-".join(parts)


@dataclass(frozen=True)
class Omission:
    starts: str
    why: LocalText  # the reason, in one language or several
    origin: Origin


@dataclass(frozen=True)
class Provenance:
    publisher: str  # an organisation id or a plain name
    url: str | None = None
    note: LocalText | None = None
    file: str | None = None  # relative to content/
    omit: tuple[Omission, ...] = ()  # paragraphs of the source the statement leaves out
    added: tuple[Omission, ...] = ()  # paragraphs of the statement the source does not hold


@dataclass(frozen=True)
class StatementText:
    """One language version of a statement: the original or a translation."""

    lang: str
    title: str
    body: str  # Markdown
    origin: Origin
    body_line: int  # line of the body's first line in the file
    translation: Literal["official", "unofficial"] | None = None
    translated_from: str | None = None
    place: str | None = None
    event: str | None = None
    date_note: str | None = None
    lines: dict[str, int] = field(default_factory=dict)
    source_file: str | None = None  # a translation's own text as received, under content/

    def line_of(self, key: str) -> Origin:
        return Origin(self.origin.path, self.lines.get(key, self.origin.line))


@dataclass(frozen=True)
class Statement:
    id: str
    date: PartialDate
    kind: str
    issues: tuple[str, ...]
    speakers: tuple[str, ...]
    contacts: tuple[str, ...]
    mentions: tuple[str, ...]
    source: Provenance
    credits: tuple[str, ...]
    original: StatementText
    translations: dict[str, StatementText] = field(default_factory=dict)
    lines: dict[str, int] = field(default_factory=dict)  # field -> line in the original's file

    def text_for(self, lang: str) -> StatementText:
        """The version a book in `lang` shows: its translation, else the original."""
        base = lang.split("_")[0]
        if self.original.lang == base:
            return self.original
        return self.translations.get(base, self.original)


@dataclass(frozen=True)
class Quotation:
    """A key line of an issue chapter: words quoted from a statement."""

    statement: str
    quote: str
    origin: Origin
    speaker: str | None = None


@dataclass(frozen=True)
class IssueText:
    lang: str
    title: str
    body: str
    origin: Origin
    body_line: int
    key_lines: tuple[Quotation, ...] = ()
    summary: str | None = None  # for briefing packs: instead of the chapter's first paragraph
    asks: tuple[str, ...] = ()  # the coalition's key messages on the issue


@dataclass(frozen=True)
class Issue:
    """An issue chapter: a theme of the coalition's advocacy."""

    id: str
    order: int | None
    texts: dict[str, IssueText]

    def text_for(self, lang: str, default_lang: str) -> IssueText:
        base = lang.split("_")[0]
        if base in self.texts:
            return self.texts[base]
        if default_lang in self.texts:
            return self.texts[default_lang]
        return next(iter(self.texts.values()))


@dataclass(frozen=True)
class Person:
    id: str
    name: LocalText
    origin: Origin
    organisation: str | None = None
    role: LocalText | None = None
    country: str | None = None
    phone: str | None = None
    email: str | None = None
    public: bool = True
    contact: bool = True  # false: only mentioned; belongs in the index, not the contacts
    sort_as: LocalText | None = None  # the name as sorted and indexed: "Bin Sulayem, Ahmed"
    as_of: PartialDate | None = None  # when the contact details were published
    lines: dict[str, int] = field(default_factory=dict)


@dataclass(frozen=True)
class Organisation:
    id: str
    name: LocalText
    origin: Origin
    acronym: LocalText | None = None  # localisable: "KP CSC", « CSC du PK »
    country: str | None = None
    website: str | None = None
    email: str | None = None
    phone: str | None = None
    coalition_member: bool | None = None
    as_of: PartialDate | None = None  # when the contact details were published
    lines: dict[str, int] = field(default_factory=dict)


@dataclass(frozen=True)
class Event:
    id: str
    date: PartialDate
    title: LocalText
    origin: Origin
    end: PartialDate | None = None
    place: LocalText | None = None
    issues: tuple[str, ...] = ()
    note: LocalText | None = None
    date_note: LocalText | None = None  # how the date was settled, when the texts leave it open
    statements: tuple[str, ...] = ()
    key: bool = False  # one of the few events the timeline names
    lines: dict[str, int] = field(default_factory=dict)


@dataclass(frozen=True)
class IndexTerm:
    """A subject an editor lists for the index (`index_terms:` in book.yaml): the term as the
    index prints it, and, per language, other spellings that count as the term in the text."""

    term: LocalText
    origin: Origin
    also: dict[str, tuple[str, ...]] = field(default_factory=dict)  # "" for every language

    def spellings(self, lang: str, default_lang: str) -> tuple[str, ...]:
        """The term in `lang` (or its fallback) and every variant written for that language."""
        base = lang.split("_")[0]
        variants = self.also.get(lang) or self.also.get(base) or ()
        return (self.term.get(lang, default_lang), *variants, *self.also.get("", ()))


@dataclass(frozen=True)
class Colophon:
    """The colophon's texts (book.yaml's `colophon:`); an absent one is not printed."""

    licence: LocalText | None = None
    citation: LocalText | None = None
    disclaimer: LocalText | None = None


@dataclass(frozen=True)
class BookInfo:
    id: str
    title: LocalText
    publisher: str
    edition: PartialDate
    languages: tuple[str, ...]
    origin: Origin
    subtitle: LocalText | None = None
    locales: dict[str, str] = field(default_factory=dict)
    paper: Literal["a4", "letter"] = "a4"
    description: LocalText | None = None
    press_profile: str | None = None  # the press PDF's output profile, from the book folder
    colophon: Colophon | None = None
    current_contacts: tuple[str, ...] = ()  # people or organisations: "Whom to contact today"
    lines: dict[str, int] = field(default_factory=dict)
    rejected_languages: tuple[str, ...] = ()  # written under languages:, not language codes
    index_terms: tuple[IndexTerm, ...] = ()  # subjects the editors list for the index

    @property
    def default_lang(self) -> str:
        return self.languages[0]

    def locale_for(self, lang: str) -> str:
        return self.locales.get(lang, lang)


@dataclass(frozen=True)
class Pack:
    """A briefing pack: a meeting's issues, asks and contacts in a few pages."""

    id: str
    title: LocalText
    date: PartialDate
    issues: tuple[str, ...]
    origin: Origin
    meeting: LocalText | None = None
    contacts: tuple[str, ...] | None = None  # None: the contacts of the issues' statements
    lines: dict[str, int] = field(default_factory=dict)
    item_lines: dict[tuple[str, str], int] = field(default_factory=dict)  # (field, id) -> line


@dataclass(frozen=True)
class GlossaryEntry:
    """A term of the glossary (content/glossary.yaml)."""

    id: str
    term: LocalText
    definition: LocalText  # Markdown inline
    source: str  # "editors", or the id of the statement whose text the definition follows
    origin: Origin
    expansion: LocalText | None = None
    also: dict[str, tuple[str, ...]] = field(default_factory=dict)  # lang -> other forms
    lines: dict[str, int] = field(default_factory=dict)

    def forms(self, lang: str, default_lang: str) -> tuple[str, ...]:
        """The words that count as a use of the term in a text in `lang`."""
        base = lang.split("_")[0]
        also = self.also.get("", ()) + self.also.get(base, ())
        return (self.term.get(lang, default_lang), *also)


@dataclass(frozen=True)
class PageText:
    """One language of an editors' page (content/pages/<id>.<lang>.md)."""

    lang: str
    title: str
    place: Literal["front", "back"]
    order: int
    body: str  # Markdown
    origin: Origin
    body_line: int


@dataclass(frozen=True)
class Page:
    """An editors' page: about this book, about the publisher."""

    id: str
    texts: dict[str, PageText]


@dataclass
class Content:
    """Everything the loader read from one book folder."""

    root: Path
    book: BookInfo | None
    statements: dict[str, Statement] = field(default_factory=dict)
    issues: dict[str, Issue] = field(default_factory=dict)
    people: dict[str, Person] = field(default_factory=dict)
    organisations: dict[str, Organisation] = field(default_factory=dict)
    events: dict[str, Event] = field(default_factory=dict)
    problems: list[Problem] = field(default_factory=list)
    media: tuple[str, ...] = ()  # files under content/media, relative to content/
    # kind -> ids of files that are there but did not load (their errors are reported):
    # what refers to them is not reported again.
    failed: dict[str, frozenset[str]] = field(default_factory=dict)
    packs: dict[str, Pack] = field(default_factory=dict)
    glossary: dict[str, GlossaryEntry] = field(default_factory=dict)
    glossary_origin: Origin | None = None  # None: the book has no glossary file
    pages: dict[str, Page] = field(default_factory=dict)
