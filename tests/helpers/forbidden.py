"""What must never reach an output, as functions that list every finding (empty: clean).

Used by the hostile-corpus tests and the fuzzing tests. Attribute values are read as a
browser reads them (entities decoded, control characters and spaces dropped from a scheme).
"""

from __future__ import annotations

import re
from html.parser import HTMLParser
from typing import Any

FORBIDDEN_TAGS = frozenset(
    {
        "script",
        "iframe",
        "frame",
        "frameset",
        "object",
        "embed",
        "applet",
        "form",
        "input",
        "button",
        "textarea",
        "select",
        "base",
        "portal",
    }
)
# Attributes whose value an engine or a reader may load or follow.
URL_ATTRIBUTES = frozenset(
    {
        "href",
        "src",
        "xlink:href",
        "data",
        "action",
        "formaction",
        "poster",
        "srcset",
        "background",
        "longdesc",
        "usemap",
        "cite",
    }
)
# Of those, the ones an engine loads by itself: only files of the book, by relative path.
LOADED = frozenset({"src", "data", "poster", "srcset", "background"})
LINK_SCHEMES = ("http", "https", "mailto", "tel")
SCHEME_RE = re.compile(r"^([a-z][a-z0-9+.\-]*):")
STYLE_LOADS = ("url(", "@import", "image-set(", "expression(")


def url_problem(name: str, value: str, tag: str) -> str | None:
    """Why an attribute's URL is forbidden, or None."""
    squeezed = re.sub(r"[\x00-\x20\x7f]+", "", value).lower()
    scheme = SCHEME_RE.match(squeezed)
    if name in LOADED or (tag in ("link", "image", "use") and name in ("href", "xlink:href")):
        if scheme or squeezed.startswith(("/", "\\")):
            return f"<{tag} {name}={value[:80]!r}> loads something outside the book"
        return None
    if scheme and scheme[1] not in LINK_SCHEMES:
        return f"<{tag} {name}={value[:80]!r}> uses the scheme {scheme[1]}:"
    return None


class _Scanner(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.findings: list[str] = []
        self.in_style = 0
        self.text: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        tag = tag.lower()
        if tag in FORBIDDEN_TAGS:
            self.findings.append(f"a <{tag}> element")
        if tag == "style":
            self.in_style += 1
        if tag == "meta" and any(
            n.lower() == "http-equiv" and (v or "").lower() == "refresh" for n, v in attrs
        ):
            self.findings.append("a <meta http-equiv=refresh>")
        if tag == "link":
            rel = " ".join(v or "" for n, v in attrs if n.lower() == "rel").lower()
            if rel not in ("stylesheet", ""):
                self.findings.append(f"a <link rel={rel!r}>")
        for name, raw in attrs:
            name = name.lower()
            value = raw or ""
            if name.startswith("on"):
                self.findings.append(f"an event handler <{tag} {name}=...>")
            elif name == "style" and any(s in value.lower() for s in STYLE_LOADS):
                self.findings.append(f"a style that loads something: {value[:80]!r}")
            elif name in URL_ATTRIBUTES:
                problem = url_problem(name, value, tag)
                if problem:
                    self.findings.append(problem)

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.handle_starttag(tag, attrs)
        if tag.lower() == "style":
            self.in_style -= 1

    def handle_endtag(self, tag: str) -> None:
        if tag.lower() == "style" and self.in_style:
            self.in_style -= 1

    def handle_data(self, data: str) -> None:
        if self.in_style and any(s in data.lower() for s in STYLE_LOADS):
            self.findings.append(f"a <style> that loads something: {data.strip()[:80]!r}")
        self.text.append(data)

    def handle_decl(self, decl: str) -> None:
        if "SYSTEM" in decl.upper() and "://" in decl and "w3.org" not in decl:
            self.findings.append(f"a doctype that names a resource: {decl[:80]!r}")


def html_findings(document: str) -> list[str]:
    """Everything forbidden in an HTML or XHTML document (its CSS files are judged apart)."""
    scanner = _Scanner()
    scanner.feed(document)
    scanner.close()
    return scanner.findings


def html_text(document: str) -> str:
    """The document's text, as a reader sees it (entities decoded)."""
    scanner = _Scanner()
    scanner.feed(document)
    scanner.close()
    return "".join(scanner.text)


CSS_URL_RE = re.compile(r"url\(\s*['\"]?([^'\")]*)", re.IGNORECASE)


def css_findings(css: str) -> list[str]:
    """A stylesheet may load only files beside it, by relative path."""
    findings = [
        f"CSS url({u[:80]!r})" for u in CSS_URL_RE.findall(css) if url_problem("src", u, "css")
    ]
    if "@import" in css.lower():
        findings.append("a CSS @import")
    return findings


PDF_FORBIDDEN_KEYS = frozenset(
    {
        "/JavaScript",
        "/JS",
        "/Launch",
        "/EmbeddedFile",
        "/EmbeddedFiles",
        "/SubmitForm",
        "/ImportData",
        "/RichMedia",
        "/GoToR",
        "/GoToE",
        "/AA",
        "/OpenAction",
    }
)


def pdf_findings(reader: Any) -> list[str]:
    """Actions, scripts, attachments, and links with other schemes, anywhere in a PDF."""
    from pypdf.generic import ArrayObject, DictionaryObject, IndirectObject

    findings: list[str] = []
    seen: set[tuple[int, int]] = set()
    stack: list[Any] = [reader.trailer]
    while stack:
        item = stack.pop()
        if isinstance(item, IndirectObject):
            key = (item.idnum, item.generation)
            if key in seen:
                continue
            seen.add(key)
            stack.append(item.get_object())
        elif isinstance(item, DictionaryObject):
            for name, value in item.items():
                if name in PDF_FORBIDDEN_KEYS:
                    findings.append(f"PDF key {name}")
                action = value.get_object() if name == "/A" else None
                # An action has /S; structure attributes (/A of a tagged element) have /O.
                if (
                    isinstance(action, DictionaryObject)
                    and "/S" in action
                    and action["/S"] not in ("/URI", "/GoTo")
                ):
                    findings.append(f"PDF action {action['/S']}")
                if name == "/URI":
                    uri = str(value.get_object())
                    scheme = SCHEME_RE.match(uri.lower())
                    if not scheme or scheme[1] not in LINK_SCHEMES:
                        findings.append(f"PDF link {uri[:80]!r}")
                stack.append(value)
        elif isinstance(item, ArrayObject):
            stack.extend(item)
    return findings
