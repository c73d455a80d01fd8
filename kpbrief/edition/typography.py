"""Typography of the rendered document, by language, on text nodes only.

Tags, attribute values, and the text inside code, pre, style, script, and of URLs,
e-mail addresses and international telephone numbers are left exactly as they are.
"""

from __future__ import annotations

import html
import re
from collections.abc import Callable

NBSP = "\u00a0"
NNBSP = "\u202f"

_TAG_RE = re.compile(r"(<!--.*?-->|<[^>]*>)", re.DOTALL)
_SKIP_TAGS = ("code", "pre", "style", "script", "kbd", "samp", "svg", "title")
_VOID_TAGS = ("br", "img", "hr", "meta", "link", "input")  # they hold nothing: no end tag
_LANG_ATTR_RE = re.compile(r"""\blang\s*=\s*["']([^"']+)["']""")
# A telephone number in international form ("+32 474 12 34 56") keeps its groups and their
# plain spaces: the French rule for thousands would join "+32 474" with a narrow space.
_PROTECTED_RE = re.compile(
    r"(\b[a-z][a-z0-9+.-]*://\S+|\bmailto:\S+|(?<![\w.+'-])[\w.+'-]+@[\w-]+(?:\.[\w-]+)+"
    r"|(?<![\w+])\+\d{1,3}(?:[ .\u00a0-]?\(?\d{1,4}\)?)+(?!\w))"
)


def _english(text: str) -> str:
    text = re.sub(r"(?<=\w)'(?=\w)", "’", text)
    text = re.sub(r"(^|[\s(\[{—–-])\"", "\\1“", text)
    text = text.replace('"', "”")
    text = re.sub(r"(^|[\s(\[{—–-])'", "\\1‘", text)
    text = text.replace("'", "’")
    return _ranges(text)


def _ranges(text: str) -> str:
    """En dash in number ranges: 2009-2023, pp. 12-14 (not ISO dates like 2019-11-22)."""
    return re.sub(r"(?<![\d-])(\d{1,4})-(\d{1,4})(?![\d-])", "\\1–\\2", text)


def _french(text: str) -> str:
    text = re.sub(r"(?<=\w)'(?=\w)", "’", text)
    text = text.replace("'", "’")
    text = re.sub(r"\"(?=\w)", "«" + NNBSP, text)
    text = re.sub(r"(?<=[\w.!?,;:…])\"", NNBSP + "»", text)
    # Spaces: narrow no-break before ; ! ? », after «; no-break before :
    text = re.sub(r"[ \u00a0\u202f]*([;!?»])", lambda m: NNBSP + m[1], text)
    text = re.sub(r"«[ \u00a0\u202f]*", "«" + NNBSP, text)
    text = re.sub(r"[ \u00a0\u202f]+:(?=\s|$)", NBSP + ":", text)
    text = re.sub(r"(?<=\w):(?=\s|$)", NBSP + ":", text)
    # Undo spaces the rules above put where no space belongs: "?!" pairs and line starts.
    text = re.sub(r"\n\u202f([;!?»])", "\n\\1", text)
    text = re.sub(r"^:(?=\s)", NBSP + ":", text)
    text = re.sub(r"([!?])\u202f([!?])", "\\1\\2", text)
    # Numbers: 1 000 000, and a number and its unit.
    text = re.sub(r"(?<=\d) (?=\d{3}\b)", NNBSP, text)
    text = re.sub(
        r"(?<=\d) (?=(?:%|€|\$|km|kg|ct|carats?|ans|millions?|milliards?)\b|%)", NNBSP, text
    )
    return _ranges(text)


RULES: dict[str, Callable[[str], str]] = {"en": _english, "fr": _french}

# The characters without which a rule (and the unescaping and escaping around it) leaves a
# text unchanged: most text nodes of a book hold none and are passed over as they are.
_TRIGGERS: dict[str, re.Pattern[str]] = {
    "en": re.compile(r"['\"&<>-]"),
    "fr": re.compile(r"['\"&<>;!?»«:\d]"),
}
_TAG_NAME_RE = re.compile(r"</?\s*([a-zA-Z0-9]+)")


def _apply(rule: Callable[[str], str], text: str) -> str:
    # Entities stay entities; URLs and e-mails stay as written.
    parts = _PROTECTED_RE.split(text)
    out = []
    for index, part in enumerate(parts):
        if index % 2 == 1:
            out.append(part)
        else:
            text = rule(html.unescape(part))
            out.append(text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;"))
    return "".join(out)


# Where the pass stands between two pieces of a document: the elements with a `lang` open
# (name, language), the document's own first; and how deep in elements left as they are.
TypographyState = tuple[tuple[tuple[str, str], ...], int]


def typography_start(document_lang: str) -> TypographyState:
    """The state at a document's start."""
    return ((("", document_lang.split("-")[0].split("_")[0]),), 0)


def apply_typography(document: str, document_lang: str) -> str:
    """Apply each passage's own language's rules (its nearest `lang` attribute)."""
    return typography_run(document, typography_start(document_lang))[0]


def typography_run(document: str, state: TypographyState) -> tuple[str, TypographyState]:
    """`apply_typography` on a piece of a document that begins with a tag (or at its start),
    from the state the pass is in there; and the state it leaves the pass in."""
    lang_stack = list(state[0])
    skip_depth = state[1]
    rule, trigger = RULES.get(lang_stack[-1][1]), _TRIGGERS.get(lang_stack[-1][1])
    pieces = _TAG_RE.split(document)  # texts at even places, the tags between them at odd
    for index in range(0, len(pieces), 2):
        text = pieces[index]
        # Most texts hold no character a rule changes: they are left as they are, uncopied.
        if text and skip_depth <= 0 and rule is not None and (not trigger or trigger.search(text)):
            pieces[index] = _apply(rule, text)
        if index + 1 == len(pieces):
            break
        tag = pieces[index + 1]
        if tag.startswith("<!"):
            continue
        name_match = _TAG_NAME_RE.match(tag)
        if not name_match:
            continue
        name = name_match[1].lower()
        closing = tag.startswith("</")
        self_closing = tag.endswith("/>") or name in _VOID_TAGS
        if name in _SKIP_TAGS and not self_closing:
            skip_depth += -1 if closing else 1
        if closing:
            for position in range(len(lang_stack) - 1, 0, -1):
                if lang_stack[position][0] == name:
                    del lang_stack[position:]
                    rule, trigger = RULES.get(lang_stack[-1][1]), _TRIGGERS.get(lang_stack[-1][1])
                    break
        elif not self_closing and "lang" in tag:
            lang_match = _LANG_ATTR_RE.search(tag)
            if lang_match:
                lang = lang_match[1].split("-")[0].lower()
                lang_stack.append((name, lang))
                rule, trigger = RULES.get(lang), _TRIGGERS.get(lang)
    return "".join(pieces), (tuple(lang_stack), skip_depth)
