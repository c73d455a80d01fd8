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
named instead.
"""

from __future__ import annotations

import datetime as dt
import json
import re
import tempfile
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from kpbrief.content.faithful import normalise
from kpbrief.content.load import ID_RE, LANG_RE, STATEMENT_KINDS, load_content

# Extensions the importer reads, and the pandoc reader for each.
READERS = {
    ".txt": "commonmark+footnotes+pipe_tables",
    ".md": "commonmark+footnotes+pipe_tables",
    ".markdown": "commonmark+footnotes+pipe_tables",
    ".docx": "docx",
    ".odt": "odt",
    ".html": "html",
    ".htm": "html",
}
TEXT_SUFFIXES = (".txt", ".md", ".markdown")
# CommonMark with what kpbrief's Markdown reads (footnotes, pipe tables), never raw HTML.
WRITER = "commonmark+footnotes+pipe_tables-raw_html"
PANDOC_ARGS = ["--sandbox", "--wrap=preserve"]
MAX_RECEIVED_BYTES = 20 * 1024 * 1024
ALLOWED_SCHEMES = ("http://", "https://", "mailto:")

# A short line of a plain-text file; a longer one ending a sentence ends its paragraph.
SHORT_LINE = 60
TITLE_MAX = 200
BODY_START = 200  # a paragraph this long starts the text proper: titles come before
HEAD_BLOCKS = 12  # how far into the text titles, kinds and places are looked for

_SENTENCE_END = re.compile(r"[.!?:;…][\"”’»)\]*_]*$")
_BULLET_LINE = re.compile(r"^[ \t]*[•◦▪‣·][ \t]*(?P<item>\S.*)$")
_QUOTES_OPEN = "“\"«‘'„"
_QUOTES_CLOSE = "”\"»’'“"
_BOILERPLATE = (
    "press release",
    "for immediate release",
    "more information",
    "communiqué de presse",
    "pour diffusion immédiate",
    "pour publication immédiate",
)
# Words that name a statement's kind, in the order they are looked for.
_KIND_WORDS = (
    ("closing-remarks", ("closing remarks", "remarques de clôture", "allocution de clôture")),
    ("joint-statement", ("joint statement", "déclaration commune", "déclaration conjointe")),
    ("press-release", ("press release", "press statement", "media release", "communiqué")),
    ("letter", ("open letter", "lettre ouverte", "dear ")),
    ("speech", ("speech", "discours", "opening remarks", "remarks")),
)
_STOPWORDS = frozenset(
    ("a", "an", "and", "at", "by", "for", "from", "in", "of", "on", "the", "to", "with")
    + ("au", "aux", "d", "de", "des", "du", "en", "et", "l", "la", "le", "les", "un", "une")
)


class ImportRefused(Exception):
    """Nothing was written; `code` is the exit code (1 a problem, 2 a usage error)."""

    def __init__(self, message: str, code: int = 1) -> None:
        super().__init__(message)
        self.code = code


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


# -- plain text ------------------------------------------------------------------------


def plain_to_markdown(text: str) -> str:
    """A plain-text statement as Markdown, its words untouched.

    Paragraphs are separated by blank lines. Inside one, a line that ends a sentence and is
    not short ends a paragraph too (e-mails often separate paragraphs by a single line
    break); another short line keeps its line break (letterheads, signatures); a long line
    that stops mid-sentence was wrapped and joins the next. Lines starting with a bullet
    (•) become Markdown list items. Leading spaces go (they would make code blocks).
    """
    out: list[str] = []
    for block in re.split(r"\n[ \t]*\n", text.replace("\r\n", "\n").replace("\r", "\n")):
        lines = [line.rstrip() for line in block.split("\n") if line.strip()]
        if not lines:
            continue
        parts: list[str] = []
        for index, line in enumerate(lines):
            bullet = _BULLET_LINE.match(line)
            current = f"- {bullet['item']}" if bullet else line.strip()
            parts.append(current)
            if index == len(lines) - 1:
                break
            following = lines[index + 1]
            if bullet or _BULLET_LINE.match(following) or current.startswith("#"):
                parts.append("\n")
            elif _SENTENCE_END.search(current) and len(current) >= SHORT_LINE:
                parts.append("\n\n")
            elif len(current) < SHORT_LINE and not current.endswith("\\"):
                parts.append("\\\n")
            else:
                parts.append("\n")
        out.append("".join(parts))
    return "\n\n".join(out) + "\n"


# -- pandoc's document tree ------------------------------------------------------------


def _inline_text(node: Any) -> str:
    """The words of a part of pandoc's tree, without its notes, images and raw code."""
    if isinstance(node, list):
        return "".join(_inline_text(item) for item in node)
    if not isinstance(node, dict):
        return ""
    kind = node.get("t")
    content: Any = node.get("c")
    if kind == "Str":
        return str(content)
    if kind in ("Space", "SoftBreak", "LineBreak"):
        return " "
    if kind in ("Code", "Math"):
        return str(content[1])
    if kind in ("Note", "Image", "RawInline", "RawBlock"):
        return ""
    if kind == "Quoted":
        marks = ("“", "”") if content[0].get("t") == "DoubleQuote" else ("‘", "’")
        return marks[0] + _inline_text(content[1]) + marks[1]
    if kind in ("Link", "Span", "Cite"):
        return _inline_text(content[1])
    return _inline_text(content)


def _block_text(block: dict[str, Any]) -> str:
    kind = block.get("t")
    if kind == "Header":
        return " ".join(_inline_text(block["c"][2]).split())
    if kind in ("Para", "Plain"):
        return " ".join(_inline_text(block["c"]).split())
    return " ".join(_inline_text(block.get("c")).split())


def _one_line(block: dict[str, Any]) -> bool:
    if block.get("t") == "Header":
        return True
    if block.get("t") not in ("Para", "Plain"):
        return False
    return not _has_break(block["c"])


def _has_break(node: Any) -> bool:
    if isinstance(node, list):
        return any(_has_break(item) for item in node)
    if not isinstance(node, dict) or node.get("t") == "Note":
        return False
    return node.get("t") in ("SoftBreak", "LineBreak") or _has_break(node.get("c"))


class _Cleaner:
    """Takes out of pandoc's tree what a content file may not hold, noting each."""

    def __init__(self) -> None:
        self.notes: list[tuple[str, str]] = []  # (words to find in the body, note)

    def clean(self, node: Any) -> Any:
        if isinstance(node, list):
            out: list[Any] = []
            for item in node:
                out.extend(self.item(item))
            return out
        if isinstance(node, dict):
            return {key: self.clean(value) for key, value in node.items()}
        return node

    def item(self, node: Any) -> list[Any]:
        if not isinstance(node, dict):
            return [self.clean(node)]
        kind = node.get("t")
        if kind == "Link":
            attr, inlines, (url, title) = node["c"]
            words = " ".join(_inline_text(inlines).split())
            target = str(url).strip()
            if target in ("", "#") or target.startswith("#"):
                what = "an empty target" if target in ("", "#") else f"a target in the file ({url})"
                self.notes.append(
                    (words, f"the link “{words}” had {what}; it stands as plain text")
                )
                return list(self.clean(inlines))
            if not target.startswith(ALLOWED_SCHEMES):
                self.notes.append(
                    (
                        words,
                        f"the link “{words}” pointed to '{target[:60]}', which the book does "
                        "not allow; it stands as plain text",
                    )
                )
                return list(self.clean(inlines))
            return [{"t": "Link", "c": [attr, self.clean(inlines), [url, title]]}]
        if kind == "Image":
            _attr, alt, (src, _title) = node["c"]
            self.notes.append(
                (
                    "",
                    f"an image ({str(src)[:60]}) was left out: if it belongs to the statement, "
                    "put it under content/media/ and refer to it as media/<file name>",
                )
            )
            return []
        if kind in ("RawInline", "RawBlock"):
            raw = " ".join(str(node["c"][1]).split())
            if raw:
                self.notes.append(("", f"raw {node['c'][0]} ({raw[:40]}) was left out"))
            return []
        return [self.clean(node)]


def _pandoc_tree(data: bytes, suffix: str) -> dict[str, Any]:
    import pypandoc

    reader = READERS[suffix]
    try:
        if suffix in TEXT_SUFFIXES:
            text = data.decode("utf-8-sig").replace("\r\n", "\n").replace("\r", "\n")
            if suffix == ".txt":
                text = plain_to_markdown(text)
            out = pypandoc.convert_text(text, "json", format=reader, extra_args=PANDOC_ARGS)
        else:
            with tempfile.TemporaryDirectory() as work:
                received = Path(work) / f"received{suffix}"
                received.write_bytes(data)
                out = pypandoc.convert_file(
                    str(received),
                    "json",
                    format=reader,
                    extra_args=PANDOC_ARGS,
                    cworkdir=work,
                )
    except RuntimeError as failure:
        message = " ".join(str(failure).split())[:300]
        raise ImportRefused(f"pandoc cannot read the file as {reader}: {message}") from failure
    tree: dict[str, Any] = json.loads(out)
    return tree


def _markdown(tree: dict[str, Any]) -> str:
    import pypandoc

    text: str = pypandoc.convert_text(
        json.dumps(tree), WRITER, format="json", extra_args=PANDOC_ARGS
    )
    return text.replace("\r\n", "\n").strip("\n") + "\n"


# -- guesses ---------------------------------------------------------------------------


def _months(lang: str) -> dict[str, int]:
    from babel import Locale, UnknownLocaleError

    names: dict[str, int] = {}
    for code in dict.fromkeys(("en", lang)):
        try:
            locale = Locale.parse(code)
        except (UnknownLocaleError, ValueError):
            continue
        for context in ("format", "stand-alone"):
            for number, name in locale.months[context]["wide"].items():
                names[str(name).lower()] = int(number)
    return names


def _date_patterns(lang: str) -> tuple[dict[str, int], list[re.Pattern[str]]]:
    months = _months(lang)
    names = "|".join(re.escape(n) for n in sorted(months, key=len, reverse=True))
    flags = re.IGNORECASE
    return months, [
        re.compile(r"(?<!\d)(?P<y>\d{4})-(?P<m>\d{2})-(?P<d>\d{2})(?!\d)"),
        re.compile(
            rf"(?<!\d)(?P<d>\d{{1,2}})(?:st|nd|rd|th|er|e)?\.?\s+(?P<mn>{names})\.?,?\s+"
            r"(?P<y>\d{4})(?!\d)",
            flags,
        ),
        re.compile(
            rf"\b(?P<mn>{names})\.?\s+(?P<d>\d{{1,2}})(?:st|nd|rd|th)?,?\s+(?P<y>\d{{4}})(?!\d)",
            flags,
        ),
        re.compile(rf"\b(?P<mn>{names}),?\s+(?P<y>\d{{4}})(?!\d)", flags),
    ]


def guess_date(text: str, lang: str) -> tuple[str, int, str] | None:
    """The first date the text names: (YYYY-MM-DD or YYYY-MM, line, as written)."""
    months, patterns = _date_patterns(lang)
    found: list[tuple[int, int, str, str]] = []
    impossible: list[tuple[int, int]] = []  # "31 February 2020" is not "February 2020"
    for pattern in patterns:  # the most precise first
        for match in pattern.finditer(text):
            if any(start <= match.start() < end for start, end in impossible):
                continue
            parts = match.groupdict()
            year = int(parts["y"])
            month = months[parts["mn"].lower()] if parts.get("mn") else int(parts["m"])
            day = int(parts["d"]) if parts.get("d") else None
            try:
                dt.date(year, month, day or 1)
            except ValueError:
                impossible.append(match.span())
                continue
            iso = f"{year:04d}-{month:02d}" + (f"-{day:02d}" if day else "")
            found.append((match.start(), -len(match[0]), iso, " ".join(match[0].split())))
    if not found:
        return None
    start, _length, iso, written = min(found)
    return iso, text.count("\n", 0, start) + 1, written


def _countries(lang: str) -> list[str]:
    from babel import Locale, UnknownLocaleError

    names: set[str] = set()
    for code in dict.fromkeys(("en", lang)):
        try:
            territories = Locale.parse(code).territories
        except (UnknownLocaleError, ValueError):
            continue
        names.update(str(n) for c, n in territories.items() if len(c) == 2 and c.isalpha())
    return sorted(names, key=len, reverse=True)


def guess_place(texts: Iterable[str], lang: str) -> str | None:
    """'City, Country' where the first lines name one, with a country Babel knows."""
    countries = "|".join(re.escape(name) for name in _countries(lang))
    capital = r"[A-ZÀ-ÖØ-Þ][\w'’.-]*"
    pattern = re.compile(rf"\b({capital}(?:\s+{capital}){{0,2}}),\s+({countries})(?![\w-])")
    for text in texts:
        match = pattern.search(text)
        if match:
            return f"{match[1]}, {match[2]}"
    return None


def guess_kind(texts: Iterable[str]) -> tuple[str, str] | None:
    for text in texts:
        low = text.lower()
        for kind, words in _KIND_WORDS:
            for word in words:
                if word in low:
                    return kind, text
    return None


def _unquote(text: str) -> str:
    text = text.strip()
    while len(text) > 2 and text[0] in _QUOTES_OPEN and text[-1] in _QUOTES_CLOSE:
        text = text[1:-1].strip(" \u00a0\u202f")
    return text


def guess_title(
    blocks: list[dict[str, Any]], lang: str, not_titles: Iterable[str] = ()
) -> int | None:
    """Index of the block that is most likely the title: the first heading before the text
    proper, else a line standing in quotation marks, else the first short line that is not
    a date, a release line or the name of an organisation."""
    excluded = {normalise(name).lower() for name in not_titles}
    _months_, date_patterns = _date_patterns(lang)
    candidates: list[int] = []
    for index, block in enumerate(blocks[:HEAD_BLOCKS]):
        text = _block_text(block)
        if block.get("t") == "Para" and len(text) >= BODY_START:
            break
        if not _one_line(block) or not text or len(text) > TITLE_MAX:
            continue
        if block.get("t") == "Header":
            return index
        low = text.lower()
        if len(text.split()) < 4 or any(word in low for word in _BOILERPLATE):
            continue
        if len(text) < 40 and any(p.search(text) for p in date_patterns):
            continue
        if normalise(text).lower() in excluded:
            continue
        candidates.append(index)
    for index in candidates:
        text = _block_text(blocks[index])
        if text[0] in _QUOTES_OPEN and text[-1] in _QUOTES_CLOSE:
            return index
    return candidates[0] if candidates else None


def slug(text: str, words: int = 5) -> str:
    """Lowercase ASCII words joined by hyphens; small words and numbers (the id starts with
    the date already) left out."""
    text = re.sub(r"['’‘`]", " ", text)  # l’excès: two words
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    parts = [w for w in re.split(r"[^a-z0-9]+", ascii_text.lower()) if w]
    kept = [w for w in parts if w not in _STOPWORDS and not w.isdigit()] or parts
    return "-".join(kept[:words])


def _line_of(lines: list[str], words: str) -> int | None:
    """The first line (1-based) holding the start of these words."""
    needle = normalise(words).lower()[:30]
    if not needle:
        return None
    for number, line in enumerate(lines, start=1):
        if needle in normalise(line.replace("\\", "").replace("*", "")).lower():
            return number
    return None


def _yaml_text(value: str) -> str:
    return json.dumps(value, ensure_ascii=False)


# -- the import ------------------------------------------------------------------------


def import_statement(
    received: Path, root: Path, lang: str | None = None, statement_id: str | None = None
) -> Imported:
    """Write content/statements/<id>.<lang>.md and its archived source; raise ImportRefused
    (nothing written) when the file cannot be imported."""
    suffix = received.suffix.lower()
    if suffix not in READERS:
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
    content = load_content(root)
    book = content.book
    if book is None:
        raise ImportRefused(
            f"{root} has no readable content/book.yaml: is it a book folder? "
            "Run 'kpbrief check' there, or name one with --source DIR"
        )
    lang = lang or book.default_lang
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

    tree = _pandoc_tree(data, suffix)
    if suffix in TEXT_SUFFIXES:
        archive_text = data.decode("utf-8-sig").replace("\r\n", "\n").replace("\r", "\n")
        archive_suffix = ".txt" if suffix == ".txt" else ".md"
    else:
        # The check reads Markdown or plain text only: pandoc's Markdown rendering of the
        # received file, unchanged by the cleaning below, stands for it.
        archive_text = _markdown(tree)
        archive_suffix = ".md"
    archive_lines = archive_text.split("\n")

    cleaner = _Cleaner()
    blocks: list[dict[str, Any]] = cleaner.clean(tree["blocks"])

    # Where the received words are: the archived file, whose lines the REVIEW notes name.
    statements_dir = root / "content" / "statements"
    sources_dir = root / "content" / "sources"

    # Title: a block of the text, moved to the front matter; else the document's own title.
    org_names = [
        name
        for org in content.organisations.values()
        for name in (*org.name.values.values(), org.acronym or "")
        if name
    ]
    title_index = guess_title(blocks, lang, org_names)
    title_line: int | None = None
    if title_index is not None:
        title = _unquote(_block_text(blocks[title_index]))
        title_line = _line_of(archive_lines, title)
        del blocks[title_index]
    else:
        title = " ".join(_inline_text(tree.get("meta", {}).get("title", {})).split())
        if not title:
            first_words = " ".join(_block_text(b) for b in blocks[:3]).split()
            title = " ".join(first_words[:10]) + "…"
    date = guess_date(archive_text, lang)
    head_texts = [title] + [_block_text(b) for b in blocks[: HEAD_BLOCKS // 2]]
    place = guess_place(head_texts, lang)
    kind = guess_kind(head_texts)

    if statement_id is None:
        name_slug = slug(title) or slug(received.stem) or "imported-statement"
        statement_id = f"{date[0]}-{name_slug}" if date else name_slug
    target = statements_dir / f"{statement_id}.{lang}.md"
    archive = sources_dir / f"{statement_id}{archive_suffix}"
    original = sources_dir / f"{statement_id}{suffix}"
    to_write: dict[Path, bytes] = {archive: archive_text.encode("utf-8")}
    if suffix in TEXT_SUFFIXES:
        to_write = {archive: data}
    else:
        to_write[original] = data
    for path in (target, *to_write):
        if path.exists():
            raise ImportRefused(f"{path} exists already; nothing was written")
    rel_archive = archive.relative_to(root / "content").as_posix()

    def found(line: int | None, written: str = "") -> str:
        where = f"line {line} of content/{rel_archive}" if line else f"content/{rel_archive}"
        return f"guessed from {where}" + (f" (“{written[:50]}”)" if written else "")

    body = _markdown({**tree, "blocks": blocks}) if blocks else "\n"
    if "[TABLE]" in body:
        cleaner.notes.append(
            ("[TABLE]", "a table pandoc could not write as Markdown stands as [TABLE]")
        )

    # The front matter: a REVIEW comment on every field the importer filled in.
    fields: list[tuple[str, str, str]] = []  # (field, value as YAML, review)
    if title_index is not None:
        fields.append(("title", _yaml_text(title), found(title_line)))
    elif title.endswith("…"):
        fields.append(("title", _yaml_text(title), "no title found: the first words stand in"))
    else:
        fields.append(("title", _yaml_text(title), "the received file's document title"))
    if date:
        fields.append(("date", date[0], found(date[1], date[2])))
    else:
        fields.append(
            (
                "date",
                "YYYY-MM-DD",
                "no date found in the text: write it as YYYY-MM-DD, or YYYY-MM or YYYY, "
                "and add a date_note saying how it is known",
            )
        )
    if kind:
        fields.append(("kind", kind[0], found(_line_of(archive_lines, kind[1]), kind[1])))
    else:
        fields.append(
            ("kind", "press-release", f"not named in the text; one of {', '.join(STATEMENT_KINDS)}")
        )
    if place:
        fields.append(("place", _yaml_text(place), found(_line_of(archive_lines, place))))
    fields.append(
        (
            "issues",
            f"[{next(iter(sorted(content.issues)), 'ISSUE-ID')}]",
            "not in the text: the book's first issue; list the issues it is about",
        )
    )
    fields.append(
        (
            "  publisher",
            _yaml_text(book.publisher),
            "not in the text: the book's publisher; an organisation id or a name",
        )
    )
    if suffix in TEXT_SUFFIXES:
        file_comment = "the text as received, kept unedited"
    else:
        file_comment = (
            f"pandoc's Markdown of {original.relative_to(root / 'content').as_posix()}, "
            "the file as received"
        )

    header = [
        f"# Imported by 'kpbrief import' from {received.name} on {dt.date.today()}.",
        "# Check each line marked REVIEW against the received text, then delete its comment.",
    ]
    reviews: list[Review] = []
    for name, value, why in fields:
        if name == "  publisher":
            header.append("source:")
        header.append(f"{name}: {value}  # REVIEW: {why}")
        reviews.append(Review(len(header) + 1, f"{name.strip()}: {why}"))
    header.append(f"  file: {rel_archive}  # {file_comment}")
    header.append(
        f"# Also possible: {'' if place else 'place, '}event, speakers, contacts, mentions, "
        "credits, date_note, source url, note and omit (see CONTENT-FORMAT.md)."
    )
    body_line = len(header) + len(cleaner.notes) + 3  # ---, header, notes, --- then the body
    body_lines = body.split("\n")
    for words, note in cleaner.notes:
        where = _line_of(body_lines, words) if words else None
        line = body_line + where - 1 if where else body_line
        header.append(f"# REVIEW (line {line}): {note}")
        reviews.append(Review(len(header) + 1, f"line {line}: {note}"))
    text = "---\n" + "\n".join(header) + "\n---\n" + body

    written: list[Path] = []
    try:
        for path, payload in to_write.items():
            path.parent.mkdir(parents=True, exist_ok=True)
            with path.open("xb") as handle:
                handle.write(payload)
            written.append(path)
        statements_dir.mkdir(parents=True, exist_ok=True)
        with target.open("x", encoding="utf-8", newline="\n") as statement_file:
            statement_file.write(text)
    except OSError as failure:
        for path in written:
            path.unlink(missing_ok=True)
        raise ImportRefused(f"cannot write {failure.filename}: {failure.strerror}") from None
    return Imported(target, list(to_write), reviews)
