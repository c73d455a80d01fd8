"""Markdown bodies: parsed with markdown-it-py (CommonMark, tables, footnotes).

Two uses: `scan` lists what a body refers to (internal links, images, raw HTML), with
lines, for the check; `to_html` renders a body with internal links resolved.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache

from markdown_it import MarkdownIt
from markdown_it.token import Token
from mdit_py_plugins.footnote import footnote_plugin

from kpbrief.document import ASSETS

LINK_KINDS = ("statement", "issue", "person", "organisation", "event")
INTERNAL_RE = re.compile(rf"^({'|'.join(LINK_KINDS)}):(.*)$")


@dataclass(frozen=True)
class Reference:
    """Something a Markdown body points to."""

    kind: str  # one of LINK_KINDS, or "empty", "image", "html", "url"
    target: str
    line: int  # 1-based, within the body
    text: str = ""


def _footnote_backref(
    self: object, tokens: list[Token], idx: int, options: object, env: dict[str, object]
) -> str:
    # The plugin's own arrow (U+21A9 U+FE0E) is missing from the book's fonts.
    number = tokens[idx].meta["id"] + 1
    doc_id = env.get("docId")
    prefix = f"-{doc_id}-" if isinstance(doc_id, str) else ""
    return f' <a href="#fnref{prefix}{number}" class="footnote-backref">\u2191</a>'


@lru_cache(maxsize=2)
def _parser(allow_html: bool) -> MarkdownIt:
    md = MarkdownIt("commonmark", {"html": allow_html, "typographer": False})
    md.enable("table")
    md.use(footnote_plugin)
    md.add_render_rule("footnote_anchor", _footnote_backref)
    return md


def _link_close(tokens: list[Token], start: int) -> int:
    """The index of the link_close that ends the link opened at `start`."""
    depth = 0
    for index in range(start + 1, len(tokens)):
        if tokens[index].type == "link_open":
            depth += 1
        elif tokens[index].type == "link_close":
            if depth == 0:
                return index
            depth -= 1
    return len(tokens)


def _inline_text(tokens: list[Token], start: int) -> str:
    inside = tokens[start + 1 : _link_close(tokens, start)]
    return "".join(t.content for t in inside if t.type in ("text", "code_inline"))


def scan(body: str) -> list[Reference]:
    """What a body refers to. Raw HTML is parsed (and reported) here, never rendered."""
    refs: list[Reference] = []
    tokens = _parser(True).parse(body, {})
    for block in tokens:
        line = (block.map[0] if block.map else 0) + 1
        if block.type == "html_block":
            refs.append(Reference("html", block.content.strip()[:60], line))
        children = block.children or []
        for index, token in enumerate(children):
            if token.type == "html_inline":
                refs.append(Reference("html", token.content[:60], line))
            elif token.type == "link_open":
                href = str(token.attrs.get("href", "")).strip()
                text = _inline_text(children, index)
                match = INTERNAL_RE.match(href)
                if href in ("", "#"):
                    refs.append(Reference("empty", href, line, text))
                elif match:
                    refs.append(Reference(match[1], match[2], line, text))
                else:
                    refs.append(Reference("url", href, line, text))
            elif token.type == "image":
                refs.append(Reference("image", str(token.attrs.get("src", "")), line))
    # Links that markdown-it refused to make: an empty target written as `[x]()`, or a
    # scheme it does not trust (javascript:, data:, file:, vbscript:).
    # The link text excludes '[' too: with only ']' excluded, a line of many '[' took
    # quadratic time (a 2 MiB line: hours).
    for number, text in enumerate(body.split("\n"), start=1):
        for match in re.finditer(r"\[([^\[\]]*)\]\(\s*\)", text):
            refs.append(Reference("empty", "", number, match[1]))
        for match in re.finditer(
            r"\]\(\s*<?((?:javascript|data|file|vbscript):[^)\s]*)", text, re.IGNORECASE
        ):
            refs.append(Reference("url", match[1], number))
    unique: dict[tuple[str, str, int], Reference] = {}
    for ref in refs:
        unique.setdefault((ref.kind, ref.target, ref.line), ref)
    return list(unique.values())


Resolver = Callable[[str, str], "str | None"]


def to_html(
    body: str,
    resolve: Resolver,
    doc_id: str,
    top_heading: int = 3,
    image_root: str = f"{ASSETS}/media/",
    terms: Callable[[list[Token]], None] | None = None,
) -> str:
    """Render a body. `resolve(kind, id)` gives an internal link's fragment id or None;
    `terms`, given the parsed body, links the glossary's terms in it."""
    md = _parser(False)
    env: dict[str, object] = {"docId": doc_id}
    tokens = md.parse(body, env)
    levels = [int(t.tag[1]) for t in tokens if t.type == "heading_open"]
    shift = top_heading - min(levels) if levels else 0
    for token in tokens:
        if token.type in ("heading_open", "heading_close"):
            token.tag = f"h{min(6, int(token.tag[1]) + shift)}"
        depth = 0  # parentheses open in the text before a child, within its paragraph
        for index, child in enumerate(token.children or []):
            _rewrite(child, resolve, image_root)
            if child.type == "link_open" and child.attrs.get("data-drop") == "1":
                _drop_link(token.children or [], index)
            elif (
                child.type == "link_open" and depth > 0 and "xref" in str(child.attrs.get("class"))
            ):
                # Its page goes after a comma, not in parentheses within parentheses.
                child.attrs["class"] = f"{child.attrs['class']} xref-in-parens"
            if child.type == "text":
                depth = max(0, depth + child.content.count("(") - child.content.count(")"))
        if token.children:
            token.children = _parentheses_apart(token.children)
    if terms is not None:
        terms(tokens)
    html: str = md.renderer.render(tokens, md.options, env)
    return html


def _parentheses_apart(children: list[Token]) -> list[Token]:
    """An opening parenthesis before a link, after a space, in an element of its own.

    Unicode's older line-breaking rule LB15 (no break in a closing quotation mark, spaces and
    an opening parenthesis), which the PDF's line breaking applies, keeps a quotation that
    ends before a citation, `deserves” (Windhoek, 2009)`, on one line with the citation: the
    line before it ends early and justification stretches it. Across two elements the break
    after the space is allowed, as Unicode 15.1's rules allow it within one text. The text is
    the same; only where a line may break changes."""
    out: list[Token] = []
    for child in children:
        before = out[-1] if out else None
        if (
            child.type == "link_open"
            and before is not None
            and before.type == "text"
            and len(before.content) > 2
            and before.content.endswith(" (")
        ):
            before.content = before.content[:-1]
            parenthesis = Token("html_inline", "", 0)
            parenthesis.content = '<span class="paren">(</span>'
            out.append(parenthesis)
        out.append(child)
    return out


def _rewrite(token: Token, resolve: Resolver, image_root: str) -> None:
    if token.type == "link_open":
        href = str(token.attrs.get("href", ""))
        match = INTERNAL_RE.match(href)
        if match:
            fragment = resolve(match[1], match[2])
            if fragment is None:
                token.attrs = {"data-drop": "1"}
            else:
                token.attrs = {"href": f"#{fragment}", "class": f"xref xref-{match[1]}"}
        elif href in ("", "#"):
            token.attrs = {"data-drop": "1"}
        else:
            token.attrs = {"href": href, "class": "external"}
    elif token.type == "image":
        src = str(token.attrs.get("src", ""))
        name = src.removeprefix("media/")
        token.attrs = {"src": image_root + name, "alt": token.content}


def _drop_link(children: list[Token], start: int) -> None:
    """Turn a link that cannot be made into its plain text."""
    for index in (start, _link_close(children, start)):
        if index < len(children):
            children[index].type = "text"
            children[index].content = ""
            children[index].attrs = {}


def plain_text(body: str) -> str:
    """The words of a body, without Markdown markup, one block per line."""
    tokens = _parser(False).parse(body, {})
    lines: list[str] = []
    for token in tokens:
        if token.type == "inline":
            words = [
                " " if child.type in ("softbreak", "hardbreak") else child.content
                for child in token.children or []
                if child.type in ("text", "code_inline", "softbreak", "hardbreak")
            ]
            lines.append(" ".join("".join(words).split()))
        elif token.type in ("code_block", "fence"):
            lines.append(token.content)
    return "\n".join(lines)


def printed_text(body: str) -> list[tuple[int, str]]:
    """What a rendered body shows, by block: (the block's 1-based line in the body, its text,
    a newline for each line break), with what a reader's software also shows or follows:
    image descriptions, link targets and titles, code."""
    blocks: list[tuple[int, str]] = []
    for token in _parser(False).parse(body, {}):
        first = (token.map[0] if token.map else 0) + 1
        if token.type == "inline":
            words: list[str] = []
            for child in token.children or []:
                if child.type in ("softbreak", "hardbreak"):
                    words.append("\n")
                elif child.type in ("text", "code_inline", "image"):
                    words.append(child.content)
                if child.type in ("link_open", "image"):
                    for key in ("href", "src", "title"):
                        if child.attrs.get(key):
                            words.append(f" {child.attrs[key]} ")
            blocks.append((first, "".join(words)))
        elif token.type in ("code_block", "fence"):
            blocks.append((first + (token.type == "fence"), token.content))
    return blocks
