"""Privacy: a person who is not public is never printed, in any field, body or picture.

The rule is checked on what is printed: every field of the book that reaches an output
(ids and file names included), every body as rendered (Markdown to plain text: character
references decoded, emphasis dropped), the words inside every picture that is copied, and
the book's own catalogs. Each text is reduced to a skeleton: NFC- and compatibility-
normalised, case, accents, soft hyphens and zero-width characters dropped, every run of
spaces and punctuation one separator (or, in a second skeleton, punctuation dropped). A
private person's name (each of its languages, and its `sort_as`) and e-mail are searched
as skeletons, word for word; a phone by its digits, however they are separated. Each find
is an error at the file and line of the text.
"""

from __future__ import annotations

import html
import re
import unicodedata
from collections.abc import Callable, Iterator
from functools import lru_cache
from pathlib import Path
from urllib.parse import unquote

import phonenumbers

from kpbrief import media as media_files
from kpbrief.confine import inside
from kpbrief.content.markdown import printed_text
from kpbrief.content.model import Content, LocalText, Origin, Person, Problem

# Letters that carry their accent in the letter itself (no decomposition).
_FOLDED = str.maketrans(
    {
        "ø": "o",
        "ł": "l",
        "đ": "d",
        "ħ": "h",
        "ı": "i",
        "æ": "ae",
        "œ": "oe",
        "þ": "th",
        "ð": "d",
        "ŀ": "l",
    }
)


_MARKUP = "*_~`^=+|"  # what Markdown and plain-text emphasis write inside a word
_MARK, _PUNCT = "\x01", "\x02"
# How each way of reading punctuation writes a markup sign and other punctuation.
_MODES = {" ": (" ", " "), "": ("", ""), "*": ("", " ")}


@lru_cache(maxsize=4096)
def _char_skeleton(char: str) -> str:
    """One character as the skeleton writes it: letters and digits, plain and lowercase;
    "" for what is invisible; " " for a space; a mark for emphasis signs and one for
    other punctuation and symbols (each way of reading, `_MODES`, writes them)."""
    if unicodedata.category(char) in ("Cf", "Mn", "Me", "Cc") and char not in "\n\t":
        return ""
    out = []
    for part in unicodedata.normalize("NFKD", char):
        if unicodedata.combining(part) or unicodedata.category(part) == "Cf":
            continue
        for letter in part.casefold().translate(_FOLDED):
            if letter.isalnum():
                out.append(letter)
            elif letter.isspace():
                out.append(" ")
            else:
                out.append(_MARK if letter in _MARKUP else _PUNCT)
    return "".join(out)


def skeleton(text: str, punctuation: str = " ") -> tuple[str, list[int]]:
    """The text's skeleton, framed by separators, and for each of its characters the index
    in `text` it comes from. Punctuation is a separator (" "), dropped (""), or dropped
    only where it is an emphasis sign ("*")."""
    chars: list[str] = [" "]
    where: list[int] = [0]
    for index, char in enumerate(unicodedata.normalize("NFC", text)):
        mark, punct = _MODES[punctuation]
        for piece in _char_skeleton(char):
            piece = mark if piece == _MARK else punct if piece == _PUNCT else piece
            if not piece or (piece == " " and chars[-1] == " "):
                continue
            chars.append(piece)
            where.append(index)
    if chars[-1] != " ":
        chars.append(" ")
        where.append(len(text))
    return "".join(chars), where


@lru_cache(maxsize=512)
def bones(text: str, punctuation: str = " ") -> str:
    """`skeleton(text, punctuation)[0]`, quickly (a translation table of the characters the
    text uses): the form every text is searched in; `skeleton` only places a find."""
    nfc = unicodedata.normalize("NFC", text)
    table = {ord(char): _char_skeleton(char) for char in set(nfc)}
    mark, punct = _MODES[punctuation]
    squeezed = (" " + nfc.translate(table) + " ").replace(_MARK, mark).replace(_PUNCT, punct)
    return re.sub(" {2,}", " ", squeezed)


def _bare(text: str, punctuation: str = " ") -> str:
    return bones(text, punctuation).strip()


Finder = Callable[[str], "int | None"]


def _words_finder(texts: list[str]) -> Finder:
    """Finds any of `texts` (names, an address), word for word, in a text: punctuation read
    as a separator ("O’Neil" is "O Neil"), and again with punctuation dropped ("O'Neil" is
    "ONeil", "Secret_person_" is "Secretperson"), and with only emphasis signs dropped
    ("S*ecret*person’s" is "Secretperson s")."""
    wanted = {mode: sorted({_bare(t, mode) for t in texts} - {""}) for mode in _MODES}

    def find(text: str) -> int | None:
        for mode, words in wanted.items():
            found = bones(text, mode)
            for word in words:
                at = found.find(f" {word} ")
                if at >= 0:
                    return _placed(text, mode, at + 1)
        return None

    return find


def _placed(text: str, punctuation: str, at: int) -> int:
    """Where in `text` the skeleton's character `at` comes from (NFC aside)."""
    where = skeleton(text, punctuation)[1]
    return where[min(at, len(where) - 1)]


def _phone_finder(digits: str) -> Finder:
    def find(text: str) -> int | None:
        for run in re.finditer(r"\d+(?: \d+)*", bones(text)):
            if digits in run[0].replace(" ", ""):
                return _placed(text, " ", run.start())
        return None

    return find


def private_finders(person: Person) -> list[tuple[str, Finder]]:
    """For each detail of a private person: a function giving where a text writes it."""
    names = [
        *person.name.values.values(),
        *(person.sort_as.values.values() if person.sort_as else ()),
    ]
    finders: list[tuple[str, Finder]] = []
    if any(_bare(name) for name in names):
        finders.append(("name", _words_finder(names)))
    if person.email:
        email = person.email.casefold()
        spelled = _words_finder([email])

        def find_email(text: str, email: str = email, spelled: Finder = spelled) -> int | None:
            at = text.casefold().find(email)
            return at if at >= 0 else spelled(text)

        finders.append(("e-mail", find_email))
    digits = _phone_digits(person.phone, person.country)
    if digits:
        finders.append(("phone number", _phone_finder(digits)))
    return finders


def _phone_digits(number: str | None, country: str | None) -> str | None:
    """The digits that identify a phone number however it is written (6 or more), or None."""
    if not number:
        return None
    try:
        digits = str(phonenumbers.parse(number, country).national_number)
    except phonenumbers.NumberParseException:
        digits = re.sub(r"\D", "", number)
    return digits if len(digits) >= 6 else None


# -- what the book prints --------------------------------------------------------------------


def printed(content: Content) -> Iterator[tuple[Origin, str]]:
    """Every text of the book that may reach an output, with the place it was written."""

    def local(origin: Origin, text: LocalText | None) -> Iterator[tuple[Origin, str]]:
        for value in text.values.values() if text else ():
            yield origin, value

    def body(path: str, first_line: int, text: str) -> Iterator[tuple[Origin, str]]:
        for line, words in printed_text(text):
            yield Origin(path, first_line + line - 1), words

    book = content.book
    if book is not None:
        at = book.origin.at
        yield at(book.lines, "id"), book.id
        yield at(book.lines, "publisher"), book.publisher
        for key, value in (
            ("title", book.title),
            ("subtitle", book.subtitle),
            ("description", book.description),
        ):
            yield from local(at(book.lines, key), value)
        colophon = book.colophon
        if colophon is not None:
            for value in (colophon.licence, colophon.citation, colophon.disclaimer):
                yield from local(at(book.lines, "colophon"), value)
    for statement in content.statements.values():
        line = statement.original.line_of
        yield Origin(statement.original.origin.path), statement.id
        for credit in statement.credits:
            yield line("credits"), credit
        source = statement.source
        yield line("source"), source.publisher
        if source.url:
            yield line("source"), source.url
        yield from local(line("source"), source.note)
        for omission in source.omit:
            yield from local(omission.origin, omission.why)
        for text in (statement.original, *statement.translations.values()):
            for key, field in (
                ("title", text.title),
                ("place", text.place),
                ("event", text.event),
                ("date_note", text.date_note),
            ):
                if field:
                    yield text.line_of(key), field
            yield from body(text.origin.path, text.body_line, text.body)
    for issue in content.issues.values():
        for issue_text in issue.texts.values():
            yield issue_text.origin, issue.id
            yield issue_text.origin, issue_text.title
            yield from body(issue_text.origin.path, issue_text.body_line, issue_text.body)
            for quotation in issue_text.key_lines:
                yield quotation.origin, quotation.quote
            for ask in issue_text.asks:
                yield issue_text.origin, ask
    for page in content.pages.values():
        for page_text in page.texts.values():
            yield page_text.origin, page_text.title
            yield from body(page_text.origin.path, page_text.body_line, page_text.body)
    for entry in content.glossary.values():
        at = entry.origin.at
        for key, value in (
            ("term", entry.term),
            ("expansion", entry.expansion),
            ("definition", entry.definition),
        ):
            yield from local(at(entry.lines, key), value)
    for event in content.events.values():
        at = event.origin.at
        yield event.origin, event.id
        for key, value in (("title", event.title), ("place", event.place), ("note", event.note)):
            yield from local(at(event.lines, key), value)
    for org in content.organisations.values():
        at = org.origin.at
        yield org.origin, org.id
        yield from local(at(org.lines, "name"), org.name)
        yield from local(at(org.lines, "acronym"), org.acronym)
        for key, plain in (
            ("phone", org.phone),
            ("email", org.email),
            ("website", org.website),
        ):
            if plain:
                yield at(org.lines, key), plain
    for person in content.people.values():
        if not person.public:
            continue
        at = person.origin.at
        yield person.origin, person.id
        for key, words in (
            ("name", person.name),
            ("role", person.role),
            ("sort_as", person.sort_as),
        ):
            yield from local(at(person.lines, key), words)
        for key, plain in (("phone", person.phone), ("email", person.email)):
            if plain:
                yield at(person.lines, key), plain
    yield from _media_texts(content)
    yield from _catalog_texts(content.root)


def _media_texts(content: Content) -> Iterator[tuple[Origin, str]]:
    folder = content.root / "content"
    for name in content.media:
        path = folder / name
        origin = Origin(f"content/{name}")
        yield origin, name
        if not inside(content.root, path):
            continue
        try:
            data = path.read_bytes()
        except OSError:
            continue
        for line, text in media_files.texts(data):
            yield Origin(origin.path, line), text


def _catalog_texts(root: Path) -> Iterator[tuple[Origin, str]]:
    """The translations in the book's own catalogs: the interface of its outputs."""
    from babel.messages.pofile import read_po

    locales = root / "locales"
    if not locales.is_dir() or not inside(root, locales):
        return
    for path in sorted(locales.glob("*/LC_MESSAGES/messages.po")):
        if not inside(root, path):
            continue
        try:
            with path.open("rb") as handle:
                catalog = read_po(handle)
        except (OSError, ValueError, SyntaxError):
            continue
        rel = path.relative_to(root).as_posix()
        for message in catalog:
            strings = message.string if isinstance(message.string, tuple) else (message.string,)
            for string in strings:
                if isinstance(string, str) and string:
                    yield Origin(rel, message.lineno or 1), string


def private_details(content: Content) -> list[Problem]:
    """A private person's name, e-mail or phone, in a text the book prints."""
    finders = [
        (person.id, what, find)
        for person in content.people.values()
        if not person.public
        for what, find in private_finders(person)
    ]
    problems: list[Problem] = []
    if not finders:
        return problems
    reported: set[tuple[str, int, str, str]] = set()
    for origin, text in printed(content):
        if not text:
            continue
        # What an engine shows of a field: its character references decoded.
        # a URL's escapes (source.url, a link target) decoded.
        readings = {text, html.unescape(text)}
        if "%" in text:
            readings.add(unquote(text))
        for person_id, what, find in finders:
            for reading in readings:
                found = find(reading)
                if found is None:
                    continue
                where = Origin(origin.path, origin.line + reading.count("\n", 0, found))
                key = (where.path, where.line, person_id, what)
                if key not in reported:
                    reported.add(key)
                    problems.append(
                        Problem(
                            where,
                            "error",
                            f"the {what} of '{person_id}', who is not public, is written here: "
                            "a private person never appears in any output; remove it",
                        )
                    )
                break
    return problems
