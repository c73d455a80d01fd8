"""Build: which outputs a request needs, and running the stages and engines to make them.

`run.build` is the one place that runs load -> check -> assemble -> render -> engines, under
one time limit (`limits`), making only what changed (`fingerprint`), with staged outputs.
"""

from kpbrief.build.run import (
    DEFAULT_TIME_LIMIT,
    BuildFailed,
    BuildRequest,
    BuildResult,
    build,
    layout_dirs,
    load_and_check,
    locale_dirs,
)

__all__ = [
    "DEFAULT_TIME_LIMIT",
    "BuildFailed",
    "BuildRequest",
    "BuildResult",
    "build",
    "layout_dirs",
    "load_and_check",
    "locale_dirs",
]
