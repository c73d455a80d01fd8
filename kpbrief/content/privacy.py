"""Privacy: a person who is not public is never printed, in any field or body of the book.

For each private person, finders for their name (spacing and case aside), e-mail and phone
(its digits, however they are written); every text the book prints is searched with them,
and each find is an error at the file and line of the text.
"""

from __future__ import annotations

import re
from collections.abc import Callable

import phonenumbers

from kpbrief.content.model import Content, LocalText, Origin, Person, Problem


def private_details(content: Content) -> list[Problem]:
    """A private person's name, e-mail or phone, written in a text the book prints."""
    finders = [
        (person.id, what, find)
        for person in content.people.values()
        if not person.public
        for what, find in _private_finders(person)
    ]
    problems: list[Problem] = []
    if not finders:
        return problems
    reported: set[tuple[str, int, str, str]] = set()

    def look(origin: Origin, text: str | None) -> None:
        if not text:
            return
        for person_id, what, find in finders:
            found = find(text)
            if found is None:
                continue
            where = Origin(origin.path, origin.line + text.count("\n", 0, found))
            key = (where.path, where.line, person_id, what)
            if key in reported:
                continue
            reported.add(key)
            problems.append(
                Problem(
                    where,
                    "error",
                    f"the {what} of '{person_id}', who is not public, is written here: a "
                    "private person never appears in any output; remove it",
                )
            )

    def look_local(origin: Origin, text: LocalText | None) -> None:
        for value in text.values.values() if text else ():
            look(origin, value)

    book = content.book
    if book is not None:
        for key, value in (
            ("title", book.title),
            ("subtitle", book.subtitle),
            ("description", book.description),
        ):
            look_local(book.origin.at(book.lines, key), value)
    for statement in content.statements.values():
        line = statement.original.line_of
        for credit in statement.credits:
            look(line("credits"), credit)
        look(line("source"), statement.source.publisher)
        look_local(line("source"), statement.source.note)
        for omission in statement.source.omit:
            look_local(omission.origin, omission.why)
        for text in (statement.original, *statement.translations.values()):
            for key, field in (
                ("title", text.title),
                ("place", text.place),
                ("event", text.event),
                ("date_note", text.date_note),
            ):
                look(text.line_of(key), field)
            look(Origin(text.origin.path, text.body_line), text.body)
    for issue in content.issues.values():
        for issue_text in issue.texts.values():
            look(issue_text.origin, issue_text.title)
            look(Origin(issue_text.origin.path, issue_text.body_line), issue_text.body)
            for quotation in issue_text.key_lines:
                look(quotation.origin, quotation.quote)
    for event in content.events.values():
        for key, local in (
            ("title", event.title),
            ("place", event.place),
            ("note", event.note),
        ):
            look_local(event.origin.at(event.lines, key), local)
    for org in content.organisations.values():
        look_local(org.origin.at(org.lines, "name"), org.name)
    for person in content.people.values():
        if person.public:
            look_local(person.origin.at(person.lines, "role"), person.role)
    return problems


PHONE_RUN_RE = re.compile(r"\+?\d[\d \t().\-/\u00a0\u202f]*\d")


def _private_finders(person: Person) -> list[tuple[str, Callable[[str], int | None]]]:
    """For each detail of a person: a function giving where a text writes it, or None."""

    def by_pattern(pattern: re.Pattern[str]) -> Callable[[str], int | None]:
        def find(text: str) -> int | None:
            match = pattern.search(text)
            return match.start() if match else None

        return find

    finders: list[tuple[str, Callable[[str], int | None]]] = []
    for name in sorted(set(person.name.values.values())):
        words = name.split()
        if words:
            spaced = r"\s+".join(re.escape(word) for word in words)
            finders.append(("name", by_pattern(re.compile(rf"(?<!\w){spaced}(?!\w)", re.I))))
    if person.email:
        finders.append(("e-mail", by_pattern(re.compile(re.escape(person.email), re.I))))
    digits = _phone_digits(person.phone, person.country)
    if digits:

        def find_phone(text: str) -> int | None:
            for match in PHONE_RUN_RE.finditer(text):
                if digits in re.sub(r"\D", "", match[0]):
                    return match.start()
            return None

        finders.append(("phone number", find_phone))
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
