"""What a build request asks for: the outputs, their names, and whether each is up to date.

An output's input key digests everything it is made from (content, layouts, locales, kpbrief
itself, the options); its render key digests what its engine is given. The manifest
(`fingerprint.Manifest`) remembers both; an output whose key is unchanged is fresh.
"""

from __future__ import annotations

import datetime as dt
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Literal

from kpbrief.build import fingerprint
from kpbrief.content.load import load_book
from kpbrief.content.model import Content, Problem
from kpbrief.content.reader import Reader
from kpbrief.document import ASSETS
from kpbrief.engines.assets import Assets, asset_names_used
from kpbrief.folder import layout_dirs, locale_dirs

# check, assemble and render (and the engines, in `write`) are imported where they are
# used: a build whose outputs are all up to date needs none of them, and answers at once.
if TYPE_CHECKING:
    pass


FORMATS = ("pdf", "epub", "html")
PRESS = "press"  # the press PDF's "format": `<book id>.<lang>.press.pdf` (--press)
# The output profile of the press PDF when book.yaml names none: shipped in the layouts
# (layouts/profiles/README.md says where it comes from and under which licence).
DEFAULT_PRESS_PROFILE = "profiles/FOGRA39L-coated.icc"


DEFAULT_TIME_LIMIT = 1800.0  # seconds; a 1,000-statement book takes a few minutes


class BuildFailed(Exception):
    def __init__(self, message: str, problems: list[Problem] | None = None) -> None:
        super().__init__(message)
        self.problems = problems or []


@dataclass
class BuildRequest:
    source: Path
    out: Path
    languages: list[str] = field(default_factory=list)  # empty: every language of the book
    formats: list[str] = field(default_factory=lambda: ["pdf", "epub"])
    accessible_pdf: bool = True
    time_limit: float | None = DEFAULT_TIME_LIMIT  # seconds for the whole build; None: none
    force: bool = False  # make every output again, whatever the manifest says
    paper: Literal["a4", "letter"] | None = None  # None: the book's own (book.yaml)
    parts: int | None = None  # PDF laid out in this many parts; None: by the book's length
    # With "pdf": each briefing pack too (content/packs/), in each language. The command line
    # asks for them unless --no-packs; a request made in code, only when it says so.
    packs: bool = False
    pack: str | None = None  # only this pack
    press: bool = False  # also the press PDF (PDF/X-4, bleed, crop marks) of each language
    # A round of `kpbrief watch`: a long book's PDF may be joined from the last round's
    # copies of its parts (`parts.KeptJoins`), the same book in other bytes than a build's.
    # Recorded with the PDF's options, so that the next `kpbrief build` makes it again.
    preview: bool = False


@dataclass
class BuildResult:
    written: list[Path]  # made by this build
    unchanged: list[Path]  # up to date already, left as they were
    warnings: list[Problem] = field(default_factory=list)  # what the check found, errors aside

    @property
    def outputs(self) -> list[Path]:
        return sorted(self.written + self.unchanged)


PACK_FORMAT = "pack:"  # an output's "format" for a briefing pack: pack:<pack id>


def output_path(out: Path, book_id: str, lang: str, fmt: str) -> Path:
    """Where an output is written: the one place its name is made. A briefing pack's format
    is `pack:<id>`: `<book id>.pack-<id>.<lang>.pdf`."""
    if fmt.startswith(PACK_FORMAT):
        return out / f"{book_id}.pack-{fmt.removeprefix(PACK_FORMAT)}.{lang}.pdf"
    if fmt == PRESS:
        return out / f"{book_id}.{lang}.press.pdf"
    return out / f"{book_id}.{lang}.{fmt}"


def pack_ids(request: BuildRequest) -> list[str]:
    """The packs a request builds: each file of content/packs/ (or the one `--pack` names),
    when PDFs are built and packs not left out."""
    if "pdf" not in request.formats or not (request.packs or request.pack):
        return []
    if request.pack is not None:
        return [request.pack]
    folder = request.source / "content" / "packs"
    if not folder.is_dir():
        return []
    return sorted(p.stem for p in folder.glob("*.yaml") if p.is_file() and p.stem[:1] != ".")


def outputs_of(
    request: BuildRequest, book_id: str, languages: list[str]
) -> dict[Path, tuple[str, str]]:
    """Every output of a request, and its language and format (books first, then packs)."""
    formats = formats_of(request) + [PACK_FORMAT + ident for ident in pack_ids(request)]
    return {
        output_path(request.out, book_id, lang, fmt): (lang, fmt)
        for fmt in formats
        for lang in languages
    }


def source_date(content: Content) -> int:
    """Seconds since the epoch that the outputs carry: SOURCE_DATE_EPOCH, else the edition."""
    given = os.environ.get("SOURCE_DATE_EPOCH")
    if given and given.isdigit():
        return int(given)
    assert content.book is not None
    day = content.book.edition.as_date()
    return int(dt.datetime(day.year, day.month, day.day, tzinfo=dt.UTC).timestamp())


def assets_beside(output: Path) -> bool:
    """An HTML output is whole only with the assets it uses beside it; others always are."""
    if output.suffix != ".html":
        return True
    try:
        html = output.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        return False
    return all((output.parent / ASSETS / name).is_file() for name in asset_names_used(html))


def formats_of(request: BuildRequest) -> list[str]:
    """The book's formats a request builds, the press PDF last."""
    return [f for f in FORMATS if f in request.formats] + ([PRESS] if request.press else [])


def press_profile(source: Path, named: str | None) -> Path | None:
    """The press PDF's output profile: the file book.yaml names (`press_profile`, from the
    book folder), else the one shipped in the layouts; None if there is none."""
    if named is not None:
        return (source / named).resolve()
    for layouts in layout_dirs(source):
        candidate = layouts / DEFAULT_PRESS_PROFILE
        if candidate.is_file():
            return candidate.resolve()
    return None


def options_key(request: BuildRequest, lang: str, fmt: str) -> str:
    return fingerprint.options_digest(
        lang=lang,
        fmt=fmt,
        accessible=request.accessible_pdf,
        paper=request.paper,
        parts=request.parts,
        preview=request.preview and fmt in ("pdf", PRESS),
    )


def planned_outputs(request: BuildRequest) -> dict[Path, tuple[str, str]] | None:
    """The files a build would write, read from book.yaml alone; None if that is in doubt."""
    book_path = request.source / "content" / "book.yaml"
    if not book_path.is_file():
        return None
    reader = Reader(request.source)
    book = load_book(reader, book_path)
    if book is None or reader.problems:
        return None
    languages = request.languages or list(book.languages)
    if any(lang not in book.languages for lang in languages):
        return None
    if (
        request.pack is not None
        and not (request.source / "content" / "packs" / f"{request.pack}.yaml").is_file()
    ):
        return None
    return outputs_of(request, book.id, languages)


def inputs_digest(request: BuildRequest) -> str:
    """Every file a build reads: the book's content, layouts and locales, and kpbrief itself."""
    roots = [request.source / "content", *layout_dirs(request.source)]
    roots += locale_dirs(request.source)
    return fingerprint.combine(
        fingerprint.tree_digest(roots, exclude=request.out), fingerprint.tool_digest()
    )


def engine_digest(assets: Assets) -> str:
    """What an engine may read besides its HTML: styles, fonts, images and media."""
    folders = [d / sub for d in assets.layout_dirs for sub in ("styles", "fonts", "images")]
    return fingerprint.combine(
        fingerprint.tree_digest([*folders, assets.media_dir]), fingerprint.tool_digest()
    )
