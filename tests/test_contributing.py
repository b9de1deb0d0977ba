"""CONTRIBUTING.md and .pre-commit-config.yaml stay true: the hooks are local and run the ruff and mypy of
the venv the README makes, as CI runs them, and every command CONTRIBUTING.md shows names programs, scripts
and files that exist."""

from __future__ import annotations

import re
import shlex
import shutil
import sys
import tomllib
from pathlib import Path
from typing import Any

import pytest
import yaml
from browser import NO_BROWSER, chromium
from conftest import EXAMPLE

ROOT = EXAMPLE
"""The repository's root (which is also the example site)."""
CONTRIBUTING = ROOT / "CONTRIBUTING.md"
VENV_BIN = Path(sys.executable).parent
"""The bin/ folder of the environment running the tests: the README's .venv/bin on CI."""


def hooks() -> dict[str, dict[str, Any]]:
    config = yaml.safe_load((ROOT / ".pre-commit-config.yaml").read_text(encoding="utf-8"))
    assert [repo["repo"] for repo in config["repos"]] == ["local"]
    return {hook["id"]: hook for repo in config["repos"] for hook in repo["hooks"]}


def test_the_readme_makes_the_venv_with_the_test_extra() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert "python3 -m venv .venv" in readme
    assert ".venv/bin/pip install -e '.[test]'" in readme
    assert "(CONTRIBUTING.md)" in readme


@pytest.mark.parametrize("tool", ["ruff", "mypy"])
def test_the_hook_runs_the_venvs_own_tool_from_the_test_extra(tool: str) -> None:
    hook = hooks()[tool]
    program, *_ = shlex.split(hook["entry"])
    assert program == f".venv/bin/{tool}"
    assert hook["language"] == "system"
    assert (VENV_BIN / tool).is_file()
    extra = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]["optional-dependencies"]
    assert tool in {re.split(r"[<>=!~\[ ;]", requirement)[0] for requirement in extra["test"]}


def test_the_hooks_check_what_ci_checks() -> None:
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    ruff, mypy = hooks()["ruff"], hooks()["mypy"]
    assert ".venv/bin/ruff check generator tests" in ci and ruff["entry"] == ".venv/bin/ruff check"
    assert ruff.get("pass_filenames", True)
    matches = re.compile(ruff["files"]).search
    assert matches("generator/build/builder.py") and matches("tests/test_build.py") and not matches("benchmarks/floor.py")
    # mypy checks the package pyproject.toml names, never the staged files alone (strict mode would miss
    # what they break elsewhere), whenever a module or the settings change.
    assert "\n.venv/bin/mypy\n" in ci and mypy["entry"] == ".venv/bin/mypy" and mypy["pass_filenames"] is False
    settings = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["tool"]["mypy"]
    assert settings["strict"] is True and settings["packages"] == ["generator"]
    matches = re.compile(mypy["files"]).search
    assert matches("generator/build/builder.py") and matches("pyproject.toml") and not matches("tests/test_build.py")


def shell_commands() -> list[list[str]]:
    """Each command of CONTRIBUTING.md's ```sh blocks, as words (commands joined by && or | are apart)."""
    text = CONTRIBUTING.read_text(encoding="utf-8")
    blocks = re.findall(r"^```sh\n(.*?)^```$", text, flags=re.MULTILINE | re.DOTALL)
    assert blocks
    commands = []
    for line in "\n".join(blocks).splitlines():
        words: list[str] = []
        for word in shlex.split(line, comments=True) + ["&&"]:
            if word in ("&&", "||", "|", ";"):
                if words:
                    commands.append(words)
                words = []
            else:
                words.append(word)
    return commands


def test_every_command_of_contributing_names_what_exists() -> None:
    installed: set[str] = set()
    missing = []
    for words in shell_commands():
        while words and re.fullmatch(r"[A-Z_]+=.*", words[0]):
            assert words[0].split("=")[0] == NO_BROWSER, words
            words = words[1:]
        if words[0] == "nice":
            words = words[1:]
        program, args = words[0], words[1:]
        if program.startswith(".venv/bin/"):
            if not ((VENV_BIN / program.removeprefix(".venv/bin/")).is_file()
                    or program.removeprefix(".venv/bin/") in installed):
                missing.append(program)
        elif shutil.which(program) is None:
            missing.append(program)
        if program.endswith("/pip") and args[:1] == ["install"]:
            installed.update(arg for arg in args[1:] if re.fullmatch(r"[\w.-]+", arg))
        for arg in args:
            if "/" in arg and not arg.startswith(("/", ".venv/", "-")) and not (ROOT / arg).exists():
                missing.append(arg)
    assert missing == []


def test_every_link_of_contributing_leads_to_a_file() -> None:
    links = re.findall(r"\]\(([^)#]+)(?:#[^)]*)?\)", CONTRIBUTING.read_text(encoding="utf-8"))
    assert "docs/speed.md" in links
    assert [link for link in links if not (ROOT / link).is_file()] == []


def test_the_quick_run_skips_chromium_and_ci_never_asks_for_it(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(NO_BROWSER, "1")
    with pytest.raises(pytest.skip.Exception), chromium():
        pass
    assert NO_BROWSER not in (ROOT / ".ci" / "run").read_text(encoding="utf-8")
