"""Render: one assembled edition becomes one HTML document, through Jinja2 templates.

The same templates serve the print document (for WeasyPrint) and the ebook document (for
pandoc); `target` tells them apart. Interface strings come from the gettext catalogs.
"""

from __future__ import annotations

import gettext
import hashlib
import re
from collections.abc import Callable, MutableMapping
from pathlib import Path
from typing import Any, TypeVar

from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape
from markupsafe import Markup

from kpbrief.digest import digest_of
from kpbrief.document import ASSETS
from kpbrief.edition.catalog_text import EscapedTranslations, css_string
from kpbrief.edition.i18n import LANG_BEGIN, LANG_CLOSE, LANG_OPEN, without_language_marks
from kpbrief.edition.model import Edition
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
) -> Environment:
    """`environment`; a warm process's, with its templates compiled, kept while the template
    files are the same and `translations` the very catalogs it was made with."""
    if memo is None:
        return environment(layout_dirs, translations)
    files = [
        (path.as_posix(), path.read_bytes())
        for folder in layout_dirs
        for path in sorted((folder / "templates").rglob("*"))
        if path.is_file()
    ]
    key = digest_of("environment", files)
    kept = memo.get(key)
    if not (isinstance(kept, tuple) and kept[0] is translations):
        kept = memo[key] = (translations, environment(layout_dirs, translations))
    env: Environment = kept[1]
    return env


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
    env = _environment(layout_dirs, translations, memo)
    template = env.get_template("book.html")

    html = template.render(
        book=edition,
        target=target,
        press=press and target == "print",
        assets=ASSETS,
        timeline_svg=timeline_picture(edition),
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
    """`render_html`'s passes, piece by piece, each piece's state carried to the next: what
    the whole document gives, with each piece taken from `memo` when it and the state it is
    read in are the same as before. A pass's piece is known by the key of the piece it was
    made from (the digest of the piece, then of each pass and state)."""
    pattern = names_pattern(edition.names) if target == "print" else None
    names_key = digest_of(edition.names)

    def names(text: str, skip: int) -> tuple[str, int]:
        assert pattern is not None
        return names_run(text, pattern, skip)

    skip, typography = 0, typography_start(edition.lang)
    inside: tuple[str, ...] = ()
    out: list[str] = []
    for start, text, key in pieces:
        if pattern is not None and marked[0] <= start < marked[1]:
            text, skip, key = _kept(memo, ("names", names_key, key), skip, text, names)
        text, inside, key = _kept(memo, ("languages", key), inside, text, _languages_run)
        text, typography, key = _kept(memo, ("typography", key), typography, text, typography_run)
        out.append(text)
    return "".join(out)


S = TypeVar("S")


def _kept(
    memo: MutableMapping[str, object],
    step: tuple[str, ...],
    state: S,
    text: str,
    run: Callable[[str, S], tuple[str, S]],
) -> tuple[str, S, str]:
    """`run(text, state)`, taken from `memo` if made before from the same `step` (which
    names the pass and what `text` was made from) and `state`; and the key it is kept by."""
    key = "finish " + digest_of(step, state)
    kept = memo.get(key)
    if not isinstance(kept, tuple):
        kept = memo[key] = run(text, state)
    return kept[0], kept[1], key


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
