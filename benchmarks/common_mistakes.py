"""What `briefing check` says about the mistakes writers commonly make.

    python benchmarks/common_mistakes.py [--site tests/sites/niger] [--code DIR] [--verbose] [--only N ...]

Copies the site (default: the Niger sample, tests/sites/niger) into a temporary folder,
applies each mistake below to a fresh copy, runs `python -m generator check COPY` as a
subprocess and prints a table: the mistake, the exit status, and how many `error` and
`warning` lines the check printed (with --verbose, the lines themselves). Row 0 is the
site as it is, which must pass.

--code DIR runs the generator found in DIR (e.g. an older commit unpacked with
`git archive COMMIT | tar -x -C DIR`) instead of the installed one: the subprocess gets
PYTHONPATH=DIR and runs from a neutral folder, and the script prints which `generator`
package it imported, so a measurement can never silently use the wrong code.

Each mistake is a list of exact text edits; an edit whose text is not found exactly once
(or a file to create that already exists) stops the script with an error, so the
mistakes cannot drift silently when the sample site changes.
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
ARTICLE = "content/articles/niger-coup.md"
MEMBERS = "content/actors/ecowas-members.yaml"


@dataclass(frozen=True)
class Replace:
    path: str
    old: str
    new: str


@dataclass(frozen=True)
class Create:
    path: str
    text: str


MISTAKES: list[tuple[str, list[Replace | Create]]] = [
    ("tab used for indentation (list-of-actors file)",
     [Replace(MEMBERS, "- id: benin\n  name: Benin\n", "- id: benin\n\tname: Benin\n")]),
    ("bad indent: key one space too little (relations)",
     [Replace("content/actors/mohamed-bazoum.yaml",
              "  - to: niger\n    type: president-of\n", "  - to: niger\n   type: president-of\n")]),
    ("misspelled id in a field (affiliations: ecowass)",
     [Replace("content/actors/bola-tinubu.yaml",
              "affiliations: [nigeria, ecowas]\n", "affiliations: [nigeria, ecowass]\n")]),
    ("impossible date in an event (2023-07-32)",
     [Replace("content/events/ecowas-sanctions.yaml", "date: 2023-07-30\n", "date: 2023-07-32\n")]),
    ("duplicate id (nigeria.yaml beside the list file)",
     [Create("content/actors/nigeria.yaml", "name: Nigeria\nkind: state\naffiliations: [ecowas]\n")]),
    ("missing required field (article without title:)",
     [Replace(ARTICLE, "title: Niger's junta defies ECOWAS two weeks after the coup\n", "")]),
    ("kind: organisation (British spelling) in the list file",
     [Replace(MEMBERS, "- id: benin\n  name: Benin\n  kind: state\n",
              "- id: benin\n  name: Benin\n  kind: organisation\n")]),
    ("article date: 28 July 2023",
     [Replace(ARTICLE, "date: 2023-08-11\n", "date: 28 July 2023\n")]),
]

PROBLEM = re.compile(r":\s(error|warning):\s")


def apply(site: Path, edits: list[Replace | Create]) -> None:
    for edit in edits:
        target = site / edit.path
        if isinstance(edit, Create):
            if target.exists():
                sys.exit(f"common_mistakes: {edit.path} already exists; cannot create it as a mistake")
            target.write_text(edit.text, encoding="utf-8")
            continue
        if not target.is_file():
            sys.exit(f"common_mistakes: {edit.path} not found in {site}")
        text = target.read_text(encoding="utf-8")
        found = text.count(edit.old)
        if found != 1:
            sys.exit(f"common_mistakes: {edit.path}: text to replace found {found} times, "
                     f"expected once: {edit.old!r}")
        target.write_text(text.replace(edit.old, edit.new), encoding="utf-8")


def environment(code: Path | None) -> dict[str, str]:
    env = dict(os.environ)
    if code is not None:
        env["PYTHONPATH"] = str(code) + (os.pathsep + env["PYTHONPATH"] if env.get("PYTHONPATH") else "")
    return env


def generator_location(env: dict[str, str], cwd: Path) -> str:
    out = subprocess.run([sys.executable, "-c", "import generator.cli; print(generator.__file__)"],
                         check=False, env=env, cwd=cwd, capture_output=True, text=True)
    if out.returncode != 0:
        last = out.stderr.strip().splitlines()[-1:] or ["(no message)"]
        sys.exit(f"common_mistakes: the subprocess cannot import generator.cli: {last[0]}")
    return out.stdout.strip()


def check(site: Path, env: dict[str, str], cwd: Path) -> tuple[int, list[str], list[str], list[str]]:
    run = subprocess.run([sys.executable, "-m", "generator", "check", str(site)],
                         check=False, env=env, cwd=cwd, capture_output=True, text=True)
    lines = (run.stdout + run.stderr).splitlines()
    errors = [line for line in lines if (m := PROBLEM.search(line)) and m.group(1) == "error"]
    warnings = [line for line in lines if (m := PROBLEM.search(line)) and m.group(1) == "warning"]
    other = [line for line in lines if not PROBLEM.search(line)]
    return run.returncode, errors, warnings, other


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--site", type=Path, default=ROOT / "tests/sites/niger", help="site to copy (default: %(default)s)")
    parser.add_argument("--code", type=Path, help="run the generator package found in this folder (PYTHONPATH)")
    parser.add_argument("--verbose", "-v", action="store_true", help="print every error and warning line")
    parser.add_argument("--only", type=int, nargs="+", metavar="N", help=f"run only these mistakes (1-{len(MISTAKES)})")
    args = parser.parse_args(argv)
    if not (args.site / "site.yaml").is_file():
        parser.error(f"{args.site} has no site.yaml")
    code = args.code.resolve() if args.code else None
    if code is not None and not (code / "generator" / "__init__.py").is_file():
        parser.error(f"{code} holds no generator package")

    with tempfile.TemporaryDirectory(prefix="common-mistakes-") as tmp:
        tmp_path = Path(tmp)
        neutral = tmp_path / "cwd"  # run from here, so the current folder never shadows PYTHONPATH
        neutral.mkdir()
        env = environment(code)
        where = generator_location(env, neutral)
        print(f"generator imported from: {where}")
        if code is not None and not Path(where).resolve().is_relative_to(code):
            sys.exit(f"common_mistakes: the subprocess imported generator from {where}, not from {code}")

        rows = []
        chosen: list[tuple[int, str, list[Replace | Create]]] = [(0, "none (the site as it is)", [])] + [
            (n, name, edits) for n, (name, edits) in enumerate(MISTAKES, 1) if not args.only or n in args.only]
        for n, name, edits in chosen:
            site = tmp_path / f"mistake-{n}" / args.site.resolve().name
            shutil.copytree(args.site, site, ignore=shutil.ignore_patterns("build"))
            apply(site, edits)
            rows.append((n, name, *check(site, env, neutral)))

    width = max(len(row[1]) for row in rows)
    print(f"\n{'#':>2}  {'mistake':<{width}}  exit  errors  warnings")
    for n, name, status, errors, warnings, _ in rows:
        print(f"{n:>2}  {name:<{width}}  {status:>4}  {len(errors):>6}  {len(warnings):>8}")
    if args.verbose:
        for n, name, status, errors, warnings, other in rows:
            print(f"\n[{n}] {name} (exit {status})")
            for line in errors + warnings:
                print(f"    {line}")
            for line in other:
                print(f"    | {line}")
    failed = [row[0] for row in rows if any(line.startswith("Traceback") for line in row[5])]
    if failed:
        print(f"\ntraceback printed for mistake(s): {', '.join(map(str, failed))}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
