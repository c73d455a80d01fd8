"""Proper names kept whole: the people, organisations and places the book knows, marked in
rendered text so that the print stylesheet never hyphenates them (`span.name`).

Only names with a word long enough to be hyphenated at all are marked; tags, attribute values
and the text of code, pre, style, script, svg and title are left as they are.
"""

from __future__ import annotations

import html
import re
from collections.abc import Iterable

from kpbrief.content.model import Content, LocalText

# The print stylesheet hyphenates words of 7 letters or more (hyphenate-limit-chars).
_HYPHENATABLE = re.compile(r"[^\W\d_]{7,}")
_TAG_RE = re.compile(r"(<!--.*?-->|<[^>]*>)", re.DOTALL)
_SKIP = ("code", "pre", "style", "script", "svg", "title")
_TAG_NAME_RE = re.compile(r"</?\s*([a-zA-Z0-9]+)")  # a comment has none
_MARKED = r'<span class="name">\1</span>'


def _texts(text: LocalText | None) -> Iterable[str]:
    return () if text is None else text.values.values()


def known_names(content: Content, public_people: Iterable[str]) -> tuple[str, ...]:
    """The names a book knows, in every language it has them in: its public people, its
    organisations and their acronyms, and the places of its statements and events (each
    part of "Kinshasa, DR Congo" a name of its own); longest first."""
    names: set[str] = set()
    for person_id in public_people:
        person = content.people.get(person_id)
        if person is not None:
            names.update(_texts(person.name))
    for organisation in content.organisations.values():
        names.update(_texts(organisation.name))
        names.update(_texts(organisation.acronym))
    places: set[str] = set()
    for statement in content.statements.values():
        for text in (statement.original, *statement.translations.values()):
            if text.place:
                places.add(text.place)
    for event in content.events.values():
        places.update(_texts(event.place))
    for place in places:
        names.update(part.strip() for part in place.split(","))
    return tuple(sorted((n for n in names if _HYPHENATABLE.search(n)), key=lambda n: (-len(n), n)))


def mark_names(document: str, names: Iterable[str]) -> str:
    """`document` (HTML) with each of `names` in its text wrapped in `<span class="name">`."""
    pattern = names_pattern(names)
    return document if pattern is None else names_run(document, pattern, 0)[0]


def names_pattern(names: Iterable[str]) -> re.Pattern[str] | None:
    """What `mark_names` looks for (None: nothing)."""
    escaped = [html.escape(name, quote=False) for name in names]
    if not escaped:
        return None
    return re.compile(r"(?<![\w-])(" + "|".join(re.escape(n) for n in escaped) + r")(?![\w-])")


def names_run(document: str, pattern: re.Pattern[str], skip: int) -> tuple[str, int]:
    """`mark_names` on a piece of a document that begins with a tag (or at its start), `skip`
    elements deep in those left as they are; and how deep it leaves the pass."""
    pieces = _TAG_RE.split(document)  # texts at even places, the tags between them at odd
    for index in range(0, len(pieces), 2):
        text = pieces[index]
        # Most texts name no one: searched first, they are left as they are, uncopied.
        if skip <= 0 and text and pattern.search(text):
            pieces[index] = pattern.sub(_MARKED, text)
        if index + 1 < len(pieces):
            tag = pieces[index + 1]
            name = _TAG_NAME_RE.match(tag)
            if name and name[1].lower() in _SKIP and not tag.endswith("/>"):
                skip += -1 if tag.startswith("</") else 1
    return "".join(pieces), skip
