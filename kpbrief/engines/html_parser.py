"""WeasyPrint's HTML parser (tinyhtml5) with its scanning patterns kept, as it means to keep them.

tinyhtml5's input stream scans a run of characters (a text, an attribute's value) with a
regular expression made from the set of characters that ends the run. It keeps the ones it
made in a module dictionary, `characters_until_regex`, under (characters, opposite). In
tinyhtml5 2.1 the pattern is stored under the pattern itself instead (the assignment
`characters = cache[(characters, opposite)] = regex` names the pattern before the key is
made of it), so it is never found: every scan builds its pattern again from the characters
and looks it up in `re`'s own cache. The index part of a 500-statement book (1.1 MB, most of
it page links' attributes) took 0.99 s to parse that way and 0.32 s with the patterns kept
(BENCHMARKS.md, round 11).

`keep_scanning_patterns()` replaces that dictionary with one that makes a missing pattern
itself, the same character class tinyhtml5 makes, and keeps it under the key it is looked up
by. The parse does not change (a test compares the trees); it is only quicker. Nothing is
replaced if the module has no such dictionary (a tinyhtml5 that scans otherwise).
"""

from __future__ import annotations

import re
from collections.abc import Iterable


class ScanningPatterns(dict[tuple[Iterable[str], bool], re.Pattern[str]]):
    """Patterns by (the characters that end a run, whether the run is of those instead):
    each made when first looked up."""

    def __missing__(self, key: tuple[Iterable[str], bool]) -> re.Pattern[str]:
        characters, opposite = key
        members = "".join(re.escape(character) for character in characters)
        pattern = re.compile(f"[{'' if opposite else '^'}{members}]+")
        self[key] = pattern
        return pattern


def keep_scanning_patterns() -> None:
    """tinyhtml5's patterns kept from one scan to the next, in this process (see above)."""
    try:
        from tinyhtml5 import inputstream
    except ImportError:
        return
    patterns = getattr(inputstream, "characters_until_regex", None)
    if isinstance(patterns, dict) and not isinstance(patterns, ScanningPatterns):
        inputstream.characters_until_regex = ScanningPatterns()
