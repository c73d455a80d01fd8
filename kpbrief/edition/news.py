""" "What's new in this edition": the changes since the last recorded edition, as the
book shows them (titles and dates as in the edition, each with the anchor of its page)."""

from __future__ import annotations

from kpbrief.content.editions import Record, changes
from kpbrief.content.model import Content
from kpbrief.edition.assemble import anchor
from kpbrief.edition.i18n import format_partial
from kpbrief.edition.model import Edition, NewsItem, WhatsNew


def whats_new(content: Content, edition: Edition, record: Record) -> WhatsNew | None:
    """The section for `edition`, or None when nothing a reader sees has changed."""
    found = changes(content, record, edition.lang)
    if not found:
        return None
    statements = {page.id: page for page in edition.statements}
    chapters = {chapter.id: chapter for chapter in edition.chapters}
    contacts = {person.anchor: person for group in edition.contacts for person in group.people}

    def statement(ident: str) -> NewsItem:
        page = statements[ident]
        return NewsItem(page.anchor, page.title, page.lang, page.date_label, page.translation)

    def person(ident: str) -> NewsItem | None:
        contact = contacts.get(anchor("person", ident))
        return NewsItem(contact.anchor, contact.name, edition.text_lang) if contact else None

    return WhatsNew(
        since_label=format_partial(record.edition, edition.locale),
        new_statements=tuple(statement(i) for i in found.new_statements if i in statements),
        revised_statements=tuple(statement(i) for i in found.revised_statements if i in statements),
        revised_chapters=tuple(
            NewsItem(chapters[i].anchor, chapters[i].title, chapters[i].lang)
            for i in found.revised_chapters
            if i in chapters
        ),
        new_contacts=tuple(p for p in map(person, found.new_contacts) if p),
        changed_contacts=tuple(p for p in map(person, found.changed_contacts) if p),
    )
