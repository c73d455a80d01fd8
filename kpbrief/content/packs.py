"""Briefing packs: `content/packs/<id>.yaml`, read and checked.

A pack names a meeting (its title, date and, optionally, what the meeting is), the issues
to brief on, in the pack's order, and optionally the people to contact; without
`contacts:` the pack lists the contacts of its issues' statements. Every problem has the
file and line: an unknown issue or person points at the line that names it.
"""

from __future__ import annotations

import re
from pathlib import Path

from kpbrief.content.files import yaml_file
from kpbrief.content.model import Content, LocalText, Origin, Pack, Problem
from kpbrief.content.reader import Reader
from kpbrief.content.yaml import LineMap

PACK_FIELDS = ("title", "date", "issues")
PACK_OPTIONAL = ("meeting", "contacts")


def load_pack(reader: Reader, path: Path) -> Pack | None:
    """One pack file; None (with its problems reported) when it cannot be read."""
    parsed = yaml_file(reader, path)
    if parsed is None:
        return None
    _ident, origin, data, text = parsed
    reader.fields(data, origin, PACK_FIELDS, PACK_OPTIONAL)
    title = reader.get(data, origin, "title", reader.local_text)
    date = reader.get(data, origin, "date", reader.date)
    issues = reader.get(data, origin, "issues", reader.ids) or ()
    if "issues" in data and not issues:
        reader.error(reader.at(data, origin, "issues"), "a pack needs at least one issue")
    contacts = reader.get(data, origin, "contacts", reader.ids)
    if title is None or date is None or not issues:
        return None
    return Pack(
        id=path.stem,
        title=title,
        date=date,
        issues=tuple(issues),
        origin=origin,
        meeting=reader.get(data, origin, "meeting", reader.local_text),
        contacts=None if contacts is None else tuple(contacts),
        lines=dict(data.lines),
        item_lines=_item_lines(text, data, ("issues", "contacts")),
    )


def _item_lines(text: str, data: LineMap, keys: tuple[str, ...]) -> dict[tuple[str, str], int]:
    """The line of each id of a list field: the first line, from the field's own, that
    names it (a list written on one line, or one item a line)."""
    lines = text.split("\n")
    found: dict[tuple[str, str], int] = {}
    for key in keys:
        values = data.get(key)
        if not isinstance(values, list) or key not in data.lines:
            continue
        start = data.lines[key] - 1
        for value in values:
            if not isinstance(value, str):
                continue
            word = re.compile(rf"(?<![\w-]){re.escape(value)}(?![\w-])")
            for number in range(start, len(lines)):
                if word.search(lines[number]):
                    found[(key, value)] = number + 1
                    break
    return found


def default_contacts(content: Content, pack: Pack) -> tuple[str, ...]:
    """The people a pack lists: its own `contacts:`, else its issues' statements' contacts,
    latest statement first; never anyone who is not public, or only mentioned."""
    if pack.contacts is not None:
        chosen: list[str] = list(pack.contacts)
    else:
        statements = sorted(
            (s for s in content.statements.values() if set(s.issues) & set(pack.issues)),
            key=lambda s: (s.date.sort_key(), s.id),
            reverse=True,
        )
        chosen = [person for s in statements for person in s.contacts]
    people = content.people
    return tuple(
        person_id
        for person_id in dict.fromkeys(chosen)
        if person_id in people and people[person_id].public and people[person_id].contact
    )


def check_packs(content: Content) -> list[Problem]:
    """The problems between a pack and the rest of the book: ids that point nowhere, people
    who are not public, texts missing in a book language."""
    problems: list[Problem] = []
    from kpbrief.content.check import babel_knows

    # A language Babel does not know is one error, in book.yaml; it is not asked of packs.
    written = content.book.languages if content.book else ()
    languages = tuple(lang for lang in written if babel_knows(lang))
    bases = tuple(dict.fromkeys(lang.split("_")[0] for lang in languages))
    private = [p for p in content.people.values() if not p.public]
    for pack in content.packs.values():

        def at(key: str, item: str = "", pack: Pack = pack) -> Origin:
            line = pack.item_lines.get((key, item)) or pack.lines.get(key, pack.origin.line)
            return Origin(pack.origin.path, line)

        for issue_id in _repeated(pack.issues):
            problems.append(
                Problem(at("issues", issue_id), "error", f"issue '{issue_id}' is named twice")
            )
        unread_issues = content.failed.get("issue", frozenset())
        for issue_id in pack.issues:
            # An issue whose file did not load has its own error: not reported again here.
            if issue_id not in content.issues and issue_id not in unread_issues:
                problems.append(
                    Problem(
                        at("issues", issue_id),
                        "error",
                        f"unknown issue '{issue_id}': add content/issues/{issue_id}.<lang>.md "
                        "or correct the id",
                    )
                )
        for person_id in pack.contacts or ():
            person = content.people.get(person_id)
            if person is None and person_id in content.failed.get("person", frozenset()):
                continue  # its file did not load: its own error says why
            if person is None:
                message = (
                    f"unknown person '{person_id}': add content/people/{person_id}.yaml "
                    "or correct the id"
                )
            elif not person.public:
                message = (
                    f"'{person_id}' is not public (public: false) and is never printed: "
                    "remove them from the pack's contacts"
                )
            elif not person.contact:
                message = (
                    f"'{person_id}' has 'contact: false' (only mentioned): remove them from "
                    "the pack's contacts, or make them a contact"
                )
            else:
                continue
            problems.append(Problem(at("contacts", person_id), "error", message))
        for key, text in (("title", pack.title), ("meeting", pack.meeting)):
            problems += _untranslated(at(key), text, key, bases)
            for person in private:
                for value in text.values.values() if text else ():
                    for name in person.name.values.values():
                        if name and name in value:
                            problems.append(
                                Problem(
                                    at(key),
                                    "error",
                                    f"the {key} names '{person.id}', who is not public: "
                                    "write it without them",
                                )
                            )
    return problems


def _repeated(ids: tuple[str, ...]) -> list[str]:
    seen: set[str] = set()
    repeated = []
    for item in ids:
        if item in seen:
            repeated.append(item)
        seen.add(item)
    return repeated


def _untranslated(
    origin: Origin, text: LocalText | None, what: str, bases: tuple[str, ...]
) -> list[Problem]:
    if text is None or text.plain:
        return []
    return [
        Problem(
            origin,
            "warning",
            f"the {what} has no '{lang}' text; the book's first language is shown instead",
        )
        for lang in bases
        if lang not in text.values
    ]
