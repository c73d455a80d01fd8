"""SVG read with expat, refused with the reason (line and what) when it holds anything a
reader's software could run or fetch, and rebuilt clean from what it parsed."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from html import escape
from xml.parsers import expat

FORBIDDEN_ELEMENTS = frozenset(
    {
        "script",
        "foreignobject",
        "iframe",
        "embed",
        "object",
        "handler",
        "listener",
        "audio",
        "video",
        "canvas",
        "frame",
        "frameset",
        "portal",
    }
)


ANIMATIONS = frozenset({"set", "animate", "animatemotion", "animatetransform", "animatecolor"})


LINK_SCHEMES = ("https://", "http://", "mailto:")


_URL_RE = re.compile(r"url\(\s*(['\"]?)\s*([^'\")\s]*)", re.IGNORECASE)


def _local(name: str) -> str:
    return name.rsplit(":", 1)[-1].lower()


def _squeezed(value: str) -> str:
    """A value as a browser reads a URL: spaces and control characters dropped, lowercase."""
    return re.sub(r"[\x00-\x20\x7f]+", "", value).lower()


def _style_problem(css: str) -> str | None:
    lowered = css.lower()
    if "@import" in lowered:
        return "a style with @import"
    if "expression(" in lowered or "javascript:" in _squeezed(css):
        return "a style with a script"
    for _quote, target in _URL_RE.findall(css):
        if not target.startswith("#"):
            return f"a style that loads url({target[:60]})"
    return None


def _attribute_problem(element: str, name: str, value: str) -> str | None:
    local = _local(name)
    squeezed = _squeezed(value)
    if local.startswith("on"):
        return f"an event handler ({name}= on <{element}>)"
    if local == "href" or local == "src":
        if squeezed.startswith("#"):
            return None
        if element == "a" and squeezed.startswith(LINK_SCHEMES):
            return None
        if squeezed.startswith(("javascript:", "vbscript:")):
            return f'a script link ({name}="{value[:60]}" on <{element}>)'
        return f'an external reference ({name}="{value[:60]}" on <{element}>)'
    if local == "style":
        return _style_problem(value)
    if "url(" in value.lower():
        return _style_problem(value)
    if (
        element in ANIMATIONS
        and local == "attributename"
        and (_local(value) in ("href", "src") or _local(value).startswith("on"))
    ):
        return f"an animation of {value} (on <{element}>)"
    if "javascript:" in squeezed or "vbscript:" in squeezed:
        return f"a script in {name}= on <{element}>"
    return None


@dataclass
class Svg:
    """One SVG read with expat: its problems (line, reason), its words, its clean copy."""

    problems: list[tuple[int, str]] = field(default_factory=list)
    texts: list[tuple[int, str]] = field(default_factory=list)
    out: list[str] = field(default_factory=list)
    skipping: int = 0  # depth inside an element left out
    open: list[str] = field(default_factory=list)


def read_svg(data: bytes) -> Svg:
    svg = Svg()
    parser = expat.ParserCreate()  # no namespace processing: prefixes kept as written
    parser.SetParamEntityParsing(expat.XML_PARAM_ENTITY_PARSING_NEVER)

    def line() -> int:
        return int(parser.CurrentLineNumber)

    def refuse(reason: str) -> None:
        svg.problems.append((line(), reason))

    def doctype(*_args: object) -> None:
        refuse("a DOCTYPE (it may declare entities)")

    def entity(*_args: object) -> None:
        refuse("an entity declaration")

    def external(*_args: object) -> int:
        refuse("an external entity")
        return 1

    def instruction(target: str, _data: str) -> None:
        if target.lower() != "xml":
            refuse(f"a processing instruction (<?{target}…?>)")

    def start(name: str, attrs: dict[str, str]) -> None:
        element = _local(name)
        svg.open.append(element)
        svg.texts.extend((line(), value) for value in attrs.values())
        if svg.skipping:
            svg.skipping += 1
            return
        if element in FORBIDDEN_ELEMENTS:
            refuse(f"a <{name}> element")
            svg.skipping = 1
            return
        kept = []
        for key, value in attrs.items():
            problem = _attribute_problem(element, key, value)
            if problem:
                refuse(problem)
            else:
                kept.append(f' {key}="{escape(value, quote=True)}"')
        svg.out.append(f"<{name}{''.join(kept)}>")

    def end(name: str) -> None:
        svg.open.pop()
        if svg.skipping:
            svg.skipping -= 1
            return
        svg.out.append(f"</{name}>")

    def text(words: str) -> None:
        svg.texts.append((line(), words))
        if svg.skipping:
            return
        if svg.open and svg.open[-1] == "style":
            problem = _style_problem(words)
            if problem:
                refuse(problem)
                return
        svg.out.append(escape(words, quote=False))

    parser.StartDoctypeDeclHandler = doctype
    parser.EntityDeclHandler = entity
    parser.UnparsedEntityDeclHandler = entity
    parser.ExternalEntityRefHandler = external
    parser.ProcessingInstructionHandler = instruction
    parser.StartElementHandler = start
    parser.EndElementHandler = end
    parser.CharacterDataHandler = text
    parser.CommentHandler = lambda words: svg.texts.append((line(), words))  # never copied
    try:
        parser.Parse(data, True)
    except expat.ExpatError as error:
        svg.problems.append(
            (error.lineno, f"it is not well-formed XML ({expat.errors.messages[error.code]})")
        )
    return svg
