"""The command line: parsing, printing problems and exit codes only."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path

from .build import check
from .errors import Problem, has_errors


def main(argv: Sequence[str] | None = None) -> int:
    args = _parser().parse_args(argv)
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
    return parser


def _report(problems: Sequence[Problem], quiet: bool) -> None:
    for p in problems:
        if p.severity == "error" or not quiet:
            print(p, file=sys.stderr)


def _summary(problems: Sequence[Problem]) -> str:
    errors = sum(p.severity == "error" for p in problems)
    warnings = len(problems) - errors
    return f"{errors} error{'s' * (errors != 1)}, {warnings} warning{'s' * (warnings != 1)}"


def _check(args: argparse.Namespace, root: Path) -> int:
    result = check(root)
    _report(result.problems, args.quiet)
    failed = result.graph is None or has_errors(result.problems, args.strict)
    if not args.quiet:
        if failed:
            print(f"check failed: {_summary(result.problems)}", file=sys.stderr)
        else:
            assert result.graph is not None
            print(f"check passed: {len(result.graph.items)} items, {_summary(result.problems)}")
    return 1 if failed else 0
