"""Build: which outputs a request needs, and running the stages and engines to make them.

`run.build` is the one place that runs load -> check -> assemble -> render -> engines, under
one time limit (`limits`), making only what changed (`fingerprint`), with staged outputs.
"""

from kpbrief.build.plan import DEFAULT_TIME_LIMIT, BuildFailed, BuildRequest, BuildResult
from kpbrief.build.run import build, load_and_check
from kpbrief.folder import layout_dirs, locale_dirs

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
