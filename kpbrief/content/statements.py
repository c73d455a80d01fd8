"""Statements: one file per language (`<id>.<lang>.md`), read and merged into one Statement.

An original carries the fields every language shares (date, kind, issues, people, source);
a translation names itself (`translation: official|unofficial`) and carries only its own.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

from kpbrief.content.files import markdown_file
from kpbrief.content.model import (
    Omission,
    Origin,
    Provenance,
    Statement,
    StatementText,
)
from kpbrief.content.reader import Reader
from kpbrief.content.yaml import LineMap

T = TypeVar("T")


STATEMENT_KINDS = (
    "press-release",
    "closing-remarks",
    "speech",
    "joint-statement",
    "letter",
    "other",
)


SHARED_FIELDS = ("date", "kind", "issues", "speakers", "contacts", "mentions", "source", "credits")


OWN_FIELDS = (
    "title",
    "place",
    "event",
    "date_note",
    "translation",
    "translated_from",
    "source_file",
)


@dataclass
class StatementFile:
    id: str
    text: StatementText
    data: LineMap
    shared: dict[str, Any] = field(default_factory=dict)


def _declarations(reader: Reader, data: LineMap, origin: Origin, key: str) -> list[Omission]:
    """The entries of `source.omit` or `source.added`: {starts: …, why: …} each."""
    raw = data.get(key)
    if raw is None:
        return []
    where = reader.at(data, origin, key)
    if not isinstance(raw, list):
        reader.error(where, f"{key} must be a list of {{starts: …, why: …}}")
        return []
    out: list[Omission] = []
    for item in raw:
        item_map = reader.mapping(item, where, f"an {key} entry")
        if item_map is None:
            continue
        item_origin = Origin(origin.path, item_map.line)
        reader.fields(item_map, item_origin, ("starts", "why"), ())
        starts = reader.get(item_map, item_origin, "starts", reader.string)
        why = reader.get(item_map, item_origin, "why", reader.local_text)
        if starts and why:
            out.append(Omission(starts, why, item_origin))
    return out


def _provenance(reader: Reader, value: Any, origin: Origin) -> Provenance | None:
    data = reader.mapping(value, origin, "source")
    if data is None:
        return None
    reader.fields(data, origin, ("publisher",), ("url", "note", "file", "omit", "added"))
    publisher = reader.get(data, origin, "publisher", reader.string)
    omits = _declarations(reader, data, origin, "omit")
    added = _declarations(reader, data, origin, "added")
    if publisher is None:
        return None
    return Provenance(
        publisher=publisher,
        url=reader.get(data, origin, "url", reader.string),
        note=reader.get(data, origin, "note", reader.local_text),
        file=reader.get(data, origin, "file", reader.string),
        omit=tuple(omits),
        added=tuple(added),
    )


def read_statement_file(reader: Reader, path: Path) -> StatementFile | None:
    read = markdown_file(reader, path)
    if read is None:
        return None
    statement_id, lang, origin, data, body, body_line = read
    translation = reader.get(data, origin, "translation", reader.string)
    if translation is not None and translation not in ("official", "unofficial"):
        reader.error(
            reader.at(data, origin, "translation"), "translation must be official or unofficial"
        )
        translation = "unofficial"
    if translation is None:
        required: tuple[str, ...] = ("title", "date", "kind", "issues", "source")
        optional = tuple(f for f in SHARED_FIELDS + OWN_FIELDS if f not in required)
        optional = tuple(f for f in optional if f not in ("translation", "translated_from"))
        if "source_file" in data:  # accepted as a field, to say where it belongs
            reader.error(
                reader.at(data, origin, "source_file"),
                "source_file names a translation's text as received; an original names its "
                "own under source:, as file: sources/<name>.txt",
            )
    else:
        required = ("title", "translation")
        optional = tuple(f for f in SHARED_FIELDS + OWN_FIELDS if f not in required)
    reader.fields(data, origin, required, optional)

    shared: dict[str, Any] = {}
    shared["date"] = reader.get(data, origin, "date", reader.date)
    kind = reader.get(data, origin, "kind", reader.string)
    if kind is not None and kind not in STATEMENT_KINDS:
        reader.error(
            reader.at(data, origin, "kind"),
            f"kind '{kind}' is not one of: {', '.join(STATEMENT_KINDS)}",
        )
    shared["kind"] = kind
    for key in ("issues", "speakers", "contacts", "mentions"):
        shared[key] = reader.get(data, origin, key, reader.ids)
    if translation is None and "issues" in data and not shared["issues"]:
        reader.error(reader.at(data, origin, "issues"), "a statement needs at least one issue")
    shared["source"] = reader.get(data, origin, "source", _bind(reader, _provenance))
    shared["credits"] = reader.get(data, origin, "credits", reader.strings)
    shared = {key: value for key, value in shared.items() if key in data}

    title = reader.get(data, origin, "title", reader.string) or ""
    # Written as is, a digest of digits only would be read by YAML as a number.
    translated_from = data.raw.get("translated_from") if "translated_from" in data else None
    if translated_from is not None and not re.fullmatch(r"[0-9a-f]{12}", translated_from):
        reader.error(
            reader.at(data, origin, "translated_from"),
            "translated_from must be 12 lowercase hex digits; run 'kpbrief i18n stamp FILE'",
        )
    statement_text = StatementText(
        lang=lang,
        title=title,
        body=body,
        origin=origin,
        body_line=body_line,
        translation="official"
        if translation == "official"
        else ("unofficial" if translation else None),
        translated_from=translated_from,
        place=reader.get(data, origin, "place", reader.string),
        event=reader.get(data, origin, "event", reader.string),
        date_note=reader.get(data, origin, "date_note", reader.string),
        lines=dict(data.lines),
        source_file=reader.get(data, origin, "source_file", reader.string) if translation else None,
    )
    return StatementFile(statement_id, statement_text, data, shared)


def _bind(
    reader: Reader, func: Callable[[Reader, Any, Origin], T | None]
) -> Callable[[Any, Origin], T | None]:
    return lambda value, origin: func(reader, value, origin)


def merge_statements(
    reader: Reader, files: list[StatementFile], failed: frozenset[str] = frozenset()
) -> dict[str, Statement]:
    by_id: dict[str, list[StatementFile]] = {}
    for item in files:
        by_id.setdefault(item.id, []).append(item)
    statements: dict[str, Statement] = {}
    for statement_id, group in sorted(by_id.items()):
        originals = [f for f in group if f.text.translation is None]
        if len(originals) > 1:
            for extra in originals[1:]:
                reader.error(
                    extra.text.origin,
                    f"statement '{statement_id}' has two originals ({originals[0].text.origin.path}"
                    f" too): mark one as a translation with 'translation: official|unofficial'",
                )
        if not originals:
            if statement_id in failed:
                continue  # its original did not load: that error is the one to read
            for item in group:
                reader.error(
                    item.text.origin,
                    f"statement '{statement_id}' has translations but no original: add the "
                    f"original as {statement_id}.<lang>.md without 'translation:'",
                )
            continue
        original = originals[0]
        shared = original.shared
        translations: dict[str, StatementText] = {}
        langs_seen = {original.text.lang}
        for item in group:
            if item is original or item.text.translation is None:
                continue
            if item.text.lang in langs_seen:
                reader.error(
                    item.text.origin,
                    f"statement '{statement_id}' has two files in '{item.text.lang}'",
                )
                continue
            langs_seen.add(item.text.lang)
            for key, value in item.shared.items():
                if value is not None and key in shared and value != shared[key]:
                    reader.error(
                        Origin(item.text.origin.path, item.data.lines.get(key, 1)),
                        f"'{key}' contradicts the original {original.text.origin.path}; a "
                        "translation inherits shared fields: remove it or make it agree",
                    )
                elif key not in shared:
                    reader.error(
                        Origin(item.text.origin.path, item.data.lines.get(key, 1)),
                        f"'{key}' is given in the translation but not in the original "
                        f"{original.text.origin.path}: move it to the original",
                    )
            translations[item.text.lang] = item.text
        date = shared.get("date")
        kind = shared.get("kind")
        source = shared.get("source")
        if date is None or kind is None or source is None or not shared.get("issues"):
            continue
        statements[statement_id] = Statement(
            id=statement_id,
            date=date,
            kind=kind,
            issues=shared.get("issues") or (),
            speakers=shared.get("speakers") or (),
            contacts=shared.get("contacts") or (),
            mentions=shared.get("mentions") or (),
            source=source,
            credits=shared.get("credits") or (),
            original=original.text,
            translations=translations,
            lines=dict(original.data.lines),
        )
    return statements
