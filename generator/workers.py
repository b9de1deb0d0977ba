"""Rendering on every core: pages split among forked worker processes, each writing its own files.

A page is a function of the graph, its Page and the templates (render.py), so pages can be drawn in
any order by any process and the bytes are the same: the workers are forked after planning and
inherit the graph, the templates and the staging folder, and send back only how many pages they
wrote or the problem that stopped them. Used by one-shot builds, which keep no record of what each
page read; `briefing serve` renders in its own process, recording (incremental.py)."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

import jinja2

from .errors import Problem
from .processes import forked
from .render import Page, render
from .resolve import Graph
from .write import put, same_as


@dataclass(frozen=True, slots=True)
class Job:
    graph: Graph
    pages: Sequence[Page]
    env: jinja2.Environment
    tmp: Path
    out: Path
    """The output as the last build left it: a page with the same bytes there is not staged again."""
    explain: Callable[[Exception], Problem | None]
    """A template mistake as a Problem at its file and line; None for briefing's own bugs."""


class Failed(Exception):
    """A page could not be rendered because of a mistake in a template (briefing's own bugs propagate
    as they are; from a worker, with the worker's traceback attached)."""

    def __init__(self, problem: Problem) -> None:
        super().__init__(str(problem))
        self.problem = problem

    def __reduce__(self) -> tuple[type[Failed], tuple[Problem]]:  # back from a worker
        return Failed, (self.problem,)


def render_all(job: Job, jobs: int, progress: Callable[[int, int], None] | None = None) -> int:
    """Render every page of the job on `jobs` processes, staging those that differ from the output."""
    done, total = 0, len(job.pages)
    for _, results in forked(lambda i: _draw(job, i), total, jobs):
        done += len(results)
        if progress is not None:
            progress(done, total)
    return done


def _draw(job: Job, index: int) -> int:
    page = job.pages[index]
    try:
        html = render(job.graph, page, job.env)
    except Exception as exc:
        problem = job.explain(exc)
        if problem is None:
            raise
        raise Failed(problem) from None
    data = html.encode("utf-8")
    if not same_as(job.out, page.path, data):
        put(job.tmp, page.path, data)
    return 1
