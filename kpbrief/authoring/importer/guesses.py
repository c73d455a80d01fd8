"""Guesses from a received text: its title, date, kind and place, and an id from its title.

Each guess says where it was found, so that the new file's REVIEW comments can name the
line; a guess that cannot be made is None, and the field is left for the editor.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from collections.abc import Iterable
from typing import Any

from kpbrief.authoring.importer.received import _one_line, block_text
from kpbrief.content.faithful import normalise

TITLE_MAX = 200


BODY_START = 200  # a paragraph this long starts the text proper: titles come before


HEAD_BLOCKS = 12  # how far into the text titles, kinds and places are looked for


_QUOTES_OPEN = "“\"«‘'„"


_QUOTES_CLOSE = "”\"»’'“"


_BOILERPLATE = (
    "press release",
    "for immediate release",
    "more information",
    "communiqué de presse",
    "pour diffusion immédiate",
    "pour publication immédiate",
)


# Words that name a statement's kind, in the order they are looked for.
_KIND_WORDS = (
    ("closing-remarks", ("closing remarks", "remarques de clôture", "allocution de clôture")),
    ("joint-statement", ("joint statement", "déclaration commune", "déclaration conjointe")),
    ("press-release", ("press release", "press statement", "media release", "communiqué")),
    ("letter", ("open letter", "lettre ouverte", "dear ")),
    ("speech", ("speech", "discours", "opening remarks", "remarks")),
)


_STOPWORDS = frozenset(
    ("a", "an", "and", "at", "by", "for", "from", "in", "of", "on", "the", "to", "with")
    + ("au", "aux", "d", "de", "des", "du", "en", "et", "l", "la", "le", "les", "un", "une")
)


def _months(lang: str) -> dict[str, int]:
    from babel import Locale, UnknownLocaleError

    names: dict[str, int] = {}
    for code in dict.fromkeys(("en", lang)):
        try:
            locale = Locale.parse(code)
        except (UnknownLocaleError, ValueError):
            continue
        for context in ("format", "stand-alone"):
            for number, name in locale.months[context]["wide"].items():
                names[str(name).lower()] = int(number)
    return names


def _date_patterns(lang: str) -> tuple[dict[str, int], list[re.Pattern[str]]]:
    months = _months(lang)
    names = "|".join(re.escape(n) for n in sorted(months, key=len, reverse=True))
    flags = re.IGNORECASE
    return months, [
        re.compile(r"(?<!\d)(?P<y>\d{4})-(?P<m>\d{2})-(?P<d>\d{2})(?!\d)"),
        re.compile(
            rf"(?<!\d)(?P<d>\d{{1,2}})(?:st|nd|rd|th|er|e)?\.?\s+(?P<mn>{names})\.?,?\s+"
            r"(?P<y>\d{4})(?!\d)",
            flags,
        ),
        re.compile(
            rf"\b(?P<mn>{names})\.?\s+(?P<d>\d{{1,2}})(?:st|nd|rd|th)?,?\s+(?P<y>\d{{4}})(?!\d)",
            flags,
        ),
        re.compile(rf"\b(?P<mn>{names}),?\s+(?P<y>\d{{4}})(?!\d)", flags),
    ]


def guess_date(text: str, lang: str) -> tuple[str, int, str] | None:
    """The first date the text names: (YYYY-MM-DD or YYYY-MM, line, as written)."""
    months, patterns = _date_patterns(lang)
    found: list[tuple[int, int, str, str]] = []
    impossible: list[tuple[int, int]] = []  # "31 February 2020" is not "February 2020"
    for pattern in patterns:  # the most precise first
        for match in pattern.finditer(text):
            if any(start <= match.start() < end for start, end in impossible):
                continue
            parts = match.groupdict()
            year = int(parts["y"])
            month = months[parts["mn"].lower()] if parts.get("mn") else int(parts["m"])
            day = int(parts["d"]) if parts.get("d") else None
            try:
                dt.date(year, month, day or 1)
            except ValueError:
                impossible.append(match.span())
                continue
            iso = f"{year:04d}-{month:02d}" + (f"-{day:02d}" if day else "")
            found.append((match.start(), -len(match[0]), iso, " ".join(match[0].split())))
    if not found:
        return None
    start, _length, iso, written = min(found)
    return iso, text.count("\n", 0, start) + 1, written


def _countries(lang: str) -> list[str]:
    from babel import Locale, UnknownLocaleError

    names: set[str] = set()
    for code in dict.fromkeys(("en", lang)):
        try:
            territories = Locale.parse(code).territories
        except (UnknownLocaleError, ValueError):
            continue
        names.update(str(n) for c, n in territories.items() if len(c) == 2 and c.isalpha())
    return sorted(names, key=len, reverse=True)


def guess_place(texts: Iterable[str], lang: str) -> str | None:
    """'City, Country' where the first lines name one, with a country Babel knows."""
    countries = "|".join(re.escape(name) for name in _countries(lang))
    capital = r"[A-ZÀ-ÖØ-Þ][\w'’.-]*"
    pattern = re.compile(rf"\b({capital}(?:\s+{capital}){{0,2}}),\s+({countries})(?![\w-])")
    for text in texts:
        match = pattern.search(text)
        if match:
            return f"{match[1]}, {match[2]}"
    return None


def guess_known_place(texts: Iterable[str], known: Iterable[str]) -> tuple[str, str] | None:
    """A place the book names already (`known`: its statements' and events' places) whose
    city the first lines name ("in New Delhi", "at Kinshasa Meeting"): (the place as the book
    writes it, the city as the text does)."""
    # The fullest form of each city the book names: "Kinshasa, DR Congo" over "Kinshasa".
    by_city: dict[str, str] = {}
    for place in known:
        city = place.split(",")[0].strip()
        if len(city) > 2 and len(place) > len(by_city.get(city, "")):
            by_city[city] = place
    for text in texts:
        found = [
            (match.start(), place, city)
            for city, place in by_city.items()
            if (match := re.search(rf"(?<![\w-]){re.escape(city)}(?![\w-])", text))
        ]
        if found:
            _start, place, city = min(found)
            return place, city
    return None


def guess_kind(texts: Iterable[str]) -> tuple[str, str] | None:
    for text in texts:
        low = text.lower()
        for kind, words in _KIND_WORDS:
            for word in words:
                if word in low:
                    return kind, text
    return None


def unquote(text: str) -> str:
    text = text.strip()
    while len(text) > 2 and text[0] in _QUOTES_OPEN and text[-1] in _QUOTES_CLOSE:
        text = text[1:-1].strip(" \u00a0\u202f")
    return text


def guess_title(
    blocks: list[dict[str, Any]], lang: str, not_titles: Iterable[str] = ()
) -> int | None:
    """Index of the block that is most likely the title: the first heading before the text
    proper, else a line standing in quotation marks, else the first short line that is not
    a date, a release line or the name of an organisation."""
    excluded = {normalise(name).lower() for name in not_titles}
    _months_, date_patterns = _date_patterns(lang)
    candidates: list[int] = []
    for index, block in enumerate(blocks[:HEAD_BLOCKS]):
        text = block_text(block)
        if block.get("t") == "Para" and len(text) >= BODY_START:
            break
        if not _one_line(block) or not text or len(text) > TITLE_MAX:
            continue
        if block.get("t") == "Header":
            return index
        low = text.lower()
        if len(text.split()) < 4 or any(word in low for word in _BOILERPLATE):
            continue
        if len(text) < 40 and any(p.search(text) for p in date_patterns):
            continue
        if normalise(text).lower() in excluded:
            continue
        candidates.append(index)
    for index in candidates:
        text = block_text(blocks[index])
        if text[0] in _QUOTES_OPEN and text[-1] in _QUOTES_CLOSE:
            return index
    return candidates[0] if candidates else None


def letterhead(
    blocks: list[dict[str, Any]],
    lang: str,
    org_names: Iterable[str] = (),
    omit_in: str = "",
) -> list[tuple[str, str]]:
    """The lines that are a letterhead's, not the statement's: a date line, a release line
    ("For immediate release"), the sender's name; before the text proper, or standing alone
    as a paragraph after it (a republished release's own head). Each as (its text,
    the REVIEW note saying what it is and what to do; `omit_in`: the file whose source.omit
    would declare it, when not the statement's own)."""
    names = {normalise(name).lower() for name in org_names if name}
    _months_, date_patterns = _date_patterns(lang)
    found: list[tuple[str, str]] = []
    todo = (
        f"the book prints it as text: delete it and name it under source.omit"
        f"{f' in {omit_in}' if omit_in else ''} with a reason, or keep it"
    )
    in_head = True
    for index, block in enumerate(blocks):
        text = block_text(block)
        if index >= HEAD_BLOCKS or (block.get("t") == "Para" and len(text) >= BODY_START):
            in_head = False  # past the head, only lines that are nothing else are marked
        if not text or not _one_line(block) or len(text) > 80:
            continue
        shown = f"“{text[:50]}”"
        low = " ".join(text.lower().split())
        date = next((m for p in date_patterns if (m := p.search(text))), None)
        rest = (text[: date.start()] + text[date.end() :]).split() if date else []
        if any(low.startswith(word) if not in_head else word in low for word in _BOILERPLATE):
            found.append((text, f"{shown} is a release line, not the statement's text; {todo}"))
        elif date and (len(text) < 40 if in_head else len(rest) <= 2):
            where = f"the date: of {omit_in}" if omit_in else "date:"
            found.append((text, f"{shown} is a date line (the date is in {where}); {todo}"))
        elif normalise(text.strip(" .:")).lower() in names:
            found.append((text, f"{shown} is the sender's name, a letterhead; {todo}"))
    return found


def slug(text: str, words: int = 5) -> str:
    """Lowercase ASCII words joined by hyphens; small words and numbers (the id starts with
    the date already) left out."""
    text = re.sub(r"['’‘`]", " ", text)  # l’excès: two words
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    parts = [w for w in re.split(r"[^a-z0-9]+", ascii_text.lower()) if w]
    kept = [w for w in parts if w not in _STOPWORDS and not w.isdigit()] or parts
    return "-".join(kept[:words])


def line_of(lines: list[str], words: str) -> int | None:
    """The first line (1-based) holding the start of these words."""
    needle = normalise(words).lower()[:30]
    if not needle:
        return None
    for number, line in enumerate(lines, start=1):
        if needle in normalise(line.replace("\\", "").replace("*", "")).lower():
            return number
    return None
