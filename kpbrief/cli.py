"""The command line: `kpbrief build|check|i18n|new …`.

Exit codes: 0 success, 1 a problem in the content or the build, 2 a usage error.
The engines are imported only by the commands that need them, so `--help` is quick.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path

from . import __version__
from .models import Problem


def _print_problems(problems: list[Problem]) -> None:
    for problem in problems:
        print(problem, file=sys.stderr)


def cmd_build(args: argparse.Namespace) -> int:
    from .build import BuildFailed, BuildRequest, build

    source = Path(args.source).resolve()
    out = Path(args.out).resolve() if args.out else source / "build"
    request = BuildRequest(
        source=source,
        out=out,
        languages=list(dict.fromkeys(args.lang or [])),
        formats=list(dict.fromkeys(args.format or ["pdf", "epub"])),
        accessible_pdf=not args.fast,
    )
    try:
        written = build(request, report=lambda message: print(message, file=sys.stderr))
    except BuildFailed as failure:
        _print_problems(failure.problems)
        print(f"kpbrief: build failed: {failure}", file=sys.stderr)
        return 1
    for path in written:
        print(path)
    return 0


def cmd_check(args: argparse.Namespace) -> int:
    from .build import load_and_check

    _content, problems = load_and_check(Path(args.source).resolve())
    if args.strict:
        problems = [Problem(p.origin, "error", p.message) for p in problems]
    for problem in problems:
        print(problem)
    errors = sum(1 for p in problems if p.severity == "error")
    warnings = len(problems) - errors
    print(f"{errors} error(s), {warnings} warning(s)", file=sys.stderr)
    return 1 if errors else 0


def parser() -> argparse.ArgumentParser:
    main_parser = argparse.ArgumentParser(
        prog="kpbrief",
        description="Build a coalition's statements into a briefing book (PDF and EPUB).",
    )
    main_parser.add_argument("--version", action="version", version=f"kpbrief {__version__}")
    commands = main_parser.add_subparsers(dest="command", metavar="COMMAND", required=True)

    build_parser = commands.add_parser(
        "build", help="build the book's PDF and EPUB", description="Build the book folder."
    )
    build_parser.add_argument(
        "--source",
        default=".",
        metavar="DIR",
        help="the book folder (default: the current directory)",
    )
    build_parser.add_argument("--out", metavar="DIR", help="output folder (default: DIR/build)")
    build_parser.add_argument(
        "--lang", action="append", metavar="L", help="build only this language (repeatable)"
    )
    build_parser.add_argument(
        "--format",
        action="append",
        choices=["pdf", "epub", "html"],
        help="build only this format (repeatable; default pdf and epub)",
    )
    build_parser.add_argument(
        "--fast", action="store_true", help="skip the PDF/UA tagging (drafts only)"
    )
    build_parser.set_defaults(func=cmd_build)

    check_parser = commands.add_parser(
        "check",
        help="check the book folder and list every problem",
        description="Print every problem as path:line: error|warning: message.",
    )
    check_parser.add_argument("--source", default=".", metavar="DIR", help="the book folder")
    check_parser.add_argument("--strict", action="store_true", help="treat warnings as errors")
    check_parser.set_defaults(func=cmd_check)
    return main_parser


def main(argv: Sequence[str] | None = None) -> int:
    args = parser().parse_args(argv)
    result: int = args.func(args)
    return result


if __name__ == "__main__":
    raise SystemExit(main())
