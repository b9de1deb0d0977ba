"""Work split among forked processes: a task over 0..n-1, inherited by the workers, never pickled.

Parsing Markdown (resolve.py) and rendering pages (workers.py) are each a function of data that is
built before they start and never changes, so forked workers can share it copy-on-write and send
back only their results; the results are the same, and in the same places, for any number of jobs."""

from __future__ import annotations

import contextlib
import gc
import multiprocessing
import os
from collections.abc import Callable, Iterator
from typing import Any, TypeVar

CHUNK = 64
"""Tasks a worker takes at a time: small enough to keep every core busy to the end."""
ALONE = 200
"""Fewer tasks than this run in this process: starting workers would cost more than it saves."""


@contextlib.contextmanager
def batch() -> Iterator[None]:
    """A one-shot build: the cyclic collector stays off while the graph is built (it keeps everything it
    allocates, so a collection finds nothing and only costs: about a third of load, validate and resolve
    on a big site), see settled()."""
    was = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        gc.unfreeze()
        if was:
            gc.enable()


def settled() -> None:
    """What is allocated so far lives to the end of the build: moved out of the collector's sight, so
    that collecting the garbage of rendering never walks it and forked workers never write to its
    pages (they stay shared with this process), then the collector turns back on."""
    gc.freeze()
    gc.enable()


@contextlib.contextmanager
def kept_run() -> Iterator[None]:
    """A run of a long-lived builder (`briefing serve`): the collector stays off while it runs; after
    it, the run's own garbage is collected and what survives (the new snapshot) is frozen, so that the
    next run's collections do not walk every record of the last one (1.8 s a time on 5,000 articles).
    What was frozen and later forms unreachable cycles waits for sweep()."""
    gc.disable()
    try:
        yield
    finally:
        gc.collect(0)
        gc.freeze()
        gc.enable()


def sweep() -> None:
    """Everything collectable collected, frozen objects included: for an idle moment."""
    gc.unfreeze()
    gc.collect()
    gc.freeze()


def thaw() -> None:
    """Frozen objects back in the collector's care (a builder that stops)."""
    gc.unfreeze()


def cores() -> int:
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


R = TypeVar("R")
_TASK: Callable[[int], Any] | None = None
"""What a forked worker runs: inherited from the parent, never pickled."""


def forked(task: Callable[[int], R], count: int, jobs: int, chunk: int = CHUNK) -> Iterator[tuple[range, list[R]]]:
    """task(0), ..., task(count - 1) on `jobs` forked processes, yielded a chunk at a time as chunks finish
    (the results are pickled back; the task and all it reads are inherited). In this process when
    there is little to do, one job, or no fork (then the order is simply 0, 1, ...)."""
    chunks = [range(start, min(start + chunk, count)) for start in range(0, count, chunk)]
    if jobs <= 1 or count < ALONE or "fork" not in multiprocessing.get_all_start_methods():
        for part in chunks:
            yield part, [task(i) for i in part]
        return
    global _TASK
    _TASK = task
    try:
        with multiprocessing.get_context("fork").Pool(min(jobs, len(chunks))) as pool:
            yield from pool.imap_unordered(_run, chunks)
    finally:
        _TASK = None


def _run(part: range) -> tuple[range, list[Any]]:
    assert _TASK is not None
    return part, [_TASK(i) for i in part]


