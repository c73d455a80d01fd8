"""What a long-lived process (`kpbrief watch`) keeps between builds: the content as loaded and
checked, and each language's assembled edition and rendered HTML, by the digest of the inputs;
and, for a round after an edit, what each stage made of each part of the book, by the digest of
what that part is made of (`Kept`), so that the round does work in proportion to the edit.

A build given a `Warm` looks up what it would otherwise compute; the digest covers every file
a build reads (content, layouts, locales, kpbrief itself), so a hit is exactly what loading
and rendering again would give. Only the latest inputs are kept: an edit replaces them.

`Kept` holds, for one stage, values under keys that are digests of everything the value is a
function of (a file's bytes, a statement's fields and the names of the book it refers to, a
fragment of HTML and the state the pass reads it in): a stage given one looks a part up before
making it, so a hit is exactly what making it again would give. The stages take it as a plain
mapping (`memo`), and never need it: without one they make everything.
"""

from __future__ import annotations

import concurrent.futures
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from kpbrief.build.plan import BuildRequest
    from kpbrief.content.model import Content, Problem


class Kept(dict[str, Any]):
    """One stage's values by digest. What a round neither looked up nor made is forgotten at
    the next round (`next_round`): the cache holds about one book's worth, whatever the edits."""

    def __init__(self) -> None:
        super().__init__()
        self.before: dict[str, Any] = {}
        self.hits = 0

    def get(self, key: str, default: Any = None) -> Any:
        if key in self:
            self.hits += 1
            return self[key]
        if key in self.before:
            self.hits += 1
            value = self[key] = self.before.pop(key)
            return value
        return default

    def next_round(self) -> None:
        self.before = dict(self)
        self.clear()


@dataclass
class Warm:
    inputs: str = ""  # the digest what is kept was made from
    checked: tuple[Content, list[Problem]] | None = None
    rendered: dict[tuple[Any, ...], Any] = field(default_factory=dict)
    hits: int = 0  # lookups answered (for the tests and the benchmark)
    stages: dict[str, Kept] = field(default_factory=dict)  # each stage's parts, by digest
    # The process a long book's check runs in, beside the rounds, with findings of its own.
    checker: concurrent.futures.ProcessPoolExecutor | None = None

    def at(self, inputs: str) -> Warm:
        """Forget what was made from other inputs."""
        if inputs != self.inputs:
            self.inputs, self.checked, self.rendered = inputs, None, {}
            for kept in self.stages.values():
                kept.next_round()
        return self

    def memo(self, stage: str) -> Kept:
        """What `stage` made of each part of the book, by digest (kept across edits)."""
        return self.stages.setdefault(stage, Kept())

    def check_beside(self) -> concurrent.futures.ProcessPoolExecutor:
        """The worker a long book's check runs in while this process assembles and renders
        (started at the first round that needs it, kept until `close`). It keeps its own
        findings (`checked_in_worker`), so that it too checks again only what changed."""
        if self.checker is None:
            from kpbrief.engines.processes import quiet_pool

            self.checker = quiet_pool()
        return self.checker

    def close(self) -> None:
        """Stop the check's worker, if one was started."""
        if self.checker is not None:
            checker, self.checker = self.checker, None
            checker.shutdown(wait=True, cancel_futures=True)


# In the check's worker (`Warm.check_beside`): the files it loaded and its findings, kept
# from one round to the next.
_LOADED = Kept()
_FINDINGS = Kept()


def checked_in_worker(request: BuildRequest) -> tuple[list[Problem], str]:
    """In the check's worker: the problems of the book's content, loaded and checked with
    what the worker loaded and found before; and the digest of the inputs it loaded (""
    if they changed while it loaded them), for the build to know they are the ones it
    loaded (`run._Check`)."""
    from kpbrief.build.plan import inputs_digest
    from kpbrief.build.run import checked
    from kpbrief.content.load import load_content

    _LOADED.next_round()
    _FINDINGS.next_round()
    before = inputs_digest(request)
    content = load_content(request.source, _LOADED)
    found = before if inputs_digest(request) == before else ""
    return checked(content, _FINDINGS), found
