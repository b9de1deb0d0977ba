"""Where a build's time goes, for benchmarks: off unless BRIEFING_STAGES names a file to write it to.

`BRIEFING_STAGES=stages.json briefing build SITE` writes, when the build ends, each stage's wall
seconds, its CPU seconds in this process and in the helpers it forked (stage()), and the CPU seconds
of drawing the pages, summed over every process that drew them, by template (page()). Off, a stage
costs a global lookup and a shared null context, and rendering picks the untimed task once."""

from __future__ import annotations

import contextlib
import os
import resource
import time
from collections.abc import Iterator, Mapping

ENV = "BRIEFING_STAGES"
"""The environment variable: the path of the JSON file the build's timings are written to."""

FORMAT = 1
"""The JSON file's format: bumped when a key changes meaning."""

on = False
"""Whether this process records (set by begin(); inherited by forked helpers)."""

Tally = dict[str, list[float]]
"""Template -> CPU seconds [drawing its pages, staging them, recording their reads], and the pages."""


class _Stage:
    __slots__ = ("cpu", "helpers", "wall", "within")

    def __init__(self, within: str | None) -> None:
        self.wall = self.cpu = self.helpers = 0.0
        """Seconds: wall, CPU of this process, CPU of the helpers it forked and waited for meanwhile."""
        self.within = within
        """The stage this one ran inside, if any (its time is part of that one's)."""


_stages: dict[str, _Stage] = {}
_open: list[str] = []
_kinds: Tally = {}
"""The pages every process drew, as they came back (see add())."""
_pages: Tally = {}
"""The pages this process drew since drained() last took them."""
_started = 0.0
_began = 0.0
"""time.time() when recording began, for a caller that knows when it started the process."""
_path: str | None = None
_NOTHING = contextlib.nullcontext()


def begin(environ: Mapping[str, str] = os.environ) -> None:
    """Record from now on when the environment asks for it."""
    global on, _started, _began, _path
    _path = environ.get(ENV) or None
    on = _path is not None
    for kept in (_stages, _open, _kinds, _pages):
        kept.clear()
    _started, _began = time.perf_counter(), time.time()


def stage(name: str) -> contextlib.AbstractContextManager[None]:
    """A stage of the build, timed when recording (a name used twice adds up)."""
    return _timed(name) if on else _NOTHING


@contextlib.contextmanager
def _timed(name: str) -> Iterator[None]:
    within = _open[-1] if _open else None
    _open.append(name)
    wall, cpu, helpers = time.perf_counter(), time.process_time(), _children()
    try:
        yield
    finally:
        _open.pop()
        entry = _stages.get(name)
        if entry is None:
            entry = _stages[name] = _Stage(within)
        entry.wall += time.perf_counter() - wall
        entry.cpu += time.process_time() - cpu
        entry.helpers += _children() - helpers


def _children() -> float:
    """CPU seconds of this process's helpers that have ended and been waited for."""
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def page(template: str, drawing: float, staging: float, recording: float) -> None:
    """One page drawn by this process, with the CPU seconds it took: drawing it (templates, Markdown),
    staging it (encoding, comparing with the output, writing) and recording what it read (marshal)."""
    tally = _pages.get(template)
    if tally is None:
        tally = _pages[template] = [0.0, 0.0, 0.0, 0]
    tally[0] += drawing
    tally[1] += staging
    tally[2] += recording
    tally[3] += 1


def drained() -> Tally:
    """The pages this process drew since the last call, to send back with a chunk's results."""
    found = dict(_pages)
    _pages.clear()
    return found


def add(tally: Tally) -> None:
    """Pages drawn in any process, as drained() gave them."""
    for template, found in tally.items():
        mine = _kinds.setdefault(template, [0.0, 0.0, 0.0, 0])
        for i, value in enumerate(found):
            mine[i] += value


def end(jobs: int | None = None) -> None:
    """Write what was recorded to the file BRIEFING_STAGES named, and stop recording. `jobs`: as asked
    (None: one per core)."""
    global on
    if not on or _path is None:
        return
    import json

    on = False
    stages = [{"name": name, "wall": s.wall, "cpu": s.cpu, "helpers_cpu": s.helpers, "within": s.within}
              for name, s in _stages.items()]
    kinds = {t: {"cpu": drawing, "staging_cpu": staging, "recording_cpu": recording, "pages": int(count)}
             for t, (drawing, staging, recording, count) in sorted(_kinds.items())}
    report = {"format": FORMAT, "began": _began, "wall": time.perf_counter() - _started, "jobs": jobs,
              "cores": len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count(),
              "stages": stages, "kinds": kinds}
    with open(_path, "w", encoding="utf-8") as f:
        json.dump(report, f, indent=1)
        f.write("\n")
