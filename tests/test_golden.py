"""The full sample site builds to exactly the reviewed golden output (tests/update_golden.py)."""

from __future__ import annotations

import difflib
from pathlib import Path

from conftest import HERE, SITES, run_cli
from htmlcheck import broken_links

GOLDEN = HERE / "golden" / "full"


def files(root: Path) -> dict[str, bytes]:
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in sorted(root.rglob("*"))
            if p.is_file() and p.name != ".briefing-output"}


def test_full_site_matches_golden_build(tmp_path: Path) -> None:
    run = run_cli("build", str(SITES / "full"), "-o", str(tmp_path / "out"), "--quiet")
    assert run.code == 0, run.err
    got, want = files(tmp_path / "out"), files(GOLDEN)
    assert sorted(got) == sorted(want)
    for name in want:
        if got[name] != want[name]:
            diff = difflib.unified_diff(want[name].decode().splitlines(), got[name].decode().splitlines(),
                                        f"golden/{name}", f"built/{name}", lineterm="", n=2)
            raise AssertionError("\n".join(list(diff)[:60]))


def test_golden_build_has_no_broken_links() -> None:
    assert broken_links(GOLDEN) == []
