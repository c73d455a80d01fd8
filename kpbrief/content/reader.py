"""The reader's toolkit: text files read safely, values of the right form, every problem
with its file and line.

`Reader` collects problems while one book folder is read; each loader in `load` asks it
for the fields of a file and the form of each value (an id, a date, a localised text...).
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

import yaml

from kpbrief.confine import inside, outside_message
from kpbrief.content.diagnostics import closest, name_invisible, show_invisible
from kpbrief.content.model import (
    LocalText,
    Origin,
    PartialDate,
    Problem,
)
from kpbrief.content.yaml import LineMap, _Loader, _parse_quickly, _too_big

MAX_FILE_BYTES = 2 * 1024 * 1024
ID_RE = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
LANG_RE = re.compile(r"^[a-z]{2,3}(?:_[A-Z]{2}|_[A-Z][a-z]{3})?$")

T = TypeVar("T")


class _ParseFailed:
    """What `parse_yaml` gives for a text it reported as not YAML: no second error follows."""


PARSE_FAILED = _ParseFailed()


def fold_newlines(text: str) -> str:
    """Windows (CRLF) and old Mac (CR) line ends read as one newline each: the one place
    kpbrief folds them, so that every line it counts is the line an editor sees."""
    return text.replace("\r\n", "\n").replace("\r", "\n")


_BOOLS = ("true", "false")


def _in_plain_words(problem: str) -> str:
    """PyYAML's words for the mistakes editors make, said as what to do."""
    if "'\\t'" in problem or "\t" in problem:
        return "a tab cannot indent YAML: use spaces"
    if "mapping values are not allowed here" in problem:
        return (
            f"{problem}: a value holding ': ' must be written in quotes, like "
            '"Geneva: the plenary"'
        )
    return problem


def _unclosed(exc: yaml.MarkedYAMLError, text: str) -> tuple[str, str] | None:
    """('[', ']') or ('{', '}') when YAML failed inside a list or mapping opened and never
    closed on its line (`name: [Ada`), else None."""
    context = exc.context or ""
    if "flow" not in context or exc.context_mark is None or exc.problem_mark is None:
        return None
    opened = ("[", "]") if "flow sequence" in context else ("{", "}")
    start = exc.context_mark.index
    end = text.find("\n", start)
    rest = text[start : end if end >= 0 else len(text)]
    return opened if opened[1] not in rest else None


def _column_and_line(text: str, index: int) -> tuple[int, str]:
    """The 1-based column of a character of `text` and the line that holds it, lines
    broken at '\n' only (as an editor counts them)."""
    index = max(0, min(index, len(text)))
    start = text.rfind("\n", 0, index) + 1
    end = text.find("\n", index)
    return index - start + 1, text[start : end if end >= 0 else len(text)]


def _not_an_id(text: str) -> str:
    """Why a text is not an id, with what it may have meant."""
    message = f"'{show_invisible(text)}' is not an id: use lowercase ASCII words joined by hyphens"
    hidden = name_invisible(text)
    if hidden:
        message += f"; it holds {hidden}, which looks like a hyphen or a space"
    plain = "-".join(
        "".join(c if c.isascii() and c.isalnum() else " " for c in text.lower()).split()
    )
    if plain != text and ID_RE.match(plain):
        message += f"; did you mean '{plain}'?"
    return message


class Reader:
    """Collects problems while the files of one book folder are read."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.problems: list[Problem] = []

    def rel(self, path: Path) -> str:
        return path.relative_to(self.root).as_posix()

    def error(self, origin: Origin, message: str, excerpt: str = "") -> None:
        self.problems.append(Problem(origin, "error", message, excerpt))

    def warning(self, origin: Origin, message: str) -> None:
        self.problems.append(Problem(origin, "warning", message))

    # -- raw files -----------------------------------------------------------------

    def read_text(self, path: Path) -> str | None:
        origin = Origin(self.rel(path))
        if not inside(self.root, path):
            self.error(origin, outside_message(self.root, path))
            return None
        size = path.stat().st_size
        if size > MAX_FILE_BYTES:
            self.error(
                origin,
                f"file is {size // 1024} KiB, over the limit of {MAX_FILE_BYTES // 1024} KiB; "
                "split it or remove what does not belong in it",
            )
            return None
        data = path.read_bytes()
        try:
            text = data.decode("utf-8-sig")
        except UnicodeDecodeError as exc:
            line = data[: exc.start].count(b"\n") + 1
            self.error(
                Origin(origin.path, line),
                f"file is not UTF-8 (byte 0x{data[exc.start]:02x}); "
                "save it as UTF-8 in your editor",
            )
            return None
        return fold_newlines(text)

    def parse_yaml(self, text: str, origin: Origin, line_offset: int = 0) -> Any:
        try:
            loader = _Loader(text)  # checks every character of the text
        except yaml.reader.ReaderError as exc:
            line = text[: exc.position].count("\n") + 1 + line_offset
            column, excerpt = _column_and_line(text, exc.position)
            self.error(
                Origin(origin.path, line, column),
                f"YAML does not parse: the character U+{exc.character:04X} is not allowed "
                "(a control character, or not text); remove it",
                excerpt,
            )
            return PARSE_FAILED
        loader.line_offset = line_offset
        parsed, document = _parse_quickly(text, line_offset)
        if parsed:
            loader.dispose()
            return document
        try:
            node = loader.get_single_node()
            if node is None:
                return None
            too_big = _too_big(node)
            if too_big is not None:
                self.error(origin, too_big)
                return PARSE_FAILED
            return loader.construct_document(node)
        except yaml.MarkedYAMLError as exc:
            mark = exc.problem_mark or exc.context_mark
            opened = _unclosed(exc, text)
            if opened and exc.context_mark is not None:
                mark = exc.context_mark  # the cause: where the list or mapping was opened
            line = loader.line_of(mark) if mark else origin.line
            column, excerpt = _column_and_line(text, mark.index) if mark else (0, "")
            what = _in_plain_words(exc.problem or "invalid YAML")
            if opened:
                what = (
                    f"this '{opened[0]}' is never closed: close it with '{opened[1]}', or "
                    "write the value in quotes"
                )
            if isinstance(exc, yaml.constructor.ConstructorError):
                what = f"{what}; tags that build objects are not allowed, write plain values"
            self.error(Origin(origin.path, line, column), f"YAML does not parse: {what}", excerpt)
            return PARSE_FAILED
        except (yaml.YAMLError, ValueError, TypeError, RecursionError) as exc:
            self.error(origin, f"YAML does not parse: {exc}")
            return PARSE_FAILED
        finally:
            loader.dispose()

    def split_front_matter(self, text: str, origin: Origin) -> tuple[Any, str, int] | None:
        """Front matter (parsed), body, and the 1-based line where the body starts."""
        lines = text.split("\n")
        if not lines or lines[0].strip() != "---":
            self.error(
                origin,
                "no front matter: a Markdown file begins with a line '---', its YAML fields, "
                "and another line '---'",
            )
            return None
        for index in range(1, len(lines)):
            if lines[index].strip() in ("---", "..."):
                meta = self.parse_yaml("\n".join(lines[1:index]), origin, line_offset=1)
                body = "\n".join(lines[index + 1 :])
                return meta, body, index + 2
        self.error(origin, "front matter is not closed: add a line '---' after its fields")
        return None

    # -- fields ---------------------------------------------------------------------

    def mapping(self, data: Any, origin: Origin, what: str) -> LineMap | None:
        if data is PARSE_FAILED:
            return None
        if isinstance(data, LineMap):
            for key, line, first in data.duplicates:
                self.error(
                    Origin(origin.path, line),
                    f"field '{key}' is given twice (first on line {first}): keep one",
                )
            return data
        self.error(origin, f"{what} must be a mapping of fields ('name: value' lines)")
        return None

    def fields(
        self,
        data: LineMap,
        origin: Origin,
        required: tuple[str, ...],
        optional: tuple[str, ...],
    ) -> None:
        meant: set[str] = set()  # fields written under another name: one error, not two
        for key in data:
            if key not in required and key not in optional:
                near = closest(key, required + optional)
                if near is not None:
                    meant.add(near)
                    message = f"unknown field '{key}'; did you mean '{near}'?"
                else:
                    known = ", ".join(sorted(required + optional))
                    message = f"unknown field '{key}'; the fields here are: {known}"
                self.error(Origin(origin.path, data.lines[key]), message)
        for key in required:
            if (key not in data or data[key] is None) and key not in meant:
                self.error(Origin(origin.path, data.line), f"missing field '{key}'")

    def at(self, data: LineMap, origin: Origin, key: str) -> Origin:
        return Origin(origin.path, data.lines.get(key, data.line))

    def get(
        self,
        data: LineMap,
        origin: Origin,
        key: str,
        convert: Callable[[Any, Origin], T | None],
    ) -> T | None:
        if key not in data or data[key] is None:
            return None
        raw = data.raw.get(key)
        wants_text = convert in (self.string, self.ident)
        if wants_text and isinstance(data[key], bool) and raw and raw.lower() not in _BOOLS:
            self.error(
                self.at(data, origin, key),
                f'YAML reads {raw} as {str(data[key]).lower()}: write it in quotes, "{raw}"',
            )
            return None
        return convert(data[key], self.at(data, origin, key))

    def string(self, value: Any, origin: Origin) -> str | None:
        if isinstance(value, bool) or value is None:
            self.error(origin, "expected a text, found a yes/no or empty value")
            return None
        if isinstance(value, (str, int, float)):
            return str(value).strip()
        self.error(origin, "expected a text, found a list or mapping")
        return None

    def boolean(self, value: Any, origin: Origin) -> bool | None:
        if isinstance(value, bool):
            return value
        self.error(origin, "expected true or false")
        return None

    def ident(self, value: Any, origin: Origin) -> str | None:
        text = self.string(value, origin)
        if text is None:
            return None
        if not ID_RE.match(text):
            self.error(origin, _not_an_id(text))
            return None
        return text

    def ids(self, value: Any, origin: Origin) -> tuple[str, ...] | None:
        if isinstance(value, str):
            value = [value]
        if not isinstance(value, list):
            self.error(origin, "expected a list of ids, like [first-id, second-id]")
            return None
        out = [self.ident(item, origin) for item in value]
        found = [item for item in out if item is not None]
        for item in dict.fromkeys(i for i in found if found.count(i) > 1):
            self.error(
                origin,
                f"'{item}' is listed {found.count(item)} times, and would be printed as often: "
                "list it once",
            )
        return tuple(dict.fromkeys(found))

    def strings(self, value: Any, origin: Origin) -> tuple[str, ...] | None:
        if isinstance(value, str):
            value = [value]
        if not isinstance(value, list):
            self.error(origin, "expected a list of texts")
            return None
        out = [self.string(item, origin) for item in value]
        return tuple(item for item in out if item is not None)

    def local_text(self, value: Any, origin: Origin) -> LocalText | None:
        if isinstance(value, LineMap):
            values: dict[str, str] = {}
            for lang, text in value.items():
                where = Origin(origin.path, value.lines.get(lang, origin.line))
                if not LANG_RE.match(lang):
                    self.error(where, f"'{lang}' is not a language code (like en, fr, pt)")
                    continue
                converted = self.string(text, where)
                if converted is not None:
                    values[lang] = converted
            return LocalText(values) if values else None
        text = self.string(value, origin)
        return LocalText.of(text) if text is not None else None

    def date(self, value: Any, origin: Origin) -> PartialDate | None:
        if isinstance(value, dt.datetime):
            value = value.date()
        if isinstance(value, dt.date):
            return PartialDate(value.year, value.month, value.day)
        if isinstance(value, int) and not isinstance(value, bool):
            value = str(value)
        if isinstance(value, str):
            match = re.fullmatch(r"(\d{4})(?:-(\d{2})(?:-(\d{2}))?)?", value.strip())
            if match:
                year = int(match[1])
                month = int(match[2]) if match[2] else None
                day = int(match[3]) if match[3] else None
                try:
                    dt.date(year, month or 1, day or 1)
                except ValueError:
                    hint = ""
                    if month and day and month > 12 and day <= 12:  # written day first
                        hint = f"; dates are YYYY-MM-DD: did you mean {year}-{day:02d}-{month:02d}?"
                    self.error(origin, f"'{value}' is not a real date{hint}")
                    return None
                return PartialDate(year, month, day)
        hint = ""
        written = re.fullmatch(r"(\d{1,2})[./](\d{1,2})[./](\d{4})", str(value).strip())
        if written:  # 22/06/2021, 22.06.2021: day first, as most of the world writes it
            day_, month_, year_ = (int(part) for part in written.groups())
            try:
                meant = dt.date(year_, month_, day_)
                hint = f"; did you mean {meant.isoformat()}?"
            except ValueError:
                pass
        self.error(
            origin,
            f"'{value}' is not a date: write YYYY-MM-DD, or YYYY-MM or YYYY where only that "
            f"is known{hint}",
        )
        return None


# -- the file kinds -------------------------------------------------------------------
