"""Assemble: the loaded content becomes one language's book (an `Edition`).

Chronology, chapters, statements and appendices are chosen, ordered and linked here,
once per language; both the PDF and the EPUB are rendered from the same edition.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from collections import Counter
from collections.abc import Callable, Hashable, Iterable, MutableMapping
from dataclasses import fields, replace
from typing import Any, Literal

import phonenumbers
from markdown_it.token import Token

from kpbrief.content.markdown import to_html
from kpbrief.content.matter import EDITORS
from kpbrief.content.model import (
    Content,
    Issue,
    LocalText,
    PartialDate,
    Person,
    Statement,
    StatementText,
)
from kpbrief.content.terms import TermFinder
from kpbrief.digest import digest_of
from kpbrief.edition.i18n import (
    country_name,
    format_partial,
    format_span,
    language_names,
    text_direction,
)
from kpbrief.edition.mentions import Finder, Needle, mark
from kpbrief.edition.model import (
    Chapter,
    ChronologyEntry,
    ChronologyYear,
    ColophonTexts,
    Contact,
    ContactGroup,
    CurrentContact,
    Edition,
    EditorsPage,
    GlossaryItem,
    IndexEntry,
    IndexLetter,
    KeyLine,
    KeyMessages,
    OrganisationEntry,
    PersonRef,
    Phrase,
    Ref,
    StatementListing,
    StatementPage,
    TimelineMark,
)
from kpbrief.edition.names import known_names

# From this many statements a book is long (`Edition.long_book`): in print, the
# book may be cut before a year of its chronology or a letter of its index (a soft
# opening, kpbrief/document.py), so that a chronology or an index of dozens of pages is
# laid out, and after an edit laid out again, a few years or letters at a time instead of
# whole (engines/parts.py). The chronology's page numbers then take a fixed width
# (print.css), so that a number gaining a digit cannot move its part's pages.
LONG_BOOK_FROM = 100


def anchor(kind: str, item_id: str) -> str:
    return f"{kind}-{item_id}"


def bcp47(lang: str) -> str:
    return lang.replace("_", "-")


# Letters that Unicode does not decompose into a base letter and accents, spelt as sorted.
_SORT_SPELLING = str.maketrans(
    {"æ": "ae", "œ": "oe", "ø": "o", "ł": "l", "đ": "d", "ð": "d", "þ": "th", "ı": "i"}
)


def _sort_key(text: str) -> str:
    """A collation key close to a dictionary's: accents and case are ignored ("Évian" sorts
    with E, "Œuvre" as "oeuvre"), and they only break ties, through `_sort_keys`."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    plain = "".join(c for c in decomposed if not unicodedata.combining(c))
    return plain.translate(_SORT_SPELLING)


def _sort_keys(text: str) -> tuple[str, str]:
    """`_sort_key`, then the text itself: equal keys still sort the same way every time."""
    return _sort_key(text), text


def international_phone(number: str | None, country: str | None) -> tuple[str, str] | None:
    """A phone number in international form, and its tel: URI."""
    if not number:
        return None
    try:
        parsed = phonenumbers.parse(number, country)
    except phonenumbers.NumberParseException:
        return None
    if not phonenumbers.is_valid_number(parsed):
        return None
    return (
        phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.INTERNATIONAL),
        phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.RFC3966),
    )


class Assembler:
    def __init__(
        self,
        content: Content,
        lang: str,
        interface_fallback: bool = False,
        paper: Literal["a4", "letter"] | None = None,
        memo: MutableMapping[str, object] | None = None,
    ) -> None:
        assert content.book is not None
        self.content = content
        self.memo = memo  # a warm process's parts, by digest (see `build.warm`)
        self._links: str | None = None  # the digest of what `resolve` answers
        self.book = content.book
        self.lang = lang
        self.base = lang.split("_")[0]
        self.default = self.book.default_lang
        self.locale = self.book.locale_for(lang)
        self.interface_fallback = interface_fallback
        self.paper = paper or self.book.paper  # the book's own, unless the build says otherwise
        self.public = {pid: p for pid, p in content.people.items() if p.public}
        self._marked: dict[str, str] = {}  # a section's anchor -> its body, mentions marked
        self._marks: dict[str, list[tuple[Hashable, Ref]]] = {}  # -> (entry, mention)
        self._finder: Finder | None = None
        self._ordered: list[Statement] | None = None  # the statements in the book's order
        self._aliases: dict[str, tuple[str, str]] = {}  # a spelling's slug -> its entry
        self._spellings: dict[tuple[str, str], Counter[str]] = {}  # entry -> names as written

    # -- small helpers ----------------------------------------------------------------

    def local(self, text: LocalText | None) -> str | None:
        return None if text is None else text.get(self.lang, self.default)

    def phrase(self, text: LocalText) -> Phrase:
        """A text in the edition's language if it is written in it, else in the language it
        falls back to, marked as such; a plain string is taken for the book's first language."""
        lang = text.lang_of(self.lang, self.default) or self.default
        return Phrase(text.get(self.lang, self.default), bcp47(lang))

    def date(self, statement: Statement) -> str:
        return format_partial(statement.date, self.locale)

    def translation_status(self, statement: Statement) -> str | None:
        shown = statement.text_for(self.lang)
        if shown.lang != self.base:
            return "untranslated"
        return shown.translation  # None for the original, else official/unofficial

    def person_anchor(self, person: Person) -> str:
        if person.contact:
            return anchor("person", person.id)
        return anchor("index-person", person.id)

    def sort_name(self, person: Person) -> str:
        """A person as sorted and indexed: `sort_as` if given, else "Family, Given names",
        taking the last word of the name for the family name."""
        given = self.local(person.sort_as)
        if given:
            return given
        name = self.local(person.name) or person.id
        first, _, last = name.rpartition(" ")
        return f"{last}, {first}" if first else name

    def person_ref(self, person_id: str) -> PersonRef | None:
        person = self.public.get(person_id)
        if person is None:
            return None
        name = self.local(person.name) or person.id
        role = self.local(person.role)
        return PersonRef(self.person_anchor(person), name, role)

    def resolve(self, kind: str, item_id: str) -> str | None:
        if kind == "person":
            person = self.public.get(item_id)
            return self.person_anchor(person) if person else None
        if kind == "issue":
            return anchor("issue", item_id) if item_id in self.content.issues else None
        table: dict[str, Iterable[str]] = {
            "statement": self.content.statements,
            "organisation": self.content.organisations,
            "event": self.content.events,
        }
        return anchor(kind, item_id) if item_id in table.get(kind, ()) else None

    def markdown(
        self,
        body: str,
        doc_id: str,
        top: int = 3,
        terms: Callable[[list[Token]], None] | None = None,
    ) -> str:
        if self.memo is None or terms is not None:
            return to_html(body, self.resolve, doc_id, top_heading=top, terms=terms)
        if self._links is None:
            content = self.content
            self._links = digest_of(
                [(p.id, p.contact) for p in self.public.values()],
                [list(content.issues), list(content.statements)],
                [list(content.organisations), list(content.events)],
            )
        key = digest_of("markdown", self._links, body, doc_id, top)
        html = self.memo.get(key)
        if not isinstance(html, str):
            html = self.memo[key] = to_html(body, self.resolve, doc_id, top_heading=top)
        return html

    def term_finder(self, lang: str) -> TermFinder:
        return TermFinder(self.content.glossary.values(), lang, self.default)

    def glossary_anchors(self) -> dict[str, str]:
        return {entry_id: anchor("glossary", entry_id) for entry_id in self.content.glossary}

    def as_of(self, date: PartialDate | None) -> str | None:
        return None if date is None else format_partial(date, self.locale)

    def marked(
        self,
        section: str,
        label: str,
        body: str,
        doc_id: str,
        lang: str,
        terms: Callable[[list[Token]], None] | None = None,
    ) -> str:
        """A section's Markdown body as HTML (its glossary terms linked by `terms`), each name
        of an index entry in it marked (`edition.mentions`); the marks are kept for the
        index, by section."""
        if section not in self._marked:
            html = self.markdown(body, doc_id, terms=terms)
            html, marks = mark(html, self.finder, lang, f"{section}-name")
            self._marked[section] = html
            self._marks[section] = [(key, Ref(name, label)) for name, key in marks]
        return self._marked[section]

    def ordered_statements(self) -> list[Statement]:
        if self._ordered is None:
            self._ordered = sorted(
                self.content.statements.values(), key=lambda s: (s.date.sort_key(), s.id)
            )
        return self._ordered

    def ordered_issues(self) -> list[Issue]:
        return sorted(
            self.content.issues.values(),
            key=lambda i: (i.order if i.order is not None else 10**6, i.id),
        )

    # -- parts --------------------------------------------------------------------------

    def statement_page(self, statement: Statement) -> StatementPage:
        text: StatementText = statement.text_for(self.lang)
        original = statement.original
        publisher_org = self.content.organisations.get(statement.source.publisher)
        publisher = self.local(publisher_org.name) if publisher_org else statement.source.publisher
        issues = tuple(
            Ref(anchor("issue", i), self.content.issues[i].text_for(self.lang, self.default).title)
            for i in statement.issues
            if i in self.content.issues
        )
        return StatementPage(
            id=statement.id,
            anchor=anchor("statement", statement.id),
            title=text.title,
            lang=bcp47(text.lang),
            date=statement.date,
            date_label=self.date(statement),
            kind=statement.kind,
            place=text.place or original.place,
            event=text.event or original.event,
            speakers=tuple(r for r in map(self.person_ref, statement.speakers) if r),
            contacts=tuple(r for r in map(self.person_ref, statement.contacts) if r),
            publisher=publisher or statement.source.publisher,
            source_note=self.local(statement.source.note),
            source_url=statement.source.url,
            source_file=statement.source.file,
            omissions=tuple(self.phrase(o.why) for o in statement.source.omit),
            additions=tuple(self.phrase(o.why) for o in statement.source.added),
            credits=statement.credits,
            date_note=text.date_note or original.date_note,
            date_note_lang=bcp47(text.lang if text.date_note else original.lang),
            translation=self.translation_status(statement),
            original_lang=bcp47(original.lang),
            body_html=self.marked(
                anchor("statement", statement.id), text.title, text.body, statement.id, text.lang
            ),
            issues=issues,
        )

    def chronology(self) -> tuple[tuple[ChronologyYear, ...], tuple[TimelineMark, ...]]:
        entries: list[ChronologyEntry] = []
        finder = self.term_finder(self.lang)
        glossary = self.glossary_anchors()
        used: set[str] = set()  # the chronology links each term's first use only
        for statement in self.content.statements.values():
            text = statement.text_for(self.lang)
            entries.append(
                ChronologyEntry(
                    date=statement.date,
                    date_label=self.date(statement),
                    title=text.title,
                    title_lang=bcp47(text.lang),
                    kind="statement",
                    anchor=anchor("chronology", statement.id),
                    target=anchor("statement", statement.id),
                    place=text.place or statement.original.place,
                    translation=self.translation_status(statement),
                    statement_kind=statement.kind,
                )
            )
        for event in self.content.events.values():
            chapters = tuple(
                Ref(
                    anchor("issue", i),
                    self.content.issues[i].text_for(self.lang, self.default).title,
                )
                for i in event.issues
                if i in self.content.issues
            )
            sources = tuple(
                Ref(anchor("statement", s), self.date(self.content.statements[s]))
                for s in event.statements
                if s in self.content.statements
            )
            entries.append(
                ChronologyEntry(
                    date=event.date,
                    date_label=format_span(event.date, event.end, self.locale),
                    title=self.local(event.title) or event.id,
                    title_lang=bcp47(self.lang),
                    kind="event",
                    anchor=anchor("event", event.id),
                    target=sources[0].anchor if sources else anchor("event", event.id),
                    place=self.local(event.place),
                    note=self.local(event.note),
                    date_note=self.local(event.date_note),
                    chapters=chapters,
                    sources=sources,
                    key=event.key,
                )
            )
        entries.sort(key=lambda e: (e.date.sort_key(), e.kind != "event", e.title))

        def pieces(text: str | None) -> tuple[tuple[str, str | None], ...]:
            if not text:
                return ()
            return tuple((t, glossary[e] if e else None) for t, e in finder.split(text, used))

        entries = [
            replace(e, title_pieces=pieces(e.title), note_pieces=pieces(e.note))
            if e.kind == "event"
            else e
            for e in entries
        ]
        years: dict[int, list[ChronologyEntry]] = {}
        for entry in entries:
            years.setdefault(entry.date.year, []).append(entry)
        marks = tuple(TimelineMark(e.date, e.kind, e.title, e.target, e.key) for e in entries)
        return tuple(
            ChronologyYear(y, tuple(es), anchor("chronology", str(y)))
            for y, es in sorted(years.items())
        ), marks

    def chapters(self) -> tuple[Chapter, ...]:
        out: list[Chapter] = []
        for issue in self.ordered_issues():
            text = issue.text_for(self.lang, self.default)
            statements = [s for s in self.ordered_statements() if issue.id in s.issues]
            key_lines: list[KeyLine] = []
            for number, quotation in enumerate(text.key_lines, 1):
                statement = self.content.statements.get(quotation.statement)
                if statement is None:
                    continue
                shown = statement.text_for(text.lang)
                key_lines.append(
                    KeyLine(
                        anchor=anchor("key-line", f"{issue.id}-{number}"),
                        quote=quotation.quote,
                        quote_lang=bcp47(text.lang),
                        speaker=self.person_ref(quotation.speaker) if quotation.speaker else None,
                        date_label=self.date(statement),
                        statement=Ref(anchor("statement", statement.id), shown.title),
                        translation=shown.translation if shown.lang == text.lang else None,
                    )
                )
            out.append(
                Chapter(
                    id=issue.id,
                    anchor=anchor("issue", issue.id),
                    title=text.title,
                    lang=bcp47(text.lang),
                    body_html=self.marked(
                        anchor("issue", issue.id),
                        text.title,
                        text.body,
                        f"issue-{issue.id}",
                        text.lang,
                        terms=self.term_linker(text.lang),
                    ),
                    key_lines=tuple(key_lines),
                    statements=tuple(
                        StatementListing(
                            Ref(anchor("statement", s.id), s.text_for(self.lang).title),
                            self.date(s),
                            self.translation_status(s),
                        )
                        for s in statements
                    ),
                    untranslated=text.lang != self.base,
                )
            )
        return tuple(out)

    def term_linker(self, lang: str) -> Callable[[list[Token]], None]:
        """What links a chapter's first use of each glossary term."""
        finder = self.term_finder(lang)
        glossary = self.glossary_anchors()
        return lambda tokens: finder.link(tokens, set(), glossary)

    def key_messages(self, chapters: tuple[Chapter, ...]) -> tuple[KeyMessages, ...]:
        out: list[KeyMessages] = []
        for chapter in chapters:
            text = self.content.issues[chapter.id].text_for(self.lang, self.default)
            if text.asks:
                out.append(KeyMessages(Ref(chapter.anchor, chapter.title), chapter.lang, text.asks))
        return tuple(out)

    def glossary(self) -> tuple[GlossaryItem, ...]:
        items: list[GlossaryItem] = []
        for entry in self.content.glossary.values():
            term = self.phrase(entry.term)
            definition = self.phrase(entry.definition)
            statement = self.content.statements.get(entry.source)
            source = (
                Ref(anchor("statement", statement.id), statement.text_for(self.lang).title)
                if statement is not None and entry.source != EDITORS
                else None
            )
            items.append(
                GlossaryItem(
                    anchor=anchor("glossary", entry.id),
                    term=term.text,
                    lang=definition.lang,
                    expansion=self.local(entry.expansion),
                    definition_html=self.markdown(definition.text, f"glossary-{entry.id}"),
                    source=source,
                )
            )
        items.sort(key=lambda item: _sort_keys(item.term))
        return tuple(items)

    def pages(self, place: str) -> tuple[EditorsPage, ...]:
        found: list[tuple[int, str, EditorsPage]] = []
        for page in self.content.pages.values():
            text = page.texts.get(self.base) or page.texts.get(self.default)
            if text is None or text.place != place:
                continue
            found.append(
                (
                    text.order,
                    page.id,
                    EditorsPage(
                        anchor=anchor("page", page.id),
                        title=text.title,
                        lang=bcp47(text.lang),
                        # under the page's title: h1 for a front page, h2 for an appendix
                        body_html=self.markdown(
                            text.body, f"page-{page.id}", top=2 if place == "front" else 3
                        ),
                    ),
                )
            )
        found.sort(key=lambda item: (item[0], item[1]))
        return tuple(page for _order, _id, page in found)

    def colophon(self) -> ColophonTexts | None:
        colophon = self.book.colophon
        if colophon is None:
            return None

        def text(value: LocalText | None) -> Phrase | None:
            return None if value is None else self.phrase(value)

        texts = ColophonTexts(
            text(colophon.licence), text(colophon.citation), text(colophon.disclaimer)
        )
        return texts if texts.licence or texts.citation or texts.disclaimer else None

    def current_contacts(self) -> tuple[CurrentContact, ...]:
        out: list[CurrentContact] = []
        for ident in self.book.current_contacts:
            person = self.public.get(ident)
            org = self.content.organisations.get(ident)
            if person is not None and person.contact:
                phone = international_phone(person.phone, person.country)
                employer = self.content.organisations.get(person.organisation or "")
                out.append(
                    CurrentContact(
                        anchor=self.person_anchor(person),
                        name=self.local(person.name) or person.id,
                        role=self.local(person.role),
                        organisation=(self.local(employer.name) or employer.id)
                        if employer
                        else None,
                        phone=phone[0] if phone else None,
                        phone_uri=phone[1] if phone else None,
                        email=person.email,
                        website=None,
                        as_of_label=self.as_of(person.as_of),
                    )
                )
            elif org is not None:
                phone = international_phone(org.phone, org.country)
                out.append(
                    CurrentContact(
                        anchor=anchor("organisation", org.id),
                        name=self.local(org.name) or org.id,
                        role=None,
                        organisation=self.local(org.acronym),
                        phone=phone[0] if phone else None,
                        phone_uri=phone[1] if phone else None,
                        email=org.email,
                        website=org.website,
                        as_of_label=self.as_of(org.as_of),
                    )
                )
        return tuple(out)

    def contacts(self) -> tuple[ContactGroup, ...]:
        groups: dict[str, list[tuple[tuple[str, str], Contact]]] = {}
        for person in self.public.values():
            if not person.contact:
                continue
            org = self.content.organisations.get(person.organisation or "")
            phone = international_phone(person.phone, person.country)
            groups.setdefault(org.id if org else "", []).append(
                (
                    _sort_keys(self.sort_name(person)),
                    Contact(
                        anchor=self.person_anchor(person),
                        name=self.local(person.name) or person.id,
                        role=self.local(person.role),
                        country=country_name(person.country, self.locale),
                        phone=phone[0] if phone else None,
                        phone_uri=phone[1] if phone else None,
                        email=person.email,
                        as_of_label=self.as_of(person.as_of),
                    ),
                )
            )
        out: list[ContactGroup] = []
        for org_id, people in groups.items():
            org = self.content.organisations.get(org_id)
            ref = (
                Ref(anchor("organisation", org_id), self.local(org.name) or org_id) if org else None
            )
            people.sort(key=lambda item: item[0])
            out.append(ContactGroup(ref, tuple(contact for _key, contact in people)))
        out.sort(
            key=lambda g: (
                g.organisation is None,
                _sort_keys(g.organisation.label if g.organisation else ""),
            )
        )
        return tuple(out)

    def organisations(self) -> tuple[OrganisationEntry, ...]:
        out: list[OrganisationEntry] = []
        for org in self.content.organisations.values():
            phone = international_phone(org.phone, org.country)
            out.append(
                OrganisationEntry(
                    anchor=anchor("organisation", org.id),
                    name=self.local(org.name) or org.id,
                    acronym=self.local(org.acronym),
                    country=country_name(org.country, self.locale),
                    website=org.website,
                    email=org.email,
                    phone=phone[0] if phone else None,
                    phone_uri=phone[1] if phone else None,
                    member=org.coalition_member,
                    as_of_label=self.as_of(org.as_of),
                )
            )
        out.sort(key=lambda o: _sort_keys(o.name))
        return tuple(out)

    # -- the index ------------------------------------------------------------------------

    def family_name(self, person: Person) -> str:
        """The part of a person's index name before the comma: the family name."""
        return self.sort_name(person).partition(",")[0].strip()

    def spelled_key(self, kind: str, text: str) -> tuple[str, str]:
        """The entry a place or term written `text` belongs to: spellings that differ only by
        accents, case or punctuation are one entry; so are the variants of a listed term."""
        slug = _slug(text)
        return self._aliases.get(slug, (kind, slug))

    def place_spellings(self) -> list[str]:
        """Every place the book names (statements, events), in the book's order."""
        places: list[str] = []
        for event in sorted(self.content.events.values(), key=lambda e: (e.date.sort_key(), e.id)):
            place = self.local(event.place)
            if place:
                places.append(place)
        for statement in self.ordered_statements():
            place = statement.text_for(self.lang).place or statement.original.place
            if place:
                places.append(place)
        return places

    @property
    def finder(self) -> Finder:
        """The names of every index entry, as found in the text the book prints."""
        if self._finder is not None:
            return self._finder
        for issue in self.ordered_issues():
            title = issue.text_for(self.lang, self.default).title
            self._aliases.setdefault(_slug(title), ("subject", issue.id))
        for term in self.book.index_terms:
            name = term.term.get(self.lang, self.default)
            key = self.spelled_key("term", name)
            for spelling in term.spellings(self.lang, self.default):
                self._aliases.setdefault(_slug(spelling), key)
            if key[0] == "term":  # the term as listed, whatever the text writes
                self._spellings.setdefault(key, Counter())[name] += 10**6
        needles: list[Needle] = []
        for term in self.book.index_terms:
            key = self.spelled_key("term", term.term.get(self.lang, self.default))
            for lang in self.book.languages:
                base = lang.split("_")[0]
                for spelling in term.spellings(lang, self.default):
                    needles.append(Needle(spelling, key, lang=base))
        families = Counter(
            _sort_key(self.family_name(p)) for p in self.content.people.values()
        )  # private people too: a family name they share names no one for sure
        for person in self.public.values():
            key = ("person", person.id)
            names = set(person.name.values.values())
            needles.extend(Needle(name, key) for name in names)
            family = self.family_name(person)
            if families[_sort_key(family)] == 1 and family not in names and len(family) > 2:
                needles.append(Needle(family, key, case="capital"))
        for org in self.content.organisations.values():
            key = ("organisation", org.id)
            needles.extend(Needle(name, key) for name in set(org.name.values.values()))
            acronym = self.local(org.acronym)
            if acronym and len(acronym) > 1:
                needles.append(Needle(acronym, key, case="exact"))
        places = self.place_spellings()
        written = {_slug(place) for place in places} | set(self._aliases)
        for place in places:
            key = self.spelled_key("place", place)
            needles.append(Needle(place, key))
            town = place.partition(",")[0].strip()  # "Windhoek" of "Windhoek, Namibia"
            if town != place and _slug(town) not in written:
                needles.append(Needle(town, key, case="capital"))
        self._finder = Finder(needles, self.memo)
        return self._finder

    def index(self) -> tuple[IndexLetter, ...]:
        finder = self.finder
        entries: dict[tuple[str, str], dict[str, Ref]] = {}
        names: dict[tuple[str, str], str] = {}

        def add(kind: str, key: str, name: str, target: Ref) -> None:
            entries.setdefault((kind, key), {})[target.anchor] = target
            names.setdefault((kind, key), name)

        def add_place(place: str, target: Ref) -> None:
            key = self.spelled_key("place", place)
            if key[0] == "place":
                self._spellings.setdefault(key, Counter())[place] += 1
            add(*key, place, target)

        def add_named(section: str, texts: Iterable[tuple[str | None, str]], target: Ref) -> None:
            """The entries named in a section: in its marked body, and in its plain texts
            (title, note, quotation: `texts`, each with its language), which point to
            `target`."""
            for key, mention in self._marks.get(section, ()):
                add_key(key, mention)
            for text, lang in texts:
                for key in finder.keys(text or "", lang):
                    add_key(key, target)

        def add_key(key: Hashable, target: Ref) -> None:
            assert isinstance(key, tuple)
            kind, item = key
            if kind == "person":
                add(kind, item, self.sort_name(self.public[item]), target)
            elif kind == "organisation":
                org = self.content.organisations[item]
                add(kind, item, self.local(org.name) or org.id, target)
            else:
                add(kind, item, "", target)  # the name is chosen from its spellings

        # Targets in the order of the book: chronology, chapters, statements, appendices.
        for event in sorted(self.content.events.values(), key=lambda e: (e.date.sort_key(), e.id)):
            title = self.local(event.title) or ""
            ref = Ref(anchor("event", event.id), title)
            place = self.local(event.place)
            if place:
                add_place(place, ref)
            add_named("", [(title, self.lang), (self.local(event.note), self.lang)], ref)
        for issue in self.ordered_issues():
            chapter = issue.text_for(self.lang, self.default)
            ref = Ref(anchor("issue", issue.id), chapter.title)
            add("subject", issue.id, chapter.title, ref)
            self.marked(ref.anchor, chapter.title, chapter.body, f"issue-{issue.id}", chapter.lang)
            add_named(ref.anchor, [(chapter.title, chapter.lang)], ref)
            for number, quotation in enumerate(chapter.key_lines, 1):
                if quotation.statement not in self.content.statements:
                    continue
                target = Ref(anchor("key-line", f"{issue.id}-{number}"), chapter.title)
                person = self.public.get(quotation.speaker or "")
                if person:
                    add("person", person.id, self.sort_name(person), target)
                add_named("", [(quotation.quote, chapter.lang)], target)
        for statement in self.ordered_statements():
            text = statement.text_for(self.lang)
            ref = Ref(anchor("statement", statement.id), text.title)
            for issue_id in statement.issues:
                if issue_id in self.content.issues:
                    add("subject", issue_id, "", ref)
            for person_id in statement.speakers + statement.contacts + statement.mentions:
                person = self.public.get(person_id)
                if person:
                    add("person", person.id, self.sort_name(person), ref)
                    org = self.content.organisations.get(person.organisation or "")
                    if org:
                        add("organisation", org.id, self.local(org.name) or org.id, ref)
                org = self.content.organisations.get(person_id)
                if org:
                    add("organisation", org.id, self.local(org.name) or org.id, ref)
            place = text.place or statement.original.place
            if place:
                add_place(place, ref)
            self.marked(ref.anchor, text.title, text.body, statement.id, text.lang)
            add_named(ref.anchor, [(text.title, text.lang)], ref)
        for person in self.public.values():
            if person.contact:
                add(
                    "person", person.id, self.sort_name(person), Ref(self.person_anchor(person), "")
                )
        for org in self.content.organisations.values():
            add(
                "organisation",
                org.id,
                self.local(org.name) or org.id,
                Ref(anchor("organisation", org.id), ""),
            )
        letters: dict[str, list[IndexEntry]] = {}
        taken: set[str] = set()
        for (kind, key), targets in entries.items():
            name = names[(kind, key)]  # a person's is already "Family, Given"
            spellings = self._spellings.get((kind, key))
            if spellings:  # the spelling written most often; then with accents, capitals
                name = max(spellings, key=lambda s: (spellings[s], _accents(s), _capitalised(s)))
            if not name:
                continue
            entry = IndexEntry(
                anchor=_unique(anchor(f"index-{kind}", _ascii_slug(key)), taken),
                name=name,
                kind=kind,
                targets=tuple(targets.values()),
            )
            initial = _sort_key(name)[:1].upper()
            letter = initial if initial.isalpha() else "#"
            letters.setdefault(letter, []).append(entry)
        return tuple(
            IndexLetter(
                letter,
                tuple(sorted(items, key=lambda e: _sort_keys(e.name))),
                anchor("index-letter", _ascii_slug(letter.lower())),
            )
            for letter, items in sorted(letters.items())  # "#" comes first
        )

    def assemble(self) -> Edition:
        chronology, marks = self.chronology()
        statements = tuple(self.statement_page(s) for s in self.ordered_statements())
        chapters = self.chapters()
        return Edition(
            book_id=self.book.id,
            lang=self.lang,
            locale=self.locale,
            text_lang=bcp47(self.lang),
            direction=text_direction(self.locale),
            title=self.local(self.book.title) or self.book.id,
            subtitle=self.local(self.book.subtitle),
            description=self.local(self.book.description),
            publisher=self.publisher_name(),
            edition_date=self.book.edition,
            edition_label=format_partial(self.book.edition, self.locale),
            paper=self.paper,
            chronology=chronology,
            timeline=marks,
            chapters=chapters,
            key_messages=self.key_messages(chapters),
            glossary=self.glossary(),
            front_pages=self.pages("front"),
            back_pages=self.pages("back"),
            colophon=self.colophon(),
            current_contacts=self.current_contacts(),
            statements=statements,
            contacts=self.contacts(),
            organisations=self.organisations(),
            index=self.index(),
            long_book=len(statements) >= LONG_BOOK_FROM,
            other_languages=language_names(
                [lang for lang in self.book.languages if lang != self.lang], self.locale
            ),
            interface_fallback=self.interface_fallback,
            counts={
                "statements": len(statements),
                "chapters": len(self.content.issues),
                "events": len(self.content.events),
                "unofficial": sum(1 for s in statements if s.translation == "unofficial"),
                "untranslated": sum(1 for s in statements if s.translation == "untranslated"),
            },
            names=known_names(self.content, self.public),
        )

    def publisher_name(self) -> str:
        org = self.content.organisations.get(self.book.publisher)
        return (self.local(org.name) if org else None) or self.book.publisher


def _slug(text: str) -> str:
    """A spelling's key: its words without accents, case or punctuation, joined by hyphens."""
    return "-".join("".join(c if c.isalnum() else " " for c in _sort_key(text)).split())


def _ascii_slug(key: str) -> str:
    """A key as part of an XML id: ASCII letters, digits and hyphens; a digest of the key
    where it has none (a name written only in another script)."""
    slug = "-".join("".join(c if c.isascii() and c.isalnum() else " " for c in key).split())
    return slug or "x" + hashlib.sha256(key.encode("utf-8")).hexdigest()[:10]


def _unique(name: str, taken: set[str]) -> str:
    """`name`, or `name` with a number after it when an earlier entry has it already."""
    chosen, number = name, 1
    while chosen in taken:
        number += 1
        chosen = f"{name}-{number}"
    taken.add(chosen)
    return chosen


def _capitalised(text: str) -> int:
    """How many words of `text` are written with a capital, then small letters."""
    words = re.findall(r"[^\W\d_]+", text)
    return sum(1 for w in words if w[0].isupper() and len(w) > 1 and w[1:].islower())


def _accents(text: str) -> int:
    """How many letters of `text` carry an accent."""
    return sum(1 for c in text if unicodedata.normalize("NFD", c) != c)


def assemble(
    content: Content,
    lang: str,
    interface_fallback: bool = False,
    paper: Literal["a4", "letter"] | None = None,
    memo: MutableMapping[str, object] | None = None,
) -> Edition:
    """One language's book; `paper` overrides the book's own (`paper:` in book.yaml).
    `memo` (a warm process's, see `build.warm`): each body's HTML, and where the names of the
    index stand in each text, kept from an earlier round by the digest of their inputs."""
    edition = Assembler(content, lang, interface_fallback, paper, memo).assemble()
    return edition if memo is None else _as_before(edition, memo)


def _as_before(edition: Edition, memo: MutableMapping[str, object]) -> Edition:
    """`edition` with each of its parts (each statement's page, the chronology, the index,
    …) that equals the same part of the last round's edition replaced by that very object:
    the later stages of a warm process know an unchanged part by its identity, without a
    digest of it (`render.render_html`)."""
    slot = f"edition {edition.lang} {edition.paper}"

    def same(key: str, value: Any) -> Any:
        before = memo.get(f"{slot} {key}")
        if type(before) is type(value) and before == value:
            return before
        memo[f"{slot} {key}"] = value
        return value

    def part(name: str, value: Any) -> Any:
        if isinstance(value, tuple):  # each of its items too, by its place in it
            value = tuple(same(f"{name} {number}", item) for number, item in enumerate(value))
        return same(name, value)

    parts = {
        field.name: part(field.name, getattr(edition, field.name))
        for field in fields(edition)
        if field.name not in ("statements", "whats_new")
    }
    pages = tuple(same(f"statement {page.anchor}", page) for page in edition.statements)
    return replace(edition, **parts, statements=same("statements", pages))
