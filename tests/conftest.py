"""Shared helpers: tiny sites written inline, and the CLI run in-process."""

from __future__ import annotations

import contextlib
import io
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path

import pytest

from generator.cli import main

HERE = Path(__file__).parent
SITES = HERE / "sites"
EXAMPLE = HERE.parent


@dataclass
class Run:
    code: int
    out: str
    err: str

    @property
    def problems(self) -> list[str]:
        """The problem lines of stderr, without the summary."""
        return [line for line in self.err.splitlines() if ": error: " in line or ": warning: " in line]


def run_cli(*args: str) -> Run:
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        try:
            code = main(list(args))
        except SystemExit as exc:  # argparse's usage errors
            code = int(exc.code or 0)
    return Run(code, out.getvalue(), err.getvalue())


MakeSite = Callable[[Mapping[str, str]], Path]


@pytest.fixture
def make_site(tmp_path: Path) -> MakeSite:
    """make_site({"content/actors/x.yaml": "..."}) -> a site folder; site.yaml defaults to a title."""
    def make(files: Mapping[str, str]) -> Path:
        root = tmp_path / "site"
        files = {"site.yaml": "title: Test site\nbase_url: https://example.org/test/\n", **files}
        for rel, text in files.items():
            path = root / rel
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(text, encoding="utf-8")
        return root
    return make
