"""Localisation: message catalogs compiled from `.po` files, and Babel's dates and numbers."""

from __future__ import annotations

import gettext
import re
from dataclasses import dataclass
from functools import lru_cache
from io import BytesIO
from pathlib import Path
from typing import Any

from babel import Locale
from babel.dates import format_date, format_interval, format_skeleton
from babel.lists import format_list
from babel.messages.catalog import Catalog
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po

from kpbrief.content.model import PartialDate
from kpbrief.folder import DOMAIN, catalog_codes, catalog_path

# The language the templates' own strings are written in: it needs no catalog.
TEMPLATE_LANG = "en"


def compile_po(path: Path, locale: str) -> gettext.GNUTranslations:
    """Compile a `.po` file in memory: no binary catalog needs to be committed."""
    with path.open("rb") as handle:
        catalog = read_po(handle, locale=locale)
    return _compiled(catalog)


def coverage(path: Path, locale: str, template: Path | None) -> tuple[set[Any], set[Any]]:
    """The interface strings a catalog is for (its own and its template's, messages.pot),
    and those it translates (neither empty nor fuzzy)."""
    with path.open("rb") as handle:
        catalog = read_po(handle, locale=locale)
    done = {m.id for m in catalog if m.id and _translated(m.string) and not m.fuzzy}
    wanted = {m.id for m in catalog if m.id}
    if template is not None and template.is_file():
        with template.open("rb") as handle:
            wanted |= {m.id for m in read_po(handle) if m.id}
    return wanted, done


def _translated(string: Any) -> bool:
    """A message's translation is there: every plural form of it, when it has plurals."""
    return all(string) if isinstance(string, tuple) else bool(string)


def _compiled(catalog: Catalog) -> gettext.GNUTranslations:
    buffer = BytesIO()
    write_mo(buffer, catalog, use_fuzzy=False)
    buffer.seek(0)
    return gettext.GNUTranslations(buffer)


@dataclass(frozen=True)
class Translations:
    """Interface strings for one book language, with what stands behind them."""

    gettext: gettext.NullTranslations
    has_catalog: bool
    complete: bool = False  # every interface string in this language (or none needed)


# A message shown in another language than the book's is wrapped, on its way through the
# templates, in these private-use characters with the language's code:
# OPEN + code + BEGIN + message + CLOSE. `render` turns each into <span lang="code">, or drops
# the marks where no element can be (attributes, <title>, pictures, plain texts).
LANG_OPEN, LANG_BEGIN, LANG_CLOSE = "\ue000", "\ue001", "\ue002"


class MarkedTranslations(gettext.NullTranslations):
    """The catalogs of a language whose interface is not fully translated: each message says
    which language it comes out in, the book's own (unmarked), the fallback catalog's, or
    the templates' English."""

    def __init__(
        self,
        own: gettext.NullTranslations,
        own_done: set[Any],
        fallback: tuple[gettext.NullTranslations, set[Any], str] | None,
        lang: str,
    ) -> None:
        super().__init__()
        self.own, self.own_done, self.fallback, self.lang = own, own_done, fallback, lang

    def _mark(self, key: Any, own: str, fallback: str, default: str) -> str:
        if key in self.own_done:
            return own
        shown, text = TEMPLATE_LANG, default
        if self.fallback is not None and key in self.fallback[1]:
            shown, text = self.fallback[2], fallback
        if shown.split("_")[0] == self.lang.split("_")[0]:
            return text
        return f"{LANG_OPEN}{shown.replace('_', '-')}{LANG_BEGIN}{text}{LANG_CLOSE}"

    def _other(self) -> gettext.NullTranslations:
        return self.fallback[0] if self.fallback is not None else gettext.NullTranslations()

    def gettext(self, message: str) -> str:
        return self._mark(
            message, self.own.gettext(message), self._other().gettext(message), message
        )

    def ngettext(self, msgid1: str, msgid2: str, n: int) -> str:
        default = msgid1 if n == 1 else msgid2
        return self._mark(
            (msgid1, msgid2),
            self.own.ngettext(msgid1, msgid2, n),
            self._other().ngettext(msgid1, msgid2, n),
            default,
        )

    def pgettext(self, context: str, message: str) -> str:
        return self._mark(
            message,
            self.own.pgettext(context, message),
            self._other().pgettext(context, message),
            message,
        )

    def npgettext(self, context: str, msgid1: str, msgid2: str, n: int) -> str:
        default = msgid1 if n == 1 else msgid2
        return self._mark(
            (msgid1, msgid2),
            self.own.npgettext(context, msgid1, msgid2, n),
            self._other().npgettext(context, msgid1, msgid2, n),
            default,
        )


def without_language_marks(text: str) -> str:
    """A text with the marks of `MarkedTranslations` taken out, its words kept."""
    return _MARK.sub("", text)


_MARK = re.compile(f"{LANG_OPEN}[^{LANG_BEGIN}]*{LANG_BEGIN}|{LANG_CLOSE}")


def translations_for(locales_dirs: list[Path], lang: str, fallback_lang: str) -> Translations:
    """Catalog of `lang` (book folder's own first, then kpbrief's), falling back to the
    book's first language when `lang` has none. Where the catalogs leave messages
    untranslated, each of those says the language it is shown in (`MarkedTranslations`)."""
    own, wanted, done = _chain(locales_dirs, lang)
    has_catalog = own is not None
    # Complete when every string is translated by one catalog or another of the chain.
    complete = lang.split("_")[0] == TEMPLATE_LANG or (has_catalog and wanted <= done)
    if complete:
        assert own is not None or lang.split("_")[0] == TEMPLATE_LANG
        return Translations(own or gettext.NullTranslations(), has_catalog, complete)
    fallback = None
    if not has_catalog and fallback_lang != lang:
        other, _wanted, other_done = _chain(locales_dirs, fallback_lang)
        if other is not None:
            fallback = (other, other_done, fallback_lang)
    marked = MarkedTranslations(own or gettext.NullTranslations(), done, fallback, lang)
    return Translations(marked, has_catalog, complete)


def _chain(
    locales_dirs: list[Path], lang: str
) -> tuple[gettext.GNUTranslations | None, set[Any], set[Any]]:
    """The catalogs of one language, chained (book folder's first), with the messages they
    are for and those they translate."""
    chain: list[gettext.GNUTranslations] = []
    wanted: set[Any] = set()
    done: set[Any] = set()
    for code in catalog_codes(lang):
        for folder in locales_dirs:
            path = catalog_path(folder, code)
            if path.is_file():
                chain.append(compile_po(path, code))
                more_wanted, more_done = coverage(path, code, folder / f"{DOMAIN}.pot")
                wanted |= more_wanted
                done |= more_done
    if not chain:
        return None, wanted, done
    first = chain[0]
    for more in chain[1:]:
        first.add_fallback(more)
    return first, wanted, done


@lru_cache(maxsize=8192)
def format_partial(date: PartialDate, locale: str) -> str:
    """A date as precise as it is known: '22 November 2019', 'June 2009', '2009'. (A book
    prints each date several times, and Babel reads the locale again for each.)"""
    if date.precision == "day":
        return format_date(date.as_date(), "long", locale=locale)
    if date.precision == "month":
        return format_skeleton("yMMMM", date.as_date(), locale=locale)
    return format_skeleton("y", date.as_date(), locale=locale)


def format_span(start: PartialDate, end: PartialDate | None, locale: str) -> str:
    """A date, or a range of dates where an event spans days."""
    if end is None or end == start:
        return format_partial(start, locale)
    if start.precision == "day" and end.precision == "day":
        return format_interval(start.as_date(), end.as_date(), "yMMMMd", locale=locale)
    if start.precision == end.precision == "month":
        return format_interval(start.as_date(), end.as_date(), "yMMMM", locale=locale)
    return f"{format_partial(start, locale)} – {format_partial(end, locale)}"


def country_name(code: str | None, locale: str) -> str | None:
    if code is None:
        return None
    name: str = Locale.parse(locale).territories.get(code, code)
    return name


def text_direction(lang: str) -> str:
    return "rtl" if Locale.parse(lang).character_order == "right-to-left" else "ltr"


def language_names(codes: list[str], locale: str) -> str:
    """Languages named in `locale` and listed as its grammar wants: "French and Portuguese"."""
    parsed = Locale.parse(locale)
    names = [parsed.languages.get(code.split("_")[0], code) for code in codes]
    return format_list(names, locale=parsed) if names else ""
