"""Load: the files of a book folder become typed models.

Every problem found while reading (a file that is not UTF-8, YAML that does not parse, a
missing or unknown field, a value of the wrong form) becomes a `Problem` with the file and
line; reading goes on so that the user sees every problem at once.
"""

from __future__ import annotations

import os
import unicodedata
from collections.abc import Iterable, MutableMapping
from pathlib import Path

from kpbrief.confine import inside
from kpbrief.content.diagnostics import language_hint
from kpbrief.content.files import _by_id, _file_id, _files, _media, markdown_file, yaml_file
from kpbrief.content.matter import load_colophon, load_glossary, load_pages
from kpbrief.content.model import (
    BookInfo,
    Content,
    Event,
    IndexTerm,
    Issue,
    IssueText,
    Organisation,
    Origin,
    PartialDate,
    Person,
    Quotation,
)
from kpbrief.content.packs import load_pack
from kpbrief.content.profiles import profile_problem
from kpbrief.content.reader import LANG_RE, MAX_FILE_BYTES, Reader
from kpbrief.content.statements import StatementFile, merge_statements, read_statement_file
from kpbrief.content.yaml import LineMap
from kpbrief.digest import digest_of, known_file_digest, streamed_file_digest
from kpbrief.folder import GLOSSARY_FILE, KINDS


def load_book(reader: Reader, path: Path) -> BookInfo | None:
    origin = Origin(reader.rel(path))
    text = reader.read_text(path)
    if text is None:
        return None
    data = reader.mapping(reader.parse_yaml(text, origin), origin, "book.yaml")
    if data is None:
        return None
    reader.fields(
        data,
        origin,
        ("id", "title", "publisher", "edition", "languages"),
        (
            "subtitle",
            "locales",
            "paper",
            "description",
            "press_profile",
            "index_terms",
            "colophon",
            "current_contacts",
        ),
    )
    book_id = reader.get(data, origin, "id", reader.ident)
    title = reader.get(data, origin, "title", reader.local_text)
    publisher = reader.get(data, origin, "publisher", reader.string)
    edition = reader.get(data, origin, "edition", reader.date)
    written = reader.get(data, origin, "languages", reader.strings) or ()
    languages = tuple(lang for lang in written if LANG_RE.match(lang))
    rejected = tuple(lang for lang in written if not LANG_RE.match(lang))
    for lang in rejected:
        reader.error(
            reader.at(data, origin, "languages"),
            f"'{lang}' is not a language code (like en, fr, pt, or pt_BR){language_hint(lang)}",
        )
    if "languages" in data and not written:
        reader.error(reader.at(data, origin, "languages"), "the book needs at least one language")
    locales: dict[str, str] = {}
    raw_locales = data.get("locales")
    if raw_locales is not None:
        where = reader.at(data, origin, "locales")
        if isinstance(raw_locales, dict):
            for lang, loc in raw_locales.items():
                if isinstance(loc, str) and LANG_RE.match(loc):
                    locales[str(lang)] = loc
                else:
                    reader.error(where, f"locale for '{lang}' must be a code like en_GB or fr_CA")
        else:
            reader.error(where, "locales must map a language to a locale, like {en: en_GB}")
    paper = reader.get(data, origin, "paper", reader.string) or "a4"
    if paper not in ("a4", "letter"):
        reader.error(reader.at(data, origin, "paper"), "paper must be a4 or letter")
        paper = "a4"
    profile = reader.get(data, origin, "press_profile", reader.string)
    if profile is not None and (problem := profile_problem(reader.root, profile)) is not None:
        reader.error(reader.at(data, origin, "press_profile"), problem)
        profile = None
    if book_id is None or title is None or publisher is None or edition is None:
        return None
    if not languages:
        return None
    return BookInfo(
        id=book_id,
        title=title,
        publisher=publisher,
        edition=edition,
        languages=tuple(languages),
        rejected_languages=rejected,
        origin=origin,
        subtitle=reader.get(data, origin, "subtitle", reader.local_text),
        locales=locales,
        paper="letter" if paper == "letter" else "a4",
        description=reader.get(data, origin, "description", reader.local_text),
        press_profile=profile,
        colophon=load_colophon(reader, data, origin),
        current_contacts=reader.get(data, origin, "current_contacts", reader.ids) or (),
        lines=dict(data.lines),
        index_terms=_index_terms(reader, data, origin),
    )


_TERM_EXAMPLE = (
    "{term: {en: Conflict diamonds, fr: Diamants du conflit}, also: {en: [blood diamonds]}}"
)


def _index_terms(reader: Reader, data: LineMap, origin: Origin) -> tuple[IndexTerm, ...]:
    """book.yaml's `index_terms:`: the subjects the editors list for the index."""
    raw = data.get("index_terms")
    if raw is None:
        return ()
    where = reader.at(data, origin, "index_terms")
    if not isinstance(raw, list):
        reader.error(where, f"index_terms must be a list of entries like - {_TERM_EXAMPLE}")
        return ()
    terms: list[IndexTerm] = []
    seen: dict[str, int] = {}  # each spelling, and the line of the term it belongs to
    for item in raw:
        if not isinstance(item, LineMap):
            reader.error(where, f"each entry of index_terms must be a mapping like {_TERM_EXAMPLE}")
            continue
        at = Origin(origin.path, item.line)
        reader.fields(item, at, ("term",), ("also",))
        term = reader.get(item, at, "term", reader.local_text)
        if term is None:
            continue
        also: dict[str, tuple[str, ...]] = {}
        variants = item.get("also")
        also_at = reader.at(item, at, "also")
        if isinstance(variants, LineMap):
            for lang, spellings in variants.items():
                lang_at = Origin(origin.path, variants.lines.get(lang, also_at.line))
                if not LANG_RE.match(lang):
                    reader.error(lang_at, f"'{lang}' is not a language code (like en, fr, pt)")
                    continue
                also[lang] = tuple(s for s in reader.strings(spellings, lang_at) or () if s)
        elif variants is not None:
            every = tuple(s for s in reader.strings(variants, also_at) or () if s)
            if every:
                also[""] = every
        spellings = [*term.values.values(), *(v for vs in also.values() for v in vs)]
        for spelling in dict.fromkeys(_spelling_key(v) for v in spellings):
            if spelling in seen:
                reader.error(
                    at,
                    f"'{spelling}' is already a spelling of the index term at line "
                    f"{seen[spelling]}: an index term and its variants are one entry; list each "
                    "spelling once",
                )
            seen.setdefault(spelling, at.line)
        terms.append(IndexTerm(term=term, origin=at, also=also))
    return tuple(terms)


def _spelling_key(text: str) -> str:
    """A spelling without accents, case or punctuation: the index files such spellings as one."""
    plain = "".join(
        c for c in unicodedata.normalize("NFKD", text.casefold()) if not unicodedata.combining(c)
    )
    return " ".join("".join(c if c.isalnum() else " " for c in plain).split())


def _load_issues(reader: Reader, paths: list[Path]) -> dict[str, Issue]:
    texts: dict[str, dict[str, IssueText]] = {}
    orders: dict[str, int | None] = {}
    for path in paths:
        read = markdown_file(reader, path)
        if read is None:
            continue
        issue_id, lang, origin, data, body, body_line = read
        reader.fields(data, origin, ("title",), ("order", "key_lines", "summary", "asks"))
        title = reader.get(data, origin, "title", reader.string)
        key_lines = _key_lines(reader, data, origin)
        summary = reader.get(data, origin, "summary", reader.string)
        asks = reader.get(data, origin, "asks", reader.strings) or ()
        order = data.get("order")
        if order is not None and (not isinstance(order, int) or isinstance(order, bool)):
            reader.error(reader.at(data, origin, "order"), "order must be a whole number")
            order = None
        if order is not None:
            orders[issue_id] = order if orders.get(issue_id) is None else orders[issue_id]
        else:
            orders.setdefault(issue_id, None)
        if title is None:
            continue
        if lang in texts.setdefault(issue_id, {}):
            reader.error(origin, f"issue '{issue_id}' has two files in '{lang}'")
            continue
        texts[issue_id][lang] = IssueText(
            lang, title, body, origin, body_line, key_lines, summary, tuple(asks)
        )
    return {
        issue_id: Issue(issue_id, orders.get(issue_id), by_lang)
        for issue_id, by_lang in sorted(texts.items())
        if by_lang
    }


def _key_lines(reader: Reader, data: LineMap, origin: Origin) -> tuple[Quotation, ...]:
    raw = data.get("key_lines")
    if raw is None:
        return ()
    where = reader.at(data, origin, "key_lines")
    if not isinstance(raw, list):
        reader.error(
            where, "key_lines must be a list of {statement: <id>, quote: …, speaker: <id>}"
        )
        return ()
    out: list[Quotation] = []
    for item in raw:
        item_map = reader.mapping(item, where, "a key line")
        if item_map is None:
            continue
        item_origin = Origin(origin.path, item_map.line)
        reader.fields(item_map, item_origin, ("statement", "quote"), ("speaker",))
        statement = reader.get(item_map, item_origin, "statement", reader.ident)
        quote = reader.get(item_map, item_origin, "quote", reader.string)
        speaker = reader.get(item_map, item_origin, "speaker", reader.ident)
        if statement and quote:
            out.append(Quotation(statement, quote, item_origin, speaker))
    return tuple(out)


def _load_person(reader: Reader, path: Path) -> Person | None:
    parsed = yaml_file(reader, path)
    if parsed is None:
        return None
    person_id, origin, data, _text = parsed
    reader.fields(
        data,
        origin,
        ("name",),
        (
            "organisation",
            "role",
            "country",
            "phone",
            "email",
            "public",
            "contact",
            "sort_as",
            "as_of",
        ),
    )
    name = reader.get(data, origin, "name", reader.local_text)
    if name is None:
        return None
    public = reader.get(data, origin, "public", reader.boolean)
    contact = reader.get(data, origin, "contact", reader.boolean)
    return Person(
        id=person_id,
        name=name,
        origin=origin,
        organisation=reader.get(data, origin, "organisation", reader.ident),
        role=reader.get(data, origin, "role", reader.local_text),
        country=reader.get(data, origin, "country", reader.string),
        phone=reader.get(data, origin, "phone", reader.string),
        email=reader.get(data, origin, "email", reader.string),
        public=True if public is None else public,
        contact=True if contact is None else contact,
        sort_as=reader.get(data, origin, "sort_as", reader.local_text),
        as_of=_as_of(reader, data, origin),
        lines=dict(data.lines),
    )


def _load_organisation(reader: Reader, path: Path) -> Organisation | None:
    parsed = yaml_file(reader, path)
    if parsed is None:
        return None
    org_id, origin, data, _text = parsed
    reader.fields(
        data,
        origin,
        ("name",),
        ("acronym", "country", "website", "email", "phone", "coalition_member", "as_of"),
    )
    name = reader.get(data, origin, "name", reader.local_text)
    if name is None:
        return None
    return Organisation(
        id=org_id,
        name=name,
        origin=origin,
        acronym=reader.get(data, origin, "acronym", reader.local_text),
        country=reader.get(data, origin, "country", reader.string),
        website=reader.get(data, origin, "website", reader.string),
        email=reader.get(data, origin, "email", reader.string),
        phone=reader.get(data, origin, "phone", reader.string),
        coalition_member=reader.get(data, origin, "coalition_member", reader.boolean),
        as_of=_as_of(reader, data, origin),
        lines=dict(data.lines),
    )


def _as_of(reader: Reader, data: LineMap, origin: Origin) -> PartialDate | None:
    """`as_of:`, the day the contact details were published: a whole date."""
    date = reader.get(data, origin, "as_of", reader.date)
    if date is not None and date.precision != "day":
        reader.error(
            reader.at(data, origin, "as_of"),
            f"as_of '{date.iso()}' must be a whole date, YYYY-MM-DD: the day the details were "
            "published",
        )
        return None
    return date


def _load_event(reader: Reader, path: Path) -> Event | None:
    parsed = yaml_file(reader, path)
    if parsed is None:
        return None
    event_id, origin, data, _text = parsed
    reader.fields(
        data,
        origin,
        ("date", "title"),
        ("end", "place", "issues", "note", "date_note", "statements", "key"),
    )
    date = reader.get(data, origin, "date", reader.date)
    title = reader.get(data, origin, "title", reader.local_text)
    end = reader.get(data, origin, "end", reader.date)
    if date is not None and end is not None and end.sort_key() < date.sort_key():
        reader.error(reader.at(data, origin, "end"), "end is before date")
        end = None
    if date is None or title is None:
        return None
    return Event(
        id=event_id,
        date=date,
        title=title,
        origin=origin,
        end=end,
        place=reader.get(data, origin, "place", reader.local_text),
        issues=reader.get(data, origin, "issues", reader.ids) or (),
        note=reader.get(data, origin, "note", reader.local_text),
        date_note=reader.get(data, origin, "date_note", reader.local_text),
        statements=reader.get(data, origin, "statements", reader.ids) or (),
        key=bool(reader.get(data, origin, "key", reader.boolean)),
        lines=dict(data.lines),
    )


def _statement_file(
    reader: Reader, path: Path, memo: MutableMapping[str, object] | None
) -> StatementFile | None:
    """One statement file read, or, in a warm process (`memo`), taken as it was read when
    it had the same name and bytes (with the problems reading it found)."""
    if memo is None:
        return read_statement_file(reader, path)
    try:
        # A link is read afresh (and refused if need be), a file over the limit refused.
        status = None if path.is_symlink() else path.stat()
        plain = status is not None and status.st_size <= MAX_FILE_BYTES
        before = known_file_digest(os.path.abspath(path), status) if plain and status else None
    except OSError:
        before = None
    if before is None:
        return read_statement_file(reader, path)
    key = digest_of("statement file", str(reader.root), reader.rel(path), before)
    kept = memo.get(key)
    if not isinstance(kept, tuple):
        alone = Reader(reader.root)
        kept = (read_statement_file(alone, path), tuple(alone.problems))
        if streamed_file_digest(path) == before:  # not saved again while it was read
            memo[key] = kept
    read, problems = kept
    reader.problems.extend(problems)
    return read if isinstance(read, StatementFile) else None


def load_content(root: Path, memo: MutableMapping[str, object] | None = None) -> Content:
    """Read a book folder: `root/content/…`. Never raises on bad content. `memo` (a warm
    process's, see `build.warm`): each statement file is read again only if its bytes
    changed."""
    reader = Reader(root)
    content_dir = root / "content"
    book_path = content_dir / "book.yaml"
    book: BookInfo | None = None
    if book_path.is_file():
        book = load_book(reader, book_path)
    else:
        reader.error(
            Origin("content/book.yaml"),
            "no content/book.yaml: is this a book folder? Use --source DIR to name one",
        )

    statement_paths = _files(content_dir / "statements", "*")
    # A file (not a link) of a folder inside the book is inside it, as its folder is.
    kept = memo if memo is not None and inside(root, content_dir / "statements") else None
    statement_files = [_statement_file(reader, p, kept) for p in statement_paths]
    unread = frozenset(
        _file_id(path) or ""
        for path, read in zip(statement_paths, statement_files, strict=True)
        if read is None
    )
    statements = merge_statements(reader, [f for f in statement_files if f is not None], unread)
    issues = _load_issues(reader, _files(content_dir / "issues", "*"))
    people = _by_id(
        reader, [_load_person(reader, p) for p in _files(content_dir / "people", "*")], "person"
    )
    organisations = _by_id(
        reader,
        [_load_organisation(reader, p) for p in _files(content_dir / "organisations", "*")],
        "organisation",
    )
    events = _by_id(
        reader, [_load_event(reader, p) for p in _files(content_dir / "events", "*")], "event"
    )
    media = _media(reader, content_dir / "media")
    loaded: dict[str, Iterable[str]] = {
        "statement": statements,
        "issue": issues,
        "person": people,
        "organisation": organisations,
        "event": events,
    }
    failed = {
        kind: frozenset(
            ident
            for ident in map(_file_id, _files(content_dir / KINDS[kind].folder, "*"))
            if ident is not None and ident not in loaded[kind]
        )
        for kind in loaded
    }
    packs = _by_id(
        reader, [load_pack(reader, p) for p in _files(content_dir / "packs", "*")], "pack"
    )
    glossary_path = content_dir / GLOSSARY_FILE
    glossary = load_glossary(reader, glossary_path) if glossary_path.is_file() else {}
    pages = load_pages(reader, _files(content_dir / KINDS["page"].folder, "*"))
    return Content(
        glossary=glossary,
        glossary_origin=Origin(reader.rel(glossary_path)) if glossary_path.is_file() else None,
        pages=pages,
        failed=failed,
        root=root,
        book=book,
        statements=statements,
        issues=issues,
        people=people,
        organisations=organisations,
        events=events,
        problems=reader.problems,
        media=media,
        packs=packs,
    )
