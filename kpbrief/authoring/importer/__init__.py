"""Import: a statement received as .docx, .odt, .html, .md or .txt becomes a content file.

pandoc reads the received file (in its sandbox: no network, no file but the input) into its
document tree; what the book refuses (raw HTML, links without a real target or to a scheme
other than http, https and mailto) and the pictures (the book's images live in
`content/media/`) are taken out here, each with a note; pandoc then writes the rest as
CommonMark. Plain text is read as Markdown-ish text first (see `plain_to_markdown`).

The title, date, kind and place are guessed from the text, and the fields that cannot be
guessed are filled from the book (its first issue, its publisher); every one of them carries
a `# REVIEW:` comment in the front matter saying where it came from. The received file is
kept, unedited, under `content/sources/`, and the statement names it as `source.file` so that
the faithfulness check applies: a .txt or .md as it came; for .docx, .odt and .html, which
the check cannot read, pandoc's Markdown rendering of the received file is kept beside it and
named instead. Lines left at the head of the text that are a letterhead's (a date line, a
release line, the sender's name) get a REVIEW note too: the book would print them.

A file received as the translation of a statement the book has (`--id` of that statement,
`--lang` of another language) becomes its translation file: `translation: official`,
`translated_from` stamped with the original as it is, and the received text archived beside
the original's source and named as `source_file`, which the check holds the translation to.
"""

from __future__ import annotations

import datetime as dt
import io
import json
import zipfile
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import Any

from kpbrief.authoring.importer.guesses import (
    HEAD_BLOCKS,
    guess_date,
    guess_kind,
    guess_known_place,
    guess_place,
    guess_title,
    letterhead,
    line_of,
    slug,
    unquote,
)
from kpbrief.authoring.importer.received import (
    MAX_RECEIVED_BYTES,
    READERS,
    TEXT_SUFFIXES,
    Cleaner,
    ImportRefused,
    block_text,
    inline_text,
    markdown_of,
    pandoc_tree,
)
from kpbrief.confine import OutsideBook, ensure_inside
from kpbrief.content.faithful import body_digest
from kpbrief.content.load import load_content
from kpbrief.content.model import Content, Statement
from kpbrief.content.reader import ID_RE, LANG_RE, fold_newlines
from kpbrief.content.statements import STATEMENT_KINDS
from kpbrief.folder import KINDS, BookFolder

MAX_UNPACKED_BYTES = 100 * 1024 * 1024  # a .docx or .odt, unpacked


@dataclass(frozen=True)
class Review:
    """Something the importer guessed or changed: a line of the new file to look at."""

    line: int  # 1-based, in the statement file
    message: str


@dataclass
class Imported:
    statement: Path
    sources: list[Path]
    reviews: list[Review] = field(default_factory=list)


def _yaml_text(value: str) -> str:
    return json.dumps(value, ensure_ascii=False)


@dataclass(frozen=True)
class Received:
    """The file as received, read and checked: its bytes, and pandoc's tree of it."""

    path: Path
    suffix: str
    data: bytes
    tree: dict[str, Any]

    @property
    def as_text(self) -> bool:
        return self.suffix in TEXT_SUFFIXES

    @property
    def archive(self) -> tuple[str, str]:
        """The text kept under content/sources/ for the check to read, and its suffix.

        The check reads Markdown or plain text only: for other formats pandoc's Markdown
        rendering of the received file, unchanged by the cleaning, stands for it."""
        if self.as_text:
            text = fold_newlines(self.data.decode("utf-8-sig"))
            return text, ".txt" if self.suffix == ".txt" else ".md"
        return markdown_of(self.tree), ".md"


@dataclass(frozen=True)
class Field:
    """A front-matter field the importer filled in, and why (its REVIEW comment)."""

    name: str
    value: str  # as YAML
    review: str
    under_source: bool = False  # written under `source:`


def import_statement(
    received: Path, root: Path, lang: str | None = None, statement_id: str | None = None
) -> Imported:
    """Write content/statements/<id>.<lang>.md and its archived source; raise ImportRefused
    (nothing written) when the file cannot be imported. With the id of a statement the book
    has, in another language than its original's: that statement's translation."""
    _check_arguments(received, lang, statement_id)
    content = load_content(root)
    book = content.book
    if book is None:
        raise ImportRefused(
            f"{root} has no readable content/book.yaml: is it a book folder? "
            "Run 'kpbrief check' there, or name one with --source DIR"
        )
    lang = lang or book.default_lang
    if lang.split("_")[0] not in {known.split("_")[0] for known in book.languages}:
        raise ImportRefused(
            f"the book has no language '{lang}' (content/book.yaml lists "
            f"{', '.join(book.languages)}): add it under languages: there first, or name one of "
            "those with --lang; nothing was written"
        )
    existing = content.statements.get(statement_id or "")
    if existing is not None:
        return _import_translation(received, root, content, existing, lang)
    source = _read_received(received)
    archive_text, archive_suffix = source.archive
    archive_lines = archive_text.split("\n")
    cleaner = Cleaner()
    blocks: list[dict[str, Any]] = cleaner.clean(source.tree["blocks"])

    title, title_line, blocks = _take_title(source.tree, blocks, lang, content, archive_lines)
    date = guess_date(archive_text, lang)
    if statement_id is None:
        name_slug = slug(title) or slug(received.stem) or "imported-statement"
        statement_id = f"{date[0]}-{name_slug}" if date else name_slug
    folder = BookFolder(root)
    target = folder.kind_dir("statement") / KINDS["statement"].file_name(statement_id, lang)
    to_write, archive, original = _archives(
        source, target, folder.sources / statement_id, archive_text, archive_suffix
    )
    rel_archive = archive.relative_to(folder.content).as_posix()

    def found(line: int | None, written: str = "") -> str:
        where = f"line {line} of content/{rel_archive}" if line else f"content/{rel_archive}"
        return f"guessed from {where}" + (f" (“{written[:50]}”)" if written else "")

    body = _body(source, blocks, cleaner, lang, content)
    head_texts = [title] + [block_text(b) for b in blocks[: HEAD_BLOCKS // 2]]
    place, place_note = _place(head_texts, lang, content, archive_lines, found)
    fields = _fields(title, title_line, date, guess_kind(head_texts), archive_lines, content, found)
    if place:
        fields.insert(3, Field("place", _yaml_text(place), place_note))
    if source.as_text:
        file_comment = "the text as received, kept unedited"
    else:
        file_comment = (
            f"pandoc's Markdown of {original.relative_to(folder.content).as_posix()}, "
            "the file as received"
        )
    also = (
        f"# Also possible: {'' if place else 'place, '}event, speakers, contacts, mentions, "
        "credits, date_note, source url, note and omit (see docs/content-format.md)."
    )
    text, reviews = _statement_file(
        f"from {received.name}",
        fields,
        [f"  file: {rel_archive}  # {file_comment}", also],
        body,
        cleaner,
    )
    _write_new(to_write, target, text)
    return Imported(target, list(to_write), reviews)


def _import_translation(
    received: Path, root: Path, content: Content, statement: Statement, lang: str
) -> Imported:
    """A translation received for a statement of the book: content/statements/<id>.<lang>.md
    with `translation:`, its received text archived beside the original's source and named as
    its `source_file`, which the check holds it to."""
    original_text = statement.original
    if lang == original_text.lang:
        raise ImportRefused(
            f"statement '{statement.id}' has its original in '{lang}' already "
            f"({original_text.origin.path}): to import a translation of it, name the "
            "translation's language with --lang; for a new statement, give another --id"
        )
    if lang in statement.translations:
        raise ImportRefused(
            f"statement '{statement.id}' has a '{lang}' translation already "
            f"({statement.translations[lang].origin.path}); nothing was written"
        )
    source = _read_received(received)
    archive_text, archive_suffix = source.archive
    archive_lines = archive_text.split("\n")
    cleaner = Cleaner()
    blocks: list[dict[str, Any]] = cleaner.clean(source.tree["blocks"])
    title, title_line, blocks = _take_title(source.tree, blocks, lang, content, archive_lines)
    folder = BookFolder(root)
    target = folder.kind_dir("statement") / KINDS["statement"].file_name(statement.id, lang)
    # Beside the original's source: sources/<its name>.<lang>.txt
    beside = PurePosixPath(statement.source.file or f"sources/{statement.id}.txt")
    stem = folder.content.joinpath(*beside.parent.parts) / f"{beside.stem}.{lang}"
    to_write, archive, original = _archives(source, target, stem, archive_text, archive_suffix)
    rel_archive = archive.relative_to(folder.content).as_posix()
    rel_original = original_text.origin.path
    rel_target = target.relative_to(root).as_posix()

    def found(line: int | None, written: str = "") -> str:
        where = f"line {line} of content/{rel_archive}" if line else f"content/{rel_archive}"
        return f"guessed from {where}" + (f" (“{written[:50]}”)" if written else "")

    body = _body(source, blocks, cleaner, lang, content, rel_original)
    head_texts = [title] + [block_text(b) for b in blocks[: HEAD_BLOCKS // 2]]
    place, place_note = _place(head_texts, lang, content, archive_lines, found)
    fields = [
        _title_field(title, title_line, found),
        Field(
            "translation",
            "official",
            "received as a translation, so its publisher's; write unofficial if the book's "
            "editors made it",
        ),
        Field(
            "translated_from",
            body_digest(original_text.body),
            f"the version of {rel_original} of today; if the translation renders an older "
            f"one, bring it up to date, then run 'kpbrief i18n stamp {rel_target}'",
        ),
    ]
    if place:
        fields.append(Field("place", _yaml_text(place), place_note))
    text, reviews = _statement_file(
        f"from {received.name}, as the '{lang}' translation of {rel_original}",
        fields,
        [
            f"source_file: {rel_archive}  # "
            + (
                "the translation as received, kept unedited"
                if source.as_text
                else f"pandoc's Markdown of {original.relative_to(folder.content).as_posix()}, "
                "the translation as received"
            ),
            f"# Also possible: {'' if place else 'place, '}event, date_note (see "
            "docs/content-format.md); the other fields are the original's.",
        ],
        body,
        cleaner,
    )
    _write_new(to_write, target, text)
    return Imported(target, list(to_write), reviews)


def _archives(
    source: Received, target: Path, stem: Path, archive_text: str, archive_suffix: str
) -> tuple[dict[Path, bytes], Path, Path]:
    """What to write under content/sources/ (the text the check reads, and the received file
    when that is not it), the first of them and the received file's name; refused when the
    statement or any of them exists."""
    archive = stem.with_name(stem.name + archive_suffix)
    original = stem.with_name(stem.name + source.suffix)
    to_write = {archive: source.data} if source.as_text else {archive: archive_text.encode()}
    if not source.as_text:
        to_write[original] = source.data
    for path in (target, *to_write):
        if path.exists():
            raise ImportRefused(f"{path} exists already; nothing was written")
    return to_write, archive, original


def _body(
    source: Received,
    blocks: list[dict[str, Any]],
    cleaner: Cleaner,
    lang: str,
    content: Content,
    omit_in: str = "",
) -> str:
    """The statement's Markdown; the cleaner's notes gain what the body holds that a reviewer
    should look at (a table pandoc could not write, a letterhead's lines)."""
    body = markdown_of({**source.tree, "blocks": blocks}) if blocks else "\n"
    if "[TABLE]" in body:
        cleaner.notes.append(
            ("[TABLE]", "a table pandoc could not write as Markdown stands as [TABLE]")
        )
    cleaner.notes.extend(letterhead(blocks, lang, _org_names(content), omit_in))
    return body


def _check_arguments(received: Path, lang: str | None, statement_id: str | None) -> None:
    if received.suffix.lower() not in READERS:
        raise ImportRefused(
            f"cannot import '{received.name}': the importer reads "
            f"{', '.join(sorted(READERS))} files",
            code=2,
        )
    if statement_id is not None and not ID_RE.match(statement_id):
        raise ImportRefused(
            f"'{statement_id}' is not an id: use lowercase ASCII words joined by hyphens", code=2
        )
    if lang is not None and not LANG_RE.match(lang):
        raise ImportRefused(f"'{lang}' is not a language code (like en, fr, pt)", code=2)


def _read_received(received: Path) -> Received:
    """The received file read, within the importer's size limit, and parsed by pandoc."""
    suffix = received.suffix.lower()
    try:
        if not received.is_file():
            raise ImportRefused(f"{received} is not a file")
        size = received.stat().st_size
        if size > MAX_RECEIVED_BYTES:
            raise ImportRefused(
                f"{received} is {size // (1024 * 1024)} MiB, over the importer's limit of "
                f"{MAX_RECEIVED_BYTES // (1024 * 1024)} MiB"
            )
        data = received.read_bytes()
    except OSError as failure:
        raise ImportRefused(f"cannot read {received}: {failure.strerror or failure}") from None
    if suffix in TEXT_SUFFIXES:
        try:
            data.decode("utf-8-sig")
        except UnicodeDecodeError as exc:
            line = data[: exc.start].count(b"\n") + 1
            raise ImportRefused(
                f"{received} is not UTF-8 (byte 0x{data[exc.start]:02x} on line {line}): "
                "save it as UTF-8 and import it again"
            ) from None
    if suffix in (".docx", ".odt"):
        _refuse_zip_bomb(received, data)
    return Received(received, suffix, data, pandoc_tree(data, suffix))


def _refuse_zip_bomb(received: Path, data: bytes) -> None:
    """A .docx or .odt is a zip archive: refuse one that says it unpacks to more than a
    statement could hold, before pandoc unpacks it (pandoc's memory ceiling catches an
    archive that lies about its sizes)."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            unpacked = sum(member.file_size for member in archive.infolist())
    except (zipfile.BadZipFile, OSError, ValueError):
        raise ImportRefused(
            f"{received} is not a readable {received.suffix} file (it is no zip archive); "
            "save it again from the word processor"
        ) from None
    if unpacked > MAX_UNPACKED_BYTES:
        raise ImportRefused(
            f"{received} unpacks to {unpacked // (1024 * 1024):,} MiB, over the importer's "
            f"limit of {MAX_UNPACKED_BYTES // (1024 * 1024)} MiB (a damaged or hostile file?)"
        )


def _place(
    head_texts: list[str],
    lang: str,
    content: Content,
    archive_lines: list[str],
    found: Callable[..., str],
) -> tuple[str | None, str]:
    """The place the head of the text names, and its REVIEW note."""
    place = guess_place(head_texts, lang)
    if place:
        return place, found(line_of(archive_lines, place))
    known = guess_known_place(head_texts, _known_places(content, lang))
    if known is None:
        return None, ""
    place, city = known
    return place, (
        f"the text names {city} ({found(line_of(archive_lines, city))}); written as the "
        "book writes that place elsewhere"
    )


def _known_places(content: Content, lang: str) -> list[str]:
    """The places the book names already, in `lang` where it has them."""
    places = [
        text.place
        for statement in content.statements.values()
        for text in (statement.original, *statement.translations.values())
        if text.place and text.lang == lang
    ]
    assert content.book is not None
    default = content.book.default_lang
    places += [e.place.get(lang, default) for e in content.events.values() if e.place]
    return [p for p in places if p]


def _org_names(content: Content) -> list[str]:
    return [
        name
        for org in content.organisations.values()
        for name in (
            *org.name.values.values(),
            *(org.acronym.values.values() if org.acronym else ()),
        )
        if name
    ]


def _take_title(
    tree: dict[str, Any],
    blocks: list[dict[str, Any]],
    lang: str,
    content: Content,
    archive_lines: list[str],
) -> tuple[str, int | None, list[dict[str, Any]]]:
    """The title, the line of the archived text it was found on (None: not a block of the
    text), and the blocks without it. A block of the text moves to the front matter; else
    the document's own title stands, else the first words."""
    index = guess_title(blocks, lang, _org_names(content))
    if index is not None:
        title = unquote(block_text(blocks[index]))
        return title, line_of(archive_lines, title) or 0, blocks[:index] + blocks[index + 1 :]
    title = " ".join(inline_text(tree.get("meta", {}).get("title", {})).split())
    if not title:
        first_words = " ".join(block_text(b) for b in blocks[:3]).split()
        title = " ".join(first_words[:10]) + "…"
    return title, None, blocks


def _title_field(title: str, title_line: int | None, found: Callable[..., str]) -> Field:
    if title_line is not None:
        return Field("title", _yaml_text(title), found(title_line or None))
    if title.endswith("…"):
        return Field("title", _yaml_text(title), "no title found: the first words stand in")
    return Field("title", _yaml_text(title), "the received file's document title")


def _fields(
    title: str,
    title_line: int | None,
    date: tuple[str, int, str] | None,
    kind: tuple[str, str] | None,
    archive_lines: list[str],
    content: Content,
    found: Callable[..., str],
) -> list[Field]:
    """Every field the importer fills in, with the REVIEW note saying where it came from."""
    assert content.book is not None
    fields: list[Field] = [_title_field(title, title_line, found)]
    if date:
        fields.append(Field("date", date[0], found(date[1], date[2])))
    else:
        fields.append(
            Field(
                "date",
                "YYYY-MM-DD",
                "no date found in the text: write it as YYYY-MM-DD, or YYYY-MM or YYYY, "
                "and add a date_note saying how it is known",
            )
        )
    if kind:
        fields.append(Field("kind", kind[0], found(line_of(archive_lines, kind[1]), kind[1])))
    else:
        fields.append(
            Field(
                "kind",
                "press-release",
                f"not named in the text; one of {', '.join(STATEMENT_KINDS)}",
            )
        )
    fields.append(
        Field(
            "issues",
            f"[{next(iter(sorted(content.issues)), 'ISSUE-ID')}]",
            "not in the text: the book's first issue; list the issues it is about",
        )
    )
    fields.append(
        Field(
            "publisher",
            _yaml_text(content.book.publisher),
            "not in the text: the book's publisher; an organisation id or a name",
            under_source=True,
        )
    )
    return fields


def _statement_file(
    imported_from: str,
    fields: list[Field],
    more: list[str],
    body: str,
    cleaner: Cleaner,
) -> tuple[str, list[Review]]:
    """The new statement file's text: front matter with a REVIEW comment on every field
    filled in and every change made, then the body; and the reviews, by line."""
    header = [
        f"# Imported by 'kpbrief import' {imported_from} on {dt.date.today()}.",
        "# Check each line marked REVIEW against the received text, then delete its comment.",
    ]
    reviews: list[Review] = []
    for item in fields:
        if item.under_source:
            header.append("source:")
        indent = "  " if item.under_source else ""
        header.append(f"{indent}{item.name}: {item.value}  # REVIEW: {item.review}")
        reviews.append(Review(len(header) + 1, f"{item.name}: {item.review}"))
    header.extend(more)
    body_line = len(header) + len(cleaner.notes) + 3  # ---, header, notes, --- then the body
    body_lines = body.split("\n")
    for words, note in cleaner.notes:
        where = line_of(body_lines, words) if words else None
        line = body_line + where - 1 if where else body_line
        header.append(f"# REVIEW (line {line}): {note}")
        reviews.append(Review(len(header) + 1, f"line {line}: {note}"))
    return "---\n" + "\n".join(header) + "\n---\n" + body, reviews


def _write_new(to_write: dict[Path, bytes], target: Path, text: str) -> None:
    """The archived files, then the statement; none overwritten, none left on a failure."""
    written: list[Path] = []
    root = target.parent.parent.parent  # <book>/content/statements/<file>
    for path in (*to_write, target):
        try:
            ensure_inside(root, path)
        except OutsideBook as outside:
            raise ImportRefused(str(outside)) from None
    try:
        for path, payload in to_write.items():
            path.parent.mkdir(parents=True, exist_ok=True)
            with path.open("xb") as handle:
                handle.write(payload)
            written.append(path)
        target.parent.mkdir(parents=True, exist_ok=True)
        with target.open("x", encoding="utf-8", newline="\n") as statement_file:
            statement_file.write(text)
    except OSError as failure:
        for path in written:
            path.unlink(missing_ok=True)
        raise ImportRefused(f"cannot write {failure.filename}: {failure.strerror}") from None
