"""YAML as editors write it: safe, bounded, and read with the line of every key.

Only PyYAML's safe constructors run (no tag builds an object); dates stay text for the
reader to check; a document whose aliases would expand beyond reason is refused before it
is built. libyaml reads a text when it would count lines as an editor does, for speed.
"""

from __future__ import annotations

import bisect
import re
from typing import Any

import yaml

MAX_YAML_DEPTH = 20
MAX_YAML_VALUES = 100_000  # scalars, lists and mappings, aliases expanded
MAX_YAML_CHARACTERS = 8 * 1024 * 1024  # the text of every scalar, aliases expanded


class LineMap(dict[str, Any]):
    """A YAML mapping that remembers the line of each of its keys."""

    def __init__(self) -> None:
        super().__init__()
        self.line = 1
        self.lines: dict[str, int] = {}
        self.duplicates: list[tuple[str, int, int]] = []  # key, its line, its first line
        self.raw: dict[str, str] = {}  # scalar values as written, before YAML typed them


class _Loader(yaml.SafeLoader):
    """PyYAML's safe loader (no object-constructing tags), recording lines."""

    line_offset = 0
    _newlines: list[int] | None = None

    def line_of(self, mark: yaml.Mark) -> int:
        """The 1-based line of a mark in the file, counting only '\n' as a line break.

        YAML also breaks lines at U+0085, U+2028 and U+2029, which `mark.line` counts and
        an editor (and every other line kpbrief reports) does not.
        """
        if self._newlines is None:
            self._newlines = [i for i, char in enumerate(self.buffer) if char == "\n"]
        return bisect.bisect_left(self._newlines, mark.index) + 1 + self.line_offset


def _construct_mapping(loader: _Loader, node: yaml.MappingNode) -> LineMap:
    mapping = LineMap()
    mapping.line = loader.line_of(node.start_mark)
    for key_node, value_node in node.value:
        key = loader.construct_object(key_node, deep=True)
        line = loader.line_of(key_node.start_mark)
        if not isinstance(key, str):
            key = str(key)
        if key in mapping:
            mapping.duplicates.append((key, line, mapping.lines[key]))
        mapping[key] = loader.construct_object(value_node, deep=True)
        mapping.lines[key] = line
        if isinstance(value_node, yaml.ScalarNode):
            mapping.raw[key] = str(value_node.value)
    return mapping


def _construct_timestamp(loader: _Loader, node: yaml.ScalarNode) -> str:
    # Dates stay text here; `Reader.date` reads them, with a clear error for a bad one.
    return str(loader.construct_scalar(node))


_Loader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_mapping)
_Loader.add_constructor("tag:yaml.org,2002:timestamp", _construct_timestamp)

# libyaml's parser, when PyYAML was built with it: six times quicker on front matter. It
# counts U+0085, U+2028 and U+2029 as line breaks, so a text holding one is read by
# `_Loader`; so is a text it finds wrong, for `_Loader`'s messages and lines.
_BREAKS_BESIDES_NEWLINE = re.compile("[\x85\u2028\u2029]")

try:
    from yaml import CSafeLoader as _LibyamlLoader
except ImportError:  # pragma: no cover - PyYAML built without libyaml: as quick as _Loader
    _LibyamlLoader = yaml.SafeLoader  # type: ignore[misc,assignment]


class _FastLoader(_LibyamlLoader):
    line_offset = 0

    def line_of(self, mark: yaml.Mark) -> int:
        return int(mark.line) + 1 + self.line_offset


_FastLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_mapping)
_FastLoader.add_constructor("tag:yaml.org,2002:timestamp", _construct_timestamp)


def _parse_quickly(text: str, line_offset: int) -> tuple[bool, Any]:
    """(True, the document) read by libyaml, or (False, None) where `_Loader` must read it:
    a text libyaml finds wrong or too big, or whose lines it would count otherwise."""
    if _BREAKS_BESIDES_NEWLINE.search(text):
        return False, None
    loader = _FastLoader(text)
    loader.line_offset = line_offset
    try:
        node = loader.get_single_node()
        if node is None:
            return True, None
        if _too_big(node) is not None:
            return False, None
        return True, loader.construct_document(node)
    except (yaml.YAMLError, ValueError, TypeError, RecursionError):
        return False, None
    finally:
        loader.dispose()


def _too_big(node: yaml.Node) -> str | None:
    """Why a YAML document is beyond reason (too deep, or too many values), or None.

    Values are counted as the loader will build them, aliases (`*name`) expanded: a few
    lines of anchors can otherwise stand for billions of values.
    """
    stack: list[tuple[yaml.Node, int]] = [(node, 1)]
    count = 0
    characters = 0
    while stack:
        current, depth = stack.pop()
        count += 1
        if isinstance(current, yaml.ScalarNode):
            characters += len(current.value)
            if characters > MAX_YAML_CHARACTERS:
                return (
                    f"YAML expands to more than {MAX_YAML_CHARACTERS // (1024 * 1024)} MiB of "
                    "text once its aliases (*name) are expanded; write the values out, "
                    "without anchors and aliases"
                )
        if depth > MAX_YAML_DEPTH:
            return f"YAML nested deeper than {MAX_YAML_DEPTH} levels; flatten it"
        if count > MAX_YAML_VALUES:
            return (
                f"YAML holds more than {MAX_YAML_VALUES} values once its aliases (*name) are "
                "expanded; write the values out, without anchors and aliases"
            )
        if isinstance(current, yaml.SequenceNode):
            stack.extend((child, depth + 1) for child in current.value)
        elif isinstance(current, yaml.MappingNode):
            for key, value in current.value:
                stack.append((key, depth + 1))
                stack.append((value, depth + 1))
    return None
