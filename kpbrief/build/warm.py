"""What a long-lived process (`kpbrief watch`) keeps between builds: the content as loaded and
checked, and each language's assembled edition and rendered HTML, by the digest of the inputs.

A build given a `Warm` looks up what it would otherwise compute; the digest covers every file
a build reads (content, layouts, locales, kpbrief itself), so a hit is exactly what loading
and rendering again would give. Only the latest inputs are kept: an edit replaces them.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from kpbrief.content.model import Content, Problem


@dataclass
class Warm:
    inputs: str = ""  # the digest what is kept was made from
    checked: tuple[Content, list[Problem]] | None = None
    rendered: dict[tuple[Any, ...], Any] = field(default_factory=dict)
    hits: int = 0  # lookups answered (for the tests and the benchmark)

    def at(self, inputs: str) -> Warm:
        """Forget what was made from other inputs."""
        if inputs != self.inputs:
            self.inputs, self.checked, self.rendered = inputs, None, {}
        return self
