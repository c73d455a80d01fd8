"""Check: every problem of a loaded book, each with its file and line.

Loading already reported what is wrong inside a file; here come the problems between
files: ids that point nowhere, links, languages, phones and e-mails, translations that
fell behind their original, and statements no longer faithful to their archived source.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, MutableMapping
from pathlib import Path, PurePosixPath

import phonenumbers
from babel import Locale, UnknownLocaleError

from kpbrief.confine import inside, outside_message
from kpbrief.content import faithful, quotations
from kpbrief.content.catalogs import catalog_problem
from kpbrief.content.consistency import statement_problems
from kpbrief.content.diagnostics import closest, did_you_mean, language_hint
from kpbrief.content.leftovers import leftovers
from kpbrief.content.markdown import scan
from kpbrief.content.markdown_check import check_body
from kpbrief.content.matter import matter_problems
from kpbrief.content.media_check import decoding_problems
from kpbrief.content.model import (
    Content,
    LocalText,
    Omission,
    Origin,
    Problem,
    Quotation,
    Statement,
    StatementText,
)
from kpbrief.content.pictures import media_problems
from kpbrief.content.privacy import private_details
from kpbrief.content.reader import ID_RE, fold_newlines
from kpbrief.digest import digest_of

EMAIL_RE = re.compile(r"^[A-Za-z0-9._%+'-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}$")
ALLOWED_URL_SCHEMES = ("http://", "https://", "mailto:")
# Country names people write for an ISO code that is another.
COUNTRY_SLIPS = {"UK": "GB", "EL": "GR", "EN": "GB", "DRC": "CD", "USA": "US", "UAE": "AE"}


def babel_knows(lang: str) -> bool:
    try:
        Locale.parse(lang)
    except (UnknownLocaleError, ValueError):
        return False
    return True


class Checker:
    def __init__(self, content: Content, memo: MutableMapping[str, object] | None = None) -> None:
        self.content = content
        # A warm process's problems of each statement, by the digest of what they depend on.
        self.memo = memo
        self._context: str | None = None
        self._read: dict[Path, bytes | None] = {}  # archived files, as read this check
        self.problems: list[Problem] = list(content.problems)
        book = content.book
        self.unknown_languages = tuple(
            lang for lang in (book.languages if book else ()) if not babel_knows(lang)
        )
        self.languages: tuple[str, ...] = tuple(
            lang for lang in (book.languages if book else ()) if lang not in self.unknown_languages
        )
        # With a language of book.yaml rejected, the files' languages are not held against
        # it: the one error is in book.yaml.
        self.doubtful_languages = bool(book and (book.rejected_languages or self.unknown_languages))
        self.default_lang = self.languages[0] if self.languages else "en"
        self.base_languages = tuple(dict.fromkeys(lang.split("_")[0] for lang in self.languages))

    def error(self, origin: Origin, message: str, excerpt: str = "") -> None:
        self.problems.append(Problem(origin, "error", message, excerpt))

    def warning(self, origin: Origin, message: str, excerpt: str = "") -> None:
        self.problems.append(Problem(origin, "warning", message, excerpt))

    # -- helpers --------------------------------------------------------------------

    def known(self, kind: str, item_id: str) -> bool:
        table: dict[str, Iterable[str]] = {
            "statement": self.content.statements,
            "issue": self.content.issues,
            "person": self.content.people,
            "organisation": self.content.organisations,
            "event": self.content.events,
        }
        return item_id in table[kind]

    def ids_of(self, kind: str) -> list[str]:
        table: dict[str, Iterable[str]] = {
            "statement": self.content.statements,
            "issue": self.content.issues,
            "person": self.content.people,
            "organisation": self.content.organisations,
            "event": self.content.events,
        }
        return list(table[kind])

    def unread(self, kind: str, item_id: str) -> bool:
        """Whether the item's file is there but did not load: its own error says why, and
        nothing that refers to it is reported again."""
        return item_id in self.content.failed.get(kind, ())

    def ids_exist(self, origin: Origin, kind: str, ids: Iterable[str], folder: str) -> None:
        suffix = ".yaml" if folder in ("people", "organisations", "events") else ".<lang>.md"
        for item_id in ids:
            if not self.known(kind, item_id) and not self.unread(kind, item_id):
                hint = did_you_mean(item_id, self.ids_of(kind))
                self.error(
                    origin,
                    f"unknown {kind} '{item_id}'{hint}"
                    if hint
                    else f"unknown {kind} '{item_id}': add content/{folder}/{item_id}{suffix}"
                    " or correct the id",
                )

    def name_or_org(self, origin: Origin, value: str, what: str) -> None:
        if (
            ID_RE.match(value)
            and value not in self.content.organisations
            and not self.unread("organisation", value)
        ):
            hint = did_you_mean(value, self.content.organisations)
            self.error(
                origin,
                f"{what} '{value}' is not a known organisation id{hint}"
                if hint
                else f"{what} '{value}' is not a known organisation id: add "
                f"content/organisations/{value}.yaml, or write the name in full",
            )

    def translated(self, origin: Origin, text: LocalText | None, what: str) -> None:
        if text is None or text.plain:
            return
        for lang in self.base_languages:
            if lang not in text.values:
                self.warning(
                    origin,
                    f"{what} has no '{lang}' text; the book's first language is shown instead",
                )

    def language(self, origin: Origin, lang: str) -> None:
        if self.doubtful_languages:
            return
        if self.languages and lang not in self.base_languages:
            self.error(
                origin,
                f"language '{lang}' is not one of the book's languages "
                f"({', '.join(self.languages)}): add it to content/book.yaml or rename the file",
            )

    def country(self, origin: Origin, code: str | None) -> None:
        territories = Locale.parse("en").territories
        if code is None or (code in territories and code.isalpha() and len(code) == 2):
            return
        if code.upper() in COUNTRY_SLIPS or code.upper() in territories:
            hint = f"; did you mean '{COUNTRY_SLIPS.get(code.upper(), code.upper())}'?"
        else:
            names = {str(name).lower(): key for key, name in territories.items() if len(key) == 2}
            hint = f"; did you mean '{names[code.lower()]}'?" if code.lower() in names else ""
        self.error(
            origin, f"'{code}' is not an ISO 3166-1 alpha-2 country code (like ZW, BE){hint}"
        )

    def phone(self, origin: Origin, number: str | None, country: str | None) -> None:
        if number is None:
            return
        try:
            parsed = phonenumbers.parse(number, country)
        except phonenumbers.NumberParseException as exc:
            self.error(
                origin,
                f"phone '{number}' is not a phone number ({exc}); write it with "
                "its country code, like +263 7 742 169 56",
            )
            return
        if not phonenumbers.is_valid_number(parsed):
            where = f" for {country}" if country else ""
            self.error(
                origin,
                f"phone '{number}' is not a valid number{where}: check the digits and the "
                "country code",
            )

    def email(self, origin: Origin, address: str | None) -> None:
        if address is not None and not EMAIL_RE.match(address):
            self.error(origin, f"e-mail '{address}' is malformed: write it as name@example.org")

    def markdown(self, origin_path: str, body: str, body_line: int) -> None:
        """The problems of a Markdown text; a warm process's, kept by the digest of the text
        and of the book's ids (a chapter's, a page's; a statement's are kept whole)."""
        if self.memo is None:
            self.markdown_problems(origin_path, body, body_line)
            return
        key = digest_of("markdown", self.context(), origin_path, body, body_line)
        kept = self.memo.get(key)
        if isinstance(kept, tuple):
            self.problems.extend(kept)
            return
        start = len(self.problems)
        self.markdown_problems(origin_path, body, body_line)
        self.memo[key] = tuple(self.problems[start:])

    def markdown_problems(self, origin_path: str, body: str, body_line: int) -> None:
        lines = body.split("\n")
        for finding in check_body(body):
            where = Origin(origin_path, body_line + finding.line - 1, finding.column)
            excerpt = lines[finding.line - 1] if finding.column else ""
            report = self.error if finding.severity == "error" else self.warning
            report(where, finding.message, excerpt)
        for ref in scan(body):
            where = Origin(origin_path, body_line + ref.line - 1)
            if ref.kind == "html":
                self.error(
                    where,
                    f"raw HTML ({ref.target}) is not allowed in content: use Markdown instead",
                )
            elif ref.kind == "empty":
                self.error(
                    where,
                    f"link '{ref.text}' has an empty target: give it a real target, like "
                    "(statement:<id>) or https://…, or remove the brackets",
                )
            elif ref.kind == "image":
                self.image(where, ref.target)
            elif ref.kind == "url":
                if not ref.target.startswith(ALLOWED_URL_SCHEMES):
                    self.error(
                        where,
                        f"link target '{ref.target[:60]}' is not allowed: use https://, mailto: "
                        "or an internal link like (statement:<id>)",
                    )
            elif self.unread(ref.kind, ref.target):
                continue
            elif not self.known(ref.kind, ref.target):
                hint = did_you_mean(ref.target, self.ids_of(ref.kind))
                self.error(
                    where, f"link '{ref.text}' points to unknown {ref.kind} '{ref.target}'{hint}"
                )
            elif ref.kind == "person" and not self.content.people[ref.target].public:
                self.warning(
                    where,
                    f"link '{ref.text}' points to '{ref.target}', who is not public: the link is "
                    "left out of every output, its text stays",
                )

    def image(self, origin: Origin, src: str) -> None:
        path = PurePosixPath(src)
        if (
            "://" in src
            or src.startswith(("/", "data:", "\\"))
            or ".." in path.parts
            or not src.startswith("media/")
        ):
            self.error(
                origin,
                f"image '{src[:60]}' must be a file under content/media/, written as "
                "media/<file name>",
            )
        elif src not in self.content.media:
            near = closest(src, self.content.media)
            hint = f"; did you mean '{near}'?" if near else ""
            self.error(origin, f"image '{src}' does not exist under content/media/{hint}")

    # -- the checks -----------------------------------------------------------------

    def run(self) -> list[Problem]:
        book = self.content.book
        if book is not None:
            for lang in book.languages:
                if lang in self.unknown_languages:
                    self.error(
                        book.origin.at(book.lines, "languages"),
                        f"'{lang}' is not a language Babel knows{language_hint(lang)}",
                    )
            for lang in book.locales.values():
                if not babel_knows(lang):
                    self.error(
                        book.origin.at(book.lines, "locales"),
                        f"'{lang}' is not a locale Babel knows",
                    )
            self.translated(book.origin.at(book.lines, "title"), book.title, "the title")
            self.translated(book.origin.at(book.lines, "subtitle"), book.subtitle, "the subtitle")
            self.name_or_org(book.origin.at(book.lines, "publisher"), book.publisher, "publisher")
        for statement in self.content.statements.values():
            self.statement_kept(statement)
        for issue in self.content.issues.values():
            for text in issue.texts.values():
                self.language(text.origin, text.lang)
                self.markdown(text.origin.path, text.body, text.body_line)
                for quotation in text.key_lines:
                    self.key_line(quotation, text.lang)
            first = next(iter(issue.texts.values()))
            for lang in self.base_languages:
                if lang not in issue.texts:
                    self.warning(
                        first.origin,
                        f"issue '{issue.id}' has no '{lang}' text: add "
                        f"content/issues/{issue.id}.{lang}.md",
                    )
        for person in self.content.people.values():
            at = person.origin.at
            if person.organisation and not self.known("organisation", person.organisation):
                self.ids_exist(
                    at(person.lines, "organisation"),
                    "organisation",
                    [person.organisation],
                    "organisations",
                )
            self.country(at(person.lines, "country"), person.country)
            self.phone(at(person.lines, "phone"), person.phone, person.country)
            self.email(at(person.lines, "email"), person.email)
            self.translated(at(person.lines, "role"), person.role, "role")
            self.translated(at(person.lines, "name"), person.name, "name")
            if person.public and person.contact and not (person.phone or person.email):
                org = self.content.organisations.get(person.organisation or "")
                if not (org and (org.phone or org.email)):
                    self.warning(
                        person.origin,
                        f"{person.name.get(self.default_lang, self.default_lang)} has no phone "
                        "or e-mail, nor has their organisation: add one, or 'contact: false' "
                        "if they are only mentioned",
                    )
        for org in self.content.organisations.values():
            at = org.origin.at
            self.country(at(org.lines, "country"), org.country)
            self.phone(at(org.lines, "phone"), org.phone, org.country)
            self.email(at(org.lines, "email"), org.email)
            self.translated(at(org.lines, "name"), org.name, "name")
            if org.website and not org.website.startswith(("https://", "http://")):
                self.error(at(org.lines, "website"), "website must start with https://")
        for event in self.content.events.values():
            at = event.origin.at
            self.ids_exist(at(event.lines, "issues"), "issue", event.issues, "issues")
            self.ids_exist(
                at(event.lines, "statements"), "statement", event.statements, "statements"
            )
            self.translated(at(event.lines, "title"), event.title, "title")
            self.translated(at(event.lines, "note"), event.note, "note")
            self.translated(at(event.lines, "date_note"), event.date_note, "date note")
        for page in self.content.pages.values():
            for page_text in page.texts.values():
                self.language(page_text.origin, page_text.lang)
                self.markdown(page_text.origin.path, page_text.body, page_text.body_line)
        for entry in self.content.glossary.values():
            where = entry.origin.at(entry.lines, "definition")
            for definition in entry.definition.values.values():
                self.markdown(where.path, definition, where.line)
        self.problems.extend(matter_problems(self.content, self.languages))
        self.problems.extend(private_details(self.content))
        by_bytes = media_problems(self.content)  # kind, name and SVG safety, by the bytes
        self.problems.extend(by_bytes)
        judged = {p.origin.path.removeprefix("content/") for p in by_bytes}
        self.problems.extend(decoding_problems(self.content, judged))
        self.problems.extend(statement_problems(self.content))
        self.problems.extend(leftovers(self.content.root, self.memo))
        return sorted(self.problems, key=lambda p: (p.origin.path, p.origin.line, p.message))

    def key_line(self, quotation: Quotation, lang: str) -> None:
        statement = self.content.statements.get(quotation.statement)
        if statement is None:
            self.ids_exist(quotation.origin, "statement", [quotation.statement], "statements")
            return
        if quotation.speaker is not None:
            self.ids_exist(quotation.origin, "person", [quotation.speaker], "people")
            speaker = self.content.people.get(quotation.speaker)
            if speaker is not None and not speaker.public:
                self.warning(
                    quotation.origin,
                    f"speaker '{quotation.speaker}' is not public; the key line is shown "
                    "without them",
                )
        if not faithful.quotation_found(statement, lang, quotation.quote):
            shown = statement.text_for(lang)
            self.error(
                quotation.origin,
                f"key line “{quotation.quote[:50]}…” is not in the words of "
                f"{shown.origin.path}: quote the statement exactly",
            )

    def statement_kept(self, statement: Statement) -> None:
        """The statement's problems: found again only when what they depend on changed (the
        statement, the archived files it names, the ids and languages of the book)."""
        if self.memo is None:
            self.statement(statement)
            return
        archived = [
            statement.source.file,
            *(t.source_file for t in statement.translations.values()),
        ]
        key = digest_of(
            "statement",
            self.context(),
            statement,
            [(file, self._archived(file)) for file in archived if file is not None],
        )
        kept = self.memo.get(key)
        if isinstance(kept, tuple):
            self.problems.extend(kept)
            return
        start = len(self.problems)
        self.statement(statement)
        self.memo[key] = tuple(self.problems[start:])

    def context(self) -> str:
        """The digest of what the problems of a text depend on besides the text: the ids of
        the book, its languages, who is public, its media."""
        if self._context is None:
            content = self.content
            self._context = digest_of(
                content.root,
                self.languages,
                self.base_languages,
                self.doubtful_languages,
                [list(content.statements), list(content.issues), list(content.organisations)],
                [list(content.events), [(p.id, p.public) for p in content.people.values()]],
                sorted(content.failed.items()),
                content.media,
            )
        return self._context

    def _archived(self, file: str) -> bytes | None:
        """The bytes of an archived file (None: not a plain file), read once per check."""
        path = PurePosixPath(file)
        if path.is_absolute() or ".." in path.parts:
            return None  # refused by `received`, unread
        full = self.content.root / "content" / Path(*path.parts)
        if full not in self._read:
            try:
                plain = full.is_file() and not full.is_symlink() and inside(self.content.root, full)
                self._read[full] = full.read_bytes() if plain else None
            except OSError:
                self._read[full] = None
        return self._read[full]

    def statement(self, statement: Statement) -> None:
        original = statement.original
        line = original.line_of
        self.language(original.origin, original.lang)
        self.ids_exist(line("issues"), "issue", statement.issues, "issues")
        self.ids_exist(line("speakers"), "person", statement.speakers, "people")
        self.ids_exist(line("contacts"), "person", statement.contacts, "people")
        for mention in statement.mentions:
            if not any(
                self.known(kind, mention) or self.unread(kind, mention)
                for kind in ("person", "organisation")
            ):
                self.error(line("mentions"), f"unknown person or organisation '{mention}'")
        for field, role, ids in (
            ("contacts", "contact", statement.contacts),
            ("speakers", "speaker", statement.speakers),
            ("mentions", "mention", statement.mentions),
        ):
            for person_id in ids:
                person = self.content.people.get(person_id)
                if person is not None and not person.public:
                    self.warning(
                        line(field),
                        f"{role} '{person_id}' is not public; they are left out of every output",
                    )
        self.name_or_org(line("source"), statement.source.publisher, "source publisher")
        if statement.source.url and not statement.source.url.startswith(("https://", "http://")):
            self.error(line("source"), "source url must start with https://")
        texts: list[StatementText] = [original, *statement.translations.values()]
        for text in texts:
            if text is not original:
                self.language(text.origin, text.lang)
            self.markdown(text.origin.path, text.body, text.body_line)
        for lang in self.base_languages:
            if lang != original.lang and lang not in statement.translations:
                self.warning(
                    original.origin,
                    f"statement '{statement.id}' has no '{lang}' translation; the {lang} book "
                    "shows the original with a notice",
                )
        digest = faithful.body_digest(original.body)
        for text in statement.translations.values():
            if original.date_note and not text.date_note:
                self.warning(
                    text.origin,
                    f"the original {original.origin.path} has a date_note and this translation "
                    f"has none: the '{text.lang}' book prints the original's, in "
                    f"'{original.lang}'; add date_note: in '{text.lang}' to this file",
                )
            if text.translation is None:
                continue
            if text.translated_from is None:
                self.warning(
                    text.origin,
                    "translation has no translated_from: once it renders the current original, "
                    f"run 'kpbrief i18n stamp {text.origin.path}'",
                )
            elif text.translated_from != digest:
                self.warning(
                    text.line_of("translated_from"),
                    f"translation is outdated: its original {original.origin.path} has changed "
                    "since; bring it up to date, then run "
                    f"'kpbrief i18n stamp {text.origin.path}'",
                )
        self.faithfulness(statement)

    def faithfulness(self, statement: Statement) -> None:
        # A declaration under source.omit or source.added is used when any text uses it.
        used: list[Omission] = []
        for text in statement.translations.values():
            if text.source_file is not None:
                used += self.translation_faithfulness(statement, text, text.source_file)
        file = statement.source.file
        if file is None:
            return
        received = self.received(statement.original.line_of("source"), file, "source file")
        if received is None:
            return
        verdict = faithful.compare(statement, received)
        verdict = faithful.Verdict(
            verdict.missing,
            [o for o in verdict.unused_omissions if not any(o is u for u in used)],
            verdict.added,
            verdict.compared,
            [o for o in verdict.unused_additions if not any(o is u for u in used)],
        )
        for item in verdict.missing:
            first = " ".join(item.paragraph.text.split())
            agrees = item.agrees_until
            hint = f"; it agrees up to “…{' '.join(agrees.split()[-6:])}”" if agrees else ""
            self.error(
                Origin(statement.original.origin.path, statement.original.body_line),
                f"not faithful to content/{file}:{item.paragraph.line}: the paragraph "
                f"“{first[:70]}{'…' if len(first) > 70 else ''}” is missing or altered{hint}. "
                "Restore it word for word, or declare it under source.omit with a reason",
            )
        for omission in verdict.unused_omissions:
            self.warning(
                omission.origin,
                f"omit entry “{omission.starts[:50]}” matches no paragraph of content/{file}",
            )
        self.additions(verdict, file)

    def received(self, where: Origin, file: str, field: str) -> str | None:
        """The text of an archived file named under content/, or None (an error said why)."""
        path = PurePosixPath(file)
        root = self.content.root / "content"
        if path.is_absolute() or ".." in path.parts:
            self.error(
                where,
                f"{field} '{file}' must be a path under content/, like sources/<name>.txt",
            )
            return None
        full = root / Path(*path.parts)
        if not inside(self.content.root, full):
            self.error(where, f"{field} 'content/{file}': " + outside_message(root, full))
            return None
        if not full.is_file() or full.is_symlink():
            self.error(where, f"{field} 'content/{file}' does not exist")
            return None
        try:
            data = self._read.get(full) if self.memo is not None else None
            return fold_newlines((data or full.read_bytes()).decode("utf-8-sig"))
        except UnicodeDecodeError:
            self.error(where, f"{field} 'content/{file}' is not UTF-8")
            return None

    def translation_faithfulness(
        self, statement: Statement, text: StatementText, file: str
    ) -> list[Omission]:
        """A translation received as such stands word for word as received, both ways; the
        declarations of source.omit and source.added it used."""
        received = self.received(text.line_of("source_file"), file, "source_file")
        if received is None:
            return []
        verdict = faithful.compare_translation(statement, text, received)
        for item in verdict.missing:
            first = " ".join(item.paragraph.text.split())
            self.error(
                Origin(text.origin.path, text.body_line),
                f"not faithful to content/{file}:{item.paragraph.line}: the paragraph "
                f"“{first[:70]}{'…' if len(first) > 70 else ''}” of the translation as "
                "received is missing or altered. Restore it word for word, or declare it "
                f"under source.omit in {statement.original.origin.path} with a reason",
            )
        for addition in verdict.added:
            shown = addition.text
            self.error(
                Origin(text.origin.path, text.body_line + addition.line - 1),
                f"not in content/{file}: the paragraph “{shown[:70]}"
                f"{'…' if len(shown) > 70 else ''}” is not in the translation as received. "
                f"Remove it, or declare it under source.added in {statement.original.origin.path}"
                " with a reason",
            )
        unused = verdict.unused_omissions + verdict.unused_additions
        return [o for o in (*statement.source.omit, *statement.source.added) if o not in unused]

    def additions(self, verdict: faithful.Verdict, file: str) -> None:
        """The paragraphs of a statement its archived source does not hold."""
        text = verdict.compared
        if text is None:
            return
        for addition in verdict.added:
            shown = addition.text
            self.error(
                Origin(text.origin.path, text.body_line + addition.line - 1),
                f"not in content/{file}: the paragraph “{shown[:70]}"
                f"{'…' if len(shown) > 70 else ''}” is not in the text as received. Remove "
                "it, or declare it under source.added with a reason (the book prints the "
                "reason as an editor's note)",
            )
        for entry in verdict.unused_additions:
            self.warning(
                entry.origin,
                f"added entry “{entry.starts[:50]}” matches no paragraph of "
                f"{text.origin.path}: remove it",
            )


def check(
    content: Content,
    locale_dirs: list[Path] | None = None,
    memo: MutableMapping[str, object] | None = None,
) -> list[Problem]:
    """Every problem of the loaded content. `memo` (a warm process's, see `build.warm`): the
    problems of each statement and file whose inputs have not changed are taken from it."""
    checker = Checker(content, memo)
    if content.book is not None and locale_dirs is not None:
        for lang in content.book.languages:
            if lang in checker.unknown_languages:
                continue  # one error for it already
            said = catalog_problem(locale_dirs, lang, content.book.default_lang, content.root)
            if said is not None:
                checker.warning(content.book.origin.at(content.book.lines, "languages"), said)
    checker.problems.extend(quotations.unmatched(content, memo))
    return checker.run()
