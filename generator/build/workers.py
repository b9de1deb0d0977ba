"""Rendering on every core: pages split among forked worker processes, each writing its own files.

A page is a function of the graph, its Page and the templates (pages/html/render.py), so pages can be drawn in
any order by any process and the bytes are the same: the workers are forked after planning and
inherit the graph, the templates and the staging folder, and send back only what each page read of
the graph (reads.py: its PageRecord's data) or the problem that stopped them."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

import jinja2

from ..base import timings
from ..base.errors import Problem
from ..base.processes import CHUNK, forked
from ..graph.resolve import Graph
from ..pages.page import Page
from .reads import PageRecord, Read, render_recorded
from .write import put, same_as

_GATHERED: set[Read] | None = None
"""The heads of the pages this process drew in the render_all that runs (when it gathers them)."""


@dataclass(frozen=True, slots=True)
class Job:
    graph: Graph
    pages: Sequence[Page]
    env: jinja2.Environment
    tmp: Path
    out: Path | None
    """The output as the last build left it: a page with the same bytes there is not staged again (None:
    the output is empty, so every page is staged without looking)."""
    explain: Callable[[Exception], Problem | None]
    """A template mistake as a Problem at its file and line; None for briefing's own bugs."""
    cancel: threading.Event | None = None


class Failed(Exception):
    """A page could not be rendered because of a mistake in a template (briefing's own bugs propagate
    as they are; from a worker, with the worker's traceback attached)."""

    def __init__(self, problem: Problem) -> None:
        super().__init__(str(problem))
        self.problem = problem

    def __reduce__(self) -> tuple[type[Failed], tuple[Problem]]:  # back from a worker
        return Failed, (self.problem,)


class Cancelled(Exception):
    """A run stopped from outside (`briefing serve` shutting down); nothing was written."""


def render_all(job: Job, jobs: int, progress: Callable[[int, int], None] | None = None,
               meanwhile: Callable[[], None] | None = None, heads: set[Read] | None = None) -> dict[str, PageRecord]:
    """Render every page of the job on `jobs` processes, staging those that differ from the output;
    what each page read, by output path. `meanwhile`: see processes.forked. `heads`: every head the
    pages read is added to it (incremental.Changes starts from them next time)."""
    global _GATHERED
    done, total = 0, len(job.pages)
    records: dict[str, PageRecord] = {}
    task = _timed if timings.on else _draw
    timings.drained()  # helpers start with nothing of this process's to send back
    _GATHERED = set() if heads is not None else None  # each process gathers its pages' heads
    try:
        for part, results in forked(lambda i: task(job, i), total, jobs, CHUNK, meanwhile,
                                    lambda: _GATHERED, heads.update if heads is not None else None):
            for i, result in zip(part, results, strict=True):
                page = job.pages[i]
                records[page.path] = PageRecord(page, result[0], result[1])
                if len(result) > 2:
                    timings.add(result[2])
            done += len(results)
            if progress is not None:
                progress(done, total)
        if heads is not None and _GATHERED is not None:
            heads.update(_GATHERED)  # this process's own pages
    finally:
        _GATHERED = None
    return records


def _draw(job: Job, index: int) -> tuple[bytes, bytes]:
    """Draw one page; what it read as marshal bytes (heads, reads), which travel back cheaply."""
    page = job.pages[index]
    html, reads = _drawn(job, page)
    _staged(job, page, html)
    record = PageRecord.of(page, reads, _GATHERED)
    return record.heads_data, record.data


def _timed(job: Job, index: int) -> tuple[bytes, bytes] | tuple[bytes, bytes, timings.Tally]:
    """_draw with its CPU time tallied by template (timings.py); the last page of a chunk carries the
    chunk's tally back with its results."""
    page = job.pages[index]
    started = time.thread_time()
    html, reads = _drawn(job, page)
    drawn = time.thread_time()
    _staged(job, page, html)
    staged = time.thread_time()
    record = PageRecord.of(page, reads, _GATHERED)
    timings.page(page.template, drawn - started, staged - drawn, time.thread_time() - staged)
    if (index + 1) % CHUNK and index + 1 < len(job.pages):
        return record.heads_data, record.data
    return record.heads_data, record.data, timings.drained()


def _drawn(job: Job, page: Page) -> tuple[str, frozenset[Read]]:
    if job.cancel is not None and job.cancel.is_set():
        raise Cancelled()
    try:
        return render_recorded(job.graph, page, job.env)
    except Exception as exc:
        problem = job.explain(exc)
        if problem is None:
            raise
        raise Failed(problem) from None


def _staged(job: Job, page: Page, html: str) -> None:
    """The page into the staging folder, unless the output has its bytes already."""
    data = html.encode("utf-8")
    if not same_as(job.out, page.path, data):
        put(job.tmp, page.path, data)
