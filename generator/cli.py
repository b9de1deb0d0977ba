"""The command line: parsing, printing problems and exit codes only."""

from __future__ import annotations

import argparse
import gc
import os
import shlex
import sys
import time
from collections.abc import Sequence
from pathlib import Path

from .base import timings
from .base.errors import Problem, SiteError, has_errors
from .build.stamp import inputs_now, last_build
from .build.write import OutputRefused, Written
from .invocation import program
from .new import NEXT_STEPS, new_site

GC_THRESHOLD = 50_000
"""Allocations between young collections (CPython's default is 700). A site is hundreds of thousands
of small long-lived objects; at 700, full collections that walk all of them took a quarter of the
time of a 50,000-event build. Cyclic garbage is still collected, only less often."""


def command() -> None:
    """The `briefing` command: main(), then out at once. Freeing a big site's graph object by object at
    exit took about a second after a 5,000-article build (and half of that after an edit); the build has
    written and closed every file by then, so the process ends without it."""
    try:
        code = main()
    except SystemExit as exc:  # argparse's usage errors and --help
        code = exc.code if isinstance(exc.code, int) else (0 if exc.code is None else 2)
        if not isinstance(exc.code, int | None):
            print(exc.code, file=sys.stderr)
    except KeyboardInterrupt:
        code = 130
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(code)


def main(argv: Sequence[str] | None = None) -> int:
    gc.set_threshold(GC_THRESHOLD, *gc.get_threshold()[1:])
    args = _parser().parse_args(argv)
    if args.command == "new":
        return _new(args)
    root = Path(args.site)
    if not root.is_dir():
        print(f"briefing: error: {root} is not a folder", file=sys.stderr)
        return 2
    return int(args.run(args, root))


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="briefing", description="Static briefing-site generator.")
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    chk = commands.add_parser("check", help="validate a site; write nothing")
    chk.add_argument("site", nargs="?", default=".", metavar="SITE")
    chk.add_argument("--strict", action="store_true", help="warnings fail like errors")
    chk.add_argument("--quiet", "-q", action="store_true", help="print errors only")
    chk.set_defaults(run=_check)
    bld = commands.add_parser("build", help="build a site into SITE/build/ (or -o DIR)",
                              epilog=f"{timings.ENV}=FILE in the environment: the seconds of each stage of the "
                                     "build are written to FILE as JSON (docs/speed.md)")
    bld.add_argument("site", nargs="?", default=".", metavar="SITE")
    bld.add_argument("-o", "--output", metavar="DIR", help="output folder (default: SITE/build)")
    bld.add_argument("--drafts", action="store_true", help="build draft articles too")
    bld.add_argument("--jobs", "-j", type=_positive, default=None, metavar="N",
                     help="processes that read, parse and render (default: one per core)")
    bld.add_argument("--strict", action="store_true", help="warnings fail like errors")
    bld.add_argument("--quiet", "-q", action="store_true", help="print errors only")
    bld.set_defaults(run=_build)
    srv = commands.add_parser("serve", help="build, serve, rebuild on every change and reload open pages")
    srv.add_argument("site", nargs="?", default=".", metavar="SITE")
    srv.add_argument("--host", default="127.0.0.1", help="address to listen on (default 127.0.0.1)")
    srv.add_argument("--port", "-p", type=_port, default=8000, help="port (default 8000)")
    srv.add_argument("--open", action="store_true", help="open the site in a web browser")
    srv.add_argument("--drafts", action="store_true", help="build draft articles too")
    srv.set_defaults(run=_serve)
    imp = commands.add_parser("import", help="read FollowTheMoney entities (JSON lines) into new actors and "
                              "designations", epilog="needs FollowTheMoney: pip install 'briefing[ftm]'")
    imp.add_argument("file", metavar="FILE", help="FollowTheMoney entities, one JSON object a line (.gz too)")
    imp.add_argument("site", nargs="?", default=".", metavar="SITE")
    imp.add_argument("--dry-run", "-n", action="store_true", help="list every file it would write; write nothing")
    imp.add_argument("--only", nargs="+", action="extend", default=[], metavar="NAME-OR-ID",
                     help="only these entities (by id, name or alias) and what links them")
    imp.set_defaults(run=_import)
    new = commands.add_parser("new", help="write a small new site that builds as it is")
    new.add_argument("dir", metavar="DIR")
    return parser


def _port(text: str) -> int:
    if not text.isdigit() or not 0 < int(text) < 65536:
        raise argparse.ArgumentTypeError(f"expected a port number from 1 to 65535, not {text!r}")
    return int(text)


def _positive(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        value = 0
    if value < 1:
        raise argparse.ArgumentTypeError(f"expected a whole number of 1 or more, not {text!r}")
    return value


def _report(problems: Sequence[Problem], quiet: bool) -> None:
    for p in problems:
        if p.severity == "error" or not quiet:
            print(p, file=sys.stderr)


def _summary(problems: Sequence[Problem]) -> str:
    errors = sum(p.severity == "error" for p in problems)
    warnings = len(problems) - errors
    return f"{errors} error{'s' * (errors != 1)}, {warnings} warning{'s' * (warnings != 1)}"


def _check(args: argparse.Namespace, root: Path) -> int:
    from .build.builder import check
    result = check(root)
    _report(result.problems, args.quiet)
    failed = result.graph is None or has_errors(result.problems, args.strict)
    if not args.quiet:
        if failed:
            print(f"check failed: {_summary(result.problems)}", file=sys.stderr)
        else:
            assert result.graph is not None
            print(f"check passed: {len(result.graph.site.items)} items, {_summary(result.problems)}")
    return 1 if failed else 0


def _build(args: argparse.Namespace, root: Path) -> int:
    timings.begin()
    try:
        return _built(args, root)
    finally:
        timings.end(args.jobs)


def _built(args: argparse.Namespace, root: Path) -> int:
    started = time.perf_counter()
    out = Path(args.output) if args.output is not None else root / "build"
    try:
        with timings.stage("stamps: inputs"):
            inputs = inputs_now(root)
            same = last_build(root, out, args.drafts, inputs)
    except OutputRefused as exc:
        print(f"briefing: error: {exc}", file=sys.stderr)
        return 1
    if same is not None and not has_errors(same.problems, args.strict):  # nothing changed: nothing to import
        _report(same.problems, args.quiet)
        if not args.quiet:
            print(_built_line(out, same.pages, 0, Written(same.files, 0, 0), started))
        return 0
    with timings.stage("imports"):
        from .build.builder import build
    bar = Bar(started) if not args.quiet and sys.stderr.isatty() else None
    try:
        built = build(root, out, drafts=args.drafts, strict=args.strict, progress=bar, jobs=args.jobs,
                      inputs=None if same is not None else inputs)
    except SiteError as exc:
        _report(exc.problems, args.quiet)
        print(f"build failed: {_summary(exc.problems)}; the output was not changed", file=sys.stderr)
        return 1
    except OutputRefused as exc:
        print(f"briefing: error: {exc}", file=sys.stderr)
        return 1
    finally:
        if bar is not None:
            bar.clear()
    _report(built.problems, args.quiet)
    if not args.quiet:
        print(_built_line(built.out, built.pages, built.rendered, built.written, started)
              + "".join(f" (note: {n})" for n in built.notes))
    return 0


def _built_line(out: Path, pages: int, rendered: int, w: Written, started: float) -> str:
    return (f"built {pages} pages into {out}: {rendered} rendered, {pages - rendered} reused; {w.changed} files "
            f"written, {w.removed} removed, {w.files} in all; {time.perf_counter() - started:.2f}s")


class Bar:
    """A progress bar on standard error for a build that takes over a second; cleared when it ends."""

    WIDTH = 30

    def __init__(self, started: float) -> None:
        self.started, self.shown, self.last = started, False, 0.0

    def __call__(self, done: int, total: int) -> None:
        now = time.perf_counter()
        if now - self.started < 1 or (now - self.last < 0.1 and done < total):
            return
        self.last, self.shown = now, True
        filled = self.WIDTH * done // max(total, 1)
        sys.stderr.write(f"\r[{'#' * filled}{'.' * (self.WIDTH - filled)}] {done}/{total} pages")
        sys.stderr.flush()

    def clear(self) -> None:
        if self.shown:
            sys.stderr.write("\r\033[K")
            sys.stderr.flush()


def _new(args: argparse.Namespace) -> int:
    target = Path(args.dir)
    if target.exists() and (not target.is_dir() or any(target.iterdir())):
        print(f"briefing: error: {target} exists and is not an empty folder", file=sys.stderr)
        return 1
    new_site(target)
    print(f"wrote a new site into {target}, with an example of every kind of item. Next:")
    for n, step in enumerate(NEXT_STEPS, 1):
        print(f"  {n}. " + step.format(dir=shlex.quote(str(target)), program=program()))
    return 0


def _import(args: argparse.Namespace, root: Path) -> int:
    source = Path(args.file)
    if not source.is_file():
        print(f"briefing: error: {args.file} is not a file", file=sys.stderr)
        return 2
    if not (root / "site.yaml").is_file():
        print(f"site.yaml: error: {root} has no site.yaml: import into a site ({program()} new DIR makes one)",
              file=sys.stderr)
        return 1
    try:
        import followthemoney  # noqa: F401
    except ImportError:
        print("briefing: error: briefing import needs FollowTheMoney: pip install 'briefing[ftm]'", file=sys.stderr)
        return 1
    from .pages.ftm.intake import write
    from .pages.ftm.read import imported, report
    outcome = imported(source, args.file, root, args.only)
    if outcome.plan is None:
        for line in outcome.problems:
            print(line, file=sys.stderr)
        print(f"import failed: {len(outcome.problems):,} errors; nothing was written", file=sys.stderr)
        return 1
    if not args.dry_run:
        try:
            write(root, outcome.plan.files)
        except OSError as exc:
            print(f"briefing: error: {exc}; nothing was written", file=sys.stderr)
            return 1
    print("\n".join(report(outcome, args.dry_run)))
    return 0


def _serve(args: argparse.Namespace, root: Path) -> int:
    from .serve.server import serve
    return serve(root.resolve(), args.host, args.port, args.open, args.drafts)
