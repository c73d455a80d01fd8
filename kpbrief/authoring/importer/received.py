"""The received file as pandoc reads it: its tree, cleaned of what a book refuses, and Markdown.

pandoc runs in its sandbox (no network, no file but its input). Raw HTML, links without a
real target or to a scheme other than http, https and mailto, and pictures are taken out,
each with a note for a REVIEW comment; plain text is read as Markdown-ish text first.
"""

from __future__ import annotations

import json
import re
import tempfile
from pathlib import Path
from typing import Any

from kpbrief.content.reader import fold_newlines
from kpbrief.engines.pandoc import PandocFailed, run_pandoc

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


PANDOC_ARGS = ["--wrap=preserve"]  # run_pandoc adds --sandbox
# What pandoc may take to read one received statement: a zip bomb is stopped at the ceiling.
PANDOC_MEMORY = "512m"
PANDOC_SECONDS = 60.0


MAX_RECEIVED_BYTES = 20 * 1024 * 1024


ALLOWED_SCHEMES = ("http://", "https://", "mailto:")


# A short line of a plain-text file; a longer one ending a sentence ends its paragraph.
SHORT_LINE = 60


_SENTENCE_END = re.compile(r"[.!?:;…][\"”’»)\]*_]*$")


_BULLET_LINE = re.compile(r"^[ \t]*[•◦▪‣·][ \t]*(?P<item>\S.*)$")


class ImportRefused(Exception):
    """Nothing was written; `code` is the exit code (1 a problem, 2 a usage error)."""

    def __init__(self, message: str, code: int = 1) -> None:
        super().__init__(message)
        self.code = code


def plain_to_markdown(text: str) -> str:
    """A plain-text statement as Markdown, its words untouched.

    Paragraphs are separated by blank lines. Inside one, a line that ends a sentence and is
    not short ends a paragraph too (e-mails often separate paragraphs by a single line
    break); another short line keeps its line break (letterheads, signatures); a long line
    that stops mid-sentence was wrapped and joins the next. Lines starting with a bullet
    (•) become Markdown list items. Leading spaces go (they would make code blocks).
    """
    out: list[str] = []
    for block in re.split(r"\n[ \t]*\n", fold_newlines(text)):
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


def inline_text(node: Any) -> str:
    """The words of a part of pandoc's tree, without its notes, images and raw code."""
    if isinstance(node, list):
        return "".join(inline_text(item) for item in node)
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
        return marks[0] + inline_text(content[1]) + marks[1]
    if kind in ("Link", "Span", "Cite"):
        return inline_text(content[1])
    return inline_text(content)


def block_text(block: dict[str, Any]) -> str:
    kind = block.get("t")
    if kind == "Header":
        return " ".join(inline_text(block["c"][2]).split())
    if kind in ("Para", "Plain"):
        return " ".join(inline_text(block["c"]).split())
    return " ".join(inline_text(block.get("c")).split())


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


class Cleaner:
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
            words = " ".join(inline_text(inlines).split())
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


def pandoc_tree(data: bytes, suffix: str) -> dict[str, Any]:
    """pandoc's document tree of the received file, in a bounded pandoc (engines.pandoc)."""
    reader = READERS[suffix]
    try:
        if suffix in TEXT_SUFFIXES:
            text = fold_newlines(data.decode("utf-8-sig"))
            if suffix == ".txt":
                text = plain_to_markdown(text)
            out = run_pandoc(
                [f"--from={reader}", "--to=json", *PANDOC_ARGS],
                stdin=text.encode("utf-8"),
                memory=PANDOC_MEMORY,
                seconds=PANDOC_SECONDS,
            )
        else:
            with tempfile.TemporaryDirectory() as work:
                received = Path(work) / f"received{suffix}"
                received.write_bytes(data)
                out = run_pandoc(
                    [f"--from={reader}", "--to=json", *PANDOC_ARGS, received.name],
                    cwd=Path(work),
                    memory=PANDOC_MEMORY,
                    seconds=PANDOC_SECONDS,
                )
    except PandocFailed as failure:
        raise ImportRefused(f"pandoc cannot read the file as {reader}: {failure}") from None
    tree: dict[str, Any] = json.loads(out.decode("utf-8"))
    return tree


def markdown_of(tree: dict[str, Any]) -> str:
    text = run_pandoc(
        ["--from=json", f"--to={WRITER}", *PANDOC_ARGS],
        stdin=json.dumps(tree).encode("utf-8"),
        memory=PANDOC_MEMORY,
        seconds=PANDOC_SECONDS,
    ).decode("utf-8")
    return fold_newlines(text).strip("\n") + "\n"
