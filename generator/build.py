"""Runs the stages: check() stops after resolve; build() goes on to render and write."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from .errors import Problem, SiteError, has_errors
from .load import load
from .resolve import Graph, resolve
from .validate import validate


@dataclass(frozen=True, slots=True)
class Checked:
    graph: Graph | None
    """None when the content has errors."""
    problems: tuple[Problem, ...]
    """Sorted by file, line and column."""


def check(root: Path | str, drafts: bool = False) -> Checked:
    """load -> validate -> resolve; writes nothing."""
    raw = load(Path(root))
    site, problems = validate(raw)
    graph = None
    if site is not None and not has_errors(problems):
        graph, found = resolve(site, drafts)
        problems.extend(found)
        if has_errors(found):
            graph = None
    return Checked(graph, tuple(sorted(set(problems))))


def graph_or_raise(root: Path | str, drafts: bool = False, strict: bool = False) -> Graph:
    checked = check(root, drafts)
    if checked.graph is None or has_errors(checked.problems, strict):
        raise SiteError(checked.problems)
    return checked.graph
