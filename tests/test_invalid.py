"""One invalid site per rule of the contract: `briefing check` and `briefing build` print exactly the
expected lines (so a cascade of extra lines fails), and a failed build leaves the previous output
exactly as it was."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from conftest import SITES, run_cli
from test_build import tree

from generator.build.write import MARKER

CASES = sorted(p for p in (SITES / "invalid").iterdir() if p.is_dir())


def expected(case: Path) -> tuple[int, list[str]]:
    lines = (case / "expected.txt").read_text(encoding="utf-8").splitlines()
    code = int(lines[0].removeprefix("# exit "))
    return code, [line for line in lines[1:] if line]


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_check_reports_exact_problem(case: Path) -> None:
    code, lines = expected(case)
    run = run_cli("check", str(case))
    assert run.problems == lines
    assert run.code == code


@pytest.mark.parametrize("case", [c for c in CASES if expected(c)[0] == 0], ids=lambda c: c.name)
def test_strict_makes_warnings_fail(case: Path) -> None:
    assert run_cli("check", "--strict", str(case)).code == 1


@pytest.mark.parametrize("case", [c for c in CASES if expected(c)[0] == 1], ids=lambda c: c.name)
def test_build_reports_the_same_lines_and_keeps_the_previous_output(case: Path, tmp_path: Path) -> None:
    code, lines = expected(case)
    site = tmp_path / "site"
    shutil.copytree(case, site, symlinks=True)
    out = site / "build"
    (out / "actors").mkdir(parents=True)
    (out / MARKER).write_text("made by briefing\n")
    (out / "index.html").write_text("<p>the previous build</p>\n")
    (out / "actors/index.html").write_text("<p>its actors</p>\n")
    before = tree(out)
    run = run_cli("build", str(site))
    assert run.problems == lines
    assert run.code == code
    assert tree(out) == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["site"]  # no staging folder left behind
