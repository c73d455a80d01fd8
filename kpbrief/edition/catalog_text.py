"""Catalogs are content too: a translated message is text, never markup.

Jinja2's i18n extension marks what a catalog gives as safe HTML. A book's own catalog is
written by translators, like its statements by editors, so every message is escaped here
before the template uses it: `<script>` in a translation is printed as the word it is,
never run, in the HTML, the PDF and the EPUB alike. Line breaks become spaces and a
backslash a reverse solidus sign, so that a message inside a CSS string (the
cross-reference's "p.") can neither end the string nor escape its quote. No markup is
allowed in messages; the templates hold it.
"""

from __future__ import annotations

import gettext
import re

from markupsafe import Markup, escape

from kpbrief.edition.i18n import without_language_marks

_BREAKS = re.compile(r"[\r\n\f\v\x00-\x08\x0e-\x1f\x7f\u2028\u2029]")


def css_string(text: str) -> Markup:
    """Text put inside a CSS string of a template's <style> (`{{ _('p.')|css_string }}`):
    every character but letters, digits and spaces written as a CSS escape, so that nothing
    can end the string or reach the style sheet around it. HTML escapes are undone first: a
    <style> is raw text, its entities would be printed as written."""
    plain = Markup(text).unescape() if isinstance(text, Markup) else str(text)
    plain = without_language_marks(plain)  # a language cannot be marked in a CSS string
    return Markup(
        "".join(char if char.isalnum() or char == " " else f"\\{ord(char):06x}" for char in plain)
    )


def as_text(message: str) -> Markup:
    """A catalog's message as HTML text: escaped, on one line, no backslash."""
    return escape(_BREAKS.sub(" ", message).replace("\\", "\u29f5"))


class EscapedTranslations:
    """The gettext functions of `translations`, each giving escaped text."""

    def __init__(self, translations: gettext.NullTranslations) -> None:
        self.translations = translations

    def gettext(self, message: str) -> Markup:
        return as_text(self.translations.gettext(message))

    def ngettext(self, singular: str, plural: str, n: int) -> Markup:
        return as_text(self.translations.ngettext(singular, plural, n))

    def pgettext(self, context: str, message: str) -> Markup:
        return as_text(self.translations.pgettext(context, message))

    def npgettext(self, context: str, singular: str, plural: str, n: int) -> Markup:
        return as_text(self.translations.npgettext(context, singular, plural, n))
