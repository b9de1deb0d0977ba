"""Packaging: a wheel of the project, installed without -e into a fresh environment, holds the theme and
builds the example byte for byte as the checkout does.

The fresh environment gets the wheel alone (`pip install --no-deps --no-index`); its dependencies come
from the environment running the tests, by a .pth file that names its site-packages. A .pth line that is
a path adds the folder to sys.path without running the .pth files inside it, so the editable install's
finder there is never installed, and the `generator` imported is the wheel's (checked). Building the
wheel runs setuptools in pip's isolated build environment, as any install from source does."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import sysconfig
import zipfile
from pathlib import Path

import pytest
from conftest import EXAMPLE

import generator
from generator.build.builder import build

SOURCE = Path(generator.__file__).parent
"""The package the tests import: the checkout's."""
EXAMPLE_INPUTS = ("site.yaml", "content", "templates", "static")


def clean_env() -> dict[str, str]:
    """The environment without what would put another `generator` first or change a build."""
    drop = {"PYTHONPATH", "PYTHONHOME", "PYTHONSTARTUP", "VIRTUAL_ENV", "BRIEFING_STAGES"}
    return {k: v for k, v in os.environ.items() if k not in drop}


def run(*args: str | Path, cwd: Path, timeout: float = 300) -> str:
    done = subprocess.run([str(a) for a in args], cwd=cwd, env=clean_env(), capture_output=True, text=True,
                          timeout=timeout, check=False)
    assert done.returncode == 0, f"{' '.join(map(str, args))}\n{done.stdout}\n{done.stderr}"
    return done.stdout


def copy_example(to: Path) -> Path:
    to.mkdir(parents=True)
    for name in EXAMPLE_INPUTS:
        if (EXAMPLE / name).is_dir():
            shutil.copytree(EXAMPLE / name, to / name)
        elif (EXAMPLE / name).is_file():
            shutil.copy2(EXAMPLE / name, to / name)
    return to


def files(root: Path) -> dict[str, bytes]:
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Built from a copy of the project's top-level files and package, so that setuptools' build/ and
    *.egg-info land in the copy, not in the checkout (where build/ is the example's output)."""
    root = SOURCE.parent
    src = tmp_path_factory.mktemp("src")
    for path in root.iterdir():
        if path.is_file() and not path.name.startswith("."):
            shutil.copy2(path, src / path.name)
    shutil.copytree(SOURCE, src / SOURCE.name, ignore=shutil.ignore_patterns("__pycache__", "*.pyc"))
    dist = tmp_path_factory.mktemp("dist")
    run(sys.executable, "-m", "pip", "wheel", "--quiet", "--no-deps", "-w", dist, src, cwd=src)
    (built,) = dist.glob("briefing-*.whl")
    return built


@pytest.fixture(scope="module")
def fresh(wheel: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A new virtual environment holding the wheel; returns its bin/ folder."""
    venv = tmp_path_factory.mktemp("fresh") / "venv"
    run(sys.executable, "-m", "venv", "--without-pip", venv, cwd=venv.parent)
    python = venv / "bin" / "python"
    run(sys.executable, "-m", "pip", "--python", python, "install", "--quiet", "--no-deps", "--no-index", wheel,
        cwd=venv.parent)
    site_packages = Path(run(python, "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])",
                             cwd=venv.parent).strip())
    ours = dict.fromkeys(sysconfig.get_paths()[key] for key in ("purelib", "platlib"))
    # Written after the install, so that pip did not see the editable install's metadata there.
    (site_packages / "shared-dependencies.pth").write_text("".join(f"{path}\n" for path in ours), encoding="utf-8")
    return venv / "bin"


def test_the_wheel_holds_the_theme_and_the_countries_table(wheel: Path) -> None:
    with zipfile.ZipFile(wheel) as zipped:
        names = set(zipped.namelist())
    theme = {p.relative_to(SOURCE.parent).as_posix() for p in (SOURCE / "pages" / "theme").rglob("*")
             if p.is_file() and "__pycache__" not in p.parts}
    assert "generator/pages/theme/base.html" in theme
    assert theme - names == set()
    assert "generator/pages/ftm/countries.tsv" in names


def test_the_fresh_environment_imports_the_wheels_generator(fresh: Path) -> None:
    where = run(fresh / "python", "-c", "import generator; print(generator.__file__)", cwd=fresh.parent)
    installed = Path(where.strip()).resolve()
    assert installed.is_relative_to(fresh.parent.resolve()), installed
    assert (installed.parent / "pages" / "theme" / "base.html").is_file()


def test_the_installed_briefing_builds_the_example_as_the_checkout_does(fresh: Path, tmp_path: Path) -> None:
    ours = tmp_path / "checkout" / "out"
    build(copy_example(tmp_path / "checkout" / "site"), ours)
    theirs = tmp_path / "wheel" / "out"
    run(fresh / "briefing", "build", copy_example(tmp_path / "wheel" / "site"), "-o", theirs, "--quiet",
        cwd=tmp_path)
    expected, got = files(ours), files(theirs)
    assert {"index.html", "actors/kim-jong-un/index.html", "assets/briefing.css"} <= expected.keys()
    assert sorted(got) == sorted(expected)
    assert [name for name in expected if got[name] != expected[name]] == []
