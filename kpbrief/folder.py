"""The book folder: where every kind of file lives. The one place that spells it out.

<book>/content/book.yaml               the book: id, title, languages, edition
<book>/content/statements/<id>.<lang>.md
<book>/content/issues/<id>.<lang>.md
<book>/content/people/<id>.yaml
<book>/content/organisations/<id>.yaml
<book>/content/events/<id>.yaml
<book>/content/pages/<id>.<lang>.md    the editors' pages: about this book, the publisher
<book>/content/glossary.yaml           the glossary's terms
<book>/content/sources/...             statements as received (`source.file`)
<book>/content/media/...               pictures the text shows
<book>/layouts/, <book>/locales/       optional: the book's own, before kpbrief's
<book>/locales/<lang>/LC_MESSAGES/messages.po, <book>/locales/messages.pot
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from kpbrief import TOOL_ROOT

CONTENT = "content"
BOOK_FILE = "book.yaml"
GLOSSARY_FILE = "glossary.yaml"
SOURCES = "sources"
MEDIA = "media"
LAYOUTS = "layouts"
LOCALES = "locales"
DOMAIN = "messages"  # the gettext domain of every catalog


@dataclass(frozen=True)
class Kind:
    """A kind of content file: its folder under content/, and whether it has a language."""

    name: str
    folder: str
    localised: bool  # <id>.<lang>.md rather than <id>.yaml

    def file_name(self, ident: str, lang: str = "") -> str:
        return f"{ident}.{lang}.md" if self.localised else f"{ident}.yaml"

    @property
    def pattern(self) -> str:
        """How a file of this kind is named, for messages."""
        return "<id>.<lang>.md" if self.localised else "<id>.yaml"


KINDS = {
    kind.name: kind
    for kind in (
        Kind("statement", "statements", True),
        Kind("issue", "issues", True),
        Kind("person", "people", False),
        Kind("organisation", "organisations", False),
        Kind("event", "events", False),
        Kind("page", "pages", True),
    )
}


@dataclass(frozen=True)
class BookFolder:
    """The paths of one book folder."""

    root: Path

    @property
    def content(self) -> Path:
        return self.root / CONTENT

    @property
    def book_file(self) -> Path:
        return self.content / BOOK_FILE

    def kind_dir(self, kind: str) -> Path:
        return self.content / KINDS[kind].folder

    @property
    def sources(self) -> Path:
        return self.content / SOURCES

    @property
    def media(self) -> Path:
        return self.content / MEDIA

    @property
    def own_locales(self) -> Path:
        return self.root / LOCALES

    @property
    def template_catalog(self) -> Path:
        return self.own_locales / f"{DOMAIN}.pot"

    def layout_dirs(self) -> list[Path]:
        """The book's own layouts first, when it has them, then kpbrief's."""
        own = self.root / LAYOUTS
        return ([own] if own.is_dir() else []) + [TOOL_ROOT / LAYOUTS]

    def locale_dirs(self) -> list[Path]:
        """The book's own catalogs first, when it has them, then kpbrief's (once)."""
        own = self.own_locales
        dirs = [own] if own.is_dir() else []
        default = TOOL_ROOT / LOCALES
        return dirs + ([default] if default.resolve() not in [d.resolve() for d in dirs] else [])


def catalog_path(locales_dir: Path, code: str) -> Path:
    """A language's catalog in a locales folder."""
    return locales_dir / code / "LC_MESSAGES" / f"{DOMAIN}.po"


def catalog_codes(lang: str) -> list[str]:
    """The catalog codes that can serve a language, most specific first: fr_CA, fr."""
    codes = [lang]
    if "_" in lang:
        codes.append(lang.split("_")[0])
    return codes


def find_catalog(locales_dirs: list[Path], lang: str) -> Path | None:
    for code in catalog_codes(lang):
        for folder in locales_dirs:
            path = catalog_path(folder, code)
            if path.is_file():
                return path
    return None


def layout_dirs(source: Path) -> list[Path]:
    return BookFolder(source).layout_dirs()


def locale_dirs(source: Path) -> list[Path]:
    return BookFolder(source).locale_dirs()
