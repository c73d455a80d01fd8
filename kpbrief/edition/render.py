"""Render: one assembled edition becomes one HTML document, through Jinja2 templates.

The same templates serve the print document (for WeasyPrint) and the ebook document (for
pandoc); `target` tells them apart. Interface strings come from the gettext catalogs.
"""

from __future__ import annotations

import gettext
import hashlib
import re
import secrets
from collections.abc import Callable, MutableMapping
from pathlib import Path
from typing import Any, cast

from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape
from markupsafe import Markup

from kpbrief.digest import digest_of
from kpbrief.document import ASSETS
from kpbrief.edition.catalog_text import EscapedTranslations, css_string
from kpbrief.edition.i18n import LANG_BEGIN, LANG_CLOSE, LANG_OPEN, without_language_marks
from kpbrief.edition.model import Edition, StatementPage
from kpbrief.edition.names import mark_names, names_pattern, names_run
from kpbrief.edition.timeline import draw_timeline
from kpbrief.edition.typography import apply_typography, typography_run, typography_start


def environment(layout_dirs: list[Path], translations: gettext.NullTranslations) -> Environment:
    env = Environment(
        loader=FileSystemLoader([str(d / "templates") for d in layout_dirs]),
        autoescape=select_autoescape(default=True, default_for_string=True),
        undefined=StrictUndefined,
        extensions=["jinja2.ext.i18n"],
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters["css_string"] = css_string
    env.install_gettext_translations(  # type: ignore[attr-defined]
        EscapedTranslations(translations), newstyle=True
    )
    return env


def _environment(
    layout_dirs: list[Path],
    translations: gettext.NullTranslations,
    memo: MutableMapping[str, object] | None,
) -> tuple[Environment, str]:
    """`environment`, and a key of what it renders with; a warm process's, with its
    templates compiled, kept while the template files are the same and `translations` the
    very catalogs it was made with (its key: their digest, and a number of its own)."""
    if memo is None:
        return environment(layout_dirs, translations), ""
    files = [
        (path.as_posix(), path.read_bytes())
        for folder in layout_dirs
        for path in sorted((folder / "templates").rglob("*"))
        if path.is_file()
    ]
    # One environment per language's catalogs (the same templates serve every language).
    key = f"{digest_of('environment', files)} {id(translations)}"
    kept = memo.get(key)
    if not (isinstance(kept, tuple) and kept[0] is translations):
        made = digest_of(key, secrets.token_hex(16))  # these catalogs, these templates
        kept = memo[key] = (translations, environment(layout_dirs, translations), made)
    return kept[1], kept[2]


def _statement_html(env: Environment, statement: StatementPage, target: str, press: bool) -> Markup:
    html = env.get_template("statement.html").render(
        statement=statement, target=target, press=press, assets=ASSETS
    )
    return Markup(html)  # noqa: S704 - rendered by the templates, escaped there


def render_html(
    edition: Edition,
    layout_dirs: list[Path],
    translations: gettext.NullTranslations,
    target: str,
    press: bool = False,
    memo: MutableMapping[str, object] | None = None,
) -> str:
    """The whole book as one HTML document; `target` is "print" or "epub"; `press`: the
    print document for the press PDF (its stylesheet added). `memo` (a warm process's, see
    `build.warm`): the passes after the templates (names, languages, typography) take each
    piece of the document they made before, in the same state, as they made it."""
    env, made = _environment(layout_dirs, translations, memo)
    template = env.get_template("book.html")
    press = press and target == "print"

    def statement_html(statement: StatementPage) -> Markup:
        """One statement in full (`statement.html`); a warm process's, kept by the digest of
        the statement and of the templates and catalogs it is rendered with."""
        if memo is None:
            return _statement_html(env, statement, target, press)
        # The very page of the last round (`assemble` gives an unchanged one again): its HTML.
        slot = f"statement html {made} {target} {press} {statement.anchor}"
        last = memo.get(slot)
        if isinstance(last, tuple) and last[0] is statement:
            return cast(Markup, last[1])
        key = digest_of("statement html", made, target, press, statement)
        kept = memo.get(key)
        if not isinstance(kept, Markup):
            kept = memo[key] = _statement_html(env, statement, target, press)
        memo[slot] = (statement, kept)
        return kept

    def kept(name: str, *parts: object, caller: Callable[[], str]) -> Markup:
        """A section of the book (`{% call kept(name, parts…) %}…{% endcall %}`), made from
        `parts` alone (and the templates, catalogs and target): a warm process's, the very
        HTML of the last round when each part is the very object it was made from then
        (`assemble` gives an unchanged part again)."""
        if memo is None:
            return Markup(caller())  # noqa: S704 - rendered by the templates, escaped there
        slot = f"section {made} {target} {press} {name}"
        last = memo.get(slot)
        if (
            isinstance(last, tuple)
            and len(last[0]) == len(parts)
            and all(a is b for a, b in zip(last[0], parts, strict=True))
        ):
            return cast(Markup, last[1])
        html = Markup(caller())  # noqa: S704 - rendered by the templates, escaped there
        memo[slot] = (parts, html)
        return html

    html = template.render(
        book=edition,
        target=target,
        press=press,
        assets=ASSETS,
        timeline_svg=timeline_picture(edition),
        statement_html=statement_html,
        kept=kept,
    )
    # The body before the index: proper names are never hyphenated there (span.name in
    # print.css); the index's entries never are, and its names are read as they are written
    # (kpbrief.engines.pages, its tests).
    start, end = html.find("<body"), html.find('<h2 id="index"')
    end = len(html) if end < 0 else end
    if memo is not None and 0 <= start <= end:
        pieces = _pieces(html, (start, end), memo)
        if pieces is not None:
            return _finish_pieces(pieces, (start, end), edition, target, memo)
    if target == "print":
        html = html[:start] + mark_names(html[start:end], edition.names) + html[end:]
    return finish_html(html, edition.lang)


# Where a document is cut into pieces for a warm process: before each heading (a statement,
# a chapter, a part) and each list item (an entry of the chronology, the index, a list), so
# that an edit changes few pieces, and small ones.
_CUT = re.compile(r"<h[1-6][\s>]|<li[\s>]")
_COMMENT_OR_TAG = re.compile(r"(<!--.*?-->|<[^>]*>)", re.DOTALL)


def _pieces(
    html: str, marked: tuple[int, int], memo: MutableMapping[str, object]
) -> list[tuple[int, str, str]] | None:
    """The document cut before each heading and list item and at the ends of the names'
    span: each piece with its start and digest; None where a cut would fall inside a tag or
    a comment (then the passes read the document whole)."""
    cuts = sorted({0, *marked, *(m.start() for m in _CUT.finditer(html)), len(html)})
    pieces = []
    for a, b in zip(cuts, cuts[1:], strict=False):
        if a == b:
            continue
        piece = html[a:b]
        digest = hashlib.sha256(piece.encode("utf-8", "surrogatepass")).hexdigest()
        whole = memo.get("whole " + digest)
        if not isinstance(whole, bool):
            whole = memo["whole " + digest] = _whole(piece)
        if not whole:
            return None
        pieces.append((a, piece, digest))
    return pieces


def _whole(piece: str) -> bool:
    """Whether every tag and comment begun in `piece` ends in it."""
    parts = _COMMENT_OR_TAG.split(piece)
    if any("<" in text for text in parts[::2]):
        return False
    return not any(t.startswith("<!--") and not t.endswith("-->") for t in parts[1::2])


def _finish_pieces(
    pieces: list[tuple[int, str, str]],
    marked: tuple[int, int],
    edition: Edition,
    target: str,
    memo: MutableMapping[str, object],
) -> str:
    """`render_html`'s passes, piece by piece, each pass's state carried to the next piece:
    what the whole document gives, each piece taken from `memo` when it and the states it
    is read in are the same as before."""
    pattern = names_pattern(edition.names) if target == "print" else None
    names_key = digest_of(edition.names)
    skip, typography = 0, typography_start(edition.lang)
    inside: tuple[str, ...] = ()
    out: list[str] = []
    for start, text, digest in pieces:
        named = pattern is not None and marked[0] <= start < marked[1]
        key = f"finish {digest} {named and names_key} {skip} {inside!r} {typography!r}"
        kept = memo.get(key)
        if not isinstance(kept, tuple):
            made, after = text, skip
            if pattern is not None and named:
                made, after = names_run(made, pattern, skip)
            made, inside_after = _languages_run(made, inside)
            made, typography_after = typography_run(made, typography)
            kept = memo[key] = (made, after, inside_after, typography_after)
        made, skip, inside, typography = kept
        out.append(made)
    return "".join(out)


def finish_html(html: str, lang: str) -> str:
    """A rendered document made final: messages shown in another language than the book's
    marked with their `lang`, then the language's typography."""
    return apply_typography(label_languages(html), lang)


# Where a message's language cannot be an element: inside these, its marks are dropped.
_NO_SPANS = ("head", "title", "svg", "style", "script", "textarea", "option")
_TAG = re.compile(r"(<[^>]*>)")
_TAG_NAME = re.compile(r"</?\s*([A-Za-z][\w:-]*)")
_OPENING = re.compile(f"{LANG_OPEN}([A-Za-z0-9-]*){LANG_BEGIN}")


def label_languages(html: str) -> str:
    """Each message `MarkedTranslations` marked as shown in another language becomes
    <span lang="…">…</span> in running text; inside a tag, or an element that can hold no
    span, only its words are kept."""
    if LANG_OPEN not in html and LANG_CLOSE not in html:
        return html
    return _languages_run(html, ())[0]


def _languages_run(html: str, state: tuple[str, ...]) -> tuple[str, tuple[str, ...]]:
    """`label_languages` on a piece of a document that begins with a tag (or at its start),
    inside the elements `state` (of `_NO_SPANS`); and those it leaves open."""
    out: list[str] = []
    inside: list[str] = list(state)
    for piece in _TAG.split(html):
        if piece.startswith("<"):
            _follow(piece, inside)
            out.append(without_language_marks(piece))
        elif any(name in _NO_SPANS for name in inside):
            out.append(without_language_marks(piece))
        else:
            spans = _OPENING.sub(lambda m: f'<span lang="{m.group(1)}">', piece)
            out.append(spans.replace(LANG_CLOSE, "</span>"))
    return "".join(out), tuple(inside)


_VOID = {
    "area",
    "base",
    "br",
    "col",
    "embed",
    "hr",
    "img",
    "input",
    "link",
    "meta",
    "source",
    "track",
    "wbr",
}


def _follow(tag: str, inside: list[str]) -> None:
    """Keep `inside` as the open elements among `_NO_SPANS` after `tag`."""
    found = _TAG_NAME.match(tag)
    if found is None or tag.startswith(("<!", "<?")):
        return
    name = found.group(1).lower()
    if name not in _NO_SPANS or name in _VOID or tag.endswith("/>"):
        return
    if tag.startswith("</"):
        if name in inside:
            del inside[len(inside) - 1 - inside[::-1].index(name) :]
    else:
        inside.append(name)


def plain_text(text: str) -> str:
    """A rendered text that is not HTML (a metadata field): its words, marks dropped."""
    return without_language_marks(text)


def timeline_picture(edition: Edition) -> Callable[..., Markup]:
    """The template's `timeline_svg(title, palette="page")`: the chronology's picture."""

    def timeline(title: str, palette: str = "page") -> Markup:
        return Markup(draw_timeline(edition.timeline, title, palette))

    return timeline


def render_cover_html(
    edition: Edition, layout_dirs: list[Path], translations: gettext.NullTranslations
) -> str:
    """The cover alone, as a document: the source of the EPUB's cover image."""
    env = environment(layout_dirs, translations)
    html = env.get_template("cover-image.html").render(
        book=edition, assets=ASSETS, timeline_svg=timeline_picture(edition)
    )
    return finish_html(html, edition.lang)


def epub_texts(env: Any, edition: Edition) -> dict[str, str]:
    """The texts the EPUB adds around the book, from `epub-texts.html` (its top-level
    variables: toc_title, landmarks, cover_alt), for one edition."""
    module = env.get_template("epub-texts.html").make_module({"book": edition})

    def text(name: str) -> str:
        words = without_language_marks(str(getattr(module, name)))
        return apply_typography(" ".join(words.split()), edition.lang)

    return {name: text(name) for name in ("toc_title", "landmarks", "cover_alt")}
