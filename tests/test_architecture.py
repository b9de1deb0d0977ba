"""The house as docs/architecture.md draws it: its diagram names every stage package and no other, imports
run one way between packages with no cycle, package __init__ files import nothing, and no module has
outgrown 600 lines. Read off the source with ast, so a new import or a new package is checked as written."""

from __future__ import annotations

import ast
import functools
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = ROOT / "generator"
ARCHITECTURE = ROOT / "docs" / "architecture.md"

LAYERS = ("base", "content", "graph", "pages", "build", "")
"""From the ground up: a module may import from its own layer and those before it ("" is the commands on
top: cli, new, the serve/ package and the package itself)."""
LONGEST = 600
STEP = 30
"""The longest a step of Builder or Rebuilder may be, in lines."""


@functools.cache
def modules() -> dict[str, Path]:
    """Every module by dotted name (generator.content.load), packages by their own name: walked once."""
    found = {}
    for path in sorted(PACKAGE.rglob("*.py")):
        parts = path.relative_to(ROOT).with_suffix("").parts
        found[".".join(parts[:-1] if parts[-1] == "__init__" else parts)] = path
    return found


def packages() -> set[str]:
    """Every package below generator/, as a path from it: content, pages/ftm, ..."""
    return {p.parent.relative_to(PACKAGE).as_posix() for p in PACKAGE.rglob("__init__.py") if p.parent != PACKAGE}


def imports(name: str, path: Path) -> set[str]:
    """The generator's modules this one imports, anywhere in it (a lazy import inside a function too)."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    known = modules()
    found = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found.update(a.name for a in node.names if a.name.split(".")[0] == "generator")
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                base = ".".join([*package.split(".")[: len(package.split(".")) - node.level + 1], *filter(None, [base])])
            if base.split(".")[0] != "generator":
                continue
            for alias in node.names:  # `from . import render` names a module; `from .x import f` a value
                found.add(f"{base}.{alias.name}" if f"{base}.{alias.name}" in known else base)
    return found - {name}


def layer(name: str) -> int:
    parts = name.split(".")
    return LAYERS.index(parts[1]) if len(parts) > 2 and parts[1] in LAYERS else LAYERS.index("")


def diagram() -> str:
    text = ARCHITECTURE.read_text(encoding="utf-8")
    found = re.search(r"```mermaid\n(.*?)```", text, re.DOTALL)
    assert found, "docs/architecture.md has no mermaid diagram"
    return found.group(1)


def test_the_diagram_names_every_package_and_no_other() -> None:
    drawn = set(re.findall(r"\bgenerator/([a-z_]+(?:/[a-z_]+)*)/", diagram()))
    assert drawn == packages(), f"drawn but not there: {drawn - packages()}; there but not drawn: {packages() - drawn}"


def test_the_diagram_draws_the_stages_in_the_order_imports_follow() -> None:
    order = [m.group(1) for m in re.finditer(r"\bgenerator/([a-z_]+)/", diagram())]
    firsts = sorted({p for p in order if p in LAYERS}, key=order.index)
    assert firsts == [p for p in LAYERS if p], firsts


def test_every_stage_has_its_package() -> None:
    """A package that is no stage is a command's (serve/): on top, with cli and new."""
    assert {p for p in LAYERS if p} <= {p.split("/")[0] for p in packages()}


def test_imports_never_run_up_the_stages() -> None:
    upward = [f"{name} imports {other}" for name, path in modules().items() for other in imports(name, path)
              if layer(other) > layer(name)]
    assert upward == []


def test_no_import_cycle_between_modules() -> None:
    graph = {name: imports(name, path) for name, path in modules().items()}
    graph = {name: {o for o in others if o in graph} for name, others in graph.items()}
    done: set[str] = set()
    cycles = []

    def visit(name: str, path: list[str]) -> None:
        if name in path:
            cycles.append(path[path.index(name):] + [name])
            return
        if name in done:
            return
        for other in sorted(graph[name]):
            visit(other, [*path, name])
        done.add(name)

    for name in sorted(graph):
        visit(name, [])
    assert cycles == []


@pytest.mark.parametrize("path", sorted(PACKAGE.rglob("__init__.py")), ids=lambda p: p.parent.name)
def test_package_init_files_import_nothing(path: Path) -> None:
    """Importing generator.build.stamp runs generator/__init__.py and generator/build/__init__.py first:
    an import there would load modules that a build with nothing changed never needs."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    top = [node for node in tree.body if isinstance(node, ast.Import | ast.ImportFrom)
           and not (isinstance(node, ast.ImportFrom) and node.module == "__future__")]
    assert top == [], [ast.unparse(node) for node in top]


def test_no_module_has_outgrown_600_lines() -> None:
    long = {name: n for name, path in modules().items()
            if (n := len(path.read_text(encoding="utf-8").splitlines())) > LONGEST}
    assert long == {}


@pytest.mark.parametrize(("module", "name"), [("build/builder.py", "Builder"), ("serve/rebuild.py", "Rebuilder")])
def test_the_builders_read_as_named_steps(module: str, name: str) -> None:
    """A run of the builder (and of serve's rebuilder) is a list of named steps: no method longer than
    STEP lines, so that each reads on one screen."""
    tree = ast.parse((PACKAGE / module).read_text(encoding="utf-8"))
    [cls] = [node for node in tree.body if isinstance(node, ast.ClassDef) and node.name == name]
    methods = {m.name: (m.end_lineno or m.lineno) - m.lineno + 1 for m in cls.body if isinstance(m, ast.FunctionDef)}
    assert len(methods) >= 10 and {m: n for m, n in methods.items() if n > STEP} == {}
