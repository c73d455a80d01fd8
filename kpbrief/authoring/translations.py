"""The translators' workflow: message catalogs (the way Babel does it), the status of
every language, and stamping a translation with the version of its original.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from pathlib import Path

from babel.messages.frontend import CommandLineInterface
from babel.messages.pofile import read_po

from kpbrief import TOOL_ROOT
from kpbrief.confine import OutsideBook, ensure_inside
from kpbrief.content.faithful import body_digest
from kpbrief.content.model import Content
from kpbrief.content.reader import LANG_RE
from kpbrief.folder import find_catalog

POT = Path("locales") / "messages.pot"


def _pybabel(*args: str) -> None:
    CommandLineInterface().run(["pybabel", "--quiet", *args])  # type: ignore[no-untyped-call]


def extract(source: Path) -> Path:
    """Refresh locales/messages.pot from the templates of layouts/ (the book's and kpbrief's)."""
    pot = ensure_inside(source, source / POT, "write the catalog template")
    pot.parent.mkdir(parents=True, exist_ok=True)
    roots = [TOOL_ROOT]
    if (source / "layouts").is_dir() and source.resolve() != TOOL_ROOT.resolve():
        roots.insert(0, source)
    # Run from the first root so that the catalog names templates by relative paths.
    here = Path.cwd()
    os.chdir(roots[0])
    try:
        _pybabel(
            "extract",
            "-F",
            str(TOOL_ROOT / "babel.cfg"),
            "-o",
            str(pot.resolve()),
            "--project=kpbrief",
            "--sort-by-file",
            *[os.path.relpath(root) for root in roots],
        )
    finally:
        os.chdir(here)
    return pot


def _update(pot: Path, source: Path, lang: str) -> None:
    _pybabel(
        "update", "-i", str(pot), "-d", str(source / "locales"), "-l", lang, "--ignore-obsolete"
    )


def update(source: Path, languages: list[str]) -> list[Path]:
    """Extract, then bring every catalog up to date; start one for a language that has none
    (from kpbrief's own catalog of that language, when it ships one)."""
    pot = extract(source)
    out: list[Path] = []
    for lang in languages:
        if lang.split("_")[0] == "en":
            continue  # the templates are written in English
        if not LANG_RE.match(lang):
            raise OutsideBook(f"'{lang}' is not a language code (like en, fr, pt, or pt_BR)")
        po = source / "locales" / lang / "LC_MESSAGES" / "messages.po"
        ensure_inside(source, po, "write the catalog")
        if po.is_file():
            _update(pot, source, lang)
        else:
            bundled = find_catalog([TOOL_ROOT / "locales"], lang)
            if bundled is not None and bundled.resolve() != po.resolve():
                # A language kpbrief ships starts from kpbrief's translations: the book's
                # catalog, read first, then holds them to revise, not empty messages.
                po.parent.mkdir(parents=True, exist_ok=True)
                po.write_bytes(bundled.read_bytes())
                _update(pot, source, lang)
            else:
                _pybabel("init", "-i", str(pot), "-d", str(source / "locales"), "-l", lang)
        out.append(po)
    return out


@dataclass(frozen=True)
class LanguageStatus:
    lang: str
    catalog: Path | None
    messages: int
    untranslated: list[str]
    statements_missing: list[str]
    chapters_missing: list[str]
    outdated: list[str]  # translation files whose original changed since
    unstamped: list[str]


def status(content: Content, locale_dirs: list[Path]) -> list[LanguageStatus]:
    assert content.book is not None
    out: list[LanguageStatus] = []
    for lang in content.book.languages:
        base = lang.split("_")[0]
        catalog = find_catalog(locale_dirs, lang)
        untranslated: list[str] = []
        messages = 0
        if catalog is not None:
            with catalog.open("rb") as handle:
                po = read_po(handle)
            for message in po:
                if not message.id:
                    continue
                messages += 1
                strings = message.string if isinstance(message.string, tuple) else (message.string,)
                if not all(strings) or message.fuzzy:
                    first = message.id[0] if isinstance(message.id, tuple) else message.id
                    untranslated.append(str(first))
        outdated: list[str] = []
        unstamped: list[str] = []
        missing: list[str] = []
        for statement in content.statements.values():
            if statement.original.lang == base:
                continue
            text = statement.translations.get(base)
            if text is None:
                missing.append(statement.id)
            elif text.translation is not None:
                if text.translated_from is None:
                    unstamped.append(text.origin.path)
                elif text.translated_from != body_digest(statement.original.body):
                    outdated.append(text.origin.path)
        chapters = [i.id for i in content.issues.values() if base not in i.texts]
        out.append(
            LanguageStatus(
                lang,
                catalog,
                messages,
                untranslated,
                sorted(missing),
                sorted(chapters),
                sorted(outdated),
                sorted(unstamped),
            )
        )
    return out


class StampError(Exception):
    pass


def stamp(content: Content, file: Path) -> str:
    """Record in a translation the digest of its original's current body."""
    try:
        path = ensure_inside(content.root, file, "stamp")
    except OutsideBook as outside:
        raise StampError(str(outside)) from None
    for statement in content.statements.values():
        for text in statement.translations.values():
            if (content.root / text.origin.path).resolve() == path:
                digest = body_digest(statement.original.body)
                # The file, link or not, is written only where it resolves inside the book.
                _write_field(ensure_inside(content.root, path, "stamp"), "translated_from", digest)
                return digest
    raise StampError(
        f"{file} is not a translation of a statement (a file with 'translation:' in "
        "content/statements/)"
    )


def _write_field(path: Path, key: str, value: str) -> None:
    raw = path.read_bytes()
    bom = raw.startswith(b"\xef\xbb\xbf")
    text = raw.decode("utf-8-sig")
    newline = "\r\n" if "\r\n" in text else "\n"
    lines = text.split(newline)
    end = next(i for i in range(1, len(lines)) if lines[i].strip() in ("---", "..."))
    pattern = re.compile(rf"^{key}\s*:")
    for index in range(1, end):
        if pattern.match(lines[index]):
            lines[index] = f"{key}: {value}"
            break
    else:
        lines.insert(end, f"{key}: {value}")
    data = newline.join(lines).encode("utf-8")
    path.write_bytes((b"\xef\xbb\xbf" if bom else b"") + data)
