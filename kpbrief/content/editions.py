"""Edition records: what an edition held, and what changed since.

`content/editions/<edition date>.yaml` lists every statement, issue chapter, person and
organisation of a closed edition, with a digest of its text in each language: one line per
item, sorted, so that two records diff as plainly as the content they stand for. The
newest record earlier than the book's `edition` is what "What's new" compares against.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from pathlib import Path

from kpbrief.content.model import Content, LocalText, Origin, PartialDate, Problem
from kpbrief.content.reader import Reader

EDITIONS = "editions"  # the folder under content/
RECORD_FIELDS = ("edition", "statements", "issues", "people", "organisations")
KINDS = RECORD_FIELDS[1:]

Digests = dict[str, dict[str, dict[str, str]]]  # kind -> id -> language -> digest


def _digest(*parts: str | None) -> str:
    text = "\x1f".join(part or "" for part in parts)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:12]


def _local(text: LocalText | None, lang: str, default: str) -> str:
    return text.get(lang, default) if text is not None else ""


def digests(content: Content) -> Digests:
    """A digest of every item's text in each language of the book."""
    assert content.book is not None
    langs = [lang.split("_")[0] for lang in content.book.languages]
    default = content.book.default_lang
    out: Digests = {kind: {} for kind in KINDS}
    for statement in content.statements.values():
        for lang in langs:
            shown = statement.text_for(lang)
            out["statements"].setdefault(statement.id, {})[lang] = _digest(
                shown.lang, shown.title, shown.body.strip(), statement.date.iso()
            )
    for issue in content.issues.values():
        for lang in langs:
            text = issue.text_for(lang, default)
            out["issues"].setdefault(issue.id, {})[lang] = _digest(
                text.lang, text.title, text.body.strip(), text.summary, *text.asks
            )
    for person in content.people.values():
        for lang in langs:
            out["people"].setdefault(person.id, {})[lang] = _digest(
                _local(person.name, lang, default),
                _local(person.role, lang, default),
                person.organisation,
                person.phone,
                person.email,
                str(person.public),
            )
    for org in content.organisations.values():
        for lang in langs:
            out["organisations"].setdefault(org.id, {})[lang] = _digest(
                _local(org.name, lang, default),
                _local(org.acronym, lang, default) if org.acronym else None,
                org.website,
                org.email,
                org.phone,
            )
    return out


def record_text(edition: PartialDate, held: Digests) -> str:
    """A record as written: a header, then one line per item, sorted."""
    lines = [
        f"# What the edition of {edition.iso()} held: a digest of each text in each language.",
        "# Written by 'kpbrief edition close'; never edit it by hand.",
        f"edition: {edition.iso()}",
    ]
    for kind in KINDS:
        items = held.get(kind, {})
        lines.append(f"{kind}:" if items else f"{kind}: {{}}")
        for ident in sorted(items):
            langs = ", ".join(f"{lang}: '{value}'" for lang, value in sorted(items[ident].items()))
            lines.append(f"  {ident}: {{{langs}}}")
    return "\n".join(lines) + "\n"


@dataclass
class Record:
    edition: PartialDate
    held: Digests
    origin: Origin


def load_records(root: Path) -> tuple[list[Record], list[Problem]]:
    """Every record of a book folder, oldest first, and the problems reading them."""
    reader = Reader(root)
    folder = root / "content" / EDITIONS
    records: list[Record] = []
    paths = sorted(folder.glob("*.yaml")) if folder.is_dir() else []
    for path in paths:
        origin = Origin(reader.rel(path))
        text = reader.read_text(path)
        if text is None:
            continue
        data = reader.mapping(reader.parse_yaml(text, origin), origin, "the record")
        if data is None:
            continue
        reader.fields(data, origin, ("edition",), KINDS)
        edition = reader.get(data, origin, "edition", reader.date)
        if edition is None:
            continue
        held: Digests = {}
        for kind in KINDS:
            items = data.get(kind) or {}
            held[kind] = {
                str(ident): {str(lang): str(value) for lang, value in langs.items()}
                for ident, langs in items.items()
                if isinstance(langs, dict)
            }
        records.append(Record(edition, held, origin))
    records.sort(key=lambda r: r.edition.sort_key())
    return records, list(reader.problems)


def previous_record(content: Content, records: list[Record]) -> Record | None:
    """The newest record, when the book's edition is later than it; else None."""
    if content.book is None or not records:
        return None
    newest = records[-1]
    return newest if content.book.edition.sort_key() > newest.edition.sort_key() else None


@dataclass
class Changes:
    """What changed since a record, in one language: ids, in the book's order."""

    new_statements: list[str] = field(default_factory=list)
    revised_statements: list[str] = field(default_factory=list)
    revised_chapters: list[str] = field(default_factory=list)
    new_contacts: list[str] = field(default_factory=list)
    changed_contacts: list[str] = field(default_factory=list)

    def __bool__(self) -> bool:
        return any(vars(self).values())


def changes(content: Content, record: Record, lang: str) -> Changes:
    """What a reader of the book in `lang` finds new or changed since `record`."""
    base = lang.split("_")[0]
    now = digests(content)
    found = Changes()

    def compare(kind: str, ident: str) -> str:
        before = record.held.get(kind, {}).get(ident)
        if before is None:
            return "new"
        return "same" if before.get(base) == now[kind][ident].get(base) else "changed"

    ordered = sorted(content.statements.values(), key=lambda s: (s.date.sort_key(), s.id))
    for statement in ordered:
        state = compare("statements", statement.id)
        if state == "new":
            found.new_statements.append(statement.id)
        elif state == "changed":
            found.revised_statements.append(statement.id)
    for issue_id in sorted(content.issues):
        if compare("issues", issue_id) != "same":
            found.revised_chapters.append(issue_id)
    for person in sorted(content.people.values(), key=lambda p: p.id):
        if not (person.public and person.contact):
            continue
        state = compare("people", person.id)
        if state == "new":
            found.new_contacts.append(person.id)
        elif state == "changed":
            found.changed_contacts.append(person.id)
    return found
