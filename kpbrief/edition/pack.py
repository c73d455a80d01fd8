"""A briefing pack: a meeting's issues, asks, key lines and contacts, in one language.

Made from the same edition as the book (`Edition`), so that titles, dates, translation
marks and contacts read as they do there; each statement it lists carries its page in the
full book's PDF of the same edition, read from that PDF (`engines.anchors`).
"""

from __future__ import annotations

import gettext
import re
from dataclasses import dataclass
from pathlib import Path

from markupsafe import Markup, escape

from kpbrief.content.model import Content, Pack
from kpbrief.content.packs import default_contacts
from kpbrief.document import ASSETS
from kpbrief.edition.assemble import anchor, bcp47
from kpbrief.edition.i18n import format_partial
from kpbrief.edition.model import Chapter, Contact, Edition, KeyLine, StatementListing
from kpbrief.edition.render import environment, finish_html, timeline_picture

MAX_KEY_LINES = 3  # per issue: with the asks and the latest statements, two pages at most
MAX_LATEST = 3
MAX_ASKS = 6

FIRST_PARAGRAPH = re.compile(r"<p>(.*?)</p>", re.DOTALL)
LINK = re.compile(r"</?a\b[^>]*>")


@dataclass(frozen=True)
class PackStatement:
    listing: StatementListing
    page: int | None  # in the full book; None: not found there


@dataclass(frozen=True)
class PackKeyLine:
    line: KeyLine
    page: int | None


@dataclass(frozen=True)
class PackIssue:
    anchor: str
    title: str
    lang: str  # of the chapter's text
    untranslated: bool
    opening: Markup  # the summary, or the chapter's first paragraph, without its links
    asks: tuple[str, ...]
    key_lines: tuple[PackKeyLine, ...]
    latest: tuple[PackStatement, ...]
    statement_count: int
    page: int | None  # of the chapter in the full book


@dataclass(frozen=True)
class PackContact:
    contact: Contact
    organisation: str | None
    page: int | None


@dataclass(frozen=True)
class PackView:
    id: str
    book: Edition
    title: str
    title_lang: str
    meeting: str | None
    meeting_lang: str
    date_label: str
    date_iso: str
    issues: tuple[PackIssue, ...]
    contacts: tuple[PackContact, ...]


def assemble_pack(
    content: Content, edition: Edition, pack: Pack, pages: dict[str, int]
) -> PackView:
    """One pack in the edition's language; `pages` maps the book's anchors to their pages."""
    assert content.book is not None
    default = content.book.default_lang
    chapters = {chapter.id: chapter for chapter in edition.chapters}
    issues = tuple(
        _issue(content, chapters[issue_id], pages, edition.lang, default)
        for issue_id in pack.issues
        if issue_id in chapters
    )
    meeting = pack.meeting
    return PackView(
        id=pack.id,
        book=edition,
        title=pack.title.get(edition.lang, default),
        title_lang=bcp47(pack.title.lang_of(edition.lang, default) or edition.lang),
        meeting=meeting.get(edition.lang, default) if meeting else None,
        meeting_lang=bcp47(meeting.lang_of(edition.lang, default) or edition.lang)
        if meeting
        else edition.text_lang,
        date_label=format_partial(pack.date, edition.locale),
        date_iso=pack.date.iso(),
        issues=issues,
        contacts=_contacts(content, edition, pack, pages),
    )


def _issue(
    content: Content, chapter: Chapter, pages: dict[str, int], lang: str, default: str
) -> PackIssue:
    text = content.issues[chapter.id].text_for(lang, default)
    if text.summary:
        opening = Markup(escape(text.summary))
    else:
        first = FIRST_PARAGRAPH.search(chapter.body_html)
        opening = Markup(LINK.sub("", first.group(1)) if first else "")
    latest = sorted(
        chapter.statements, key=lambda item: _statement_order(content, item), reverse=True
    )
    return PackIssue(
        anchor=f"pack-{chapter.anchor}",
        title=chapter.title,
        lang=chapter.lang,
        untranslated=chapter.untranslated,
        opening=opening,
        asks=text.asks[:MAX_ASKS],
        key_lines=tuple(
            PackKeyLine(line, pages.get(line.statement.anchor))
            for line in chapter.key_lines[:MAX_KEY_LINES]
        ),
        latest=tuple(
            PackStatement(item, pages.get(item.ref.anchor)) for item in latest[:MAX_LATEST]
        ),
        statement_count=len(chapter.statements),
        page=pages.get(chapter.anchor),
    )


def _statement_order(content: Content, item: StatementListing) -> tuple[tuple[int, int, int], str]:
    statement_id = item.ref.anchor.removeprefix("statement-")
    statement = content.statements[statement_id]
    return statement.date.sort_key(), statement_id


def _contacts(
    content: Content, edition: Edition, pack: Pack, pages: dict[str, int]
) -> tuple[PackContact, ...]:
    """The pack's contacts, as the book's appendix prints them (public people only)."""
    printed = {
        person.anchor: (person, group.organisation.label if group.organisation else None)
        for group in edition.contacts
        for person in group.people
    }
    out = []
    for person_id in default_contacts(content, pack):
        found = printed.get(anchor("person", person_id))
        if found is not None:
            out.append(PackContact(found[0], found[1], pages.get(found[0].anchor)))
    return tuple(out)


def render_pack_html(
    view: PackView, layout_dirs: list[Path], translations: gettext.NullTranslations
) -> str:
    """The pack as one HTML document, for WeasyPrint."""
    env = environment(layout_dirs, translations)
    html = env.get_template("pack.html").render(
        pack=view,
        book=view.book,
        target="print",
        assets=ASSETS,
        timeline_svg=timeline_picture(view.book),
    )
    return finish_html(html, view.book.lang)
