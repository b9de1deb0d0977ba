"""docs/deploy.md's examples: the GitHub Pages workflow and the netlify.toml are the very files
the page shows, have the shape their host needs, and their build commands, run with this
checkout's briefing in place of the one they install, build the example site into the folder
they publish, with the base_url the page promises."""

from __future__ import annotations

import os
import re
import shlex
import shutil
import subprocess
import sys
import tomllib
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import pytest
import yaml
from conftest import EXAMPLE

DOC = EXAMPLE / "docs" / "deploy.md"
WORKFLOW = EXAMPLE / "docs" / "examples" / "github-pages.yml"
NETLIFY = EXAMPLE / "docs" / "examples" / "netlify.toml"
SITE_PARTS = ("site.yaml", "content", "templates", "static")
"""What the example site is made of (the rest of the repository is the tool)."""
EXAMPLE_BASE_URL = "https://example.org/putin-kim-summit/"
PAGES_BASE_URL = "https://desk.github.io/summit-briefing"
"""What actions/configure-pages gives as `base_url` for a project site: no `/` at the end."""
NETLIFY_BASE_URL = "https://summit-briefing.netlify.app/"
EXPRESSION = re.compile(r"\$\{\{\s*(.*?)\s*\}\}")
FENCE = re.compile(r"^(?P<indent> *)```[^\n]*\n(?P<body>.*?)^(?P=indent)```\s*$", re.MULTILINE | re.DOTALL)


# --- the page shows the files ---------------------------------------------------------------

def code_blocks(markdown: str) -> list[str]:
    """The text of every fenced code block, a list item's indent taken off."""
    blocks = []
    for found in FENCE.finditer(markdown):
        indent = len(found["indent"])
        blocks.append("".join(line[indent:] for line in found["body"].splitlines(keepends=True)))
    return blocks


@pytest.mark.parametrize("example", [WORKFLOW, NETLIFY], ids=lambda path: path.name)
def test_deploy_page_shows_each_example_file_as_it_is(example: Path) -> None:
    doc = DOC.read_text(encoding="utf-8")
    assert example.read_text(encoding="utf-8") in code_blocks(doc), (
        f"docs/deploy.md must show {example.relative_to(EXAMPLE)} exactly as the file is")
    assert f"(examples/{example.name})" in doc, "and link to it"


def test_readme_and_content_format_link_the_deploy_page() -> None:
    assert "(docs/deploy.md)" in (EXAMPLE / "README.md").read_text(encoding="utf-8")
    assert "(deploy.md)" in (EXAMPLE / "docs" / "content-format.md").read_text(encoding="utf-8")


# --- running a host's build commands here ---------------------------------------------------

def copy_example(tmp_path: Path) -> Path:
    site = tmp_path / "site"
    site.mkdir()
    for part in SITE_PARTS:
        source = EXAMPLE / part
        if source.is_dir():
            shutil.copytree(source, site / part)
        else:
            shutil.copy2(source, site / part)
    return site


def run_build_script(script: str, site: Path, env: Mapping[str, str]) -> None:
    """Runs `script` in `site` as the host would (bash, stopping at the first failing line), with
    `briefing` on PATH being this checkout's, and no network needed."""
    tools = site.parent / "bin"
    tools.mkdir()
    shim = tools / "briefing"
    shim.write_text(f'#!/bin/sh\nexec {shlex.quote(sys.executable)} -m generator "$@"\n', encoding="utf-8")
    shim.chmod(0o755)
    run_env = {**os.environ, **env, "PATH": f"{tools}{os.pathsep}{os.environ['PATH']}",
               "PYTHONPATH": str(EXAMPLE), "XDG_CACHE_HOME": str(site.parent / "cache")}
    done = subprocess.run(["bash", "-e", "-c", script], cwd=site, env=run_env, check=False,
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, f"the build script failed:\n{script}\n{done.stdout}\n{done.stderr}"


def assert_built_for(out: Path, base_url: str) -> None:
    """A whole site in `out`, whose absolute addresses all start at `base_url`."""
    assert (out / "index.html").is_file()
    feed = (out / "feed.xml").read_text(encoding="utf-8")
    assert f"<id>{base_url}feed.xml</id>" in feed
    assert f"<id>{base_url}articles/" in feed
    assert f'<link rel="canonical" href="{base_url}">' in (out / "index.html").read_text(encoding="utf-8")
    assert f"<loc>{base_url}actors/" in (out / "sitemap.xml").read_text(encoding="utf-8")
    if base_url != EXAMPLE_BASE_URL:
        assert EXAMPLE_BASE_URL not in feed


def least_python() -> tuple[int, ...]:
    pyproject = tomllib.loads((EXAMPLE / "pyproject.toml").read_text(encoding="utf-8"))
    spec = pyproject["project"]["requires-python"]
    assert spec.startswith(">="), spec
    return version(spec[2:])


def version(text: str) -> tuple[int, ...]:
    return tuple(int(part) for part in str(text).split("."))


# --- GitHub Pages ---------------------------------------------------------------------------

@pytest.fixture(scope="module")
def workflow() -> dict[Any, Any]:
    loaded = yaml.safe_load(WORKFLOW.read_text(encoding="utf-8"))
    assert isinstance(loaded, dict)
    return loaded


def steps_of(workflow: Mapping[Any, Any], job: str) -> list[dict[str, Any]]:
    steps = workflow["jobs"][job]["steps"]
    assert isinstance(steps, list)
    return steps


def step_using(steps: list[dict[str, Any]], action: str) -> int:
    """The index of the one step that uses `action` (at any version)."""
    found = [i for i, step in enumerate(steps) if str(step.get("uses", "")).split("@")[0] == action]
    assert len(found) == 1, f"one step must use {action}: {found}"
    return found[0]


def step_running(steps: list[dict[str, Any]], words: str) -> int:
    found = [i for i, step in enumerate(steps) if words in step.get("run", "")]
    assert len(found) == 1, f"one step must run {words!r}: {found}"
    return found[0]


def substitute(text: str, known: Mapping[str, str]) -> str:
    """`${{ expression }}` replaced as GitHub would; an expression the test does not know fails."""
    def value(found: re.Match[str]) -> str:
        assert found[1] in known, f"the test does not know what {found[0]} is on GitHub"
        return known[found[1]]
    return EXPRESSION.sub(value, text)


def test_workflow_runs_on_a_push_to_main_and_by_hand(workflow: dict[Any, Any]) -> None:
    triggers: dict[str, Any] = workflow[True] if True in workflow else workflow["on"]  # YAML 1.1: `on` is true
    assert triggers["push"]["branches"] == ["main"]
    assert "workflow_dispatch" in triggers
    assert set(triggers) == {"push", "workflow_dispatch"}


def test_workflow_may_publish_pages_and_nothing_more(workflow: dict[Any, Any]) -> None:
    assert workflow["permissions"] == {"contents": "read", "pages": "write", "id-token": "write"}
    assert workflow["concurrency"]["cancel-in-progress"] is False


def test_workflow_builds_then_uploads_then_deploys(workflow: dict[Any, Any]) -> None:
    assert set(workflow["jobs"]) == {"build", "deploy"}
    steps = steps_of(workflow, "build")
    order = [step_using(steps, "actions/checkout"), step_using(steps, "actions/setup-python"),
             step_running(steps, "pip install"), step_running(steps, "briefing build"),
             step_using(steps, "actions/upload-pages-artifact")]
    assert order == sorted(order), "checkout, Python, install, build, upload: in that order"
    python = steps[step_using(steps, "actions/setup-python")]["with"]["python-version"]
    assert version(python) >= least_python()
    assert steps[step_using(steps, "actions/configure-pages")]["id"] == "pages"
    install = steps[step_running(steps, "pip install")]["run"]
    assert '"briefing @ $BRIEFING"' in install
    assert workflow["env"]["BRIEFING"].startswith("git+https://")

    deploy = workflow["jobs"]["deploy"]
    assert deploy["needs"] in ("build", ["build"])
    assert deploy["environment"]["name"] == "github-pages"
    published = deploy["steps"][step_using(deploy["steps"], "actions/deploy-pages")]
    assert deploy["environment"]["url"] == f"${{{{ steps.{published['id']}.outputs.page_url }}}}"


def pages_site_yaml(site: Path) -> None:
    """A site.yaml that holds its base_url first, not last, and ends without a line break."""
    text = (site / "site.yaml").read_text(encoding="utf-8")
    line = f"base_url: {EXAMPLE_BASE_URL}\n"
    assert line in text
    (site / "site.yaml").write_text(line + text.replace(line, "").rstrip("\n"), encoding="utf-8")


@pytest.mark.parametrize("site_yaml", [None, pages_site_yaml], ids=["example", "base-url-first-no-final-newline"])
def test_workflow_build_step_builds_what_it_uploads_for_the_pages_address(
        workflow: dict[Any, Any], tmp_path: Path, site_yaml: Any) -> None:
    steps = steps_of(workflow, "build")
    build = steps[step_running(steps, "briefing build")]
    assert "pip" not in build["run"], "installing is the install step's work, which the test leaves out"
    known = {"steps.pages.outputs.base_url": PAGES_BASE_URL}
    env = {name: substitute(str(value), known)
           for scope in (workflow.get("env", {}), workflow["jobs"]["build"].get("env", {}), build.get("env", {}))
           for name, value in scope.items()}
    site = copy_example(tmp_path)
    if site_yaml:
        site_yaml(site)

    run_build_script(substitute(build["run"], known), site, env)

    upload = steps[step_using(steps, "actions/upload-pages-artifact")]["with"]["path"]
    assert Path(upload) == Path("build"), "the upload is the folder `briefing build` writes"
    assert_built_for(site / upload, PAGES_BASE_URL + "/")
    assert (site / "site.yaml").read_text(encoding="utf-8").count("base_url:") == 1


# --- Netlify --------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def netlify() -> dict[str, Any]:
    return tomllib.loads(NETLIFY.read_text(encoding="utf-8"))


def test_netlify_installs_briefing_and_sets_a_python_it_runs_on(netlify: dict[str, Any]) -> None:
    build = netlify["build"]
    install, *rest = [part.strip() for part in build["command"].split("&&")]
    assert install == 'python -m pip install "briefing @ $BRIEFING"'
    assert rest and not any("pip" in part for part in rest)
    assert build["environment"]["BRIEFING"].startswith("git+https://")
    assert version(build["environment"]["PYTHON_VERSION"]) >= least_python()


def test_netlify_build_command_builds_what_it_publishes(netlify: dict[str, Any], tmp_path: Path) -> None:
    build = netlify["build"]
    _install, *rest = [part.strip() for part in build["command"].split("&&")]
    site = copy_example(tmp_path)
    site_yaml = site / "site.yaml"  # as docs/deploy.md says: base_url is the Netlify address
    site_yaml.write_text(site_yaml.read_text(encoding="utf-8").replace(EXAMPLE_BASE_URL, NETLIFY_BASE_URL),
                         encoding="utf-8")

    run_build_script(" && ".join(rest), site, {k: str(v) for k, v in build["environment"].items()})

    assert Path(build["publish"]) == Path("build"), "Netlify publishes the folder `briefing build` writes"
    assert_built_for(site / build["publish"], NETLIFY_BASE_URL)
