"""Typed models of one assembled book: one language's edition, ready to render.

Everything here is already in the edition's language (dates formatted by Babel, localised
fields picked); labels a reader sees are not here but in the templates and catalogs.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from kpbrief.content.model import PartialDate


@dataclass(frozen=True)
class Ref:
    """A link to an item of the book: its anchor and what to call it."""

    anchor: str
    label: str


@dataclass(frozen=True)
class Phrase:
    """A text and the BCP 47 tag of the language it is written in."""

    text: str
    lang: str


@dataclass(frozen=True)
class PersonRef:
    anchor: str | None  # None: nowhere to link to
    name: str
    role: str | None = None


@dataclass(frozen=True)
class ChronologyEntry:
    date: PartialDate
    date_label: str
    title: str
    title_lang: str
    kind: str  # "statement" or "event"
    anchor: str  # the entry's own anchor
    target: str  # where the entry links: the statement, or the event's anchor
    place: str | None = None
    note: str | None = None
    date_note: str | None = None
    translation: str | None = None  # "unofficial", "official", "untranslated", or None
    statement_kind: str | None = None
    chapters: tuple[Ref, ...] = ()
    sources: tuple[Ref, ...] = ()  # an event's statements, each labelled with its date
    # An event's title and note in pieces: (text, the glossary anchor of a term's first use)
    title_pieces: tuple[tuple[str, str | None], ...] = ()
    note_pieces: tuple[tuple[str, str | None], ...] = ()
    key: bool = False  # an event the editors mark as key


@dataclass(frozen=True)
class ChronologyYear:
    year: int
    entries: tuple[ChronologyEntry, ...]
    anchor: str = ""  # its heading's id, where it has one (a long book's print edition)


@dataclass(frozen=True)
class KeyLine:
    anchor: str
    quote: str
    quote_lang: str
    speaker: PersonRef | None
    date_label: str
    statement: Ref
    translation: str | None


@dataclass(frozen=True)
class StatementListing:
    ref: Ref
    date_label: str
    translation: str | None


@dataclass(frozen=True)
class Chapter:
    id: str
    anchor: str
    title: str
    lang: str
    body_html: str
    key_lines: tuple[KeyLine, ...]
    statements: tuple[StatementListing, ...]
    untranslated: bool = False


@dataclass(frozen=True)
class StatementPage:
    id: str
    anchor: str
    title: str
    lang: str  # the language of the text shown
    date: PartialDate
    date_label: str
    kind: str
    place: str | None
    event: str | None
    speakers: tuple[PersonRef, ...]
    contacts: tuple[PersonRef, ...]
    publisher: str
    source_note: str | None
    source_url: str | None
    source_file: str | None
    omissions: tuple[Phrase, ...]  # the reasons given for leaving source paragraphs out
    additions: tuple[Phrase, ...]  # the reasons given for paragraphs the source does not hold
    credits: tuple[str, ...]
    date_note: str | None
    date_note_lang: str  # the note's language: the original's, if the text shown has none
    translation: str | None  # None: the original in the book's language
    original_lang: str
    body_html: str
    issues: tuple[Ref, ...]


@dataclass(frozen=True)
class Contact:
    anchor: str
    name: str
    role: str | None
    country: str | None
    phone: str | None
    phone_uri: str | None
    email: str | None
    as_of_label: str | None = None  # the day the details were published, formatted


@dataclass(frozen=True)
class ContactGroup:
    organisation: Ref | None
    people: tuple[Contact, ...]


@dataclass(frozen=True)
class OrganisationEntry:
    anchor: str
    name: str
    acronym: str | None
    country: str | None
    website: str | None
    email: str | None
    phone: str | None
    phone_uri: str | None
    member: bool | None
    as_of_label: str | None = None


@dataclass(frozen=True)
class IndexEntry:
    anchor: str
    name: str
    kind: str  # person, organisation, place
    targets: tuple[Ref, ...]


@dataclass(frozen=True)
class IndexLetter:
    letter: str
    entries: tuple[IndexEntry, ...]
    anchor: str = ""  # its heading's id, where it has one (a long book's print edition)


@dataclass(frozen=True)
class TimelineMark:
    date: PartialDate
    kind: str
    label: str
    target: str
    key: bool = False  # an event the editors mark as key: labelled in the picture


@dataclass(frozen=True)
class NewsItem:
    """One entry of "What's new": what it is called, and where it is in the book."""

    anchor: str
    label: str
    lang: str
    date_label: str | None = None
    translation: str | None = None  # a statement's, as on its page: its title may be the book's


@dataclass(frozen=True)
class WhatsNew:
    """What changed since the edition last recorded (content/editions/)."""

    since_label: str
    new_statements: tuple[NewsItem, ...]
    revised_statements: tuple[NewsItem, ...]
    revised_chapters: tuple[NewsItem, ...]
    new_contacts: tuple[NewsItem, ...]
    changed_contacts: tuple[NewsItem, ...]


@dataclass(frozen=True)
class KeyMessages:
    """The asks of one issue chapter, for the key messages page."""

    chapter: Ref
    lang: str  # the language they are written in (the chapter's)
    asks: tuple[str, ...]


@dataclass(frozen=True)
class GlossaryItem:
    anchor: str
    term: str
    lang: str  # the language of the term and definition shown
    expansion: str | None
    definition_html: str
    source: Ref | None  # the statement the definition follows; None: the editors'


@dataclass(frozen=True)
class EditorsPage:
    """An editors' page (about this book, about the publisher), in the book's language."""

    anchor: str
    title: str
    lang: str
    body_html: str


@dataclass(frozen=True)
class ColophonTexts:
    licence: Phrase | None
    citation: Phrase | None
    disclaimer: Phrase | None


@dataclass(frozen=True)
class CurrentContact:
    """One entry of "Whom to contact today": a person or an organisation."""

    anchor: str
    name: str
    role: str | None
    organisation: str | None  # a person's organisation; an organisation's acronym
    phone: str | None
    phone_uri: str | None
    email: str | None
    website: str | None
    as_of_label: str | None


@dataclass
class Edition:
    """One language's book."""

    book_id: str
    lang: str  # the book language as configured (en, fr, pt_BR)
    locale: str  # the Babel locale used for dates and numbers
    text_lang: str  # the BCP 47 tag for `lang` attributes (en, fr, pt-BR)
    direction: str
    title: str
    subtitle: str | None
    description: str | None
    publisher: str
    edition_date: PartialDate
    edition_label: str
    paper: str
    chronology: tuple[ChronologyYear, ...]
    timeline: tuple[TimelineMark, ...]
    chapters: tuple[Chapter, ...]
    statements: tuple[StatementPage, ...]
    contacts: tuple[ContactGroup, ...]
    organisations: tuple[OrganisationEntry, ...]
    index: tuple[IndexLetter, ...]
    other_languages: str = ""  # the book's other languages, named in this one's locale
    interface_fallback: bool = False  # no catalog for this language
    counts: dict[str, int] = field(default_factory=dict)
    whats_new: WhatsNew | None = None  # None: no earlier edition recorded, or nothing changed
    key_messages: tuple[KeyMessages, ...] = ()
    glossary: tuple[GlossaryItem, ...] = ()
    front_pages: tuple[EditorsPage, ...] = ()
    back_pages: tuple[EditorsPage, ...] = ()
    colophon: ColophonTexts | None = None
    current_contacts: tuple[CurrentContact, ...] = ()
    names: tuple[str, ...] = ()  # the proper names it knows, never hyphenated in print
    # A long book: in print, its index's letters are soft openings (kpbrief/document.py),
    # each with its own columns, so that a build can lay the index out a few letters at a time.
    long_book: bool = False
