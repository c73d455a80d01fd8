"""Assemble: the loaded content becomes one language's book (an `Edition`).

Chronology, chapters, statements and appendices are chosen, ordered and linked here,
once per language; both the PDF and the EPUB are rendered from the same edition.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable
from typing import Literal

import phonenumbers

from kpbrief.content.markdown import to_html
from kpbrief.content.model import Content, Issue, LocalText, Person, Statement, StatementText
from kpbrief.edition.i18n import (
    country_name,
    format_partial,
    format_span,
    language_names,
    text_direction,
)
from kpbrief.edition.model import (
    Chapter,
    ChronologyEntry,
    ChronologyYear,
    Contact,
    ContactGroup,
    Edition,
    IndexEntry,
    IndexLetter,
    KeyLine,
    OrganisationEntry,
    PersonRef,
    Phrase,
    Ref,
    StatementListing,
    StatementPage,
    TimelineMark,
)
from kpbrief.edition.names import known_names


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
    ) -> None:
        assert content.book is not None
        self.content = content
        self.book = content.book
        self.lang = lang
        self.base = lang.split("_")[0]
        self.default = self.book.default_lang
        self.locale = self.book.locale_for(lang)
        self.interface_fallback = interface_fallback
        self.paper = paper or self.book.paper  # the book's own, unless the build says otherwise
        self.public = {pid: p for pid, p in content.people.items() if p.public}

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

    def markdown(self, body: str, doc_id: str, top: int = 3) -> str:
        return to_html(body, self.resolve, doc_id, top_heading=top)

    def ordered_statements(self) -> list[Statement]:
        return sorted(self.content.statements.values(), key=lambda s: (s.date.sort_key(), s.id))

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
            translation=self.translation_status(statement),
            original_lang=bcp47(original.lang),
            body_html=self.markdown(text.body, statement.id),
            issues=issues,
        )

    def chronology(self) -> tuple[tuple[ChronologyYear, ...], tuple[TimelineMark, ...]]:
        entries: list[ChronologyEntry] = []
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
                Ref(anchor("statement", s), self.content.statements[s].text_for(self.lang).title)
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
                    chapters=chapters + sources[1:],
                    key=event.key,
                )
            )
        entries.sort(key=lambda e: (e.date.sort_key(), e.kind != "event", e.title))
        years: dict[int, list[ChronologyEntry]] = {}
        for entry in entries:
            years.setdefault(entry.date.year, []).append(entry)
        marks = tuple(TimelineMark(e.date, e.kind, e.title, e.target, e.key) for e in entries)
        return tuple(ChronologyYear(y, tuple(es)) for y, es in sorted(years.items())), marks

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
                    body_html=self.markdown(text.body, f"issue-{issue.id}"),
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
                    acronym=org.acronym,
                    country=country_name(org.country, self.locale),
                    website=org.website,
                    email=org.email,
                    phone=phone[0] if phone else None,
                    phone_uri=phone[1] if phone else None,
                    member=org.coalition_member,
                )
            )
        out.sort(key=lambda o: _sort_keys(o.name))
        return tuple(out)

    def index(self) -> tuple[IndexLetter, ...]:
        entries: dict[tuple[str, str], dict[str, Ref]] = {}
        names: dict[tuple[str, str], str] = {}

        def add(kind: str, key: str, name: str, target: Ref) -> None:
            entries.setdefault((kind, key), {})[target.anchor] = target
            names[(kind, key)] = name

        # Targets in the order of the book: chronology, chapters, statements, appendices.
        for event in sorted(self.content.events.values(), key=lambda e: (e.date.sort_key(), e.id)):
            place = self.local(event.place)
            if place:
                add(
                    "place",
                    place,
                    place,
                    Ref(anchor("event", event.id), self.local(event.title) or ""),
                )
        for issue in self.ordered_issues():
            chapter = issue.text_for(self.lang, self.default)
            for number, quotation in enumerate(chapter.key_lines, 1):
                person = self.public.get(quotation.speaker or "")
                if person and quotation.statement in self.content.statements:
                    target = Ref(anchor("key-line", f"{issue.id}-{number}"), chapter.title)
                    add("person", person.id, self.sort_name(person), target)
        for statement in self.ordered_statements():
            ref = Ref(anchor("statement", statement.id), statement.text_for(self.lang).title)
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
            text = statement.text_for(self.lang)
            place = text.place or statement.original.place
            if place:
                add("place", place, place, ref)
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
        for (kind, key), targets in entries.items():
            name = names[(kind, key)]  # a person's is already "Family, Given"
            entry = IndexEntry(
                anchor=anchor(f"index-{kind}", key if kind != "place" else _slug(key)),
                name=name,
                kind=kind,
                targets=tuple(targets.values()),
            )
            initial = _sort_key(name)[:1].upper()
            letter = initial if initial.isalpha() else "#"
            letters.setdefault(letter, []).append(entry)
        return tuple(
            IndexLetter(letter, tuple(sorted(items, key=lambda e: _sort_keys(e.name))))
            for letter, items in sorted(letters.items())  # "#" comes first
        )

    def assemble(self) -> Edition:
        chronology, marks = self.chronology()
        statements = tuple(self.statement_page(s) for s in self.ordered_statements())
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
            chapters=self.chapters(),
            statements=statements,
            contacts=self.contacts(),
            organisations=self.organisations(),
            index=self.index(),
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
    return "-".join("".join(c if c.isalnum() else " " for c in _sort_key(text)).split())


def assemble(
    content: Content,
    lang: str,
    interface_fallback: bool = False,
    paper: Literal["a4", "letter"] | None = None,
) -> Edition:
    """One language's book; `paper` overrides the book's own (`paper:` in book.yaml)."""
    return Assembler(content, lang, interface_fallback, paper).assemble()
