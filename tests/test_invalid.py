"""One invalid site per rule of the contract: `briefing check` prints exactly the expected lines."""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import SITES, run_cli

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
