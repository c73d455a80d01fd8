"""A build as `kpbrief build` reports it, in the command's own process or in the warm build
process (`warm_process`): its outputs on standard output, its problems and its counts on
standard error, its exit status returned. Messages to the person running kpbrief, not part
of any book: not in the catalogs."""

from __future__ import annotations

import sys

from kpbrief.build.plan import BuildRequest
from kpbrief.build.warm import Warm
from kpbrief.content.model import Problem


def print_problems(problems: list[Problem]) -> None:
    for problem in problems:
        print(problem, file=sys.stderr)


def run_build(request: BuildRequest, verbose: bool, quiet: bool, warm: Warm | None = None) -> int:
    """A build, as `kpbrief build` makes and reports it (here, or in the warm process)."""
    from kpbrief.build import BuildFailed, build
    from kpbrief.build.progress import for_stream

    try:
        with for_stream(sys.stderr) as progress:
            result = build(request, progress, warm)
    except BuildFailed as failure:
        print_problems(failure.problems)
        print(f"kpbrief: build failed: {failure}", file=sys.stderr)
        return 1
    for path in result.outputs:
        print(path)
    if result.warnings and verbose:
        print_problems(result.warnings)
    if result.warnings and not quiet:
        print(
            f"{len(result.warnings)} warning(s) in the content"
            + ("" if verbose else "; 'kpbrief check' or --verbose lists them"),
            file=sys.stderr,
        )
    if result.written or result.unchanged:
        print(
            f"{len(result.written)} written, {len(result.unchanged)} up to date",
            file=sys.stderr,
        )
    return 0
