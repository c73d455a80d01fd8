"""docs/content-format.md names every field the loaders accept, and ships with kpbrief."""

from __future__ import annotations

import ast
import re
from pathlib import Path

from kpbrief import TOOL_ROOT

CONTENT = Path(__file__).parent.parent.parent / "kpbrief/content"
LOADERS = [
    CONTENT / name for name in ("load.py", "statements.py", "packs.py", "editions.py", "matter.py")
]
FORMAT = TOOL_ROOT / "docs/content-format.md"


def _accepted_fields() -> set[str]:
    """Every field name the loaders accept: the string tuples given to `Reader.fields` and
    the field tuples the statement loader builds them from."""
    names: set[str] = set()
    trees = [ast.parse(path.read_text(encoding="utf-8")) for path in LOADERS]
    for node in (node for tree in trees for node in ast.walk(tree)):
        if isinstance(node, ast.Tuple) and node.elts:
            values = [e.value for e in node.elts if isinstance(e, ast.Constant)]
            if len(values) == len(node.elts) and all(isinstance(v, str) for v in values):
                names.update(v for v in values if re.fullmatch(r"[a-z_]+", v))
    return names


def test_every_accepted_field_is_documented() -> None:
    text = FORMAT.read_text(encoding="utf-8")
    fields = _accepted_fields()
    assert {
        "title",
        "date",
        "publisher",
        "omit",
        "sort_as",
        "key_lines",
        "asks",
        "meeting",
        "as_of",
        "colophon",
        "current_contacts",
        "licence",
        "citation",
        "disclaimer",
        "expansion",
        "also",
        "place",
        "order",
    } <= fields
    undocumented = sorted(f for f in fields if not re.search(rf"(?<![\w-]){f}(?![\w-])", text))
    assert undocumented == []


def test_the_format_is_found_where_an_installed_kpbrief_looks() -> None:
    assert FORMAT.is_file()
    pyproject = (Path(__file__).parent.parent.parent / "pyproject.toml").read_text(encoding="utf-8")
    assert '"docs/content-format.md"' in pyproject
