"""Fuzzing with hypothesis: hostile front matter and Markdown, on check and on the renderer.

Reproducible (derandomize: the same examples on every run, no example database) and quick
(a few hundred examples in all, about 20 s on two cores).
"""

from __future__ import annotations

import string
from pathlib import Path

import pytest
import yaml
from helpers.forbidden import html_findings
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from kpbrief.content.check import check
from kpbrief.content.load import load_content
from kpbrief.content.markdown import to_html
from kpbrief.content.model import Problem
from kpbrief.edition.assemble import assemble
from kpbrief.edition.i18n import translations_for
from kpbrief.edition.render import render_html
from kpbrief.folder import layout_dirs, locale_dirs

FUZZ = settings(
    max_examples=150,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
)

STATEMENT = "content/statements/2020-03-03-fuzz.en.md"
PERSON = "content/people/fuzz.yaml"
BOOK_FILES = {
    "content/book.yaml": (
        "id: fuzz-book\ntitle: Fuzz\npublisher: Fuzz Coalition\nedition: 2024-01-01\n"
        "languages: [en]\n"
    ),
    "content/issues/reform.en.md": "---\ntitle: Reform\n---\nText.\n",
    "content/people/ada-okafor.yaml": "name: Ada Okafor\nemail: ada@example.org\n",
    "content/people/hidden-person.yaml": "name: Zed Hidden\npublic: false\n",
}
FRONT = (
    "title: Fuzzed\ndate: 2020-03-03\nkind: other\nissues: [reform]\n"
    "source:\n  publisher: Fuzz Coalition\n"
)


@pytest.fixture(scope="module")
def book(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A minimal book that passes the check; each example rewrites one file of it."""
    root = tmp_path_factory.mktemp("fuzz")
    for name, text in BOOK_FILES.items():
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_text(text, encoding="utf-8")
    (root / "content/statements").mkdir()
    return root


def run_check(book: Path) -> list[Problem]:
    """load_content and check: they report problems, and never raise."""
    return check(load_content(book))


def assert_located(book: Path, found: list[Problem]) -> None:
    for problem in found:
        assert problem.origin.path, problem
        assert (book / problem.origin.path).is_file(), problem
        lines = (book / problem.origin.path).read_bytes().count(b"\n") + 1
        assert isinstance(problem.origin.line, int), problem
        assert 1 <= problem.origin.line <= lines, (problem, lines)


# -- front matter ----------------------------------------------------------------------------

YAML_SNIPPETS = [
    "!!python/object/apply:os.system [touch kpbrief-pwned]",
    "!!python/name:os.system",
    "!!python/object/new:subprocess.Popen [[true]]",
    "!!binary aGVsbG8=",
    "!!set {a, b}",
    "!!omap [a: 1]",
    "!!timestamp 2001-12-14",
    "!!float nan",
    "&a [x, *a]",
    "*nowhere",
    "<<: {a: 1}",
    "? [a, b]\n: c",
    "---\n",
    "...\n",
    "%YAML 1.1\n",
    "title: ",
    "date: ",
    "issues: ",
    "contacts: [hidden-person]",
    "source: {publisher: ",
    "translation: official",
    "translated_from: 0123",
    "2019-02-30",
    "yes",
    "~",
    "\t",
    "\ufeff",
    "\x00",
    "\u2028",
]
YAML_CHARS = string.ascii_letters + string.digits + " \n:-[]{},&*!|>'\"#%@`?~.\\/_\t"

yaml_texts = st.lists(
    st.one_of(st.sampled_from(YAML_SNIPPETS), st.text(alphabet=YAML_CHARS, max_size=30)),
    max_size=12,
).map("".join)

FIELDS = [
    "title",
    "date",
    "kind",
    "issues",
    "speakers",
    "contacts",
    "mentions",
    "source",
    "credits",
    "place",
    "event",
    "date_note",
    "translation",
    "translated_from",
    "name",
    "role",
    "phone",
    "email",
    "public",
    "contact",
    "organisation",
    "country",
    "publisher",
    "file",
    "omit",
    "starts",
    "why",
    "en",
    "fr",
]
scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(10**20), max_value=10**20),
    st.floats(allow_nan=True, allow_infinity=True),
    st.text(max_size=20),
    st.sampled_from(["2019-11-22", "2019-13", "reform", "hidden-person", "../../etc/passwd"]),
)
structures = st.recursive(
    scalars,
    lambda children: st.one_of(
        st.lists(children, max_size=4),
        st.dictionaries(
            st.one_of(st.sampled_from(FIELDS), st.text(max_size=8)), children, max_size=5
        ),
    ),
    max_leaves=15,
)
front_matters = st.one_of(
    structures.map(lambda data: yaml.safe_dump(data, allow_unicode=True)),
    st.dictionaries(st.sampled_from(FIELDS), structures, max_size=8).map(
        lambda data: yaml.safe_dump(data, allow_unicode=True)
    ),
    yaml_texts,
    st.tuples(st.just(FRONT), yaml_texts).map("".join),
)


@FUZZ
@given(front=front_matters)
def test_fuzzed_front_matter_gives_problems_with_file_and_line(book: Path, front: str) -> None:
    path = book / STATEMENT
    path.write_text(f"---\n{front}\n---\nA body.\n", encoding="utf-8", errors="surrogatepass")
    try:
        assert_located(book, run_check(book))
    finally:
        path.unlink()
    assert not Path("kpbrief-pwned").exists()


@FUZZ
@given(text=front_matters)
def test_fuzzed_person_files_give_problems_with_file_and_line(book: Path, text: str) -> None:
    path = book / PERSON
    path.write_text(text, encoding="utf-8", errors="surrogatepass")
    try:
        assert_located(book, run_check(book))
    finally:
        path.unlink()


# -- Markdown bodies -------------------------------------------------------------------------

MD_SNIPPETS = [
    "<script>",
    "</script>",
    "<iframe src=",
    "<object data=",
    "<embed src=",
    "<form action=",
    "<img src=x onerror=",
    " onload=",
    "<style>",
    "@import ",
    "url(",
    "javascript:",
    "JaVaScRiPt:",
    "java\tscript:",
    "&#106;avascript:",
    "&#x6A;avascript:",
    "data:text/html,",
    "data:image/png;base64,AAAA",
    "file:///etc/passwd",
    "vbscript:",
    "http://127.0.0.1:9/",
    "media/x.png",
    "../",
    "](",
    "![",
    "[x]: ",
    "<http://",
    "<javascript:alert(1)>",
    "(person:hidden-person)",
    "(statement:2020-03-03-fuzz)",
    "```",
    "    ",
    "[^1]",
    "[^1]: ",
    "|a|b|\n|-|-|\n",
    "<!--",
    "-->",
    "<![CDATA[",
    "\\",
    "\n\n",
]
MD_CHARS = "<>[]()!*_`#&;:\"'\n =/\\-.|^~ abcxyz0123"

markdown_bodies = st.lists(
    st.one_of(st.sampled_from(MD_SNIPPETS), st.text(alphabet=MD_CHARS, max_size=12)),
    max_size=25,
).map("".join)

RAW_FORBIDDEN = ("<script", "<iframe", "<object", "<embed", "<form", "<style", "<link")


def assert_clean(html: str) -> None:
    lowered = html.lower()
    for tag in RAW_FORBIDDEN:
        assert tag not in lowered, tag
    assert html_findings(html) == []


def resolve(kind: str, item_id: str) -> str | None:
    return f"{kind}-{item_id}" if item_id in ("reform", "ada-okafor") else None


@FUZZ
@given(body=markdown_bodies)
def test_fuzzed_markdown_is_refused_or_rendered_harmless(book: Path, body: str) -> None:
    path = book / STATEMENT
    path.write_text(f"---\n{FRONT}---\n{body}\n", encoding="utf-8")
    try:
        found = run_check(book)
    finally:
        path.unlink()
    assert_located(book, [p for p in found if p.origin.path != STATEMENT])
    refused = any(p.severity == "error" and p.origin.path == STATEMENT for p in found)
    if not refused:
        assert_clean(to_html(body, resolve, "fuzz"))


@settings(FUZZ, max_examples=40)
@given(body=markdown_bodies)
def test_fuzzed_markdown_that_passes_renders_a_harmless_book(book: Path, body: str) -> None:
    """The whole print document, as WeasyPrint would get it (the engine is not run)."""
    path = book / STATEMENT
    path.write_text(f"---\n{FRONT}---\n{body}\n", encoding="utf-8")
    try:
        content = load_content(book)
        found = check(content)
        if any(p.severity == "error" for p in found):
            return
        translations = translations_for(locale_dirs(book), "en", "en")
        edition = assemble(content, "en", interface_fallback=not translations.complete)
        html = render_html(edition, layout_dirs(book), translations.gettext, "print")
    finally:
        path.unlink()
    # The layouts' own <style> block and stylesheet link are the only style in the document.
    head, _, document_body = html.partition("<body")
    assert head.lower().count("<style") == 1 and "url(" not in head.split("<style")[1]
    assert_clean("<body" + document_body)
    assert "Zed Hidden" not in html
