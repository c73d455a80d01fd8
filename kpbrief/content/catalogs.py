"""The interface catalogs a book's languages need: a language other than the templates' own
has a catalog that translates every message, or the check says what is missing and how to
fill it in.

A language is served by a chain of catalogs (the book's own `locales/` first, then kpbrief's;
`fr_CA` then `fr`): a message is translated when one catalog of the chain translates it. The
messages wanted are those of the catalogs and of their folder's template, `messages.pot`.
"""

from __future__ import annotations

from pathlib import Path

from babel.messages.pofile import read_po

from kpbrief.folder import DOMAIN, catalog_codes, catalog_path

TEMPLATE_LANG = "en"  # the language the templates are written in: it needs no catalog


def _ids(path: Path, translated_only: bool) -> set[str]:
    with path.open("rb") as handle:
        catalog = read_po(handle)
    return {
        str(m.id[0] if isinstance(m.id, tuple) else m.id)
        for m in catalog
        if m.id and (not translated_only or (_translated(m.string) and not m.fuzzy))
    }


def _translated(string: object) -> bool:
    strings = string if isinstance(string, tuple) else (string,)
    return all(strings)


def catalog_gaps(locale_dirs: list[Path], lang: str) -> tuple[list[Path], int, int]:
    """The catalogs serving `lang`, how many messages they are wanted for, and how many of
    those no catalog of theirs translates."""
    chain: list[Path] = []
    wanted: set[str] = set()
    done: set[str] = set()
    for code in catalog_codes(lang):
        for folder in locale_dirs:
            path = catalog_path(folder, code)
            if not path.is_file():
                continue
            chain.append(path)
            wanted |= _ids(path, translated_only=False)
            done |= _ids(path, translated_only=True)
            template = folder / f"{DOMAIN}.pot"
            if template.is_file():
                wanted |= _ids(template, translated_only=False)
    return chain, len(wanted), len(wanted - done)


def catalog_problem(
    locale_dirs: list[Path], lang: str, default_lang: str, root: Path
) -> str | None:
    """What the check says of `lang`'s interface catalogs, or None when they are complete."""
    if lang.split("_")[0] == TEMPLATE_LANG:
        return None
    chain, wanted, missing = catalog_gaps(locale_dirs, lang)
    own = f"locales/{lang}/LC_MESSAGES/{DOMAIN}.po"
    if not chain:
        return (
            f"no message catalog for '{lang}': its book's interface is shown in "
            f"'{default_lang}'; run 'kpbrief i18n update' and translate {own}"
        )
    if not missing:
        return None
    own_catalog = next((p for p in chain if p.is_relative_to(root)), None)
    if own_catalog is not None:
        where = f"translate them in {own_catalog.relative_to(root).as_posix()}"
    else:
        where = f"run 'kpbrief i18n update', then translate them in {own}"
    return (
        f"the message catalog for '{lang}' is incomplete: {missing} of {wanted} messages are "
        f"not translated, and the book shows them in English; {where} "
        "('kpbrief i18n status' lists them)"
    )
