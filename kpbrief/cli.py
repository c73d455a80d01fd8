"""The command line: `kpbrief build|check|i18n|new …`.

Exit codes: 0 success, 1 a problem in the content or the build, 2 a usage error.
The engines are imported only by the commands that need them, so `--help` is quick.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from kpbrief import __version__
from kpbrief.content.model import Problem

if TYPE_CHECKING:
    from kpbrief.build import BuildRequest


def _build_request(args: argparse.Namespace) -> BuildRequest:
    from kpbrief.build import DEFAULT_TIME_LIMIT, BuildRequest

    source = Path(args.source).resolve()
    limit = DEFAULT_TIME_LIMIT if args.time_limit is None else args.time_limit
    return BuildRequest(
        source=source,
        out=Path(args.out).resolve() if args.out else source / "build",
        languages=list(dict.fromkeys(args.lang or [])),
        formats=list(dict.fromkeys(args.format or ["pdf", "epub"])),
        accessible_pdf=not args.fast,
        time_limit=limit or None,
        force=args.force,
        paper=args.paper,
        parts=args.parts,
        packs=not args.no_packs,
        pack=args.pack,
        press=args.press,
    )


def cmd_build(args: argparse.Namespace) -> int:
    request = _build_request(args)
    if not args.cold:
        from kpbrief.build import warm_process

        if warm_process.wanted(request):
            status = warm_process.build_in_warm_process(request, args.verbose, args.quiet)
            if status is not None:
                return status
    from kpbrief.build.report import run_build

    return run_build(request, args.verbose, args.quiet)


def cmd_watch(args: argparse.Namespace) -> int:
    from kpbrief.authoring.watch import watch

    request = _build_request(args)
    request.formats = list(dict.fromkeys(["html", *request.formats]))
    try:
        watch(request, args.port)
    except OSError as failure:  # the port is taken, most often
        return _cannot_serve("watch", args.port, failure)
    return 0


def cmd_serve(args: argparse.Namespace) -> int:
    from kpbrief.authoring.watch import live_script, serve

    source = Path(args.source).resolve()
    out = Path(args.out).resolve() if args.out else source / "build"
    if not any(out.glob("*.html")):
        print(
            f"kpbrief serve: no HTML in {out}: run `kpbrief build --format html` first, "
            "or `kpbrief watch`, which builds and serves",
            file=sys.stderr,
        )
        return 1
    try:
        serve(out, live_script(source), args.port)
    except OSError as failure:  # the port is taken, most often
        return _cannot_serve("serve", args.port, failure)
    return 0


def cmd_check(args: argparse.Namespace) -> int:
    from kpbrief.build import load_and_check
    from kpbrief.content.diagnostics import render

    content, problems = load_and_check(Path(args.source).resolve())
    if args.strict:
        problems = [Problem(p.origin, "error", p.message, p.excerpt) for p in problems]
    errors = sum(1 for p in problems if p.severity == "error")
    warnings = len(problems) - errors
    for problem in problems:
        if args.quiet and problem.severity != "error":
            continue
        print(render(problem, excerpt=not args.quiet))
    if args.verbose:
        print(
            f"read {len(content.statements)} statement(s), {len(content.issues)} issue(s), "
            f"{len(content.people)} person(s), {len(content.organisations)} organisation(s), "
            f"{len(content.events)} event(s), {len(content.media)} media file(s)",
            file=sys.stderr,
        )
    if not args.quiet or errors:
        print(f"{errors} error(s), {warnings} warning(s)", file=sys.stderr)
    return 1 if errors else 0


def cmd_i18n(args: argparse.Namespace) -> int:
    from kpbrief.authoring import translations as workflow
    from kpbrief.build import load_and_check, locale_dirs
    from kpbrief.build.report import print_problems
    from kpbrief.confine import OutsideBook
    from kpbrief.content.load import load_content

    source = Path(args.source).resolve()
    try:
        if args.action == "extract":
            print(workflow.extract(source))
            return 0
        content = load_content(source)
        if content.book is None:
            print_problems(content.problems)
            return 1
        if args.action == "update":
            for path in workflow.update(source, list(content.book.languages)):
                print(path)
            return 0
    except OutsideBook as outside:
        print(f"kpbrief i18n: {outside}", file=sys.stderr)
        return 1
    if args.action == "stamp":
        if not args.file:
            print("kpbrief i18n stamp: name the translation file to stamp", file=sys.stderr)
            return 2
        try:
            digest = workflow.stamp(content, Path(args.file))
        except workflow.StampError as problem:
            print(f"kpbrief: {problem}", file=sys.stderr)
            return 1
        print(f"{args.file}: translated_from: {digest}")
        return 0
    _content, problems = load_and_check(source)
    for item in workflow.status(content, locale_dirs(source)):
        where = (
            item.catalog.relative_to(source)
            if item.catalog and item.catalog.is_relative_to(source)
            else item.catalog
        )
        print(f"[{item.lang}]")
        if item.catalog is None and item.lang.split("_")[0] != "en":
            print("  catalog: none (interface shown in the book's first language)")
        elif item.catalog is not None:
            done = item.messages - len(item.untranslated)
            print(f"  catalog: {where}: {done}/{item.messages} messages translated")
            for message in item.untranslated:
                print(f"    untranslated: {message}")
        for label, values in (
            ("statements without a translation", item.statements_missing),
            ("chapters without a text", item.chapters_missing),
            ("outdated translations", item.outdated),
            ("translations never stamped", item.unstamped),
        ):
            print(f"  {label}: {len(values)}")
            for value in values:
                print(f"    {value}")
    return 0


def cmd_edition(args: argparse.Namespace) -> int:
    from kpbrief.authoring.editions import EditionRefused, close_edition, diff_lines

    source = Path(args.source).resolve()
    try:
        if args.action == "close":
            print(close_edition(source).relative_to(source))
        else:
            print("\n".join(diff_lines(source)))
    except EditionRefused as refused:
        print(f"kpbrief edition {args.action}: {refused}", file=sys.stderr)
        return 1
    return 0


def cmd_new(args: argparse.Namespace) -> int:
    from kpbrief.authoring.new import NewRefused, new_file

    try:
        target = new_file(Path(args.source).resolve(), args.kind, args.id, args.lang)
    except NewRefused as refused:
        print(f"kpbrief new: {refused}", file=sys.stderr)
        return refused.code
    print(target)
    return 0


def cmd_import(args: argparse.Namespace) -> int:
    from kpbrief.authoring.importer import import_statement
    from kpbrief.authoring.importer.received import ImportRefused
    from kpbrief.build import load_and_check

    source = Path(args.source).resolve()
    try:
        imported = import_statement(Path(args.file), source, args.lang, args.id)
    except ImportRefused as refusal:
        print(f"kpbrief import: {refusal}", file=sys.stderr)
        return refusal.code
    for path in (*imported.sources, imported.statement):
        print(path)
    rel = imported.statement.relative_to(source).as_posix()
    for review in imported.reviews:
        print(f"{rel}:{review.line}: warning: review: {review.message}")
    _content, problems = load_and_check(source)
    # The REVIEW marks were listed above, with what each is about.
    mine = [p for p in problems if p.origin.path == rel and "REVIEW mark" not in p.message]
    for problem in mine:
        print(problem)
    errors = sum(1 for p in mine if p.severity == "error")
    print(
        f"{rel}: {errors} error(s), {len(mine) - errors} warning(s), "
        f"{len(imported.reviews)} line(s) marked REVIEW",
        file=sys.stderr,
    )
    return 1 if errors else 0


def _add_build_options(command: argparse.ArgumentParser, default_formats: list[str]) -> None:
    _add_verbosity(command, "errors only")
    command.add_argument(
        "--source",
        default=".",
        metavar="DIR",
        help="the book folder (default: the current directory)",
    )
    command.add_argument("--out", metavar="DIR", help="output folder (default: DIR/build)")
    command.add_argument(
        "--lang", action="append", metavar="L", help="build only this language (repeatable)"
    )
    command.add_argument(
        "--format",
        action="append",
        choices=["pdf", "epub", "html"],
        help=f"build only this format (repeatable; default {' and '.join(default_formats)})",
    )
    command.add_argument(
        "--fast", action="store_true", help="skip the PDF/UA tagging (drafts only)"
    )
    command.add_argument(
        "--press",
        action="store_true",
        help="also the press PDF of each language, <book id>.<lang>.press.pdf: PDF/X-4 with "
        "an output intent, 3 mm bleed and crop marks",
    )
    command.add_argument(
        "--paper", choices=["a4", "letter"], help="paper size of the PDF, instead of book.yaml's"
    )
    command.add_argument(
        "--force", action="store_true", help="make every output again, even those up to date"
    )
    command.add_argument(
        "--parts",
        type=_part_count,
        metavar="N",
        help="lay each PDF out in N parts, on every core, and join them (1: as one document; "
        "default: by the book's length, parts from about 40 pages on)",
    )
    command.add_argument(
        "--time-limit",
        type=float,
        metavar="SECONDS",
        help="stop a build that runs longer than this (default: 30 minutes; 0: no limit)",
    )
    packs = command.add_mutually_exclusive_group()
    packs.add_argument(
        "--pack",
        metavar="ID",
        help="of the briefing packs (content/packs/), build only this one",
    )
    packs.add_argument(
        "--no-packs", action="store_true", help="leave the briefing packs out of a PDF build"
    )


def _part_count(text: str) -> int:
    try:
        count = int(text)
    except ValueError:
        count = 0
    if not 1 <= count <= 1000:
        raise argparse.ArgumentTypeError(f"{text!r} is not a number of parts from 1 to 1000")
    return count


def _add_port_option(command: argparse.ArgumentParser) -> None:
    command.add_argument(
        "--port", type=int, default=8000, help="preview port on 127.0.0.1 (0: any free one)"
    )


def _cannot_serve(command: str, port: int, failure: OSError) -> int:
    print(f"kpbrief {command}: cannot serve on port {port}: {failure}", file=sys.stderr)
    return 1


def parser() -> argparse.ArgumentParser:
    main_parser = argparse.ArgumentParser(
        prog="kpbrief",
        description="Build a coalition's statements into a briefing book (PDF and EPUB).",
    )
    main_parser.add_argument("--version", action="version", version=f"kpbrief {__version__}")
    commands = main_parser.add_subparsers(dest="command", metavar="COMMAND", required=True)

    _add_output_commands(commands)
    _add_checking_commands(commands)
    _add_authoring_commands(commands)
    return main_parser


def _add_output_commands(commands: Any) -> None:
    """build, watch and serve: the commands that make and show outputs."""
    build_parser = commands.add_parser(
        "build", help="build the book's PDF and EPUB", description="Build the book folder."
    )
    _add_build_options(build_parser, ["pdf", "epub"])
    build_parser.add_argument(
        "--cold",
        action="store_true",
        help="build in this process, not in the warm build process that keeps a long book "
        "ready for its next build (KPBRIEF_WARM=0: never use one)",
    )
    build_parser.set_defaults(func=cmd_build)

    watch_parser = commands.add_parser(
        "watch",
        help="build, serve a live preview, and rebuild on every save",
        description="Build the book, serve its HTML on localhost with live reload, and "
        "rebuild what an edit affects each time a file is saved. Ctrl-C stops.",
    )
    _add_build_options(watch_parser, ["html", "pdf", "epub"])
    _add_port_option(watch_parser)
    watch_parser.set_defaults(func=cmd_watch)

    serve_parser = commands.add_parser(
        "serve",
        help="serve the built HTML on localhost with live reload",
        description="Serve the output folder's HTML on localhost, reloading the browser "
        "whenever a build rewrites it.",
    )
    serve_parser.add_argument("--source", default=".", metavar="DIR", help="the book folder")
    serve_parser.add_argument("--out", metavar="DIR", help="output folder (default: DIR/build)")
    _add_port_option(serve_parser)
    serve_parser.set_defaults(func=cmd_serve)


def _add_checking_commands(commands: Any) -> None:
    """check and i18n: the content's problems, the catalogs' state."""
    check_parser = commands.add_parser(
        "check",
        help="check the book folder and list every problem",
        description="Print every problem as path:line: error|warning: message.",
    )
    check_parser.add_argument("--source", default=".", metavar="DIR", help="the book folder")
    check_parser.add_argument("--strict", action="store_true", help="treat warnings as errors")
    _add_verbosity(check_parser, "errors only, one line each")
    _add_time_limit(check_parser, "a check")
    check_parser.set_defaults(func=cmd_check)

    i18n_parser = commands.add_parser(
        "i18n",
        help="message catalogs and translation status",
        description="extract: refresh locales/messages.pot; update: refresh every catalog; "
        "status: what each language lacks; stamp FILE: record that a translation renders the "
        "current original.",
    )
    i18n_parser.add_argument("action", choices=["extract", "update", "status", "stamp"])
    i18n_parser.add_argument("file", nargs="?", help="with stamp: the translation file")
    i18n_parser.add_argument("--source", default=".", metavar="DIR", help="the book folder")
    i18n_parser.set_defaults(func=cmd_i18n)


def _add_authoring_commands(commands: Any) -> None:
    """edition, new and import: the commands that write content files."""
    edition_parser = commands.add_parser(
        "edition",
        help="record the current edition, or list what changed since the last one",
        description="close: record the edition in content/editions/<edition date>.yaml "
        "(never overwritten); diff: print what the book's \"What's new\" section lists, "
        "against the newest record.",
    )
    edition_parser.add_argument("action", choices=["close", "diff"])
    edition_parser.add_argument("--source", default=".", metavar="DIR", help="the book folder")
    edition_parser.set_defaults(func=cmd_edition)

    new_parser = commands.add_parser(
        "new",
        help="start a content file with the fields to fill",
        description="Write a new content file, correctly named, in the right folder.",
    )
    new_parser.add_argument(
        "kind", choices=["statement", "issue", "person", "organisation", "event", "page"]
    )
    new_parser.add_argument("id", help="the new item's id, like 2024-06-12-dubai-plenary")
    new_parser.add_argument(
        "--lang", help="language of a statement, issue or page (default: the book's first)"
    )
    new_parser.add_argument("--source", default=".", metavar="DIR", help="the book folder")
    new_parser.set_defaults(func=cmd_new)

    import_parser = commands.add_parser(
        "import",
        help="make a statement's content file from a file as received",
        description="Convert a statement received as .docx, .odt, .html, .md or .txt (pandoc) "
        "into content/statements/<id>.<lang>.md, keep the received file under "
        "content/sources/, guess the title, date, kind and place (each marked REVIEW), then "
        "check the new file.",
    )
    import_parser.add_argument("file", help="the received file")
    import_parser.add_argument(
        "--lang", help="the statement's language (default: the book's first)"
    )
    import_parser.add_argument(
        "--id",
        help="the statement's id (default: its date and the first words of its title); the "
        "id of a statement the book has, with --lang of another language: its translation",
    )
    import_parser.add_argument("--source", default=".", metavar="DIR", help="the book folder")
    _add_time_limit(import_parser, "an import")
    import_parser.set_defaults(func=cmd_import)


def _add_verbosity(command: argparse.ArgumentParser, quiet: str) -> None:
    loudness = command.add_mutually_exclusive_group()
    loudness.add_argument("-q", "--quiet", action="store_true", help=f"print {quiet}")
    loudness.add_argument("-v", "--verbose", action="store_true", help="print more")


def _add_time_limit(command: argparse.ArgumentParser, what: str) -> None:
    command.add_argument(
        "--time-limit",
        type=float,
        metavar="SECONDS",
        help=f"stop {what} that runs longer than this (default: 30 minutes; 0: no limit)",
    )


def _usage_error(args: argparse.Namespace) -> str | None:
    """A value argparse accepts but no command can use, said in one line; else None."""
    source = getattr(args, "source", None)
    if source is not None and not Path(source).is_dir():
        return f"--source {source}: no such folder; name a book folder (one holding content/)"
    out = getattr(args, "out", None)
    if out is not None and Path(out).exists() and not Path(out).is_dir():
        return f"--out {out}: is a file; name a folder for the outputs"
    port = getattr(args, "port", None)
    if port is not None and not 0 <= port <= 65535:
        return f"--port {port}: a port is a number from 1 to 65535 (0: any free one)"
    limit = getattr(args, "time_limit", None)
    if limit is not None and limit < 0:
        return f"--time-limit {limit:g}: give a number of seconds (0: no limit)"
    return None


def _deadline(args: argparse.Namespace) -> float | None:
    from kpbrief.build import DEFAULT_TIME_LIMIT

    limit = getattr(args, "time_limit", None)
    limit = DEFAULT_TIME_LIMIT if limit is None else limit
    return time.monotonic() + limit if limit else None


def main(argv: Sequence[str] | None = None) -> int:
    from kpbrief.build.lifetime import Interrupted, stopped_by_signals
    from kpbrief.build.limits import TimeLimitExceeded, wall_clock_limit

    args = parser().parse_args(argv)
    problem = _usage_error(args)
    if problem is not None:
        print(f"kpbrief {args.command}: {problem}", file=sys.stderr)
        return 2
    try:
        with stopped_by_signals():
            if args.command in ("check", "import"):
                # build and watch keep their own deadline (engines in workers are killed).
                with wall_clock_limit(_deadline(args), f"the {args.command}"):
                    result: int = args.func(args)
            else:
                result = args.func(args)
    except (KeyboardInterrupt, Interrupted):
        print(f"kpbrief {args.command}: interrupted; nothing was written", file=sys.stderr)
        return 130
    except TimeLimitExceeded as stopped:
        print(f"kpbrief {args.command}: {stopped}", file=sys.stderr)
        return 1
    except BrokenPipeError:
        # The reader of the output went away (`kpbrief check | head`): stop quietly, as
        # command-line tools do, and keep Python from complaining again at exit.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 141
    return result


if __name__ == "__main__":
    raise SystemExit(main())
