"""Markdown that would not print as its editor meant: links and images markdown-it could not
read (a destination holding a space, `(statement: id)`, a space between `]` and `(`, a
reference never defined, a `)` missing), emphasis never closed, footnotes referred to but
never written or written but never referred to, headings that repeat or skip a level.

Each finding names its line and column within the body; the checker adds the file.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from markdown_it.token import Token

from kpbrief.content.markdown import LINK_KINDS, _parser

# `[text](destination)` or `![alt](destination)` as written on one line.
_LINK_WRITTEN = re.compile(r"(!?)\[([^\[\]]*)\]\(([^()\n]*)\)")
_FOOTNOTE_REF = re.compile(r"\[\^([^\]\s]+)\](?!:)")
_FOOTNOTE_DEF = re.compile(r"^ {0,3}\[\^([^\]\s]+)\]:")
_KIND_WITH_SPACE = re.compile(rf"^({'|'.join(LINK_KINDS)}):\s+(\S+)$")


@dataclass(frozen=True)
class Finding:
    severity: str  # "error" or "warning"
    line: int  # 1-based, within the body
    column: int  # 1-based; 0: the whole line
    message: str


def _texts(inline: Token) -> str:
    """What a block shows as plain text: markup markdown-it did not read stays in it."""
    return "".join(c.content for c in inline.children or [] if c.type == "text")


def _unread_link(image: str, text: str, target: str) -> str:
    what = "image" if image else "link"
    kind = _KIND_WITH_SPACE.match(target.strip())
    if kind:
        return (
            f"{what} '{text}' is printed as written, brackets and all: an internal link has "
            f"no space after the colon; write ({kind[1]}:{kind[2]})"
        )
    if image:
        fixed = re.sub(r"\s+", "-", target.strip())
        return (
            f"image '{target}' is printed as text, not shown: a file name with a space cannot "
            f"be read; rename the file to '{fixed}' under content/ and write ![{text}]({fixed})"
        )
    return (
        f"link '{text}' is printed as written, brackets and all: its target '{target}' holds "
        "a space; write %20 for each space, or put the target in <angle brackets>"
    )


def _links(tokens: list[Token], lines: list[str]) -> list[Finding]:
    found: list[Finding] = []
    for token in tokens:
        if token.type != "inline" or not token.map:
            continue
        shown = _texts(token)
        if "](" not in shown:
            continue
        for number in range(token.map[0], token.map[1]):
            for match in _LINK_WRITTEN.finditer(lines[number]):
                image, text, target = match.groups()
                if f"[{text}]({target})" not in shown or not re.search(r"\s", target.strip()):
                    continue
                found.append(
                    Finding(
                        "error", number + 1, match.start() + 1, _unread_link(image, text, target)
                    )
                )
    return found


# Markup that markdown-it reads only when it is written whole: left as text, it is printed.
_SPACED_LINK = re.compile(r"(!?)\[([^\[\]\n]+)\][ \t]+\(([^()\n]*)\)")
_REFERENCE_LINK = re.compile(r"(?<![\\!])\[([^\[\]\n^]+)\]\[([^\[\]\n]*)\]")
_REFERENCE_DEF = re.compile(r"^ {0,3}\[([^\[\]\n^]+)\]:")
_OPEN_IMAGE = re.compile(r"(?<!\\)!\[([^\[\]\n]*)\]\((?![^\n]*\))(\S*)")
_ESCAPED_OR_CODE = re.compile(r"\\.|`+[^`]*`+")
_DOUBLE = re.compile(r"\*\*|(?<!\w)__|__(?!\w)")  # intraword __ is no markup
_SINGLE_OPENS = re.compile(r"(?<![*\w])\*(?=\w)")
_SINGLE_CLOSES = re.compile(r"(?<=[\w.,;:!?)])\*(?![*\w])")


def _open_emphasis(lines: list[str], first: int, end: int) -> tuple[int, int, str] | None:
    """The delimiter left open in a paragraph (its line, 1-based column, and itself): a `**`
    or `__` without its pair, else a `*` opening more than close; escapes and code aside."""
    marks: list[tuple[int, int, str]] = []
    opens: list[tuple[int, int, str]] = []
    closes = 0
    for number in range(first, end):
        # Blanked to the same length, so that columns stay those of the line.
        line = _ESCAPED_OR_CODE.sub(lambda m: " " * len(m[0]), lines[number])
        marks += [(number, m.start() + 1, m[0]) for m in _DOUBLE.finditer(line)]
        single = _DOUBLE.sub("  ", line)
        opens += [(number, m.start() + 1, "*") for m in _SINGLE_OPENS.finditer(single)]
        closes += len(_SINGLE_CLOSES.findall(single))
    for kind in ("**", "__"):
        of_kind = [m for m in marks if m[2] == kind]
        if len(of_kind) % 2:
            return of_kind[-1]
    return opens[-1] if len(opens) > closes else None


def _leftover_markup(tokens: list[Token], lines: list[str]) -> list[Finding]:
    """Links, images and emphasis written so that markdown-it cannot read them: the book
    would print their brackets and asterisks."""
    found: list[Finding] = []
    defined = {m[1].lower() for m in map(_REFERENCE_DEF.match, lines) if m}
    for token in tokens:
        if token.type != "inline" or not token.map:
            continue
        shown = _texts(token)
        for number in range(token.map[0], token.map[1]):
            line = lines[number]
            for match in _SPACED_LINK.finditer(line):
                image, text, target = match.groups()
                if f"[{text}]" not in shown:
                    continue
                what = "image" if image else "link"
                found.append(
                    Finding(
                        "error",
                        number + 1,
                        match.start() + 1,
                        f"{what} '{text}' is printed as written, brackets and all: no space may "
                        f"stand between ']' and '('; write {image}[{text}]({target})",
                    )
                )
            for match in _REFERENCE_LINK.finditer(line):
                text, label = match.groups()
                name = label or text
                if match[0] not in shown or name.lower() in defined:
                    continue  # printed as a link; or defined, with a target the book refuses
                found.append(
                    Finding(
                        "error",
                        number + 1,
                        match.start() + 1,
                        f"link '{text}' is printed as written, brackets and all: no line "
                        f"'[{name}]: target' defines [{name}]; add one, or write "
                        f"[{text}](target)",
                    )
                )
            for match in _OPEN_IMAGE.finditer(line):
                if f"![{match[1]}]" not in shown:
                    continue
                found.append(
                    Finding(
                        "error",
                        number + 1,
                        match.start() + 1,
                        f"image '{match[2]}' is printed as text, not shown: its ')' is missing; "
                        f"write ![{match[1]}]({match[2]})",
                    )
                )
        opened = _open_emphasis(lines, token.map[0], token.map[1])
        if opened is not None and opened[2] in shown:
            number, column, mark = opened
            what = "bold" if len(mark) == 2 else "emphasis"
            escaped = "".join(f"\\{c}" for c in mark)
            found.append(
                Finding(
                    # A lone asterisk may be meant as one (a footnote mark): a warning.
                    "error" if len(mark) == 2 else "warning",
                    number + 1,
                    column,
                    f"'{mark}' is printed as written: the {what} it opens is not closed in "
                    f"this paragraph; close it with {mark} after the last word, or write "
                    f"{escaped} for the characters themselves",
                )
            )
    return found


def _footnotes(
    env: dict[str, object], lines: list[str], code: set[int], shown: str
) -> list[Finding]:
    refs: dict[str, int] = {}
    notes = env.get("footnotes")
    if isinstance(notes, dict):
        refs = {str(k)[1:]: int(v) for k, v in notes.get("refs", {}).items()}
    found: list[Finding] = []
    for number, text in enumerate(lines):
        if number in code:
            continue
        definition = _FOOTNOTE_DEF.match(text)
        if definition and refs.get(definition[1]) == -1:
            found.append(
                Finding(
                    "error",
                    number + 1,
                    1,
                    f"footnote [^{definition[1]}] is never referred to, so its text is left "
                    f"out of the book: add [^{definition[1]}] where it belongs, or remove it",
                )
            )
        for match in _FOOTNOTE_REF.finditer(text):
            label = match[1]
            if label not in refs and f"[^{label}]" in shown:
                defined = sorted(refs)
                hint = f" (the footnotes written are {', '.join(defined)})" if defined else ""
                found.append(
                    Finding(
                        "error",
                        number + 1,
                        match.start() + 1,
                        f"footnote [^{label}] is printed as written: no line '[^{label}]: …' "
                        f"gives its text{hint}; add it, or correct the number",
                    )
                )
    return found


def _headings(tokens: list[Token]) -> list[Finding]:
    found: list[Finding] = []
    seen: dict[tuple[int, str], int] = {}
    previous: int | None = None
    for index, token in enumerate(tokens):
        if token.type != "heading_open" or not token.map:
            continue
        level = int(token.tag[1])
        line = token.map[0] + 1
        title = " ".join(_texts(tokens[index + 1]).split())
        if previous is not None and level > previous + 1:
            found.append(
                Finding(
                    "error",
                    line,
                    1,
                    f"heading '{title}' jumps from level {previous} to {level}: the book's "
                    f"contents would skip a level; write it with {'#' * (previous + 1)}",
                )
            )
        first = seen.setdefault((level, title.lower()), line)
        if first != line:
            found.append(
                Finding(
                    "warning",
                    line,
                    1,
                    f"heading '{title}' repeats the heading of body line {first}: "
                    "remove the copy, or name the two sections apart",
                )
            )
        previous = level
    return found


def check_body(body: str) -> list[Finding]:
    """Everything in a body that markdown-it would print otherwise than meant."""
    env: dict[str, object] = {}
    tokens = _parser(True).parse(body, env)
    lines = body.split("\n")
    code: set[int] = set()
    for token in tokens:
        if token.type in ("code_block", "fence") and token.map:
            code.update(range(token.map[0], token.map[1]))
    shown = "\n".join(_texts(t) for t in tokens if t.type == "inline")
    # Footnote texts are inline tokens of their own: a link inside one is checked too.
    return sorted(
        _links(tokens, lines)
        + _leftover_markup(tokens, lines)
        + _footnotes(env, lines, code, shown)
        + _headings(tokens),
        key=lambda f: (f.line, f.column),
    )
