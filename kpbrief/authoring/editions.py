"""`kpbrief edition close` and `kpbrief edition diff`: recording an edition, and what changed.

`close` writes `content/editions/<edition date>.yaml` (never over an existing one); `diff`
prints, for each language of the book, what the next edition's "What's new" will list.
"""

from __future__ import annotations

from pathlib import Path

from kpbrief.content.editions import (
    EDITIONS,
    Changes,
    changes,
    digests,
    load_records,
    previous_record,
    record_text,
)
from kpbrief.content.load import load_content
from kpbrief.content.model import Content


class EditionRefused(Exception):
    """Why an edition command did nothing, said for the editor."""


def _content(source: Path) -> Content:
    content = load_content(source)
    if content.book is None:
        problems = "\n".join(str(p) for p in content.problems)
        raise EditionRefused(f"the book cannot be read:\n{problems}")
    return content


def close_edition(source: Path) -> Path:
    """Record the book's current edition; refuse to overwrite a record."""
    content = _content(source)
    assert content.book is not None
    errors = [p for p in content.problems if p.severity == "error"]
    if errors:
        raise EditionRefused(
            f"{len(errors)} error(s) in the content (see 'kpbrief check'); fix them first"
        )
    target = source / "content" / EDITIONS / f"{content.book.edition.iso()}.yaml"
    rel = target.relative_to(source).as_posix()
    if target.exists():
        raise EditionRefused(
            f"{rel} exists: the edition of {content.book.edition.iso()} is closed already; "
            "move 'edition:' in content/book.yaml to the next edition's date first"
        )
    target.parent.mkdir(parents=True, exist_ok=True)
    with target.open("x", encoding="utf-8") as written:  # "x": never over another
        written.write(record_text(content.book.edition, digests(content)))
    return target


def diff_lines(source: Path) -> list[str]:
    """What changed since the newest record, language by language, as lines to print."""
    content = _content(source)
    assert content.book is not None
    records, problems = load_records(source)
    if problems:
        raise EditionRefused("\n".join(str(p) for p in problems))
    record = previous_record(content, records)
    if record is None:
        if not records:
            return ["no edition recorded yet: 'kpbrief edition close' records this one"]
        return [
            f"the edition of {content.book.edition.iso()} is the one last recorded: "
            "move 'edition:' in content/book.yaml to list what changes after it"
        ]
    lines = [f"since the edition of {record.edition.iso()}:"]
    for lang in content.book.languages:
        found = changes(content, record, lang)
        lines.append(f"[{lang}]")
        lines += _lines(content, found, lang) if found else ["  nothing new"]
    return lines


def _lines(content: Content, found: Changes, lang: str) -> list[str]:
    assert content.book is not None
    default = content.book.default_lang
    out = []
    for label, ids in (
        ("new statement", found.new_statements),
        ("revised statement", found.revised_statements),
    ):
        for ident in ids:
            statement = content.statements[ident]
            title = statement.text_for(lang).title
            out.append(f"  {label}: {statement.date.iso()} {title} ({ident})")
    for ident in found.revised_chapters:
        title = content.issues[ident].text_for(lang, default).title
        out.append(f"  revised chapter: {title} ({ident})")
    for label, ids in (
        ("new contact", found.new_contacts),
        ("changed contact", found.changed_contacts),
    ):
        for ident in ids:
            out.append(f"  {label}: {content.people[ident].name.get(lang, default)} ({ident})")
    return out
