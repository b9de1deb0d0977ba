"""Work split between this process and forked helpers (a task over 0..n-1, inherited, never pickled),
and how the cyclic garbage collector is kept out of the way of builds.

Parsing Markdown (resolve.py) and rendering pages (workers.py) are each a function of data that is
built before they start and never changes, so forked helpers can share it copy-on-write and send
back only their results; the results are the same, and in the same places, for any number of jobs."""

from __future__ import annotations

import contextlib
import dataclasses
import functools
import gc
import multiprocessing
import multiprocessing.reduction
import operator
import os
import pickle
import queue
import sys
import traceback
from collections.abc import Callable, Generator, Iterator
from typing import Any, TypeVar

CHUNK = 64
"""Tasks a worker takes at a time: small enough to keep every core busy to the end."""
ALONE = 200
"""Fewer tasks than this run in this process: starting workers would cost more than it saves."""


@contextlib.contextmanager
def batch() -> Iterator[None]:
    """A one-shot build: the cyclic collector stays off (while the graph is built, it keeps everything it
    allocates, so a collection finds nothing and only costs: about a third of load, validate and resolve
    on a big site; then see settled())."""
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
    that forked workers never write to its pages (they stay shared with this process). The collector
    stays off to the end of the build (batch() turns it back on): rendering makes next to no cyclic
    garbage (96 objects for the 7,286 pages of a 5,000-article site), so its collections only cost
    (2% of drawing them)."""
    gc.freeze()


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
_ENDING: Callable[[], Any] | None = None
"""What a forked worker sends back once it has no task left (forked's `ending`)."""


def forked(task: Callable[[int], R], count: int, jobs: int, chunk: int = CHUNK,
           meanwhile: Callable[[], None] | None = None, ending: Callable[[], Any] | None = None,
           ended: Callable[[Any], None] | None = None) -> Iterator[tuple[range, list[R]]]:
    """task(0), ..., task(count - 1) on `jobs` processes, this one and jobs - 1 forked helpers, yielded a
    chunk at a time as chunks finish (a helper's results are pickled back; the task and all it reads
    are inherited). This process works too: it would only wait otherwise, and each helper holds its
    own copy of every memory page it reads (reference counts are writes), so one fewer helper is a
    third less memory on two cores. In this process alone when there is little to do, one job, or no
    fork (then the order is simply 0, 1, ...). `meanwhile`: work of this process's own, done first
    (once the helpers have started, so that they neither wait for it nor inherit what it allocates).
    `ending`: what each helper sends back when it has no task left (what its tasks gathered), given to
    `ended` in this process (whose own tasks' gatherings are its own to take)."""
    chunks = [range(start, min(start + chunk, count)) for start in range(0, count, chunk)]
    if jobs <= 1 or count < ALONE or "fork" not in multiprocessing.get_all_start_methods():
        if meanwhile is not None:
            meanwhile()
        for part in chunks:
            yield part, [task(i) for i in part]
        return
    global _TASK, _ENDING
    _TASK, _ENDING = task, ending
    for cls, reduce in reducers().items():  # what helpers send back (items, for load) pickles faster
        multiprocessing.reduction.ForkingPickler.register(cls, reduce)
    context = multiprocessing.get_context("fork")
    dealt = context.Value("i", 0)
    back: Any = context.Queue()
    helpers = [context.Process(target=_help, args=(chunks, dealt, back), daemon=True)
               for _ in range(min(jobs, len(chunks)) - 1)]
    try:
        for helper in helpers:
            helper.start()
        if meanwhile is not None:
            meanwhile()
        done = 0
        while (i := _deal(dealt, len(chunks))) is not None:
            yield chunks[i], [task(j) for j in chunks[i]]
            while not back.empty():
                done += yield from _received(back.get(), ended)
        while done < len(helpers):
            try:
                message = back.get(timeout=1)
            except queue.Empty:
                if any(h.exitcode not in (None, 0) for h in helpers):
                    raise RuntimeError("a worker process died") from None
                continue
            done += yield from _received(message, ended)
    finally:
        _TASK = _ENDING = None
        for helper in helpers:
            if helper.is_alive():
                helper.terminate()
            helper.join()
        back.close()


def _deal(dealt: Any, total: int) -> int | None:
    """The next chunk nobody has taken, or None."""
    with dealt.get_lock():
        i = int(dealt.value)
        if i >= total:
            return None
        dealt.value = i + 1
    return i


def _received(message: tuple[Any, ...],
              ended: Callable[[Any], None] | None) -> Generator[tuple[range, list[Any]], None, int]:
    """A helper's message: a finished chunk (yielded), its end (returns 1, what it gathered given to
    `ended`) or what stopped it (raised)."""
    if message[0] == "chunk":
        yield message[1], message[2]
        return 0
    if message[0] == "error":
        raise message[1]
    if ended is not None:
        ended(message[1])
    return 1


def _help(chunks: list[range], dealt: Any, back: Any) -> None:
    assert _TASK is not None
    try:
        while (i := _deal(dealt, len(chunks))) is not None:
            back.put(("chunk", chunks[i], [_TASK(j) for j in chunks[i]]))
    except BaseException as exc:  # noqa: BLE001 - it goes back to the process that waits, with where it happened
        exc.add_note("in a worker process:\n" + "".join(traceback.format_exception(exc)))
        try:
            pickle.dumps(exc)
        except Exception:  # noqa: BLE001 - whatever stops pickling it, its text still goes back
            exc = RuntimeError("".join(traceback.format_exception(exc)))
        back.put(("error", exc))
    else:
        back.put(("end", _ENDING() if _ENDING is not None else None))
    finally:
        back.close()
        back.join_thread()


PACKAGE = __name__.partition(".")[0] + "."
"""The generator's own modules (all of its stage packages): whose dataclasses reducers() covers."""


@functools.cache
def reducers() -> dict[type, Callable[[Any], tuple[type, tuple[Any, ...]]]]:
    """For every dataclass of the generator's modules, pickling as (class, field values): about twice
    as fast both ways as dataclasses' own __getstate__, which looks up the fields again for every
    object. For what helpers send back, and the build cache (build/cache.py)."""
    table = {}
    for name, module in list(sys.modules.items()):
        if name.startswith(PACKAGE):
            for value in vars(module).values():
                if isinstance(value, type) and dataclasses.is_dataclass(value) and value.__module__ == name:
                    table[value] = _reducer(value)
    return table


def _reducer(cls: type) -> Callable[[Any], tuple[type, tuple[Any, ...]]]:
    names = [f.name for f in dataclasses.fields(cls) if f.init]  # the rest are computed again on the way in
    get = operator.attrgetter(*names)
    if len(names) == 1:
        return lambda obj: (cls, (get(obj),))
    return lambda obj: (cls, get(obj))
