"""Statements that load, and yet would print wrong: an empty text, a date after the edition
the book says it is, an id whose date disagrees with the `date:` field."""

from __future__ import annotations

import re

from kpbrief.content.model import Content, PartialDate, Problem, Statement

_ID_DATE = re.compile(r"^(\d{4})(?:-(0[1-9]|1[0-2]))?(?:-(0[1-9]|[12]\d|3[01]))?(?=-|$)")


def _at_precision(date: PartialDate, other: PartialDate) -> tuple[tuple[int, ...], ...]:
    """Both dates as tuples cut to the precision the less precise of them has."""
    length = min(len([x for x in (d.year, d.month, d.day) if x is not None]) for d in (date, other))
    return tuple(tuple(x or 0 for x in (d.year, d.month, d.day))[:length] for d in (date, other))


def id_date(statement_id: str) -> PartialDate | None:
    """The date an id begins with (2019-11-22-…, 2021-06-…, 2003-…), or None."""
    match = _ID_DATE.match(statement_id)
    if not match:
        return None
    return PartialDate(
        int(match[1]), int(match[2]) if match[2] else None, int(match[3]) if match[3] else None
    )


def _empty(statement: Statement) -> list[Problem]:
    problems = []
    for text in (statement.original, *statement.translations.values()):
        if not text.body.strip():
            problems.append(
                Problem(
                    text.line_of("title"),
                    "error",
                    "the statement has no text: the book would print its title over an empty "
                    f"page; write the text below the closing '---' (line {text.body_line - 1})",
                )
            )
    return problems


def _dates(statement: Statement, edition: PartialDate | None) -> list[Problem]:
    problems = []
    where = statement.original.line_of("date")
    if edition is not None:
        mine, book = _at_precision(statement.date, edition)
        if mine > book:
            problems.append(
                Problem(
                    where,
                    "warning",
                    f"date {statement.date.iso()} is after the book's edition "
                    f"({edition.iso()}, content/book.yaml): correct the date, or the edition",
                )
            )
    named = id_date(statement.id)
    if named is not None:
        mine, in_id = _at_precision(statement.date, named)
        if mine != in_id:
            problems.append(
                Problem(
                    where,
                    "warning",
                    f"date {statement.date.iso()} disagrees with the id '{statement.id}', which "
                    f"begins with {named.iso()}: correct the date, or rename the statement's "
                    "files (and the links to it)",
                )
            )
    return problems


def statement_problems(content: Content) -> list[Problem]:
    edition = content.book.edition if content.book else None
    problems: list[Problem] = []
    for statement in content.statements.values():
        problems += _empty(statement) + _dates(statement, edition)
    return problems
