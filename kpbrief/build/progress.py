"""Progress of a build, as the operator sees it: a bar per output on a terminal, lines elsewhere.

The build calls a `Progress` at each step of each output; what the calls become is the
concern of this module only. These are messages to the person running kpbrief, not part of
any book, so they are not in the catalogs.
"""

from __future__ import annotations

import sys
from types import TracebackType
from typing import Any, Protocol, Self, TextIO


class Progress(Protocol):
    def planned(self, name: str, steps: int) -> None:
        """An output will be made in `steps` steps."""

    def step(self, name: str, what: str) -> None:
        """The output's next step has begun."""

    def finished(self, name: str, outcome: str) -> None:
        """The output is done: written, up to date, or failed."""


class _Plain:
    """Progress that needs no setting up: a context manager doing nothing."""

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc: object) -> None:
        pass


class Silent(_Plain):
    def planned(self, name: str, steps: int) -> None:
        pass

    def step(self, name: str, what: str) -> None:
        pass

    def finished(self, name: str, outcome: str) -> None:
        pass


class Lines(_Plain):
    """One plain line per step: for CI logs, pipes and files."""

    def __init__(self, stream: TextIO) -> None:
        self.stream = stream

    def planned(self, name: str, steps: int) -> None:
        pass

    def step(self, name: str, what: str) -> None:
        print(f"{name}: {what}", file=self.stream, flush=True)

    def finished(self, name: str, outcome: str) -> None:
        print(f"{name}: {outcome}", file=self.stream, flush=True)


class Bars:
    """A rich progress bar per output, for an interactive terminal."""

    def __init__(self, stream: TextIO) -> None:
        from rich.console import Console
        from rich.progress import (
            BarColumn,
            SpinnerColumn,
            TextColumn,
            TimeElapsedColumn,
        )
        from rich.progress import Progress as RichProgress

        self._bars = RichProgress(
            SpinnerColumn(finished_text="[green]✓[/]"),
            TextColumn("{task.fields[output]:<28}"),
            BarColumn(bar_width=24),
            TextColumn("{task.description}"),
            TimeElapsedColumn(),
            console=Console(file=stream),
        )
        self._tasks: dict[str, Any] = {}

    def __enter__(self) -> Self:
        self._bars.start()
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        value: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self._bars.stop()

    def planned(self, name: str, steps: int) -> None:
        self._tasks[name] = self._bars.add_task("waiting", total=steps, output=name)

    def step(self, name: str, what: str) -> None:
        task = self._tasks[name]
        if self._bars.tasks[task].description != "waiting":
            self._bars.advance(task)
        self._bars.update(task, description=what)

    def finished(self, name: str, outcome: str) -> None:
        task = self._tasks[name]
        total = self._bars.tasks[task].total
        self._bars.update(task, description=outcome, completed=total)


def for_stream(stream: TextIO = sys.stderr) -> Lines | Bars:
    """Bars on a terminal, plain lines anywhere else (CI, pipes, files)."""
    return Bars(stream) if stream.isatty() else Lines(stream)
