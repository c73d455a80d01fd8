"""Front and back matter the editors write: the glossary (`content/glossary.yaml`), the
editors' pages (`content/pages/<id>.<lang>.md`) and the colophon (book.yaml's `colophon:`).

Read here, like every other kind, into typed models with the file and line of each value;
what lies between files (a definition that follows an unknown statement, a page missing in
one of the book's languages) is checked in `matter_problems`.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from kpbrief.content.diagnostics import did_you_mean
from kpbrief.content.files import markdown_file
from kpbrief.content.model import (
    Colophon,
    Content,
    GlossaryEntry,
    LocalText,
    Origin,
    Page,
    PageText,
    Problem,
)
from kpbrief.content.reader import LANG_RE, Reader
from kpbrief.content.yaml import LineMap

GLOSSARY_FIELDS = ("id", "term", "definition", "from")
GLOSSARY_OPTIONAL = ("expansion", "also")
PAGE_FIELDS = ("title", "place", "order")
COLOPHON_FIELDS = ("licence", "citation", "disclaimer")
EDITORS = "editors"  # `from:` of a definition the editors wrote


def load_colophon(reader: Reader, data: LineMap, origin: Origin) -> Colophon | None:
    """book.yaml's `colophon:`, a mapping of localised texts; None when absent."""
    raw = data.get("colophon")
    if raw is None:
        return None
    where = reader.at(data, origin, "colophon")
    colophon = reader.mapping(raw, where, "colophon")
    if colophon is None:
        return None
    reader.fields(colophon, where, (), COLOPHON_FIELDS)
    return Colophon(
        licence=reader.get(colophon, where, "licence", reader.local_text),
        citation=reader.get(colophon, where, "citation", reader.local_text),
        disclaimer=reader.get(colophon, where, "disclaimer", reader.local_text),
    )


def load_glossary(reader: Reader, path: Path) -> dict[str, GlossaryEntry]:
    """content/glossary.yaml: a list of entries; duplicates and bad entries are reported."""
    origin = Origin(reader.rel(path))
    text = reader.read_text(path)
    if text is None:
        return {}
    data = reader.parse_yaml(text, origin)
    if data is None:
        return {}
    if not isinstance(data, list):
        if isinstance(data, LineMap) or not isinstance(data, str | int | float | bool):
            reader.error(
                origin,
                "the glossary must be a list of entries, each beginning with '- id: …'",
            )
        return {}
    entries: dict[str, GlossaryEntry] = {}
    for item in data:
        entry_map = reader.mapping(item, origin, "a glossary entry")
        if entry_map is None:
            continue
        entry = _glossary_entry(reader, entry_map, Origin(origin.path, entry_map.line))
        if entry is None:
            continue
        if entry.id in entries:
            reader.error(
                entry.origin,
                f"duplicate glossary id '{entry.id}' (also line {entries[entry.id].origin.line})"
                ": rename one, or merge the two entries",
            )
            continue
        entries[entry.id] = entry
    return entries


def _glossary_entry(reader: Reader, data: LineMap, origin: Origin) -> GlossaryEntry | None:
    reader.fields(data, origin, GLOSSARY_FIELDS, GLOSSARY_OPTIONAL)
    ident = reader.get(data, origin, "id", reader.ident)
    term = reader.get(data, origin, "term", reader.local_text)
    definition = reader.get(data, origin, "definition", reader.local_text)
    source = reader.get(data, origin, "from", reader.ident)
    if ident is None or term is None or definition is None or source is None:
        return None
    return GlossaryEntry(
        id=ident,
        term=term,
        definition=definition,
        source=source,
        origin=origin,
        expansion=reader.get(data, origin, "expansion", reader.local_text),
        also=_also(reader, data, origin),
        lines=dict(data.lines),
    )


def _also(reader: Reader, data: LineMap, origin: Origin) -> dict[str, tuple[str, ...]]:
    """`also:` — a list of forms for every language ("" key), or one list per language."""
    raw: Any = data.get("also")
    if raw is None:
        return {}
    where = reader.at(data, origin, "also")
    if isinstance(raw, LineMap):
        out: dict[str, tuple[str, ...]] = {}
        for lang, forms in raw.items():
            at = Origin(origin.path, raw.lines.get(lang, where.line))
            if not LANG_RE.match(lang):
                reader.error(at, f"'{lang}' is not a language code (like en, fr, pt)")
                continue
            found = reader.strings(forms, at)
            if found:
                out[lang] = tuple(f for f in found if f)
        return out
    found = reader.strings(raw, where)
    return {"": tuple(f for f in found if f)} if found else {}


def load_pages(reader: Reader, paths: list[Path]) -> dict[str, Page]:
    """content/pages/<id>.<lang>.md: the editors' pages, by id, each in its languages."""
    texts: dict[str, dict[str, PageText]] = {}
    for path in paths:
        read = markdown_file(reader, path)
        if read is None:
            continue
        page_id, lang, origin, data, body, body_line = read
        reader.fields(data, origin, PAGE_FIELDS, ())
        title = reader.get(data, origin, "title", reader.string)
        place = reader.get(data, origin, "place", reader.string)
        if place is not None and place not in ("front", "back"):
            reader.error(
                reader.at(data, origin, "place"),
                f"place '{place}' is not front or back: write 'place: front' (the page prints "
                "before the chronology) or 'place: back' (before the index)",
            )
            place = None
        order = data.get("order")
        if order is not None and (not isinstance(order, int) or isinstance(order, bool)):
            reader.error(
                reader.at(data, origin, "order"), "order must be a whole number, like 'order: 1'"
            )
            order = None
        if title is None or place is None or order is None:
            continue
        if lang in texts.setdefault(page_id, {}):
            reader.error(origin, f"page '{page_id}' has two files in '{lang}'")
            continue
        texts[page_id][lang] = PageText(
            lang, title, "front" if place == "front" else "back", order, body, origin, body_line
        )
    return {page_id: Page(page_id, by_lang) for page_id, by_lang in sorted(texts.items())}


def glossary_uses(content: Content, lang: str, default_lang: str) -> set[str]:
    """The ids of the glossary terms used in the texts that link to the glossary (issue
    chapters and the chronology's events) in one language."""
    from kpbrief.content.terms import TermFinder

    finder = TermFinder(content.glossary.values(), lang, default_lang)
    used: set[str] = set()
    for issue in content.issues.values():
        text = issue.text_for(lang, default_lang)
        used |= finder.found_in(text.body)
    for event in content.events.values():
        for local in (event.title, event.note):
            if local is not None:
                used |= finder.found_in(local.get(lang, default_lang))
    return used


def matter_problems(content: Content, languages: tuple[str, ...]) -> list[Problem]:
    """What is wrong between the matter's files and the rest of the book."""
    problems: list[Problem] = []
    default = languages[0] if languages else "en"
    bases = tuple(dict.fromkeys(lang.split("_")[0] for lang in languages))

    def missing(origin: Origin, text: LocalText | None, what: str) -> None:
        if text is None or text.plain:
            return
        for lang in bases:
            if lang not in text.values:
                problems.append(
                    Problem(
                        origin,
                        "warning",
                        f"{what} has no '{lang}' text; the book's first language is shown "
                        f"instead: add '{lang}: …'",
                    )
                )

    for entry in content.glossary.values():
        at = entry.origin.at
        missing(at(entry.lines, "term"), entry.term, f"glossary term '{entry.id}'")
        missing(at(entry.lines, "definition"), entry.definition, f"definition of '{entry.id}'")
        missing(at(entry.lines, "expansion"), entry.expansion, f"expansion of '{entry.id}'")
        if entry.source != EDITORS and entry.source not in content.statements:
            if entry.source in content.failed.get("statement", ()):
                continue
            hint = did_you_mean(entry.source, [*content.statements, EDITORS])
            problems.append(
                Problem(
                    at(entry.lines, "from"),
                    "error",
                    f"'from: {entry.source}' is not a known statement{hint}: write the id of "
                    "the statement whose words the definition follows, or 'from: editors'",
                )
            )
    if content.glossary:
        used: set[str] = set()
        for lang in languages:
            used |= glossary_uses(content, lang, default)
        for entry in content.glossary.values():
            if entry.id not in used:
                problems.append(
                    Problem(
                        entry.origin,
                        "warning",
                        f"glossary term '{entry.term.get(default, default)}' ({entry.id}) is "
                        "used in no issue chapter nor in the chronology: nothing links to it; "
                        "add its other forms under 'also:', or remove the entry",
                    )
                )
    for page in content.pages.values():
        any_text = next(iter(page.texts.values()))
        for other in page.texts.values():
            if (other.place, other.order) != (any_text.place, any_text.order):
                problems.append(
                    Problem(
                        other.origin,
                        "error",
                        f"page '{page.id}' is 'place: {other.place}', 'order: {other.order}' "
                        f"here but 'place: {any_text.place}', 'order: {any_text.order}' in "
                        f"{Path(any_text.origin.path).name}: every language of a page prints "
                        "in the same place; make them agree",
                    )
                )
        for lang in bases:
            if lang not in page.texts:
                folder = Path(any_text.origin.path).parent.as_posix()
                problems.append(
                    Problem(
                        any_text.origin,
                        "warning",
                        f"page '{page.id}' has no '{lang}' version, so the '{lang}' book shows "
                        f"it in '{any_text.lang}': add {folder}/{page.id}.{lang}.md (a copy of "
                        f"{Path(any_text.origin.path).name}, translated)",
                    )
                )
    for ident, where in _current_contacts(content):
        if ident in content.organisations:
            continue
        person = content.people.get(ident)
        if person is not None:
            if not person.public or not person.contact:
                problems.append(
                    Problem(
                        where,
                        "error",
                        f"'{ident}' in current_contacts is not listed as a contact (public: "
                        "false or contact: false): remove it from current_contacts",
                    )
                )
            continue
        if ident in content.failed.get("person", ()) or ident in content.failed.get(
            "organisation", ()
        ):
            continue
        hint = did_you_mean(ident, [*content.people, *content.organisations])
        problems.append(
            Problem(
                where,
                "error",
                f"unknown person or organisation '{ident}' in current_contacts{hint}"
                if hint
                else f"unknown person or organisation '{ident}' in current_contacts: add "
                f"content/people/{ident}.yaml or content/organisations/{ident}.yaml, or "
                "correct the id",
            )
        )
    return problems


def _current_contacts(content: Content) -> list[tuple[str, Origin]]:
    book = content.book
    if book is None:
        return []
    return [
        (ident, book.origin.at(book.lines, "current_contacts")) for ident in book.current_contacts
    ]
